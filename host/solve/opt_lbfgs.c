/* opt_lbfgs.c: L-BFGS (memory 10, strong-Wolfe line search; the two-loop recursion and the
 * line search are lbfgs.c's) on the backend's vectors, with refinement in double where a
 * float32 device's evaluations stop making progress; its state for checkpoints and its restart
 * after a state computed by another backend. */
#include <math.h>
#include <stdlib.h>

#include "solve/checkpoint.h"
#include "solve/lbfgs.h"
#include "solve/optim.h"

enum { LBFGS_MEMORY = 10, LBFGS_MAX_EVALS = 20 };

typedef struct lbfgs_state {
  lr_lbfgs lb;
  lr_line line;        /* the line search of the current iteration */
  int x, g, d, xn, gn; /* iterate, its gradient, direction, best trial point and its gradient */
  double f;
  lr_eval_out trial[LBFGS_MAX_EVALS]; /* the evaluations of the current line search */
  int ntrial;
  int stalled;              /* iterations in a row that left J exactly unchanged */
  double best_f, best_gmax; /* the lows of J and max |gradient| that counted as progress */
  int progress_epoch;       /* the last iteration that made progress */
  int refined;              /* lbfgs_refine was tried */
  int noise_iters;          /* iterations in a row whose decrease of J was within its noise */
} lbfgs_state;

/* When --tol is out of a float32 device's reach, J and the gradient end at their rounding
 * noise and the line search keeps accepting noise-level steps until the iteration cap. L-BFGS
 * then stops as "converged" after
 * - LBFGS_STALL iterations in a row whose accepted step left J exactly unchanged (theta moved
 *   below float32's resolution; each such search spends 20 evaluations), or, on a float32
 *   backend,
 * - LBFGS_NO_PROGRESS iterations without progress: neither J below its lowest by more than a
 *   tenth of its noise nor max |gradient| below 0.9 of its lowest. Steps that change J within
 *   its rounding still make progress on ill-conditioned problems (digits at C = 10 through the
 *   Python package on PoCL: max |gradient| fell from 5e-7 to 9e-10 between iterations 1000 and
 *   2000 while J moved by 2e-10 relative), so the window is long.
 * In double (cpu) an accepted step that leaves J bitwise unchanged all but never happens. */
enum { LBFGS_STALL = 10, LBFGS_NO_PROGRESS = 200 };
/* Refinement (lbfgs_refine) also starts after LBFGS_NOISE_ITERS iterations in a row that
 * lowered J by no more than its float32 noise (LR_LINE_F_NOISE relative) once LBFGS_REFINE_STALL
 * iterations have made no progress (J by a tenth of that noise below its lowest, or max
 * |gradient| by a tenth): float32 then has met its floor short of tol (tumors.csv,
 * test_optimum, tol 1e-9: 200 iterations of about 10 evaluations each, then the cap, where
 * refined it reaches tol). Small decreases of J alone are not that sign: a device that sums J
 * in double over float32 rows resolves J to about 3e-9 relative (nycflights13 on PoCL, J at
 * two points against the trapezoid rule along -g), and on ill-conditioned tables L-BFGS goes
 * on to tol in float32 while J moves by less than 1e-7 per iteration: nycflights13 from
 * iteration 37 of 90, diamonds for stretches of 20 of its 508 (bench/RESULTS.md, "Refinement
 * only when it pays"). */
enum { LBFGS_NOISE_ITERS = 3, LBFGS_REFINE_STALL = 20 };

/* L-BFGS starts afresh from s->ev (x and g already hold its point and gradient): no pairs, its
 * J and max |gradient| the lows, no stall. */
static void lbfgs_restart(lbfgs_state *ls, const lr_solver *s) {
  ls->f = ls->best_f = s->ev.objective;
  ls->best_gmax = s->ev.grad_max;
  ls->lb.count = 0;
  ls->stalled = ls->noise_iters = 0;
  ls->progress_epoch = s->epoch;
}

/* Refinement: where the rules above would stop L-BFGS on a float32 backend that can evaluate
 * in double (set_precise: OpenCL devices with fp64, dense data), or where its steps have
 * lowered J within J's noise LBFGS_NOISE_ITERS times in a row, it goes on from the same point
 * with double-precision evaluations, to tol or until J stops changing again. Float32's noise in
 * the gradient holds L-BFGS about 1e-5 relative off the optimum on ill-conditioned problems, the
 * path's rounding deciding where (digits unscaled at C = 10 on PoCL: intercept_ 2.8e-5 to 1.4e-4
 * from scikit-learn's across the four paths); refinement takes every path to the same optimum.
 * *more is 1 when it started (s->ev is then the double evaluation at x), 0 when the backend
 * has no such mode or cannot use it here (the run stops as before: the model is unchanged). */
static logreg_status lbfgs_refine(lr_solver *s, int *more, logreg_error *err) {
  lbfgs_state *ls = s->state;
  lr_backend *be = s->be;
  *more = 0;
  if (!be->float32 || !be->ops->set_precise || ls->refined) return LOGREG_OK;
  ls->refined = 1;
  logreg_error why;
  logreg_status pst = be->ops->set_precise(be, &why);
  /* A group's processes go on together or stop together (one that could not switch would
   * leave the others waiting in an exchange). */
  const logreg_shard *sh = s->obj->shard;
  if (sh && sh->size > 1) pst = lr_shard_agree(sh, pst, &why);
  if (pst != LOGREG_OK) return LOGREG_OK;
  logreg_status st;
  if ((st = lr_vec_copy(be, LR_VEC_THETA, ls->x, err)) ||
      (st = lr_objective_eval(s->obj, LR_SLOT_TRAIN, 0, s->n, 1, &s->ev, err)) ||
      (st = lr_vec_copy(be, ls->g, LR_VEC_GRAD, err)))
    return st;
  lbfgs_restart(ls, s);
  *more = 1;
  return LOGREG_OK;
}

static logreg_status lbfgs_init(lr_solver *s, logreg_error *err) {
  lbfgs_state *ls = calloc(1, sizeof *ls);
  if (!ls) return lr_fail(err, LOGREG_ENOMEM, "out of memory for L-BFGS");
  s->state = ls;
  lr_backend *be = s->be;
  int first;
  logreg_status st = lr_lbfgs_init(&ls->lb, be, LBFGS_MEMORY, err);
  if (!st && s->diag) st = lr_lbfgs_set_diag(&ls->lb, s->diag, err);
  if (!st) st = be->ops->vec_alloc(be, 5, &first, err);
  if (st) return st;
  ls->x = first, ls->g = first + 1, ls->d = first + 2, ls->xn = first + 3, ls->gn = first + 4;
  ls->f = ls->best_f = s->ev.objective;
  ls->best_gmax = s->ev.grad_max;
  if ((st = lr_vec_copy(be, ls->x, LR_VEC_THETA, err))) return st;
  return lr_vec_copy(be, ls->g, LR_VEC_GRAD, err);
}

/* The iteration's beginning from (x, f, g): the stops, then the direction and the line
 * search's first trial point in THETA (*need = 1), unless *stop says there is nothing to do. */
static logreg_status lbfgs_begin(lr_solver *s, int *need, const char **stop, logreg_error *err) {
  lbfgs_state *ls = s->state;
  lr_backend *be = s->be;
  const lr_backend_ops *o = be->ops;
  size_t n = be->nparam;
  *need = 0;
  *stop = NULL;
  if (s->ev.grad_max <= s->tol) {
    *stop = "tol";
    return LOGREG_OK;
  }
  double gd, gnorm;
  logreg_status st;
  int done = ls->stalled >= LBFGS_STALL ||
             (be->float32 && s->epoch - 1 - ls->progress_epoch >= LBFGS_NO_PROGRESS);
  if (done || (be->float32 && ls->noise_iters >= LBFGS_NOISE_ITERS &&
               s->epoch - 1 - ls->progress_epoch >= LBFGS_REFINE_STALL)) {
    int more;
    if ((st = lbfgs_refine(s, &more, err))) return st;
    if (more && s->ev.grad_max <= s->tol) {
      *stop = "tol";
      return LOGREG_OK;
    }
    if (!more && done) {
      *stop = "converged";
      return LOGREG_OK;
    }
  }
  if ((st = lr_lbfgs_direction(&ls->lb, ls->g, ls->d, err)) ||
      (st = o->vec_dot(be, ls->g, ls->d, n, &gd, err)))
    return st;
  if (!(gd < 0)) {
    /* Not a descent direction (a stale history): restart from steepest descent. */
    ls->lb.count = 0;
    if ((st = o->vec_lincomb(be, ls->d, -1.0, ls->g, 0.0, ls->g, 0, err)) ||
        (st = o->vec_dot(be, ls->g, ls->d, n, &gd, err)))
      return st;
  }
  if ((st = o->vec_dot(be, ls->d, ls->d, n, &gnorm, err))) return st;
  /* The first step is scaled to the direction (the gradient, or D times it); later ones start
   * at the quasi-Newton 1. */
  double alpha0 = s->epoch == 1 || ls->lb.count == 0 ? fmin(1.0, 1.0 / sqrt(gnorm)) : 1.0;
  ls->ntrial = 0;
  lr_line_start(&ls->line, ls->f, gd, alpha0, 1e-4, 0.9, LBFGS_MAX_EVALS);
  *need = 1;
  return o->vec_lincomb(be, LR_VEC_THETA, 1.0, ls->x, alpha0, ls->d, n, err);
}

/* The iteration's end, once the line search is over: the accepted point (or none), the
 * history pair, and the progress marks. */
static logreg_status lbfgs_end(lr_solver *s, const char **stop, int *accepted, logreg_error *err) {
  lbfgs_state *ls = s->state;
  lr_backend *be = s->be;
  lr_line_result lr;
  logreg_status st;
  lr_line_done(&ls->line, &lr);
  *accepted = lr.best_eval - 1;
  if (lr.alpha == 0) {
    /* No step along d decreases J: leave the backend at x, whatever the search tried last.
     * With a history, d may be stale (on a float32 device, curvature pairs carry J's noise):
     * drop it and search again along the gradient in the next iteration. Without one, J is
     * converged to the precision the backend computes in. */
    if ((st = lr_vec_copy(be, LR_VEC_THETA, ls->x, err)) ||
        (st = lr_vec_copy(be, LR_VEC_GRAD, ls->g, err)))
      return st;
    int more = 0;
    if (ls->lb.count == 0 && (st = lbfgs_refine(s, &more, err))) return st;
    if (ls->lb.count == 0 && !more) *stop = "converged";
    ls->lb.count = 0;
    return LOGREG_OK;
  }
  if (lr.best_eval != lr.evals && ((st = lr_vec_copy(be, LR_VEC_THETA, ls->xn, err)) ||
                                   (st = lr_vec_copy(be, LR_VEC_GRAD, ls->gn, err))))
    return st;
  int stored;
  if ((st = lr_lbfgs_push(&ls->lb, LR_VEC_THETA, ls->x, LR_VEC_GRAD, ls->g, &stored, err)) ||
      (st = lr_vec_copy(be, ls->x, LR_VEC_THETA, err)) ||
      (st = lr_vec_copy(be, ls->g, LR_VEC_GRAD, err)))
    return st;
  double f_prev = ls->f;
  ls->f = lr.f;
  s->ev = ls->trial[lr.best_eval - 1];
  s->step = lr.alpha;
  /* A step that leaves J exactly as it was moved theta by less than the device resolves. */
  ls->stalled = lr.f == f_prev ? ls->stalled + 1 : 0;
  ls->noise_iters = f_prev - lr.f <= LR_LINE_F_NOISE * fabs(f_prev) ? ls->noise_iters + 1 : 0;
  /* Progress: a new low of J beyond its float32 noise, or of max |gradient| by a tenth. */
  if (lr.f < ls->best_f - LR_LINE_F_NOISE * 0.1 * fabs(ls->best_f) ||
      s->ev.grad_max < 0.9 * ls->best_gmax) {
    ls->best_f = fmin(ls->best_f, lr.f);
    ls->best_gmax = fmin(ls->best_gmax, s->ev.grad_max);
    ls->progress_epoch = s->epoch;
  }
  return LOGREG_OK;
}

logreg_status lr_lbfgs_iterate(lr_solver *s, const lr_eval_out *ev, int *need, const char **stop,
                               int *accepted, logreg_error *err) {
  if (!ev) return lbfgs_begin(s, need, stop, err);
  lbfgs_state *ls = s->state;
  lr_backend *be = s->be;
  double dg;
  int keep;
  logreg_status st = be->ops->vec_dot(be, LR_VEC_GRAD, ls->d, be->nparam, &dg, err);
  if (st) return st;
  if (ls->ntrial < LBFGS_MAX_EVALS) ls->trial[ls->ntrial++] = *ev;
  *need = lr_line_next(&ls->line, ev->objective, dg, &keep);
  *stop = NULL;
  /* The best trial point so far, aside (the search may go on past it). */
  if (keep && ((st = lr_vec_copy(be, ls->xn, LR_VEC_THETA, err)) ||
               (st = lr_vec_copy(be, ls->gn, LR_VEC_GRAD, err))))
    return st;
  if (*need)
    return be->ops->vec_lincomb(be, LR_VEC_THETA, 1.0, ls->x, ls->line.alpha, ls->d, be->nparam,
                                err);
  return lbfgs_end(s, stop, accepted, err);
}

/* One L-BFGS iteration from (x, f, g): direction, line search, history update. */
static logreg_status lbfgs_epoch(lr_solver *s, const char **stop, logreg_error *err) {
  int need, accepted;
  logreg_status st = lbfgs_begin(s, &need, stop, err);
  while (!st && need) {
    lr_eval_out out;
    if (!(st = lr_objective_eval(s->obj, LR_SLOT_TRAIN, 0, s->n, 1, &out, err)))
      st = lr_lbfgs_iterate(s, &out, &need, stop, &accepted, err);
  }
  return st;
}

/* ---- Checkpoints: every scalar the next epoch reads (the vectors are the backend's) ---- */

static void lbfgs_io(lbfgs_state *ls, lr_ckpt_io *io) {
  lr_lbfgs_io(&ls->lb, io);
  int *ids[] = {&ls->x, &ls->g, &ls->d, &ls->xn, &ls->gn};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) lr_ckpt_int(io, ids[i]);
  lr_ckpt_f64(io, &ls->f);
  lr_ckpt_int(io, &ls->stalled);
  lr_ckpt_f64(io, &ls->best_f);
  lr_ckpt_f64(io, &ls->best_gmax);
  lr_ckpt_int(io, &ls->progress_epoch);
  lr_ckpt_int(io, &ls->refined);
  lr_ckpt_int(io, &ls->noise_iters);
}

/* After reading: vector ids and ring indices that index nothing would be out of bounds. */
static int lbfgs_valid(const lbfgs_state *ls, const lr_backend *be) {
  if (!lr_lbfgs_valid(&ls->lb)) return 0;
  return lr_vec_ok(be, ls->x) && lr_vec_ok(be, ls->g) && lr_vec_ok(be, ls->d) &&
         lr_vec_ok(be, ls->xn) && lr_vec_ok(be, ls->gn);
}

static void lbfgs_state_io(lr_solver *s, lr_ckpt_io *io) {
  lbfgs_io(s->state, io);
  if (io->reading && !lbfgs_valid(s->state, s->be)) io->bad = 1;
}

/* As lbfgs_refine does on switching to double: the pairs carry the other arithmetic's noise in
 * y, and a J from it would make the line search compare across precisions. */
static logreg_status lbfgs_rebase(lr_solver *s, logreg_error *err) {
  lbfgs_state *ls = s->state;
  logreg_status st;
  if ((st = lr_vec_copy(s->be, ls->x, LR_VEC_THETA, err)) ||
      (st = lr_vec_copy(s->be, ls->g, LR_VEC_GRAD, err)))
    return st;
  lbfgs_restart(ls, s);
  return LOGREG_OK;
}

const lr_solver_def lr_opt_lbfgs = {.default_lr = 1.0,
                                    .second_order = 1,
                                    .init = lbfgs_init,
                                    .epoch = lbfgs_epoch,
                                    .state_io = lbfgs_state_io,
                                    .rebase = lbfgs_rebase,
                                    .release = lr_solver_free_state};
