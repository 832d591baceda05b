/* opencl_csr.c: the opencl backend on sparse rows (LIBSVM data, set_data_csr).
 *
 * From the first sparse slot on, evaluations, training orders and Hessian-vector products run
 * the sparse kernels (lr_csr_logits, lr_csc_grad) over the CSR rows and a transposed copy made
 * here, instead of any dense path. Apart because the sparse data has its own buffers, its own
 * host copies and its own kernels; it shares only the row kernels and reductions of
 * opencl_paths.c (lr_ocl_row_sums).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/ocl.h"
#include "backend/opencl_impl.h"
#include "util/util.h"

/* ---- Sparse rows (CSR) ----
 *
 * A sparse slot keeps its CSR rows (for the logits, lr_csr_logits) and a transposed copy made
 * here once at upload (CSC, for X^T G: lr_csc_grad gathers each feature's column in increasing
 * row order, so no float atomics and a fixed order of additions). The row kernels, lr_reduce
 * and lr_grad_finish (the bias sums) are the dense path's. A training order (mini-batches)
 * gets, at each set_order, a second CSC whose entries are the rows' positions in the order, so
 * that a range of the order is a binary search and a contiguous run in each column (the
 * gradient of a batch reads only the batch's nonzeros and D column bounds); the logits read
 * the rows through the permutation, the labels and weights are gathered once per order. */

/* The CSC copy of n CSR rows of d columns; 0, or -1 when out of memory. */
static int csr_transpose(const int64_t *indptr, const int32_t *indices, const float *values,
                         size_t n, size_t d, uint64_t **colptr, uint32_t **rowidx, float **cvals) {
  size_t nnz = (size_t)indptr[n];
  uint64_t *cp = calloc(d + 1, sizeof *cp), *next = malloc((d ? d : 1) * sizeof *next);
  uint32_t *ri = malloc((nnz ? nnz : 1) * sizeof *ri);
  float *cv = malloc((nnz ? nnz : 1) * sizeof *cv);
  if (!cp || !next || !ri || !cv) {
    free(cp);
    free(next);
    free(ri);
    free(cv);
    return -1;
  }
  for (size_t e = 0; e < nnz; e++) cp[indices[e] + 1]++;
  for (size_t j = 0; j < d; j++) cp[j + 1] += cp[j];
  memcpy(next, cp, d * sizeof *next);
  for (size_t i = 0; i < n; i++)
    for (size_t e = (size_t)indptr[i]; e < (size_t)indptr[i + 1]; e++) {
      uint64_t q = next[indices[e]]++;
      ri[q] = (uint32_t)i;
      cv[q] = values[e];
    }
  free(next);
  *colptr = cp;
  *rowidx = ri;
  *cvals = cv;
  return 0;
}

void lr_ocl_free_host_csr(ocl_backend *ob) {
  free(ob->h_indptr);
  free(ob->h_indices);
  free(ob->h_values);
  free(ob->h_colptr);
  ob->h_indptr = NULL;
  ob->h_indices = NULL;
  ob->h_values = NULL;
  ob->h_colptr = NULL;
}

void lr_ocl_csr_release(ocl_backend *ob, ocl_slot *sl) {
  cl_mem *ms[] = {&sl->indptr, &sl->indices, &sl->values, &sl->colptr, &sl->rowidx, &sl->cvals};
  for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) lr_ocl_drop(ob, ms[i]);
  sl->csr = 0;
}

/* From the first sparse slot on, evaluations run the sparse kernels: the dense paths' buffers
 * go, and the path is named for people. */
static void use_sparse(ocl_backend *ob) {
  if (ob->sparse) return;
  ob->sparse = 1;
  ob->auto_gemm = 0;
  ob->gemm = LR_PATH_OWN; /* keeps the updates off wt (released here) */
  ob->base.path_id = LR_PATH_CSR;
  cl_mem *ms[] = {&ob->wt, &ob->gpart, &ob->tpart, &ob->trsum, &ob->tout, &ob->z, &ob->g};
  for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) lr_ocl_drop(ob, ms[i]);
  ob->gpart_cap = ob->tgroups_cap = ob->tout_cap = ob->zg_rows = 0;
  memset(&ob->base.path, 0, sizeof ob->base.path);
  snprintf(ob->base.path.path, sizeof ob->base.path.path, "%s", lr_path_name(LR_PATH_CSR));
  snprintf(ob->base.path.how, sizeof ob->base.path.how, "sparse data");
  const lr_ocl_device_info *info = &ob->info;
  snprintf(ob->base.device, sizeof ob->base.device, "opencl:%u:%u %s (%s, sparse CSR/CSC kernels)",
           info->platform, info->device, info->name, lr_ocl_type_name(info->type));
}

logreg_status lr_ocl_set_data_csr(lr_backend *be, lr_slot slot, const int64_t *indptr,
                                  const int32_t *indices, const float *values, const int32_t *y,
                                  const float *s, size_t n, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  ocl_slot *sl = &ob->slot[slot];
  size_t d = be->d, nnz = (size_t)indptr[n];
  const char *name = slot ? "validation" : "training";
  if (n >= UINT32_MAX || d >= UINT32_MAX)
    return lr_fail(err, LOGREG_EBACKEND,
                   "opencl: sparse %s data of %zu rows and %zu features is more than the sparse "
                   "kernels' 32-bit row and feature numbers hold",
                   name, n, d);
  for (size_t e = 0; e < nnz; e++)
    if (indices[e] < 0 || (size_t)indices[e] >= d)
      return lr_fail(err, LOGREG_EINVAL, "opencl: sparse %s data: column %ld outside 0..%zu", name,
                     (long)indices[e], d - 1);
  uint64_t *colptr = NULL;
  uint32_t *rowidx = NULL;
  float *cvals = NULL, *ones = NULL;
  if (csr_transpose(indptr, indices, values, n, d, &colptr, &rowidx, &cvals) != 0)
    return lr_fail(err, LOGREG_ENOMEM, "out of memory for the transposed %s data (%zu nonzeros)",
                   name, nnz);
  if (!s) {
    if (!(ones = malloc((n ? n : 1) * sizeof *ones))) {
      free(colptr);
      free(rowidx);
      free(cvals);
      return lr_fail(err, LOGREG_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) ones[i] = 1.0f;
    s = ones;
  }
  use_sparse(ob);
  lr_ocl_xbuf_release(ob, &sl->x);
  lr_ocl_csr_release(ob, sl);
  char w[6][96];
  snprintf(w[0], sizeof w[0], "the %s data's row pointers (%zu rows)", name, n);
  snprintf(w[1], sizeof w[1], "the %s data's column indices (%zu nonzeros)", name, nnz);
  snprintf(w[2], sizeof w[2], "the %s data's values (%zu nonzeros)", name, nnz);
  snprintf(w[3], sizeof w[3], "the %s data's column pointers (%zu features)", name, d);
  snprintf(w[4], sizeof w[4], "the %s data's transposed row indices (%zu nonzeros)", name, nnz);
  snprintf(w[5], sizeof w[5], "the %s data's transposed values (%zu nonzeros)", name, nnz);
  logreg_status st = lr_ocl_upload(ob, &sl->indptr, indptr, (n + 1) * sizeof(int64_t), w[0], err);
  if (!st) st = lr_ocl_upload(ob, &sl->indices, indices, nnz * sizeof(int32_t), w[1], err);
  if (!st) st = lr_ocl_upload(ob, &sl->values, values, nnz * sizeof(float), w[2], err);
  if (!st) st = lr_ocl_upload(ob, &sl->colptr, colptr, (d + 1) * sizeof(uint64_t), w[3], err);
  if (!st) st = lr_ocl_upload(ob, &sl->rowidx, rowidx, nnz * sizeof(uint32_t), w[4], err);
  if (!st) st = lr_ocl_upload(ob, &sl->cvals, cvals, nnz * sizeof(float), w[5], err);
  if (!st) st = lr_ocl_upload(ob, &sl->y, y, n * sizeof(int32_t), "labels", err);
  if (!st) st = lr_ocl_upload(ob, &sl->s, s, n * sizeof(float), "row weights", err);
  if (st) free(colptr); /* else kept below for the training order's CSC */
  free(rowidx);
  free(cvals);
  free(ones);
  if (st) return st;
  sl->csr = 1;
  sl->n = n;
  be->n[slot] = n;
  if (slot == LR_SLOT_TRAIN) {
    ob->ordered = 0;
    lr_ocl_drop(ob, &ob->prow);
    lr_ocl_drop(ob, &ob->pval);
    lr_ocl_drop(ob, &ob->perm); /* sized for the old rows */
    lr_ocl_free_host_csr(ob);
    ob->h_indptr = malloc((n + 1) * sizeof *ob->h_indptr);
    ob->h_indices = malloc((nnz ? nnz : 1) * sizeof *ob->h_indices);
    ob->h_values = malloc((nnz ? nnz : 1) * sizeof *ob->h_values);
    if (!ob->h_indptr || !ob->h_indices || !ob->h_values) {
      lr_ocl_free_host_csr(ob);
      free(colptr);
      return lr_fail(err, LOGREG_ENOMEM, "out of memory for a copy of %zu nonzeros", nnz);
    }
    memcpy(ob->h_indptr, indptr, (n + 1) * sizeof *indptr);
    memcpy(ob->h_indices, indices, nnz * sizeof *indices);
    memcpy(ob->h_values, values, nnz * sizeof *values);
    ob->h_colptr = colptr;
    colptr = NULL;
  }
  free(colptr);
  return lr_ocl_ensure_rows(ob, n, err);
}

/* A training order over CSR rows: the permutation, the CSC of the rows' positions in it (made
 * here from the host copy: each column's entries in increasing position), and the labels and
 * weights gathered in that order (lr_gather with no columns). */
logreg_status lr_ocl_csr_set_order(ocl_backend *ob, const uint32_t *order, logreg_error *err) {
  ocl_slot *sl = &ob->slot[LR_SLOT_TRAIN];
  size_t n = sl->n, d = ob->base.d, nnz = n ? (size_t)ob->h_indptr[n] : 0;
  logreg_status st;
  if (n == 0) return LOGREG_OK;
  if (!ob->perm) {
    if ((st = lr_ocl_alloc(ob, &ob->yp, n * sizeof(int32_t), "shuffled labels", err)) ||
        (st = lr_ocl_alloc(ob, &ob->sp, n * sizeof(float), "shuffled weights", err)) ||
        (st = lr_ocl_alloc(ob, &ob->prow, nnz * sizeof(uint32_t),
                           "the shuffled training data's transposed positions", err)) ||
        (st = lr_ocl_alloc(ob, &ob->pval, nnz * sizeof(float),
                           "the shuffled training data's transposed values", err)) ||
        (st = lr_ocl_alloc(ob, &ob->perm, n * sizeof(uint32_t), "the permutation", err)))
      return st;
  }
  uint32_t *prow = malloc((nnz ? nnz : 1) * sizeof *prow);
  float *pval = malloc((nnz ? nnz : 1) * sizeof *pval);
  uint64_t *next = malloc((d ? d : 1) * sizeof *next);
  if (!prow || !pval || !next) {
    free(prow);
    free(pval);
    free(next);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory for the shuffled training data");
  }
  memcpy(next, ob->h_colptr, d * sizeof *next);
  for (size_t p = 0; p < n; p++) {
    size_t i = order[p];
    for (size_t e = (size_t)ob->h_indptr[i]; e < (size_t)ob->h_indptr[i + 1]; e++) {
      uint64_t q = next[ob->h_indices[e]]++;
      prow[q] = (uint32_t)p;
      pval[q] = ob->h_values[e];
    }
  }
  free(next);
  cl_int rc =
      clEnqueueWriteBuffer(ob->q, ob->perm, CL_TRUE, 0, n * sizeof(uint32_t), order, 0, NULL, NULL);
  if (rc == CL_SUCCESS && nnz)
    rc = clEnqueueWriteBuffer(ob->q, ob->prow, CL_TRUE, 0, nnz * sizeof *prow, prow, 0, NULL, NULL);
  if (rc == CL_SUCCESS && nnz)
    rc = clEnqueueWriteBuffer(ob->q, ob->pval, CL_TRUE, 0, nnz * sizeof *pval, pval, 0, NULL, NULL);
  free(prow);
  free(pval);
  if (rc != CL_SUCCESS) return lr_ocl_fail(err, "clEnqueueWriteBuffer(training order)", rc);
  cl_uint zero = 0, un = (cl_uint)n, one = 1;
  CL_TRY(lr_ocl_set_args(ob->k_gather, 13, A(sl->y), A(zero), A(un), A(sl->y), A(sl->s),
                         A(ob->perm), A(zero), A(un), A(zero), A(ob->yp), A(ob->yp), A(ob->sp),
                         A(one)),
         "clSetKernelArg(lr_gather)");
  size_t gs[2] = {16, n};
  CL_TRY(clEnqueueNDRangeKernel(ob->q, ob->k_gather, 2, NULL, gs, NULL, 0, NULL, NULL),
         "lr_gather");
  ob->ordered = 1;
  return LOGREG_OK;
}

/* Z = X W (no bias) of rows r < m into z: row begin + r of the slot, or of the training order
 * (use_perm). */
static logreg_status csr_logits(ocl_backend *ob, const ocl_slot *sl, int use_perm, size_t begin,
                                size_t m, cl_mem w, cl_mem z, logreg_error *err) {
  cl_mem perm = use_perm ? ob->perm : sl->indptr; /* not read without use_perm */
  cl_uint up = (cl_uint)use_perm, row0 = (cl_uint)begin, um = (cl_uint)m;
  CL_TRY(lr_ocl_set_args(ob->k_csr_logits, 9, A(sl->indptr), A(sl->indices), A(sl->values), A(perm),
                         A(up), A(row0), A(um), A(w), A(z)),
         "clSetKernelArg(lr_csr_logits)");
  return lr_ocl_run1(ob, ob->k_csr_logits, m, ob->wg, "lr_csr_logits", err);
}

/* out = [X^T G | sum of G's rows] over rows r < m of G (as csr_logits numbers them): the
 * slot's CSC, or the training order's (use_perm). */
static logreg_status csc_grad(ocl_backend *ob, const ocl_slot *sl, int use_perm, size_t begin,
                              size_t m, cl_mem G, cl_mem out, logreg_error *err) {
  size_t d = ob->base.d, kw = ob->base.kw;
  cl_mem pos = use_perm ? ob->prow : sl->rowidx, val = use_perm ? ob->pval : sl->cvals;
  cl_uint row0 = (cl_uint)begin, um = (cl_uint)m, ud = (cl_uint)d;
  CL_TRY(lr_ocl_set_args(ob->k_csc_grad, 8, A(sl->colptr), A(pos), A(val), A(row0), A(um), A(ud),
                         A(G), A(out)),
         "clSetKernelArg(lr_csc_grad)");
  logreg_status st = lr_ocl_run1(ob, ob->k_csc_grad, d, 0, "lr_csc_grad", err);
  if (st) return st;
  /* The bias sums: lr_grad_finish's work-items d KW .. (d + 1) KW only. */
  CL_TRY(lr_ocl_set_args(ob->k_gfinish, 4, A(G), A(um), A(ud), A(out)),
         "clSetKernelArg(lr_grad_finish)");
  size_t off = d * kw, gs = kw;
  CL_TRY(clEnqueueNDRangeKernel(ob->q, ob->k_gfinish, 1, &off, &gs, NULL, 0, NULL, NULL),
         "lr_grad_finish");
  return LOGREG_OK;
}

/* An evaluation of rows [begin, begin + m) of a CSR slot (of the training order: shuffled). */
logreg_status lr_ocl_csr_sums(ocl_backend *ob, const ocl_slot *sl, int shuffled, size_t begin,
                              size_t m, int want_grad, logreg_error *err) {
  cl_mem Y = shuffled ? ob->yp : sl->y, S = shuffled ? ob->sp : sl->s;
  logreg_status st = csr_logits(ob, sl, shuffled, begin, m, ob->vec[LR_VEC_THETA], ob->z, err);
  ocl_own o = lr_ocl_own_main(ob);
  if (!st) st = lr_ocl_row_sums(ob, &o, Y, S, begin, m, err);
  if (!st && want_grad) st = csc_grad(ob, sl, shuffled, begin, m, ob->g, ob->vec[LR_VEC_GSUM], err);
  return st;
}

/* The raw H v over the whole training slot (file order): Z and U by lr_csr_logits, the rows
 * s_i r_i by lr_hv_rows, then csc_grad of them. Uses the evaluations' z and g. */
logreg_status lr_ocl_hv_csr(ocl_backend *ob, cl_mem v, cl_mem out, logreg_error *err) {
  lr_backend *be = &ob->base;
  const ocl_slot *sl = &ob->slot[LR_SLOT_TRAIN];
  size_t n = sl->n;
  cl_mem theta = ob->vec[LR_VEC_THETA];
  logreg_status st = csr_logits(ob, sl, 0, 0, n, theta, ob->z, err);
  if (!st) st = csr_logits(ob, sl, 0, 0, n, v, ob->g, err);
  if (st) return st;
  cl_uint boff = (cl_uint)(be->d * be->kw), zero = 0, un = (cl_uint)n;
  float pw = (float)be->pos_weight;
  CL_TRY(lr_ocl_set_args(ob->k_hv_rows, 10, A(ob->z), A(ob->g), A(theta), A(v), A(boff), A(sl->y),
                         A(sl->s), A(zero), A(un), A(pw)),
         "clSetKernelArg(lr_hv_rows)");
  if ((st = lr_ocl_run1(ob, ob->k_hv_rows, n, ob->wg, "lr_hv_rows", err))) return st;
  ob->last_rows = 0;
  return csc_grad(ob, sl, 0, 0, n, ob->z, out, err);
}
