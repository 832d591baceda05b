/* opencl_vec.c: the opencl backend's vector ops (backend.h: vec_alloc .. vec_amax) and its
 * element-wise maps (vec_map), on the device-side vectors [(d + 1) KW] of the solvers.
 *
 * Float vectors, double after refinement (then the precise program's kernels run them), and on
 * the one-pass paths a write of theta keeps the transposed copy wt current in the same launch.
 * The maps are compiled here at their first use, one program per map, and cached by name.
 * Apart because the solvers' vector arithmetic touches no data rows: it is the one part an
 * optimizer reaches without an evaluation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/ocl.h"
#include "backend/opencl_impl.h"
#include "util/util.h"

/* Bytes of one element of the backend's vectors: float, double after refinement. */
static size_t vec_size(const ocl_backend *ob) {
  return ob->precise ? sizeof(double) : sizeof(float);
}

/* The vector kernels' wt_d: writing theta on a one-pass path keeps the transposed copy current
 * in the same launch (not after refinement, whose evaluations do not read it). */
static cl_uint wt_cols(const ocl_backend *ob, int y) {
  int one_pass = ob->gemm == LR_PATH_FUSED || ob->gemm == LR_PATH_TILED;
  return y == LR_VEC_THETA && one_pass && !ob->precise ? (cl_uint)ob->base.d : 0;
}

/* Two-stage x.y over [0, n) (with take_max: max |x|) into sums[SUM_VEC], read back. */
static logreg_status vec_reduce(ocl_backend *ob, cl_mem x, cl_mem y, size_t n, int take_max,
                                double *out, logreg_error *err) {
  cl_uint un = (cl_uint)n, tm = (cl_uint)take_max, one = 1, slot = SUM_VEC;
  size_t groups = round_up(n ? n : 1, ob->wg) / ob->wg;
  cl_uint ug = (cl_uint)groups;
  cl_kernel k = ob->precise ? ob->pown.dot : ob->k_dot;
  CL_TRY(lr_ocl_set_args(k, 6, A(x), A(y), A(un), A(tm), A(ob->partials),
                         LOCAL(ob->wg * sizeof(double))),
         "clSetKernelArg(lr_dot_partial)");
  logreg_status st = lr_ocl_run1(ob, k, groups * ob->wg, ob->wg, "lr_dot_partial", err);
  if (st) return st;
  CL_TRY(lr_ocl_set_args(ob->k_reduce, 7, A(ob->partials), A(ug), A(one), A(tm), A(ob->sums),
                         A(slot), LOCAL(ob->wg * sizeof(ocl_sum))),
         "clSetKernelArg(lr_reduce)");
  if ((st = lr_ocl_run1(ob, ob->k_reduce, ob->wg, ob->wg, "lr_reduce", err))) return st;
  ocl_sum raw;
  CL_TRY(clEnqueueReadBuffer(ob->q, ob->sums, CL_TRUE, SUM_VEC * sizeof raw, sizeof raw, &raw, 0,
                             NULL, NULL),
         "clEnqueueReadBuffer(sums)");
  *out = ob->info.fp64 ? raw.d : (double)raw.f[0] + (double)raw.f[1];
  return LOGREG_OK;
}

/* ---- Element-wise maps (backend.h: lr_vec_map) ---- */

void lr_ocl_maps_release(ocl_backend *ob) {
  for (size_t i = 0; i < ob->nmaps; i++) {
    if (ob->maps[i].k) clReleaseKernel(ob->maps[i].k);
    if (ob->maps[i].prog) clReleaseProgram(ob->maps[i].prog);
    free(ob->maps[i].name);
  }
  free(ob->maps);
  ob->maps = NULL;
  ob->nmaps = 0;
}

/* The program text of map m: vec_map.cl (from the kernel folder or embedded, like logreg.cl),
 * then the map's kernel around its statements. NULL with *err set on failure. */
static char *map_source(const ocl_backend *ob, const lr_vec_map *m, logreg_error *err) {
  int owned;
  const char *frame = lr_ocl_kernel_source("vec_map.cl", ob->kernel_dir, &owned, err);
  if (!frame) return NULL;
  size_t cap =
      strlen(frame) + strlen(m->name) + strlen(m->cl) + 40 * (size_t)(m->nvec + m->nscalar) + 256;
  char *src = malloc(cap);
  if (!src) {
    if (owned) free((void *)frame);
    lr_fail(err, LOGREG_ENOMEM, "out of memory");
    return NULL;
  }
  size_t len = (size_t)snprintf(src, cap, "%s\n__kernel void %s(", frame, m->name);
  if (owned) free((void *)frame);
  for (int j = 0; j < m->nvec; j++)
    len += (size_t)snprintf(src + len, cap - len, "__global float *v%d, ", j);
  for (int j = 0; j < m->nscalar; j++)
    len += (size_t)snprintf(src + len, cap - len, "const float c%d, ", j);
  snprintf(src + len, cap - len,
           "const uint n,\n    __global float *Wt, const uint wt_d) {\n"
           "  const uint i = get_global_id(0);\n  if (i >= n) return;\n  {\n%s\n  }\n"
           "  keep_wt(Wt, wt_d, i, v0[i]);\n}\n",
           m->cl);
  return src;
}

/* The kernel of map m: the one made at its first use, or made now. */
static logreg_status map_kernel(ocl_backend *ob, const lr_vec_map *m, cl_kernel *out,
                                logreg_error *err) {
  for (size_t i = 0; i < ob->nmaps; i++)
    if (strcmp(ob->maps[i].name, m->name) == 0) {
      *out = ob->maps[i].k;
      return LOGREG_OK;
    }
  ocl_map *grown = realloc(ob->maps, (ob->nmaps + 1) * sizeof *grown);
  if (!grown) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  ob->maps = grown;
  ocl_map e = {NULL, NULL, NULL};
  char *src = map_source(ob, m, err);
  if (!src) return err ? err->status : LOGREG_EBACKEND;
  logreg_status st = lr_ocl_build(ob->ctx, ob->info.did, src, ob->bopts, &e.prog, NULL, err);
  free(src);
  cl_int rc = CL_SUCCESS;
  if (!st) e.k = clCreateKernel(e.prog, m->name, &rc);
  if (!st && rc != CL_SUCCESS)
    st = lr_fail(err, LOGREG_EBACKEND, "opencl: clCreateKernel(%s) failed: %s (%d)", m->name,
                 lr_ocl_error_name(rc), rc);
  if (!st && !(e.name = lr_strdup(m->name))) st = lr_fail(err, LOGREG_ENOMEM, "out of memory");
  if (st) {
    if (e.k) clReleaseKernel(e.k);
    if (e.prog) clReleaseProgram(e.prog);
    return st;
  }
  ob->maps[ob->nmaps++] = e;
  *out = e.k;
  return LOGREG_OK;
}

static cl_int map_args(const ocl_backend *ob, cl_kernel k, const lr_vec_map *m, const int *vecs,
                       const double *c, cl_uint n, cl_uint wt_d) {
  cl_int rc = CL_SUCCESS;
  cl_uint a = 0;
  for (int j = 0; j < m->nvec && rc == CL_SUCCESS; j++)
    rc = clSetKernelArg(k, a++, sizeof(cl_mem), &ob->vec[vecs[j]]);
  for (int j = 0; j < m->nscalar && rc == CL_SUCCESS; j++) {
    float f = (float)c[j]; /* rounded once, on the host, as the formula's double scalars */
    rc = clSetKernelArg(k, a++, sizeof f, &f);
  }
  if (rc == CL_SUCCESS) rc = clSetKernelArg(k, a++, sizeof n, &n);
  if (rc == CL_SUCCESS) rc = clSetKernelArg(k, a++, sizeof(cl_mem), &ob->wt);
  if (rc == CL_SUCCESS) rc = clSetKernelArg(k, a, sizeof wt_d, &wt_d);
  return rc;
}

logreg_status lr_ocl_vec_map(lr_backend *be, const lr_vec_map *m, const int *vecs, const double *c,
                             logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  if (ob->precise)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "opencl: no element-wise maps (%s) after refinement",
                   m->name);
  if (m->nvec < 1 || m->nvec > LR_MAP_MAX_VEC || m->nscalar < 0 || m->nscalar > LR_MAP_MAX_SCALAR)
    return lr_fail(err, LOGREG_EINVAL, "opencl backend: map %s takes %d vectors and %d scalars",
                   m->name, m->nvec, m->nscalar);
  for (int j = 0; j < m->nvec; j++) {
    if (vecs[j] < 0 || vecs[j] >= be->nvec)
      return lr_fail(err, LOGREG_EINVAL, "opencl backend: map %s: no vector %d", m->name, vecs[j]);
    /* Theta elsewhere than v0: the transposed weights are made again before they are read. */
    if (j > 0 && vecs[j] == LR_VEC_THETA) ob->wt_stale = 1;
  }
  cl_kernel k = NULL;
  logreg_status st = map_kernel(ob, m, &k, err);
  if (st) return st;
  char what[96];
  snprintf(what, sizeof what, "clSetKernelArg(%s)", m->name);
  CL_TRY(map_args(ob, k, m, vecs, c, (cl_uint)be->nparam, wt_cols(ob, vecs[0])), what);
  return lr_ocl_run1(ob, k, be->nparam, 0, m->name, err);
}

logreg_status lr_ocl_vec_alloc(lr_backend *be, int count, int *first, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  if (count < 0 || be->nvec + count > LR_VEC_MAX)
    return lr_fail(err, LOGREG_EINVAL, "opencl backend: more than %d vectors", LR_VEC_MAX);
  *first = be->nvec;
  float zero = 0.0f; /* all bits zero: a float or a double 0 */
  size_t bytes = be->nparam * vec_size(ob);
  static const char *const names[LR_VEC_FIXED] = {"parameters", "gradient sums", "gradient",
                                                  "optimizer state", "optimizer state"};
  for (int i = 0; i < count; i++) {
    cl_mem *v = &ob->vec[be->nvec];
    const char *what = be->nvec < LR_VEC_FIXED ? names[be->nvec] : "a solver vector";
    logreg_status st = lr_ocl_alloc(ob, v, bytes, what, err);
    if (st) return st;
    CL_TRY(clEnqueueFillBuffer(ob->q, *v, &zero, sizeof zero, 0, bytes, 0, NULL, NULL),
           "clEnqueueFillBuffer");
    be->nvec++;
  }
  return LOGREG_OK;
}

logreg_status lr_ocl_vec_read(lr_backend *be, int v, double *out, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  size_t n = be->nparam;
  if (ob->precise) {
    CL_TRY(clEnqueueReadBuffer(ob->q, ob->vec[v], CL_TRUE, 0, n * sizeof *out, out, 0, NULL, NULL),
           "clEnqueueReadBuffer(vector)");
    return LOGREG_OK;
  }
  float *tmp = malloc(n * sizeof *tmp);
  if (!tmp) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  cl_int rc = CL_CHECKED(ob, clEnqueueReadBuffer(ob->q, ob->vec[v], CL_TRUE, 0, n * sizeof(float),
                                                 tmp, 0, NULL, NULL));
  for (size_t i = 0; rc == CL_SUCCESS && i < n; i++) out[i] = tmp[i];
  free(tmp);
  if (rc != CL_SUCCESS) return lr_ocl_fail(err, "clEnqueueReadBuffer(vector)", rc);
  return LOGREG_OK;
}

logreg_status lr_ocl_vec_write(lr_backend *be, int v, const double *in, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  size_t n = be->nparam;
  if (ob->precise) {
    CL_TRY(clEnqueueWriteBuffer(ob->q, ob->vec[v], CL_TRUE, 0, n * sizeof *in, in, 0, NULL, NULL),
           "clEnqueueWriteBuffer(vector)");
    return LOGREG_OK;
  }
  float *tmp = malloc(n * sizeof *tmp);
  if (!tmp) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) tmp[i] = (float)in[i];
  cl_int rc = CL_CHECKED(ob, clEnqueueWriteBuffer(ob->q, ob->vec[v], CL_TRUE, 0, n * sizeof(float),
                                                  tmp, 0, NULL, NULL));
  free(tmp);
  if (rc != CL_SUCCESS) return lr_ocl_fail(err, "clEnqueueWriteBuffer(vector)", rc);
  if (v == LR_VEC_THETA) ob->wt_stale = 1;
  return LOGREG_OK;
}

logreg_status lr_ocl_vec_lincomb(lr_backend *be, int y, double a, int x, double b, int z,
                                 size_t zlen, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  cl_uint uz = (cl_uint)zlen, un = (cl_uint)be->nparam, wt_d = wt_cols(ob, y);
  if (ob->precise) {
    CL_TRY(lr_ocl_set_args(ob->pown.lincomb, 9, A(ob->vec[y]), A(a), A(ob->vec[x]), A(b),
                           A(ob->vec[z]), A(uz), A(un), A(ob->wt), A(wt_d)),
           "clSetKernelArg(lr_vec_lincomb)");
    return lr_ocl_run1(ob, ob->pown.lincomb, be->nparam, 0, "lr_vec_lincomb", err);
  }
  float fa = (float)a, fb = (float)b;
  CL_TRY(lr_ocl_set_args(ob->k_lincomb, 9, A(ob->vec[y]), A(fa), A(ob->vec[x]), A(fb),
                         A(ob->vec[z]), A(uz), A(un), A(ob->wt), A(wt_d)),
         "clSetKernelArg(lr_vec_lincomb)");
  return lr_ocl_run1(ob, ob->k_lincomb, be->nparam, 0, "lr_vec_lincomb", err);
}

logreg_status lr_ocl_vec_mul(lr_backend *be, int y, int x, int z, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  cl_uint un = (cl_uint)be->nparam, wt_d = wt_cols(ob, y);
  cl_kernel k = ob->precise ? ob->pown.mul : ob->k_mul;
  CL_TRY(
      lr_ocl_set_args(k, 6, A(ob->vec[y]), A(ob->vec[x]), A(ob->vec[z]), A(un), A(ob->wt), A(wt_d)),
      "clSetKernelArg(lr_vec_mul)");
  return lr_ocl_run1(ob, k, be->nparam, 0, "lr_vec_mul", err);
}

logreg_status lr_ocl_vec_dot(lr_backend *be, int x, int y, size_t len, double *out,
                             logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  return vec_reduce(ob, ob->vec[x], ob->vec[y], len, 0, out, err);
}

logreg_status lr_ocl_vec_amax(lr_backend *be, int x, double *out, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  return vec_reduce(ob, ob->vec[x], ob->vec[x], be->nparam, 1, out, err);
}
