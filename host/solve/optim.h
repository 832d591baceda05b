/* optim.h: the optimizers. Every one of them (gd, sgd, momentum with or without Nesterov,
 * adam, lbfgs, newton) lives in optim.c behind one table, and drives the training data only
 * through the objective layer (objective.h) and the backend's vector operations, so that its
 * state stays where the parameters are (on the device for opencl). Adding an optimizer means
 * a new entry in that table and its functions there, plus its name in logreg.h's enum. */
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

typedef struct lr_solver_def {
  logreg_optimizer id;
  const char *name;
  double default_lr;
  int second_order; /* full batch always; checks tol before each iteration (default 1e-6) */
  logreg_status (*init)(lr_solver *s, logreg_error *err);
  /* One epoch from s->ev (the evaluation at THETA, its gradient in LR_VEC_GRAD when full):
   * leaves THETA at the new point and s->ev its evaluation over all training rows. A stop
   * reason ("tol", "converged") instead means the epoch did nothing. */
  logreg_status (*epoch)(lr_solver *s, const char **stop, logreg_error *err);
  /* First-order methods: one step of THETA from the gradient in LR_VEC_GRAD (a mini-batch's or
   * the full one), the s->t-th (1-based, counted by the caller), through the backend's
   * element-wise maps; state in LR_VEC_M1, LR_VEC_M2. NULL for the others. */
  logreg_status (*step)(lr_solver *s, logreg_error *err);
  void (*release)(lr_solver *s);
} lr_solver_def;

/* Passes the optimizer's own state (s->state: L-BFGS's memory and scalars, Newton's radius)
 * through io (solve/checkpoint.h), for checkpoints; its vectors travel with the backend's. */
struct lr_ckpt_io;
void lr_solver_state_io(lr_solver *s, const lr_solver_def *def, struct lr_ckpt_io *io);

/* After a state computed by another backend was restored (a cpu fallback from an OpenCL
 * device's state, a checkpoint resumed on the other kind of device): evaluates J and its
 * gradient again at THETA in this backend's arithmetic and restarts from there what was
 * derived from the old evaluations (L-BFGS: J, the progress marks and the history pairs;
 * Newton: J at its iterate). THETA, the counters and the rest of the state are kept. */
logreg_status lr_solver_rebase(lr_solver *s, const lr_solver_def *def, logreg_error *err);

/* NULL when `id` is not an optimizer. */
const lr_solver_def *lr_solver_find(logreg_optimizer id);

#endif
