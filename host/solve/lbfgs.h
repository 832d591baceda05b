/* lbfgs.h: limited-memory BFGS pieces (Nocedal & Wright, Numerical Optimization, 2nd ed.):
 * the two-loop recursion for the search direction (Algorithm 7.4) on a backend's vectors, so
 * that the history stays where the parameters live, and a line search that satisfies the
 * strong Wolfe conditions (Algorithms 3.5 and 3.6, cubic interpolation in the zoom), which
 * sees only scalars. The solver that uses them is opt_lbfgs.c. */
#ifndef LOGREG_LBFGS_H
#define LOGREG_LBFGS_H

#include <stddef.h>

#include "backend/backend.h"
#include "solve/objective.h"

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
/* Passes the history's scalars and vector ids through io (checkpoint.h), both ways. */
struct lr_ckpt_io;
void lr_lbfgs_io(lr_lbfgs *lb, struct lr_ckpt_io *io);
/* Whether a history read back indexes only vectors of lb->be (its m, count and ring in range). */
int lr_lbfgs_valid(const lr_lbfgs *lb);
/* Stores the pair s = x1 - x0, y = g1 - g0 when s.y > 1e-10 ||s|| ||y|| (curvature
 * condition), dropping the oldest beyond m; *stored says whether it was. */
logreg_status lr_lbfgs_push(lr_lbfgs *lb, int x1, int x0, int g1, int g0, int *stored,
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

/* A line search one evaluation at a time, so that its caller evaluates where it likes (the
 * cross-validation grid evaluates many models' trial points in one pass over X): from x, where
 * f = f0 and g.d = dg0 < 0, starting at step alpha0, it looks for a step satisfying the strong
 * Wolfe conditions with c1, c2 (Nocedal & Wright, Algorithms 3.5 and 3.6, cubic interpolation
 * in the zoom), or else Hager and Zhang's approximate Wolfe conditions (f within
 * LR_LINE_F_NOISE |f0| of f0 and |g.d| <= c2 |g0.d|: the decrease that J's rounding hides,
 * shown by the gradient). lr_line_start gives the first step to evaluate; each lr_line_next
 * takes f and g.d at the step asked for and says whether the search is done or which step
 * comes next, and whether the point just evaluated is the best so far (the caller copies it
 * aside). */
typedef struct lr_line {
  double f0, dg0, c1, c2, f_noise;
  int max_evals, evals, zoom, wolfe, approx, best_eval;
  double alpha, best_f, best_alpha;
  struct lr_line_trial {
    double alpha, f, dg; /* step, f, directional derivative g(x + alpha d).d */
  } prev, lo, hi;
} lr_line;

/* The search's first step: line->alpha (= alpha0). */
void lr_line_start(lr_line *line, double f0, double dg0, double alpha0, double c1, double c2,
                   int max_evals);
/* f and g.d at line->alpha: 1 when another evaluation is wanted (at the new line->alpha), 0
 * when the search is over (lr_line_done has the result); *keep is 1 when that point is the
 * best so far. */
int lr_line_next(lr_line *line, double f, double dg, int *keep);
/* The result of a finished search: res->alpha = 0 when no step decreases f. */
void lr_line_done(const lr_line *line, lr_line_result *res);

/* phi(alpha): f(x + alpha d) and the directional derivative g(x + alpha d).d, for the line
 * search; `keep` marks the point phi evaluated last as the best so far (the caller copies it
 * aside). Either returns LOGREG_OK or a failure that stops the search. */
typedef logreg_status (*lr_phi_fn)(void *ctx, double alpha, double *f, double *dg,
                                   logreg_error *err);
typedef logreg_status (*lr_keep_fn)(void *ctx, logreg_error *err);

/* The whole search with phi and keep called in turn (lr_line_start, lr_line_next). Returns
 * LOGREG_OK with res->alpha = 0 when no step decreases f (the caller stops), or the first
 * failure of phi or keep. */
logreg_status lr_line_search(lr_phi_fn phi, lr_keep_fn keep, void *ctx, double f0, double dg0,
                             double alpha0, double c1, double c2, int max_evals,
                             lr_line_result *res, logreg_error *err);

/* The solver's L-BFGS (opt_lbfgs.c) one evaluation at a time, for a caller that evaluates many
 * solvers' points in one pass (the cross-validation grid); its epoch runs the same steps with
 * lr_objective_eval. Called with ev NULL it begins an iteration from s->ev: *stop says it has
 * nothing to do ("tol", "converged"), or *need = 1 asks for an evaluation at LR_VEC_THETA.
 * Called with that evaluation (its J in *ev, its gradient in LR_VEC_GRAD), it asks for the next
 * one (*need = 1), or ends the iteration (*need = 0: THETA, GRAD and s->ev at the accepted
 * point, the evaluation of this iteration that it was in *accepted, 0-based; or *stop
 * "converged" when no step lowered J). */
struct lr_solver;
logreg_status lr_lbfgs_iterate(struct lr_solver *s, const lr_eval_out *ev, int *need,
                               const char **stop, int *accepted, logreg_error *err);

#endif
