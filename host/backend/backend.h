/* backend.h: the internal interface between the solvers and the compute backends.
 *
 * A backend holds the (already standardized) data of up to two slots (train, val), the
 * parameters W (d x kw) and b (kw), the last gradient and the optimizer state. The solver asks
 * for an objective/gradient on a range of rows and for an update step; it never sees where the
 * numbers live. Only scalars come back per call, so a device backend can keep everything
 * resident. The CPU backend (backend/cpu.c) is the reference: plain loops in double.
 */
#ifndef LOGREG_BACKEND_H
#define LOGREG_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "logreg.h"

typedef enum lr_slot { LR_SLOT_TRAIN = 0, LR_SLOT_VAL = 1, LR_SLOT_COUNT } lr_slot;

/* eval's want_grad: 0 (sums only), 1 (sums and gradient), LR_EVAL_STEP (gradient only). */
#define LR_EVAL_STEP 2

/* What one evaluation measured over its rows. */
typedef struct lr_eval_out {
  double objective; /* sum s_i l_i / sum s_i + lambda/2 ||W||^2 */
  double loss;      /* mean unweighted row loss */
  double correct;   /* rows whose argmax (or sigmoid >= 0.5) equals the label */
  double grad_max;  /* max |dJ/dtheta| over W and b; 0 when no gradient was asked for */
} lr_eval_out;

/* One optimizer step from the stored gradient. */
typedef struct lr_update {
  logreg_optimizer kind; /* GD and SGD: plain step; MOMENTUM; ADAM */
  double lr;
  double momentum;
  int nesterov;
  double beta1, beta2, eps;
  long t; /* 1-based step count (Adam's bias correction) */
} lr_update;

typedef struct lr_backend lr_backend;

/* Options of lr_backend_create beyond the model's shape (NULL: the defaults). */
typedef struct lr_backend_opts {
  const char *gemm; /* opencl: NULL or "auto" (measured), "tiled", "fused", "own", "clblast" */
  const char *path_cache; /* opencl: where auto's measured choices are kept; NULL = nowhere */
} lr_backend_opts;

typedef struct lr_backend_ops {
  const char *name;
  /* Copies n rows of x (n x d standardized), y and s (row weights, class weights included). */
  logreg_status (*set_data)(lr_backend *be, lr_slot slot, const float *x, const int32_t *y,
                            const float *s, size_t n, logreg_error *err);
  /* Row order of the train slot for ranged evaluations (a permutation of 0..n-1), or NULL for
   * the identity. */
  logreg_status (*set_order)(lr_backend *be, const uint32_t *order, logreg_error *err);
  /* Objective, loss and accuracy over rows [begin, begin+count) of `slot` in the current order
   * (the train slot's order; the val slot is always in file order); with want_grad, also the
   * gradient of that objective, kept in the backend for the next update. want_grad ==
   * LR_EVAL_STEP: the gradient for an update only; the backend may skip the sums and leave
   * `out` unset (a device backend then need not wait for the device: mini-batch steps). */
  logreg_status (*eval)(lr_backend *be, lr_slot slot, size_t begin, size_t count, int want_grad,
                        lr_eval_out *out, logreg_error *err);
  logreg_status (*update)(lr_backend *be, const lr_update *u, logreg_error *err);
  logreg_status (*get_params)(lr_backend *be, double *w, double *b, logreg_error *err);
  /* The gradient kept by the last eval with want_grad (dJ/dW, dJ/db); either may be NULL. */
  logreg_status (*get_grad)(lr_backend *be, double *gw, double *gb, logreg_error *err);
  logreg_status (*set_params)(lr_backend *be, const double *w, const double *b, logreg_error *err);
  /* Waits until queued work is done (timing); NULL when every call is synchronous. */
  logreg_status (*finish)(lr_backend *be, logreg_error *err);
  void (*destroy)(lr_backend *be);
} lr_backend_ops;

/* The part every backend shares; each backend embeds it first in its own struct. */
struct lr_backend {
  const lr_backend_ops *ops;
  size_t d, k, kw; /* features, classes, weight columns (1 when binary) */
  int binary;
  double l2, pos_weight;
  size_t n[LR_SLOT_COUNT];
  char device[200];        /* what runs it, for people: "cpu (reference, ...)", "opencl:0:0 ..." */
  logreg_path_choice path; /* opencl: how evaluations run (chosen at the train slot's set_data) */
};

/* Creates the backend for a device spec: "cpu", "opencl", "opencl:P:D", or "auto" (an OpenCL
 * device when there is one, else cpu). Parameters start at zero. */
logreg_status lr_backend_create(const char *name, size_t d, size_t k, int binary, double l2,
                                double pos_weight, const lr_backend_opts *opts, lr_backend **out,
                                logreg_error *err);
void lr_backend_destroy(lr_backend *be);

logreg_status lr_cpu_backend_create(size_t d, size_t k, int binary, double l2, double pos_weight,
                                    lr_backend **out, logreg_error *err);

/* ---- The reference math (backend/cpu.c), in double, shared with the tests. ---- */

/* softplus(x) = log(1 + e^x), stable for any finite x. */
double lr_softplus(double x);
/* Stable softmax of z[0..k): p = exp(z - max z) / sum (p may be NULL). Returns
 * log(sum exp(z - max z)) and sets *zmax (may be NULL) to max z: logsumexp(z) = *zmax + return. */
double lr_softmax(const double *z, size_t k, double *p, double *zmax);
/* Binary loss with pos_weight: pw*y*softplus(-z) + (1-y)*softplus(z); *dz = its derivative. */
double lr_binary_loss(double z, int y, double pos_weight, double *dz);

/* Objective and gradient of DESIGN.md §2 over rows rows[0..m) (or 0..m-1 when rows is NULL).
 * w is d x kw, b kw; gw/gb (may be NULL) receive dJ/dW and dJ/db. s may be NULL (all 1).
 * Returns 0, or -1 when out of memory. */
int lr_reference_eval(const float *x, const int32_t *y, const float *s, const uint32_t *rows,
                      size_t m, size_t d, size_t k, int binary, double l2, double pos_weight,
                      const double *w, const double *b, lr_eval_out *out, double *gw, double *gb);

/* The raw Hessian-vector product of the summed loss sum_i s_i l_i (no 1 / sum s, no L2: the
 * objective layer adds those) at theta = [w | b] along v = [V | vb], over rows rows[0..m) (or
 * 0..m-1 when rows is NULL). v and hv are [(d + 1) kw] vectors laid out [W part | b part]. Per
 * row, z = W^T x + b and u = V^T x + vb; softmax p of z gives r_c = p_c (u_c - sum_j p_j u_j),
 * the binary model r = c sigma(z) (1 - sigma(z)) u with c = pos_weight when y = 1, else 1. Then
 * hv = [sum_i s_i x_i r_i^T | sum_i s_i r_i]. s may be NULL (all 1). Returns 0, or -1 when out
 * of memory. */
int lr_reference_hv(const float *x, const int32_t *y, const float *s, const uint32_t *rows,
                    size_t m, size_t d, size_t k, int binary, double pos_weight, const double *w,
                    const double *b, const double *v, double *hv);

#endif
