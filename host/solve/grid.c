/* grid.c: K-fold cross-validation of a grid of C (or lambda) values, all G x K models trained
 * together (logreg_cv in logreg.h; `logreg train --cv`).
 *
 * Every model is the trainer's: the objective layer's J, gradient, penalty and C-to-lambda
 * (objective.c) on a vector store of its own (a cpu backend without rows: its parameters,
 * gradient and L-BFGS history in double on the host; a grid's models are small next to X),
 * driven by the solver layer's L-BFGS one evaluation at a time (lr_lbfgs_iterate). Only the
 * evaluations are the grid's: every pass over X evaluates every model that is still running, at
 * the trial point its line search asked for, through the grid backend's grid_sums (the folds
 * are row masks, so X is read once per pass for the whole grid instead of once per model), and
 * each model's sums become its J and gradient through lr_objective_from_sums. A model is thus
 * what `train --C C` gives on its training rows, up to the order of the sums.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/device.h"
#include "data/dataset.h"
#include "model/model.h"
#include "prep/preprocess.h"
#include "solve/lbfgs.h"
#include "solve/objective.h"
#include "solve/optim.h"
#include "solve/train.h"
#include "util/util.h"

/* Evaluations one line search may take (opt_lbfgs.c's limit). */
#define GRID_TRIALS 20

typedef struct grid_model {
  lr_backend *store; /* its vectors */
  lr_objective obj;
  lr_solver sol;
  double *diag;                               /* L-BFGS's initial matrix (raw penalty), or NULL */
  lr_sums tr, va;                             /* the sums at the accepted point */
  lr_sums ttr[GRID_TRIALS], tva[GRID_TRIALS]; /* those of this iteration's evaluations */
  int ntrial, started, running, iter;
  long evaluations;
  const char *stop;
} grid_model;

static void model_free(grid_model *md) {
  if (md->sol.state) lr_opt_lbfgs.release(&md->sol);
  lr_objective_free(&md->obj);
  lr_backend_destroy(md->store);
  free(md->diag);
}

/* The model's next iteration: its first trial point, or its stop. */
static logreg_status model_begin(grid_model *md, logreg_error *err) {
  int need = 0, accepted;
  const char *stop = NULL;
  md->sol.epoch = md->iter + 1;
  md->ntrial = 0;
  logreg_status st = lr_lbfgs_iterate(&md->sol, NULL, &need, &stop, &accepted, err);
  if (!st && !need) md->running = 0, md->stop = stop ? stop : "converged";
  return st;
}

/* One pass's sums at the model's trial point (gsum: its raw gradient sums): its start at W = 0,
 * the next trial point of its line search, or the iteration's end. */
static logreg_status model_take(grid_model *md, const double *gsum, const lr_sums *tr,
                                const lr_sums *va, int max_iter, logreg_error *err) {
  lr_backend *be = md->store;
  lr_eval_out out;
  logreg_status st;
  md->evaluations++;
  md->obj.s_train = tr->s;
  if ((st = be->ops->vec_write(be, LR_VEC_GSUM, gsum, err)) ||
      (st = lr_objective_from_sums(&md->obj, tr, 1, &out, err)))
    return st;
  if (!md->started) { /* W = 0: the solver starts from here, as the trainer's does */
    md->started = 1;
    md->sol.ev = out;
    md->tr = *tr, md->va = *va;
    if ((st = lr_opt_lbfgs.init(&md->sol, err))) return st;
    return model_begin(md, err);
  }
  if (md->ntrial < GRID_TRIALS) md->ttr[md->ntrial] = *tr, md->tva[md->ntrial++] = *va;
  int need, accepted = -1;
  const char *stop = NULL;
  if ((st = lr_lbfgs_iterate(&md->sol, &out, &need, &stop, &accepted, err)) || need) return st;
  if (stop) { /* no step lowered J: the model stays where it is */
    md->running = 0;
    md->stop = stop;
    return LOGREG_OK;
  }
  md->iter++;
  if (accepted >= 0 && accepted < md->ntrial)
    md->tr = md->ttr[accepted], md->va = md->tva[accepted];
  if (md->sol.ev.grad_max <= md->sol.tol) {
    md->running = 0;
    md->stop = "tol";
    return LOGREG_OK;
  }
  if (md->iter >= max_iter) {
    md->running = 0;
    md->stop = "max_iter";
    return LOGREG_OK;
  }
  return model_begin(md, err);
}

/* Model (g, f): its store, its objective at its lambda (the rows outside fold f weigh sw), and
 * the solver's fields as the trainer sets them for L-BFGS. */
static logreg_status model_init(grid_model *md, double value, int values_are_C, double sw,
                                double tol, const logreg_params *p, const lr_backend *grid_be,
                                const logreg_model *pre, logreg_error *err) {
  logreg_status st = lr_reference_backend_create(grid_be->d, grid_be->k, p->binary, p->pos_weight,
                                                 &md->store, err);
  if (st) return st;
  /* L-BFGS's stopping rules follow the arithmetic of the evaluations (float32 on a device). */
  md->store->float32 = grid_be->float32;
  lr_objective_init(&md->obj, md->store, values_are_C ? lr_objective_lambda(value, 0, sw) : value);
  if ((st = lr_objective_penalize(&md->obj, pre->std, p->raw_penalty, p->no_intercept, &md->diag,
                                  err)))
    return st;
  lr_solver *s = &md->sol;
  s->obj = &md->obj;
  s->be = md->store;
  s->p = p;
  s->lr = lr_opt_lbfgs.default_lr;
  s->full = 1;
  s->n = grid_be->n[LR_SLOT_TRAIN];
  s->diag = md->diag;
  s->tol = tol;
  md->running = 1;
  return LOGREG_OK;
}

/* Stratified folds: each class's rows (file order) shuffled with the seed, then dealt to the
 * folds in turn, the deal continuing from one class to the next, so that every fold gets
 * floor or ceil of n_c / K rows of class c and of n / K rows in all. */
static int stratified_folds(const logreg_dataset *ds, size_t K, uint64_t seed, int32_t *fold) {
  size_t n = ds->n, *rows = malloc((n ? n : 1) * sizeof *rows);
  if (!rows) return -1;
  lr_rng rng;
  lr_rng_seed(&rng, seed);
  size_t deal = 0;
  for (size_t c = 0; c < ds->k; c++) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if ((size_t)ds->y[i] == c) rows[m++] = i;
    lr_shuffle_size(&rng, rows, m);
    for (size_t t = 0; t < m; t++) fold[rows[t]] = (int32_t)(deal++ % K);
  }
  free(rows);
  return 0;
}

/* The options checked and the folds into fold[n]: given (checked) or drawn. */
static logreg_status grid_folds(const logreg_dataset *train, const logreg_params *p,
                                const logreg_cv_options *opt, int32_t *fold, logreg_error *err) {
  size_t K = opt->k_folds, G = opt->n_values, n = train->n;
  if (K < 2) return lr_fail(err, LOGREG_EINVAL, "'k_folds' must be at least 2 (got %zu)", K);
  if (p->shard && p->shard->size > 1)
    return lr_fail(err, LOGREG_EUNSUPPORTED,
                   "cross-validation does not run over several processes yet");
  if (p->l1_ratio > 0)
    return lr_fail(err, LOGREG_EUNSUPPORTED,
                   "cross-validation with an L1 term ('l1_ratio' > 0) is not supported yet");
  if (K > n)
    return lr_fail(err, LOGREG_EINVAL, "'k_folds' %zu: more folds than the %zu training rows", K,
                   n);
  if (G == 0) return lr_fail(err, LOGREG_EINVAL, "cross-validation: no values to cross-validate");
  for (size_t g = 0; g < G; g++)
    if (!(opt->values[g] > 0 || (!opt->values_are_C && opt->values[g] == 0)) ||
        !isfinite(opt->values[g]))
      return lr_fail(err, LOGREG_EINVAL, "cross-validation: %s value %g must be a finite number %s",
                     opt->values_are_C ? "C" : "l2", opt->values[g],
                     opt->values_are_C ? "> 0" : ">= 0");
  if (!opt->folds)
    return stratified_folds(train, K, p->seed, fold)
               ? lr_fail(err, LOGREG_ENOMEM, "cross-validation: out of memory")
               : LOGREG_OK;
  size_t *count = calloc(K, sizeof *count);
  if (!count) return lr_fail(err, LOGREG_ENOMEM, "cross-validation: out of memory");
  logreg_status st = LOGREG_OK;
  for (size_t i = 0; i < n && st == LOGREG_OK; i++) {
    if (opt->folds[i] < 0 || (size_t)opt->folds[i] >= K)
      st =
          lr_fail(err, LOGREG_EINVAL,
                  "'folds': training row %zu is in fold %d; folds must be 0..%zu for 'k_folds' %zu",
                  i + 1, opt->folds[i], K - 1, K);
    else
      count[opt->folds[i]]++;
  }
  for (size_t f = 0; f < K && st == LOGREG_OK; f++)
    if (count[f] == 0)
      st = lr_fail(err, LOGREG_EINVAL, "'folds': fold %zu has no training rows ('k_folds' %zu)", f,
                   K);
  free(count);
  if (!st) memcpy(fold, opt->folds, n * sizeof *fold);
  return st;
}

/* The passes: each evaluates every running model at its trial point, until none runs. */
static logreg_status grid_run(lr_backend *be, const int32_t *fold, size_t K, grid_model *mds,
                              size_t M, int max_iter, long *passes, logreg_error *err) {
  size_t np = be->nparam;
  double *theta = malloc(M * np * sizeof *theta), *gsum = malloc(M * np * sizeof *gsum);
  lr_sums *tr = malloc(2 * M * sizeof *tr);
  size_t *run = malloc(M * sizeof *run);
  int32_t *held = malloc(M * sizeof *held);
  logreg_status st =
      !theta || !gsum || !tr || !run || !held
          ? lr_fail(err, LOGREG_ENOMEM, "cross-validation: out of memory for %zu models", M)
          : LOGREG_OK;
  *passes = 0;
  while (!st) {
    size_t m = 0;
    for (size_t j = 0; j < M && !st; j++) {
      if (!mds[j].running) continue;
      st = mds[j].store->ops->vec_read(mds[j].store, LR_VEC_THETA, theta + m * np, err);
      held[m] = (int32_t)(j % K);
      run[m++] = j;
    }
    if (st || m == 0) break;
    if ((st = be->ops->grid_sums(be, fold, m, held, theta, tr, tr + m, gsum, err))) break;
    ++*passes;
    for (size_t r = 0; r < m && !st; r++)
      st = model_take(&mds[run[r]], gsum + r * np, &tr[r], &tr[m + r], max_iter, err);
  }
  free(theta);
  free(gsum);
  free(tr);
  free(run);
  free(held);
  return st;
}

/* The values in the order of the path: the most regularized first (increasing C, decreasing
 * lambda), as LogisticRegressionCV walks its Cs. */
static void path_order(const logreg_cv_options *opt, size_t *order) {
  size_t G = opt->n_values;
  for (size_t g = 0; g < G; g++) {
    double key = opt->values_are_C ? opt->values[g] : -opt->values[g];
    size_t i = g;
    for (; i > 0; i--) {
      size_t o = order[i - 1];
      double ko = opt->values_are_C ? opt->values[o] : -opt->values[o];
      if (ko <= key) break;
      order[i] = o;
    }
    order[i] = g;
  }
}

/* The grid along the regularization path: value after value in path order, each value's K
 * models together (one pass over X evaluates the K folds' trial points), each model starting
 * from the solution of the same fold at the previous value (a warm start, as
 * LogisticRegressionCV's). A model whose start already meets the tolerance stops there. */
static logreg_status grid_path(lr_backend *be, const int32_t *fold, size_t K, grid_model *mds,
                               const logreg_cv_options *opt, int max_iter, long *passes,
                               logreg_error *err) {
  size_t G = opt->n_values, np = be->nparam;
  size_t *order = malloc((G ? G : 1) * sizeof *order);
  double *th = malloc((np ? np : 1) * sizeof *th);
  logreg_status st =
      !order || !th ? lr_fail(err, LOGREG_ENOMEM, "cross-validation: out of memory") : LOGREG_OK;
  *passes = 0;
  if (!st) path_order(opt, order);
  for (size_t s = 0; s < G && !st; s++) {
    grid_model *stage = mds + order[s] * K;
    for (size_t f = 0; f < K && s > 0 && !st; f++) {
      lr_backend *from = mds[order[s - 1] * K + f].store, *to = stage[f].store;
      if (!(st = from->ops->vec_read(from, LR_VEC_THETA, th, err)))
        st = to->ops->vec_write(to, LR_VEC_THETA, th, err);
    }
    long p = 0;
    if (!st) st = grid_run(be, fold, K, stage, K, max_iter, &p, err);
    *passes += p;
  }
  free(order);
  free(th);
  return st;
}

/* Each model's results into models[], value-major. */
static void grid_report(const grid_model *mds, const logreg_cv_options *opt,
                        logreg_cv_model *models) {
  size_t K = opt->k_folds;
  for (size_t j = 0; j < opt->n_values * K; j++) {
    const grid_model *md = &mds[j];
    logreg_cv_model *o = &models[j];
    o->value = opt->values[j / K];
    o->fold = (int)(j % K);
    o->l2 = md->obj.l2;
    o->objective = md->sol.ev.objective;
    o->train_loss = md->tr.loss / md->tr.rows;
    o->val_loss = md->va.loss / md->va.rows;
    o->val_accuracy = md->va.correct / md->va.rows;
    o->train_rows = (size_t)md->tr.rows;
    o->val_rows = (size_t)md->va.rows;
    o->iterations = md->iter;
    o->evaluations = md->evaluations;
    o->grad_max = md->sol.ev.grad_max;
    o->stop_reason = md->stop;
  }
}

/* opt->weights_out: each value's theta averaged over its folds, through the scaler of `pre`
 * into the caller's units (d x KW, then KW intercepts). */
static logreg_status grid_weights(const grid_model *mds, const logreg_cv_options *opt,
                                  logreg_model *pre, logreg_error *err) {
  size_t K = opt->k_folds, d = pre->d, kw = lr_model_kw(pre), np = (d + 1) * kw;
  double *th = malloc(np * sizeof *th), *mean = malloc(np * sizeof *mean);
  logreg_status st = th && mean ? LOGREG_OK : lr_fail(err, LOGREG_ENOMEM, "out of memory");
  for (size_t g = 0; g < opt->n_values && !st; g++) {
    for (size_t i = 0; i < np; i++) mean[i] = 0;
    for (size_t f = 0; f < K && !st; f++) {
      lr_backend *be = mds[g * K + f].store;
      if ((st = be->ops->vec_read(be, LR_VEC_THETA, th, err))) break;
      for (size_t i = 0; i < np; i++) mean[i] += th[i] / (double)K;
    }
    memcpy(pre->w, mean, d * kw * sizeof *mean);
    memcpy(pre->b, mean + d * kw, kw * sizeof *mean);
    double *out = opt->weights_out + g * np;
    lr_model_raw_weights(pre, out, out + d * kw);
  }
  free(th);
  free(mean);
  return st;
}

/* Row i's logits from parameters theta (W, d x kw, then b) on the rows as the grid reads them. */
static void row_logits(const lr_rows *rows, size_t i, size_t d, size_t kw, const double *theta,
                       double *z) {
  const double *b = theta + d * kw;
  for (size_t c = 0; c < kw; c++) z[c] = b[c];
  if (rows->x) {
    const float *x = rows->x + i * d;
    for (size_t j = 0; j < d; j++)
      for (size_t c = 0; c < kw; c++) z[c] += (double)x[j] * theta[j * kw + c];
    return;
  }
  for (int64_t e = rows->indptr[i]; e < rows->indptr[i + 1]; e++) {
    size_t j = (size_t)rows->indices[e];
    for (size_t c = 0; c < kw; c++) z[c] += (double)rows->values[e] * theta[j * kw + c];
  }
}

/* opt->val_roc_auc_out: model (g, f)'s ROC AUC on the rows of fold f, from its probabilities
 * there (logreg_metrics's roc_auc, so that a fold scores as `eval` would score it). */
static logreg_status grid_fold_auc(const grid_model *mds, const logreg_cv_options *opt,
                                   const int32_t *fold, const lr_rows *rows, size_t d, size_t k,
                                   int binary, logreg_error *err) {
  size_t K = opt->k_folds, n = rows->n, kw = binary ? 1 : k, np = (d + 1) * kw;
  size_t *idx = malloc(n * sizeof *idx);
  int32_t *yf = malloc(n * sizeof *yf);
  double *proba = malloc(n * k * sizeof *proba), *th = malloc(np * sizeof *th);
  double *z = malloc(kw * sizeof *z);
  logreg_status st = idx && yf && proba && th && z
                         ? LOGREG_OK
                         : lr_fail(err, LOGREG_ENOMEM, "cross-validation: out of memory");
  for (size_t f = 0; f < K && !st; f++) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if ((size_t)fold[i] == f) idx[m] = i, yf[m++] = rows->y[i];
    for (size_t g = 0; g < opt->n_values && !st; g++) {
      lr_backend *be = mds[g * K + f].store;
      if ((st = be->ops->vec_read(be, LR_VEC_THETA, th, err))) break;
      for (size_t r = 0; r < m; r++) {
        double *p = proba + r * k;
        row_logits(rows, idx[r], d, kw, th, z);
        if (binary)
          p[1] = lr_sigmoid(z[0], &p[0]);
        else
          lr_softmax(z, k, p, NULL);
      }
      logreg_metrics met;
      if ((st = logreg_metrics_compute(yf, proba, m, k, &met, err))) break;
      opt->val_roc_auc_out[g * K + f] = met.roc_auc;
      logreg_metrics_free(&met);
    }
  }
  free(idx);
  free(yf);
  free(proba);
  free(th);
  free(z);
  return st;
}

/* The grid's models: their lambdas from the weight of the rows outside their folds. */
static logreg_status grid_models(const logreg_params *p, const logreg_cv_options *opt,
                                 const int32_t *fold, const float *s, size_t n,
                                 const lr_backend *be, const logreg_model *pre, grid_model *mds,
                                 logreg_error *err) {
  size_t K = opt->k_folds;
  for (size_t f = 0; f < K; f++) {
    double sw = 0;
    for (size_t i = 0; i < n; i++)
      if ((size_t)fold[i] != f) sw += s[i];
    if (!(sw > 0))
      return lr_fail(err, LOGREG_EINVAL,
                     "cross-validation: the rows outside fold %zu weigh %g; need > 0", f, sw);
    for (size_t g = 0; g < opt->n_values; g++) {
      double tol = opt->tol > 0 ? opt->tol : p->tol > 0 ? p->tol : 1e-6;
      logreg_status st =
          model_init(&mds[g * K + f], opt->values[g], opt->values_are_C, sw, tol, p, be, pre, err);
      if (st) return st;
    }
  }
  return LOGREG_OK;
}

logreg_status logreg_cv(const logreg_dataset *train, const logreg_params *p,
                        const logreg_cv_options *opt, logreg_cv_model *models, int32_t *folds_out,
                        logreg_cv_result *result, logreg_error *err) {
  lr_error_clear(err);
  double t0 = lr_now();
  logreg_status st = lr_train_check(train, p, err);
  if (st != LOGREG_OK) return st;
  size_t K = opt->k_folds, n = train->n, d = train->d, k = train->k, M = opt->n_values * K;
  int sparse = lr_dataset_sparse(train);
  size_t nx = sparse ? train->nnz : n * d; /* the values the backend gets */
  int32_t *fold = malloc((n ? n : 1) * sizeof *fold), *held = malloc((M ? M : 1) * sizeof *held);
  float *xt = malloc((nx > 0 ? nx : 1) * sizeof *xt),
        *s = lr_row_weights(train, p->class_weight_balanced);
  logreg_model *pre = lr_model_alloc(d, k, p->binary);
  grid_model *mds = calloc(M ? M : 1, sizeof *mds);
  lr_backend *be = NULL;
  if (!fold || !held || !xt || !s || !pre || !mds) {
    st = lr_fail(err, LOGREG_ENOMEM, "cross-validation: out of memory for %zu x %zu training data",
                 n, d);
    goto done;
  }
  if ((st = grid_folds(train, p, opt, fold, err))) goto done;
  if (folds_out) memcpy(folds_out, fold, n * sizeof *fold);
  /* Preprocessing fitted once on all the training rows, as logreg_train fits it. */
  if (lr_fit_preprocessing(train, p->scale, p->no_intercept, p->threads, pre)) {
    st = lr_fail(err, LOGREG_ENOMEM, "cross-validation: out of memory computing medians");
    goto done;
  }
  lr_transform_values(pre, train, xt, p->threads);
  /* The grid's device (device.c: sparse rows and a device without grid sums run on cpu; under
   * auto, one pass of the grid at W = 0 timed on the device and on cpu chooses). */
  lr_device dev;
  if ((st = lr_device_from_params(p, &dev, err))) goto done;
  for (size_t j = 0; j < M; j++) held[j] = (int32_t)(j % K);
  const lr_rows rows = {sparse ? NULL : xt, train->indptr, train->indices, xt, train->y, s, n};
  char why[sizeof result->why];
  if ((st = lr_device_grid_backend(&dev, d, k, p->binary, p->pos_weight, p->threads, &rows,
                                   opt->choose_faster, fold, M, held, &be, why, sizeof why, err)))
    goto done;
  long passes = 0;
  if ((st = grid_models(p, opt, fold, s, n, be, pre, mds, err)) ||
      (st = opt->together ? grid_run(be, fold, K, mds, M, p->epochs, &passes, err)
                          : grid_path(be, fold, K, mds, opt, p->epochs, &passes, err)))
    goto done;
  grid_report(mds, opt, models);
  if (opt->val_roc_auc_out && (st = grid_fold_auc(mds, opt, fold, &rows, d, k, p->binary, err)))
    goto done;
  if (opt->weights_out && (st = grid_weights(mds, opt, pre, err))) goto done;
  if (result) {
    snprintf(result->why, sizeof result->why, "%s", why);
    result->seconds = lr_now() - t0;
    result->passes = passes;
    /* The device, without the evaluation path the backend names (the grid has its own kernels). */
    const char *cut = be->kind == LOGREG_BACKEND_OPENCL ? strrchr(be->device, '(') : NULL;
    int len = cut && cut > be->device ? (int)(cut - be->device - 1) : (int)strlen(be->device);
    snprintf(result->device, sizeof result->device, "%.*s%s", len, be->device,
             cut ? " (grid kernels)" : "");
  }
done:
  for (size_t j = 0; mds && j < M; j++) model_free(&mds[j]);
  free(mds);
  free(fold);
  free(held);
  free(xt);
  free(s);
  logreg_model_free(pre);
  lr_backend_destroy(be);
  return st;
}
