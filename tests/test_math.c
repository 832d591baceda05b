/* test_math.c: the reference math against hand computations and finite differences.
 *
 * - softmax, loss and gradient at logits of magnitude 1e4 (finite, equal to values worked out
 *   by hand below);
 * - the analytic gradient of J against central finite differences, multinomial and binary,
 *   with L2, class weights and pos_weight: relative error <= 1e-6 in double. */
#include <stdint.h>

#include "backend/backend.h"
#include "check.h"
#include "solve/objective.h"
#include "util/util.h"

static void test_softmax_small(void) {
  /* z = (1, 2, 3): p_c = e^c / (e + e^2 + e^3), lse = log(e + e^2 + e^3). */
  double z[3] = {1, 2, 3}, p[3];
  double zmax, lse = lr_softmax(z, 3, p, &zmax);
  lse += zmax;
  double e1 = 2.718281828459045, e2 = e1 * e1, e3 = e2 * e1, sum = e1 + e2 + e3;
  CHECK_CLOSE(lse, log(sum), 1e-15);
  CHECK_CLOSE(p[0], e1 / sum, 1e-15);
  CHECK_CLOSE(p[1], e2 / sum, 1e-15);
  CHECK_CLOSE(p[2], e3 / sum, 1e-15);
}

static void test_extreme_multinomial(void) {
  /* One row x = 1, W = (1e4, 0, -1e4), b = 0, so z = (1e4, 0, -1e4), label 1.
   * lse = 1e4 + log(1 + e^-1e4 + e^-2e4) = 1e4 exactly in double; loss = lse - z_1 = 1e4.
   * p = (1, e^-1e4, e^-2e4) = (1, 0, 0); dJ/dz = p - onehot(1) = (1, -1, 0) = dW = db. */
  float x[1] = {1.0f};
  int32_t y[1] = {1};
  double w[3] = {1e4, 0, -1e4}, b[3] = {0, 0, 0}, gw[3], gb[3];
  lr_eval_out out;
  CHECK(lr_reference_eval(x, y, NULL, NULL, 1, 1, 3, 0, 0.0, 1.0, w, b, &out, gw, gb) == 0);
  CHECK(isfinite(out.objective));
  CHECK_CLOSE(out.objective, 1e4, 0);
  CHECK_CLOSE(out.loss, 1e4, 0);
  CHECK(out.correct == 0.0);
  double want[3] = {1, -1, 0};
  for (int c = 0; c < 3; c++) {
    CHECK(isfinite(gw[c]) && isfinite(gb[c]));
    CHECK_CLOSE(gw[c], want[c], 1e-300);
    CHECK_CLOSE(gb[c], want[c], 1e-300);
  }
  /* Label 0, and two tied huge logits: z = (1e4, 1e4, -1e4): loss = log 2, p = (.5, .5, 0). */
  double w2[3] = {1e4, 1e4, -1e4}, z[3] = {1e4, 1e4, -1e4}, p[3];
  y[0] = 0;
  CHECK(lr_reference_eval(x, y, NULL, NULL, 1, 1, 3, 0, 0.0, 1.0, w2, b, &out, gw, gb) == 0);
  CHECK_CLOSE(out.objective, 0.6931471805599453, 1e-15);
  CHECK_CLOSE(gw[0], -0.5, 1e-15);
  CHECK_CLOSE(gw[1], 0.5, 1e-15);
  CHECK_CLOSE(gw[2], 0.0, 1e-300);
  double zmax, lsum = lr_softmax(z, 3, p, &zmax);
  CHECK(zmax == 1e4);
  CHECK_CLOSE(lsum, 0.6931471805599453, 1e-15);
  CHECK(p[2] == 0.0 && p[0] == 0.5 && p[1] == 0.5);
}

static void test_extreme_binary(void) {
  double dz;
  /* z = 1e4, y = 0: loss = softplus(1e4) = 1e4, dl/dz = sigma(1e4) = 1. */
  CHECK_CLOSE(lr_binary_loss(1e4, 0, 1.0, &dz), 1e4, 0);
  CHECK_CLOSE(dz, 1.0, 0);
  /* z = -1e4, y = 1: loss = softplus(1e4) = 1e4, dl/dz = sigma(-1e4) - 1 = -1. */
  CHECK_CLOSE(lr_binary_loss(-1e4, 1, 1.0, &dz), 1e4, 0);
  CHECK_CLOSE(dz, -1.0, 0);
  /* z = -1e4, y = 0: loss = log1p(e^-1e4) = 0 (underflows cleanly), dl/dz = 0. */
  CHECK(lr_binary_loss(-1e4, 0, 1.0, &dz) == 0.0);
  CHECK(dz == 0.0);
  /* pos_weight 3 multiplies the positive term: z = 0, y = 1: 3 log 2, dl/dz = 3 (0.5 - 1). */
  CHECK_CLOSE(lr_binary_loss(0.0, 1, 3.0, &dz), 3 * 0.6931471805599453, 1e-15);
  CHECK_CLOSE(dz, -1.5, 1e-15);
  /* softplus at moderate values against the plain formula. */
  CHECK_CLOSE(lr_softplus(0.5), log(1 + exp(0.5)), 1e-15);
  CHECK_CLOSE(lr_softplus(-30), log1p(exp(-30.0)), 1e-15);
  CHECK_CLOSE(lr_softplus(800), 800, 0);
  /* Through the full evaluation: one row, x = 1, w = -1e4, label 1. */
  float x[1] = {1.0f};
  int32_t y[1] = {1};
  double w[1] = {-1e4}, b[1] = {0}, gw[1], gb[1];
  lr_eval_out out;
  CHECK(lr_reference_eval(x, y, NULL, NULL, 1, 1, 2, 1, 0.0, 1.0, w, b, &out, gw, gb) == 0);
  CHECK_CLOSE(out.objective, 1e4, 0);
  CHECK_CLOSE(gw[0], -1.0, 0);
  CHECK_CLOSE(gb[0], -1.0, 0);
}

/* Relative error of the analytic gradient against central differences of J. */
static double fd_error(int binary, double l2, double pos_weight, int weighted) {
  enum { N = 57, D = 5, K = 4 };
  size_t k = binary ? 2 : K, kw = binary ? 1 : K;
  float x[N * D], s[N];
  int32_t y[N];
  double w[D * K], b[K], gw[D * K], gb[K];
  lr_rng rng;
  lr_rng_seed(&rng, binary ? 7 : 3);
  for (int i = 0; i < N * D; i++) x[i] = (float)lr_rng_normal(&rng);
  for (int i = 0; i < N; i++) {
    y[i] = (int32_t)lr_rng_below(&rng, k);
    /* Class weights as the trainer forms them (a weight per class), times a row weight. */
    s[i] = weighted ? (float)((1.0 + (double)y[i]) * (0.5 + lr_rng_uniform(&rng))) : 1.0f;
  }
  for (size_t j = 0; j < D * kw; j++) w[j] = 0.7 * lr_rng_normal(&rng);
  for (size_t c = 0; c < kw; c++) b[c] = 0.3 * lr_rng_normal(&rng);
  lr_eval_out out;
  CHECK(lr_reference_eval(x, y, weighted ? s : NULL, NULL, N, D, k, binary, l2, pos_weight, w, b,
                          &out, gw, gb) == 0);
  double num = 0, den = 0, h = 1e-5;
  for (size_t t = 0; t < D * kw + kw; t++) {
    double *theta = t < D * kw ? &w[t] : &b[t - D * kw];
    double g = t < D * kw ? gw[t] : gb[t - D * kw], keep = *theta;
    lr_eval_out plus, minus;
    *theta = keep + h;
    lr_reference_eval(x, y, weighted ? s : NULL, NULL, N, D, k, binary, l2, pos_weight, w, b, &plus,
                      NULL, NULL);
    *theta = keep - h;
    lr_reference_eval(x, y, weighted ? s : NULL, NULL, N, D, k, binary, l2, pos_weight, w, b,
                      &minus, NULL, NULL);
    *theta = keep;
    double fd = (plus.objective - minus.objective) / (2 * h);
    num += (g - fd) * (g - fd);
    den += fd * fd;
  }
  return sqrt(num / den);
}

static void test_finite_differences(void) {
  static const struct {
    const char *what;
    int binary;
    double l2, pos_weight;
    int weighted;
  } cases[] = {
      {"multinomial", 0, 0.0, 1.0, 0},
      {"multinomial + l2 + class weights", 0, 0.1, 1.0, 1},
      {"binary", 1, 0.0, 1.0, 0},
      {"binary + l2 + class weights + pos_weight", 1, 0.05, 2.5, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double e = fd_error(cases[i].binary, cases[i].l2, cases[i].pos_weight, cases[i].weighted);
    fprintf(stderr, "%s: rel err %.3g\n", cases[i].what, e);
    CHECK(e <= 1e-6);
  }
}

/* lr_sigmoid and its complement (what binary prediction reports as p1 and p0): each side
 * keeps its precision where the other rounds to 1, and the two add up to 1. */
static void test_sigmoid(void) {
  double c;
  CHECK(lr_sigmoid(0.0, &c) == 0.5 && c == 0.5);
  CHECK(lr_sigmoid(40.0, &c) == 1.0);
  CHECK_CLOSE(c / exp(-40.0), 1.0, 1e-15); /* not 1 - 1 = 0 */
  CHECK_CLOSE(lr_sigmoid(-40.0, &c) / exp(-40.0), 1.0, 1e-15);
  CHECK(c == 1.0);
  CHECK(lr_sigmoid(-1e4, &c) == 0.0 && c == 1.0);
  for (double z = -5.0; z <= 5.0; z += 0.75) {
    double p = lr_sigmoid(z, &c);
    CHECK_CLOSE(p, 1.0 / (1.0 + exp(-z)), 1e-15);
    CHECK_CLOSE(p + c, 1.0, 1e-15);
    CHECK(lr_sigmoid(z, NULL) == p);
  }
}

int main(void) {
  test_softmax_small();
  test_extreme_multinomial();
  test_extreme_binary();
  test_sigmoid();
  test_finite_differences();
  return check_report("test_math");
}
