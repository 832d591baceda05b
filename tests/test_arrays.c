/* test_arrays.c: the array API of logreg.h (datasets from a caller's buffers, predictions into
 * a caller's buffers, the raw-weight accessors) through the public header alone, so that the
 * same source also builds against liblogreg.so (arrays_shared, run by tests/shared_lib.sh).
 *
 * The references are independent of the code under test: a dataset from a buffer is held to
 * the CSV reader on the same values written with %.17g (which reads back the same doubles, then
 * rounds them to float32 as the buffer path must); training on it to training on that CSV;
 * predictions from a buffer to logreg_predict_proba on the CSV's dataset and to the logits
 * computed here from the raw weights by the formula z = x W_raw + b_raw. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "logreg.h"

enum { N = 90, D = 3, STRIDE = 5, K = 3 };

static double X64[N * STRIDE]; /* rows of STRIDE doubles, the last two of each row padding */
static int32_t Y[N];
static double W[N];

/* Deterministic data: three classes around different centres, one missing value, weights that
 * are not float32 numbers (0.1 steps), padding that would show if the stride were ignored. */
static void make_data(void) {
  uint64_t s = 12345;
  for (size_t i = 0; i < N; i++) {
    Y[i] = (int32_t)((i * 7) % K);
    for (size_t j = 0; j < STRIDE; j++) {
      s = s * 6364136223846793005u + 1442695040888963407u;
      double u = (double)(s >> 11) / 9007199254740992.0; /* [0, 1) */
      X64[i * STRIDE + j] = j < D ? (double)Y[i] * (j == 0 ? 1.5 : -0.7) + 2.0 * u - 1.0 : 1e300;
    }
    W[i] = 0.1 * (double)(i % 7) + 0.3;
  }
  X64[4 * STRIDE + 1] = NAN;
}

/* The same values as a CSV: x0,x1,x2,w,label with %.17g (exact round trip), "" for NaN. */
static char *make_csv(void) {
  size_t cap = 64 + (size_t)N * (D + 1) * 32, len = 0;
  char *t = malloc(cap);
  if (!t) return NULL;
  len += (size_t)snprintf(t + len, cap - len, "x0,x1,x2,w,label\n");
  for (size_t i = 0; i < N; i++) {
    for (size_t j = 0; j < D; j++) {
      double v = X64[i * STRIDE + j];
      if (isnan(v))
        len += (size_t)snprintf(t + len, cap - len, ",");
      else
        len += (size_t)snprintf(t + len, cap - len, "%.17g,", v);
    }
    len += (size_t)snprintf(t + len, cap - len, "%.17g,%d\n", W[i], (int)Y[i]);
  }
  return t;
}

/* Whether two float arrays hold the same bits, NaN matching NaN. */
static int same_floats(const float *a, const float *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!(isnan(a[i]) && isnan(b[i])) && memcmp(&a[i], &b[i], sizeof(float)) != 0) return 0;
  return 1;
}

static logreg_dataset *read_csv(const char *text) {
  logreg_read_options opt;
  logreg_read_options_init(&opt);
  opt.weight = "w";
  logreg_dataset *ds = NULL;
  logreg_error err;
  if (check_read_text("arrays", "data.csv", text, &opt, &ds, &err) != LOGREG_OK)
    fprintf(stderr, "reading the CSV: %s\n", err.message);
  return ds;
}

static void test_dataset_float64(const logreg_dataset *csv) {
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_from_buffer(N, D, X64, LOGREG_FLOAT64, STRIDE, Y, K, W, NULL, NULL, 0, &ds,
                                   &err) == LOGREG_OK);
  CHECK(ds != NULL);
  if (!ds || !csv) return;
  CHECK(logreg_dataset_rows(ds) == N && logreg_dataset_features(ds) == D);
  CHECK(logreg_dataset_classes(ds) == K && logreg_dataset_classes(csv) == K);
  CHECK(same_floats(logreg_dataset_x(ds), logreg_dataset_x(csv), (size_t)N * D));
  CHECK(memcmp(logreg_dataset_y(ds), logreg_dataset_y(csv), N * sizeof(int32_t)) == 0);
  CHECK(logreg_dataset_weights(ds) && logreg_dataset_weights(csv));
  if (logreg_dataset_weights(ds) && logreg_dataset_weights(csv))
    CHECK(same_floats(logreg_dataset_weights(ds), logreg_dataset_weights(csv), N));
  CHECK(logreg_dataset_missing(ds) == 1 && logreg_dataset_missing(csv) == 1);
  CHECK(isnan(logreg_dataset_x(ds)[4 * D + 1]));
  /* The float32 rounding itself, and names by default as logreg_dataset_from_arrays gives. */
  CHECK(logreg_dataset_x(ds)[7 * D + 2] == (float)X64[7 * STRIDE + 2]);
  CHECK(logreg_dataset_weights(ds)[1] == 0.4f);
  CHECK(name_is(logreg_dataset_class_name(ds, 2), "2"));
  CHECK(name_is(logreg_dataset_class_name(csv, 2), "2"));
  CHECK(name_is(logreg_dataset_feature_name(ds, 1), "x1"));
  logreg_dataset_free(ds);
}

static void test_dataset_float32(const logreg_dataset *csv) {
  /* Strided float32: copied, same values as the rounded float64. */
  float x32[N * (D + 1)], packed[N * D];
  for (size_t i = 0; i < N; i++) {
    for (size_t j = 0; j < D; j++)
      packed[i * D + j] = x32[i * (D + 1) + j] = (float)X64[i * STRIDE + j];
    x32[i * (D + 1) + D] = -1e30f;
  }
  const char *classes[K] = {"a", "b", "c"};
  const char *features[D] = {"f0", "f1", "f2"};
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_from_buffer(N, D, x32, LOGREG_FLOAT32, D + 1, Y, K, NULL, classes, features,
                                   LOGREG_BUFFER_BORROW, &ds, &err) == LOGREG_OK);
  if (ds && csv) {
    CHECK(logreg_dataset_x(ds) != x32); /* strided: the flag cannot apply */
    CHECK(same_floats(logreg_dataset_x(ds), logreg_dataset_x(csv), (size_t)N * D));
    CHECK(logreg_dataset_weights(ds) == NULL);
    CHECK(name_is(logreg_dataset_class_name(ds, 1), "b"));
    CHECK(name_is(logreg_dataset_feature_name(ds, 2), "f2"));
  }
  logreg_dataset_free(ds);

  /* Packed float32: borrowed with the flag (the same pointer), copied without it. */
  ds = NULL;
  CHECK(logreg_dataset_from_buffer(N, D, packed, LOGREG_FLOAT32, 0, Y, K, NULL, NULL, NULL,
                                   LOGREG_BUFFER_BORROW, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(logreg_dataset_x(ds) == packed);
    CHECK(logreg_dataset_missing(ds) == 1);
  }
  logreg_dataset_free(ds); /* must not free `packed` (ASan would report it) */
  ds = NULL;
  CHECK(logreg_dataset_from_buffer(N, D, packed, LOGREG_FLOAT32, D, Y, K, NULL, NULL, NULL, 0, &ds,
                                   &err) == LOGREG_OK);
  if (ds && csv) {
    CHECK(logreg_dataset_x(ds) != packed);
    CHECK(same_floats(logreg_dataset_x(ds), logreg_dataset_x(csv), (size_t)N * D));
  }
  logreg_dataset_free(ds);
}

static void init_params(logreg_params *p, int binary) {
  logreg_params_init(p);
  p->optimizer = LOGREG_OPTIMIZER_LBFGS;
  p->device = "cpu";
  p->epochs = 200;
  p->tol = 1e-8;
  p->C = 1.0;
  p->binary = binary;
}

/* Training on the buffer's dataset (a borrowed float32 X, and float64 with a stride) gives the
 * CSV's objective and weights bit for bit (the cpu backend is deterministic). */
static void test_train_and_predict(const logreg_dataset *csv) {
  if (!csv) return;
  logreg_params p;
  init_params(&p, 0);
  logreg_error err;
  logreg_model *m_csv = NULL, *m_buf = NULL;
  logreg_train_result r_csv, r_buf;
  logreg_dataset *ds = NULL;
  CHECK(logreg_train(csv, NULL, &p, &m_csv, &r_csv, &err) == LOGREG_OK);
  CHECK(logreg_dataset_from_buffer(N, D, X64, LOGREG_FLOAT64, STRIDE, Y, K, W, NULL, NULL, 0, &ds,
                                   &err) == LOGREG_OK);
  CHECK(logreg_train(ds, NULL, &p, &m_buf, &r_buf, &err) == LOGREG_OK);
  logreg_dataset_free(ds);
  if (!m_csv || !m_buf) {
    fprintf(stderr, "training: %s\n", err.message);
    logreg_model_free(m_csv);
    logreg_model_free(m_buf);
    return;
  }
  CHECK(r_csv.objective == r_buf.objective);
  CHECK(r_csv.epochs_run == r_buf.epochs_run);
  CHECK(strcmp(r_buf.stop_reason, "tol") == 0);
  CHECK(logreg_model_weight_columns(m_buf) == K);
  double wc[D * K], bc[K], wb[D * K], bb[K];
  logreg_model_raw_weights(m_csv, wc, bc);
  logreg_model_raw_weights(m_buf, wb, bb);
  CHECK(memcmp(wc, wb, sizeof wc) == 0 && memcmp(bc, bb, sizeof bc) == 0);

  /* Probabilities from the strided float64 buffer: the same bits as from the CSV's dataset. */
  double *pd = malloc((size_t)N * K * sizeof *pd), *pb = malloc((size_t)N * K * sizeof *pb);
  double *z = malloc((size_t)N * K * sizeof *z);
  CHECK(pd && pb && z);
  if (pd && pb && z) {
    CHECK(logreg_predict_proba(m_csv, csv, pd, &err) == LOGREG_OK);
    CHECK(logreg_model_predict_proba_buffer(m_buf, N, D, X64, LOGREG_FLOAT64, STRIDE, pb, &err) ==
          LOGREG_OK);
    CHECK(memcmp(pd, pb, (size_t)N * K * sizeof *pd) == 0);
    CHECK(logreg_model_decision_function_buffer(m_buf, N, D, X64, LOGREG_FLOAT64, STRIDE, z,
                                                &err) == LOGREG_OK);
    /* Against the formula: z = x W_raw + b_raw on the float32-rounded row, softmax of z. The
     * two orders of summation differ by rounding only. Row 4 has the missing value: skipped. */
    int checked = 0;
    for (size_t i = 0; i < N; i++) {
      if (i == 4) continue;
      double ref[K], mx = -INFINITY, sum = 0;
      for (size_t c = 0; c < K; c++) {
        ref[c] = bb[c];
        for (size_t j = 0; j < D; j++) ref[c] += (double)(float)X64[i * STRIDE + j] * wb[j * K + c];
        CHECK_CLOSE(z[i * K + c], ref[c], 1e-12);
        mx = fmax(mx, ref[c]);
      }
      for (size_t c = 0; c < K; c++) sum += exp(ref[c] - mx);
      for (size_t c = 0; c < K; c++) CHECK_CLOSE(pb[i * K + c], exp(ref[c] - mx) / sum, 1e-12);
      checked++;
    }
    CHECK(checked == N - 1);
    /* A fitted model separates these classes: most rows' largest probability is their label. */
    int right = 0;
    for (size_t i = 0; i < N; i++) {
      size_t best = 0;
      for (size_t c = 1; c < K; c++)
        if (pb[i * K + c] > pb[i * K + best]) best = c;
      right += (int32_t)best == Y[i];
    }
    CHECK(right >= N * 8 / 10);
  }
  free(pd);
  free(pb);
  free(z);
  logreg_model_free(m_csv);
  logreg_model_free(m_buf);
}

/* A sparse dataset from CSR arrays (logreg_dataset_from_csr) against the LIBSVM reader on the
 * same entries written with %.17g: training gives the same objective and raw weights bit for
 * bit, and the same probabilities; float32 values equal float64 ones that are float32 numbers;
 * each malformed input is LOGREG_EINVAL naming its row. Entries (i + j) % 3 == 0 are absent. */
static void test_csr(void) {
  int64_t indptr[N + 1];
  int32_t idx[N * D];
  double v64[N * D];
  float v32[N * D];
  size_t cap = 64 + (size_t)N * D * 40, len = 0, e = 0;
  char *text = malloc(cap);
  CHECK(text != NULL);
  if (!text) return;
  indptr[0] = 0;
  for (size_t i = 0; i < N; i++) {
    len += (size_t)snprintf(text + len, cap - len, "%d", (int)Y[i]);
    for (size_t j = 0; j < D; j++) {
      if ((i + j) % 3 == 0) continue;
      double v = X64[i * STRIDE + j];
      v = isnan(v) ? 0.5 : (double)(float)v; /* float32 numbers: both value types agree */
      idx[e] = (int32_t)j;
      v64[e] = v;
      v32[e] = (float)v;
      e++;
      len += (size_t)snprintf(text + len, cap - len, " %zu:%.17g", j + 1, v);
    }
    indptr[i + 1] = (int64_t)e;
    len += (size_t)snprintf(text + len, cap - len, "\n");
  }
  logreg_read_options opt;
  logreg_read_options_init(&opt);
  logreg_dataset *svm = NULL, *a = NULL, *b = NULL;
  logreg_error err;
  CHECK(check_read_text("arrays", "data.svm", text, &opt, &svm, &err) == LOGREG_OK);
  free(text);
  CHECK(logreg_dataset_from_csr(N, D, indptr, idx, v64, LOGREG_FLOAT64, Y, K, NULL, NULL, &a,
                                &err) == LOGREG_OK);
  CHECK(logreg_dataset_from_csr(N, D, indptr, idx, v32, LOGREG_FLOAT32, Y, K, NULL, NULL, &b,
                                &err) == LOGREG_OK);
  if (svm && a && b) {
    CHECK(logreg_dataset_is_sparse(a) && logreg_dataset_nnz(a) == e);
    logreg_params p;
    init_params(&p, 0);
    logreg_model *ms = NULL, *ma = NULL, *mb = NULL;
    logreg_train_result rs, ra, rb;
    CHECK(logreg_train(svm, NULL, &p, &ms, &rs, &err) == LOGREG_OK);
    CHECK(logreg_train(a, NULL, &p, &ma, &ra, &err) == LOGREG_OK);
    CHECK(logreg_train(b, NULL, &p, &mb, &rb, &err) == LOGREG_OK);
    if (ms && ma && mb) {
      CHECK(rs.objective == ra.objective && ra.objective == rb.objective);
      double w1[D * K], b1[K], w2[D * K], b2[K];
      logreg_model_raw_weights(ms, w1, b1);
      logreg_model_raw_weights(ma, w2, b2);
      CHECK(memcmp(w1, w2, sizeof w1) == 0 && memcmp(b1, b2, sizeof b1) == 0);
      double p1[N * K], p2[N * K];
      CHECK(logreg_predict_proba(ms, svm, p1, &err) == LOGREG_OK);
      CHECK(logreg_predict_proba(ma, b, p2, &err) == LOGREG_OK);
      CHECK(memcmp(p1, p2, sizeof p1) == 0);
    }
    logreg_model_free(ms);
    logreg_model_free(ma);
    logreg_model_free(mb);
  }
  logreg_dataset_free(svm);
  logreg_dataset_free(a);
  logreg_dataset_free(b);
  /* Malformed arrays: one message each, naming the row. */
  int64_t ip[3] = {0, 2, 3};
  int32_t ix[3] = {0, 1, 1};
  double vx[3] = {1, 2, 3};
  logreg_dataset *bad = NULL;
  ix[1] = 0; /* a duplicate column in row 0 */
  CHECK(logreg_dataset_from_csr(2, 2, ip, ix, vx, LOGREG_FLOAT64, NULL, 0, NULL, NULL, &bad,
                                &err) == LOGREG_EINVAL &&
        strstr(err.message, "row 0, entry 1") != NULL);
  ix[1] = 1;
  ix[2] = 2; /* column 2 of 2 */
  CHECK(logreg_dataset_from_csr(2, 2, ip, ix, vx, LOGREG_FLOAT64, NULL, 0, NULL, NULL, &bad,
                                &err) == LOGREG_EINVAL &&
        strstr(err.message, "row 1, entry 0: column 2 outside") != NULL);
  ix[2] = 1;
  vx[2] = INFINITY;
  CHECK(logreg_dataset_from_csr(2, 2, ip, ix, vx, LOGREG_FLOAT64, NULL, 0, NULL, NULL, &bad,
                                &err) == LOGREG_EINVAL &&
        strstr(err.message, "row 1, column 1") != NULL);
  vx[2] = 3;
  ip[1] = 4; /* indptr decreases */
  CHECK(logreg_dataset_from_csr(2, 2, ip, ix, vx, LOGREG_FLOAT64, NULL, 0, NULL, NULL, &bad,
                                &err) == LOGREG_EINVAL &&
        strstr(err.message, "indptr decreases at row 1") != NULL);
  ip[1] = 2;
  int32_t yb[2] = {0, 5};
  CHECK(logreg_dataset_from_csr(2, 2, ip, ix, vx, LOGREG_FLOAT64, yb, 2, NULL, NULL, &bad, &err) ==
            LOGREG_EINVAL &&
        strstr(err.message, "label 5 of row 1") != NULL);
  CHECK(bad == NULL);
  CHECK(logreg_dataset_from_csr(2, 2, ip, ix, vx, LOGREG_FLOAT64, NULL, 0, NULL, NULL, &bad,
                                &err) == LOGREG_OK);
  logreg_dataset_free(bad);
}

/* A --binary model: one logit column, p1 = sigmoid(z) = 1 / (1 + exp(-z)). */
static void test_binary(void) {
  int32_t y2[N];
  for (size_t i = 0; i < N; i++) y2[i] = Y[i] == 2;
  logreg_dataset *ds = NULL;
  logreg_model *m = NULL;
  logreg_error err;
  logreg_params p;
  init_params(&p, 1);
  CHECK(logreg_dataset_from_buffer(N, D, X64, LOGREG_FLOAT64, STRIDE, y2, 2, NULL, NULL, NULL, 0,
                                   &ds, &err) == LOGREG_OK);
  if (ds) CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_OK);
  if (m) {
    CHECK(logreg_model_weight_columns(m) == 1);
    double w[D], b[1], z[N], pr[N * 2];
    logreg_model_raw_weights(m, w, b);
    CHECK(logreg_model_decision_function_buffer(m, N, D, X64, LOGREG_FLOAT64, STRIDE, z, &err) ==
          LOGREG_OK);
    CHECK(logreg_model_predict_proba_buffer(m, N, D, X64, LOGREG_FLOAT64, STRIDE, pr, &err) ==
          LOGREG_OK);
    for (size_t i = 5; i < N; i++) {
      double ref = b[0];
      for (size_t j = 0; j < D; j++) ref += (double)(float)X64[i * STRIDE + j] * w[j];
      CHECK_CLOSE(z[i], ref, 1e-12);
      CHECK_CLOSE(pr[i * 2 + 1], 1.0 / (1.0 + exp(-ref)), 1e-12);
      CHECK_CLOSE(pr[i * 2] + pr[i * 2 + 1], 1.0, 1e-15);
    }
  }
  logreg_model_free(m);
  logreg_dataset_free(ds);
}

/* from_buffer must fail with `status`, no dataset, and `needle` in the message. */
#define CHECK_BUFFER_ERROR(call, needle)                                                           \
  do {                                                                                             \
    logreg_dataset *ds_ = (logreg_dataset *)&ds_; /* not NULL: the call must clear it */           \
    logreg_error e_;                                                                               \
    CHECK((call) == LOGREG_EINVAL);                                                                \
    CHECK(ds_ == NULL);                                                                            \
    CHECK_STR_CONTAINS(e_.message, needle);                                                        \
  } while (0)

static void test_errors(void) {
  double x[4 * D];
  for (size_t i = 0; i < 4 * D; i++) x[i] = (double)i;
  int32_t y[4] = {0, 1, 0, 1};
  double w[4] = {1, 1, 1, 1};
  x[2 * D + 1] = INFINITY;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, D, x, LOGREG_FLOAT64, 0, y, 2, NULL, NULL, NULL, 0, &ds_, &e_),
      "X[2, 1] (row 2, column 1) is inf");
  x[2 * D + 1] = -INFINITY;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, D, x, LOGREG_FLOAT64, 0, y, 2, NULL, NULL, NULL, 0, &ds_, &e_),
      "(row 2, column 1) is -inf");
  x[2 * D + 1] = 1e39; /* finite in float64, inf in float32 */
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, D, x, LOGREG_FLOAT64, 0, y, 2, NULL, NULL, NULL, 0, &ds_, &e_),
      "(row 2, column 1) = 1e+39 is beyond float32's range");
  x[2 * D + 1] = 7;
  float xf[4 * D] = {0};
  xf[3 * D + 2] = INFINITY;
  CHECK_BUFFER_ERROR(logreg_dataset_from_buffer(4, D, xf, LOGREG_FLOAT32, 0, y, 2, NULL, NULL, NULL,
                                                LOGREG_BUFFER_BORROW, &ds_, &e_),
                     "(row 3, column 2) is inf");
  y[3] = 2;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, D, x, LOGREG_FLOAT64, 0, y, 2, NULL, NULL, NULL, 0, &ds_, &e_),
      "label 2 of row 3 is outside 0..1");
  y[3] = -1;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, D, x, LOGREG_FLOAT64, 0, y, 2, NULL, NULL, NULL, 0, &ds_, &e_),
      "label -1 of row 3 is outside 0..1");
  y[3] = 1;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, D, x, LOGREG_FLOAT64, 0, y, 0, NULL, NULL, NULL, 0, &ds_, &e_),
      "labels given but k = 0 classes");
  w[1] = -0.5;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, D, x, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, 0, &ds_, &e_),
      "sample weight -0.5 of row 1 is negative");
  w[1] = NAN;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, D, x, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, 0, &ds_, &e_),
      "of row 1 is not finite");
  w[1] = INFINITY;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, D, x, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, 0, &ds_, &e_),
      "sample weight inf of row 1 is not finite");
  w[1] = 1;
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, D, x, LOGREG_FLOAT64, 2, y, 2, w, NULL, NULL, 0, &ds_, &e_),
      "row stride 2 is less than the 3 features");
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, 0, x, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, 0, &ds_, &e_),
      "no features (d = 0)");
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, D, NULL, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, 0, &ds_, &e_),
      "X is NULL");
  CHECK_BUFFER_ERROR(
      logreg_dataset_from_buffer(4, D, x, (logreg_dtype)7, 0, y, 2, w, NULL, NULL, 0, &ds_, &e_),
      "X's type 7 is neither");
  /* A zero weight and -0 are fine (-0 kept as +0, as the CSV reader does). */
  logreg_dataset *ds = NULL;
  logreg_error err;
  w[0] = -0.0;
  w[2] = 0;
  CHECK(logreg_dataset_from_buffer(4, D, x, LOGREG_FLOAT64, 0, y, 2, w, NULL, NULL, 0, &ds, &err) ==
        LOGREG_OK);
  if (ds) CHECK(!signbit(logreg_dataset_weights(ds)[0]) && logreg_dataset_weights(ds)[0] == 0);
  logreg_dataset_free(ds);

  /* Predictions: the model's feature count, finite values, nothing written on an error. */
  ds = NULL;
  logreg_model *m = NULL;
  logreg_params p;
  init_params(&p, 0);
  CHECK(logreg_dataset_from_buffer(4, D, x, LOGREG_FLOAT64, 0, y, 2, NULL, NULL, NULL, 0, &ds,
                                   &err) == LOGREG_OK);
  if (ds) CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_OK);
  logreg_dataset_free(ds);
  if (!m) return;
  double out[8] = {42, 42, 42, 42, 42, 42, 42, 42};
  CHECK(logreg_model_predict_proba_buffer(m, 4, D - 1, x, LOGREG_FLOAT64, D, out, &err) ==
        LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "X has 2 features; the model expects 3");
  x[3 * D + 2] = -INFINITY;
  CHECK(logreg_model_predict_proba_buffer(m, 4, D, x, LOGREG_FLOAT64, 0, out, &err) ==
        LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "logreg_model_predict_proba_buffer: X[3, 2] (row 3, column 2)");
  CHECK(logreg_model_decision_function_buffer(m, 4, D, x, LOGREG_FLOAT64, 0, out, &err) ==
        LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "(row 3, column 2) is -inf");
  CHECK(out[0] == 42 && out[7] == 42);
  /* NaN predicts (imputed with the training median), as in a file. */
  x[3 * D + 2] = NAN;
  CHECK(logreg_model_predict_proba_buffer(m, 4, D, x, LOGREG_FLOAT64, 0, out, &err) == LOGREG_OK);
  CHECK(isfinite(out[6]) && isfinite(out[7]));
  CHECK_CLOSE(out[6] + out[7], 1.0, 1e-15);
  logreg_model_free(m);
}

int main(void) {
  make_data();
  char *text = make_csv();
  CHECK(text != NULL);
  logreg_dataset *csv = text ? read_csv(text) : NULL;
  CHECK(csv != NULL);
  test_dataset_float64(csv);
  test_dataset_float32(csv);
  test_train_and_predict(csv);
  test_binary();
  test_csr();
  test_errors();
  logreg_dataset_free(csv);
  free(text);
  check_tmp_cleanup("arrays");
  return check_report("test_arrays");
}
