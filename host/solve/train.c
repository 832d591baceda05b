/* train.c: parameters, the training loop and prediction.
 *
 * The loop fits the preprocessing on the training split, hands standardized data to a backend
 * and drives the optimizer through the backend interface (backend.h) only: it never sees where
 * the numbers live. Full-batch and mini-batch epochs, divergence and tolerance checks, early
 * stopping, and the per-epoch progress callback are here.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "data/dataset.h"
#include "model/model.h"
#include "prep/preprocess.h"
#include "solve/lbfgs.h"
#include "util/util.h"

static const char *const optimizer_names[] = {"gd", "sgd", "momentum", "adam", "lbfgs"};

const char *logreg_optimizer_name(logreg_optimizer opt) {
  return (unsigned)opt <= LOGREG_OPTIMIZER_LBFGS ? optimizer_names[opt] : "unknown";
}

int logreg_optimizer_parse(const char *name, logreg_optimizer *out) {
  for (int i = 0; i <= (int)LOGREG_OPTIMIZER_LBFGS; i++) {
    if (name && strcmp(name, optimizer_names[i]) == 0) {
      *out = (logreg_optimizer)i;
      return 0;
    }
  }
  return -1;
}

void logreg_params_init(logreg_params *p) {
  memset(p, 0, sizeof *p);
  p->optimizer = LOGREG_OPTIMIZER_ADAM;
  p->lr = 0.0; /* 0: the optimizer's default (logreg_default_lr) */
  p->epochs = 100;
  p->batch_size = 0;
  p->l2 = 0.0;
  p->tol = 0.0;
  p->patience = 0;
  p->pos_weight = 1.0;
  p->seed = 42;
  p->momentum = 0.9;
  p->beta1 = 0.9;
  p->beta2 = 0.999;
  p->eps = 1e-8;
  p->device = "cpu";
}

/* Default learning rates, chosen on standardized data (tumors, breast-cancer, Fashion-MNIST). */
double logreg_default_lr(logreg_optimizer opt) {
  switch (opt) {
  case LOGREG_OPTIMIZER_GD:
    return 0.5;
  case LOGREG_OPTIMIZER_SGD:
    return 0.05;
  case LOGREG_OPTIMIZER_MOMENTUM:
    return 0.01;
  case LOGREG_OPTIMIZER_LBFGS:
    return 1.0;
  default:
    return 0.01;
  }
}

const char *logreg_params_check(const logreg_params *p) {
  if ((unsigned)p->optimizer > LOGREG_OPTIMIZER_LBFGS)
    return "--optimizer must be one of gd, sgd, momentum, adam, lbfgs";
  if (!(p->lr >= 0) || !isfinite(p->lr)) return "--lr must be a finite number > 0";
  if (p->epochs < 1) return "--epochs must be >= 1";
  if (!(p->l2 >= 0) || !isfinite(p->l2)) return "--l2 must be a finite number >= 0";
  if (!(p->tol >= 0) || !isfinite(p->tol)) return "--tol must be a finite number >= 0";
  if (p->patience < 0) return "--patience must be >= 0";
  if (!(p->pos_weight > 0) || !isfinite(p->pos_weight))
    return "--pos-weight must be a finite number > 0";
  if (p->pos_weight != 1.0 && !p->binary) return "--pos-weight needs --binary";
  if (!(p->momentum >= 0 && p->momentum < 1)) return "--momentum must be in [0, 1)";
  if (!(p->beta1 >= 0 && p->beta1 < 1) || !(p->beta2 >= 0 && p->beta2 < 1))
    return "Adam betas must be in [0, 1)";
  if (!(p->eps > 0)) return "Adam eps must be > 0";
  if (p->optimizer == LOGREG_OPTIMIZER_SGD && p->batch_size == 0)
    return "--optimizer sgd needs --batch-size >= 1 (use gd for full batch)";
  return NULL;
}

/* ---- Setup helpers ---- */

/* Fills the n name slots of `dst` (allocated by lr_model_alloc) with copies of `src`. */
static int copy_names(char **dst, char *const *src, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!(dst[i] = lr_strdup(src[i]))) return -1;
  return 0;
}

static int same_classes(const logreg_dataset *a, const logreg_dataset *b) {
  if (a->k != b->k) return 0;
  for (size_t c = 0; c < a->k; c++)
    if (strcmp(a->class_names[c], b->class_names[c]) != 0) return 0;
  return 1;
}

/* Row weights: class weights (lr_class_weights) times the dataset's sample weights. */
static float *row_weights(const logreg_dataset *ds, int balanced) {
  float *s = malloc((ds->n ? ds->n : 1) * sizeof *s);
  double *cw = malloc((ds->k ? ds->k : 1) * sizeof *cw);
  if (!s || !cw || lr_class_weights(ds->y, ds->n, ds->k, balanced, cw) != 0) {
    free(s);
    free(cw);
    return NULL;
  }
  for (size_t i = 0; i < ds->n; i++)
    s[i] = (float)(cw[ds->y[i]] * (ds->w ? (double)ds->w[i] : 1.0));
  free(cw);
  return s;
}

static logreg_status set_options(logreg_model *m, const logreg_dataset *train,
                                 const logreg_params *p, double lr) {
  lr_model_options *o = &m->options;
  o->optimizer = lr_strdup(logreg_optimizer_name(p->optimizer));
  o->device = lr_strdup(p->device ? p->device : "cpu");
  o->lr = lr;
  o->l2 = p->l2;
  o->tol = p->tol;
  o->pos_weight = p->pos_weight;
  o->epochs = p->epochs;
  o->patience = p->patience;
  o->batch_size = p->batch_size;
  o->seed = p->seed;
  o->class_weight_balanced = p->class_weight_balanced;
  static const char *const formats[] = {NULL, "csv", "libsvm", "idx"};
  if (train->format != LOGREG_FORMAT_AUTO && !(o->format = lr_strdup(formats[train->format])))
    return LOGREG_ENOMEM;
  o->header = train->header;
  o->n_columns = train->n_columns;
  o->target_column = train->target_column;
  if (train->feature_columns) {
    o->feature_columns = malloc(train->d * sizeof *o->feature_columns);
    if (!o->feature_columns) return LOGREG_ENOMEM;
    memcpy(o->feature_columns, train->feature_columns, train->d * sizeof *o->feature_columns);
  }
  if (!o->optimizer || !o->device) return LOGREG_ENOMEM;
  return LOGREG_OK;
}

/* ---- The loop ---- */

enum { LBFGS_MEMORY = 10, LBFGS_MAX_EVALS = 20 };

typedef struct run_state {
  lr_backend *be;
  const logreg_params *p;
  lr_update upd;
  size_t n_train, n_val;
  uint32_t *order;
  lr_rng rng;
  /* L-BFGS: the iterate, its gradient, the search direction and the trial point, all
   * [W | b]; the evaluations of the current line search. */
  lr_lbfgs lb;
  size_t nparam;
  double *x, *g, *dir, *xn, *gn, *sv, *yv, f;
  lr_eval_out ls_out[LBFGS_MAX_EVALS];
  int ls_count;
} run_state;

/* f and gradient of J at x, through the backend: the L-BFGS line search's oracle. */
static logreg_status lbfgs_fg(void *ctx, const double *x, double *f, double *g, logreg_error *err) {
  run_state *rs = ctx;
  lr_backend *be = rs->be;
  size_t nw = be->d * be->kw;
  lr_eval_out out;
  logreg_status st;
  if ((st = be->ops->set_params(be, x, x + nw, err)) ||
      (st = be->ops->eval(be, LR_SLOT_TRAIN, 0, rs->n_train, 1, &out, err)) ||
      (st = be->ops->get_grad(be, g, g + nw, err)))
    return st;
  *f = out.objective;
  if (rs->ls_count < LBFGS_MAX_EVALS) rs->ls_out[rs->ls_count++] = out;
  return LOGREG_OK;
}

static int lbfgs_alloc(run_state *rs, size_t nparam) {
  rs->nparam = nparam;
  double **v[] = {&rs->x, &rs->g, &rs->dir, &rs->xn, &rs->gn, &rs->sv, &rs->yv};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
    if (!(*v[i] = calloc(nparam, sizeof(double)))) return -1;
  return lr_lbfgs_init(&rs->lb, nparam, LBFGS_MEMORY);
}

static void lbfgs_release(run_state *rs) {
  double **v[] = {&rs->x, &rs->g, &rs->dir, &rs->xn, &rs->gn, &rs->sv, &rs->yv};
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    free(*v[i]);
    *v[i] = NULL;
  }
  lr_lbfgs_free(&rs->lb);
}

/* One L-BFGS iteration from (x, f, g): direction, strong-Wolfe line search, history update.
 * *ev receives the evaluation at the accepted point, *step the step length; *stalled is set
 * when no step decreases J (converged to the precision the backend computes in). */
static logreg_status lbfgs_iteration(run_state *rs, int iter, lr_eval_out *ev, double *step,
                                     int *stalled, logreg_error *err) {
  size_t n = rs->nparam;
  double gd = 0, gnorm = 0;
  lr_lbfgs_direction(&rs->lb, rs->g, rs->dir);
  for (size_t i = 0; i < n; i++) gd += rs->g[i] * rs->dir[i], gnorm += rs->g[i] * rs->g[i];
  if (!(gd < 0)) {
    /* Not a descent direction (a stale history): restart from steepest descent. */
    rs->lb.count = 0;
    for (size_t i = 0; i < n; i++) rs->dir[i] = -rs->g[i];
  }
  /* The first step is scaled to the gradient; later ones start at the quasi-Newton 1. */
  double alpha0 = iter == 1 || rs->lb.count == 0 ? fmin(1.0, 1.0 / sqrt(gnorm)) : 1.0;
  lr_line_result lr;
  rs->ls_count = 0;
  logreg_status st = lr_line_search(lbfgs_fg, rs, n, rs->x, rs->f, rs->g, rs->dir, alpha0, 1e-4,
                                    0.9, LBFGS_MAX_EVALS, rs->xn, rs->gn, &lr, err);
  if (st) return st;
  *stalled = lr.alpha == 0;
  *step = lr.alpha;
  if (*stalled) {
    /* Leave the backend at x, whatever the search tried last. */
    size_t nw = rs->be->d * rs->be->kw;
    return rs->be->ops->set_params(rs->be, rs->x, rs->x + nw, err);
  }
  for (size_t i = 0; i < n; i++) rs->sv[i] = rs->xn[i] - rs->x[i], rs->yv[i] = rs->gn[i] - rs->g[i];
  lr_lbfgs_push(&rs->lb, rs->sv, rs->yv);
  memcpy(rs->x, rs->xn, n * sizeof *rs->x);
  memcpy(rs->g, rs->gn, n * sizeof *rs->g);
  rs->f = lr.f;
  *ev = rs->ls_out[lr.best_eval - 1];
  if (lr.best_eval != lr.evals) {
    size_t nw = rs->be->d * rs->be->kw;
    return rs->be->ops->set_params(rs->be, rs->x, rs->x + nw, err);
  }
  return LOGREG_OK;
}

static logreg_status diverged(logreg_error *err, int epoch, double obj, double lr) {
  char o[32];
  if (isnan(obj))
    snprintf(o, sizeof o, "not a number");
  else
    snprintf(o, sizeof o, "%g", obj);
  return lr_fail(err, LOGREG_EDIVERGED,
                 "training diverged at epoch %d (objective %s): try a smaller --lr (now %g)", epoch,
                 o, lr);
}

/* One mini-batch epoch: shuffle, then a step per batch. */
static logreg_status minibatch_epoch(run_state *rs, logreg_error *err) {
  size_t n = rs->n_train, bs = rs->p->batch_size;
  /* Fisher-Yates from the seeded stream: the same seed gives the same batches everywhere. */
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)lr_rng_below(&rs->rng, (uint64_t)i);
    uint32_t t = rs->order[i - 1];
    rs->order[i - 1] = rs->order[j];
    rs->order[j] = t;
  }
  logreg_status st = rs->be->ops->set_order(rs->be, rs->order, err);
  if (st) return st;
  for (size_t begin = 0; begin < n; begin += bs) {
    size_t count = n - begin < bs ? n - begin : bs;
    /* The gradient only: a device backend need not wait for each batch. A diverging run shows
     * in the evaluation after the epoch (logreg_train). */
    lr_eval_out ev;
    if ((st = rs->be->ops->eval(rs->be, LR_SLOT_TRAIN, begin, count, LR_EVAL_STEP, &ev, err)))
      return st;
    rs->upd.t++;
    if ((st = rs->be->ops->update(rs->be, &rs->upd, err))) return st;
  }
  return LOGREG_OK;
}

logreg_status logreg_train(const logreg_dataset *train, const logreg_dataset *val,
                           const logreg_params *p, logreg_model **out, logreg_train_result *res,
                           logreg_error *err) {
  lr_error_clear(err);
  *out = NULL;
  const char *msg = logreg_params_check(p);
  if (msg) return lr_fail(err, LOGREG_EINVAL, "%s", msg);
  if (!train || !train->y || train->n == 0)
    return lr_fail(err, LOGREG_EINVAL, "training data has no labelled rows");
  if (train->k < 2)
    return lr_fail(err, LOGREG_EINVAL, "training data has %zu class; at least 2 are needed",
                   train->k);
  if (p->binary && train->k != 2)
    return lr_fail(err, LOGREG_EINVAL, "--binary requires exactly 2 classes, found %zu", train->k);
  if (train->n > UINT32_MAX)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "%zu rows: at most %u are supported", train->n,
                   UINT32_MAX);
  if (val && (val->d != train->d || !val->y || !same_classes(train, val)))
    return lr_fail(err, LOGREG_EINVAL,
                   "validation data must have the training data's features and classes");
  if (p->patience > 0 && (!val || val->n == 0))
    return lr_fail(err, LOGREG_EINVAL, "--patience needs a validation split (see --split)");

  size_t n = train->n, d = train->d, k = train->k, nv = val ? val->n : 0;
  double lr = p->lr > 0 ? p->lr : logreg_default_lr(p->optimizer);
  double t0 = lr_now();
  logreg_status st = LOGREG_OK;
  float *xt = NULL, *xv = NULL, *st_w = NULL, *sv_w = NULL;
  double *best_w = NULL, *best_b = NULL;
  run_state rs = {0};
  logreg_model *m = lr_model_alloc(d, k, p->binary);
  if (!m) return lr_fail(err, LOGREG_ENOMEM, "out of memory for the model");
  size_t kw = lr_model_kw(m);
  if (copy_names(m->class_names, train->class_names, k) ||
      copy_names(m->feature_names, train->feature_names, d) ||
      set_options(m, train, p, lr) != LOGREG_OK) {
    st = lr_fail(err, LOGREG_ENOMEM, "out of memory for the model");
    goto fail;
  }

  /* Preprocessing fitted on the training split only. */
  if (lr_column_medians(train, m->median, p->threads)) {
    st = lr_fail(err, LOGREG_ENOMEM, "out of memory computing medians");
    goto fail;
  }
  lr_column_scaler(train, m->median, m->mean, m->std, p->threads);
  xt = malloc((n * d > 0 ? n * d : 1) * sizeof *xt);
  xv = malloc((nv * d > 0 ? nv * d : 1) * sizeof *xv);
  st_w = row_weights(train, p->class_weight_balanced);
  sv_w = val ? row_weights(val, p->class_weight_balanced) : NULL;
  best_w = malloc(d * kw * sizeof *best_w);
  best_b = malloc(kw * sizeof *best_b);
  rs.order = malloc(n * sizeof *rs.order);
  if (!xt || !xv || !st_w || (val && !sv_w) || !best_w || !best_b || !rs.order) {
    st = lr_fail(err, LOGREG_ENOMEM, "out of memory for %zu x %zu training data", n, d);
    goto fail;
  }
  size_t imputed = lr_transform(m, train, xt, p->threads);
  if (val) lr_transform(m, val, xv, p->threads);
  double s_sum = 0;
  for (size_t i = 0; i < n; i++) s_sum += st_w[i];
  if (!(s_sum > 0)) {
    st = lr_fail(err, LOGREG_EINVAL, "the training rows' weights sum to %g; need > 0", s_sum);
    goto fail;
  }

  lr_backend_opts bo = {p->gemm, p->path_cache, &p->device_options};
  st = lr_backend_create(p->device, d, k, p->binary, p->l2, p->pos_weight, &bo, &rs.be, err);
  if (st) goto fail;
  if ((st = rs.be->ops->set_data(rs.be, LR_SLOT_TRAIN, xt, train->y, st_w, n, err))) goto fail;
  if (val && (st = rs.be->ops->set_data(rs.be, LR_SLOT_VAL, xv, val->y, sv_w, nv, err))) goto fail;
  free(xt);
  free(xv);
  xt = xv = NULL;

  rs.p = p;
  rs.n_train = n;
  rs.n_val = nv;
  for (size_t i = 0; i < n; i++) rs.order[i] = (uint32_t)i;
  lr_rng_seed(&rs.rng, p->seed);
  rs.upd = (lr_update){.kind = p->optimizer,
                       .lr = lr,
                       .momentum = p->momentum,
                       .nesterov = p->nesterov,
                       .beta1 = p->beta1,
                       .beta2 = p->beta2,
                       .eps = p->eps,
                       .t = 0};
  int lbfgs = p->optimizer == LOGREG_OPTIMIZER_LBFGS;
  int full = lbfgs || p->batch_size == 0 || p->batch_size >= n;
  /* L-BFGS stops at max|gradient| <= tol; without --tol it uses 1e-6 (J is then within about
   * 1e-12 / lambda of its minimum). */
  double tol = p->tol > 0 ? p->tol : lbfgs ? 1e-6 : 0.0;
  if (lbfgs && lbfgs_alloc(&rs, (d + 1) * kw) != 0) {
    st = lr_fail(err, LOGREG_ENOMEM, "out of memory for the L-BFGS history");
    goto fail;
  }

  lr_eval_out ev, evv = {NAN, NAN, NAN, 0};
  /* J at W = 0: the yardstick for "exploding". */
  if ((st = rs.be->ops->eval(rs.be, LR_SLOT_TRAIN, 0, n, full, &ev, err))) goto fail;
  double j0 = ev.objective;
  if (lbfgs) {
    size_t nw = d * kw;
    rs.f = ev.objective;
    if ((st = rs.be->ops->get_grad(rs.be, rs.g, rs.g + nw, err))) goto fail;
  }
  double best_val = INFINITY;
  int best_epoch = 0, since_best = 0, epoch = 0, epochs_run = 0;
  const char *stop = "epochs";
  double step_len = lr;
  for (epoch = 1; epoch <= p->epochs; epoch++) {
    if (lbfgs) {
      if (ev.grad_max <= tol) {
        stop = "tol";
        break;
      }
      int stalled = 0;
      if ((st = lbfgs_iteration(&rs, epoch, &ev, &step_len, &stalled, err))) goto fail;
      if (stalled) {
        stop = "converged";
        break;
      }
    } else if (full) {
      /* ev holds the gradient at the current weights (computed by the previous evaluation). */
      rs.upd.t++;
      if ((st = rs.be->ops->update(rs.be, &rs.upd, err))) goto fail;
    } else {
      if ((st = minibatch_epoch(&rs, err))) goto fail;
      if ((st = rs.be->ops->set_order(rs.be, NULL, err))) goto fail;
    }
    /* Measure the new weights; in full batch the same pass yields the next gradient. (The
     * L-BFGS line search has already measured them.) */
    if (!lbfgs && (st = rs.be->ops->eval(rs.be, LR_SLOT_TRAIN, 0, n, full, &ev, err))) goto fail;
    if (!isfinite(ev.objective) || ev.objective > 1e4 * fmax(j0, 1.0)) {
      st = diverged(err, epoch, ev.objective, lr);
      goto fail;
    }
    if (nv && (st = rs.be->ops->eval(rs.be, LR_SLOT_VAL, 0, nv, 0, &evv, err))) goto fail;
    if (p->progress) {
      logreg_epoch_info info = {epoch,
                                p->epochs,
                                ev.objective,
                                ev.loss,
                                ev.correct / (double)n,
                                nv ? evv.loss : NAN,
                                nv ? evv.correct / (double)nv : NAN,
                                lbfgs ? step_len : lr,
                                lr_now() - t0};
      p->progress(p->progress_user, &info);
    }
    epochs_run = epoch;
    if (p->patience > 0) {
      if (evv.loss < best_val) {
        best_val = evv.loss;
        best_epoch = epoch;
        since_best = 0;
        if ((st = rs.be->ops->get_params(rs.be, best_w, best_b, err))) goto fail;
      } else if (++since_best >= p->patience) {
        stop = "patience";
        break;
      }
    } else {
      best_epoch = epoch;
    }
    if (!lbfgs && full && tol > 0 && ev.grad_max <= tol) {
      stop = "tol";
      break;
    }
  }
  if (p->patience > 0 && best_epoch > 0 && best_epoch != epochs_run) {
    /* Early stopping: go back to the best validation epoch and measure it again. */
    if ((st = rs.be->ops->set_params(rs.be, best_w, best_b, err))) goto fail;
    if ((st = rs.be->ops->eval(rs.be, LR_SLOT_TRAIN, 0, n, 0, &ev, err))) goto fail;
    if ((st = rs.be->ops->eval(rs.be, LR_SLOT_VAL, 0, nv, 0, &evv, err))) goto fail;
  }
  if ((st = rs.be->ops->get_params(rs.be, m->w, m->b, err))) goto fail;
  free(m->options.device);
  if (!(m->options.device = lr_strdup(rs.be->device))) {
    st = lr_fail(err, LOGREG_ENOMEM, "out of memory");
    goto fail;
  }
  for (size_t i = 0; i < d * kw; i++)
    if (!isfinite(m->w[i])) {
      st = diverged(err, epochs_run, NAN, lr);
      goto fail;
    }

  m->options.epochs_run = epochs_run;
  m->train = (lr_split_metrics){1, ev.loss, ev.correct / (double)n, n};
  if (nv) m->val = (lr_split_metrics){1, evv.loss, evv.correct / (double)nv, nv};
  if (res) {
    res->epochs_run = epochs_run;
    res->best_epoch = best_epoch;
    res->seconds = lr_now() - t0;
    res->objective = ev.objective;
    res->train_loss = ev.loss;
    res->train_accuracy = ev.correct / (double)n;
    res->val_loss = nv ? evv.loss : NAN;
    res->val_accuracy = nv ? evv.correct / (double)nv : NAN;
    res->imputed = imputed;
    res->stop_reason = stop;
    res->backend = rs.be->ops->name;
    snprintf(res->device, sizeof res->device, "%s", rs.be->device);
    res->path = rs.be->path;
  }
  lbfgs_release(&rs);
  lr_backend_destroy(rs.be);
  free(st_w);
  free(sv_w);
  free(best_w);
  free(best_b);
  free(rs.order);
  *out = m;
  return LOGREG_OK;

fail:
  lbfgs_release(&rs);
  lr_backend_destroy(rs.be);
  free(xt);
  free(xv);
  free(st_w);
  free(sv_w);
  free(best_w);
  free(best_b);
  free(rs.order);
  logreg_model_free(m);
  return st;
}

/* ---- Prediction ---- */

logreg_status logreg_predict_proba(const logreg_model *m, const logreg_dataset *ds, double *proba,
                                   logreg_error *err) {
  if (ds->d != m->d)
    return lr_fail(err, LOGREG_EINVAL, "data has %zu features; the model expects %zu", ds->d, m->d);
  size_t d = m->d, k = m->k, kw = lr_model_kw(m);
  double *xr = malloc((d ? d : 1) * sizeof *xr);
  double *z = malloc(k * sizeof *z);
  if (!xr || !z) {
    free(xr);
    free(z);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < ds->n; i++) {
    const float *x = ds->x + i * d;
    for (size_t j = 0; j < d; j++)
      xr[j] = ((isnan(x[j]) ? m->median[j] : (double)x[j]) - m->mean[j]) / m->std[j];
    for (size_t c = 0; c < kw; c++) z[c] = m->b[c];
    for (size_t j = 0; j < d; j++)
      for (size_t c = 0; c < kw; c++) z[c] += xr[j] * m->w[j * kw + c];
    double *pr = proba + i * k;
    if (m->binary) {
      /* p1 = sigma(z), p0 = sigma(-z), each computed without cancellation. */
      double e = exp(-fabs(z[0]));
      double big = 1.0 / (1.0 + e), small = e / (1.0 + e);
      pr[1] = z[0] >= 0 ? big : small;
      pr[0] = z[0] >= 0 ? small : big;
    } else {
      lr_softmax(z, k, pr, NULL);
    }
  }
  free(xr);
  free(z);
  return LOGREG_OK;
}
