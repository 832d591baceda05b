/* backend.c: what every backend shares beyond its ops (backend.h): the paths' names,
 * destroying a backend, setting a slot's rows, dense or sparse, from one description, and what
 * the host backends (cpu, reference) share: their rows and their vector ops. Backends
 * are created by the device module's table (device.c), so that no backend knows of another. */
#include "backend/backend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

const char *lr_path_name(lr_path path) {
  static const char *const names[LR_PATHS] = {
      [LR_PATH_AUTO] = "auto",   [LR_PATH_REFERENCE] = "cpu", [LR_PATH_TILED] = "tiled",
      [LR_PATH_FUSED] = "fused", [LR_PATH_OWN] = "own",       [LR_PATH_CLBLAST] = "clblast",
      [LR_PATH_CSR] = "csr"};
  return (unsigned)path < LR_PATHS ? names[path] : "unknown";
}

void lr_backend_threads(lr_backend *be, unsigned threads) {
  if (be && be->ops->set_threads) be->ops->set_threads(be, threads);
}

void lr_backend_destroy(lr_backend *be) {
  if (be) be->ops->destroy(be);
}

logreg_status lr_backend_set_rows(lr_backend *be, lr_slot slot, const lr_rows *r,
                                  logreg_error *err) {
  if (r->x) return be->ops->set_data(be, slot, r->x, r->y, r->s, r->n, err);
  if (!be->ops->set_data_csr)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "the %s backend has no sparse path", be->ops->name);
  return be->ops->set_data_csr(be, slot, r->indptr, r->indices, r->values, r->y, r->s, r->n, err);
}

/* ---- Host backends (cpu, reference): their rows, and vectors with the reference's loops ---- */

static lr_host_backend *host(lr_backend *be) { return (lr_host_backend *)be; }

static logreg_status host_oom(const lr_backend *be, const char *what, size_t count,
                              logreg_error *err) {
  return lr_fail(err, LOGREG_ENOMEM, "%s backend: out of memory for %zu %s", be->ops->name, count,
                 what);
}

static void free_slot(lr_host_backend *hb, lr_slot slot) {
  free(hb->x[slot]);
  free(hb->indptr[slot]);
  free(hb->indices[slot]);
  free(hb->values[slot]);
  free(hb->y[slot]);
  free(hb->s[slot]);
  hb->x[slot] = hb->values[slot] = hb->s[slot] = NULL;
  hb->indptr[slot] = NULL;
  hb->indices[slot] = hb->y[slot] = NULL;
  hb->base.n[slot] = 0;
}

/* The part of set_data and set_data_csr after the rows: labels, weights, order, cache. */
static logreg_status set_rest(lr_host_backend *hb, lr_slot slot, const int32_t *y, const float *s,
                              size_t n, logreg_error *err) {
  hb->y[slot] = malloc((n ? n : 1) * sizeof(int32_t));
  hb->s[slot] = malloc((n ? n : 1) * sizeof(float));
  if (!hb->y[slot] || !hb->s[slot]) return host_oom(&hb->base, "rows", n, err);
  memcpy(hb->y[slot], y, n * sizeof(int32_t));
  for (size_t i = 0; i < n; i++) hb->s[slot][i] = s ? s[i] : 1.0f;
  hb->base.n[slot] = n;
  if (slot == LR_SLOT_TRAIN) {
    free(hb->order);
    hb->order = NULL;
    free(hb->hv_cache); /* sized for the old rows */
    hb->hv_cache = NULL;
    hb->hv_fresh = 0;
  }
  return hb->rows_set ? hb->rows_set(hb, slot, err) : LOGREG_OK;
}

logreg_status lr_host_adopt_data(lr_backend *be, lr_slot slot, float *x, const int32_t *y,
                                 const float *s, size_t n, logreg_error *err) {
  lr_host_backend *hb = host(be);
  free_slot(hb, slot);
  hb->x[slot] = x;
  return set_rest(hb, slot, y, s, n, err);
}

logreg_status lr_host_set_data(lr_backend *be, lr_slot slot, const float *x, const int32_t *y,
                               const float *s, size_t n, logreg_error *err) {
  lr_host_backend *hb = host(be);
  size_t len = n * be->d;
  free_slot(hb, slot);
  if (!(hb->x[slot] = malloc((len ? len : 1) * sizeof(float)))) return host_oom(be, "rows", n, err);
  memcpy(hb->x[slot], x, len * sizeof(float));
  return set_rest(hb, slot, y, s, n, err);
}

logreg_status lr_host_set_data_csr(lr_backend *be, lr_slot slot, const int64_t *indptr,
                                   const int32_t *indices, const float *values, const int32_t *y,
                                   const float *s, size_t n, logreg_error *err) {
  lr_host_backend *hb = host(be);
  free_slot(hb, slot);
  size_t nnz = (size_t)indptr[n];
  hb->indptr[slot] = malloc((n + 1) * sizeof(int64_t));
  hb->indices[slot] = malloc((nnz ? nnz : 1) * sizeof(int32_t));
  hb->values[slot] = malloc((nnz ? nnz : 1) * sizeof(float));
  if (!hb->indptr[slot] || !hb->indices[slot] || !hb->values[slot])
    return host_oom(be, "nonzeros", nnz, err);
  memcpy(hb->indptr[slot], indptr, (n + 1) * sizeof(int64_t));
  memcpy(hb->indices[slot], indices, nnz * sizeof(int32_t));
  memcpy(hb->values[slot], values, nnz * sizeof(float));
  return set_rest(hb, slot, y, s, n, err);
}

logreg_status lr_host_set_order(lr_backend *be, const uint32_t *order, logreg_error *err) {
  lr_host_backend *hb = host(be);
  size_t n = be->n[LR_SLOT_TRAIN];
  if (!order) {
    free(hb->order);
    hb->order = NULL;
    return LOGREG_OK;
  }
  if (!hb->order && !(hb->order = malloc((n ? n : 1) * sizeof *hb->order)))
    return host_oom(be, "rows", n, err);
  memcpy(hb->order, order, n * sizeof *order);
  return LOGREG_OK;
}

void lr_host_set_threads(lr_backend *be, unsigned threads) { host(be)->threads = threads; }

/* Called before an op writes vector v. */
static void host_writes(lr_backend *be, int v) {
  lr_host_backend *hb = host(be);
  if (v != LR_VEC_THETA) return;
  hb->hv_fresh = 0;
  if (hb->theta_changed) hb->theta_changed(hb);
}

logreg_status lr_host_vec_alloc(lr_backend *be, int count, int *first, logreg_error *err) {
  lr_host_backend *hb = host(be);
  if (count < 0 || be->nvec + count > LR_VEC_MAX)
    return lr_fail(err, LOGREG_EINVAL, "%s backend: more than %d vectors", be->ops->name,
                   LR_VEC_MAX);
  *first = be->nvec;
  for (int i = 0; i < count; i++) {
    if (!(hb->vec[be->nvec] = calloc(be->nparam, sizeof(double))))
      return lr_fail(err, LOGREG_ENOMEM, "%s backend: out of memory for %zu weights", be->ops->name,
                     be->nparam);
    be->nvec++;
  }
  return LOGREG_OK;
}

logreg_status lr_host_vec_read(lr_backend *be, int v, double *out, logreg_error *err) {
  (void)err;
  memcpy(out, host(be)->vec[v], be->nparam * sizeof *out);
  return LOGREG_OK;
}

logreg_status lr_host_vec_write(lr_backend *be, int v, const double *in, logreg_error *err) {
  (void)err;
  host_writes(be, v);
  memcpy(host(be)->vec[v], in, be->nparam * sizeof *in);
  return LOGREG_OK;
}

logreg_status lr_host_vec_lincomb(lr_backend *be, int y, double a, int x, double b, int z,
                                  size_t zlen, logreg_error *err) {
  (void)err;
  host_writes(be, y);
  double *vy = host(be)->vec[y];
  const double *vx = host(be)->vec[x], *vz = host(be)->vec[z];
  for (size_t i = 0; i < be->nparam; i++) vy[i] = i < zlen ? a * vx[i] + b * vz[i] : a * vx[i];
  return LOGREG_OK;
}

logreg_status lr_host_vec_mul(lr_backend *be, int y, int x, int z, logreg_error *err) {
  (void)err;
  host_writes(be, y);
  double *vy = host(be)->vec[y];
  const double *vx = host(be)->vec[x], *vz = host(be)->vec[z];
  for (size_t i = 0; i < be->nparam; i++) vy[i] = vx[i] * vz[i];
  return LOGREG_OK;
}

logreg_status lr_host_vec_dot(lr_backend *be, int x, int y, size_t len, double *out,
                              logreg_error *err) {
  (void)err;
  const double *vx = host(be)->vec[x], *vy = host(be)->vec[y];
  double s = 0.0;
  for (size_t i = 0; i < len; i++) s += vx[i] * vy[i];
  *out = s;
  return LOGREG_OK;
}

logreg_status lr_host_vec_amax(lr_backend *be, int x, double *out, logreg_error *err) {
  (void)err;
  const double *vx = host(be)->vec[x];
  double m = 0.0;
  for (size_t i = 0; i < be->nparam; i++) m = fmax(m, fabs(vx[i]));
  *out = m;
  return LOGREG_OK;
}

logreg_status lr_host_vec_map(lr_backend *be, const lr_vec_map *m, const int *vecs, const double *c,
                              logreg_error *err) {
  if (m->nvec < 1 || m->nvec > LR_MAP_MAX_VEC || m->nscalar < 0 || m->nscalar > LR_MAP_MAX_SCALAR)
    return lr_fail(err, LOGREG_EINVAL, "%s backend: map %s takes %d vectors and %d scalars",
                   be->ops->name, m->name, m->nvec, m->nscalar);
  double *v[LR_MAP_MAX_VEC];
  for (int j = 0; j < m->nvec; j++) {
    if (vecs[j] < 0 || vecs[j] >= be->nvec)
      return lr_fail(err, LOGREG_EINVAL, "%s backend: map %s: no vector %d", be->ops->name, m->name,
                     vecs[j]);
    host_writes(be, vecs[j]);
    v[j] = host(be)->vec[vecs[j]];
  }
  m->cpu(v, c, be->nparam);
  return LOGREG_OK;
}

void lr_host_free(lr_host_backend *hb) {
  for (int slot = 0; slot < LR_SLOT_COUNT; slot++) free_slot(hb, (lr_slot)slot);
  free(hb->order);
  free(hb->hv_cache);
  hb->order = NULL;
  hb->hv_cache = NULL;
  for (int v = 0; v < LR_VEC_MAX; v++) {
    free(hb->vec[v]);
    hb->vec[v] = NULL;
  }
}
