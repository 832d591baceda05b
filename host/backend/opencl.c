/* opencl.c: the opencl backend: the backend interface (backend.h) on any OpenCL
 * device, with the kernels of kernels/logreg.cl and, where it pays, CLBlast's SGEMM.
 *
 * X, y and s are uploaded once per slot; the parameters [W | b], the gradient and the optimizer
 * state live on the device. An evaluation runs logits -> row kernel (softmax or sigmoid, loss,
 * residual) -> fixed-order reductions (-> gradient), and reads back six sums. Mini-batches are
 * contiguous ranges of a device-side gathered copy of the training slot, so shuffling uploads
 * only the permutation.
 *
 * This file holds the backend's life and what every other part leans on: creating it (context,
 * queue, the program and its kernels; refinement's second program, ocl_set_precise, built the
 * same way), destroying it, the ops table, set_data and set_order, the public functions of
 * opencl.h, and the helpers of every file (checked calls, kernel arguments, launches, counted
 * allocations). The rest is split by concern, each file reading the backend through
 * opencl_impl.h: opencl_paths.c (the dense evaluation paths and their choice), opencl_stream.c
 * (X in segments, and streamed from host memory), opencl_csr.c (sparse rows), opencl_vec.c
 * (the vector ops and element-wise maps), opencl_hv.c (Hessian-vector products) and
 * opencl_grid.c (cross-validation grids).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/ocl.h"
#include "backend/opencl.h"
#include "backend/opencl_impl.h"
#include "kernels/layout.h" /* the kernels' layout: LR_KWP_OF */
#include "util/util.h"

/* An OpenCL call's failure, as the backend reports it: LOGREG_EBACKEND naming the call and
 * its code, and saying so where the device ran out of memory or resources. */
logreg_status lr_ocl_fail(logreg_error *err, const char *what, cl_int rc) {
  const char *hint = "";
  if (rc == CL_MEM_OBJECT_ALLOCATION_FAILURE || rc == CL_OUT_OF_RESOURCES ||
      rc == CL_OUT_OF_HOST_MEMORY)
    hint = " (the device ran out of memory or resources)";
  return lr_fail(err, LOGREG_EBACKEND, "opencl: %s failed: %s (%d)%s", what, lr_ocl_error_name(rc),
                 rc, hint);
}

/* Sets kernel arguments from (size, pointer) pairs; a NULL pointer with a size is __local. */
cl_int lr_ocl_set_args(cl_kernel k, int n, ...) {
  va_list ap;
  va_start(ap, n);
  cl_int rc = CL_SUCCESS;
  for (int i = 0; i < n && rc == CL_SUCCESS; i++) {
    size_t size = va_arg(ap, size_t);
    const void *ptr = va_arg(ap, const void *);
    rc = clSetKernelArg(k, (cl_uint)i, size, ptr);
  }
  va_end(ap);
  return rc;
}

/* Enqueues kernel k over `global` work-items (rounded up to whole work-groups of `local`; 0:
 * the driver chooses). */
logreg_status lr_ocl_run1(ocl_backend *ob, cl_kernel k, size_t global, size_t local,
                          const char *what, logreg_error *err) {
  size_t gs = round_up(global ? global : 1, local ? local : 1);
  CL_TRY(clEnqueueNDRangeKernel(ob->q, k, 1, NULL, &gs, local ? &local : NULL, 0, NULL, NULL),
         what);
  return LOGREG_OK;
}

/* "12.5 MiB", "4.0 KiB", "512 bytes": sizes in messages, readable at any scale. */
const char *lr_ocl_human_bytes(unsigned long long n, char *buf, size_t cap) {
  if (n >= 1048576ULL)
    snprintf(buf, cap, "%.1f MiB", (double)n / 1048576.0);
  else if (n >= 1024ULL)
    snprintf(buf, cap, "%.1f KiB", (double)n / 1024.0);
  else
    snprintf(buf, cap, "%llu bytes", n);
  return buf;
}

/* Releases a buffer without counting it (one not made by lr_ocl_alloc, or at destruction). */
void lr_ocl_release(cl_mem *m) {
  if (*m) clReleaseMemObject(*m);
  *m = NULL;
}

/* Releases a buffer made by lr_ocl_alloc, and takes it off the count of device memory in use. */
void lr_ocl_drop(ocl_backend *ob, cl_mem *m) {
  size_t bytes = 0;
  if (*m && clGetMemObjectInfo(*m, CL_MEM_SIZE, sizeof bytes, &bytes, NULL) == CL_SUCCESS &&
      bytes <= ob->used)
    ob->used -= bytes;
  lr_ocl_release(m);
}

/* A device buffer of `bytes`, counted against the device's limits (or LOGREG_OPENCL_MAX_ALLOC,
 * a smaller per-allocation limit for tests). */
logreg_status lr_ocl_alloc(ocl_backend *ob, cl_mem *m, size_t bytes, const char *what,
                           logreg_error *err) {
  return lr_ocl_alloc_over(ob, m, bytes, NULL, what, err);
}

/* lr_ocl_alloc over `host` when not NULL (CL_MEM_USE_HOST_PTR: `bytes` of host memory that
 * outlive the buffer, read where they are by a device that shares host memory). */
logreg_status lr_ocl_alloc_over(ocl_backend *ob, cl_mem *m, size_t bytes, void *host,
                                const char *what, logreg_error *err) {
  char a[32], b[32];
  if (bytes == 0) bytes = sizeof(float);
  if (bytes > ob->max_alloc)
    return lr_fail(err, LOGREG_EBACKEND,
                   "opencl: %s needs %s, more than the device's largest allocation (%s) on %s",
                   what, lr_ocl_human_bytes(bytes, a, sizeof a),
                   lr_ocl_human_bytes(ob->max_alloc, b, sizeof b), ob->info.name);
  if (ob->used + bytes > ob->global_mem)
    return lr_fail(err, LOGREG_EBACKEND, "opencl: %s needs %s more, but %s has %s of global memory",
                   what, lr_ocl_human_bytes(bytes, a, sizeof a), ob->info.name,
                   lr_ocl_human_bytes(ob->global_mem, b, sizeof b));
  cl_int rc;
  cl_mem_flags flags = CL_MEM_READ_WRITE | (host ? CL_MEM_USE_HOST_PTR : 0);
  cl_mem buf = clCreateBuffer(ob->ctx, flags, bytes, host, &rc);
  if (rc != CL_SUCCESS) return lr_ocl_fail(err, "clCreateBuffer", rc);
  lr_ocl_drop(ob, m);
  *m = buf;
  ob->used += bytes;
  return LOGREG_OK;
}

/* A device buffer of `bytes` (lr_ocl_alloc) holding a copy of src (a blocking write). */
logreg_status lr_ocl_upload(ocl_backend *ob, cl_mem *m, const void *src, size_t bytes,
                            const char *what, logreg_error *err) {
  logreg_status st = lr_ocl_alloc(ob, m, bytes, what, err);
  if (st) return st;
  if (bytes) CL_TRY(clEnqueueWriteBuffer(ob->q, *m, CL_TRUE, 0, bytes, src, 0, NULL, NULL), what);
  return LOGREG_OK;
}

static logreg_status ocl_set_data(lr_backend *be, lr_slot slot, const float *x, const int32_t *y,
                                  const float *s, size_t n, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  ocl_slot *sl = &ob->slot[slot];
  size_t d = be->d;
  float *ones = NULL;
  if (!s) {
    ones = malloc((n ? n : 1) * sizeof *ones);
    if (!ones) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) ones[i] = 1.0f;
    s = ones;
  }
  char what[64];
  snprintf(what, sizeof what, "the %s data (%zu x %zu floats)", slot ? "validation" : "training", n,
           d);
  /* Streamed when X, y and s would leave less than an eighth of the device's memory for the
   * rest (scratch, partials, the other slot) besides every vector a solver may still add
   * (L-BFGS's pairs, Adam's moments: they are allocated after the data), which stay out of the
   * ring too. */
  lr_ocl_xbuf_release(ob, &sl->x);
  lr_ocl_host_x_release(ob, sl);
  unsigned long long xbytes = (unsigned long long)n * d * sizeof(float), ysb = n * 8ULL;
  unsigned long long left = ob->global_mem > ob->used ? ob->global_mem - ob->used : 0;
  unsigned long long vecs = (unsigned long long)(LR_VEC_MAX - be->nvec) * be->nparam * 4;
  logreg_status st;
  if (n > 0 && d > 0 && xbytes + ysb + vecs + ob->global_mem / 8 > left) {
    st = lr_ocl_stream_set(ob, sl, x, y, s, n, err);
    if (!st) st = lr_ocl_ring_alloc(ob, n, ysb + vecs, err);
  } else {
    float *own = ob->adopt;
    ob->adopt = NULL;
    st = own ? lr_ocl_xbuf_wrap(ob, &sl->x, own, n, what, err)
             : lr_ocl_xbuf_upload(ob, &sl->x, x, n, what, err);
  }
  if (!st) st = lr_ocl_upload(ob, &sl->y, y, n * sizeof(int32_t), "labels", err);
  if (!st) st = lr_ocl_upload(ob, &sl->s, s, n * sizeof(float), "row weights", err);
  free(ones);
  if (st) return st;
  sl->n = n;
  be->n[slot] = n;
  if (slot == LR_SLOT_TRAIN) ob->ordered = 0;
  if (sl->x.nseg > 1 && !ob->auto_gemm && (ob->gemm == LR_PATH_OWN || ob->gemm == LR_PATH_CLBLAST))
    return lr_fail(err, LOGREG_EBACKEND,
                   "opencl: 'gemm' %s needs X in one allocation, but %s takes %zu of the largest "
                   "allocation of %s; use 'gemm' tiled, fused or auto",
                   lr_path_name(ob->gemm), what, sl->x.nseg, ob->info.name);
  if (sl->streamed && !ob->auto_gemm && (ob->gemm == LR_PATH_OWN || ob->gemm == LR_PATH_CLBLAST))
    return lr_fail(err, LOGREG_EBACKEND,
                   "opencl: 'gemm' %s needs X on the device, but %s streams from host memory "
                   "(larger than the memory of %s); use 'gemm' tiled, fused or auto",
                   lr_path_name(ob->gemm), what, ob->info.name);
  if (slot == LR_SLOT_TRAIN && ob->auto_gemm && n > 0) {
    ob->auto_gemm = 0;
    if ((st = lr_ocl_choose_path(ob, n, err))) return st;
  }
  if (sl->streamed && !strstr(be->device, "streamed")) {
    size_t dl = strlen(be->device);
    snprintf(be->device + dl, sizeof be->device - dl, ", X streamed from host in %zu-row chunks",
             ob->ring_rows);
  }
  return lr_ocl_ensure_rows(ob, n, err);
}

/* set_data that takes x (the trainer's prepared rows): on a device that shares host memory
 * (PoCL, integrated GPUs) the slot's X is made over x itself, so that X is held once; elsewhere,
 * or when X streams, x is copied as set_data does and freed. */
static logreg_status ocl_adopt_data(lr_backend *be, lr_slot slot, float *x, const int32_t *y,
                                    const float *s, size_t n, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  ob->adopt = ob->info.host_unified ? x : NULL;
  logreg_status st = ocl_set_data(be, slot, x, y, s, n, err);
  int taken = ob->info.host_unified && !ob->adopt; /* lr_ocl_xbuf_wrap took it */
  ob->adopt = NULL;
  if (!taken) free(x);
  return st;
}

static logreg_status ocl_set_order(lr_backend *be, const uint32_t *order, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  if (!order) {
    ob->ordered = 0;
    return LOGREG_OK;
  }
  ocl_slot *sl = &ob->slot[LR_SLOT_TRAIN];
  size_t n = sl->n, d = be->d;
  logreg_status st;
  if (sl->csr) return lr_ocl_csr_set_order(ob, order, err);
  if (sl->streamed) { /* the order on the host; labels and weights gathered here */
    if (!ob->order) {
      ob->order = malloc((n ? n : 1) * sizeof *ob->order);
      if (!ob->order) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
      if ((st = lr_ocl_alloc(ob, &ob->yp, n * sizeof(int32_t), "shuffled labels", err)) ||
          (st = lr_ocl_alloc(ob, &ob->sp, n * sizeof(float), "shuffled weights", err)))
        return st;
    }
    int32_t *gy = malloc((n ? n : 1) * sizeof *gy);
    float *gs = malloc((n ? n : 1) * sizeof *gs);
    if (!gy || !gs) {
      free(gy);
      free(gs);
      return lr_fail(err, LOGREG_ENOMEM, "out of memory");
    }
    memcpy(ob->order, order, n * sizeof *order);
    for (size_t i = 0; i < n; i++) gy[i] = sl->hx.y[order[i]], gs[i] = sl->hx.s[order[i]];
    cl_int rc = CL_CHECKED(
        ob, clEnqueueWriteBuffer(ob->q, ob->yp, CL_FALSE, 0, n * sizeof *gy, gy, 0, NULL, NULL));
    if (rc == CL_SUCCESS)
      rc = CL_CHECKED(
          ob, clEnqueueWriteBuffer(ob->q, ob->sp, CL_TRUE, 0, n * sizeof *gs, gs, 0, NULL, NULL));
    if (rc == CL_SUCCESS) rc = clFinish(ob->q);
    free(gy);
    free(gs);
    if (rc != CL_SUCCESS) return lr_ocl_fail(err, "clEnqueueWriteBuffer(shuffled labels)", rc);
    ob->ordered = 1;
    return LOGREG_OK;
  }
  if (!ob->perm) {
    if ((st = lr_ocl_xbuf_alloc(ob, &ob->xp, n, "the shuffled training copy", err)) ||
        (st = lr_ocl_alloc(ob, &ob->yp, n * sizeof(int32_t), "shuffled labels", err)) ||
        (st = lr_ocl_alloc(ob, &ob->sp, n * sizeof(float), "shuffled weights", err)) ||
        (st = lr_ocl_alloc(ob, &ob->perm, n * sizeof(uint32_t), "the permutation", err)))
      return st;
  }
  CL_TRY(clEnqueueWriteBuffer(ob->q, ob->perm, CL_FALSE, 0, n * sizeof(uint32_t), order, 0, NULL,
                              NULL),
         "clEnqueueWriteBuffer(permutation)");
  /* Every (source, destination) pair of segments: one launch when X is one buffer. The first
   * pass also gathers the labels and weights. */
  const ocl_xbuf *src = &sl->x, *dst = &ob->xp;
  cl_uint ud = (cl_uint)d;
  for (size_t a = 0; a < src->nseg; a++)
    for (size_t b = 0; b < dst->nseg; b++) {
      cl_uint s0 = (cl_uint)(a * src->seg_rows), s1 = (cl_uint)((a + 1) * src->seg_rows),
              d0 = (cl_uint)(b * dst->seg_rows),
              dn = (cl_uint)(n - d0 < dst->seg_rows ? n - d0 : dst->seg_rows), ys = a == 0 ? 1 : 0;
      CL_TRY(lr_ocl_set_args(ob->k_gather, 13, A(src->seg[a]), A(s0), A(s1), A(sl->y), A(sl->s),
                             A(ob->perm), A(d0), A(dn), A(ud), A(dst->seg[b]), A(ob->yp), A(ob->sp),
                             A(ys)),
             "clSetKernelArg(lr_gather)");
      size_t gs[2] = {round_up(d ? d : 1, 16), dn ? dn : 1};
      CL_TRY(clEnqueueNDRangeKernel(ob->q, ob->k_gather, 2, NULL, gs, NULL, 0, NULL, NULL),
             "lr_gather");
    }
  ob->ordered = 1;
  return LOGREG_OK;
}

/* Creates the kernels of list[0..n) that do not exist yet, from `prog`. */
static logreg_status create_kernels_of(cl_program prog, const kernel_ref *list, size_t n,
                                       logreg_error *err) {
  for (size_t i = 0; i < n; i++) {
    if (*list[i].k) continue;
    cl_int rc;
    *list[i].k = clCreateKernel(prog, list[i].name, &rc);
    if (rc != CL_SUCCESS)
      return lr_fail(err, LOGREG_EBACKEND, "opencl: clCreateKernel(%s) failed: %s (%d)",
                     list[i].name, lr_ocl_error_name(rc), rc);
  }
  return LOGREG_OK;
}

/* Creates the kernels of list[0..n) that do not exist yet, from the main program. */
logreg_status lr_ocl_create_kernels(ocl_backend *ob, const kernel_ref *list, size_t n,
                                    logreg_error *err) {
  return create_kernels_of(ob->prog, list, n, err);
}

static logreg_status make_kernels(ocl_backend *ob, logreg_error *err) {
  const kernel_ref list[] = {{&ob->k_logits, "lr_logits"},
                             {&ob->k_softmax, "lr_softmax_rows"},
                             {&ob->k_sigmoid, "lr_sigmoid_rows"},
                             {&ob->k_reduce, "lr_reduce"},
                             {&ob->k_dot, "lr_dot_partial"},
                             {&ob->k_gpart, "lr_grad_partial"},
                             {&ob->k_greduce, "lr_grad_reduce"},
                             {&ob->k_gfinish, "lr_grad_finish"},
                             {&ob->k_gather, "lr_gather"},
                             {&ob->k_lincomb, "lr_vec_lincomb"},
                             {&ob->k_mul, "lr_vec_mul"},
                             {&ob->k_transpose, "lr_transpose_w"},
                             {&ob->k_csr_logits, "lr_csr_logits"},
                             {&ob->k_csc_grad, "lr_csc_grad"},
                             {&ob->k_fused, "lr_fused"},
                             {&ob->k_ffinish, "lr_fused_finish"},
                             {&ob->k_tile, "lr_tile"},
                             {&ob->k_tfinish, "lr_tile_finish"}};
  size_t count = sizeof list / sizeof list[0] - (ob->tr ? 0 : 2); /* tiled: when it applies */
  return lr_ocl_create_kernels(ob, list, count, err);
}

/* Releases what ocl_set_precise made (all of it, or what it made before failing). */
static void precise_release(ocl_backend *ob) {
  ocl_own *o = &ob->pown;
  cl_kernel *ks[] = {&o->logits,  &o->softmax, &o->sigmoid, &o->gpart,
                     &o->greduce, &o->lincomb, &o->mul,     &o->dot};
  for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
    if (*ks[i]) clReleaseKernel(*ks[i]);
    *ks[i] = NULL;
  }
  cl_mem *ms[] = {&o->z, &o->g, &o->part};
  for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) lr_ocl_drop(ob, ms[i]);
  if (ob->pprog) clReleaseProgram(ob->pprog);
  ob->pprog = NULL;
  ob->prows = 0;
  ob->precise = 0;
}

/* Refinement: the own kernels of a second program with double logits and residuals
 * (logreg.cl: zval), built at the first call, for every dense evaluation from then on. Sums and
 * chunk partials are double where the device has fp64 anyway; theta and the vectors stay
 * float. */
static logreg_status ocl_set_precise(lr_backend *be, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  if (ob->precise) return LOGREG_OK;
  const char *name = ob->info.name;
  if (!ob->info.fp64)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "opencl: %s has no double precision", name);
  if (ob->sparse) return lr_fail(err, LOGREG_EUNSUPPORTED, "opencl: no refinement for sparse data");
  if (lr_ocl_any_streamed(ob))
    return lr_fail(err, LOGREG_EUNSUPPORTED,
                   "opencl: no refinement while X streams from host memory (needs X resident)");
  size_t rows = 0;
  for (int s = 0; s < LR_SLOT_COUNT; s++) {
    const ocl_xbuf *xb = &ob->slot[s].x;
    if (be->n[s] && xb->nseg != 1)
      return lr_fail(err, LOGREG_EUNSUPPORTED,
                     "opencl: refinement needs X in one allocation; it is in %zu on %s", xb->nseg,
                     name);
    if (be->n[s] > rows) rows = be->n[s];
  }
  if (ob->ordered && ob->xp.nseg != 1)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "opencl: refinement needs X in one allocation");
  if (rows == 0) return lr_fail(err, LOGREG_EINVAL, "opencl backend: no data to refine on");
  int owned;
  const char *src = lr_ocl_kernel_source("logreg.cl", ob->kernel_dir, &owned, err);
  if (!src) return err ? err->status : LOGREG_EBACKEND;
  size_t len = strlen(ob->bopts) + 32;
  char *opts = malloc(len);
  logreg_status st = LOGREG_OK;
  if (!opts)
    st = lr_fail(err, LOGREG_ENOMEM, "out of memory");
  else
    snprintf(opts, len, "%s -DLR_PRECISE=1", ob->bopts);
  if (!st) st = lr_ocl_build(ob->ctx, ob->info.did, src, opts, &ob->pprog, NULL, err);
  free(opts);
  if (owned) free((void *)src);
  ocl_own *o = &ob->pown;
  const kernel_ref list[] = {{&o->logits, "lr_logits"},        {&o->softmax, "lr_softmax_rows"},
                             {&o->sigmoid, "lr_sigmoid_rows"}, {&o->gpart, "lr_grad_partial"},
                             {&o->greduce, "lr_grad_reduce"},  {&o->lincomb, "lr_vec_lincomb"},
                             {&o->mul, "lr_vec_mul"},          {&o->dot, "lr_dot_partial"}};
  size_t kw = be->kw, chunks = (rows + ob->chunk - 1) / ob->chunk;
  if (!st) st = create_kernels_of(ob->pprog, list, sizeof list / sizeof list[0], err);
  if (!st) st = lr_ocl_alloc(ob, &o->z, rows * kw * sizeof(double), "refinement logits", err);
  if (!st) st = lr_ocl_alloc(ob, &o->g, rows * kw * sizeof(double), "refinement residuals", err);
  if (!st)
    st = lr_ocl_alloc(ob, &o->part, chunks * (be->d + 1) * kw * ob->acc_size, "refinement partials",
                      err);
  /* The vectors become double: all new buffers first, so that a failure leaves them as they
   * were. */
  cl_mem fresh[LR_VEC_MAX] = {0};
  double *tmp = st ? NULL : malloc(be->nparam * sizeof *tmp);
  if (!st && !tmp) st = lr_fail(err, LOGREG_ENOMEM, "out of memory");
  for (int v = 0; !st && v < be->nvec; v++)
    st = lr_ocl_alloc(ob, &fresh[v], be->nparam * sizeof(double), "a refinement vector", err);
  for (int v = 0; !st && v < be->nvec; v++) {
    st = lr_ocl_vec_read(be, v, tmp, err);
    cl_int rc = st ? CL_SUCCESS
                   : clEnqueueWriteBuffer(ob->q, fresh[v], CL_TRUE, 0, be->nparam * sizeof *tmp,
                                          tmp, 0, NULL, NULL);
    if (rc != CL_SUCCESS) st = lr_ocl_fail(err, "clEnqueueWriteBuffer(vector)", rc);
  }
  free(tmp);
  for (int v = 0; v < be->nvec; v++) lr_ocl_drop(ob, st ? &fresh[v] : &ob->vec[v]);
  if (st) {
    precise_release(ob);
    return st;
  }
  memcpy(ob->vec, fresh, sizeof fresh);
  o->clblast = 0;
  ob->prows = rows;
  ob->precise = 1;
  be->float32 = 0;
  size_t dl = strlen(be->device);
  snprintf(be->device + dl, sizeof be->device - dl, ", refined in double");
  return LOGREG_OK;
}

static logreg_status ocl_finish(lr_backend *be, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  CL_TRY(clFinish(ob->q), "clFinish");
  return LOGREG_OK;
}

static void ocl_destroy(lr_backend *be) {
  ocl_backend *ob = (ocl_backend *)be;
  if (!ob) return;
  if (ob->q) clFinish(ob->q);
  lr_ocl_hv_release(ob);
  lr_ocl_grid_release(ob);
  precise_release(ob);
  lr_ocl_maps_release(ob);
  cl_kernel ks[] = {ob->k_logits,  ob->k_softmax,    ob->k_sigmoid, ob->k_reduce,  ob->k_dot,
                    ob->k_gpart,   ob->k_greduce,    ob->k_gfinish, ob->k_gather,  ob->k_lincomb,
                    ob->k_mul,     ob->k_transpose,  ob->k_fused,   ob->k_ffinish, ob->k_tile,
                    ob->k_tfinish, ob->k_csr_logits, ob->k_csc_grad};
  for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
    if (ks[i]) clReleaseKernel(ks[i]);
  lr_ocl_ring_release(ob);
  for (int s = 0; s < LR_SLOT_COUNT; s++) {
    lr_ocl_host_x_release(ob, &ob->slot[s]);
    lr_ocl_xbuf_release(ob, &ob->slot[s].x);
    lr_ocl_csr_release(ob, &ob->slot[s]);
    lr_ocl_release(&ob->slot[s].y);
    lr_ocl_release(&ob->slot[s].s);
  }
  lr_ocl_xbuf_release(ob, &ob->xp);
  for (int v = 0; v < LR_VEC_MAX; v++) lr_ocl_release(&ob->vec[v]);
  lr_ocl_free_host_csr(ob);
  cl_mem *ms[] = {&ob->wt, &ob->yp,   &ob->sp,    &ob->perm,     &ob->prow,  &ob->pval,  &ob->z,
                  &ob->g,  &ob->sums, &ob->gpart, &ob->partials, &ob->tpart, &ob->trsum, &ob->tout};
  for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) lr_ocl_release(ms[i]);
  if (ob->prog) clReleaseProgram(ob->prog);
  if (ob->qc) clReleaseCommandQueue(ob->qc);
  if (ob->q) clReleaseCommandQueue(ob->q);
  if (ob->ctx) clReleaseContext(ob->ctx);
  free(ob->order);
  free(ob->bopts);
  free(ob->kernel_dir);
  free(ob);
}

static const lr_backend_ops ocl_ops = {
    .name = "opencl",
    .set_data = ocl_set_data,
    .adopt_data = ocl_adopt_data,
    .set_data_csr = lr_ocl_set_data_csr,
    .set_order = ocl_set_order,
    .sums = lr_ocl_sums,
    .hv = lr_ocl_hv_op,
    .set_precise = ocl_set_precise,
    .set_path = lr_ocl_set_path,
    .grid_sums = lr_ocl_grid_sums,
    .vec_alloc = lr_ocl_vec_alloc,
    .vec_read = lr_ocl_vec_read,
    .vec_write = lr_ocl_vec_write,
    .vec_lincomb = lr_ocl_vec_lincomb,
    .vec_mul = lr_ocl_vec_mul,
    .vec_dot = lr_ocl_vec_dot,
    .vec_amax = lr_ocl_vec_amax,
    .vec_map = lr_ocl_vec_map,
    .finish = ocl_finish,
    .destroy = ocl_destroy,
};

logreg_status lr_ocl_backend_create(const logreg_device_info *dev, size_t d, size_t k, int binary,
                                    double pos_weight, const lr_backend_opts *opts,
                                    lr_backend **out, logreg_error *err) {
  *out = NULL;
  const logreg_device_options *dopt = opts ? opts->device : NULL;
  const logreg_test_hooks *hooks = lr_ocl_hooks(dopt);
  lr_ocl_device_info info;
  logreg_status st = lr_ocl_find(dev->platform, dev->index, dopt, &info, err);
  if (st) return st;
  ocl_backend *ob = calloc(1, sizeof *ob);
  if (!ob) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  ob->base.ops = &ocl_ops;
  ob->base.kind = LOGREG_BACKEND_OPENCL;
  ob->base.d = d;
  ob->base.k = k;
  ob->base.kw = binary ? 1 : k;
  ob->base.binary = binary;
  ob->base.float32 = 1;
  ob->base.nparam = (d + 1) * ob->base.kw;
  ob->base.pos_weight = pos_weight;
  /* info already holds the options' allocation limit and fp64 switch (lr_ocl_select). */
  ob->info = info;
  ob->max_alloc = info.max_alloc;
  ob->fail_call = hooks->fail_call;
  ob->global_mem = info.global_mem;
  /* Work-group size: 256 where the device allows it (a power of two either way). */
  ob->wg = 256;
  while (ob->wg > info.max_wg && ob->wg > 1) ob->wg /= 2;
  ob->chunk = 256;
  ob->acc_size = sizeof(ocl_sum);
  ob->tr = lr_ocl_tile_rows(&info, d, ob->base.kw, ob->wg, ob->acc_size);
  lr_ocl_tile_grad_shape(d, ob->base.kw, ob->wg, &ob->tgc, &ob->tstride);
  lr_path asked = opts ? opts->path : LR_PATH_AUTO;
  if ((st = lr_ocl_requested_path(ob, asked, err))) {
    free(ob);
    return st;
  }
  if (opts && opts->cache) ob->cache = *opts->cache;
  /* Until the training data is there to time the paths on: the tiled kernel where it
   * applies, else the fused one. */
  int dense = asked != LR_PATH_AUTO && asked != LR_PATH_CSR;
  int follow = !dense && opts && opts->follow;
  ob->auto_gemm = !dense && !follow;
  ob->gemm = dense ? asked : ob->tr ? LR_PATH_TILED : LR_PATH_FUSED;
  ob->base.path_id = ob->auto_gemm ? LR_PATH_AUTO : ob->gemm;
  if (!ob->auto_gemm) {
    snprintf(ob->base.path.path, sizeof ob->base.path.path, "%s", lr_path_name(ob->gemm));
    snprintf(ob->base.path.how, sizeof ob->base.path.how, follow ? "default" : "requested");
  }
  lr_ocl_set_device_name(ob);
  ob->kwp = LR_KWP_OF(ob->base.kw);

  cl_int rc;
  cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)info.pid, 0};
  ob->ctx = clCreateContext(props, 1, &info.did, NULL, NULL, &rc);
  if (rc != CL_SUCCESS) {
    st = lr_ocl_fail(err, "clCreateContext", rc);
    goto fail;
  }
  ob->q = clCreateCommandQueue(ob->ctx, info.did, 0, &rc);
  if (rc != CL_SUCCESS) {
    st = lr_ocl_fail(err, "clCreateCommandQueue", rc);
    goto fail;
  }
  int owned;
  const char *src = lr_ocl_kernel_source("logreg.cl", hooks->kernel_dir, &owned, err);
  if (!src) {
    st = err ? err->status : LOGREG_EBACKEND;
    goto fail;
  }
  /* The fused kernel's vector width: 16 floats, 8 for rows shorter than 32 (measured on PoCL:
   * at D = 32 the 16-row groups made 16 faster than 8). Software prefetch on CPU devices. */
  char bopts[1024];
  snprintf(bopts, sizeof bopts,
           "-cl-std=CL1.2 -DLR_K=%zu -DLR_KW=%zu -DLR_WG=%zu -DLR_FP64=%d -DLR_VW=%d "
           "-DLR_PREFETCH=%d",
           k, ob->base.kw, ob->wg, ob->info.fp64 ? 1 : 0, d >= 32 ? 16 : 8,
           (info.type & CL_DEVICE_TYPE_CPU) ? 1 : 0);
  if (ob->tr) { /* the tiled kernel, specialized to the feature count */
    size_t ol = strlen(bopts);
    snprintf(bopts + ol, sizeof bopts - ol, " -DLR_D=%zu -DLR_TR=%zu -DLR_TGC=%zu", d, ob->tr,
             ob->tgc);
  }
  const char *xo = hooks->build_options;
  if (xo && *xo) {
    size_t ol = strlen(bopts);
    if ((size_t)snprintf(bopts + ol, sizeof bopts - ol, " %s", xo) >= sizeof bopts - ol) {
      if (owned) free((void *)src);
      st = lr_fail(err, LOGREG_EINVAL, "'build_options': longer than %zu characters",
                   sizeof bopts - ol - 2);
      goto fail;
    }
  }
  st = lr_ocl_build(ob->ctx, info.did, src, bopts, &ob->prog, NULL, err);
  if (owned) free((void *)src);
  if (st) goto fail;
  const char *kdir = hooks->kernel_dir;
  if (!(ob->bopts = lr_strdup(bopts)) || (kdir && !(ob->kernel_dir = lr_strdup(kdir)))) {
    st = lr_fail(err, LOGREG_ENOMEM, "out of memory");
    goto fail;
  }
  if ((st = make_kernels(ob, err))) goto fail;
  int first;
  if ((st = lr_ocl_vec_alloc(&ob->base, LR_VEC_FIXED, &first, err))) goto fail;
  if ((st = lr_ocl_alloc(ob, &ob->sums, SUM_COUNT * sizeof(ocl_sum), "sums", err)) ||
      (st = lr_ocl_alloc(ob, &ob->wt, d * ob->kwp * sizeof(float), "transposed weights", err)))
    goto fail;
  float zero = 0.0f;
  cl_mem zeroed[] = {ob->sums, ob->wt};
  size_t zbytes[] = {SUM_COUNT * sizeof(ocl_sum), d * ob->kwp * sizeof(float)};
  for (size_t i = 0; i < sizeof zeroed / sizeof zeroed[0]; i++) {
    rc = clEnqueueFillBuffer(ob->q, zeroed[i], &zero, sizeof zero, 0, zbytes[i], 0, NULL, NULL);
    if (rc != CL_SUCCESS) {
      st = lr_ocl_fail(err, "clEnqueueFillBuffer", rc);
      goto fail;
    }
  }
  if ((st = lr_ocl_ensure_rows(ob, 1, err))) goto fail;
  *out = &ob->base;
  return LOGREG_OK;
fail:
  if (st == LOGREG_EBACKEND && err) { /* the call is named; the device too */
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "%s", err->message);
    lr_fail(err, st, "%s, creating the backend on %s", msg, ob->base.device);
  }
  ocl_destroy(&ob->base);
  return st;
}

logreg_status lr_ocl_read_rows(lr_backend *be, int residuals, float *out, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  if (ob->precise)
    return lr_fail(err, LOGREG_EUNSUPPORTED,
                   "opencl: refinement's logits and residuals are double, not read back");
  if (ob->gemm == LR_PATH_FUSED || ob->gemm == LR_PATH_TILED)
    return lr_fail(err, LOGREG_EUNSUPPORTED,
                   "opencl: the one-pass paths keep no logits or residuals to read");
  size_t bytes = ob->last_rows * be->kw * sizeof(float);
  CL_TRY(
      clEnqueueReadBuffer(ob->q, residuals ? ob->g : ob->z, CL_TRUE, 0, bytes, out, 0, NULL, NULL),
      "clEnqueueReadBuffer(rows)");
  return LOGREG_OK;
}

logreg_status lr_ocl_hv_host(lr_backend *be, const double *v, double *hv, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  size_t np = (be->d + 1) * be->kw;
  float *tmp = malloc(np * sizeof *tmp);
  if (!tmp) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  for (size_t t = 0; t < np; t++) tmp[t] = (float)v[t];
  cl_mem vb = NULL, ob_out = NULL;
  logreg_status st = lr_ocl_upload(ob, &vb, tmp, np * sizeof(float), "direction", err);
  free(tmp);
  if (!st) st = lr_ocl_alloc(ob, &ob_out, np * sizeof(float), "Hessian-vector product", err);
  if (!st) st = lr_ocl_hv(ob, vb, ob_out, err);
  if (!st && !(tmp = malloc(np * sizeof *tmp))) st = lr_fail(err, LOGREG_ENOMEM, "out of memory");
  if (!st) {
    cl_int rc =
        clEnqueueReadBuffer(ob->q, ob_out, CL_TRUE, 0, np * sizeof(float), tmp, 0, NULL, NULL);
    if (rc != CL_SUCCESS) st = lr_ocl_fail(err, "clEnqueueReadBuffer(Hessian-vector product)", rc);
    for (size_t t = 0; !st && t < np; t++) hv[t] = tmp[t];
    free(tmp);
  }
  lr_ocl_drop(ob, &vb);
  lr_ocl_drop(ob, &ob_out);
  return st;
}
