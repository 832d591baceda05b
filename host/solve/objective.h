/* objective.h: the objective layer: turns a backend's raw sums into J of DESIGN.md §2,
 *
 *   J(W, b) = sum_i s_i l_i / sum_i s_i + lambda/2 ||W||^2 (+ l1 ||W||_1, elastic-net),
 *
 * its gradient and its Hessian-vector products, on the backend's vectors. This is the one
 * place where the 1 / sum s scaling and the L2 term are applied, so it is also the one place
 * where the sums of several shards (MPI ranks) are added before they are used:
 * lr_objective_sums and lr_objective_hv are the combine points. With a logreg_shard, this
 * process's backend holds rows [lo, lo + n_local) of the n_train training rows; the solvers
 * keep speaking of global rows, and the objective maps them to its own and adds every
 * process's raw sums (and gradient or Hv vector) in rank order, so that all processes see
 * the same numbers bit for bit.
 */
#ifndef LOGREG_OBJECTIVE_H
#define LOGREG_OBJECTIVE_H

#include "backend/backend.h"

/* What one evaluation measured over its rows. */
typedef struct lr_eval_out {
  double objective; /* J */
  double loss;      /* mean unweighted row loss */
  double correct;   /* rows predicted right */
  double grad_max;  /* max |dJ/dtheta| over W and b; 0 when no gradient was asked for */
} lr_eval_out;

typedef struct lr_objective {
  lr_backend *be; /* the shard(s): one backend */
  double l2;      /* lambda */
  size_t nw;      /* d kw: the penalized part of a vector ([W | b]: W first) */
  double s_train; /* sum s of the train slot, from the last full evaluation of it */
  long evals;     /* full-batch evaluations of the train slot (passes over X) */
  long hv_products;
  /* Optional backend vectors (-1: none). pen: the L2 term's per-parameter factors, J's term
   * being lambda/2 sum_q pen_q theta_q^2 (1 / sigma_j^2 on W's row j penalizes the raw weights
   * W / sigma; 0 on b). mask: 1 for the parameters that train, 0 for those held at their value
   * (b without an intercept); the gradient and Hessian-vector products are multiplied by it. */
  int pen, mask;
  int tmp; /* a scratch vector for pen (allocated by lr_objective_set_penalty) */
  /* The L1 term (lr_objective_set_l1): J gains l1 sum_q pen1_q |theta_q| (pen1: 1 on W, or
   * 1 / sigma_j on W's row j for the raw weights, 0 on b), and every evaluation with a gradient
   * leaves in vector pg the minimum-norm subgradient of J (the pseudo-gradient: J's smooth
   * gradient plus l1 pen1 sign(theta), or at theta_q = 0 the gradient moved towards 0 by
   * l1 pen1_q, 0 when within it), whose max |.| is then grad_max: the KKT residual. l1 = 0:
   * none (pen1 = pg = tmp1 = -1). */
  double l1;
  int pen1, pg, tmp1;
  /* Data parallelism (lr_objective_set_shard); shard NULL: one process, rows are the
   * backend's. */
  const logreg_shard *shard;
  size_t n_train;        /* training rows of all processes: the row numbers the solvers use */
  size_t lo;             /* the first of this process's rows */
  uint32_t *pos;         /* under a row order: pos[p] = this process's rows among order[0..p) */
  uint32_t *local_order; /* that order restricted to this process's rows, 0-based */
  double *buf, *all;     /* the exchange: this process's numbers, and every process's */
} lr_objective;

/* After the backend's train slot is set (n_train = its rows). */
void lr_objective_init(lr_objective *o, lr_backend *be, double l2);
/* This process holds rows [lo, lo + be->n[LR_SLOT_TRAIN]) of n_train (shard->size > 1). */
logreg_status lr_objective_set_shard(lr_objective *o, const logreg_shard *shard, size_t n_train,
                                     size_t lo, logreg_error *err);
/* Collective over the shard's processes: whether every one reached this point with st ==
 * LOGREG_OK (a set-up that failed on one process, a device that is missing on one node, must
 * not leave the others waiting in an exchange). Returns LOGREG_OK when all did; else the first
 * failing process's status on every process, err holding its message (prefixed "rank R of S: "
 * on the others). */
logreg_status lr_shard_agree(const logreg_shard *sh, logreg_status st, logreg_error *err);
/* Frees what lr_objective_set_shard allocated (the backend's vectors stay the backend's). */
void lr_objective_free(lr_objective *o);
/* The train slot's row order for ranged evaluations: a permutation of 0..n_train-1, or NULL
 * for the identity (under a shard, this process's part of it goes to its backend). */
logreg_status lr_objective_set_order(lr_objective *o, const uint32_t *order, logreg_error *err);

/* Per-parameter L2 factors pen[nparam] (NULL: 1 on W, the default) and a training mask
 * mask[nparam] (NULL: every parameter trains), written to new backend vectors. */
logreg_status lr_objective_set_penalty(lr_objective *o, const double *pen, const double *mask,
                                       logreg_error *err);

/* The host arrays for lr_objective_set_penalty from the options (logreg_params.raw_penalty,
 * .no_intercept) and the scaler's std[d]: *pen (1 / std_j^2 on W's row j, 0 on b) when
 * raw_penalty, *mask (1 on W, 0 on b) when no_intercept, each NULL otherwise; nparam = (d + 1)
 * kw numbers each. Returns 0, or -1 when out of memory (both NULL). */
int lr_penalty_arrays(const double *std, size_t d, size_t kw, int raw_penalty, int no_intercept,
                      double **pen, double **mask);

/* The penalty of a run's options on o (lr_penalty_arrays and lr_objective_set_penalty): the
 * factors 1 / std_j^2 of the backend's d features with raw_penalty, the intercept held at 0
 * with no_intercept. With a raw penalty and lambda > 0, *diag (when not NULL) receives L-BFGS's
 * diagonal initial matrix (nparam numbers, the caller frees it; else NULL): the inverse of the
 * Hessian's diagonal at W = 0 as far as it is known without a pass over X, the loss's
 * curvature on a standardized feature p (1 - p) with p = 1/K (1/4 binary) plus the penalty's
 * lambda / sigma_j^2, which dominates on features of small spread (and would leave gamma I
 * badly scaled for them). */
logreg_status lr_objective_penalize(lr_objective *o, const double *std, int raw_penalty,
                                    int no_intercept, double **diag, logreg_error *err);

/* J's L1 term at strength l1 (> 0): its factors (1 on W, 1 / std_j on W's row j with
 * raw_penalty, 0 on b) and the vectors pen1, pg, tmp1 on the backend. */
logreg_status lr_objective_set_l1(lr_objective *o, double l1, const double *std, int raw_penalty,
                                  logreg_error *err);

/* The raw sums of every shard over rows [begin, begin + count), added up (the combine point). */
logreg_status lr_objective_sums(lr_objective *o, lr_slot slot, size_t begin, size_t count, int want,
                                lr_sums *out, logreg_error *err);

/* J, mean loss and correct rows at LR_VEC_THETA over rows [begin, begin + count) of `slot`;
 * with want_grad, also dJ/dtheta into LR_VEC_GRAD and its max |.| into out->grad_max. */
logreg_status lr_objective_eval(lr_objective *o, lr_slot slot, size_t begin, size_t count,
                                int want_grad, lr_eval_out *out, logreg_error *err);

/* J, mean loss and correct rows from raw sums already taken over the train slot's rows (the
 * grid's pass: its gradient sums in LR_VEC_GSUM when want_grad), as lr_objective_eval finishes
 * them: with want_grad, dJ/dtheta into LR_VEC_GRAD and its max |.| into out->grad_max. */
logreg_status lr_objective_from_sums(lr_objective *o, const lr_sums *sums, int want_grad,
                                     lr_eval_out *out, logreg_error *err);

/* The gradient of the mini-batch objective over train rows [begin, begin + count) into
 * LR_VEC_GRAD, without waiting for the device: batch_s is the batch's sum of s, which the host
 * knows from the row weights. */
logreg_status lr_objective_batch_grad(lr_objective *o, size_t begin, size_t count, double batch_s,
                                      logreg_error *err);

/* out = (Hessian of J at LR_VEC_THETA) v, over the whole train slot (after a full evaluation
 * of it has set s_train). */
logreg_status lr_objective_hv(lr_objective *o, int v, int out, logreg_error *err);
/* out = the penalty's Hessian (diagonal) plus `mix` times the diagonal of the loss's: with
 * mix = 1 the diagonal of the Hessian of J; 1 for a parameter the mask holds at 0 (or that
 * would be 0). LOGREG_EUNSUPPORTED when the backend has no hdiag. */
logreg_status lr_objective_hdiag(lr_objective *o, double mix, int out, logreg_error *err);

/* J's lambda: scikit-learn's C when C > 0 (C * sum s_i l_i + ||W||^2 / 2 divided by C times
 * the rows' weight sum, weight_sum), else l2. */
double lr_objective_lambda(double C, double l2, double weight_sum);

/* J from sums and ||W||^2. */
double lr_objective_value(const lr_sums *s, double l2, double w2);

/* The reference objective (DESIGN.md §2 in double, plain loops): J, loss and correct over rows
 * rows[0..m) (all m rows when NULL) at W (d x kw) and b (kw); gw/gb (may be NULL) receive dJ/dW
 * and dJ/db. s may be NULL (all 1). Returns 0, or -1 when out of memory. For tests. */
int lr_reference_eval(const float *x, const int32_t *y, const float *s, const uint32_t *rows,
                      size_t m, size_t d, size_t k, int binary, double l2, double pos_weight,
                      const double *w, const double *b, lr_eval_out *out, double *gw, double *gb);

#endif
