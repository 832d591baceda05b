/* lbfgs.h: limited-memory BFGS pieces (Nocedal & Wright, Numerical Optimization, 2nd ed.):
 * the two-loop recursion for the search direction (Algorithm 7.4) and a line search that
 * satisfies the strong Wolfe conditions (Algorithms 3.5 and 3.6, cubic interpolation in the
 * zoom). The solver loop that uses them lives in train.c; these know nothing about models. */
#ifndef LOGREG_LBFGS_H
#define LOGREG_LBFGS_H

#include <stddef.h>

#include "logreg.h"

typedef struct lr_lbfgs {
  size_t n;        /* variables */
  int m;           /* pairs kept */
  int count, head; /* pairs stored; index of the oldest */
  double *s, *y;   /* m x n each: s_i = x_{i+1} - x_i, y_i = g_{i+1} - g_i */
  double *rho;     /* 1 / (y_i . s_i) */
  double *alpha;   /* scratch for the recursion */
} lr_lbfgs;

/* 0, or -1 when out of memory. */
int lr_lbfgs_init(lr_lbfgs *lb, size_t n, int m);
void lr_lbfgs_free(lr_lbfgs *lb);
/* d = -H g, with H the L-BFGS inverse-Hessian estimate (H0 = gamma I, gamma = s.y / y.y of the
 * newest pair; with no pair, d = -g). */
void lr_lbfgs_direction(const lr_lbfgs *lb, const double *g, double *d);
/* Stores the pair (s, y) when s.y > eps ||s|| ||y|| (curvature condition), dropping the oldest
 * beyond m. Returns 1 when stored, 0 when skipped. */
int lr_lbfgs_push(lr_lbfgs *lb, const double *s, const double *y);

/* f(x) and its gradient g(x); returns LOGREG_OK or a failure that stops the search. */
typedef logreg_status (*lr_fg_fn)(void *ctx, const double *x, double *f, double *g,
                                  logreg_error *err);

typedef struct lr_line_result {
  double alpha;  /* accepted step */
  double f;      /* f(x + alpha d) */
  int evals;     /* function evaluations spent */
  int wolfe;     /* 1: strong Wolfe holds; 0: only sufficient decrease (best found) */
  int approx;    /* 1: accepted by the approximate Wolfe conditions (see lr_line_search) */
  int best_eval; /* which evaluation (1-based) is the accepted point; 0 when alpha = 0 */
} lr_line_result;

/* f values closer than this, relative to |f0|, may differ only by the rounding of f: a float32
 * device's J (see lr_line_search). */
#define LR_LINE_F_NOISE 1e-7

/* Searches along d from x (where f = f0 and g = g0, with g0.d < 0) starting at step alpha0,
 * for a step satisfying the strong Wolfe conditions with c1, c2, or else Hager and Zhang's
 * approximate Wolfe conditions (f within LR_LINE_F_NOISE |f0| of f0 and |g.d| <= c2 |g0.d|:
 * the decrease that J's rounding hides, shown by the gradient). On return x_new and g_new hold
 * the accepted point and its gradient. Returns LOGREG_OK with res->alpha = 0 when no step
 * decreases f (the caller stops), or the first failure of fg. */
logreg_status lr_line_search(lr_fg_fn fg, void *ctx, size_t n, const double *x, double f0,
                             const double *g0, const double *d, double alpha0, double c1, double c2,
                             int max_evals, double *x_new, double *g_new, lr_line_result *res,
                             logreg_error *err);

#endif
