/* optim.c: every optimizer (see optim.h): the first-order methods (gd, sgd, momentum, Nesterov,
 * adam), L-BFGS and trust-region Newton-CG, each as an epoch function over the objective layer
 * and the backend's vectors. */
#include "solve/optim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "solve/checkpoint.h"
#include "solve/lbfgs.h"

/* ---- First-order methods: gd, sgd, momentum, adam ----
 *
 * Each step is an element-wise map (backend.h: lr_vec_map) over THETA, GRAD and the state
 * vectors M1, M2: the same formula in double for the cpu backend and as OpenCL C statements in
 * float for a device, so that no backend knows the optimizers. Scalars that depend on the step
 * count (Adam's bias corrections) are computed here in double. */

/* GD and SGD: theta -= lr g. v0 theta, v1 g; c0 lr. */
static void gd_cpu(double *const *v, const double *c, size_t n) {
  double *theta = v[0];
  const double *g = v[1];
  for (size_t i = 0; i < n; i++) theta[i] -= c[0] * g[i];
}
static const lr_vec_map gd_map = {"lr_step_gd", 2, 1, "v0[i] = v0[i] - c0 * v1[i];", gd_cpu};

static logreg_status gd_step(lr_solver *s, logreg_error *err) {
  const int vecs[] = {LR_VEC_THETA, LR_VEC_GRAD};
  const double c[] = {s->lr};
  return s->be->ops->vec_map(s->be, &gd_map, vecs, c, err);
}

/* Momentum (PyTorch's SGD momentum): v = mu v + g; theta -= lr v, or with Nesterov
 * theta -= lr (g + mu v). v0 theta, v1 g, v2 v; c0 lr, c1 mu. */
static void momentum_cpu(double *const *v, const double *c, size_t n) {
  double *theta = v[0], *m = v[2];
  const double *g = v[1];
  for (size_t i = 0; i < n; i++) {
    m[i] = c[1] * m[i] + g[i];
    theta[i] -= c[0] * m[i];
  }
}
static void nesterov_cpu(double *const *v, const double *c, size_t n) {
  double *theta = v[0], *m = v[2];
  const double *g = v[1];
  for (size_t i = 0; i < n; i++) {
    m[i] = c[1] * m[i] + g[i];
    theta[i] -= c[0] * (g[i] + c[1] * m[i]);
  }
}
static const lr_vec_map momentum_map = {"lr_step_momentum", 3, 2,
                                        "const float g = v1[i];\n"
                                        "const float m = c1 * v2[i] + g;\n"
                                        "v2[i] = m;\n"
                                        "v0[i] = v0[i] - c0 * m;",
                                        momentum_cpu};
static const lr_vec_map nesterov_map = {"lr_step_nesterov", 3, 2,
                                        "const float g = v1[i];\n"
                                        "const float m = c1 * v2[i] + g;\n"
                                        "v2[i] = m;\n"
                                        "v0[i] = v0[i] - c0 * (g + c1 * m);",
                                        nesterov_cpu};

static logreg_status momentum_step(lr_solver *s, logreg_error *err) {
  const int vecs[] = {LR_VEC_THETA, LR_VEC_GRAD, LR_VEC_M1};
  const double c[] = {s->lr, s->p->momentum};
  return s->be->ops->vec_map(s->be, s->p->nesterov ? &nesterov_map : &momentum_map, vecs, c, err);
}

/* Adam with bias correction: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, theta -= lr (m /
 * c1) / (sqrt(v / c2) + eps) with c1 = 1 - b1^t, c2 = 1 - b2^t (in double here). v0 theta, v1 g,
 * v2 m, v3 v; c0 lr, c1 b1, c2 b2, c3 eps, c4 c1, c5 c2. */
static void adam_cpu(double *const *v, const double *c, size_t n) {
  double *theta = v[0], *m1 = v[2], *m2 = v[3];
  const double *g = v[1];
  for (size_t i = 0; i < n; i++) {
    m1[i] = c[1] * m1[i] + (1.0 - c[1]) * g[i];
    m2[i] = c[2] * m2[i] + (1.0 - c[2]) * g[i] * g[i];
    theta[i] -= c[0] * (m1[i] / c[4]) / (sqrt(m2[i] / c[5]) + c[3]);
  }
}
static const lr_vec_map adam_map = {"lr_step_adam", 4, 6,
                                    "const float g = v1[i];\n"
                                    "const float a = c1 * v2[i] + (1.0f - c1) * g;\n"
                                    "const float b = c2 * v3[i] + (1.0f - c2) * g * g;\n"
                                    "v2[i] = a;\n"
                                    "v3[i] = b;\n"
                                    "v0[i] = v0[i] - c0 * (a / c4) / (sqrt(b / c5) + c3);",
                                    adam_cpu};

static logreg_status adam_step(lr_solver *s, logreg_error *err) {
  const logreg_params *p = s->p;
  const int vecs[] = {LR_VEC_THETA, LR_VEC_GRAD, LR_VEC_M1, LR_VEC_M2};
  const double c[] = {s->lr,
                      p->beta1,
                      p->beta2,
                      p->eps,
                      1.0 - pow(p->beta1, (double)s->t),
                      1.0 - pow(p->beta2, (double)s->t)};
  return s->be->ops->vec_map(s->be, &adam_map, vecs, c, err);
}

/* The step of the optimizer the parameters name, the s->t-th (counted here: Adam's t). */
static logreg_status first_order_step(lr_solver *s, logreg_error *err) {
  ++s->t;
  return lr_solver_find(s->p->optimizer)->step(s, err);
}

/* One mini-batch epoch: shuffle, then a step per batch; a stop request pauses it after the
 * step it is in (s->batch_done), and a later call goes on from there. */
static logreg_status minibatch_epoch(lr_solver *s, logreg_error *err) {
  size_t n = s->n, bs = s->p->batch_size, start = s->batch_done;
  /* The processes of a group stop at the end of an epoch (they would not see the request
   * after the same step). */
  const volatile sig_atomic_t *stop =
      s->obj->shard && s->obj->shard->size > 1 ? NULL : s->p->stop_request;
  s->batch_done = 0;
  /* Fisher-Yates from the seeded stream: the same seed gives the same batches everywhere. */
  for (size_t i = n; !start && i > 1; i--) {
    size_t j = (size_t)lr_rng_below(&s->rng, (uint64_t)i);
    uint32_t t = s->order[i - 1];
    s->order[i - 1] = s->order[j];
    s->order[j] = t;
  }
  logreg_status st = lr_objective_set_order(s->obj, s->order, err);
  if (st) return st;
  for (size_t begin = start; begin < n; begin += bs) {
    size_t count = n - begin < bs ? n - begin : bs;
    /* The batch's sum of weights, from the host's copy: the device need not be waited for. A
     * diverging run shows in the evaluation after the epoch. */
    double bsum = 0;
    for (size_t i = begin; i < begin + count; i++) bsum += s->s[s->order[i]];
    if ((st = lr_objective_batch_grad(s->obj, begin, count, bsum, err)) ||
        (st = first_order_step(s, err)))
      return st;
    if (stop && *stop && begin + count < n) {
      s->batch_done = begin + count;
      break;
    }
  }
  return lr_objective_set_order(s->obj, NULL, err);
}

static logreg_status first_order_epoch(lr_solver *s, const char **stop, logreg_error *err) {
  *stop = NULL;
  logreg_status st = s->full ? first_order_step(s, err) /* GRAD holds the gradient at THETA */
                             : minibatch_epoch(s, err);
  if (st || s->batch_done) return st; /* paused: measured when the epoch is done */
  s->step = s->lr;
  /* Measure the new weights; in full batch the same pass yields the next gradient. */
  return lr_objective_eval(s->obj, LR_SLOT_TRAIN, 0, s->n, s->full, &s->ev, err);
}

/* ---- L-BFGS: memory 10, strong-Wolfe line search ---- */

enum { LBFGS_MEMORY = 10, LBFGS_MAX_EVALS = 20 };

typedef struct lbfgs_state {
  lr_lbfgs lb;
  int x, g, d, xn, gn; /* iterate, its gradient, direction, best trial point and its gradient */
  double f;
  lr_eval_out trial[LBFGS_MAX_EVALS]; /* the evaluations of the current line search */
  int ntrial;
  lr_solver *s;
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
/* Refinement (lbfgs_refine) also starts after this many iterations in a row that lowered J by
 * no more than its float32 noise (LR_LINE_F_NOISE relative): from there float32 evaluations
 * tell the line search little (tumors.csv, test_optimum, tol 1e-9: 200 iterations of about 10
 * evaluations each, then the cap, where refined it reaches tol). */
enum { LBFGS_NOISE_ITERS = 3 };

static logreg_status copy_vec(lr_backend *be, int to, int from, logreg_error *err) {
  return be->ops->vec_lincomb(be, to, 1.0, from, 0.0, from, 0, err);
}

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
  if ((st = copy_vec(be, LR_VEC_THETA, ls->x, err)) ||
      (st = lr_objective_eval(s->obj, LR_SLOT_TRAIN, 0, s->n, 1, &s->ev, err)) ||
      (st = copy_vec(be, ls->g, LR_VEC_GRAD, err)))
    return st;
  lbfgs_restart(ls, s);
  *more = 1;
  return LOGREG_OK;
}

static logreg_status lbfgs_init(lr_solver *s, logreg_error *err) {
  lbfgs_state *ls = calloc(1, sizeof *ls);
  if (!ls) return lr_fail(err, LOGREG_ENOMEM, "out of memory for L-BFGS");
  s->state = ls;
  ls->s = s;
  lr_backend *be = s->be;
  int first;
  logreg_status st = lr_lbfgs_init(&ls->lb, be, LBFGS_MEMORY, err);
  if (!st && s->diag) st = lr_lbfgs_set_diag(&ls->lb, s->diag, err);
  if (!st) st = be->ops->vec_alloc(be, 5, &first, err);
  if (st) return st;
  ls->x = first, ls->g = first + 1, ls->d = first + 2, ls->xn = first + 3, ls->gn = first + 4;
  ls->f = ls->best_f = s->ev.objective;
  ls->best_gmax = s->ev.grad_max;
  if ((st = copy_vec(be, ls->x, LR_VEC_THETA, err))) return st;
  return copy_vec(be, ls->g, LR_VEC_GRAD, err);
}

/* f and g.d at x + alpha d: the line search's oracle. */
static logreg_status lbfgs_phi(void *ctx, double alpha, double *f, double *dg, logreg_error *err) {
  lbfgs_state *ls = ctx;
  lr_solver *s = ls->s;
  lr_backend *be = s->be;
  lr_eval_out out;
  logreg_status st;
  if ((st = be->ops->vec_lincomb(be, LR_VEC_THETA, 1.0, ls->x, alpha, ls->d, be->nparam, err)) ||
      (st = lr_objective_eval(s->obj, LR_SLOT_TRAIN, 0, s->n, 1, &out, err)) ||
      (st = be->ops->vec_dot(be, LR_VEC_GRAD, ls->d, be->nparam, dg, err)))
    return st;
  *f = out.objective;
  if (ls->ntrial < LBFGS_MAX_EVALS) ls->trial[ls->ntrial++] = out;
  return LOGREG_OK;
}

static logreg_status lbfgs_keep(void *ctx, logreg_error *err) {
  lbfgs_state *ls = ctx;
  lr_backend *be = ls->s->be;
  logreg_status st = copy_vec(be, ls->xn, LR_VEC_THETA, err);
  return st ? st : copy_vec(be, ls->gn, LR_VEC_GRAD, err);
}

/* One L-BFGS iteration from (x, f, g): direction, line search, history update. */
static logreg_status lbfgs_epoch(lr_solver *s, const char **stop, logreg_error *err) {
  lbfgs_state *ls = s->state;
  lr_backend *be = s->be;
  const lr_backend_ops *o = be->ops;
  size_t n = be->nparam;
  *stop = NULL;
  if (s->ev.grad_max <= s->tol) {
    *stop = "tol";
    return LOGREG_OK;
  }
  double gd, gnorm;
  logreg_status st;
  int done = ls->stalled >= LBFGS_STALL ||
             (be->float32 && s->epoch - 1 - ls->progress_epoch >= LBFGS_NO_PROGRESS);
  if (done || (be->float32 && ls->noise_iters >= LBFGS_NOISE_ITERS)) {
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
  lr_line_result lr;
  ls->ntrial = 0;
  if ((st = lr_line_search(lbfgs_phi, lbfgs_keep, ls, ls->f, gd, alpha0, 1e-4, 0.9, LBFGS_MAX_EVALS,
                           &lr, err)))
    return st;
  if (lr.alpha == 0) {
    /* No step along d decreases J: leave the backend at x, whatever the search tried last.
     * With a history, d may be stale (on a float32 device, curvature pairs carry J's noise):
     * drop it and search again along the gradient in the next iteration. Without one, J is
     * converged to the precision the backend computes in. */
    if ((st = copy_vec(be, LR_VEC_THETA, ls->x, err)) ||
        (st = copy_vec(be, LR_VEC_GRAD, ls->g, err)))
      return st;
    int more = 0;
    if (ls->lb.count == 0 && (st = lbfgs_refine(s, &more, err))) return st;
    if (ls->lb.count == 0 && !more) *stop = "converged";
    ls->lb.count = 0;
    return LOGREG_OK;
  }
  if (lr.best_eval != lr.evals && ((st = copy_vec(be, LR_VEC_THETA, ls->xn, err)) ||
                                   (st = copy_vec(be, LR_VEC_GRAD, ls->gn, err))))
    return st;
  int stored;
  if ((st = lr_lbfgs_push(&ls->lb, LR_VEC_THETA, ls->x, LR_VEC_GRAD, ls->g, &stored, err)) ||
      (st = copy_vec(be, ls->x, LR_VEC_THETA, err)) || (st = copy_vec(be, ls->g, LR_VEC_GRAD, err)))
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

/* ---- Trust-region Newton-CG (Lin and More's TRON, as LIBLINEAR uses it) ----
 *
 * Each iteration minimizes the quadratic model g.s + s.Hs / 2 within ||s||_M <= delta by
 * preconditioned conjugate gradients (Steihaug: stop at the boundary or when the residual's
 * M^-1 norm falls to 0.1 of the gradient's), each CG step one Hessian-vector product (one pass
 * over X), then takes the step when J falls by enough of the model's prediction, and resizes
 * delta by how well the model predicted. The preconditioner, where the backend has the
 * Hessian's diagonal (hdiag), is M = P + NEWTON_PC_MIX D with P the penalty's Hessian and D the
 * diagonal of the loss's, remade at every accepted step: Hsia, Chiang and Lin's mixture
 * (1 - a) I + a diag(H) ("Preconditioned conjugate gradient methods in truncated Newton
 * frameworks for large-scale linear classification", 2018) written for J's scale (they mix
 * with I in the form C sum l + |w|^2 / 2, whose penalty Hessian is I). M = I without hdiag.
 * Measured on the Debian descriptions (bench/sparse_bench.py's LIBLINEAR problem, --tol 1e-8):
 * 379 Hessian-vector products unpreconditioned, 289 with a = 0.01, 304 with 0.1, 358 with the
 * diagonal alone. */

enum { NEWTON_MAX_CG = 250 };
#define NEWTON_PC_MIX 0.01

typedef struct newton_state {
  int w, g, s, r, d, hd; /* iterate, gradient, step, CG residual, CG direction, H d */
  int z, m, minv, t;     /* M^-1 r, M's diagonal, its inverse, scratch: -1 without M */
  double f, delta;
  int boundary; /* the last CG stopped at the trust region's edge */
} newton_state;

/* *out = x.M y (x.y without a preconditioner). */
static logreg_status mdot(lr_backend *be, const newton_state *ns, int x, int y, double *out,
                          logreg_error *err) {
  if (ns->m < 0) return be->ops->vec_dot(be, x, y, be->nparam, out, err);
  logreg_status st = be->ops->vec_mul(be, ns->t, ns->m, x, err);
  return st ? st : be->ops->vec_dot(be, ns->t, y, be->nparam, out, err);
}

/* z = M^-1 r. */
static logreg_status precondition(lr_backend *be, const newton_state *ns, logreg_error *err) {
  return ns->m < 0 ? copy_vec(be, ns->z, ns->r, err)
                   : be->ops->vec_mul(be, ns->z, ns->minv, ns->r, err);
}

/* M and M^-1 at THETA (after a full evaluation there). */
static logreg_status newton_precond(lr_solver *s, newton_state *ns, logreg_error *err) {
  if (ns->m < 0) return LOGREG_OK;
  lr_backend *be = s->be;
  size_t n = be->nparam;
  logreg_status st = lr_objective_hdiag(s->obj, NEWTON_PC_MIX, ns->m, err);
  if (st) return st;
  double *h = malloc(n * sizeof *h);
  if (!h) return lr_fail(err, LOGREG_ENOMEM, "out of memory for Newton");
  if (!(st = be->ops->vec_read(be, ns->m, h, err))) {
    for (size_t i = 0; i < n; i++) h[i] = 1.0 / h[i];
    st = be->ops->vec_write(be, ns->minv, h, err);
  }
  free(h);
  return st;
}

static logreg_status newton_init(lr_solver *s, logreg_error *err) {
  newton_state *ns = calloc(1, sizeof *ns);
  if (!ns) return lr_fail(err, LOGREG_ENOMEM, "out of memory for Newton");
  s->state = ns;
  lr_backend *be = s->be;
  int first;
  int pc = be->ops->hdiag != NULL;
  logreg_status st = be->ops->vec_alloc(be, pc ? 10 : 7, &first, err);
  if (st) return st;
  ns->w = first, ns->g = first + 1, ns->s = first + 2, ns->r = first + 3, ns->d = first + 4;
  ns->hd = first + 5, ns->z = first + 6;
  ns->m = pc ? first + 7 : -1, ns->minv = pc ? first + 8 : -1, ns->t = pc ? first + 9 : -1;
  ns->f = s->ev.objective;
  double gg;
  if ((st = copy_vec(be, ns->w, LR_VEC_THETA, err)) ||
      (st = copy_vec(be, ns->g, LR_VEC_GRAD, err)) || (st = newton_precond(s, ns, err)) ||
      (st = copy_vec(be, ns->r, ns->g, err)) || (st = precondition(be, ns, err)) ||
      (st = be->ops->vec_dot(be, ns->g, ns->z, be->nparam, &gg, err)))
    return st;
  ns->delta = sqrt(gg); /* ||g||_{M^-1}: the preconditioned gradient's M-norm */
  return LOGREG_OK;
}

/* Steihaug's CG for min g.s + s.Hs/2, ||s|| <= delta, at THETA = w: the step in s, the final
 * residual r = -g - Hs. *cg receives the Hessian-vector products used. */
static logreg_status newton_cg(lr_solver *s, newton_state *ns, int *cg, logreg_error *err) {
  lr_backend *be = s->be;
  const lr_backend_ops *o = be->ops;
  size_t n = be->nparam;
  double rr;
  logreg_status st;
  *cg = 0;
  ns->boundary = 0;
  /* rr = z.r = ||r||^2 in the M^-1 norm. */
  if ((st = o->vec_lincomb(be, ns->s, 0.0, ns->g, 0.0, ns->g, 0, err)) ||
      (st = o->vec_lincomb(be, ns->r, -1.0, ns->g, 0.0, ns->g, 0, err)) ||
      (st = precondition(be, ns, err)) || (st = copy_vec(be, ns->d, ns->z, err)) ||
      (st = o->vec_dot(be, ns->z, ns->r, n, &rr, err)))
    return st;
  double cgtol = 0.1 * sqrt(rr);
  while (*cg < NEWTON_MAX_CG && sqrt(rr) > cgtol) {
    double dhd, ss;
    if ((st = lr_objective_hv(s->obj, ns->d, ns->hd, err)) ||
        (st = o->vec_dot(be, ns->d, ns->hd, n, &dhd, err)))
      return st;
    ++*cg;
    double alpha = dhd > 0 ? rr / dhd : INFINITY;
    if (isfinite(alpha)) {
      if ((st = o->vec_lincomb(be, ns->s, 1.0, ns->s, alpha, ns->d, n, err)) ||
          (st = mdot(be, ns, ns->s, ns->s, &ss, err)))
        return st;
    }
    if (!isfinite(alpha) || sqrt(ss) > ns->delta) {
      /* Back to the last s inside, then along d to the boundary: the root tau >= 0 of
       * ||s + tau d||_M = delta. */
      if (isfinite(alpha) && (st = o->vec_lincomb(be, ns->s, 1.0, ns->s, -alpha, ns->d, n, err)))
        return st;
      double sd, s2, dd;
      if ((st = mdot(be, ns, ns->s, ns->d, &sd, err)) ||
          (st = mdot(be, ns, ns->s, ns->s, &s2, err)) ||
          (st = mdot(be, ns, ns->d, ns->d, &dd, err)))
        return st;
      ns->boundary = 1;
      double dsq = ns->delta * ns->delta, rad = sqrt(sd * sd + dd * (dsq - s2));
      double tau = sd >= 0 ? (dsq - s2) / (sd + rad) : (rad - sd) / dd;
      return (st = o->vec_lincomb(be, ns->s, 1.0, ns->s, tau, ns->d, n, err))
                 ? st
                 : o->vec_lincomb(be, ns->r, 1.0, ns->r, -tau, ns->hd, n, err);
    }
    double rr_new;
    if ((st = o->vec_lincomb(be, ns->r, 1.0, ns->r, -alpha, ns->hd, n, err)) ||
        (st = precondition(be, ns, err)) || (st = o->vec_dot(be, ns->z, ns->r, n, &rr_new, err)) ||
        (st = o->vec_lincomb(be, ns->d, 1.0, ns->z, rr_new / rr, ns->d, n, err)))
      return st;
    rr = rr_new;
  }
  return LOGREG_OK;
}

static logreg_status newton_epoch(lr_solver *s, const char **stop, logreg_error *err) {
  newton_state *ns = s->state;
  lr_backend *be = s->be;
  const lr_backend_ops *o = be->ops;
  size_t n = be->nparam;
  /* Lin and More's constants: acceptance and radius thresholds, radius factors. */
  const double eta0 = 1e-4, eta1 = 0.25, eta2 = 0.75, sigma1 = 0.25, sigma2 = 0.5, sigma3 = 4.0;
  *stop = NULL;
  if (s->ev.grad_max <= s->tol) {
    *stop = "tol";
    return LOGREG_OK;
  }
  int cg;
  double gs, sr, snorm2;
  lr_eval_out out;
  logreg_status st;
  if ((st = newton_cg(s, ns, &cg, err)) || (st = o->vec_dot(be, ns->g, ns->s, n, &gs, err)) ||
      (st = o->vec_dot(be, ns->s, ns->r, n, &sr, err)) ||
      (st = mdot(be, ns, ns->s, ns->s, &snorm2, err)) ||
      (st = o->vec_lincomb(be, LR_VEC_THETA, 1.0, ns->w, 1.0, ns->s, n, err)) ||
      (st = lr_objective_eval(s->obj, LR_SLOT_TRAIN, 0, s->n, 1, &out, err)))
    return st;
  double prered = -0.5 * (gs - sr), fnew = out.objective, actred = ns->f - fnew;
  double snorm = sqrt(snorm2);
  if (s->epoch == 1) ns->delta = fmin(ns->delta, snorm);
  /* The step that minimizes the quadratic through f, g.s and fnew along s. */
  double alpha = fnew - ns->f - gs <= 0 ? sigma3 : fmax(sigma1, -0.5 * (gs / (fnew - ns->f - gs)));
  if (actred < eta0 * prered)
    ns->delta = fmin(fmax(alpha, sigma1) * snorm, sigma2 * ns->delta);
  else if (actred < eta1 * prered)
    ns->delta = fmax(sigma1 * ns->delta, fmin(alpha * snorm, sigma2 * ns->delta));
  else if (actred < eta2 * prered)
    ns->delta = fmax(sigma1 * ns->delta, fmin(alpha * snorm, sigma3 * ns->delta));
  else
    /* A good step that ended at the region's edge also doubles the region (Nocedal and
     * Wright's Algorithm 4.1): TRON's interpolated alpha alone kept Fashion-MNIST's steps at a
     * tenth of the Newton step for hundreds of iterations. */
    ns->delta = fmax(ns->delta,
                     fmin((ns->boundary ? fmax(alpha, 2.0) : alpha) * snorm, sigma3 * ns->delta));
  s->step = snorm;
  if (actred > eta0 * prered && isfinite(fnew)) {
    ns->f = fnew;
    s->ev = out;
    if ((st = copy_vec(be, ns->w, LR_VEC_THETA, err)) ||
        (st = copy_vec(be, ns->g, LR_VEC_GRAD, err)) || (st = newton_precond(s, ns, err)))
      return st;
  } else {
    /* Rejected: back to w (the next products are taken there), with its gradient. */
    if ((st = copy_vec(be, LR_VEC_THETA, ns->w, err)) ||
        (st = copy_vec(be, LR_VEC_GRAD, ns->g, err)))
      return st;
  }
  /* J is computed to a relative 1e-16 (cpu) or 1e-7 (float32): when neither the model nor J
   * sees a decrease any more, there is nothing left to gain. */
  if ((fabs(actred) <= 1e-12 * fabs(ns->f) && fabs(prered) <= 1e-12 * fabs(ns->f)) ||
      (actred <= 0 && prered <= 0) || ns->delta < 1e-12 * fmax(1.0, snorm))
    *stop = "converged";
  return LOGREG_OK;
}

static void free_state(lr_solver *s) {
  free(s->state);
  s->state = NULL;
}

/* ---- Checkpoints: every scalar the next epoch reads (the vectors are the backend's) ---- */

static void lbfgs_io(lbfgs_state *ls, lr_ckpt_io *io) {
  lr_lbfgs *lb = &ls->lb;
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

static void newton_io(newton_state *ns, lr_ckpt_io *io) {
  int *ids[] = {&ns->w, &ns->g, &ns->s, &ns->r, &ns->d, &ns->hd, &ns->z, &ns->m, &ns->minv, &ns->t};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) lr_ckpt_int(io, ids[i]);
  lr_ckpt_f64(io, &ns->f);
  lr_ckpt_f64(io, &ns->delta);
  lr_ckpt_int(io, &ns->boundary);
}

static int vec_ok(const lr_backend *be, int v) { return v >= 0 && v < be->nvec; }

/* After reading: vector ids and ring indices that index nothing would be out of bounds. */
static int lbfgs_valid(const lbfgs_state *ls, const lr_backend *be) {
  const lr_lbfgs *lb = &ls->lb;
  if (lb->m < 1 || lb->m > LR_LBFGS_MAX_M || lb->count < 0 || lb->count > lb->m || lb->head < 0 ||
      lb->head >= lb->m || !vec_ok(be, lb->spare_s) || !vec_ok(be, lb->spare_y) ||
      (lb->diag != -1 && !vec_ok(be, lb->diag)) || (lb->tmp != -1 && !vec_ok(be, lb->tmp)))
    return 0;
  for (int i = 0; i < lb->m; i++)
    if (!vec_ok(be, lb->sv[i]) || !vec_ok(be, lb->yv[i])) return 0;
  return vec_ok(be, ls->x) && vec_ok(be, ls->g) && vec_ok(be, ls->d) && vec_ok(be, ls->xn) &&
         vec_ok(be, ls->gn);
}

static int newton_valid(const newton_state *ns, const lr_backend *be) {
  /* m, minv and t exist together or not at all (-1: no preconditioner). */
  int pc = ns->m == -1 && ns->minv == -1 && ns->t == -1
               ? 1
               : vec_ok(be, ns->m) && vec_ok(be, ns->minv) && vec_ok(be, ns->t);
  return vec_ok(be, ns->w) && vec_ok(be, ns->g) && vec_ok(be, ns->s) && vec_ok(be, ns->r) &&
         vec_ok(be, ns->d) && vec_ok(be, ns->hd) && vec_ok(be, ns->z) && pc;
}

void lr_solver_state_io(lr_solver *s, const lr_solver_def *def, lr_ckpt_io *io) {
  if (def->id == LOGREG_OPTIMIZER_LBFGS && s->state) {
    lbfgs_io(s->state, io);
    if (io->reading && !lbfgs_valid(s->state, s->be)) io->bad = 1;
  }
  if (def->id == LOGREG_OPTIMIZER_NEWTON && s->state) {
    newton_io(s->state, io);
    if (io->reading && !newton_valid(s->state, s->be)) io->bad = 1;
  }
}

logreg_status lr_solver_rebase(lr_solver *s, const lr_solver_def *def, logreg_error *err) {
  lr_backend *be = s->be;
  logreg_status st = lr_objective_eval(s->obj, LR_SLOT_TRAIN, 0, s->n, s->full, &s->ev, err);
  if (st) return st;
  if (def->id == LOGREG_OPTIMIZER_LBFGS && s->state) {
    /* As lbfgs_refine does on switching to double: the pairs carry the other arithmetic's
     * noise in y, and a J from it would make the line search compare across precisions. */
    lbfgs_state *ls = s->state;
    if ((st = copy_vec(be, ls->x, LR_VEC_THETA, err)) ||
        (st = copy_vec(be, ls->g, LR_VEC_GRAD, err)))
      return st;
    lbfgs_restart(ls, s);
  }
  if (def->id == LOGREG_OPTIMIZER_NEWTON && s->state) {
    newton_state *ns = s->state;
    if ((st = copy_vec(be, ns->w, LR_VEC_THETA, err)) ||
        (st = copy_vec(be, ns->g, LR_VEC_GRAD, err)))
      return st;
    ns->f = s->ev.objective;
  }
  return LOGREG_OK;
}

/* ---- The table ---- */

static const lr_solver_def solvers[] = {
    {LOGREG_OPTIMIZER_GD, "gd", 0.5, 0, NULL, first_order_epoch, gd_step, NULL},
    {LOGREG_OPTIMIZER_SGD, "sgd", 0.05, 0, NULL, first_order_epoch, gd_step, NULL},
    {LOGREG_OPTIMIZER_MOMENTUM, "momentum", 0.01, 0, NULL, first_order_epoch, momentum_step, NULL},
    {LOGREG_OPTIMIZER_ADAM, "adam", 0.01, 0, NULL, first_order_epoch, adam_step, NULL},
    {LOGREG_OPTIMIZER_LBFGS, "lbfgs", 1.0, 1, lbfgs_init, lbfgs_epoch, NULL, free_state},
    {LOGREG_OPTIMIZER_NEWTON, "newton", 1.0, 1, newton_init, newton_epoch, NULL, free_state},
};

const lr_solver_def *lr_solver_find(logreg_optimizer id) {
  for (size_t i = 0; i < sizeof solvers / sizeof solvers[0]; i++)
    if (solvers[i].id == id) return &solvers[i];
  return NULL;
}
