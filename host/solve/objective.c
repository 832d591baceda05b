/* objective.c: J, its gradient and Hessian-vector products from a backend's raw sums (see
 * objective.h). */
#include "solve/objective.h"

#include <math.h>
#include <stdlib.h>

#include "util/util.h"

#define LR_PEN_MAX 1e30

void lr_objective_init(lr_objective *o, lr_backend *be, double l2) {
  o->be = be;
  o->l2 = l2;
  o->nw = be->d * be->kw;
  o->s_train = 0;
  o->evals = o->hv_products = 0;
  o->pen = o->mask = o->tmp = -1;
}

int lr_penalty_arrays(const double *std, size_t d, size_t kw, int raw_penalty, int no_intercept,
                      double **pen, double **mask) {
  size_t np = (d + 1) * kw;
  *pen = raw_penalty ? malloc(np * sizeof **pen) : NULL;
  *mask = no_intercept ? malloc(np * sizeof **mask) : NULL;
  if ((raw_penalty && !*pen) || (no_intercept && !*mask)) {
    free(*pen);
    free(*mask);
    *pen = *mask = NULL;
    return -1;
  }
  for (size_t q = 0; q < np; q++) {
    size_t j = q / kw; /* W's row, or d for b */
    /* 1 / sigma^2, at most LR_PEN_MAX: a column of spread 1e-20 would give 1e40, past float's
     * range on a float32 device (inf x 0 = NaN at W = 0); either factor holds its weight at 0
     * to far below what any logit resolves. */
    if (*pen) (*pen)[q] = j < d ? fmin(1.0 / (std[j] * std[j]), LR_PEN_MAX) : 0.0;
    if (*mask) (*mask)[q] = j < d ? 1.0 : 0.0;
  }
  return 0;
}

logreg_status lr_objective_set_penalty(lr_objective *o, const double *pen, const double *mask,
                                       logreg_error *err) {
  lr_backend *be = o->be;
  int first = -1;
  logreg_status st;
  if (pen) {
    if ((st = be->ops->vec_alloc(be, 2, &first, err)) ||
        (st = be->ops->vec_write(be, first, pen, err)))
      return st;
    o->pen = first;
    o->tmp = first + 1;
  }
  if (mask) {
    if ((st = be->ops->vec_alloc(be, 1, &first, err)) ||
        (st = be->ops->vec_write(be, first, mask, err)))
      return st;
    o->mask = first;
  }
  return LOGREG_OK;
}

double lr_objective_value(const lr_sums *s, double l2, double w2) {
  return s->wloss / s->s + 0.5 * l2 * w2;
}

logreg_status lr_objective_sums(lr_objective *o, lr_slot slot, size_t begin, size_t count, int want,
                                lr_sums *out, logreg_error *err) {
  /* One shard. Several would each fill an lr_sums over their rows (and LR_VEC_GSUM), and the
   * sums and vectors would be added here, in a fixed shard order, before anything is scaled. */
  lr_backend *be = o->be;
  if (slot == LR_SLOT_TRAIN && begin == 0 && count == be->n[LR_SLOT_TRAIN]) o->evals++;
  return be->ops->sums(be, slot, begin, count, want, out, err);
}

/* out = a x + lambda pen v (lambda [V | 0] without pen), then times the mask. */
static logreg_status add_penalty(lr_objective *o, int out, double a, int x, int v,
                                 logreg_error *err) {
  lr_backend *be = o->be;
  logreg_status st;
  if (o->pen >= 0 && o->l2 != 0) {
    if ((st = be->ops->vec_mul(be, o->tmp, o->pen, v, err)) ||
        (st = be->ops->vec_lincomb(be, out, a, x, o->l2, o->tmp, be->nparam, err)))
      return st;
  } else if ((st = be->ops->vec_lincomb(be, out, a, x, o->l2, v, o->l2 != 0 ? o->nw : 0, err))) {
    return st;
  }
  return o->mask >= 0 ? be->ops->vec_mul(be, out, out, o->mask, err) : LOGREG_OK;
}

/* ||W||^2, or sum pen theta^2 with pen. */
static logreg_status penalty_norm(lr_objective *o, double *w2, logreg_error *err) {
  lr_backend *be = o->be;
  logreg_status st;
  if (o->pen < 0) return be->ops->vec_dot(be, LR_VEC_THETA, LR_VEC_THETA, o->nw, w2, err);
  if ((st = be->ops->vec_mul(be, o->tmp, o->pen, LR_VEC_THETA, err))) return st;
  return be->ops->vec_dot(be, o->tmp, LR_VEC_THETA, be->nparam, w2, err);
}

/* GRAD = GSUM / sum s + lambda pen [W | 0] (masked). */
static logreg_status gradient(lr_objective *o, double s, logreg_error *err) {
  return add_penalty(o, LR_VEC_GRAD, 1.0 / s, LR_VEC_GSUM, LR_VEC_THETA, err);
}

logreg_status lr_objective_eval(lr_objective *o, lr_slot slot, size_t begin, size_t count,
                                int want_grad, lr_eval_out *out, logreg_error *err) {
  lr_backend *be = o->be;
  lr_sums sm;
  double w2 = 0;
  logreg_status st = lr_objective_sums(o, slot, begin, count,
                                       LR_WANT_SUMS | (want_grad ? LR_WANT_GRAD : 0), &sm, err);
  if (st) return st;
  if (slot == LR_SLOT_TRAIN && begin == 0 && count == be->n[LR_SLOT_TRAIN]) o->s_train = sm.s;
  if (o->l2 != 0 && (st = penalty_norm(o, &w2, err))) return st;
  out->objective = lr_objective_value(&sm, o->l2, w2);
  out->loss = sm.rows > 0 ? sm.loss / sm.rows : 0.0;
  out->correct = sm.correct;
  out->grad_max = 0;
  if (want_grad) {
    if ((st = gradient(o, sm.s, err)) ||
        (st = be->ops->vec_amax(be, LR_VEC_GRAD, &out->grad_max, err)))
      return st;
  }
  return LOGREG_OK;
}

logreg_status lr_objective_batch_grad(lr_objective *o, size_t begin, size_t count, double batch_s,
                                      logreg_error *err) {
  logreg_status st = lr_objective_sums(o, LR_SLOT_TRAIN, begin, count, LR_WANT_GRAD, NULL, err);
  if (st) return st;
  return gradient(o, batch_s, err);
}

logreg_status lr_objective_hv(lr_objective *o, int v, int out, logreg_error *err) {
  lr_backend *be = o->be;
  if (!be->ops->hv)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "the %s backend has no Hessian-vector products",
                   be->ops->name);
  if (!(o->s_train > 0))
    return lr_fail(err, LOGREG_EINVAL, "Hessian-vector product before a full evaluation");
  logreg_status st = be->ops->hv(be, v, out, err);
  if (st) return st;
  o->hv_products++;
  return add_penalty(o, out, 1.0 / o->s_train, out, v, err);
}

int lr_reference_eval(const float *x, const int32_t *y, const float *s, const uint32_t *rows,
                      size_t m, size_t d, size_t k, int binary, double l2, double pos_weight,
                      const double *w, const double *b, lr_eval_out *out, double *gw, double *gb) {
  size_t kw = binary ? 1 : k, nw = d * kw;
  lr_sums sm;
  if (lr_reference_sums(x, y, s, rows, m, d, k, binary, pos_weight, w, b, &sm, gw, gb) != 0)
    return -1;
  double w2 = 0.0, gmax = 0.0, inv_s = sm.s > 0 ? 1.0 / sm.s : 0.0;
  for (size_t j = 0; j < nw; j++) w2 += w[j] * w[j];
  if (gw)
    for (size_t j = 0; j < nw; j++) {
      gw[j] = gw[j] * inv_s + l2 * w[j];
      gmax = fmax(gmax, fabs(gw[j]));
    }
  if (gb)
    for (size_t c = 0; c < kw; c++) {
      gb[c] *= inv_s;
      gmax = fmax(gmax, fabs(gb[c]));
    }
  out->objective = sm.s > 0 ? lr_objective_value(&sm, l2, w2) : 0.5 * l2 * w2;
  out->loss = m ? sm.loss / (double)m : 0.0;
  out->correct = sm.correct;
  out->grad_max = gmax;
  return 0;
}
