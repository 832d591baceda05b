/* test_lbfgs.c: the L-BFGS pieces on functions whose minimum is known by hand:
 * - the line search returns steps that satisfy the strong Wolfe conditions (checked here
 *   from the returned point, not trusted from the flag);
 * - L-BFGS (two-loop recursion + that line search) takes Rosenbrock's function from the
 *   classic start (-1.2, 1) to its minimum (1, 1), and an ill-conditioned quadratic
 *   sum_i i x_i^2 / 2 - x_i to x_i = 1/i;
 * - the same quadratic with a rounding-like noise of 1e-8 relative on f (not on its gradient),
 *   as a float32 device's J has: the approximate Wolfe conditions take L-BFGS on to the
 *   minimum, where comparing noisy values alone stopped it.
 * The vectors live in a cpu backend (in double), as the solvers' vectors do. */
#include <stdint.h>
#include <stdlib.h>

#include "backend/backend.h"
#include "check.h"
#include "solve/lbfgs.h"

static int evals;

typedef logreg_status (*fg_fn)(void *ctx, const double *x, double *f, double *g, logreg_error *err);

static logreg_status rosenbrock(void *ctx, const double *x, double *f, double *g,
                                logreg_error *err) {
  (void)ctx, (void)err;
  double a = 1 - x[0], b = x[1] - x[0] * x[0];
  *f = a * a + 100 * b * b;
  g[0] = -2 * a - 400 * x[0] * b;
  g[1] = 200 * b;
  evals++;
  return LOGREG_OK;
}

enum { NQ = 50 };
static logreg_status quadratic(void *ctx, const double *x, double *f, double *g,
                               logreg_error *err) {
  (void)ctx, (void)err;
  *f = 0;
  for (int i = 0; i < NQ; i++) {
    double c = i + 1;
    *f += 0.5 * c * x[i] * x[i] - x[i];
    g[i] = c * x[i] - 1;
  }
  evals++;
  return LOGREG_OK;
}

/* The quadratic plus a deterministic pseudo-random term in [-2e-8, 2e-8) of x (f is near -2.2
 * at the minimum), the gradient exact. */
static logreg_status noisy_quadratic(void *ctx, const double *x, double *f, double *g,
                                     logreg_error *err) {
  quadratic(ctx, x, f, g, err);
  uint64_t h = 1469598103934665603ULL; /* FNV-1a over the bits of x */
  for (int i = 0; i < NQ; i++) {
    uint64_t u;
    memcpy(&u, &x[i], sizeof u);
    h = (h ^ u) * 1099511628211ULL;
  }
  *f += 4e-8 * ((double)(h >> 11) / 9007199254740992.0 - 0.5);
  return LOGREG_OK;
}

typedef struct search {
  fg_fn fg;
  lr_backend *be;
  size_t n;
  double *xt, *gt;
  int x, d, xn, gn;
} search;

static logreg_status read_vec(search *se, int v, double *out) {
  logreg_error err;
  return se->be->ops->vec_read(se->be, v, out, &err);
}

/* phi(alpha) = f(x + alpha d), and g.d there: through the backend's vectors, f and g on the
 * host. */
static logreg_status phi(void *ctx, double alpha, double *f, double *dg, logreg_error *err) {
  search *se = ctx;
  lr_backend *be = se->be;
  logreg_status st;
  if ((st = be->ops->vec_lincomb(be, LR_VEC_THETA, 1.0, se->x, alpha, se->d, se->n, err)) ||
      (st = read_vec(se, LR_VEC_THETA, se->xt)) || (st = se->fg(NULL, se->xt, f, se->gt, err)) ||
      (st = be->ops->vec_write(be, LR_VEC_GRAD, se->gt, err)))
    return st;
  return be->ops->vec_dot(be, LR_VEC_GRAD, se->d, se->n, dg, err);
}

static logreg_status keep(void *ctx, logreg_error *err) {
  search *se = ctx;
  lr_backend *be = se->be;
  logreg_status st = be->ops->vec_lincomb(be, se->xn, 1.0, LR_VEC_THETA, 0.0, se->x, 0, err);
  return st ? st : be->ops->vec_lincomb(be, se->gn, 1.0, LR_VEC_GRAD, 0.0, se->x, 0, err);
}

/* Minimizes fg from x (n variables) like the lbfgs solver does; returns iterations used. */
static int minimize(fg_fn fg, size_t n, double *x, int max_iter, double tol) {
  lr_backend *be = NULL;
  logreg_error err;
  /* A binary model of n - 1 features has vectors of n numbers. */
  CHECK(lr_reference_backend_create(n - 1, 2, 1, 1.0, &be, &err) == LOGREG_OK);
  lr_lbfgs lb;
  CHECK(lr_lbfgs_init(&lb, be, 10, &err) == LOGREG_OK);
  int first;
  CHECK(be->ops->vec_alloc(be, 5, &first, &err) == LOGREG_OK);
  search se = {
      fg,        be,        n,        calloc(n, sizeof(double)), calloc(n, sizeof(double)), first,
      first + 1, first + 2, first + 3};
  int vg = first + 4;
  double *g = calloc(n, sizeof *g), *d = calloc(n, sizeof *d), *gn = calloc(n, sizeof *gn), f;
  fg(NULL, x, &f, g, &err);
  be->ops->vec_write(be, se.x, x, &err);
  be->ops->vec_write(be, vg, g, &err);
  int it;
  for (it = 0; it < max_iter; it++) {
    double gmax = 0, gg = 0, dg0 = 0;
    for (size_t i = 0; i < n; i++) gmax = fmax(gmax, fabs(g[i])), gg += g[i] * g[i];
    if (gmax <= tol) break;
    CHECK(lr_lbfgs_direction(&lb, vg, se.d, &err) == LOGREG_OK);
    be->ops->vec_dot(be, vg, se.d, n, &dg0, &err);
    CHECK(dg0 < 0);
    lr_line_result r;
    double a0 = lb.count ? 1.0 : fmin(1.0, 1.0 / sqrt(gg));
    CHECK(lr_line_search(phi, keep, &se, f, dg0, a0, 1e-4, 0.9, 20, &r, &err) == LOGREG_OK);
    if (r.alpha == 0) break;
    /* Strong Wolfe, checked from the returned point. */
    double dgn = 0, fn;
    read_vec(&se, se.xn, x);
    read_vec(&se, se.gn, gn);
    read_vec(&se, se.d, d);
    for (size_t i = 0; i < n; i++) dgn += gn[i] * d[i];
    fg(NULL, x, &fn, g, &err); /* recompute f (and g) at the returned point */
    CHECK_CLOSE(fn, r.f, 1e-15);
    if (r.wolfe) {
      CHECK(r.f <= f + 1e-4 * r.alpha * dg0);
      CHECK(fabs(dgn) <= 0.9 * fabs(dg0));
    }
    int stored;
    CHECK(lr_lbfgs_push(&lb, se.xn, se.x, se.gn, vg, &stored, &err) == LOGREG_OK);
    be->ops->vec_write(be, se.x, x, &err);
    be->ops->vec_write(be, vg, g, &err);
    f = r.f;
  }
  free(g), free(d), free(gn), free(se.xt), free(se.gt);
  lr_backend_destroy(be);
  return it;
}

int main(void) {
  double x[NQ] = {-1.2, 1.0};
  evals = 0;
  int it = minimize(rosenbrock, 2, x, 200, 1e-10);
  fprintf(stderr, "rosenbrock: %d iterations, %d evaluations, x = (%.12f, %.12f)\n", it, evals,
          x[0], x[1]);
  CHECK(it < 100);
  CHECK_CLOSE(x[0], 1.0, 1e-8);
  CHECK_CLOSE(x[1], 1.0, 1e-8);

  for (int i = 0; i < NQ; i++) x[i] = 0;
  evals = 0;
  it = minimize(quadratic, NQ, x, 500, 1e-12);
  fprintf(stderr, "quadratic (condition %d): %d iterations, %d evaluations\n", NQ, it, evals);
  for (int i = 0; i < NQ; i++) CHECK_CLOSE(x[i], 1.0 / (i + 1), 1e-10);
  CHECK(it < 100);

  for (int i = 0; i < NQ; i++) x[i] = 0;
  evals = 0;
  it = minimize(noisy_quadratic, NQ, x, 500, 1e-12);
  double worst = 0;
  for (int i = 0; i < NQ; i++) worst = fmax(worst, fabs(x[i] - 1.0 / (i + 1)));
  fprintf(stderr, "quadratic with noise on f: %d iterations, max |x_i - 1/i| = %.2g\n", it, worst);
  CHECK(worst <= 1e-10);
  return check_report("test_lbfgs");
}
