/* lbfgs.h: limited-memory BFGS pieces (Nocedal & Wright, Numerical Optimization, 2nd ed.):
 * the two-loop recursion for the search direction (Algorithm 7.4) on a backend's vectors, so
 * that the history stays where the parameters live, and a line search that satisfies the
 * strong Wolfe conditions (Algorithms 3.5 and 3.6, cubic interpolation in the zoom), which
 * sees only scalars. The solver that uses them is opt_lbfgs.c. */
#ifndef LOGREG_LBFGS_H
#define LOGREG_LBFGS_H

#include <stddef.h>

#include "backend/backend.h"

#define LR_LBFGS_MAX_M 16

typedef struct lr_lbfgs {
  lr_backend *be;
  int m;                                      /* pairs kept */
  int count, head;                            /* pairs stored; index of the oldest */
  int sv[LR_LBFGS_MAX_M], yv[LR_LBFGS_MAX_M]; /* vector ids of pair i (ring order) */
  int spare_s, spare_y;       /* where a new pair is formed before it is known to be kept */
  double rho[LR_LBFGS_MAX_M]; /* 1 / (y_i . s_i) */
  double alpha[LR_LBFGS_MAX_M];
  int diag, tmp; /* the diagonal H0's vector and a scratch vector (-1: H0 = gamma I) */
} lr_lbfgs;

/* Allocates the 2 (m + 1) history vectors on `be` (m <= LR_LBFGS_MAX_M). */
logreg_status lr_lbfgs_init(lr_lbfgs *lb, lr_backend *be, int m, logreg_error *err);
/* H0 = gamma D instead of gamma I: D (nparam numbers) a diagonal estimate of the inverse
 * Hessian up to a factor, gamma = s.y / y.D y of the newest pair (with no pair, d = -D g). */
logreg_status lr_lbfgs_set_diag(lr_lbfgs *lb, const double *D, logreg_error *err);
/* Vector d = -H g, with H the L-BFGS inverse-Hessian estimate (H0 = gamma I, gamma = s.y / y.y
 * of the newest pair; with no pair, d = -g; or the diagonal H0 of lr_lbfgs_set_diag). */
logreg_status lr_lbfgs_direction(lr_lbfgs *lb, int g, int d, logreg_error *err);
/* Stores the pair s = x1 - x0, y = g1 - g0 when s.y > 1e-10 ||s|| ||y|| (curvature
 * condition), dropping the oldest beyond m; *stored says whether it was. */
logreg_status lr_lbfgs_push(lr_lbfgs *lb, int x1, int x0, int g1, int g0, int *stored,
                            logreg_error *err);

/* phi(alpha): f(x + alpha d) and the directional derivative g(x + alpha d).d, for the line
 * search; `keep` marks the point phi evaluated last as the best so far (the caller copies it
 * aside). Either returns LOGREG_OK or a failure that stops the search. */
typedef logreg_status (*lr_phi_fn)(void *ctx, double alpha, double *f, double *dg,
                                   logreg_error *err);
typedef logreg_status (*lr_keep_fn)(void *ctx, logreg_error *err);

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

/* Searches along d from x (where f = f0 and g.d = dg0 < 0) starting at step alpha0, for a step
 * satisfying the strong Wolfe conditions with c1, c2, or else Hager and Zhang's approximate
 * Wolfe conditions (f within LR_LINE_F_NOISE |f0| of f0 and |g.d| <= c2 |g0.d|: the decrease
 * that J's rounding hides, shown by the gradient). The accepted point is the last one passed
 * to `keep`. Returns LOGREG_OK with res->alpha = 0 when no step decreases f (the caller
 * stops), or the first failure of phi or keep. */
logreg_status lr_line_search(lr_phi_fn phi, lr_keep_fn keep, void *ctx, double f0, double dg0,
                             double alpha0, double c1, double c2, int max_evals,
                             lr_line_result *res, logreg_error *err);

#endif
