/* opencl_hv.c: the opencl backend's Hessian-vector products (backend.h: hv), for newton.
 *
 * Their own kernels and scratch, made at the first product, over the whole training slot in
 * file order on the fused path or with the own kernels (the sparse product is opencl_csr.c's).
 * Apart because a product is a second pass of its own over X, not an evaluation: it needs
 * neither the path choice nor the training order.
 */
#include "backend/backend.h"
#include "backend/ocl.h"
#include "backend/opencl_impl.h"
#include "kernels/layout.h" /* LR_LD */
#include "util/util.h"

/* ---- Hessian-vector products ----
 *
 * H v of the raw summed loss over the whole training slot in file order (logreg.cl: lr_hv_rows).
 * On the fused path, in one pass over X (lr_fused_hv, then lr_fused_hv_reduce over its blocks).
 * On the other paths (the tiled one keeps no logits either) with the own kernels, in two:
 * lr_hv_logits for X W and X V, lr_hv_rows, lr_grad_partial for X^T R and lr_hv_reduce, in
 * blocks of rows that fit the scratch buffers, in row order. */

/* Most chunks (of ob->chunk rows) in one block of the own kernels: bounds the partials' memory
 * to that many (d + 1) x KW matrices. */
#define HV_MAX_CHUNKS 256

void lr_ocl_hv_release(ocl_backend *ob) {
  cl_kernel *ks[] = {&ob->k_hv_logits, &ob->k_hv_rows, &ob->k_hv_reduce, &ob->k_fused_hv,
                     &ob->k_fused_hv_reduce};
  for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
    if (*ks[i]) clReleaseKernel(*ks[i]);
    *ks[i] = NULL;
  }
  cl_mem *ms[] = {&ob->hz, &ob->hu, &ob->hpart, &ob->hacc, &ob->hwt, &ob->hvt, &ob->hfpart};
  for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) lr_ocl_drop(ob, ms[i]);
  ob->hv_rows = ob->hfpart_cap = 0;
}

static logreg_status hv_kernels(ocl_backend *ob, logreg_error *err) {
  const kernel_ref list[] = {{&ob->k_hv_logits, "lr_hv_logits"},
                             {&ob->k_hv_rows, "lr_hv_rows"},
                             {&ob->k_hv_reduce, "lr_hv_reduce"},
                             {&ob->k_fused_hv, "lr_fused_hv"},
                             {&ob->k_fused_hv_reduce, "lr_fused_hv_reduce"}};
  return lr_ocl_create_kernels(ob, list, sizeof list / sizeof list[0], err);
}

/* The own kernels' scratch for blocks of min(n, the most that fit) rows: HV_MAX_CHUNKS chunks,
 * fewer where one allocation of the device (or LOGREG_OPENCL_MAX_ALLOC) holds fewer. */
static logreg_status hv_prepare(ocl_backend *ob, size_t n, logreg_error *err) {
  size_t kw = ob->base.kw, np = (ob->base.d + 1) * kw, chunk = ob->chunk;
  size_t by_part = (size_t)(ob->max_alloc / (np * sizeof(float)));
  size_t rows = (by_part < HV_MAX_CHUNKS ? by_part : HV_MAX_CHUNKS) * chunk;
  size_t by_rows = (size_t)(ob->max_alloc / (kw * sizeof(float)));
  if (rows > by_rows) rows = by_rows;
  if (rows > n) rows = n;
  if (rows == 0) rows = 1; /* lr_ocl_alloc below then names what does not fit */
  if (rows <= ob->hv_rows) return LOGREG_OK;
  size_t chunks = (rows + chunk - 1) / chunk;
  logreg_status st;
  if ((st = lr_ocl_alloc(ob, &ob->hz, rows * kw * sizeof(float), "Hessian-vector logits", err)) ||
      (st = lr_ocl_alloc(ob, &ob->hu, rows * kw * sizeof(float), "Hessian-vector directions",
                         err)) ||
      (st = lr_ocl_alloc(ob, &ob->hpart, chunks * np * ob->acc_size, "Hessian-vector partials",
                         err)) ||
      (st = lr_ocl_alloc(ob, &ob->hacc, np * sizeof(cl_double), "Hessian-vector sums", err)))
    return st;
  ob->hv_rows = rows;
  return LOGREG_OK;
}

/* The own kernels, block by block of each piece of X. */
static logreg_status hv_own(ocl_backend *ob, cl_mem v, cl_mem out, logreg_error *err) {
  lr_backend *be = &ob->base;
  ocl_slot *sl = &ob->slot[LR_SLOT_TRAIN];
  size_t n = sl->n, d = be->d, kw = be->kw, np = (d + 1) * kw;
  logreg_status st = hv_prepare(ob, n, err);
  if (st) return st;
  xpiece pc[LR_MAX_SEG];
  size_t npc = lr_ocl_xbuf_pieces(&sl->x, 0, n, pc), bmax = ob->hv_rows;
  cl_uint ud = (cl_uint)d, boff = (cl_uint)(d * kw), uc = (cl_uint)ob->chunk;
  float pw = (float)be->pos_weight;
  size_t done = 0;
  for (size_t i = 0; i < npc; i++)
    for (size_t off = 0; off < pc[i].rows; off += bmax) {
      size_t rows = pc[i].rows - off < bmax ? pc[i].rows - off : bmax;
      size_t chunks = (rows + ob->chunk - 1) / ob->chunk;
      cl_uint xr = (cl_uint)(pc[i].x_row0 + off), r0 = (cl_uint)(pc[i].row0 + off),
              um = (cl_uint)rows, unc = (cl_uint)chunks, first = done == 0, last = done + rows == n;
      cl_mem X = pc[i].X;
      /* Z = X W and U = X V (no biases) in one read of the block's rows. */
      CL_TRY(lr_ocl_set_args(ob->k_hv_logits, 8, A(X), A(xr), A(um), A(ud),
                             A(ob->vec[LR_VEC_THETA]), A(v), A(ob->hz), A(ob->hu)),
             "clSetKernelArg(lr_hv_logits)");
      if ((st = lr_ocl_run1(ob, ob->k_hv_logits, rows, ob->wg, "lr_hv_logits", err))) return st;
      CL_TRY(lr_ocl_set_args(ob->k_hv_rows, 10, A(ob->hz), A(ob->hu), A(ob->vec[LR_VEC_THETA]),
                             A(v), A(boff), A(sl->y), A(sl->s), A(r0), A(um), A(pw)),
             "clSetKernelArg(lr_hv_rows)");
      if ((st = lr_ocl_run1(ob, ob->k_hv_rows, rows, ob->wg, "lr_hv_rows", err))) return st;
      CL_TRY(lr_ocl_set_args(ob->k_gpart, 7, A(X), A(xr), A(um), A(ud), A(ob->hz), A(uc),
                             A(ob->hpart)),
             "clSetKernelArg(lr_grad_partial)");
      size_t gs[2] = {round_up(d + 1, 16), chunks};
      CL_TRY(clEnqueueNDRangeKernel(ob->q, ob->k_gpart, 2, NULL, gs, NULL, 0, NULL, NULL),
             "lr_grad_partial");
      CL_TRY(lr_ocl_set_args(ob->k_hv_reduce, 7, A(ob->hpart), A(unc), A(ud), A(first), A(last),
                             A(ob->hacc), A(out)),
             "clSetKernelArg(lr_hv_reduce)");
      if ((st = lr_ocl_run1(ob, ob->k_hv_reduce, np, 0, "lr_hv_reduce", err))) return st;
      done += rows;
    }
  return LOGREG_OK;
}

/* The fused kernel: theta's and v's weights transposed (into hwt, hvt: KWP x d, zero rows past
 * KW, as lr_fused reads them; theta's own wt is left to the eval path), one launch per piece of
 * X with lr_fused's blocks, then the blocks summed in order. */
static logreg_status hv_fused(ocl_backend *ob, cl_mem v, cl_mem out, logreg_error *err) {
  lr_backend *be = &ob->base;
  ocl_slot *sl = &ob->slot[LR_SLOT_TRAIN];
  size_t n = sl->n, d = be->d, kw = be->kw, np = (d + 1) * kw;
  size_t fb = lr_ocl_fused_block(ob, n), blocks = 0;
  xpiece pc[LR_MAX_SEG];
  size_t npc = lr_ocl_xbuf_pieces(&sl->x, 0, n, pc);
  for (size_t i = 0; i < npc; i++) blocks += (pc[i].rows + fb - 1) / fb;
  size_t need = blocks * LR_LD(d) * ob->kwp;
  logreg_status st;
  if (!ob->hwt) {
    float zero = 0.0f;
    size_t bytes = d * ob->kwp * sizeof(float);
    if ((st = lr_ocl_alloc(ob, &ob->hwt, bytes, "transposed weights", err)) ||
        (st = lr_ocl_alloc(ob, &ob->hvt, bytes, "transposed direction", err)))
      return st;
    CL_TRY(clEnqueueFillBuffer(ob->q, ob->hwt, &zero, sizeof zero, 0, bytes, 0, NULL, NULL),
           "clEnqueueFillBuffer");
    CL_TRY(clEnqueueFillBuffer(ob->q, ob->hvt, &zero, sizeof zero, 0, bytes, 0, NULL, NULL),
           "clEnqueueFillBuffer");
  }
  if (need > ob->hfpart_cap) {
    if ((st = lr_ocl_alloc(ob, &ob->hfpart, need * sizeof(float), "Hessian-vector partials", err)))
      return st;
    ob->hfpart_cap = need;
  }
  cl_uint ud = (cl_uint)d, boff = (cl_uint)(d * kw), block = (cl_uint)fb, ub = (cl_uint)blocks;
  cl_mem src[2] = {ob->vec[LR_VEC_THETA], v}, dst[2] = {ob->hwt, ob->hvt};
  for (int i = 0; i < 2; i++) {
    CL_TRY(lr_ocl_set_args(ob->k_transpose, 3, A(src[i]), A(ud), A(dst[i])),
           "clSetKernelArg(lr_transpose_w)");
    if ((st = lr_ocl_run1(ob, ob->k_transpose, d * kw, 0, "lr_transpose_w", err))) return st;
  }
  float pw = (float)be->pos_weight;
  size_t local = (ob->info.type & CL_DEVICE_TYPE_CPU) ? 1 : 0, gbase = 0;
  for (size_t i = 0; i < npc; i++) {
    cl_uint xr = (cl_uint)pc[i].x_row0, r0 = (cl_uint)pc[i].row0, um = (cl_uint)pc[i].rows,
            gb = (cl_uint)gbase;
    CL_TRY(lr_ocl_set_args(ob->k_fused_hv, 16, A(pc[i].X), A(xr), A(r0), A(um), A(ud), A(ob->hwt),
                           A(ob->hvt), A(ob->vec[LR_VEC_THETA]), A(v), A(boff), A(sl->y), A(sl->s),
                           A(block), A(pw), A(gb), A(ob->hfpart)),
           "clSetKernelArg(lr_fused_hv)");
    size_t nb = (pc[i].rows + fb - 1) / fb;
    if ((st = lr_ocl_run1(ob, ob->k_fused_hv, nb, local, "lr_fused_hv", err))) return st;
    gbase += nb;
  }
  CL_TRY(lr_ocl_set_args(ob->k_fused_hv_reduce, 4, A(ob->hfpart), A(ub), A(ud), A(out)),
         "clSetKernelArg(lr_fused_hv_reduce)");
  return lr_ocl_run1(ob, ob->k_fused_hv_reduce, np, 0, "lr_fused_hv_reduce", err);
}

/* out = the raw H v at the parameters (theta) along v, both [(d + 1) KW] float buffers of the
 * device (out distinct from both); over all rows of the training slot, in file order (not the
 * shuffled copy), segment by segment. Enqueues only: nothing waits for the device. */
logreg_status lr_ocl_hv(ocl_backend *ob, cl_mem v, cl_mem out, logreg_error *err) {
  if (lr_ocl_any_streamed(ob))
    return lr_fail(err, LOGREG_EUNSUPPORTED,
                   "opencl: newton's Hessian-vector products need X on the device, but X streams "
                   "from host memory (larger than %s's memory); use lbfgs or gd",
                   ob->info.name);
  size_t np = (ob->base.d + 1) * ob->base.kw;
  if (ob->slot[LR_SLOT_TRAIN].n == 0) {
    float zero = 0.0f;
    CL_TRY(
        clEnqueueFillBuffer(ob->q, out, &zero, sizeof zero, 0, np * sizeof(float), 0, NULL, NULL),
        "clEnqueueFillBuffer(Hessian-vector product)");
    return LOGREG_OK;
  }
  logreg_status st = hv_kernels(ob, err);
  if (st) return st;
  if (ob->slot[LR_SLOT_TRAIN].csr) return lr_ocl_hv_csr(ob, v, out, err);
  return ob->gemm == LR_PATH_FUSED ? hv_fused(ob, v, out, err) : hv_own(ob, v, out, err);
}

/* The backend op: out = raw H v over the training slot, on the backend's vectors. */
logreg_status lr_ocl_hv_op(lr_backend *be, int v, int out, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  if (ob->precise)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "opencl: no Hessian-vector products after refinement");
  return lr_ocl_hv(ob, ob->vec[v], ob->vec[out], err);
}
