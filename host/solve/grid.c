/* grid.c: K-fold cross-validation of a grid of C (or lambda) values, all G x K models trained
 * together (logreg_cv in logreg.h; `logreg train --cv`).
 *
 * Every pass over X evaluates every model that is still running, at its own point, through
 * the backend's grid_sums: the folds are row masks, so X is read once per pass for the whole
 * grid instead of once per model. To share passes, the models advance in lock step: each is an
 * L-BFGS state machine (memory 10) whose line search only ever asks for one evaluation at a
 * time, backtracking on the Armijo condition (or Hager and Zhang's approximate Wolfe conditions
 * where J's rounding hides the decrease; J strictly convex with lambda > 0 keeps every
 * curvature pair positive, so the Wolfe curvature test is not needed for the update). A pass
 * evaluates each running model at its trial point; a model whose trial point passes the test
 * takes it and proposes the next, the others step back. The L-BFGS arithmetic is on the host,
 * in double: a grid's models are small next to X.
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
#include "solve/objective.h"
#include "solve/train.h"
#include "util/util.h"

#define GRID_MEM 10           /* L-BFGS memory */
#define GRID_C1 1e-4          /* Armijo's constant */
#define GRID_MAX_BACKTRACK 40 /* steps back before "no step lowers J" */

typedef struct grid_model {
  double lambda;
  double *x, *g, *dir, *trial;  /* nparam each */
  double *S, *Y, rho[GRID_MEM]; /* the curvature pairs, a ring of GRID_MEM */
  int npairs, head;
  double f, gd, alpha;
  int iter, backtracks, running;
  long evaluations;
  lr_sums tr, va; /* at x */
  double grad_max;
  const char *stop;
} grid_model;

/* J and its gradient from the raw sums at `theta`: sum s l / sum s + lambda/2 ||W||^2, or
 * lambda/2 sum pen theta^2 with pen; the gradient times mask where there is one (objective.h's
 * lr_penalty_arrays). */
typedef struct grid_pen {
  const double *pen, *mask; /* nparam each, or NULL */
} grid_pen;

static double objective(const double *theta, const double *gsum, const lr_sums *tr, double lambda,
                        const grid_pen *gp, size_t nwz, size_t np, double *g, double *gmax) {
  double ww = 0, gm = 0;
  for (size_t q = 0; q < np; q++) {
    double gq = gsum[q] / tr->s;
    if (q < nwz) {
      double pq = gp->pen ? gp->pen[q] : 1.0;
      ww += pq * theta[q] * theta[q];
      gq += lambda * pq * theta[q];
    }
    if (gp->mask) gq *= gp->mask[q];
    g[q] = gq;
    if (fabs(gq) > gm) gm = fabs(gq);
  }
  *gmax = gm;
  return tr->wloss / tr->s + 0.5 * lambda * ww;
}

static double dot(const double *a, const double *b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* dir = -H g by the two-loop recursion over the stored pairs (H0 = s'y / y'y of the newest). */
static void direction(grid_model *md, size_t np) {
  double a[GRID_MEM];
  for (size_t q = 0; q < np; q++) md->dir[q] = -md->g[q];
  for (int t = 0; t < md->npairs; t++) {
    int i = (md->head - 1 - t + 2 * GRID_MEM) % GRID_MEM;
    a[i] = md->rho[i] * dot(md->S + (size_t)i * np, md->dir, np);
    const double *y = md->Y + (size_t)i * np;
    for (size_t q = 0; q < np; q++) md->dir[q] -= a[i] * y[q];
  }
  if (md->npairs > 0) {
    int i = (md->head - 1 + GRID_MEM) % GRID_MEM;
    const double *y = md->Y + (size_t)i * np;
    double gamma = 1.0 / (md->rho[i] * dot(y, y, np));
    for (size_t q = 0; q < np; q++) md->dir[q] *= gamma;
  }
  for (int t = md->npairs - 1; t >= 0; t--) {
    int i = (md->head - 1 - t + 2 * GRID_MEM) % GRID_MEM;
    double b = md->rho[i] * dot(md->Y + (size_t)i * np, md->dir, np);
    const double *s = md->S + (size_t)i * np;
    for (size_t q = 0; q < np; q++) md->dir[q] += (a[i] - b) * s[q];
  }
}

/* The next trial point x + alpha dir, after an accepted step (or the start). */
static void propose(grid_model *md, size_t np) {
  direction(md, np);
  md->gd = dot(md->g, md->dir, np);
  if (!(md->gd < 0)) { /* not a descent direction (rounding): steepest descent instead */
    md->npairs = 0;
    direction(md, np);
    md->gd = dot(md->g, md->dir, np);
  }
  md->alpha = md->npairs ? 1.0 : 1.0 / sqrt(dot(md->g, md->g, np));
  md->backtracks = 0;
  for (size_t q = 0; q < np; q++) md->trial[q] = md->x[q] + md->alpha * md->dir[q];
}

/* One evaluation's result for a model: take the trial point or step back. */
static void advance(grid_model *md, const double *gsum, const lr_sums *tr, const lr_sums *va,
                    const grid_pen *gp, size_t nwz, size_t np, int max_iter, double tol,
                    double *gnew) {
  double gmax;
  md->evaluations++;
  double f = objective(md->trial, gsum, tr, md->lambda, gp, nwz, np, gnew, &gmax);
  int first = md->evaluations == 1;
  /* Armijo's sufficient decrease, or, where J's rounding hides the decrease (within 1e-12
   * relative: near the optimum of a strongly regularized model, a step that is right may change
   * J by less than its last bits), Hager and Zhang's approximate Wolfe conditions on the slope
   * along the direction, which the pass gives too. */
  double gtd = dot(gnew, md->dir, np);
  int armijo = f <= md->f + GRID_C1 * md->alpha * md->gd;
  int approx = fabs(f - md->f) <= 1e-12 * fabs(md->f) && gtd >= 0.9 * md->gd &&
               gtd <= -(1.0 - 2.0 * 0.1) * md->gd;
  if (!first && !armijo && !approx) {
    /* Step back: the minimum of the quadratic through f(0), f'(0) and f(alpha), kept within
     * [0.1, 0.5] alpha. */
    double a = md->alpha, den = 2.0 * (f - md->f - md->gd * a);
    double next = den > 0 ? -md->gd * a * a / den : 0.5 * a;
    if (!(next >= 0.1 * a)) next = 0.1 * a;
    if (next > 0.5 * a) next = 0.5 * a;
    md->alpha = next;
    if (++md->backtracks > GRID_MAX_BACKTRACK) {
      md->running = 0;
      md->stop = "converged";
      return;
    }
    for (size_t q = 0; q < np; q++) md->trial[q] = md->x[q] + md->alpha * md->dir[q];
    return;
  }
  if (!first) {
    /* The pair s = trial - x, y = g(trial) - g(x), kept when s'y > 0. */
    double *S = md->S + (size_t)md->head * np, *Y = md->Y + (size_t)md->head * np;
    for (size_t q = 0; q < np; q++) {
      S[q] = md->trial[q] - md->x[q];
      Y[q] = gnew[q] - md->g[q];
    }
    double sy = dot(S, Y, np);
    if (sy > 1e-12 * sqrt(dot(S, S, np) * dot(Y, Y, np))) {
      md->rho[md->head] = 1.0 / sy;
      md->head = (md->head + 1) % GRID_MEM;
      if (md->npairs < GRID_MEM) md->npairs++;
    }
    md->iter++;
  }
  memcpy(md->x, md->trial, np * sizeof *md->x);
  memcpy(md->g, gnew, np * sizeof *md->g);
  md->f = f;
  md->tr = *tr;
  md->va = *va;
  md->grad_max = gmax;
  if (gmax <= tol) {
    md->running = 0;
    md->stop = "tol";
  } else if (md->iter >= max_iter) {
    md->running = 0;
    md->stop = "max_iter";
  } else {
    propose(md, np);
  }
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

logreg_status logreg_cv(const logreg_dataset *train, const logreg_params *p,
                        const logreg_cv_options *opt, logreg_cv_model *models, int32_t *folds_out,
                        logreg_cv_result *result, logreg_error *err) {
  lr_error_clear(err);
  double t0 = lr_now();
  logreg_status cst = lr_train_check(train, p, err);
  if (cst != LOGREG_OK) return cst;
  size_t K = opt->k_folds, G = opt->n_values, n = train->n, d = train->d, k = train->k;
  if (K < 2) return lr_fail(err, LOGREG_EINVAL, "--cv: K must be at least 2 (got %zu)", K);
  if (p->shard && p->shard->size > 1)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "--cv does not run over several processes yet");
  int sparse = lr_dataset_sparse(train);
  if (K > n)
    return lr_fail(err, LOGREG_EINVAL, "--cv %zu: more folds than the %zu training rows", K, n);
  if (G == 0) return lr_fail(err, LOGREG_EINVAL, "--cv: no values to cross-validate");
  for (size_t g = 0; g < G; g++)
    if (!(opt->values[g] > 0 || (!opt->values_are_C && opt->values[g] == 0)) ||
        !isfinite(opt->values[g]))
      return lr_fail(err, LOGREG_EINVAL, "--cv: %s value %g must be a finite number %s",
                     opt->values_are_C ? "C" : "l2", opt->values[g],
                     opt->values_are_C ? "> 0" : ">= 0");
  size_t M = G * K;
  logreg_status st = LOGREG_OK;
  int32_t *fold = malloc(n * sizeof *fold), *held = malloc(M * sizeof *held);
  size_t nx = sparse ? train->nnz : n * d; /* the values the backend gets */
  float *xt = malloc((nx > 0 ? nx : 1) * sizeof *xt),
        *s = lr_row_weights(train, p->class_weight_balanced);
  logreg_model *pre = lr_model_alloc(d, k, p->binary);
  grid_model *mds = calloc(M, sizeof *mds);
  lr_backend *be = NULL;
  double *theta = NULL, *gsum = NULL, *gnew = NULL, *pen = NULL, *mask = NULL;
  lr_sums *tr = NULL, *va = NULL;
  size_t *run = NULL;
  if (!fold || !held || !xt || !s || !pre || !mds) {
    st = lr_fail(err, LOGREG_ENOMEM, "--cv: out of memory for %zu x %zu training data", n, d);
    goto done;
  }

  /* The folds: given (checked) or drawn. */
  if (opt->folds) {
    size_t *count = calloc(K, sizeof *count);
    if (!count) {
      st = lr_fail(err, LOGREG_ENOMEM, "--cv: out of memory");
      goto done;
    }
    for (size_t i = 0; i < n && st == LOGREG_OK; i++) {
      if (opt->folds[i] < 0 || (size_t)opt->folds[i] >= K)
        st = lr_fail(err, LOGREG_EINVAL,
                     "--folds: training row %zu is in fold %d; folds must be 0..%zu for --cv %zu",
                     i + 1, opt->folds[i], K - 1, K);
      else
        count[opt->folds[i]]++;
    }
    for (size_t f = 0; f < K && st == LOGREG_OK; f++)
      if (count[f] == 0)
        st = lr_fail(err, LOGREG_EINVAL, "--folds: fold %zu has no training rows (--cv %zu)", f, K);
    free(count);
    if (st != LOGREG_OK) goto done;
    memcpy(fold, opt->folds, n * sizeof *fold);
  } else if (stratified_folds(train, K, p->seed, fold) != 0) {
    st = lr_fail(err, LOGREG_ENOMEM, "--cv: out of memory");
    goto done;
  }
  if (folds_out) memcpy(folds_out, fold, n * sizeof *fold);

  /* Preprocessing fitted once on all the training rows, as logreg_train fits it. */
  if (lr_fit_preprocessing(train, p->scale, p->no_intercept, p->threads, pre)) {
    st = lr_fail(err, LOGREG_ENOMEM, "--cv: out of memory computing medians");
    goto done;
  }
  lr_transform_values(pre, train, xt, p->threads);
  if (lr_penalty_arrays(pre->std, d, p->binary ? 1 : k, p->raw_penalty, p->no_intercept, &pen,
                        &mask)) {
    st = lr_fail(err, LOGREG_ENOMEM, "--cv: out of memory");
    goto done;
  }
  grid_pen gp = {pen, mask};

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
  if (result) snprintf(result->why, sizeof result->why, "%s", why);
  size_t np = be->nparam, nwz = d * be->kw;

  theta = malloc(M * np * sizeof *theta);
  gsum = malloc(M * np * sizeof *gsum);
  gnew = malloc(np * sizeof *gnew);
  tr = malloc(2 * M * sizeof *tr);
  run = malloc(M * sizeof *run);
  if (!theta || !gsum || !gnew || !tr || !run) {
    st = lr_fail(err, LOGREG_ENOMEM, "--cv: out of memory for %zu models", M);
    goto done;
  }
  va = tr + M;
  double tol = p->tol > 0 ? p->tol : 1e-6;
  for (size_t g = 0; g < G; g++) {
    for (size_t f = 0; f < K; f++) {
      grid_model *md = &mds[g * K + f];
      double sw = 0;
      for (size_t i = 0; i < n; i++)
        if ((size_t)fold[i] != f) sw += s[i];
      if (!(sw > 0)) {
        st = lr_fail(err, LOGREG_EINVAL, "--cv: the rows outside fold %zu weigh %g; need > 0", f,
                     sw);
        goto done;
      }
      md->lambda = opt->values_are_C ? lr_objective_lambda(opt->values[g], 0, sw) : opt->values[g];
      double *buf = calloc((4 + 2 * GRID_MEM) * np, sizeof *buf);
      if (!buf) {
        st = lr_fail(err, LOGREG_ENOMEM, "--cv: out of memory for %zu models", M);
        goto done;
      }
      md->x = buf; /* the block is freed through x */
      md->g = buf + np;
      md->dir = buf + 2 * np;
      md->trial = buf + 3 * np; /* W = 0, b = 0: the first point */
      md->S = buf + 4 * np;
      md->Y = md->S + GRID_MEM * np;
      md->running = 1;
    }
  }

  long passes = 0;
  for (;;) {
    size_t m = 0;
    for (size_t j = 0; j < M; j++) {
      if (!mds[j].running) continue;
      memcpy(theta + m * np, mds[j].trial, np * sizeof *theta);
      held[m] = (int32_t)(j % K);
      run[m++] = j;
    }
    if (m == 0) break;
    if ((st = be->ops->grid_sums(be, fold, m, held, theta, tr, va, gsum, err))) goto done;
    passes++;
    for (size_t r = 0; r < m; r++)
      advance(&mds[run[r]], gsum + r * np, &tr[r], &va[r], &gp, nwz, np, p->epochs, tol, gnew);
  }

  for (size_t g = 0; g < G; g++) {
    for (size_t f = 0; f < K; f++) {
      grid_model *md = &mds[g * K + f];
      logreg_cv_model *o = &models[g * K + f];
      o->value = opt->values[g];
      o->fold = (int)f;
      o->l2 = md->lambda;
      o->objective = md->f;
      o->train_loss = md->tr.loss / md->tr.rows;
      o->val_loss = md->va.loss / md->va.rows;
      o->val_accuracy = md->va.correct / md->va.rows;
      o->train_rows = (size_t)md->tr.rows;
      o->val_rows = (size_t)md->va.rows;
      o->iterations = md->iter;
      o->evaluations = md->evaluations;
      o->grad_max = md->grad_max;
      o->stop_reason = md->stop;
    }
  }
  if (result) {
    result->seconds = lr_now() - t0;
    result->passes = passes;
    /* The device, without the evaluation path the backend names (the grid has its own kernels). */
    const char *cut = be->kind != LOGREG_BACKEND_CPU ? strrchr(be->device, '(') : NULL;
    int len = cut && cut > be->device ? (int)(cut - be->device - 1) : (int)strlen(be->device);
    snprintf(result->device, sizeof result->device, "%.*s%s", len, be->device,
             cut ? " (grid kernels)" : "");
  }

done:
  if (mds)
    for (size_t j = 0; j < M; j++) free(mds[j].x);
  free(mds);
  free(fold);
  free(held);
  free(xt);
  free(s);
  logreg_model_free(pre);
  lr_backend_destroy(be);
  free(theta);
  free(gsum);
  free(gnew);
  free(pen);
  free(mask);
  free(tr);
  free(run);
  return st;
}
