/* lbfgs.c: the L-BFGS two-loop recursion and a strong-Wolfe line search (see lbfgs.h). */
#include "solve/lbfgs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double dot(const double *a, const double *b, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

int lr_lbfgs_init(lr_lbfgs *lb, size_t n, int m) {
  memset(lb, 0, sizeof *lb);
  lb->n = n;
  lb->m = m;
  size_t mm = (size_t)m;
  lb->s = malloc(mm * n * sizeof *lb->s);
  lb->y = malloc(mm * n * sizeof *lb->y);
  lb->rho = malloc(mm * sizeof *lb->rho);
  lb->alpha = malloc(mm * sizeof *lb->alpha);
  if (!lb->s || !lb->y || !lb->rho || !lb->alpha) {
    lr_lbfgs_free(lb);
    return -1;
  }
  return 0;
}

void lr_lbfgs_free(lr_lbfgs *lb) {
  free(lb->s);
  free(lb->y);
  free(lb->rho);
  free(lb->alpha);
  memset(lb, 0, sizeof *lb);
}

void lr_lbfgs_direction(const lr_lbfgs *lb, const double *g, double *d) {
  size_t n = lb->n;
  for (size_t i = 0; i < n; i++) d[i] = -g[i];
  if (lb->count == 0) return;
  /* First loop: newest to oldest. */
  for (int k = lb->count - 1; k >= 0; k--) {
    int idx = (lb->head + k) % lb->m;
    const double *s = lb->s + (size_t)idx * n, *y = lb->y + (size_t)idx * n;
    double a = lb->rho[idx] * dot(s, d, n);
    lb->alpha[idx] = a;
    for (size_t i = 0; i < n; i++) d[i] -= a * y[i];
  }
  int newest = (lb->head + lb->count - 1) % lb->m;
  const double *sn = lb->s + (size_t)newest * n, *yn = lb->y + (size_t)newest * n;
  double gamma = dot(sn, yn, n) / dot(yn, yn, n);
  for (size_t i = 0; i < n; i++) d[i] *= gamma;
  /* Second loop: oldest to newest. */
  for (int k = 0; k < lb->count; k++) {
    int idx = (lb->head + k) % lb->m;
    const double *s = lb->s + (size_t)idx * n, *y = lb->y + (size_t)idx * n;
    double b = lb->rho[idx] * dot(y, d, n);
    for (size_t i = 0; i < n; i++) d[i] += (lb->alpha[idx] - b) * s[i];
  }
}

int lr_lbfgs_push(lr_lbfgs *lb, const double *s, const double *y) {
  size_t n = lb->n;
  double sy = dot(s, y, n), ss = dot(s, s, n), yy = dot(y, y, n);
  /* Without positive curvature the update would break the positive-definite estimate. */
  if (!(sy > 1e-10 * sqrt(ss * yy))) return 0;
  int idx;
  if (lb->count < lb->m) {
    idx = (lb->head + lb->count) % lb->m;
    lb->count++;
  } else {
    idx = lb->head;
    lb->head = (lb->head + 1) % lb->m;
  }
  memcpy(lb->s + (size_t)idx * n, s, n * sizeof *s);
  memcpy(lb->y + (size_t)idx * n, y, n * sizeof *y);
  lb->rho[idx] = 1.0 / sy;
  return 1;
}

/* Minimizer of the cubic through (a, fa, da) and (b, fb, db), kept inside [lo + 10%, hi - 10%]
 * of the interval; bisection when the cubic has no usable minimum (N&W eq. 3.59). */
static double cubic_step(double a, double fa, double da, double b, double fb, double db) {
  double d1 = da + db - 3.0 * (fa - fb) / (a - b);
  double disc = d1 * d1 - da * db;
  double lo = fmin(a, b), hi = fmax(a, b), t;
  if (disc >= 0.0) {
    double d2 = (b > a ? 1.0 : -1.0) * sqrt(disc);
    t = b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2);
  } else {
    t = 0.5 * (a + b);
  }
  double margin = 0.1 * (hi - lo);
  if (!isfinite(t) || t < lo + margin || t > hi - margin) t = 0.5 * (a + b);
  return t;
}

typedef struct trial {
  double alpha, f, dg; /* step, f, directional derivative g(x + alpha d).d */
} trial;

logreg_status lr_line_search(lr_fg_fn fg, void *ctx, size_t n, const double *x, double f0,
                             const double *g0, const double *d, double alpha0, double c1, double c2,
                             int max_evals, double *x_new, double *g_new, lr_line_result *res,
                             logreg_error *err) {
  double dg0 = dot(g0, d, n);
  double *xt = malloc(n * sizeof *xt), *gt = malloc(n * sizeof *gt);
  if (!xt || !gt) {
    free(xt);
    free(gt);
    return LOGREG_ENOMEM;
  }
  /* The best point with sufficient decrease seen so far, kept in x_new/g_new. */
  double best_f = INFINITY, best_alpha = 0.0;
  int evals = 0, wolfe = 0, approx = 0, best_eval = 0;
  logreg_status st = LOGREG_OK;
  const double f_noise = LR_LINE_F_NOISE * fabs(f0);

#define KEEP(t)                                                                                    \
  do {                                                                                             \
    best_f = (t).f;                                                                                \
    best_alpha = (t).alpha;                                                                        \
    best_eval = evals;                                                                             \
    memcpy(x_new, xt, n * sizeof *xt);                                                             \
    memcpy(g_new, gt, n * sizeof *gt);                                                             \
  } while (0)
#define EVAL(a, out)                                                                               \
  do {                                                                                             \
    for (size_t i_ = 0; i_ < n; i_++) xt[i_] = x[i_] + (a)*d[i_];                                  \
    if ((st = fg(ctx, xt, &(out).f, gt, err)) != LOGREG_OK) goto done;                             \
    evals++;                                                                                       \
    (out).alpha = (a);                                                                             \
    (out).dg = dot(gt, d, n);                                                                      \
    if (isfinite((out).f) && (out).f <= f0 + c1 * (a)*dg0 && (out).f < best_f) KEEP(out);          \
  } while (0)
#define STRONG_WOLFE(t) ((t).f <= f0 + c1 * (t).alpha * dg0 && fabs((t).dg) <= -c2 * dg0)
  /* Hager and Zhang's approximate Wolfe conditions, for a point that misses sufficient decrease
   * only by J's rounding: f within f_noise of f0, and the curvature condition, which along a
   * nearly quadratic f implies f(x + alpha d) - f0 <= alpha (1 - c2) g0.d / 2 < 0. A float32
   * device's J is that noisy (about 1e-8 relative: float logits), and near the optimum of an
   * ill-conditioned problem an L-BFGS step lowers J by less, so without these the search found
   * no step there and training stopped early (issue 10, item 5: Fashion-MNIST T-shirt vs
   * Shirt). In double (the cpu backend) a point that meets the curvature condition and misses
   * sufficient decrease is all but impossible, so its searches do not change. */
#define APPROX_WOLFE(t)                                                                            \
  (!((t).f <= f0 + c1 * (t).alpha * dg0) && (t).f <= f0 + f_noise && fabs((t).dg) <= -c2 * dg0)

  trial prev = {0.0, f0, dg0}, cur;
  double alpha = alpha0;
  trial lo, hi;
  int zoom = 0;
  for (;;) {
    EVAL(alpha, cur);
    if (APPROX_WOLFE(cur)) {
      KEEP(cur);
      approx = 1;
      goto done;
    }
    if (!isfinite(cur.f) || cur.f > f0 + c1 * alpha * dg0 || (evals > 1 && cur.f >= prev.f)) {
      lo = prev, hi = cur, zoom = 1;
      break;
    }
    if (STRONG_WOLFE(cur)) {
      wolfe = 1;
      goto done;
    }
    if (cur.dg >= 0) {
      lo = cur, hi = prev, zoom = 1;
      break;
    }
    if (evals >= max_evals) goto done;
    prev = cur;
    alpha *= 2.0; /* still descending: expand */
  }
  while (zoom && evals < max_evals) {
    double a;
    if (isfinite(hi.f) && isfinite(hi.dg))
      a = cubic_step(lo.alpha, lo.f, lo.dg, hi.alpha, hi.f, hi.dg);
    else
      a = 0.5 * (lo.alpha + hi.alpha);
    if (fabs(hi.alpha - lo.alpha) < 1e-16 * fmax(1.0, lo.alpha)) break;
    EVAL(a, cur);
    if (APPROX_WOLFE(cur)) {
      KEEP(cur);
      approx = 1;
      break;
    }
    if (!isfinite(cur.f) || cur.f > f0 + c1 * a * dg0 || cur.f >= lo.f) {
      hi = cur;
    } else {
      if (STRONG_WOLFE(cur)) {
        wolfe = 1;
        break;
      }
      if (cur.dg * (hi.alpha - lo.alpha) >= 0) hi = lo;
      lo = cur;
    }
  }
done:
#undef KEEP
#undef EVAL
#undef STRONG_WOLFE
#undef APPROX_WOLFE
  free(xt);
  free(gt);
  if (st) return st;
  /* The accepted point is the best one with sufficient decrease: when Wolfe held it is the
   * last one evaluated, which is also the best. */
  res->alpha = best_alpha;
  res->f = best_alpha > 0 ? best_f : f0;
  res->evals = evals;
  res->wolfe = wolfe && best_alpha > 0;
  res->approx = approx;
  res->best_eval = best_eval;
  return LOGREG_OK;
}
