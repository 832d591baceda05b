/* opt_newton.c: trust-region Newton-CG on the backend's vectors (Hessian-vector products
 * through the objective layer), with its state for checkpoints and its restart after a state
 * computed by another backend. */
#include <math.h>
#include <stdlib.h>

#include "solve/checkpoint.h"
#include "solve/optim.h"

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
  return ns->m < 0 ? lr_vec_copy(be, ns->z, ns->r, err)
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
  if ((st = lr_vec_copy(be, ns->w, LR_VEC_THETA, err)) ||
      (st = lr_vec_copy(be, ns->g, LR_VEC_GRAD, err)) || (st = newton_precond(s, ns, err)) ||
      (st = lr_vec_copy(be, ns->r, ns->g, err)) || (st = precondition(be, ns, err)) ||
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
      (st = precondition(be, ns, err)) || (st = lr_vec_copy(be, ns->d, ns->z, err)) ||
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
    if ((st = lr_vec_copy(be, ns->w, LR_VEC_THETA, err)) ||
        (st = lr_vec_copy(be, ns->g, LR_VEC_GRAD, err)) || (st = newton_precond(s, ns, err)))
      return st;
  } else {
    /* Rejected: back to w (the next products are taken there), with its gradient. */
    if ((st = lr_vec_copy(be, LR_VEC_THETA, ns->w, err)) ||
        (st = lr_vec_copy(be, LR_VEC_GRAD, ns->g, err)))
      return st;
  }
  /* J is computed to a relative 1e-16 (cpu) or 1e-7 (float32): when neither the model nor J
   * sees a decrease any more, there is nothing left to gain. */
  if ((fabs(actred) <= 1e-12 * fabs(ns->f) && fabs(prered) <= 1e-12 * fabs(ns->f)) ||
      (actred <= 0 && prered <= 0) || ns->delta < 1e-12 * fmax(1.0, snorm))
    *stop = "converged";
  return LOGREG_OK;
}

/* ---- Checkpoints: every scalar the next epoch reads (the vectors are the backend's) ---- */

static void newton_io(newton_state *ns, lr_ckpt_io *io) {
  int *ids[] = {&ns->w, &ns->g, &ns->s, &ns->r, &ns->d, &ns->hd, &ns->z, &ns->m, &ns->minv, &ns->t};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) lr_ckpt_int(io, ids[i]);
  lr_ckpt_f64(io, &ns->f);
  lr_ckpt_f64(io, &ns->delta);
  lr_ckpt_int(io, &ns->boundary);
}

static int newton_valid(const newton_state *ns, const lr_backend *be) {
  /* m, minv and t exist together or not at all (-1: no preconditioner). */
  int pc = ns->m == -1 && ns->minv == -1 && ns->t == -1
               ? 1
               : lr_vec_ok(be, ns->m) && lr_vec_ok(be, ns->minv) && lr_vec_ok(be, ns->t);
  return lr_vec_ok(be, ns->w) && lr_vec_ok(be, ns->g) && lr_vec_ok(be, ns->s) &&
         lr_vec_ok(be, ns->r) && lr_vec_ok(be, ns->d) && lr_vec_ok(be, ns->hd) &&
         lr_vec_ok(be, ns->z) && pc;
}

static void newton_state_io(lr_solver *s, lr_ckpt_io *io) {
  newton_io(s->state, io);
  if (io->reading && !newton_valid(s->state, s->be)) io->bad = 1;
}

/* J at the iterate, in this backend's arithmetic. */
static logreg_status newton_rebase(lr_solver *s, logreg_error *err) {
  newton_state *ns = s->state;
  logreg_status st;
  if ((st = lr_vec_copy(s->be, ns->w, LR_VEC_THETA, err)) ||
      (st = lr_vec_copy(s->be, ns->g, LR_VEC_GRAD, err)))
    return st;
  ns->f = s->ev.objective;
  return LOGREG_OK;
}

const lr_solver_def lr_opt_newton = {.default_lr = 1.0,
                                     .second_order = 1,
                                     .init = newton_init,
                                     .epoch = newton_epoch,
                                     .state_io = newton_state_io,
                                     .rebase = newton_rebase,
                                     .release = lr_solver_free_state};
