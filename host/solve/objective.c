/* objective.c: J, its gradient and Hessian-vector products from a backend's raw sums (see
 * objective.h). */
#include "solve/objective.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define LR_PEN_MAX 1e30

void lr_objective_init(lr_objective *o, lr_backend *be, double l2) {
  o->be = be;
  o->l2 = l2;
  o->nw = be->d * be->kw;
  o->s_train = 0;
  o->evals = o->hv_products = 0;
  o->pen = o->mask = o->tmp = -1;
  o->l1 = 0;
  o->pen1 = o->pg = o->tmp1 = -1;
  o->shard = NULL;
  o->n_train = be->n[LR_SLOT_TRAIN];
  o->lo = 0;
  o->pos = o->local_order = NULL;
  o->buf = o->all = NULL;
}

/* The scalar sums that travel ahead of a vector in one exchange. */
enum { LR_XSUMS = 5 };

logreg_status lr_objective_set_shard(lr_objective *o, const logreg_shard *shard, size_t n_train,
                                     size_t lo, logreg_error *err) {
  size_t len = LR_XSUMS + o->be->nparam, r = (size_t)shard->size;
  o->shard = shard;
  o->n_train = n_train;
  o->lo = lo;
  o->buf = malloc(len * sizeof *o->buf);
  o->all = malloc(r * len * sizeof *o->all);
  if (!o->buf || !o->all) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  return LOGREG_OK;
}

logreg_status lr_shard_agree(const logreg_shard *sh, logreg_status st, logreg_error *err) {
  /* Each process sends its status and its message's bytes (packed into doubles). */
  enum { MSG = sizeof err->message / sizeof(double) };
  if (!sh->allgather) return st; /* an invalid shard: the trainer says so */
  size_t len = 1 + MSG, r = (size_t)sh->size;
  double mine[1 + MSG], *all = malloc(r * len * sizeof *all);
  if (!all) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  memset(mine, 0, sizeof mine);
  mine[0] = (double)st;
  if (st) memcpy(mine + 1, err->message, sizeof err->message);
  if (sh->allgather(sh->user, mine, len, all) != 0) {
    free(all);
    return lr_fail(err, LOGREG_EBACKEND, "the exchange between the %d processes failed", sh->size);
  }
  size_t first = r;
  for (size_t q = 0; q < r && first == r; q++)
    if (all[q * len] != 0) first = q;
  logreg_status out = LOGREG_OK;
  if (first < r && first != (size_t)sh->rank) {
    char msg[sizeof err->message];
    memcpy(msg, all + first * len + 1, sizeof msg);
    msg[sizeof msg - 1] = '\0';
    out = lr_fail(err, (logreg_status)(int)all[first * len], "rank %zu of %d: %s", first, sh->size,
                  msg);
  } else if (first < r) {
    out = st; /* this process's own failure: err already says it */
  }
  free(all);
  return out;
}

void lr_objective_free(lr_objective *o) {
  free(o->pos);
  free(o->local_order);
  free(o->buf);
  free(o->all);
  o->pos = o->local_order = NULL;
  o->buf = o->all = NULL;
}

logreg_status lr_objective_set_order(lr_objective *o, const uint32_t *order, logreg_error *err) {
  lr_backend *be = o->be;
  if (!o->shard || !order) {
    free(o->pos);
    o->pos = NULL;
    return be->ops->set_order(be, o->shard ? NULL : order, err);
  }
  size_t n = o->n_train, nl = be->n[LR_SLOT_TRAIN], c = 0;
  if (!o->pos) o->pos = malloc((n + 1) * sizeof *o->pos);
  if (!o->local_order) o->local_order = malloc((nl ? nl : 1) * sizeof *o->local_order);
  if (!o->pos || !o->local_order) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  for (size_t p = 0; p < n; p++) {
    o->pos[p] = (uint32_t)c;
    if (order[p] >= o->lo && order[p] - o->lo < nl)
      o->local_order[c++] = (uint32_t)(order[p] - o->lo);
  }
  o->pos[n] = (uint32_t)c;
  return be->ops->set_order(be, o->local_order, err);
}

/* Adds every process's sums (*sm, when not NULL) and vector `v` (when >= 0; zeros from this
 * process when `none`) in rank order, writing the totals back: the same bits on every
 * process. */
static logreg_status combine(lr_objective *o, lr_sums *sm, int v, int none, logreg_error *err) {
  lr_backend *be = o->be;
  const logreg_shard *sh = o->shard;
  size_t len = LR_XSUMS + (v >= 0 ? be->nparam : 0);
  lr_sums z = {0, 0, 0, 0, 0};
  if (!sm) sm = &z;
  double *b = o->buf;
  b[0] = sm->wloss, b[1] = sm->loss, b[2] = sm->correct, b[3] = sm->s, b[4] = sm->rows;
  logreg_status st;
  if (v >= 0 && none)
    for (size_t i = LR_XSUMS; i < len; i++) b[i] = 0.0;
  else if (v >= 0 && (st = be->ops->vec_read(be, v, b + LR_XSUMS, err)))
    return st;
  if (sh->allgather(sh->user, b, len, o->all) != 0)
    return lr_fail(err, LOGREG_EBACKEND, "the exchange of sums between the %d processes failed",
                   sh->size);
  for (size_t i = 0; i < len; i++) {
    double t = o->all[i];
    for (size_t r = 1; r < (size_t)sh->size; r++) t += o->all[r * len + i];
    b[i] = t;
  }
  *sm = (lr_sums){b[0], b[1], b[2], b[3], b[4]};
  return v >= 0 ? be->ops->vec_write(be, v, b + LR_XSUMS, err) : LOGREG_OK;
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

double lr_objective_lambda(double C, double l2, double weight_sum) {
  return C > 0 ? 1.0 / (C * weight_sum) : l2;
}

double lr_objective_value(const lr_sums *s, double l2, double w2) {
  return s->wloss / s->s + 0.5 * l2 * w2;
}

logreg_status lr_objective_sums(lr_objective *o, lr_slot slot, size_t begin, size_t count, int want,
                                lr_sums *out, logreg_error *err) {
  /* Under a shard: this process's rows among [begin, begin + count), then every process's
   * sums (and LR_VEC_GSUM) added in rank order before anything is scaled. The validation slot
   * is whole on every process and needs no exchange. */
  lr_backend *be = o->be;
  if (slot == LR_SLOT_TRAIN && begin == 0 && count == o->n_train) o->evals++;
  if (!o->shard || slot != LR_SLOT_TRAIN)
    return be->ops->sums(be, slot, begin, count, want, out, err);
  size_t nl = be->n[LR_SLOT_TRAIN], lb, le, end = begin + count;
  if (o->pos) {
    lb = o->pos[begin];
    le = o->pos[end];
  } else {
    lb = begin < o->lo ? 0 : begin - o->lo < nl ? begin - o->lo : nl;
    le = end < o->lo ? 0 : end - o->lo < nl ? end - o->lo : nl;
  }
  lr_sums local = {0, 0, 0, 0, 0};
  logreg_status st;
  /* None of a batch's rows may be here: this process then adds zeros. */
  if (le > lb && (st = be->ops->sums(be, slot, lb, le - lb, want | LR_WANT_SUMS, &local, err)))
    return st;
  if ((st = combine(o, &local, (want & LR_WANT_GRAD) ? LR_VEC_GSUM : -1, le <= lb, err))) return st;
  if (out) *out = local;
  return LOGREG_OK;
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

/* |v1| into v0. */
static void abs_cpu(double *const *v, const double *c, size_t n) {
  (void)c;
  for (size_t i = 0; i < n; i++) v[0][i] = fabs(v[1][i]);
}
static const lr_vec_map abs_map = {"lr_abs", 2, 0, "v0[i] = fabs(v1[i]);", abs_cpu};

/* The minimum-norm subgradient of g + c0 v3 |theta|: v0 pg, v1 theta, v2 g (J's smooth
 * gradient), v3 pen1; c0 l1. */
static void pseudo_grad_cpu(double *const *v, const double *c, size_t n) {
  for (size_t i = 0; i < n; i++) {
    double a = c[0] * v[3][i], t = v[1][i], g = v[2][i];
    v[0][i] = t > 0 ? g + a : t < 0 ? g - a : g + a < 0 ? g + a : g - a > 0 ? g - a : 0.0;
  }
}
static const lr_vec_map pseudo_grad_map = {
    "lr_pseudo_grad", 4, 1,
    "const float a = c0 * v3[i], t = v1[i], g = v2[i];\n"
    "v0[i] = t > 0.0f ? g + a : t < 0.0f ? g - a : g + a < 0.0f ? g + a : g - a > 0.0f ? g - a "
    ": 0.0f;",
    pseudo_grad_cpu};

logreg_status lr_objective_set_l1(lr_objective *o, double l1, const double *std, int raw_penalty,
                                  logreg_error *err) {
  lr_backend *be = o->be;
  size_t np = be->nparam, kw = be->kw, d = be->d;
  double *f = malloc(np * sizeof *f);
  if (!f) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  for (size_t q = 0; q < np; q++) {
    size_t j = q / kw; /* W's row, or d for b */
    f[q] = j >= d ? 0.0 : raw_penalty ? fmin(1.0 / std[j], LR_PEN_MAX) : 1.0;
  }
  int first;
  logreg_status st = be->ops->vec_alloc(be, 3, &first, err);
  if (!st) st = be->ops->vec_write(be, first, f, err);
  free(f);
  if (st) return st;
  o->l1 = l1;
  o->pen1 = first, o->pg = first + 1, o->tmp1 = first + 2;
  return LOGREG_OK;
}

/* sum_q pen1_q |theta_q|. */
static logreg_status l1_norm(lr_objective *o, double *out, logreg_error *err) {
  lr_backend *be = o->be;
  const int vecs[] = {o->tmp1, LR_VEC_THETA};
  logreg_status st = be->ops->vec_map(be, &abs_map, vecs, NULL, err);
  return st ? st : be->ops->vec_dot(be, o->tmp1, o->pen1, be->nparam, out, err);
}

/* GRAD = GSUM / sum s + lambda pen [W | 0] (masked). */
static logreg_status gradient(lr_objective *o, double s, logreg_error *err) {
  return add_penalty(o, LR_VEC_GRAD, 1.0 / s, LR_VEC_GSUM, LR_VEC_THETA, err);
}

logreg_status lr_objective_from_sums(lr_objective *o, const lr_sums *sm, int want_grad,
                                     lr_eval_out *out, logreg_error *err) {
  lr_backend *be = o->be;
  double w2 = 0;
  logreg_status st;
  if (o->l2 != 0 && (st = penalty_norm(o, &w2, err))) return st;
  out->objective = lr_objective_value(sm, o->l2, w2);
  if (o->l1 > 0) {
    double w1;
    if ((st = l1_norm(o, &w1, err))) return st;
    out->objective += o->l1 * w1;
  }
  out->loss = sm->rows > 0 ? sm->loss / sm->rows : 0.0;
  out->correct = sm->correct;
  out->grad_max = 0;
  if (want_grad) {
    if ((st = gradient(o, sm->s, err))) return st;
    if (o->l1 > 0) {
      const int vecs[] = {o->pg, LR_VEC_THETA, LR_VEC_GRAD, o->pen1};
      const double c[] = {o->l1};
      if ((st = be->ops->vec_map(be, &pseudo_grad_map, vecs, c, err))) return st;
      return be->ops->vec_amax(be, o->pg, &out->grad_max, err);
    }
    if ((st = be->ops->vec_amax(be, LR_VEC_GRAD, &out->grad_max, err))) return st;
  }
  return LOGREG_OK;
}

logreg_status lr_objective_eval(lr_objective *o, lr_slot slot, size_t begin, size_t count,
                                int want_grad, lr_eval_out *out, logreg_error *err) {
  lr_sums sm;
  logreg_status st = lr_objective_sums(o, slot, begin, count,
                                       LR_WANT_SUMS | (want_grad ? LR_WANT_GRAD : 0), &sm, err);
  if (st) return st;
  if (slot == LR_SLOT_TRAIN && begin == 0 && count == o->n_train) o->s_train = sm.s;
  return lr_objective_from_sums(o, &sm, want_grad, out, err);
}

logreg_status lr_objective_batch_grad(lr_objective *o, size_t begin, size_t count, double batch_s,
                                      logreg_error *err) {
  logreg_status st = lr_objective_sums(o, LR_SLOT_TRAIN, begin, count, LR_WANT_GRAD, NULL, err);
  if (st) return st;
  return gradient(o, batch_s, err);
}

logreg_status lr_objective_penalize(lr_objective *o, const double *std, int raw_penalty,
                                    int no_intercept, double **diag, logreg_error *err) {
  lr_backend *be = o->be;
  if (diag) *diag = NULL;
  if (!raw_penalty && !no_intercept) return LOGREG_OK;
  double *pen, *mask;
  if (lr_penalty_arrays(std, be->d, be->kw, raw_penalty, no_intercept, &pen, &mask))
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  logreg_status st = lr_objective_set_penalty(o, pen, mask, err);
  if (!st && diag && pen && o->l2 > 0) {
    double k = (double)be->k, c = be->binary ? 0.25 : (k - 1) / (k * k);
    if (!(*diag = malloc(be->nparam * sizeof **diag)))
      st = lr_fail(err, LOGREG_ENOMEM, "out of memory");
    for (size_t q = 0; !st && q < be->nparam; q++) (*diag)[q] = 1.0 / (c + o->l2 * pen[q]);
  }
  free(pen);
  free(mask);
  return st;
}

/* The backend's raw Hessian sums into `out`: along vector v, or its diagonal (v < 0), added
 * across a group's processes. */
static logreg_status raw_hessian(lr_objective *o, int v, int out, logreg_error *err) {
  lr_backend *be = o->be;
  if (v >= 0 ? !be->ops->hv : !be->ops->hdiag)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "the %s backend has no %s", be->ops->name,
                   v >= 0 ? "Hessian-vector products" : "Hessian diagonal");
  if (!(o->s_train > 0))
    return lr_fail(err, LOGREG_EINVAL, "%s before a full evaluation",
                   v >= 0 ? "Hessian-vector product" : "Hessian diagonal");
  logreg_status st = v >= 0 ? be->ops->hv(be, v, out, err) : be->ops->hdiag(be, out, err);
  if (!st && o->shard) st = combine(o, NULL, out, 0, err);
  return st;
}

logreg_status lr_objective_hv(lr_objective *o, int v, int out, logreg_error *err) {
  logreg_status st = raw_hessian(o, v, out, err);
  if (st) return st;
  o->hv_products++;
  return add_penalty(o, out, 1.0 / o->s_train, out, v, err);
}

logreg_status lr_objective_hdiag(lr_objective *o, double mix, int out, logreg_error *err) {
  lr_backend *be = o->be;
  logreg_status st = raw_hessian(o, -1, out, err);
  if (st) return st;
  /* Scaled and penalized on the host: a diagonal costs one pass over X, this O(nparam). */
  size_t np = be->nparam, nw = be->d * be->kw;
  double *h = malloc(3 * np * sizeof *h);
  if (!h) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  double *pen = h + np, *mask = pen + np;
  if ((st = be->ops->vec_read(be, out, h, err)) ||
      (o->pen >= 0 && (st = be->ops->vec_read(be, o->pen, pen, err))) ||
      (o->mask >= 0 && (st = be->ops->vec_read(be, o->mask, mask, err)))) {
    free(h);
    return st;
  }
  for (size_t i = 0; i < np; i++) {
    h[i] = mix * h[i] / o->s_train + (i < nw ? o->l2 * (o->pen >= 0 ? pen[i] : 1.0) : 0.0);
    /* 1 for a parameter held at 0, or one no row moves (a bias over no rows) */
    if ((o->mask >= 0 && mask[i] == 0.0) || !(h[i] > 0)) h[i] = 1.0;
  }
  st = be->ops->vec_write(be, out, h, err);
  free(h);
  return st;
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
