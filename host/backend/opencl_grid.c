/* opencl_grid.c: the opencl backend's cross-validation grids (backend.h: grid_sums, --cv).
 *
 * Every model of a grid (each fold and penalty) evaluated together in one pass over the
 * training slot, with kernels and buffers of their own made at the first grid. Apart because
 * a grid is many models at once: its own parameters, folds and sums, in double where the
 * device has it, and nothing of the single model's paths.
 */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/ocl.h"
#include "backend/opencl_impl.h"
#include "kernels/layout.h" /* LR_NQ, LR_GRID_NQ, LR_GRID_TF */
#include "util/util.h"

/* ---- Cross-validation grids ----
 *
 * All m models of a grid pass over the training slot (file order) together, block of rows by
 * block (within each segment of X): lr_grid_rows writes the residuals R of the block (rows x
 * m KW, zero where a row is held out from the model) and per work-group and model the
 * row sums of the training and of the held-out rows; lr_grid_grad adds X^T R of the block to
 * running sums (double, or compensated float pairs) in row order. The host adds the groups'
 * row sums in group order, in double, and counts the rows itself. Every order is fixed by the
 * data's shape and the work-group size, so a grid repeats bit for bit. Where the device has
 * doubles, theta, the row math and R are double (lr_grid_rows says why), else float as on the
 * other paths. */

/* lr_grid_grad's work-groups: this many consecutive columns of R (of the same features), so
 * that their loads of R are contiguous and those of X the same values. */
#define GRID_GRAD_WG 64

/* Residual memory of one block at most (less where one allocation holds less). */
#define GRID_RES_BYTES ((size_t)64 << 20)

void lr_ocl_grid_release(ocl_backend *ob) {
  cl_kernel *ks[] = {&ob->k_grid_rows, &ob->k_grid_grad};
  for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
    if (*ks[i]) clReleaseKernel(*ks[i]);
    *ks[i] = NULL;
  }
  cl_mem *ms[] = {&ob->gfold, &ob->gheld, &ob->gtheta, &ob->gres, &ob->gpart_rows, &ob->gacc};
  for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) lr_ocl_drop(ob, ms[i]);
  ob->gfold_cap = ob->gheld_cap = ob->gtheta_cap = ob->gres_cap = ob->gpart_rows_cap =
      ob->gacc_cap = 0;
}

/* A grid buffer of at least `count` elements of `size` bytes (kept and grown as needed). */
static logreg_status grid_buf(ocl_backend *ob, cl_mem *m, size_t *cap, size_t count, size_t size,
                              const char *what, logreg_error *err) {
  if (count <= *cap && *m) return LOGREG_OK;
  logreg_status st = lr_ocl_alloc(ob, m, (count ? count : 1) * size, what, err);
  if (!st) *cap = count;
  return st;
}

static logreg_status grid_kernels(ocl_backend *ob, logreg_error *err) {
  const kernel_ref list[] = {{&ob->k_grid_rows, "lr_grid_rows"},
                             {&ob->k_grid_grad, "lr_grid_grad"}};
  return lr_ocl_create_kernels(ob, list, sizeof list / sizeof list[0], err);
}

static double sum_value(const ocl_backend *ob, const ocl_sum *v) {
  return ob->info.fp64 ? v->d : (double)v->f[0] + (double)v->f[1];
}

/* Enqueues the grid's kernels over every block of the training slot; *groups receives the
 * work-groups of lr_grid_rows in all (the rows of row sums per model). */
static logreg_status grid_run(ocl_backend *ob, size_t m, size_t *groups, logreg_error *err) {
  lr_backend *be = &ob->base;
  ocl_slot *sl = &ob->slot[LR_SLOT_TRAIN];
  size_t n = sl->n, d = be->d, kw = be->kw, cols = m * kw, wg = ob->wg;
  size_t rsize = ob->info.fp64 ? sizeof(cl_double) : sizeof(float); /* grid_t */
  /* Rows per block: as many as GRID_RES_BYTES and one allocation of R allow, whole work-groups
   * when that is at least one. */
  size_t cap = GRID_RES_BYTES < ob->max_alloc ? GRID_RES_BYTES : (size_t)ob->max_alloc;
  size_t brows = cap / (cols * rsize);
  if (brows > wg) brows = brows / wg * wg;
  if (brows > n) brows = n;
  if (brows == 0) brows = 1; /* lr_ocl_alloc below then names what does not fit */
  xpiece pc[LR_MAX_SEG];
  size_t npc = lr_ocl_xbuf_pieces(&sl->x, 0, n, pc), total = 0;
  for (size_t i = 0; i < npc; i++)
    for (size_t off = 0; off < pc[i].rows; off += brows) {
      size_t rows = pc[i].rows - off < brows ? pc[i].rows - off : brows;
      total += (rows + wg - 1) / wg;
    }
  logreg_status st;
  if ((st = grid_buf(ob, &ob->gres, &ob->gres_cap, brows * cols, rsize, "grid residuals", err)) ||
      (st = grid_buf(ob, &ob->gpart_rows, &ob->gpart_rows_cap, total * m * LR_GRID_NQ,
                     sizeof(ocl_sum), "grid row sums", err)) ||
      (st = grid_buf(ob, &ob->gacc, &ob->gacc_cap, (d + 1) * cols, sizeof(ocl_sum),
                     "grid gradient sums", err)))
    return st;
  cl_uint ud = (cl_uint)d, um = (cl_uint)m, ucols = (cl_uint)cols;
  /* pos_weight as the kernel's grid_t. */
  cl_double pw64 = be->pos_weight;
  float pw32 = (float)be->pos_weight;
  size_t pw_size = ob->info.fp64 ? sizeof pw64 : sizeof pw32;
  const void *pw = ob->info.fp64 ? (const void *)&pw64 : (const void *)&pw32;
  size_t gbase = 0, done = 0;
  for (size_t i = 0; i < npc; i++)
    for (size_t off = 0; off < pc[i].rows; off += brows) {
      size_t rows = pc[i].rows - off < brows ? pc[i].rows - off : brows, ng = (rows + wg - 1) / wg;
      cl_uint xr = (cl_uint)(pc[i].x_row0 + off), r0 = (cl_uint)(pc[i].row0 + off),
              ur = (cl_uint)rows, gb = (cl_uint)gbase, first = done == 0;
      CL_TRY(lr_ocl_set_args(ob->k_grid_rows, 16, A(pc[i].X), A(xr), A(r0), A(ur), A(ud), A(sl->y),
                             A(sl->s), A(ob->gfold), A(um), A(ob->gtheta), A(ob->gheld), pw_size,
                             pw, A(ob->gres), A(gb), A(ob->gpart_rows),
                             LOCAL(wg * LR_NQ * sizeof(ocl_sum))),
             "clSetKernelArg(lr_grid_rows)");
      size_t gs[2] = {ng * wg, m}, ls[2] = {wg, 1};
      CL_TRY(clEnqueueNDRangeKernel(ob->q, ob->k_grid_rows, 2, NULL, gs, ls, 0, NULL, NULL),
             "lr_grid_rows");
      CL_TRY(lr_ocl_set_args(ob->k_grid_grad, 8, A(pc[i].X), A(xr), A(ur), A(ud), A(ob->gres),
                             A(ucols), A(first), A(ob->gacc)),
             "clSetKernelArg(lr_grid_grad)");
      size_t gl = GRID_GRAD_WG < wg ? GRID_GRAD_WG : wg;
      size_t gg[2] = {round_up(cols, gl), (d + LR_GRID_TF) / LR_GRID_TF}, gls[2] = {gl, 1};
      CL_TRY(clEnqueueNDRangeKernel(ob->q, ob->k_grid_grad, 2, NULL, gg, gls, 0, NULL, NULL),
             "lr_grid_grad");
      gbase += ng;
      done += rows;
    }
  *groups = total;
  return LOGREG_OK;
}

logreg_status lr_ocl_grid_sums(lr_backend *be, const int32_t *fold, size_t m, const int32_t *held,
                               const double *theta, lr_sums *train, lr_sums *val, double *gsum,
                               logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  size_t n = ob->slot[LR_SLOT_TRAIN].n, np = be->nparam, kw = be->kw, d = be->d, cols = m * kw;
  memset(train, 0, m * sizeof *train);
  memset(val, 0, m * sizeof *val);
  memset(gsum, 0, m * np * sizeof *gsum);
  if (ob->slot[LR_SLOT_TRAIN].csr)
    return lr_fail(err, LOGREG_EUNSUPPORTED,
                   "cross-validation grids of sparse data (LIBSVM) are not supported in this "
                   "version");
  if (lr_ocl_any_streamed(ob))
    return lr_fail(err, LOGREG_EUNSUPPORTED,
                   "opencl: cross-validation grids need X on the device, but X streams from host "
                   "memory (larger than %s's memory)",
                   ob->info.name);
  if (m == 0 || n == 0) return LOGREG_OK;
  if (n > UINT32_MAX || m * np > UINT32_MAX || (d + 1) * cols > UINT32_MAX)
    return lr_fail(err, LOGREG_EBACKEND, "opencl: a grid of %zu models over %zu rows is too large",
                   m, n);
  logreg_status st = grid_kernels(ob, err);
  /* theta as the kernels' grid_t: double where the device has it (lr_grid_rows says why). */
  size_t tsize = ob->info.fp64 ? sizeof(cl_double) : sizeof(float);
  void *tf = ob->info.fp64 ? NULL : malloc(m * np * sizeof(float));
  if (!ob->info.fp64 && !tf)
    return lr_fail(err, LOGREG_ENOMEM, "opencl: out of memory for a grid of %zu models", m);
  for (size_t t = 0; tf && t < m * np; t++) ((float *)tf)[t] = (float)theta[t];
  if (!st) st = grid_buf(ob, &ob->gfold, &ob->gfold_cap, n, sizeof(int32_t), "folds", err);
  if (!st) st = grid_buf(ob, &ob->gheld, &ob->gheld_cap, m, sizeof(int32_t), "held folds", err);
  if (!st) st = grid_buf(ob, &ob->gtheta, &ob->gtheta_cap, m * np, tsize, "grid parameters", err);
  cl_int rc = CL_SUCCESS;
  const char *what = "clEnqueueWriteBuffer(grid)";
  /* Blocking writes: the caller's arrays may change after the call, and tf is freed below. */
  if (!st)
    rc = clEnqueueWriteBuffer(ob->q, ob->gfold, CL_TRUE, 0, n * sizeof(int32_t), fold, 0, NULL,
                              NULL);
  if (!st && rc == CL_SUCCESS)
    rc = clEnqueueWriteBuffer(ob->q, ob->gheld, CL_TRUE, 0, m * sizeof(int32_t), held, 0, NULL,
                              NULL);
  if (!st && rc == CL_SUCCESS)
    rc = clEnqueueWriteBuffer(ob->q, ob->gtheta, CL_TRUE, 0, m * np * tsize, tf ? tf : theta, 0,
                              NULL, NULL);
  free(tf);
  if (st) return st;
  if (rc != CL_SUCCESS) return lr_ocl_fail(err, what, rc);
  size_t groups = 0;
  if ((st = grid_run(ob, m, &groups, err))) return st;

  size_t nrs = groups * m * LR_GRID_NQ, nacc = (d + 1) * cols;
  ocl_sum *raw = malloc((nrs + nacc) * sizeof *raw);
  if (!raw) return lr_fail(err, LOGREG_ENOMEM, "opencl: out of memory for a grid's sums");
  rc =
      clEnqueueReadBuffer(ob->q, ob->gpart_rows, CL_TRUE, 0, nrs * sizeof *raw, raw, 0, NULL, NULL);
  if (rc == CL_SUCCESS)
    rc = clEnqueueReadBuffer(ob->q, ob->gacc, CL_TRUE, 0, nacc * sizeof *raw, raw + nrs, 0, NULL,
                             NULL);
  if (rc != CL_SUCCESS) {
    free(raw);
    return lr_ocl_fail(err, "clEnqueueReadBuffer(grid sums)", rc);
  }
  /* The groups' row sums in group order; the rows counted here. */
  for (size_t g = 0; g < groups; g++)
    for (size_t j = 0; j < m; j++) {
      const ocl_sum *q = raw + (g * m + j) * LR_GRID_NQ;
      lr_sums *o[2] = {&train[j], &val[j]};
      for (int h = 0; h < 2; h++, q += LR_NQ) {
        o[h]->wloss += sum_value(ob, &q[SUM_WLOSS]);
        o[h]->loss += sum_value(ob, &q[SUM_LOSS]);
        o[h]->correct += sum_value(ob, &q[SUM_CORRECT]);
        o[h]->s += sum_value(ob, &q[SUM_S]);
      }
    }
  for (size_t j = 0; j < m; j++) {
    size_t out = 0;
    for (size_t i = 0; i < n; i++) out += fold[i] == held[j];
    val[j].rows = (double)out;
    train[j].rows = (double)(n - out);
  }
  /* acc[f cols + j KW + c] is model j's sum for feature f (f == d: the bias) and class c. */
  const ocl_sum *acc = raw + nrs;
  for (size_t f = 0; f <= d; f++)
    for (size_t j = 0; j < m; j++)
      for (size_t c = 0; c < kw; c++)
        gsum[j * np + f * kw + c] = sum_value(ob, &acc[f * cols + j * kw + c]);
  free(raw);
  return LOGREG_OK;
}
