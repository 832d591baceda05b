/* lbfgs.c: the L-BFGS two-loop recursion and a strong-Wolfe line search (see lbfgs.h). */
#include "solve/lbfgs.h"

#include "solve/checkpoint.h"
#include "solve/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

logreg_status lr_lbfgs_init(lr_lbfgs *lb, lr_backend *be, int m, logreg_error *err) {
  memset(lb, 0, sizeof *lb);
  lb->be = be;
  lb->m = m < 1 ? 1 : m > LR_LBFGS_MAX_M ? LR_LBFGS_MAX_M : m;
  int first;
  logreg_status st = be->ops->vec_alloc(be, 2 * (lb->m + 1), &first, err);
  if (st) return st;
  for (int i = 0; i < lb->m; i++) lb->sv[i] = first + 2 * i, lb->yv[i] = first + 2 * i + 1;
  lb->spare_s = first + 2 * lb->m;
  lb->spare_y = first + 2 * lb->m + 1;
  lb->diag = lb->tmp = -1;
  return LOGREG_OK;
}

logreg_status lr_lbfgs_set_diag(lr_lbfgs *lb, const double *D, logreg_error *err) {
  lr_backend *be = lb->be;
  int first;
  logreg_status st = be->ops->vec_alloc(be, 2, &first, err);
  if (!st) st = be->ops->vec_write(be, first, D, err);
  if (st) return st;
  lb->diag = first;
  lb->tmp = first + 1;
  return LOGREG_OK;
}

logreg_status lr_lbfgs_direction(lr_lbfgs *lb, int g, int d, logreg_error *err) {
  lr_backend *be = lb->be;
  const lr_backend_ops *o = be->ops;
  size_t n = be->nparam;
  logreg_status st = o->vec_lincomb(be, d, -1.0, g, 0.0, g, 0, err);
  if (!st && lb->count == 0 && lb->diag >= 0) st = o->vec_mul(be, d, d, lb->diag, err);
  if (st || lb->count == 0) return st;
  /* First loop: newest to oldest. */
  for (int k = lb->count - 1; k >= 0; k--) {
    int idx = (lb->head + k) % lb->m;
    double sd;
    if ((st = o->vec_dot(be, lb->sv[idx], d, n, &sd, err))) return st;
    double a = lb->rho[idx] * sd;
    lb->alpha[idx] = a;
    if ((st = o->vec_lincomb(be, d, 1.0, d, -a, lb->yv[idx], n, err))) return st;
  }
  int newest = (lb->head + lb->count - 1) % lb->m;
  double sy, yy;
  if ((st = o->vec_dot(be, lb->sv[newest], lb->yv[newest], n, &sy, err))) return st;
  if (lb->diag >= 0) { /* d = (s.y / y.D y) D d */
    if ((st = o->vec_mul(be, lb->tmp, lb->diag, lb->yv[newest], err)) ||
        (st = o->vec_dot(be, lb->yv[newest], lb->tmp, n, &yy, err)) ||
        (st = o->vec_mul(be, d, d, lb->diag, err)))
      return st;
  } else if ((st = o->vec_dot(be, lb->yv[newest], lb->yv[newest], n, &yy, err))) {
    return st;
  }
  if ((st = o->vec_lincomb(be, d, sy / yy, d, 0.0, d, 0, err))) return st;
  /* Second loop: oldest to newest. */
  for (int k = 0; k < lb->count; k++) {
    int idx = (lb->head + k) % lb->m;
    double yd;
    if ((st = o->vec_dot(be, lb->yv[idx], d, n, &yd, err))) return st;
    double b = lb->rho[idx] * yd;
    if ((st = o->vec_lincomb(be, d, 1.0, d, lb->alpha[idx] - b, lb->sv[idx], n, err))) return st;
  }
  return LOGREG_OK;
}

logreg_status lr_lbfgs_push(lr_lbfgs *lb, int x1, int x0, int g1, int g0, int *stored,
                            logreg_error *err) {
  lr_backend *be = lb->be;
  const lr_backend_ops *o = be->ops;
  size_t n = be->nparam;
  int sv = lb->spare_s, yv = lb->spare_y;
  double sy, ss, yy;
  logreg_status st;
  *stored = 0;
  if ((st = o->vec_lincomb(be, sv, 1.0, x1, -1.0, x0, n, err)) ||
      (st = o->vec_lincomb(be, yv, 1.0, g1, -1.0, g0, n, err)) ||
      (st = o->vec_dot(be, sv, yv, n, &sy, err)) || (st = o->vec_dot(be, sv, sv, n, &ss, err)) ||
      (st = o->vec_dot(be, yv, yv, n, &yy, err)))
    return st;
  /* Without positive curvature the update would break the positive-definite estimate. */
  if (!(sy > 1e-10 * sqrt(ss * yy))) return LOGREG_OK;
  int idx;
  if (lb->count < lb->m) {
    idx = (lb->head + lb->count) % lb->m;
    lb->count++;
  } else {
    idx = lb->head;
    lb->head = (lb->head + 1) % lb->m;
  }
  /* The new pair takes the slot; the slot's old vectors become the spare. */
  lb->spare_s = lb->sv[idx];
  lb->spare_y = lb->yv[idx];
  lb->sv[idx] = sv;
  lb->yv[idx] = yv;
  lb->rho[idx] = 1.0 / sy;
  *stored = 1;
  return LOGREG_OK;
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

typedef struct lr_line_trial trial;

/* Hager and Zhang's approximate Wolfe conditions, for a point that misses sufficient decrease
 * only by J's rounding: f within f_noise of f0, and the curvature condition, which along a
 * nearly quadratic f implies f(x + alpha d) - f0 <= alpha (1 - c2) g0.d / 2 < 0. A float32
 * device's J is that noisy (about 1e-8 relative: float logits), and near the optimum of an
 * ill-conditioned problem an L-BFGS step lowers J by less, so without these the search found
 * no step there and training stopped early (issue 10, item 5: Fashion-MNIST T-shirt vs
 * Shirt). In double (the cpu backend) a point that meets the curvature condition and misses
 * sufficient decrease is all but impossible, so its searches do not change. */
static int approx_wolfe(const lr_line *l, const trial *t) {
  return !(t->f <= l->f0 + l->c1 * t->alpha * l->dg0) && t->f <= l->f0 + l->f_noise &&
         fabs(t->dg) <= -l->c2 * l->dg0;
}

static int strong_wolfe(const lr_line *l, const trial *t) {
  return t->f <= l->f0 + l->c1 * t->alpha * l->dg0 && fabs(t->dg) <= -l->c2 * l->dg0;
}

static void keep_best(lr_line *l, const trial *t, int *keep) {
  *keep = 1;
  l->best_f = t->f;
  l->best_alpha = t->alpha;
  l->best_eval = l->evals;
}

void lr_line_start(lr_line *l, double f0, double dg0, double alpha0, double c1, double c2,
                   int max_evals) {
  memset(l, 0, sizeof *l);
  l->f0 = f0, l->dg0 = dg0, l->c1 = c1, l->c2 = c2, l->max_evals = max_evals;
  l->f_noise = LR_LINE_F_NOISE * fabs(f0);
  /* The best point with sufficient decrease seen so far (kept by the caller). */
  l->best_f = INFINITY;
  l->prev = (trial){0.0, f0, dg0};
  l->alpha = alpha0;
}

/* The zoom's next step between lo and hi: 1 and l->alpha, or 0 when the search is over. */
static int zoom_step(lr_line *l) {
  if (l->evals >= l->max_evals) return 0;
  const trial *lo = &l->lo, *hi = &l->hi;
  double a;
  if (isfinite(hi->f) && isfinite(hi->dg))
    a = cubic_step(lo->alpha, lo->f, lo->dg, hi->alpha, hi->f, hi->dg);
  else
    a = 0.5 * (lo->alpha + hi->alpha);
  if (fabs(hi->alpha - lo->alpha) < 1e-16 * fmax(1.0, lo->alpha)) return 0;
  l->alpha = a;
  return 1;
}

int lr_line_next(lr_line *l, double f, double dg, int *keep) {
  trial cur = {l->alpha, f, dg};
  *keep = 0;
  l->evals++;
  if (isfinite(f) && f <= l->f0 + l->c1 * cur.alpha * l->dg0 && f < l->best_f)
    keep_best(l, &cur, keep);
  if (approx_wolfe(l, &cur)) {
    keep_best(l, &cur, keep);
    l->approx = 1;
    return 0;
  }
  int rises = !isfinite(f) || f > l->f0 + l->c1 * cur.alpha * l->dg0;
  if (!l->zoom) { /* bracketing: expand until the minimum is bracketed */
    if (rises || (l->evals > 1 && f >= l->prev.f)) {
      l->lo = l->prev, l->hi = cur, l->zoom = 1;
      return zoom_step(l);
    }
    if (strong_wolfe(l, &cur)) {
      l->wolfe = 1;
      return 0;
    }
    if (dg >= 0) {
      l->lo = cur, l->hi = l->prev, l->zoom = 1;
      return zoom_step(l);
    }
    if (l->evals >= l->max_evals) return 0;
    l->prev = cur;
    l->alpha *= 2.0; /* still descending: expand */
    return 1;
  }
  if (rises || f >= l->lo.f) {
    l->hi = cur;
  } else {
    if (strong_wolfe(l, &cur)) {
      l->wolfe = 1;
      return 0;
    }
    if (dg * (l->hi.alpha - l->lo.alpha) >= 0) l->hi = l->lo;
    l->lo = cur;
  }
  return zoom_step(l);
}

void lr_line_done(const lr_line *l, lr_line_result *res) {
  /* The accepted point is the best one with sufficient decrease: when Wolfe held it is the
   * last one evaluated, which is also the best. */
  res->alpha = l->best_alpha;
  res->f = l->best_alpha > 0 ? l->best_f : l->f0;
  res->evals = l->evals;
  res->wolfe = l->wolfe && l->best_alpha > 0;
  res->approx = l->approx;
  res->best_eval = l->best_eval;
}

logreg_status lr_line_search(lr_phi_fn phi, lr_keep_fn keep, void *ctx, double f0, double dg0,
                             double alpha0, double c1, double c2, int max_evals,
                             lr_line_result *res, logreg_error *err) {
  lr_line l;
  lr_line_start(&l, f0, dg0, alpha0, c1, c2, max_evals);
  int more = 1;
  while (more) {
    double f, dg;
    int k;
    logreg_status st = phi(ctx, l.alpha, &f, &dg, err);
    if (st) return st;
    more = lr_line_next(&l, f, dg, &k);
    if (k && (st = keep(ctx, err))) return st;
  }
  lr_line_done(&l, res);
  return LOGREG_OK;
}

void lr_lbfgs_io(lr_lbfgs *lb, lr_ckpt_io *io) {
  lr_ckpt_int(io, &lb->m);
  lr_ckpt_int(io, &lb->count);
  lr_ckpt_int(io, &lb->head);
  for (int i = 0; i < LR_LBFGS_MAX_M; i++) {
    lr_ckpt_int(io, &lb->sv[i]);
    lr_ckpt_int(io, &lb->yv[i]);
  }
  lr_ckpt_int(io, &lb->spare_s);
  lr_ckpt_int(io, &lb->spare_y);
  lr_ckpt_f64s(io, lb->rho, LR_LBFGS_MAX_M);
  lr_ckpt_f64s(io, lb->alpha, LR_LBFGS_MAX_M);
  lr_ckpt_int(io, &lb->diag);
  lr_ckpt_int(io, &lb->tmp);
}

int lr_lbfgs_valid(const lr_lbfgs *lb) {
  const lr_backend *be = lb->be;
  if (lb->m < 1 || lb->m > LR_LBFGS_MAX_M || lb->count < 0 || lb->count > lb->m || lb->head < 0 ||
      lb->head >= lb->m || !lr_vec_ok(be, lb->spare_s) || !lr_vec_ok(be, lb->spare_y) ||
      (lb->diag != -1 && !lr_vec_ok(be, lb->diag)) || (lb->tmp != -1 && !lr_vec_ok(be, lb->tmp)))
    return 0;
  for (int i = 0; i < lb->m; i++)
    if (!lr_vec_ok(be, lb->sv[i]) || !lr_vec_ok(be, lb->yv[i])) return 0;
  return 1;
}
