/* test_hv.c: the reference Hessian-vector product (lr_reference_hv) against central finite
 * differences of the reference gradient (lr_reference_eval), and the two properties every
 * Hessian of this loss has: symmetry (v1 . H v2 == v2 . H v1) and positive semi-definiteness
 * (v . H v >= 0; for softmax, 0 exactly along a shift of all classes' logits by the same amount).
 *
 * lr_reference_eval's gradient is of J = sum s_i l_i / sum s_i + l2/2 ||W||^2; with l2 = 0 and
 * multiplied by sum s it is the gradient g of the raw sum that lr_reference_hv differentiates.
 * Central differences (g(theta + h v) - g(theta - h v)) / 2h in double, h = 1e-4:
 *   truncation  h^2/6 |g'''[v, v, v]|: the logits' third derivatives are O(1) and v is scaled
 *               so that u = V^T x + vb is O(1), so about 1e-8 / 6 of ||H v||;
 *   rounding    eps |g| / h ~ 1e-16 / 1e-4 = 1e-12 of ||g||.
 * Bound: ||fd - Hv|| <= 1e-6 ||Hv|| (a hundred times the truncation estimate; the measured
 * errors are printed). Symmetry and v . H v >= 0 are exact in arithmetic: double rounding of
 * sums of a few hundred terms leaves about 1e-13 of sqrt((v1 . H v1)(v2 . H v2)) (the Cauchy-
 * Schwarz bound of |v1 . H v2|); bound 1e-10. The Hessian's diagonal (lr_reference_hdiag)
 * equals e_t . H e_t within 1e-12 relative (the same sums in another order of operations). */
#include <stdlib.h>

#include "backend/backend.h"
#include "check.h"
#include "solve/objective.h"
#include "util/util.h"

typedef struct hv_case {
  size_t n, d, k;
  int binary;
  double pos_weight;
  int subset; /* evaluate over a reversed subset of the rows (the `rows` argument) */
} hv_case;

static double dot(const double *a, const double *b, size_t n) {
  double t = 0;
  for (size_t i = 0; i < n; i++) t += a[i] * b[i];
  return t;
}

/* The raw gradient sum_i s_i dl_i/dtheta at theta = [w | b], as one [(d + 1) kw] vector. */
static void raw_grad(const hv_case *c, const float *x, const int32_t *y, const float *s,
                     const uint32_t *rows, size_t m, const double *theta, double *g) {
  size_t kw = c->binary ? 1 : c->k, nw = c->d * kw;
  lr_eval_out out;
  CHECK(lr_reference_eval(x, y, s, rows, m, c->d, c->k, c->binary, 0.0, c->pos_weight, theta,
                          theta + nw, &out, g, g + nw) == 0);
  double ssum = 0;
  for (size_t i = 0; i < m; i++) ssum += s[rows ? rows[i] : i];
  for (size_t t = 0; t < nw + kw; t++) g[t] *= ssum;
}

/* A random direction whose per-row u = V^T x + vb is O(1) for standardized x. */
static void random_dir(lr_rng *r, size_t d, size_t np, double *v) {
  double scale = 1.0 / sqrt((double)(d + 1));
  for (size_t t = 0; t < np; t++) v[t] = scale * lr_rng_normal(r);
}

static void run_case(const hv_case *c, uint64_t seed) {
  size_t n = c->n, d = c->d, kw = c->binary ? 1 : c->k, nw = d * kw, np = nw + kw;
  float *x = malloc(n * d * sizeof *x), *s = malloc(n * sizeof *s);
  int32_t *y = malloc(n * sizeof *y);
  uint32_t *rows = malloc(n * sizeof *rows);
  double *theta = malloc(np * sizeof *theta), *v1 = malloc(np * sizeof *v1),
         *v2 = malloc(np * sizeof *v2), *hv1 = malloc(np * sizeof *hv1),
         *hv2 = malloc(np * sizeof *hv2), *tp = malloc(np * sizeof *tp),
         *gp = malloc(np * sizeof *gp), *gm = malloc(np * sizeof *gm);
  lr_rng r;
  lr_rng_seed(&r, seed);
  for (size_t i = 0; i < n * d; i++) x[i] = (float)lr_rng_normal(&r);
  for (size_t i = 0; i < n; i++) {
    y[i] = (int32_t)lr_rng_below(&r, c->k);
    s[i] = (float)(0.25 + 1.5 * lr_rng_uniform(&r));
  }
  /* theta: logits of spread about 1-2, so that p and sigma are far from 0, 1 and 1/2. */
  random_dir(&r, d, np, theta);
  for (size_t t = 0; t < np; t++) theta[t] *= 1.5;
  random_dir(&r, d, np, v1);
  random_dir(&r, d, np, v2);
  size_t m = n;
  const uint32_t *rw = NULL;
  if (c->subset) { /* every other row, last first */
    m = 0;
    for (size_t i = n; i-- > 0;)
      if (i % 2 == 0) rows[m++] = (uint32_t)i;
    rw = rows;
  }

  CHECK(lr_reference_hv(x, y, s, rw, m, d, c->k, c->binary, c->pos_weight, theta, theta + nw, v1,
                        hv1) == 0);
  CHECK(lr_reference_hv(x, y, s, rw, m, d, c->k, c->binary, c->pos_weight, theta, theta + nw, v2,
                        hv2) == 0);

  /* Central differences of the raw gradient along v1. */
  const double h = 1e-4;
  for (size_t t = 0; t < np; t++) tp[t] = theta[t] + h * v1[t];
  raw_grad(c, x, y, s, rw, m, tp, gp);
  for (size_t t = 0; t < np; t++) tp[t] = theta[t] - h * v1[t];
  raw_grad(c, x, y, s, rw, m, tp, gm);
  double num = 0, den = 0;
  for (size_t t = 0; t < np; t++) {
    double fd = (gp[t] - gm[t]) / (2 * h);
    num += (fd - hv1[t]) * (fd - hv1[t]);
    den += hv1[t] * hv1[t];
  }
  double rel = sqrt(num / den);
  double q1 = dot(v1, hv1, np), q2 = dot(v2, hv2, np);
  double sym = fabs(dot(v1, hv2, np) - dot(v2, hv1, np)) / sqrt(q1 * q2);
  fprintf(stderr, "  n=%zu d=%zu k=%zu%s pw=%g%s: fd rel %.2g, symmetry rel %.2g, v.Hv %.4g %.4g\n",
          m, d, c->k, c->binary ? " binary" : "", c->pos_weight, c->subset ? " (rows subset)" : "",
          rel, sym, q1, q2);
  CHECK(den > 0);
  CHECK(rel <= 1e-6);
  CHECK(sym <= 1e-10);
  CHECK(q1 > 0 && q2 > 0); /* random directions: positive (not merely >= 0) */

  /* The Hessian's diagonal (Newton-CG's preconditioner): entry t is e_t . H e_t, the product
   * along the unit vector; a different path through the code (x_j^2 h in place of x_j u). */
  CHECK(lr_reference_hdiag(x, y, s, rw, m, d, c->k, c->binary, c->pos_weight, theta, theta + nw,
                           hv1) == 0);
  double worst = 0;
  for (size_t t = 0; t < np; t++) {
    for (size_t q = 0; q < np; q++) v2[q] = q == t ? 1.0 : 0.0;
    CHECK(lr_reference_hv(x, y, s, rw, m, d, c->k, c->binary, c->pos_weight, theta, theta + nw, v2,
                          hv2) == 0);
    CHECK(hv1[t] > 0);
    worst = fmax(worst, fabs(hv1[t] - hv2[t]) / hv2[t]);
  }
  fprintf(stderr, "    diagonal against e_t . H e_t: rel %.2g\n", worst);
  CHECK(worst <= 1e-12);
  CHECK(lr_reference_hv(x, y, s, rw, m, d, c->k, c->binary, c->pos_weight, theta, theta + nw, v1,
                        hv1) == 0);

  /* PSD along many random directions. */
  for (int rep = 0; rep < 20; rep++) {
    random_dir(&r, d, np, v2);
    CHECK(lr_reference_hv(x, y, s, rw, m, d, c->k, c->binary, c->pos_weight, theta, theta + nw, v2,
                          hv2) == 0);
    CHECK(dot(v2, hv2, np) >= 0);
  }

  /* Softmax is unchanged when every class's logit moves by the same amount: along a v whose
   * classes all share one column (V[j, c] = a_j, vb_c = a_0), u is the same for every class
   * and H v = 0. */
  if (!c->binary) {
    for (size_t j = 0; j <= d; j++) {
      double a = lr_rng_normal(&r);
      for (size_t cl = 0; cl < kw; cl++) v2[j * kw + cl] = a; /* j == d: the bias part */
    }
    CHECK(lr_reference_hv(x, y, s, rw, m, d, c->k, c->binary, c->pos_weight, theta, theta + nw, v2,
                          hv2) == 0);
    double nrm = sqrt(dot(hv2, hv2, np)), scale = sqrt(dot(hv1, hv1, np));
    CHECK(nrm <= 1e-12 * scale);
  }

  free(x);
  free(s);
  free(y);
  free(rows);
  free(theta);
  free(v1);
  free(v2);
  free(hv1);
  free(hv2);
  free(tp);
  free(gp);
  free(gm);
}

int main(void) {
  const hv_case cases[] = {
      {57, 5, 2, 1, 2.5, 0},  /* binary, pos_weight != 1 */
      {57, 5, 2, 1, 1.0, 1},  /* binary, a subset of the rows */
      {80, 7, 3, 0, 1.0, 0},  /* softmax K = 3 */
      {80, 7, 3, 0, 1.0, 1},  /* K = 3, a subset of the rows */
      {120, 9, 10, 0, 1.0, 0} /* K = 10 */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_case(&cases[i], 300 + i);

  /* By hand: one row x = (2), s = 3, binary, y = 1, pos_weight 2, theta = 0 (sigma = 1/2):
   * r = 3 * 2 * 1/4 * u with u = 2 V + vb; H v = [2 r | r]. */
  {
    const float x[1] = {2.0f}, s[1] = {3.0f};
    const int32_t y[1] = {1};
    const double w[1] = {0}, b[1] = {0}, v[2] = {0.5, -0.25};
    double hv[2];
    CHECK(lr_reference_hv(x, y, s, NULL, 1, 1, 2, 1, 2.0, w, b, v, hv) == 0);
    double rr = 3.0 * 2.0 * 0.25 * (2.0 * 0.5 - 0.25);
    CHECK_CLOSE(hv[0], 2.0 * rr, 1e-15);
    CHECK_CLOSE(hv[1], rr, 1e-15);
  }
  return check_report("test_hv");
}
