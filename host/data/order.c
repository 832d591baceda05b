/* order.c: the canonical order of a caller's rows (order.h): each row's key from a fixed random
 * projection of its stored values, a radix sort of the keys, and rows with equal keys sorted by
 * their bits. A float32 device sums over the rows in their order, so a fit is independent of the
 * row order only when the rows reach it in an order of their own. Made here, it costs one pass
 * over X and a sort of n keys, and the copy that rounds X to float32 gathers the rows on the way
 * (the Python package made it with numpy before: a projection, an argsort and a gathered float64
 * copy of X; bench/RESULTS.md, "GridSearchCV over the Python estimator"). */
#include "data/order.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Fixed, so that the order is the same in every process and release. */
#define ORDER_SEED 20261126u

void lr_order_projection(size_t d, double *r) {
  lr_rng rng;
  lr_rng_seed(&rng, ORDER_SEED);
  for (size_t j = 0; j < 2 * d + 2; j++) r[j] = 2.0 * lr_rng_uniform(&rng) - 1.0;
}

/* Feature j's term of the key. */
static double key_term(const double *r, size_t d, const float *f, size_t j) {
  return isnan(f[j]) ? r[d + j] : r[j] * (double)f[j];
}

double lr_order_key(const double *r, size_t d, const float *f, int32_t y, float w) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0; /* four chains: the adds overlap */
  size_t j = 0;
  for (; j + 4 <= d; j += 4) {
    s0 += key_term(r, d, f, j);
    s1 += key_term(r, d, f, j + 1);
    s2 += key_term(r, d, f, j + 2);
    s3 += key_term(r, d, f, j + 3);
  }
  if (j < d) s0 += key_term(r, d, f, j++);
  if (j < d) s1 += key_term(r, d, f, j++);
  if (j < d) s2 += key_term(r, d, f, j);
  return ((s0 + s1) + (s2 + s3)) + r[2 * d] * (double)y + r[2 * d + 1] * (double)w;
}

/* The rows as the dataset will store them. */
typedef struct rows {
  size_t n, d, stride;
  const void *x;
  logreg_dtype type;
  const int32_t *y;
  const double *w;
} rows;

/* Row i's features as float32 (the caller's row itself when it is float32, else tmp); *bad is
 * set when one is infinite or beyond float32's range (converting it would be undefined). */
static const float *stored_row(const rows *rs, size_t i, float *tmp, int *bad) {
  if (rs->type == LOGREG_FLOAT32) {
    const float *f = (const float *)rs->x + i * rs->stride;
    for (size_t j = 0; j < rs->d; j++) *bad |= isinf(f[j]);
    return f;
  }
  const double *v = (const double *)rs->x + i * rs->stride;
  for (size_t j = 0; j < rs->d; j++) {
    int ok = isnan(v[j]) || fabs(v[j]) <= FLT_MAX;
    *bad |= !ok;
    tmp[j] = ok ? (float)v[j] : 0.0f;
  }
  return tmp;
}

/* Row i's weight as stored (float32, -0 read as 0); 1 without weights. A weight outside
 * float32's range reads as 0 here: the caller rejects it. */
static float stored_weight(const rows *rs, size_t i) {
  if (!rs->w) return 1.0f;
  double v = rs->w[i];
  return fabs(v) <= FLT_MAX && v != 0 ? (float)v : 0.0f;
}

static int32_t stored_label(const rows *rs, size_t i) { return rs->y ? rs->y[i] : 0; }

/* ---- The keys ---- */

/* A key and the row it belongs to. */
typedef struct keyed {
  uint64_t key;
  size_t row;
} keyed;

/* A double's bits as an unsigned key with the same order (negative values flipped whole,
 * positive ones with the sign bit set). Keys are finite: a missing value has its own term. */
static uint64_t double_key(double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  return (u >> 63) ? ~u : (u | ((uint64_t)1 << 63));
}

typedef struct key_job {
  const rows *rs;
  const double *r;
  float *tmp; /* d floats per thread */
  keyed *out;
  int bad[16];
} key_job;

static void keys_part(void *ctx, unsigned t, unsigned nt) {
  key_job *job = ctx;
  const rows *rs = job->rs;
  float *tmp = job->tmp + (size_t)t * rs->d;
  int bad = 0;
  for (size_t i = rs->n * t / nt; i < rs->n * (t + 1) / nt; i++) {
    const float *f = stored_row(rs, i, tmp, &bad);
    double k = lr_order_key(job->r, rs->d, f, stored_label(rs, i), stored_weight(rs, i));
    job->out[i] = (keyed){double_key(k), i};
  }
  job->bad[t] = bad;
}

/* ---- The sort ---- */

#define DIGIT_BITS 11
#define DIGITS 6 /* 6 x 11 bits cover the 64 of a key */
#define BINS (1u << DIGIT_BITS)

/* Sorts a[0..n) by key, least significant digit first (stable); tmp holds n entries. The sorted
 * entries end up in a. A digit that every key shares costs no pass. */
static void radix_sort(keyed *a, keyed *tmp, size_t n, size_t *count) {
  memset(count, 0, DIGITS * BINS * sizeof *count);
  for (size_t i = 0; i < n; i++)
    for (unsigned p = 0; p < DIGITS; p++)
      count[p * BINS + ((a[i].key >> (p * DIGIT_BITS)) & (BINS - 1))]++;
  keyed *src = a, *dst = tmp;
  for (unsigned p = 0; p < DIGITS; p++) {
    size_t *c = count + p * BINS, sum = 0;
    unsigned sh = p * DIGIT_BITS;
    if (c[(src[0].key >> sh) & (BINS - 1)] == n) continue;
    for (unsigned b = 0; b < BINS; b++) {
      size_t m = c[b];
      c[b] = sum;
      sum += m;
    }
    for (size_t i = 0; i < n; i++) dst[c[(src[i].key >> sh) & (BINS - 1)]++] = src[i];
    keyed *s = src;
    src = dst;
    dst = s;
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
}

/* Two rows by their stored bits: features, then label, then weight. */
typedef struct row_cmp {
  const rows *rs;
  float *ta, *tb; /* d floats each */
} row_cmp;

static int compare_rows(const row_cmp *c, size_t a, size_t b) {
  int bad = 0;
  const float *fa = stored_row(c->rs, a, c->ta, &bad), *fb = stored_row(c->rs, b, c->tb, &bad);
  for (size_t j = 0; j < c->rs->d; j++) {
    uint32_t ua, ub;
    memcpy(&ua, &fa[j], sizeof ua);
    memcpy(&ub, &fb[j], sizeof ub);
    if (ua != ub) return ua < ub ? -1 : 1;
  }
  int32_t ya = stored_label(c->rs, a), yb = stored_label(c->rs, b);
  if (ya != yb) return ya < yb ? -1 : 1;
  float wa = stored_weight(c->rs, a), wb = stored_weight(c->rs, b);
  uint32_t ua, ub;
  memcpy(&ua, &wa, sizeof ua);
  memcpy(&ub, &wb, sizeof ub);
  return ua < ub ? -1 : ua > ub;
}

/* Merge sort of a[0..n) by compare_rows (tmp: n entries): runs of equal keys only, which are
 * rare and short unless rows repeat (and repeated rows are caught before: settle_ties). */
static void merge_sort(const row_cmp *c, keyed *a, keyed *tmp, size_t n) {
  if (n < 2) return;
  size_t h = n / 2;
  merge_sort(c, a, tmp, h);
  merge_sort(c, a + h, tmp, n - h);
  size_t i = 0, j = h, o = 0;
  while (i < h && j < n) tmp[o++] = compare_rows(c, a[j].row, a[i].row) < 0 ? a[j++] : a[i++];
  while (i < h) tmp[o++] = a[i++];
  while (j < n) tmp[o++] = a[j++];
  memcpy(a, tmp, n * sizeof *a);
}

/* Each run of equal keys in the sorted a[0..n): left as it is when its rows are all equal as
 * stored (repeated rows: their order does not matter), else sorted by their bits. */
static void settle_ties(const row_cmp *c, keyed *a, keyed *tmp, size_t n) {
  for (size_t s = 0, e; s < n; s = e) {
    for (e = s + 1; e < n && a[e].key == a[s].key;) e++;
    size_t k = s + 1;
    while (k < e && compare_rows(c, a[s].row, a[k].row) == 0) k++;
    if (k < e) merge_sort(c, a + s, tmp, e - s);
  }
}

/* lr_buffer_order with its buffers: r (2 d + 2), tmp ((nt + 2) d floats), a and b (n each),
 * count (DIGITS x BINS). */
static int order_rows(const rows *rs, unsigned nt, double *r, float *tmp, keyed *a, keyed *b,
                      size_t *count, size_t *order) {
  size_t n = rs->n, d = rs->d;
  lr_order_projection(d, r);
  key_job job = {.rs = rs, .r = r, .tmp = tmp, .out = a};
  lr_parallel(nt, keys_part, &job);
  for (unsigned t = 0; t < nt; t++)
    if (job.bad[t]) return 1;
  radix_sort(a, b, n, count);
  const row_cmp c = {rs, tmp + (size_t)nt * d, tmp + ((size_t)nt + 1) * d};
  settle_ties(&c, a, b, n);
  for (size_t i = 0; i < n; i++) order[i] = a[i].row;
  return 0;
}

int lr_buffer_order(size_t n, size_t d, const void *x, logreg_dtype type, size_t stride,
                    const int32_t *y, const double *w, unsigned threads, size_t *order) {
  if (n == 0) return 0;
  unsigned nt = lr_threads_for(n * d, threads);
  if (nt > n) nt = (unsigned)n;
  const rows rs = {n, d, stride, x, type, y, w};
  double *r = malloc((2 * d + 2) * sizeof *r);
  float *tmp = malloc(((size_t)nt + 2) * d * sizeof *tmp);
  keyed *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
  size_t *count = malloc(DIGITS * BINS * sizeof *count);
  int rc = r && tmp && a && b && count ? order_rows(&rs, nt, r, tmp, a, b, count, order) : -1;
  free(r);
  free(tmp);
  free(a);
  free(b);
  free(count);
  return rc;
}
