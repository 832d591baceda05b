/* test_backend.c: the CPU backend through the backend interface (backend.h), the way the
 * solvers use it: ranged evaluations in a given row order against a direct double-precision
 * computation written out here, the gradient it keeps against finite differences of its own
 * objective, and one step of each optimizer against its textbook formula (Adagrad: three). */
#include <stdlib.h>

#include "backend/backend.h"
#include "check.h"
#include "solve/objective.h"
#include "steps.h"
#include "util/util.h"
#include "vecs.h"

enum { N = 23, D = 3, K = 4 };

/* J over rows[0..m) of (x, y, s), written without any helper from the library. */
static double direct_objective(const float *x, const int32_t *y, const float *s,
                               const uint32_t *rows, size_t m, const double *w, const double *b,
                               double l2) {
  double num = 0, den = 0;
  for (size_t t = 0; t < m; t++) {
    size_t i = rows[t];
    double z[K], mx = -1e300, sum = 0;
    for (int c = 0; c < K; c++) {
      z[c] = b[c];
      for (int j = 0; j < D; j++) z[c] += (double)x[i * D + (size_t)j] * w[j * K + c];
      if (z[c] > mx) mx = z[c];
    }
    for (int c = 0; c < K; c++) sum += exp(z[c] - mx);
    num += s[i] * (mx + log(sum) - z[y[i]]);
    den += s[i];
  }
  double w2 = 0;
  for (int j = 0; j < D * K; j++) w2 += w[j] * w[j];
  return num / den + 0.5 * l2 * w2;
}

int main(void) {
  float x[N * D], s[N];
  int32_t y[N];
  double w[D * K], b[K];
  lr_rng r;
  lr_rng_seed(&r, 99);
  for (int i = 0; i < N * D; i++) x[i] = (float)lr_rng_normal(&r);
  for (int i = 0; i < N; i++) y[i] = (int32_t)lr_rng_below(&r, K), s[i] = (float)(1 + i % 3);
  for (int j = 0; j < D * K; j++) w[j] = lr_rng_normal(&r);
  for (int c = 0; c < K; c++) b[c] = lr_rng_normal(&r);
  const double l2 = 0.05;

  lr_backend *be = NULL;
  logreg_error err;
  CHECK(make_backend("reference", NULL, D, K, 0, 1.0, NULL, &be, &err) == LOGREG_OK);
  if (!be) return check_report("test_backend");
  const lr_backend_ops *ops = be->ops;
  lr_objective obj;
  lr_objective_init(&obj, be, l2);
  CHECK(ops->set_data(be, LR_SLOT_TRAIN, x, y, s, N, &err) == LOGREG_OK);
  CHECK(vec_set_wb(be, LR_VEC_THETA, w, b, &err) == LOGREG_OK);

  /* Ranged evaluation in a shuffled order: rows order[5..5+9). */
  uint32_t order[N];
  for (uint32_t i = 0; i < N; i++) order[i] = (uint32_t)((i * 7 + 3) % N);
  CHECK(ops->set_order(be, order, &err) == LOGREG_OK);
  lr_eval_out ev;
  CHECK(lr_objective_eval(&obj, LR_SLOT_TRAIN, 5, 9, 0, &ev, &err) == LOGREG_OK);
  CHECK_CLOSE(ev.objective, direct_objective(x, y, s, order + 5, 9, w, b, l2), 1e-14);
  /* Identity order again, whole data. */
  CHECK(ops->set_order(be, NULL, &err) == LOGREG_OK);
  uint32_t ident[N];
  for (uint32_t i = 0; i < N; i++) ident[i] = i;
  CHECK(lr_objective_eval(&obj, LR_SLOT_TRAIN, 0, N, 1, &ev, &err) == LOGREG_OK);
  double j0 = direct_objective(x, y, s, ident, N, w, b, l2);
  CHECK_CLOSE(ev.objective, j0, 1e-14);
  /* Out-of-range rows are refused. */
  lr_eval_out bad;
  CHECK(lr_objective_eval(&obj, LR_SLOT_TRAIN, 20, 9, 0, &bad, &err) == LOGREG_EINVAL);

  /* The kept gradient, read back through one GD step of rate 1: g = w0 - w1. */
  logreg_params p;
  logreg_params_init(&p);
  CHECK(solver_step(be, &obj, LOGREG_OPTIMIZER_GD, &p, 1.0, 1, &err) == LOGREG_OK);
  double w1[D * K], b1[K], g[D * K + K];
  CHECK(vec_get_wb(be, LR_VEC_THETA, w1, b1, &err) == LOGREG_OK);
  for (int j = 0; j < D * K; j++) g[j] = w[j] - w1[j];
  for (int c = 0; c < K; c++) g[D * K + c] = b[c] - b1[c];
  double gmax = 0, num = 0, den = 0;
  for (int t = 0; t < D * K + K; t++) {
    double *theta = t < D * K ? &w[t] : &b[t - D * K], keep = *theta, h = 1e-6;
    *theta = keep + h;
    double jp = direct_objective(x, y, s, ident, N, w, b, l2);
    *theta = keep - h;
    double jm = direct_objective(x, y, s, ident, N, w, b, l2);
    *theta = keep;
    double fd = (jp - jm) / (2 * h);
    num += (g[t] - fd) * (g[t] - fd);
    den += fd * fd;
    gmax = fmax(gmax, fabs(g[t]));
  }
  CHECK(sqrt(num / den) <= 1e-7);
  CHECK_CLOSE(ev.grad_max, gmax, 1e-12);

  /* Each optimizer's first step from w with gradient g (state is fresh per backend). */
  const double lr = 0.01, mu = 0.9, b1c = 0.9, b2c = 0.999, eps = 1e-8;
  for (int kind = 0; kind < 4; kind++) {
    lr_backend *bk = NULL;
    CHECK(make_backend("reference", NULL, D, K, 0, 1.0, NULL, &bk, &err) == LOGREG_OK);
    lr_objective ok;
    lr_objective_init(&ok, bk, l2);
    bk->ops->set_data(bk, LR_SLOT_TRAIN, x, y, s, N, &err);
    vec_set_wb(bk, LR_VEC_THETA, w, b, &err);
    CHECK(lr_objective_eval(&ok, LR_SLOT_TRAIN, 0, N, 1, &ev, &err) == LOGREG_OK);
    p.momentum = mu, p.beta1 = b1c, p.beta2 = b2c, p.eps = eps;
    logreg_optimizer opt = kind == 3   ? LOGREG_OPTIMIZER_ADAM
                           : kind >= 1 ? LOGREG_OPTIMIZER_MOMENTUM
                                       : LOGREG_OPTIMIZER_GD;
    p.nesterov = kind == 2;
    CHECK(solver_step(bk, &ok, opt, &p, lr, 1, &err) == LOGREG_OK);
    double wn[D * K], bn[K];
    vec_get_wb(bk, LR_VEC_THETA, wn, bn, &err);
    for (int t = 0; t < D * K + K; t++) {
      double before = t < D * K ? w[t] : b[t - D * K], after = t < D * K ? wn[t] : bn[t - D * K];
      double want;
      if (kind == 0 || kind == 1) /* GD; momentum's first velocity is g itself */
        want = before - lr * g[t];
      else if (kind == 2) /* Nesterov: v = g, step g + mu v */
        want = before - lr * (g[t] + mu * g[t]);
      else /* Adam, t = 1: m_hat = g, v_hat = g^2 */
        want = before - lr * g[t] / (fabs(g[t]) + eps);
      CHECK_CLOSE(after, want, 1e-12);
    }
    lr_backend_destroy(bk);
  }

  /* Adagrad (PyTorch's: eps 1e-10, accumulator from 0): three full-batch steps against the same
   * steps written out here from the reference gradient (lr_reference_eval) at the reference's
   * own iterates, with an accumulator of its own. */
  const double alr = 0.1, aeps = 1e-10;
  lr_backend *ba = NULL;
  CHECK(make_backend("reference", NULL, D, K, 0, 1.0, NULL, &ba, &err) == LOGREG_OK);
  if (ba) {
    lr_objective oa;
    lr_objective_init(&oa, ba, l2);
    CHECK(ba->ops->set_data(ba, LR_SLOT_TRAIN, x, y, s, N, &err) == LOGREG_OK);
    CHECK(vec_set_wb(ba, LR_VEC_THETA, w, b, &err) == LOGREG_OK);
    double wr[D * K], br[K], rgw[D * K], rgb[K], acc[D * K + K] = {0};
    memcpy(wr, w, sizeof wr);
    memcpy(br, b, sizeof br);
    for (long step = 1; step <= 3; step++) {
      CHECK(lr_objective_eval(&oa, LR_SLOT_TRAIN, 0, N, 1, &ev, &err) == LOGREG_OK);
      CHECK(solver_step(ba, &oa, LOGREG_OPTIMIZER_ADAGRAD, &p, alr, step, &err) == LOGREG_OK);
      lr_eval_out ref;
      CHECK(lr_reference_eval(x, y, s, NULL, N, D, K, 0, l2, 1.0, wr, br, &ref, rgw, rgb) == 0);
      for (int t = 0; t < D * K + K; t++) {
        double gt = t < D * K ? rgw[t] : rgb[t - D * K], *th = t < D * K ? &wr[t] : &br[t - D * K];
        acc[t] += gt * gt;
        *th -= alr * gt / (sqrt(acc[t]) + aeps);
      }
      double wn[D * K], bn[K];
      CHECK(vec_get_wb(ba, LR_VEC_THETA, wn, bn, &err) == LOGREG_OK);
      for (int t = 0; t < D * K; t++) CHECK_CLOSE(wn[t], wr[t], 1e-12);
      for (int c = 0; c < K; c++) CHECK_CLOSE(bn[c], br[c], 1e-12);
    }
    lr_backend_destroy(ba);
  }
  lr_backend_destroy(be);

  /* An unknown backend name is an error that names the option. */
  CHECK(make_backend("quantum", NULL, D, K, 0, 1, NULL, &be, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'device'");
  return check_report("test_backend");
}
