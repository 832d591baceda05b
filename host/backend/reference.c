/* reference.c: the reference backend (`--device reference`) and the reference math it is built on.
 *
 * Plain loops, double accumulation, nothing clever: every device result is held against these
 * numbers, so they must be easy to check by eye. The math follows DESIGN.md §2 exactly.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "util/util.h"

double lr_softplus(double x) { return fmax(x, 0.0) + log1p(exp(-fabs(x))); }

double lr_softmax(const double *z, size_t k, double *p, double *zmax) {
  double m = z[0];
  for (size_t c = 1; c < k; c++) m = fmax(m, z[c]);
  double sum = 0.0;
  for (size_t c = 0; c < k; c++) sum += exp(z[c] - m);
  if (p)
    for (size_t c = 0; c < k; c++) p[c] = exp(z[c] - m) / sum;
  if (zmax) *zmax = m;
  /* Returned apart from the max so that a loss (m - z_y) + log(sum) keeps full precision
   * even when |z| is huge. */
  return log(sum);
}

double lr_sigmoid(double z, double *complement) {
  /* Without overflow: for z < 0, e^z / (1 + e^z); 1 - sigma(z) = sigma(-z) comes from the same
   * two quotients, so neither side cancels. */
  double e = exp(-fabs(z));
  double big = 1.0 / (1.0 + e), small = e / (1.0 + e);
  if (complement) *complement = z >= 0 ? small : big;
  return z >= 0 ? big : small;
}

double lr_binary_loss(double z, int y, double pos_weight, double *dz) {
  double sig = lr_sigmoid(z, NULL);
  if (y) {
    if (dz) *dz = pos_weight * (sig - 1.0);
    return pos_weight * lr_softplus(-z);
  }
  if (dz) *dz = sig;
  return lr_softplus(z);
}

/* One row's loss from its logits z (kw of them): returns l_i (pos_weight included), sets *lu
 * to the unweighted loss (pos_weight 1, what `loss` reports), *right to 1 when the row is
 * classified right (ties go to class 0, as argmax), and p[0..kw) to the residual s_i dl_i/dz. */
static double row_loss(const double *z, double *p, size_t k, int yi, double si, int binary,
                       double pos_weight, double *lu, double *right) {
  if (binary) {
    double dz, li = lr_binary_loss(z[0], yi, pos_weight, &dz);
    *lu = pos_weight == 1.0 ? li : lr_binary_loss(z[0], yi, 1.0, NULL);
    *right = ((z[0] > 0) == (yi == 1)) ? 1.0 : 0.0;
    p[0] = si * dz;
    return li;
  }
  double zmax, lsum = lr_softmax(z, k, p, &zmax);
  double li = (zmax - z[yi]) + lsum; /* logsumexp(z) - z_y */
  size_t best = 0;
  for (size_t c = 1; c < k; c++)
    if (z[c] > z[best]) best = c;
  *right = best == (size_t)yi ? 1.0 : 0.0;
  for (size_t c = 0; c < k; c++) p[c] = si * (p[c] - (c == (size_t)yi ? 1.0 : 0.0));
  *lu = li;
  return li;
}

/* One row of dense x (d values) or of csr: its nonzero count and where its columns and values
 * are. Dense rows walk every column (cols NULL: column e is e). */
typedef struct row_view {
  size_t len;
  const int32_t *cols; /* NULL: dense */
  const float *vals;
} row_view;

static row_view get_row(const float *x, const lr_csr *csr, size_t d, size_t r) {
  row_view v;
  if (csr) {
    size_t a = (size_t)csr->indptr[r];
    v.len = (size_t)csr->indptr[r + 1] - a;
    v.cols = csr->indices + a;
    v.vals = csr->values + a;
  } else {
    v.len = d;
    v.cols = NULL;
    v.vals = x + r * d;
  }
  return v;
}

static inline size_t row_col(const row_view *v, size_t e) {
  return v->cols ? (size_t)v->cols[e] : e;
}

/* z[0..kw) = b + W^T x for one row. */
static void row_logits(const row_view *xr, const double *w, const double *b, size_t kw, double *z) {
  for (size_t c = 0; c < kw; c++) z[c] = b[c];
  for (size_t e = 0; e < xr->len; e++) {
    double xj = xr->vals[e];
    const double *wj = w + row_col(xr, e) * kw;
    for (size_t c = 0; c < kw; c++) z[c] += xj * wj[c];
  }
}

/* out[j kw + c] += x_j r[c] (x_j^2 r[c] with sq) over the row's columns j in [lo, hi). */
static void scatter_row(const row_view *xr, const double *r, size_t kw, int sq, size_t lo,
                        size_t hi, double *out) {
  size_t e = xr->cols ? 0 : lo, end = xr->cols ? xr->len : hi;
  for (; e < end; e++) {
    size_t j = row_col(xr, e);
    if (j < lo) continue;
    if (j >= hi) break; /* sparse columns increase */
    double xj = xr->vals[e], xu = sq ? xj * xj : xj;
    double *o = out + j * kw;
    for (size_t c = 0; c < kw; c++) o[c] += xu * r[c];
  }
}

/* The sums of lr_reference_sums over dense x or csr (exactly one non-NULL). Adding a zero
 * product leaves a sum unchanged, so skipping absent entries gives the dense results. */
static int sums_rows(const float *x, const lr_csr *csr, const int32_t *y, const float *s,
                     const uint32_t *rows, size_t m, size_t d, size_t k, int binary,
                     double pos_weight, const double *w, const double *b, lr_sums *out, double *gw,
                     double *gb) {
  size_t kw = binary ? 1 : k;
  double *z = malloc(2 * k * sizeof *z); /* logits, then probabilities / residuals */
  if (!z) return -1;
  double *p = z + k;
  if (gw) memset(gw, 0, d * kw * sizeof *gw);
  if (gb) memset(gb, 0, kw * sizeof *gb);

  double s_sum = 0.0, wloss = 0.0, loss = 0.0, correct = 0.0;
  for (size_t i = 0; i < m; i++) {
    size_t r = rows ? rows[i] : i;
    row_view xr = get_row(x, csr, d, r);
    double si = s ? (double)s[r] : 1.0;
    int yi = y[r];
    row_logits(&xr, w, b, kw, z);
    double lu, right;
    double li = row_loss(z, p, k, yi, si, binary, pos_weight, &lu, &right);
    loss += lu;
    correct += right;
    wloss += si * li;
    s_sum += si;
    if (gw) scatter_row(&xr, p, kw, 0, 0, d, gw);
    if (gb)
      for (size_t c = 0; c < kw; c++) gb[c] += p[c];
  }
  out->wloss = wloss;
  out->loss = loss;
  out->correct = correct;
  out->s = s_sum;
  out->rows = (double)m;
  free(z);
  return 0;
}

int lr_reference_sums(const float *x, const int32_t *y, const float *s, const uint32_t *rows,
                      size_t m, size_t d, size_t k, int binary, double pos_weight, const double *w,
                      const double *b, lr_sums *out, double *gw, double *gb) {
  return sums_rows(x, NULL, y, s, rows, m, d, k, binary, pos_weight, w, b, out, gw, gb);
}

int lr_reference_sums_csr(const lr_csr *x, const int32_t *y, const float *s, const uint32_t *rows,
                          size_t m, size_t d, size_t k, int binary, double pos_weight,
                          const double *w, const double *b, lr_sums *out, double *gw, double *gb) {
  return sums_rows(NULL, x, y, s, rows, m, d, k, binary, pos_weight, w, b, out, gw, gb);
}

/* One row's r[0..kw) of lr_reference_hv at w, b along v (v NULL: for the diagonal of H, u = 1
 * and r_c = s p_c (1 - p_c); nw: where v's bias part starts). With row_cache (kw numbers: the
 * row's factor of u when binary, s c sigma (1 - sigma), else its probabilities), the cache is
 * written when `fill`, else read instead of computing the row's logits: the same numbers, so
 * the same bits either way. z, u, p: kw numbers of scratch each. */
static void hv_row(const row_view *xr, int yi, double si, size_t k, int binary, double pos_weight,
                   const double *w, const double *b, const double *v, size_t nw, double *row_cache,
                   int fill, double *z, double *u, double *p, double *r) {
  size_t kw = binary ? 1 : k;
  int logits = !row_cache || fill;
  for (size_t c = 0; c < kw; c++) u[c] = v ? v[nw + c] : 1.0;
  for (size_t e = 0; v && e < xr->len; e++) {
    double xj = xr->vals[e];
    size_t j = row_col(xr, e);
    for (size_t c = 0; c < kw; c++) u[c] += xj * v[j * kw + c];
  }
  if (logits) row_logits(xr, w, b, kw, z);
  if (binary) {
    /* sigma (1 - sigma) = e / (1 + e)^2 with e = exp(-|z|), the same for z and -z. */
    double t;
    if (logits) {
      double e = exp(-fabs(z[0])), ci = yi == 1 ? pos_weight : 1.0;
      t = si * ci * e / ((1.0 + e) * (1.0 + e));
      if (row_cache) row_cache[0] = t;
    } else {
      t = row_cache[0];
    }
    r[0] = t * u[0];
    return;
  }
  if (logits) lr_softmax(z, k, p, NULL);
  if (row_cache && fill) memcpy(row_cache, p, kw * sizeof *p);
  if (row_cache && !fill) memcpy(p, row_cache, kw * sizeof *p);
  double pu = 0.0;
  for (size_t c = 0; c < k; c++) pu += p[c] * u[c];
  for (size_t c = 0; c < k; c++) r[c] = si * p[c] * (v ? u[c] - pu : 1.0 - p[c]);
}

/* H v (or, with v NULL, the diagonal of H: x_j^2 in place of x_j u, see backend.h hdiag) over
 * rows[0..m), one row at a time (hv_row). With `cache` (m kw numbers), each row's factor is
 * kept there (hv_row's row_cache). */
static int hv_rows(const float *x, const lr_csr *csr, const int32_t *y, const float *s,
                   const uint32_t *rows, size_t m, size_t d, size_t k, int binary,
                   double pos_weight, const double *w, const double *b, const double *v, double *hv,
                   double *cache, int fill) {
  size_t kw = binary ? 1 : k, nw = d * kw;
  double *z = malloc(4 * kw * sizeof *z); /* logits z, u, probabilities p, r */
  if (!z) return -1;
  double *u = z + kw, *p = u + kw, *r = p + kw;
  memset(hv, 0, (nw + kw) * sizeof *hv);
  for (size_t i = 0; i < m; i++) {
    size_t row = rows ? rows[i] : i;
    row_view xr = get_row(x, csr, d, row);
    double si = s ? (double)s[row] : 1.0;
    hv_row(&xr, y[row], si, k, binary, pos_weight, w, b, v, nw, cache ? cache + i * kw : NULL, fill,
           z, u, p, r);
    scatter_row(&xr, r, kw, !v, 0, d, hv);
    for (size_t c = 0; c < kw; c++) hv[nw + c] += r[c];
  }
  free(z);
  return 0;
}

/* ---- Passes over the rows on several threads (the backend's; the reference above stays
 * one plain loop) ----
 * Two parts, each split over threads: first every row's logits, loss and residual r (rows in
 * contiguous ranges, each row's numbers to its own slots), then the scatter of x_i r_i^T into
 * the gradient or Hessian-vector sums (columns in contiguous ranges: every thread walks all the
 * rows in order and adds only its columns' terms). The scalar sums and the bias column are
 * added on the caller's thread in row order. Every sum thus adds the same terms in the same
 * order as the plain loop: the same bits at any thread count (test_sparse). */
typedef struct row_pass {
  const float *x;
  const lr_csr *csr;
  const int32_t *y;
  const float *s;
  const uint32_t *rows;
  size_t m, d, k, kw;
  int binary, hv; /* hv: Hessian-vector products along v (v NULL: the diagonal), else sums */
  double pos_weight;
  const double *w, *b, *v;
  double *cache; /* hv_rows' cache, or NULL */
  int fill;
  double *r;   /* m kw: every row's residual or Hessian factor */
  double *row; /* 3 m (sums): l_i, the unweighted loss, right */
  double *out; /* d kw: the gradient or Hessian-vector sums of W; NULL: none wanted */
  int fail[16];
} row_pass;

static void rows_part(void *ctx, unsigned t, unsigned nt) {
  row_pass *j = ctx;
  size_t k = j->k, kw = j->kw, lo = j->m * t / nt, hi = j->m * (t + 1) / nt;
  double *z = malloc(3 * k * sizeof *z);
  if (!z) {
    j->fail[t] = 1;
    return;
  }
  double *u = z + k, *p = u + k;
  for (size_t i = lo; i < hi; i++) {
    size_t r = j->rows ? j->rows[i] : i;
    row_view xr = get_row(j->x, j->csr, j->d, r);
    double si = j->s ? (double)j->s[r] : 1.0, *ri = j->r + i * kw;
    if (j->hv) {
      hv_row(&xr, j->y[r], si, k, j->binary, j->pos_weight, j->w, j->b, j->v, j->d * kw,
             j->cache ? j->cache + i * kw : NULL, j->fill, z, u, p, ri);
    } else {
      double *q = j->row + 3 * i;
      row_logits(&xr, j->w, j->b, kw, z);
      q[0] = row_loss(z, p, k, j->y[r], si, j->binary, j->pos_weight, &q[1], &q[2]);
      memcpy(ri, p, kw * sizeof *ri);
    }
  }
  free(z);
}

static void scatter_part(void *ctx, unsigned t, unsigned nt) {
  row_pass *j = ctx;
  size_t lo = j->d * t / nt, hi = j->d * (t + 1) / nt;
  for (size_t i = 0; i < j->m; i++) {
    row_view xr = get_row(j->x, j->csr, j->d, j->rows ? j->rows[i] : i);
    scatter_row(&xr, j->r + i * j->kw, j->kw, j->hv && !j->v, lo, hi, j->out);
  }
}

/* The pass of j (sums_rows or hv_rows) on nt threads; *sums (sums only) and gb (kw numbers:
 * the bias column's sums, when j->out is set) are filled. Returns -1 when out of memory. */
static int threaded_pass(row_pass *j, unsigned nt, lr_sums *sums, double *gb) {
  size_t m = j->m, kw = j->kw;
  j->r = malloc((m ? m : 1) * kw * sizeof *j->r);
  j->row = j->hv ? NULL : malloc((m ? m : 1) * 3 * sizeof *j->row);
  int bad = !j->r || (!j->hv && !j->row);
  memset(j->fail, 0, sizeof j->fail);
  if (!bad) lr_parallel(nt, rows_part, j);
  for (unsigned t = 0; t < nt && t < 16; t++) bad |= j->fail[t];
  if (!bad && j->out) {
    memset(j->out, 0, j->d * kw * sizeof *j->out);
    lr_parallel(nt, scatter_part, j);
    for (size_t c = 0; c < kw; c++) gb[c] = 0.0;
    for (size_t i = 0; i < m; i++)
      for (size_t c = 0; c < kw; c++) gb[c] += j->r[i * kw + c];
  }
  if (!bad && !j->hv) {
    double s_sum = 0.0, wloss = 0.0, loss = 0.0, correct = 0.0;
    for (size_t i = 0; i < m; i++) {
      size_t r = j->rows ? j->rows[i] : i;
      double si = j->s ? (double)j->s[r] : 1.0;
      loss += j->row[3 * i + 1];
      correct += j->row[3 * i + 2];
      wloss += si * j->row[3 * i];
      s_sum += si;
    }
    *sums = (lr_sums){wloss, loss, correct, s_sum, (double)m};
  }
  free(j->r);
  free(j->row);
  j->r = j->row = NULL;
  return bad ? -1 : 0;
}

int lr_reference_hv(const float *x, const int32_t *y, const float *s, const uint32_t *rows,
                    size_t m, size_t d, size_t k, int binary, double pos_weight, const double *w,
                    const double *b, const double *v, double *hv) {
  return hv_rows(x, NULL, y, s, rows, m, d, k, binary, pos_weight, w, b, v, hv, NULL, 0);
}

int lr_reference_hdiag(const float *x, const int32_t *y, const float *s, const uint32_t *rows,
                       size_t m, size_t d, size_t k, int binary, double pos_weight, const double *w,
                       const double *b, double *diag) {
  return hv_rows(x, NULL, y, s, rows, m, d, k, binary, pos_weight, w, b, NULL, diag, NULL, 0);
}

int lr_reference_hv_csr(const lr_csr *x, const int32_t *y, const float *s, const uint32_t *rows,
                        size_t m, size_t d, size_t k, int binary, double pos_weight,
                        const double *w, const double *b, const double *v, double *hv) {
  return hv_rows(NULL, x, y, s, rows, m, d, k, binary, pos_weight, w, b, v, hv, NULL, 0);
}

/* ---- The backend ---- */

/* The rows, vectors, Hessian factors (hv_rows' cache) and threads are h's (backend.h). */
typedef struct ref_backend {
  lr_host_backend h; /* h.base first */
  uint32_t *rows;    /* scratch: the row indices of one evaluation */
} ref_backend;

/* After a slot's rows are set: the scratch for the larger slot's row indices. */
static logreg_status rows_set(lr_host_backend *hb, lr_slot slot, logreg_error *err) {
  (void)slot;
  ref_backend *cb = (ref_backend *)hb;
  const size_t *n = hb->base.n;
  size_t nmax = n[0] > n[1] ? n[0] : n[1];
  uint32_t *rows = realloc(cb->rows, (nmax ? nmax : 1) * sizeof *rows);
  if (!rows) return lr_fail(err, LOGREG_ENOMEM, "reference backend: out of memory");
  cb->rows = rows;
  return LOGREG_OK;
}

/* Threads for a pass over `count` rows of `slot`: cb->h.threads when set, else by the values the
 * pass touches (a row pass costs several times what a scaler's does per value: more than one
 * thread from about 2^17 values on, where starting threads costs less than it saves). */
static unsigned pass_threads(const ref_backend *cb, lr_slot slot, size_t count) {
  const lr_backend *be = &cb->h.base;
  size_t n = be->n[slot];
  size_t per = cb->h.x[slot] ? be->d : n ? (size_t)cb->h.indptr[slot][n] / n : 0;
  return lr_threads_for(count * (per + 1) * be->kw * 8, cb->h.threads);
}

/* Raw sums at th (and the gradient sums into gs, when not NULL: d kw for W, then kw for b) over
 * the rows rows[0..count) of `slot`, on pass_threads' threads. Returns -1 when out of
 * memory. */
static int pass_sums(const ref_backend *cb, lr_slot slot, const uint32_t *rows, size_t count,
                     const double *th, lr_sums *out, double *gs) {
  const lr_backend *be = &cb->h.base;
  size_t nwz = be->d * be->kw;
  lr_csr csr = {cb->h.indptr[slot], cb->h.indices[slot], cb->h.values[slot]};
  unsigned nt = pass_threads(cb, slot, count);
  if (nt > 1) {
    row_pass j = {cb->h.x[slot],
                  cb->h.x[slot] ? NULL : &csr,
                  cb->h.y[slot],
                  cb->h.s[slot],
                  rows,
                  count,
                  be->d,
                  be->k,
                  be->kw,
                  be->binary,
                  0,
                  be->pos_weight,
                  th,
                  th + nwz,
                  NULL,
                  NULL,
                  0,
                  NULL,
                  NULL,
                  gs,
                  {0}};
    return threaded_pass(&j, nt, out, gs ? gs + nwz : NULL);
  }
  return sums_rows(cb->h.x[slot], cb->h.x[slot] ? NULL : &csr, cb->h.y[slot], cb->h.s[slot], rows,
                   count, be->d, be->k, be->binary, be->pos_weight, th, th + nwz, out, gs,
                   gs ? gs + nwz : NULL);
}

static logreg_status ref_sums(lr_backend *be, lr_slot slot, size_t begin, size_t count, int want,
                              lr_sums *out, logreg_error *err) {
  ref_backend *cb = (ref_backend *)be;
  if (begin > be->n[slot] || count > be->n[slot] - begin)
    return lr_fail(err, LOGREG_EINVAL, "reference backend: rows %zu..%zu outside %zu rows", begin,
                   begin + count, be->n[slot]);
  const uint32_t *order = slot == LR_SLOT_TRAIN ? cb->h.order : NULL;
  for (size_t i = 0; i < count; i++) cb->rows[i] = order ? order[begin + i] : (uint32_t)(begin + i);
  lr_sums tmp;
  int grad = (want & LR_WANT_GRAD) != 0;
  if (pass_sums(cb, slot, cb->rows, count, cb->h.vec[LR_VEC_THETA], out ? out : &tmp,
                grad ? cb->h.vec[LR_VEC_GSUM] : NULL) != 0)
    return lr_fail(err, LOGREG_ENOMEM, "reference backend: out of memory");
  return LOGREG_OK;
}

/* H v over the train slot (v < 0: the diagonal), through the rows' cached factors. */
static logreg_status hv_train(ref_backend *cb, int v, int out, logreg_error *err) {
  lr_backend *be = &cb->h.base;
  size_t nwz = be->d * be->kw;
  const double *th = cb->h.vec[LR_VEC_THETA];
  lr_slot t = LR_SLOT_TRAIN;
  lr_csr csr = {cb->h.indptr[t], cb->h.indices[t], cb->h.values[t]};
  if (!cb->h.hv_cache) {
    size_t len = be->n[t] * be->kw;
    if (!(cb->h.hv_cache = malloc((len ? len : 1) * sizeof *cb->h.hv_cache)))
      return lr_fail(err, LOGREG_ENOMEM, "reference backend: out of memory");
  }
  unsigned nt = pass_threads(cb, t, be->n[t]);
  int rc;
  if (nt > 1) {
    row_pass j = {cb->h.x[t],
                  cb->h.x[t] ? NULL : &csr,
                  cb->h.y[t],
                  cb->h.s[t],
                  NULL,
                  be->n[t],
                  be->d,
                  be->k,
                  be->kw,
                  be->binary,
                  1,
                  be->pos_weight,
                  th,
                  th + nwz,
                  v >= 0 ? cb->h.vec[v] : NULL,
                  cb->h.hv_cache,
                  !cb->h.hv_fresh,
                  NULL,
                  NULL,
                  cb->h.vec[out],
                  {0}};
    rc = threaded_pass(&j, nt, NULL, cb->h.vec[out] + nwz);
  } else {
    rc = hv_rows(cb->h.x[t], cb->h.x[t] ? NULL : &csr, cb->h.y[t], cb->h.s[t], NULL, be->n[t],
                 be->d, be->k, be->binary, be->pos_weight, th, th + nwz,
                 v >= 0 ? cb->h.vec[v] : NULL, cb->h.vec[out], cb->h.hv_cache, !cb->h.hv_fresh);
  }
  if (rc != 0) return lr_fail(err, LOGREG_ENOMEM, "reference backend: out of memory");
  cb->h.hv_fresh = 1;
  return LOGREG_OK;
}

static logreg_status ref_hv(lr_backend *be, int v, int out, logreg_error *err) {
  return hv_train((ref_backend *)be, v, out, err);
}

static logreg_status ref_hdiag(lr_backend *be, int out, logreg_error *err) {
  return hv_train((ref_backend *)be, -1, out, err);
}

/* ---- Cross-validation grids: every model of the grid in one pass over the rows ---- */

/* Rows are cut into GRID_BLOCKS fixed blocks whatever the thread count; each block sums into
 * its own buffers and the blocks are added in order, so the sums are the same bits at any
 * thread count. */
#define GRID_BLOCKS 8

typedef struct grid_job {
  const ref_backend *cb;
  const int32_t *fold, *held;
  size_t m, nblk;
  const double *theta;
  lr_sums *train, *val; /* nblk x m */
  double *gsum;         /* nblk x m x nparam */
  double *scratch;      /* nt x m x 2k */
} grid_job;

static void grid_block(grid_job *job, size_t blk, double *zp) {
  const lr_backend *be = &job->cb->h.base;
  size_t n = be->n[LR_SLOT_TRAIN], d = be->d, k = be->k, kw = be->kw, np = be->nparam;
  size_t nwz = d * kw, m = job->m;
  const float *x = job->cb->h.x[LR_SLOT_TRAIN];
  const int32_t *y = job->cb->h.y[LR_SLOT_TRAIN];
  const float *s = job->cb->h.s[LR_SLOT_TRAIN];
  lr_sums *tr = job->train + blk * m, *va = job->val + blk * m;
  double *gs = job->gsum + blk * m * np;
  memset(tr, 0, m * sizeof *tr);
  memset(va, 0, m * sizeof *va);
  memset(gs, 0, m * np * sizeof *gs);
  for (size_t i = n * blk / job->nblk; i < n * (blk + 1) / job->nblk; i++) {
    const float *xr = x + i * d;
    double si = (double)s[i];
    int yi = y[i];
    for (size_t j = 0; j < m; j++) {
      const double *w = job->theta + j * np;
      double *z = zp + j * 2 * k, *p = z + k;
      for (size_t c = 0; c < kw; c++) z[c] = w[nwz + c];
      for (size_t f = 0; f < d; f++) {
        double xf = xr[f];
        const double *wf = w + f * kw;
        for (size_t c = 0; c < kw; c++) z[c] += xf * wf[c];
      }
      int held = job->fold[i] == job->held[j];
      lr_sums *o = held ? &va[j] : &tr[j];
      double lu, right;
      double li = row_loss(z, p, k, yi, si, be->binary, be->pos_weight, &lu, &right);
      o->wloss += si * li;
      o->loss += lu;
      o->correct += right;
      o->s += si;
      o->rows += 1.0;
      if (held) continue;
      double *g = gs + j * np;
      for (size_t f = 0; f < d; f++) {
        double xf = xr[f];
        double *gf = g + f * kw;
        for (size_t c = 0; c < kw; c++) gf[c] += xf * p[c];
      }
      for (size_t c = 0; c < kw; c++) g[nwz + c] += p[c];
    }
  }
}

static void grid_part(void *ctx, unsigned t, unsigned nt) {
  grid_job *job = ctx;
  double *zp = job->scratch + (size_t)t * job->m * 2 * job->cb->h.base.k;
  for (size_t blk = t; blk < job->nblk; blk += nt) grid_block(job, blk, zp);
}

/* The grid of CSR rows: model by model, its training rows (fold != held) and then its held-out
 * rows, each a pass of pass_sums in row order. The dense grid's per-block buffers (GRID_BLOCKS
 * x m gradients) would be too large for the feature counts of sparse data; sparse passes are
 * cheap enough to take one per model. */
static logreg_status csr_grid_sums(ref_backend *cb, const int32_t *fold, size_t m,
                                   const int32_t *held, const double *theta, lr_sums *train,
                                   lr_sums *val, double *gsum, logreg_error *err) {
  const lr_backend *be = &cb->h.base;
  size_t n = be->n[LR_SLOT_TRAIN], np = be->nparam;
  uint32_t *in = malloc((n ? n : 1) * sizeof *in), *out = malloc((n ? n : 1) * sizeof *out);
  int rc = !in || !out;
  for (size_t j = 0; j < m && !rc; j++) {
    size_t ni = 0, no = 0;
    for (size_t i = 0; i < n; i++) {
      if (fold[i] == held[j])
        out[no++] = (uint32_t)i;
      else
        in[ni++] = (uint32_t)i;
    }
    const double *th = theta + j * np;
    rc = pass_sums(cb, LR_SLOT_TRAIN, in, ni, th, &train[j], gsum + j * np) ||
         pass_sums(cb, LR_SLOT_TRAIN, out, no, th, &val[j], NULL);
  }
  free(in);
  free(out);
  if (rc)
    return lr_fail(err, LOGREG_ENOMEM, "reference backend: out of memory for a grid of %zu models",
                   m);
  return LOGREG_OK;
}

static logreg_status ref_grid_sums(lr_backend *be, const int32_t *fold, size_t m,
                                   const int32_t *held, const double *theta, lr_sums *train,
                                   lr_sums *val, double *gsum, logreg_error *err) {
  ref_backend *cb = (ref_backend *)be;
  if (!cb->h.x[LR_SLOT_TRAIN])
    return csr_grid_sums(cb, fold, m, held, theta, train, val, gsum, err);
  size_t n = be->n[LR_SLOT_TRAIN], np = be->nparam;
  size_t nblk = n < GRID_BLOCKS ? (n ? n : 1) : GRID_BLOCKS;
  unsigned nt = lr_threads_for(n * be->d * m * be->kw, 0);
  if (nt > nblk) nt = (unsigned)nblk;
  grid_job job = {cb, fold, held, m, nblk, theta, NULL, NULL, NULL, NULL};
  job.train = malloc(2 * nblk * m * sizeof *job.train);
  job.gsum = malloc(nblk * m * np * sizeof *job.gsum);
  job.scratch = malloc(nt * m * 2 * be->k * sizeof *job.scratch);
  if (!job.train || !job.gsum || !job.scratch) {
    free(job.train);
    free(job.gsum);
    free(job.scratch);
    return lr_fail(err, LOGREG_ENOMEM, "reference backend: out of memory for a grid of %zu models",
                   m);
  }
  job.val = job.train + nblk * m;
  lr_parallel(nt, grid_part, &job);
  memset(train, 0, m * sizeof *train);
  memset(val, 0, m * sizeof *val);
  memset(gsum, 0, m * np * sizeof *gsum);
  for (size_t b = 0; b < nblk; b++) {
    for (size_t j = 0; j < m; j++) {
      const lr_sums *t = &job.train[b * m + j], *v = &job.val[b * m + j];
      train[j].wloss += t->wloss, train[j].loss += t->loss, train[j].correct += t->correct;
      train[j].s += t->s, train[j].rows += t->rows;
      val[j].wloss += v->wloss, val[j].loss += v->loss, val[j].correct += v->correct;
      val[j].s += v->s, val[j].rows += v->rows;
    }
    const double *g = job.gsum + b * m * np;
    for (size_t q = 0; q < m * np; q++) gsum[q] += g[q];
  }
  free(job.train);
  free(job.gsum);
  free(job.scratch);
  return LOGREG_OK;
}

static void ref_destroy(lr_backend *be) {
  ref_backend *cb = (ref_backend *)be;
  if (!cb) return;
  free(cb->rows);
  lr_host_free(&cb->h);
  free(cb);
}

static const lr_backend_ops ref_ops = {
    .name = "reference",
    .sums = ref_sums,
    .hv = ref_hv,
    .hdiag = ref_hdiag,
    .grid_sums = ref_grid_sums,
    LR_HOST_OPS,
    .destroy = ref_destroy,
};

logreg_status lr_reference_backend_create(size_t d, size_t k, int binary, double pos_weight,
                                          lr_backend **out, logreg_error *err) {
  ref_backend *cb = calloc(1, sizeof *cb);
  if (!cb) return lr_fail(err, LOGREG_ENOMEM, "reference backend: out of memory");
  size_t kw = binary ? 1 : k;
  cb->h.base.ops = &ref_ops;
  cb->h.rows_set = rows_set;
  cb->h.base.kind = LOGREG_BACKEND_REFERENCE;
  cb->h.base.path_id = LR_PATH_REFERENCE;
  cb->h.base.d = d;
  cb->h.base.k = k;
  cb->h.base.kw = kw;
  cb->h.base.nparam = (d + 1) * kw;
  cb->h.base.binary = binary;
  cb->h.base.pos_weight = pos_weight;
  snprintf(cb->h.base.device, sizeof cb->h.base.device,
           "reference (plain C loops, double accumulation)");
  int first;
  logreg_status st = lr_host_vec_alloc(&cb->h.base, LR_VEC_FIXED, &first, err);
  if (st) {
    ref_destroy(&cb->h.base);
    return st;
  }
  *out = &cb->h.base;
  return LOGREG_OK;
}
