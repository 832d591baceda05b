/* optim.h: the optimizers' interface. Each optimizer lives in a file of its own
 * (opt_<name>.c: its def, and for a first-order method its step, an element-wise map that the
 * backends run without knowing it), registered in one table (solvers.c) that logreg.h's
 * LOGREG_OPTIMIZER_MAP generates, so that adding one is a line there and its file. Each drives
 * the training data only through the objective layer (objective.h) and the backend's vector
 * operations, so that its state stays where the parameters are (on the device for opencl); the
 * trainer (train.c) and the checkpoints (checkpoint.c) reach it through its def only. */
#ifndef LOGREG_OPTIM_H
#define LOGREG_OPTIM_H

#include "solve/objective.h"
#include "util/util.h"

/* What an optimizer works with, set up by the trainer (train.c). */
typedef struct lr_solver {
  lr_objective *obj;
  lr_backend *be;
  const logreg_params *p;
  double lr;       /* the learning rate (params.lr, else the optimizer's default) */
  double tol;      /* stop at max |gradient| <= tol; 0: never (first-order methods) */
  int full;        /* each epoch is one full-batch step */
  size_t n;        /* training rows */
  const float *s;  /* their weights (class and sample weights), for mini-batch sums */
  uint32_t *order; /* the mini-batch row order */
  lr_rng rng;      /* shuffles it */
  long t;          /* steps taken (Adam's bias correction) */
  int epoch;       /* 1-based number of the epoch being run */
  lr_eval_out ev;  /* J, loss, correct (and max |gradient| when full) at LR_VEC_THETA */
  double step;     /* learning rate or step length of the last epoch, for progress */
  /* Mini-batches: rows of the current epoch's batches stepped when a stop request paused it
   * (params.stop_request: SIGINT after the current step), 0 between epochs. The epoch then
   * returns at once, without its evaluation, and goes on from there when called again (its
   * shuffle is not drawn again: the order and the RNG are already the epoch's). */
  size_t batch_done;
  void *state; /* the optimizer's own */
  /* A diagonal estimate of the Hessian's inverse (nparam numbers, up to a common factor), or
   * NULL: L-BFGS's initial matrix (lr_lbfgs_set_diag). Read by init only. */
  const double *diag;
} lr_solver;

struct lr_ckpt_io;

/* An optimizer: what the trainer and the checkpoints need of it. NULL callbacks do nothing. */
typedef struct lr_solver_def {
  double default_lr;
  int second_order; /* full batch always; checks tol before each iteration (default 1e-6) */
  /* What is wrong with the parameters for this optimizer (one line), or NULL. */
  const char *(*check)(const logreg_params *p);
  logreg_status (*init)(lr_solver *s, logreg_error *err);
  /* One epoch from s->ev (the evaluation at THETA, its gradient in LR_VEC_GRAD when full):
   * leaves THETA at the new point and s->ev its evaluation over all training rows. A stop
   * reason ("tol", "converged") instead means the epoch did nothing. */
  logreg_status (*epoch)(lr_solver *s, const char **stop, logreg_error *err);
  /* First-order methods: one step of THETA from the gradient in LR_VEC_GRAD (a mini-batch's or
   * the full one), the s->t-th (1-based, counted by the caller), through the backend's
   * element-wise maps; state in LR_VEC_M1, LR_VEC_M2. Their epoch is lr_first_order_epoch. */
  logreg_status (*step)(lr_solver *s, logreg_error *err);
  /* Passes s->state's scalars (not NULL when called) through io (solve/checkpoint.h) in both
   * directions, for checkpoints; sets io->bad when what was read cannot be the optimizer's
   * state here. Its vectors travel with the backend's. */
  void (*state_io)(lr_solver *s, struct lr_ckpt_io *io);
  /* After lr_solver_rebase's evaluation at THETA (s->state not NULL): restarts what was derived
   * from the other backend's evaluations. */
  logreg_status (*rebase)(lr_solver *s, logreg_error *err);
  void (*release)(lr_solver *s);
} lr_solver_def;

/* The defs, one per entry of LOGREG_OPTIMIZER_MAP, each in its opt_*.c: lr_opt_<name>. */
#define LR_SOLVER_DECLARE_(id, name) extern const lr_solver_def lr_opt_##name;
LOGREG_OPTIMIZER_MAP(LR_SOLVER_DECLARE_)
#undef LR_SOLVER_DECLARE_

/* NULL when `id` is not an optimizer. */
const lr_solver_def *lr_solver_find(logreg_optimizer id);

/* "--optimizer must be one of: " and the names, from the table. */
const char *lr_solver_unknown(void);

/* Passes the optimizer's own state (def->state_io; L-BFGS's memory and scalars, Newton's
 * radius) through io, for checkpoints. */
void lr_solver_state_io(lr_solver *s, const lr_solver_def *def, struct lr_ckpt_io *io);

/* After a state computed by another backend was restored (a cpu fallback from an OpenCL
 * device's state, a checkpoint resumed on the other kind of device): evaluates J and its
 * gradient again at THETA in this backend's arithmetic and restarts from there what was
 * derived from the old evaluations (def->rebase: L-BFGS's J, progress marks and history pairs;
 * Newton's J at its iterate). THETA, the counters and the rest of the state are kept. */
logreg_status lr_solver_rebase(lr_solver *s, const lr_solver_def *def, logreg_error *err);

/* The epoch of the first-order methods (first_order.c): one step of the parameters' optimizer
 * from the full gradient, or a shuffled pass of mini-batch steps, then the evaluation. */
logreg_status lr_first_order_epoch(lr_solver *s, const char **stop, logreg_error *err);

/* Frees s->state: the release of an optimizer whose state is one allocation. */
void lr_solver_free_state(lr_solver *s);

/* Vector `to` = vector `from`. */
static inline logreg_status lr_vec_copy(lr_backend *be, int to, int from, logreg_error *err) {
  return be->ops->vec_lincomb(be, to, 1.0, from, 0.0, from, 0, err);
}

/* A vector id read from a checkpoint indexes one of the backend's vectors. */
static inline int lr_vec_ok(const lr_backend *be, int v) { return v >= 0 && v < be->nvec; }

#endif
