/* test_order.c: the canonical row order (host/data/order.c) and logreg_dataset_from_buffer's
 * LOGREG_BUFFER_CANONICAL_ORDER.
 *
 * References independent of the code under test: the order is held to qsort over the row
 * indices with a comparator written here (the key computed here from the projection by its
 * definition, then the rows' bits, label and weight), comparing the rows each order puts at
 * each place; the dataset's rows to a gather written here; and the whole point of the flag, that
 * a shuffled copy of the rows gives the same dataset and the same trained model bit for bit. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/dataset.h"
#include "data/order.h"
#include "logreg.h"

enum { N = 3000, D = 7, STRIDE = 9, K = 3 };

static double X[N * STRIDE];
static int32_t Y[N];
static double W[N];
static uint64_t rng_state = 99;

static double uniform(void) {
  rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* Random rows with what makes ordering hard: missing values, exact repeats of earlier rows,
 * rows that differ from another only in the sign of a zero (the same key, other bits), values
 * that round to the same float32, a constant column, weights 0 and -0. */
static void make_data(void) {
  for (size_t i = 0; i < N; i++) {
    Y[i] = (int32_t)(uniform() * K);
    W[i] = i % 11 == 0 ? 0.0 : i % 13 == 0 ? -0.0 : 0.25 + uniform();
    for (size_t j = 0; j < STRIDE; j++)
      X[i * STRIDE + j] = j >= D ? 1e300 : j == 3 ? 2.5 : uniform() * 4.0 - 2.0;
    if (i % 17 == 0) X[i * STRIDE + (i % D)] = NAN;
    if (i % 19 == 0) X[i * STRIDE + 5] = 0.0;
    if (i % 23 == 0 && i > 100) { /* a repeat of an earlier row */
      size_t src = i / 3;
      memcpy(&X[i * STRIDE], &X[src * STRIDE], D * sizeof(double));
      Y[i] = Y[src];
      W[i] = W[src];
    }
    if (i % 29 == 1 && i > 1) { /* the previous row with a -0 where it had +0 */
      memcpy(&X[i * STRIDE], &X[(i - 1) * STRIDE], D * sizeof(double));
      X[i * STRIDE + 1] = signbit(X[(i - 1) * STRIDE + 1]) ? 0.0 : -0.0;
      X[(i - 1) * STRIDE + 1] = -X[i * STRIDE + 1];
      Y[i] = Y[i - 1];
      W[i] = W[i - 1];
    }
    if (i % 31 == 2 && i > 2) { /* the previous row, a value moved by less than float32 rounds */
      memcpy(&X[i * STRIDE], &X[(i - 1) * STRIDE], D * sizeof(double));
      X[i * STRIDE + 2] = nextafter(X[i * STRIDE + 2], 10.0);
      Y[i] = Y[i - 1];
      W[i] = W[i - 1];
    }
  }
}

static uint32_t float_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

static float stored_weight(double w) { return w == 0 ? 0.0f : (float)w; }

/* ---- The reference ---- */

static double ref_r[2 * D + 2];
static const double *ref_x;
static const int32_t *ref_y;
static const double *ref_w;
static double ref_key[N];

/* The key by its definition (order.h): terms j = q mod 4 summed in increasing j per chain. */
static double reference_key(size_t i) {
  double s[4] = {0, 0, 0, 0};
  for (size_t j = 0; j < D; j++) {
    float f = (float)ref_x[i * STRIDE + j];
    s[j % 4] += isnan(f) ? ref_r[D + j] : ref_r[j] * (double)f;
  }
  double w = ref_w ? (double)stored_weight(ref_w[i]) : 1.0;
  return ((s[0] + s[1]) + (s[2] + s[3])) + ref_r[2 * D] * (double)(ref_y ? ref_y[i] : 0) +
         ref_r[2 * D + 1] * w;
}

static int reference_cmp(const void *pa, const void *pb) {
  size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
  double ka = ref_key[a], kb = ref_key[b];
  if (ka != kb) return ka < kb ? -1 : 1;
  if (signbit(ka) != signbit(kb)) return signbit(ka) ? -1 : 1; /* -0 before +0 */
  for (size_t j = 0; j < D; j++) {
    uint32_t ua = float_bits((float)ref_x[a * STRIDE + j]);
    uint32_t ub = float_bits((float)ref_x[b * STRIDE + j]);
    if (ua != ub) return ua < ub ? -1 : 1;
  }
  int32_t ya = ref_y ? ref_y[a] : 0, yb = ref_y ? ref_y[b] : 0;
  if (ya != yb) return ya < yb ? -1 : 1;
  uint32_t wa = float_bits(ref_w ? stored_weight(ref_w[a]) : 1.0f);
  uint32_t wb = float_bits(ref_w ? stored_weight(ref_w[b]) : 1.0f);
  return wa < wb ? -1 : wa > wb;
}

/* Rows a and b are the same as stored. */
static int same_row(size_t a, size_t b) {
  size_t pa = a, pb = b;
  return reference_cmp(&pa, &pb) == 0;
}

/* ---- The tests ---- */

static void test_projection(void) {
  double r[2 * D + 2], r2[2 * D + 2];
  lr_order_projection(D, r);
  lr_order_projection(D, r2);
  CHECK(memcmp(r, r2, sizeof r) == 0);
  for (size_t j = 0; j < 2 * D + 2; j++) CHECK(r[j] >= -1.0 && r[j] < 1.0);
  for (size_t j = 1; j < 2 * D + 2; j++) CHECK(r[j] != r[j - 1]);
  memcpy(ref_r, r, sizeof r);
  /* The key of one row by its definition. */
  float f[D];
  ref_x = X;
  ref_y = Y;
  ref_w = W;
  for (size_t i = 0; i < 40; i++) {
    for (size_t j = 0; j < D; j++) f[j] = (float)X[i * STRIDE + j];
    double k = lr_order_key(r, D, f, Y[i], stored_weight(W[i]));
    double ref = reference_key(i);
    CHECK(memcmp(&k, &ref, sizeof k) == 0);
  }
}

/* lr_buffer_order against qsort with the reference comparator: the same row contents at every
 * place (rows equal as stored may trade places), each input row used once. */
static void check_order(const int32_t *y, const double *w, unsigned threads) {
  ref_x = X;
  ref_y = y;
  ref_w = w;
  size_t *order = malloc(N * sizeof *order), *ref = malloc(N * sizeof *ref);
  unsigned char *seen = calloc(N, 1);
  CHECK(order && ref && seen);
  if (!order || !ref || !seen) goto done;
  for (size_t i = 0; i < N; i++) {
    ref[i] = i;
    ref_key[i] = reference_key(i);
  }
  qsort(ref, N, sizeof *ref, reference_cmp);
  CHECK(lr_buffer_order(N, D, X, LOGREG_FLOAT64, STRIDE, y, w, threads, order) == 0);
  size_t bad = 0;
  for (size_t i = 0; i < N; i++) {
    CHECK(order[i] < N);
    if (order[i] >= N) break;
    if (seen[order[i]]++) bad++;
    if (!same_row(order[i], ref[i])) bad++;
  }
  CHECK(bad == 0);
done:
  free(order);
  free(ref);
  free(seen);
}

static void test_order(void) {
  check_order(Y, W, 1);
  check_order(Y, W, 3);
  check_order(NULL, NULL, 0);
  check_order(Y, NULL, 2);
  /* Ties were there to settle: rows whose keys are equal while their bits are not. */
  ref_x = X;
  ref_y = Y;
  ref_w = W;
  size_t ties = 0;
  for (size_t i = 1; i < N; i++) {
    double a = reference_key(i - 1), b = reference_key(i);
    if (memcmp(&a, &b, sizeof a) == 0 && !same_row(i - 1, i)) ties++;
  }
  CHECK(ties > 50);
  /* A value beyond float32's range, or infinite: reported, not ordered. */
  size_t order[4];
  double bad[4 * D];
  for (size_t i = 0; i < 4 * D; i++) bad[i] = (double)i;
  bad[2 * D + 3] = 1e39;
  CHECK(lr_buffer_order(4, D, bad, LOGREG_FLOAT64, D, NULL, NULL, 0, order) == 1);
  float badf[4 * D] = {0};
  badf[D + 1] = -INFINITY;
  CHECK(lr_buffer_order(4, D, badf, LOGREG_FLOAT32, D, NULL, NULL, 0, order) == 1);
  badf[D + 1] = NAN;
  CHECK(lr_buffer_order(4, D, badf, LOGREG_FLOAT32, D, NULL, NULL, 0, order) == 0);
}

/* The rows of X (with Y, W) permuted: row i of out is row perm[i]. */
static void permute(const size_t *perm, double *x, int32_t *y, double *w) {
  for (size_t i = 0; i < N; i++) {
    memcpy(&x[i * STRIDE], &X[perm[i] * STRIDE], STRIDE * sizeof *x);
    y[i] = Y[perm[i]];
    w[i] = W[perm[i]];
  }
}

static int same_bits(const void *a, const void *b, size_t bytes) {
  return a && b && memcmp(a, b, bytes) == 0;
}

/* Training on the two datasets (the rows given in two orders) gives the same model, bit for
 * bit: the point of the flag. */
static void test_training_invariance(const logreg_dataset *a, const logreg_dataset *b) {
  if (!a || !b) return;
  logreg_params p;
  logreg_params_init(&p);
  p.device = "cpu";
  p.C = 1.0;
  p.epochs = 50;
  logreg_model *ma = NULL, *mb = NULL;
  logreg_train_result ra, rb;
  logreg_error err;
  CHECK(logreg_train(a, NULL, &p, &ma, &ra, &err) == LOGREG_OK);
  CHECK(logreg_train(b, NULL, &p, &mb, &rb, &err) == LOGREG_OK);
  if (ma && mb) {
    double wa[D * K], ba[K], wb[D * K], bb[K];
    logreg_model_raw_weights(ma, wa, ba);
    logreg_model_raw_weights(mb, wb, bb);
    CHECK(memcmp(wa, wb, sizeof wa) == 0 && memcmp(ba, bb, sizeof ba) == 0);
    CHECK(ra.epochs_run == rb.epochs_run && ra.objective == rb.objective);
  }
  logreg_model_free(ma);
  logreg_model_free(mb);
}

/* The dataset holds the input rows gathered in lr_buffer_order's order, and a shuffled copy of
 * the input gives the same dataset, bit for bit. */
static void test_dataset(void) {
  logreg_dataset *ds = NULL, *sh = NULL, *f32 = NULL;
  logreg_error err;
  size_t *order = malloc(N * sizeof *order), *perm = malloc(N * sizeof *perm);
  double *xs = malloc(N * STRIDE * sizeof *xs), *ws = malloc(N * sizeof *ws);
  int32_t *ys = malloc(N * sizeof *ys);
  float *xf = malloc(N * D * sizeof *xf);
  CHECK(order && perm && xs && ws && ys && xf);
  if (!order || !perm || !xs || !ws || !ys || !xf) goto done;
  CHECK(logreg_dataset_from_buffer(N, D, X, LOGREG_FLOAT64, STRIDE, Y, K, W, NULL, NULL,
                                   LOGREG_BUFFER_CANONICAL_ORDER, &ds, &err) == LOGREG_OK);
  CHECK(lr_buffer_order(N, D, X, LOGREG_FLOAT64, STRIDE, Y, W, 0, order) == 0);
  if (!ds) goto done;
  size_t wrong = 0, missing = 0;
  for (size_t i = 0; i < N; i++) {
    for (size_t j = 0; j < D; j++) {
      float want = (float)X[order[i] * STRIDE + j];
      missing += isnan(want) ? 1u : 0u;
      wrong += float_bits(ds->x[i * D + j]) != float_bits(want);
    }
    wrong += ds->y[i] != Y[order[i]];
    wrong += float_bits(ds->w[i]) != float_bits(stored_weight(W[order[i]]));
  }
  CHECK(wrong == 0);
  CHECK(ds->missing == missing && missing > 0);

  /* Shuffled rows (Fisher-Yates), and the same values as float32 packed rows. */
  for (size_t i = 0; i < N; i++) perm[i] = i;
  for (size_t i = N - 1; i > 0; i--) {
    size_t j = (size_t)(uniform() * (double)(i + 1)), t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  permute(perm, xs, ys, ws);
  for (size_t i = 0; i < N; i++)
    for (size_t j = 0; j < D; j++) xf[i * D + j] = (float)xs[i * STRIDE + j];
  CHECK(logreg_dataset_from_buffer(N, D, xs, LOGREG_FLOAT64, STRIDE, ys, K, ws, NULL, NULL,
                                   LOGREG_BUFFER_CANONICAL_ORDER, &sh, &err) == LOGREG_OK);
  CHECK(logreg_dataset_from_buffer(N, D, xf, LOGREG_FLOAT32, 0, ys, K, ws, NULL, NULL,
                                   LOGREG_BUFFER_CANONICAL_ORDER | LOGREG_BUFFER_BORROW, &f32,
                                   &err) == LOGREG_OK);
  const logreg_dataset *other[2] = {sh, f32};
  for (int o = 0; o < 2; o++) {
    const logreg_dataset *b = other[o];
    CHECK(b != NULL);
    if (!b) continue;
    CHECK(b->x != xf); /* copied, not borrowed */
    CHECK(same_bits(ds->x, b->x, N * D * sizeof(float)));
    CHECK(same_bits(ds->y, b->y, N * sizeof(int32_t)));
    CHECK(same_bits(ds->w, b->w, N * sizeof(float)));
    CHECK(b->missing == ds->missing);
  }
  test_training_invariance(ds, sh);
done:
  logreg_dataset_free(ds);
  logreg_dataset_free(sh);
  logreg_dataset_free(f32);
  free(order);
  free(perm);
  free(xs);
  free(ws);
  free(ys);
  free(xf);
}

/* from_buffer must fail with LOGREG_EINVAL, no dataset, and `needle` in the message. */
#define CHECK_BUFFER_ERROR(call, needle)                                                           \
  do {                                                                                             \
    logreg_dataset *ds_ = (logreg_dataset *)&ds_; /* not NULL: the call must clear it */           \
    logreg_error e_;                                                                               \
    CHECK((call) == LOGREG_EINVAL);                                                                \
    CHECK(ds_ == NULL);                                                                            \
    CHECK_STR_CONTAINS(e_.message, needle);                                                        \
  } while (0)

/* Bad input with the flag: the same errors as without it; a few rows; unknown flags. */
static void test_edges(void) {
  const unsigned c = LOGREG_BUFFER_CANONICAL_ORDER;
  double x[4 * 3];
  for (size_t i = 0; i < 12; i++) x[i] = (double)(11 - i);
  int32_t y[4] = {0, 1, 0, 1};
  double w[4] = {1, 2, 3, 4};
  x[2 * 3 + 1] = INFINITY;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, 3, x, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, c, &ds_, &e_),
      "X[2, 1] (row 2, column 1) is inf");
  x[2 * 3 + 1] = -1e39;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, 3, x, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, c, &ds_, &e_),
      "(row 2, column 1) = -1e+39 is beyond float32's range");
  x[2 * 3 + 1] = 0;
  w[3] = 1e300;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, 3, x, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, c, &ds_, &e_),
      "sample weight 1e+300 of row 3 is not finite");
  w[3] = NAN;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, 3, x, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, c, &ds_, &e_),
      "of row 3 is not finite");
  w[3] = 4;
  y[1] = 5;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, 3, x, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, c, &ds_, &e_),
      "label 5 of row 1 is outside 0..1");
  y[1] = 1;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, 3, x, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, 4u, &ds_, &e_),
      "unknown flags 0x4");
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, 3, NULL, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, c, &ds_, &e_),
      "X is NULL");
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, 3, x, LOGREG_FLOAT64, 2, y, 2, w, NULL, NULL, c, &ds_, &e_),
      "row stride 2 is less than the 3 features");
  /* No rows, one row (borrowed: one row is in its order), two equal rows. */
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_from_buffer(0, 3, NULL, LOGREG_FLOAT64, 0, NULL, 0, NULL, NULL, NULL, c, &ds,
                                   &err) == LOGREG_OK);
  CHECK(ds && ds->n == 0);
  logreg_dataset_free(ds);
  float one[3] = {1, 2, 3};
  ds = NULL;
  CHECK(logreg_dataset_from_buffer(1, 3, one, LOGREG_FLOAT32, 0, NULL, 0, NULL, NULL, NULL,
                                   c | LOGREG_BUFFER_BORROW, &ds, &err) == LOGREG_OK);
  CHECK(ds && ds->n == 1 && ds->x[2] == 3.0f);
  logreg_dataset_free(ds);
  double two[6] = {1, 2, 3, 1, 2, 3};
  ds = NULL;
  CHECK(logreg_dataset_from_buffer(2, 3, two, LOGREG_FLOAT64, 0, y, 2, NULL, NULL, NULL, c, &ds,
                                   &err) == LOGREG_OK);
  /* Two equal features rows with labels 0 and 1: the key's label term orders them. */
  CHECK(ds && ds->n == 2 && ds->x[0] == 1.0f && ds->x[3] == 1.0f && ds->y[0] != ds->y[1]);
  logreg_dataset_free(ds);
}

int main(void) {
  make_data();
  test_projection();
  test_order();
  test_dataset();
  test_edges();
  return check_report("test_order");
}
