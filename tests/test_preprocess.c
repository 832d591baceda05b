/* test_preprocess.c: stratified split counts, imputation medians, and the scaler (training
 * statistics only, population std, zero-variance columns), checked against hand-worked
 * numbers; logreg_dataset_split_take's parts against logreg_dataset_split's, bit for bit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/dataset.h"
#include "model/model.h"
#include "prep/preprocess.h"
#include "util/util.h"

static size_t count_class(const logreg_dataset *ds, int32_t c) {
  size_t n = 0;
  for (size_t i = 0; ds && i < ds->n; i++) n += ds->y[i] == c;
  return n;
}

static void test_split(void) {
  /* 100 rows: class 0 x 60, class 1 x 30, class 2 x 10; feature 0 is the row id. */
  enum { N = 100 };
  float x[N];
  int32_t y[N];
  for (int i = 0; i < N; i++) {
    x[i] = (float)i;
    y[i] = i < 60 ? 0 : i < 90 ? 1 : 2;
  }
  logreg_dataset *ds = NULL, *tr, *va, *te;
  logreg_error err;
  CHECK(logreg_dataset_from_arrays(N, 1, x, y, 3, NULL, NULL, &ds, &err) == LOGREG_OK);
  CHECK(logreg_dataset_split(ds, 0.7, 0.15, 0.15, 1, &tr, &va, &te, &err) == LOGREG_OK);
  /* Per class: train = round(n_c 0.7), val = round(n_c 0.85) - train, test = the rest:
   * 60 -> 42/9/9, 30 -> 21/5/4 (25.5 rounds up), 10 -> 7/2/1 (8.5 rounds up). */
  CHECK(count_class(tr, 0) == 42 && count_class(va, 0) == 9 && count_class(te, 0) == 9);
  CHECK(count_class(tr, 1) == 21 && count_class(va, 1) == 5 && count_class(te, 1) == 4);
  CHECK(count_class(tr, 2) == 7 && count_class(va, 2) == 2 && count_class(te, 2) == 1);
  /* Every row lands in exactly one part, with its own label, in file order. */
  int seen[N] = {0};
  const logreg_dataset *parts[3] = {tr, va, te};
  for (int p = 0; p < 3; p++) {
    for (size_t i = 0; i < parts[p]->n; i++) {
      int id = (int)parts[p]->x[i];
      seen[id]++;
      CHECK(parts[p]->y[i] == y[id]);
      if (i) CHECK(parts[p]->x[i] > parts[p]->x[i - 1]);
    }
  }
  for (int i = 0; i < N; i++) CHECK(seen[i] == 1);
  /* Same seed: same parts; another seed: another training set. */
  logreg_dataset *tr2, *va2, *te2;
  CHECK(logreg_dataset_split(ds, 0.7, 0.15, 0.15, 1, &tr2, &va2, &te2, &err) == LOGREG_OK);
  CHECK(tr2->n == tr->n && memcmp(tr2->x, tr->x, tr->n * sizeof(float)) == 0);
  logreg_dataset_free(tr2);
  logreg_dataset_free(va2);
  logreg_dataset_free(te2);
  CHECK(logreg_dataset_split(ds, 0.7, 0.15, 0.15, 2, &tr2, &va2, &te2, &err) == LOGREG_OK);
  CHECK(tr2->n == tr->n && memcmp(tr2->x, tr->x, tr->n * sizeof(float)) != 0);
  logreg_dataset_free(tr2);
  logreg_dataset_free(va2);
  logreg_dataset_free(te2);
  logreg_dataset_free(tr);
  logreg_dataset_free(va);
  logreg_dataset_free(te);
  /* 1,0,0 keeps everything for training. */
  CHECK(logreg_dataset_split(ds, 1, 0, 0, 1, &tr, &va, &te, &err) == LOGREG_OK);
  CHECK(tr->n == N && va == NULL && te == NULL);
  logreg_dataset_free(tr);
  /* Bad fractions are refused with the option named. */
  CHECK(logreg_dataset_split(ds, 0.5, 0.2, 0.2, 1, &tr, &va, &te, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'split'");
  CHECK(logreg_dataset_split(ds, 0.0, 0.5, 0.5, 1, &tr, &va, &te, &err) == LOGREG_EINVAL);
  logreg_dataset_free(ds);
}

static int same_part(const logreg_dataset *a, const logreg_dataset *b) {
  if (!a || !b) return a == b;
  size_t n = a->n, d = a->d;
  return n == b->n && d == b->d && a->missing == b->missing &&
         memcmp(a->x, b->x, n * d * sizeof *a->x) == 0 &&
         memcmp(a->y, b->y, n * sizeof *a->y) == 0 &&
         (a->w ? b->w && memcmp(a->w, b->w, n * sizeof *a->w) == 0 : !b->w);
}

/* split_take moves the training rows in place: the same parts as split, bit for bit (every
 * fraction pattern, weights and missing values included), and the source keeps its labels and
 * row count but no features. */
static void test_split_take(void) {
  enum { N = 1000, D = 3 };
  float *x = malloc(N * D * sizeof *x);
  int32_t y[N];
  double w[N];
  lr_rng r;
  lr_rng_seed(&r, 7);
  for (int i = 0; i < N; i++) {
    for (int j = 0; j < D; j++) x[i * D + j] = lr_rng_uniform(&r) < 0.01 ? NAN : (float)(i + j);
    y[i] = (int32_t)lr_rng_below(&r, 3);
    w[i] = 0.5 + (double)(i % 7);
  }
  const double fr[][3] = {{0.7, 0.15, 0.15}, {0.8, 0.2, 0}, {1, 0, 0}, {0.5, 0, 0.5}};
  logreg_error err;
  for (size_t f = 0; f < sizeof fr / sizeof fr[0]; f++) {
    logreg_dataset *ds = NULL, *own = NULL, *a[3], *b[3];
    CHECK(logreg_dataset_from_buffer(N, D, x, LOGREG_FLOAT32, 0, y, 3, w, NULL, NULL, 0, &ds,
                                     &err) == LOGREG_OK);
    CHECK(logreg_dataset_from_buffer(N, D, x, LOGREG_FLOAT32, 0, y, 3, w, NULL, NULL, 0, &own,
                                     &err) == LOGREG_OK);
    CHECK(logreg_dataset_split(ds, fr[f][0], fr[f][1], fr[f][2], 3, &a[0], &a[1], &a[2], &err) ==
          LOGREG_OK);
    CHECK(logreg_dataset_split_take(own, fr[f][0], fr[f][1], fr[f][2], 3, &b[0], &b[1], &b[2],
                                    &err) == LOGREG_OK);
    for (int p = 0; p < 3; p++) CHECK(same_part(a[p], b[p]));
    CHECK(logreg_dataset_x(own) == NULL && logreg_dataset_rows(own) == N);
    CHECK(logreg_dataset_y(own) != NULL && logreg_dataset_missing(own) == ds->missing);
    logreg_dataset *c[3];
    CHECK(logreg_dataset_split(own, 0.5, 0.5, 0, 1, &c[0], &c[1], &c[2], &err) == LOGREG_EINVAL);
    CHECK_STR_CONTAINS(err.message, "logreg_dataset_split_take");
    for (int p = 0; p < 3; p++) {
      logreg_dataset_free(a[p]);
      logreg_dataset_free(b[p]);
    }
    logreg_dataset_free(ds);
    logreg_dataset_free(own);
  }
  /* Bad fractions leave the source as it was. */
  logreg_dataset *ds = NULL, *p0, *p1, *p2;
  CHECK(logreg_dataset_from_arrays(N, D, x, y, 3, NULL, NULL, &ds, &err) == LOGREG_OK);
  CHECK(logreg_dataset_split_take(ds, 0.5, 0.2, 0.2, 1, &p0, &p1, &p2, &err) == LOGREG_EINVAL);
  CHECK(logreg_dataset_x(ds) != NULL && memcmp(logreg_dataset_x(ds), x, sizeof(float)) == 0);
  logreg_dataset_free(ds);
  free(x);
}

static void test_medians_and_scaler(void) {
  /* Column 0: 3, ?, 1, 2, ?, 10 -> median of {1,2,3,10} = 2.5.
   * Column 1: 7 everywhere -> std 0 -> scale 1, centred at 7.
   * Column 2: 5, 1, 3, ?, ?, ? -> median 3 (odd count). */
  const float nan = NAN;
  float x[6 * 3] = {3, 7, 5, nan, 7, 1, 1, 7, 3, 2, 7, nan, nan, 7, nan, 10, 7, nan};
  int32_t y[6] = {0, 1, 0, 1, 0, 1};
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_from_arrays(6, 3, x, y, 2, NULL, NULL, &ds, &err) == LOGREG_OK);
  double med[3], mean[3], sd[3];
  CHECK(lr_column_medians(ds, med, 0) == 0);
  CHECK_CLOSE(med[0], 2.5, 0);
  CHECK_CLOSE(med[1], 7, 0);
  CHECK_CLOSE(med[2], 3, 0);
  lr_column_scaler(ds, med, mean, sd, 0);
  /* Column 0 after filling: 3, 2.5, 1, 2, 2.5, 10: mean 21/6 = 3.5, population variance
   * (0.25 + 1 + 6.25 + 2.25 + 1 + 42.25) / 6 = 53/6. */
  CHECK_CLOSE(mean[0], 3.5, 1e-15);
  CHECK_CLOSE(sd[0], sqrt(53.0 / 6.0), 1e-15);
  CHECK_CLOSE(mean[1], 7, 0);
  CHECK(sd[1] == 1.0);
  /* Column 2 after filling: 5, 1, 3, 3, 3, 3: mean 3, variance (4 + 4) / 6. */
  CHECK_CLOSE(mean[2], 3, 1e-15);
  CHECK_CLOSE(sd[2], sqrt(8.0 / 6.0), 1e-15);
  logreg_dataset_free(ds);
}

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* Each of the d columns of x (n x d, NaN missing) has median med[j], against sorting its values
 * (col: n floats of scratch); 0 for a column without values. */
static void check_medians_by_sorting(const float *x, size_t n, size_t d, const double *med,
                                     float *col) {
  for (size_t j = 0; j < d; j++) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if (!isnan(x[i * d + j])) col[m++] = x[i * d + j];
    qsort(col, m, sizeof *col, cmp_float);
    double want = m == 0 ? 0.0 : m % 2 ? col[m / 2] : 0.5 * ((double)col[m / 2 - 1] + col[m / 2]);
    CHECK_CLOSE(med[j], want, 0);
  }
}

/* Medians of columns that span several of lr_column_medians' 16-column passes (d = 37), with
 * NaNs, ties (values rounded to a few levels), negative values and odd and even counts, against
 * sorting. */
static void test_medians_blocks(void) {
  for (size_t n = 100; n <= 101; n++) {
    size_t d = 37;
    float *x = malloc(n * d * sizeof *x), *col = malloc(n * sizeof *col);
    int32_t *y = malloc(n * sizeof *y);
    lr_rng r;
    lr_rng_seed(&r, 7 + n);
    for (size_t i = 0; i < n; i++) {
      y[i] = (int32_t)(i % 2);
      for (size_t j = 0; j < d; j++) {
        double u = lr_rng_uniform(&r);
        /* column j: NaN with probability j / 74, integers on j + 2 levels from -(j / 2) */
        double level = floor(lr_rng_uniform(&r) * (double)(j + 2)) - (double)(j / 2);
        x[i * d + j] = u < (double)j / 74.0 ? NAN : (float)level;
      }
    }
    logreg_dataset *ds = NULL;
    logreg_error err;
    CHECK(logreg_dataset_from_arrays(n, d, x, y, 2, NULL, NULL, &ds, &err) == LOGREG_OK);
    double med[37];
    CHECK(lr_column_medians(ds, med, 0) == 0);
    check_medians_by_sorting(x, n, d, med, col);
    logreg_dataset_free(ds);
    free(x);
    free(col);
    free(y);
  }
}

/* One-hot columns (feature_categories set) take their median from the count of ones (as any
 * column of two values does): against sorting, with NaNs, odd and even counts, ones exactly half
 * of the values, all zeros, all ones; a column marked categorical that holds another value (2)
 * takes the general path. */
static void test_medians_onehot(void) {
  static const size_t sizes[] = {1, 2, 7, 8, 100, 101};
  for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
    size_t n = sizes[t], d = 7;
    float *x = malloc(n * d * sizeof *x), *col = malloc(n * sizeof *col);
    int32_t *y = malloc(n * sizeof *y);
    lr_rng r;
    lr_rng_seed(&r, 11 + n);
    for (size_t i = 0; i < n; i++) {
      y[i] = (int32_t)(i % 2);
      /* ones with probability 0.1, 0.5, 0.9; exactly the first half; none; all; one value 2 */
      for (size_t j = 0; j < 3; j++)
        x[i * d + j] = lr_rng_uniform(&r) < 0.1 + 0.4 * (double)j ? 1.0f : 0.0f;
      x[i * d + 3] = i < n / 2 ? 1.0f : 0.0f;
      x[i * d + 4] = 0.0f;
      x[i * d + 5] = 1.0f;
      x[i * d + 6] = i == 0 ? 2.0f : (float)(i % 2);
      if (i % 5 == 1) x[i * d + 1] = NAN;
    }
    logreg_dataset *ds = NULL;
    logreg_error err;
    CHECK(logreg_dataset_from_arrays(n, d, x, y, 2, NULL, NULL, &ds, &err) == LOGREG_OK);
    CHECK((ds->feature_categories = calloc(d, sizeof(char *))) != NULL);
    for (size_t j = 0; j < d; j++) CHECK((ds->feature_categories[j] = lr_strdup("c")) != NULL);
    double med[7];
    CHECK(lr_column_medians(ds, med, 0) == 0);
    check_medians_by_sorting(x, n, d, med, col);
    logreg_dataset_free(ds);
    free(x);
    free(col);
    free(y);
  }
}

/* Columns of at most two distinct values, whatever they are (standardized one-hot columns),
 * take their median from the two counts: against sorting, with the lower value first or second
 * in the rows, negative values, NaNs, odd and even counts, the two halves equal, one value, no
 * value, -0 beside +0 (two values, equal as numbers), and columns whose third value comes only
 * at the last row (the general path). The -0/+0 columns' medians are +0 on both paths: -0 sorts
 * first and there are never more -0s than +0s here. */
static void test_medians_two_values(void) {
  static const size_t sizes[] = {1, 2, 3, 8, 100, 101};
  for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
    size_t n = sizes[t], d = 9;
    float *x = malloc(n * d * sizeof *x), *col = malloc(n * sizeof *col);
    int32_t *y = malloc(n * sizeof *y);
    lr_rng r;
    lr_rng_seed(&r, 23 + n);
    for (size_t i = 0; i < n; i++) {
      y[i] = (int32_t)(i % 2);
      double u = lr_rng_uniform(&r);
      x[i * d + 0] = u < 0.3 ? 2.71f : -0.37f;  /* the larger value first, often */
      x[i * d + 1] = u < 0.7 ? -1.5f : 0.25f;   /* the smaller first, often */
      x[i * d + 2] = i < n / 2 ? -3.0f : -1.0f; /* exactly half each */
      x[i * d + 3] = i % 3 == 1 ? NAN : u < 0.5 ? 7.0f : 9.0f;
      x[i * d + 4] = 4.5f;                 /* one value */
      x[i * d + 5] = NAN;                  /* no value: 0 */
      x[i * d + 6] = i % 2 ? -0.0f : 0.0f; /* -0 and +0 */
      x[i * d + 7] = i % 2 ? 1.0f : -1.0f; /* third value last */
      x[i * d + 8] = i % 2 ? -0.0f : 0.0f;
      if (i == n - 1 && n > 2) x[i * d + 7] = x[i * d + 8] = 5.0f;
    }
    logreg_dataset *ds = NULL;
    logreg_error err;
    CHECK(logreg_dataset_from_arrays(n, d, x, y, 2, NULL, NULL, &ds, &err) == LOGREG_OK);
    double med[9];
    CHECK(lr_column_medians(ds, med, 0) == 0);
    check_medians_by_sorting(x, n, d, med, col);
    CHECK(!signbit(med[6]) && !signbit(med[8]));
    logreg_dataset_free(ds);
    free(x);
    free(col);
    free(y);
  }
}

/* The threaded passes (lr_parallel) give the same bits as one thread: medians, scaler and
 * transform of 1001 x 37 values with NaNs, at 1, 2 and 3 threads (logreg_params.threads). */
static void test_threads_same_bits(void) {
  size_t n = 1001, d = 37;
  float *x = malloc(n * d * sizeof *x);
  int32_t *y = malloc(n * sizeof *y);
  lr_rng r;
  lr_rng_seed(&r, 99);
  for (size_t i = 0; i < n; i++) {
    y[i] = (int32_t)(i % 3);
    for (size_t j = 0; j < d; j++)
      x[i * d + j] = lr_rng_uniform(&r) < 0.05 ? NAN : (float)(lr_rng_normal(&r) * (double)(j + 1));
  }
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_from_arrays(n, d, x, y, 3, NULL, NULL, &ds, &err) == LOGREG_OK);
  logreg_model *m[3];
  float *out[3];
  size_t filled[3];
  for (int t = 0; t < 3; t++) {
    unsigned threads = (unsigned)(t + 1);
    CHECK(lr_threads_for(1, threads) == threads);
    m[t] = lr_model_alloc(d, 3, 0);
    out[t] = malloc(n * d * sizeof *out[t]);
    CHECK(lr_column_medians(ds, m[t]->median, threads) == 0);
    lr_column_scaler(ds, m[t]->median, m[t]->mean, m[t]->std, threads);
    filled[t] = lr_transform(m[t], ds, out[t], threads);
  }
  for (int t = 1; t < 3; t++) {
    CHECK(memcmp(m[t]->median, m[0]->median, d * sizeof(double)) == 0);
    CHECK(memcmp(m[t]->mean, m[0]->mean, d * sizeof(double)) == 0);
    CHECK(memcmp(m[t]->std, m[0]->std, d * sizeof(double)) == 0);
    CHECK(memcmp(out[t], out[0], n * d * sizeof(float)) == 0);
    CHECK(filled[t] == filled[0]);
  }
  CHECK(filled[0] > 0);
  for (int t = 0; t < 3; t++) {
    logreg_model_free(m[t]);
    free(out[t]);
  }
  logreg_dataset_free(ds);
  free(x);
  free(y);
}

static void test_train_only_statistics(void) {
  /* Train on a split; the model's scaler must be the training part's statistics, not the
   * whole file's. Feature = row id, so the statistics of each part are easy to recompute. */
  enum { N = 40 };
  float x[N];
  int32_t y[N];
  for (int i = 0; i < N; i++) x[i] = (float)(i * i % 17), y[i] = i % 2;
  logreg_dataset *ds = NULL, *tr, *va, *te;
  logreg_error err;
  CHECK(logreg_dataset_from_arrays(N, 1, x, y, 2, NULL, NULL, &ds, &err) == LOGREG_OK);
  CHECK(logreg_dataset_split(ds, 0.5, 0.25, 0.25, 9, &tr, &va, &te, &err) == LOGREG_OK);
  double m = 0, v = 0;
  for (size_t i = 0; i < tr->n; i++) m += tr->x[i];
  m /= (double)tr->n;
  for (size_t i = 0; i < tr->n; i++) v += (tr->x[i] - m) * (tr->x[i] - m);
  v /= (double)tr->n;
  logreg_params p;
  logreg_params_init(&p);
  p.optimizer = LOGREG_OPTIMIZER_ADAM; /* the default before LOGREG_OPTIMIZER_AUTO */
  p.epochs = 1;
  logreg_model *model = NULL;
  CHECK(logreg_train(tr, va, &p, &model, NULL, &err) == LOGREG_OK);
  CHECK(model != NULL);
  if (model) {
    CHECK_CLOSE(model->mean[0], m, 1e-14);
    CHECK_CLOSE(model->std[0], sqrt(v), 1e-14);
    double all = 0;
    for (int i = 0; i < N; i++) all += x[i];
    CHECK(fabs(model->mean[0] - all / N) > 1e-6); /* really not the whole-file mean */
  }
  logreg_model_free(model);
  logreg_dataset_free(ds);
  logreg_dataset_free(tr);
  logreg_dataset_free(va);
  logreg_dataset_free(te);
}

/* lr_transform_row (prediction) and lr_transform (training data) are one formula: a missing
 * value becomes the median, then (v - mean) / std; the row variant keeps the double that
 * lr_transform rounds to float. Values worked by hand. */
static void test_transform_row(void) {
  logreg_model *m = lr_model_alloc(3, 2, 1);
  CHECK(m != NULL);
  if (!m) return;
  const double median[3] = {1.5, -2.0, 10.0}, mean[3] = {1.0, 0.5, 8.0}, std[3] = {2.0, 0.25, 4.0};
  memcpy(m->median, median, sizeof median);
  memcpy(m->mean, mean, sizeof mean);
  memcpy(m->std, std, sizeof std);
  const float x[6] = {3.0f, NAN, 0.1f, NAN, 1.0f, 8.0f};
  double row[3];
  CHECK(lr_transform_row(m, x, row) == 1);
  CHECK(row[0] == 1.0);                        /* (3 - 1) / 2 */
  CHECK(row[1] == -10.0);                      /* the median -2: (-2 - 0.5) / 0.25 */
  CHECK(row[2] == ((double)0.1f - 8.0) / 4.0); /* the float value, in double */
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_from_arrays(2, 3, x, NULL, 0, NULL, NULL, &ds, &err) == LOGREG_OK);
  float out[6];
  CHECK(lr_transform(m, ds, out, 0) == 2);
  for (size_t i = 0; i < 2; i++) {
    CHECK(lr_transform_row(m, x + i * 3, row) == 1);
    for (size_t j = 0; j < 3; j++) CHECK(out[i * 3 + j] == (float)row[j]);
  }
  logreg_dataset_free(ds);
  logreg_model_free(m);
}

int main(void) {
  test_split();
  test_split_take();
  test_medians_and_scaler();
  test_medians_blocks();
  test_medians_onehot();
  test_medians_two_values();
  test_threads_same_bits();
  test_transform_row();
  test_train_only_statistics();
  return check_report("test_preprocess");
}
