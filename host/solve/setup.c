/* setup.c: a trainer's set-up (logreg_trainer_create): the checks, the model's names and
 * options, the preprocessing fitted on the training split, the rows prepared and handed to the
 * device's backend (a group's share, sparse rows in the columns they use), the objective with
 * its penalty, and the optimizer started at W = 0. Kept apart from train.c, which runs epochs
 * on what this builds. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/device.h"
#include "data/dataset.h"
#include "data/na.h"
#include "model/model.h"
#include "prep/preprocess.h"
#include "solve/checkpoint.h"
#include "solve/objective.h"
#include "solve/optim.h"
#include "solve/train.h"
#include "util/util.h"

#define LR_TRAIN_MAX_WEIGHTS ((size_t)1 << 23) /* d x kw: 8388608 (64 MiB per vector) */

/* ---- Checks ---- */

logreg_status lr_train_check(const logreg_dataset *train, const logreg_params *p,
                             logreg_error *err) {
  logreg_status st = logreg_params_check(p, err);
  if (st) return st;
  if (!train || !train->y || train->n == 0)
    return lr_fail(err, LOGREG_EINVAL, "training data has no labelled rows");
  if ((st = lr_dataset_check_x(train, "training data", err))) return st;
  if (train->k < 2)
    return lr_fail(err, LOGREG_EINVAL, "training data has %zu class; at least 2 are needed",
                   train->k);
  if (p->binary && train->k != 2)
    return lr_fail(err, LOGREG_EINVAL, "'binary' requires exactly 2 classes, found %zu", train->k);
  if (train->n > UINT32_MAX)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "%zu rows: at most %u are supported", train->n,
                   UINT32_MAX);
  /* Sparse data holds O(nnz), but the weights are dense: one LIBSVM line "1 2000000000:1" sets
   * D = 2e9 (16 GB per parameter vector), and a model beyond about 10^7 weights would not fit
   * the model loader's 1 GiB. */
  size_t kw = p->binary ? 1 : train->k;
  if (train->d > LR_TRAIN_MAX_WEIGHTS / kw)
    return lr_fail(err, LOGREG_EUNSUPPORTED,
                   "%zu features x %zu weight columns: at most %zu weights are supported (the "
                   "weights are dense; in LIBSVM data the largest index sets the features)",
                   train->d, kw, LR_TRAIN_MAX_WEIGHTS);
  return LOGREG_OK;
}

static int same_classes(const logreg_dataset *a, const logreg_dataset *b) {
  if (a->k != b->k) return 0;
  for (size_t c = 0; c < a->k; c++)
    if (strcmp(a->class_names[c], b->class_names[c]) != 0) return 0;
  return 1;
}

/* lr_train_check, and what the validation split and a group must satisfy. */
static logreg_status check_inputs(const logreg_dataset *train, const logreg_dataset *val,
                                  const logreg_params *p, logreg_error *err) {
  logreg_status st = lr_train_check(train, p, err);
  if (st != LOGREG_OK) return st;
  if ((st = lr_dataset_check_x(val, "validation data", err))) return st;
  if (val && (val->d != train->d || !val->y || !same_classes(train, val)))
    return lr_fail(err, LOGREG_EINVAL,
                   "validation data must have the training data's features and classes");
  if (val && lr_dataset_sparse(val) != lr_dataset_sparse(train))
    return lr_fail(err, LOGREG_EINVAL,
                   "validation data must be stored like the training data (both sparse or dense)");
  if (p->patience > 0 && (!val || val->n == 0))
    return lr_fail(err, LOGREG_EINVAL, "'patience' needs a validation split");
  const logreg_shard *sh = p->shard;
  if (!sh || sh->size <= 1) return LOGREG_OK;
  if (!sh->allgather || sh->rank < 0 || sh->rank >= sh->size)
    return lr_fail(err, LOGREG_EINVAL, "a shard needs 0 <= rank < size and an allgather");
  if (p->checkpoint || p->resume)
    return lr_fail(err, LOGREG_EUNSUPPORTED,
                   "checkpoints do not cover training over several processes yet");
  if (train->n < (size_t)sh->size)
    return lr_fail(err, LOGREG_EINVAL, "%zu training rows cannot be shared by %d processes",
                   train->n, sh->size);
  return LOGREG_OK;
}

/* ---- The model ---- */

/* Fills the n name slots of `dst` (allocated by lr_model_alloc) with copies of `src`. */
static int copy_names(char **dst, char *const *src, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!(dst[i] = lr_strdup(src[i]))) return -1;
  return 0;
}

/* The model's feature names from the dataset's; sparse data without stored names gets
 * "f1".."fD" in one block (lr_model_name_features), not d allocations. */
static int feature_names(logreg_model *m, const logreg_dataset *ds) {
  if (!ds->feature_names) return lr_model_name_features(m);
  return copy_names(m->feature_names, ds->feature_names, ds->d);
}

/* The categorical features' categories and source columns, for reading data for the model. */
static logreg_status set_categories(logreg_model *m, const logreg_dataset *train) {
  if (!train->feature_categories) return LOGREG_OK;
  size_t d = train->d;
  m->feature_categories = calloc(d ? d : 1, sizeof *m->feature_categories);
  m->feature_sources = calloc(d ? d : 1, sizeof *m->feature_sources);
  if (!m->feature_categories || !m->feature_sources) return LOGREG_ENOMEM;
  for (size_t j = 0; j < d; j++) {
    const char *c = train->feature_categories[j];
    const char *src = logreg_dataset_feature_source(train, j);
    if ((c && !(m->feature_categories[j] = lr_strdup(c))) ||
        !(m->feature_sources[j] = lr_strdup(src ? src : "")))
      return LOGREG_ENOMEM;
  }
  return LOGREG_OK;
}

static logreg_status set_options(logreg_model *m, const logreg_dataset *train,
                                 const logreg_params *p, const char *device, double lr) {
  lr_model_options *o = &m->options;
  o->optimizer = lr_strdup(logreg_optimizer_name(p->optimizer));
  o->device = lr_strdup(device);
  o->lr = lr;
  o->l2 = p->l2;
  o->tol = p->tol;
  o->pos_weight = p->pos_weight;
  o->epochs = p->epochs;
  o->patience = p->patience;
  o->batch_size = p->batch_size;
  o->seed = p->seed;
  o->class_weight_balanced = p->class_weight_balanced;
  o->raw_penalty = p->raw_penalty ? 1 : 0;
  o->l1_ratio = p->l1_ratio;
  o->no_intercept = p->no_intercept ? 1 : 0;
  o->scale = p->scale;
  static const char *const formats[] = {NULL, "csv", "libsvm", "idx"};
  if (train->format != LOGREG_FORMAT_AUTO && !(o->format = lr_strdup(formats[train->format])))
    return LOGREG_ENOMEM;
  o->header = train->header;
  o->delimiter = train->delimiter;
  /* How values were read, so that data for the model is read the same way: the training CSV's
   * markers and decimal mark, or for data from elsewhere the reader's defaults. */
  const char *const *na = train->na_values ? (const char *const *)train->na_values : lr_na_default;
  o->n_na = train->na_values ? train->n_na : lr_na_default_n;
  if (!(o->na_values = calloc(o->n_na, sizeof *o->na_values))) return LOGREG_ENOMEM;
  for (size_t i = 0; i < o->n_na; i++)
    if (!(o->na_values[i] = lr_strdup(na[i]))) return LOGREG_ENOMEM;
  o->decimal = train->decimal ? train->decimal : '.';
  o->n_columns = train->n_columns;
  o->target_column = train->target_column;
  if (train->target_name && !(o->target_name = lr_strdup(train->target_name))) return LOGREG_ENOMEM;
  if (train->feature_columns) {
    o->feature_columns = malloc(train->d * sizeof *o->feature_columns);
    if (!o->feature_columns) return LOGREG_ENOMEM;
    memcpy(o->feature_columns, train->feature_columns, train->d * sizeof *o->feature_columns);
  }
  if (!o->optimizer || !o->device) return LOGREG_ENOMEM;
  return set_categories(m, train);
}

/* The model the trainer fills: names, options, and the preprocessing fitted on `train`. */
static logreg_status init_model(logreg_trainer *t, const logreg_dataset *train, double lr,
                                logreg_error *err) {
  const logreg_params *p = t->p;
  logreg_model *m = t->m = lr_model_alloc(train->d, train->k, p->binary);
  if (!m || copy_names(m->class_names, train->class_names, train->k) || feature_names(m, train) ||
      set_options(m, train, p, t->dev.info.spec, lr) != LOGREG_OK)
    return lr_fail(err, LOGREG_ENOMEM, "out of memory for the model");
  /* Sparse rows stay sparse: no imputation (nothing is missing), no centring. */
  if (lr_fit_preprocessing(train, p->scale, p->no_intercept, p->threads, m))
    return lr_fail(err, LOGREG_ENOMEM, "out of memory computing medians");
  return LOGREG_OK;
}

/* ---- The rows ---- */

/* What set-up prepares on the host before the backend has it. */
typedef struct prepared {
  int sparse;
  float *xt, *xv; /* standardized train and val values: n x d, or the CSR rows' nnz values */
  size_t nx, nvx;
  float *sv;        /* the validation rows' weights */
  int32_t *ti, *vi; /* sparse rows in t->cols' numbering (compact_columns), or NULL */
  int64_t *vp;      /* the validation rows' pointers after compact_columns, or NULL */
  float *vx;        /* their values */
  double s_sum;     /* the training rows' weights, summed */
  size_t lo, hi;    /* the training rows this process evaluates */
} prepared;

static void prepared_free(prepared *pr) {
  free(pr->xt);
  free(pr->xv);
  free(pr->sv);
  free(pr->ti);
  free(pr->vi);
  free(pr->vp);
  free(pr->vx);
  memset(pr, 0, sizeof *pr);
}

/* The data's fingerprint, as the backend receives it (for checkpoints). */
static void hash_data(logreg_trainer *t, const logreg_dataset *train, const logreg_dataset *val,
                      const prepared *pr) {
  size_t n = train->n, nv = val ? val->n : 0;
  lr_checkpoint_hash_data(t, pr->xt, pr->nx * sizeof *pr->xt);
  lr_checkpoint_hash_data(t, train->y, n * sizeof *train->y);
  lr_checkpoint_hash_data(t, t->s_train, n * sizeof *t->s_train);
  if (pr->sparse) {
    lr_checkpoint_hash_data(t, train->indptr, (n + 1) * sizeof *train->indptr);
    lr_checkpoint_hash_data(t, train->indices, train->nnz * sizeof *train->indices);
  }
  if (!val) return;
  lr_checkpoint_hash_data(t, pr->xv, pr->nvx * sizeof *pr->xv);
  lr_checkpoint_hash_data(t, val->y, nv * sizeof *val->y);
  lr_checkpoint_hash_data(t, pr->sv, nv * sizeof *pr->sv);
  if (pr->sparse) {
    lr_checkpoint_hash_data(t, val->indptr, (nv + 1) * sizeof *val->indptr);
    lr_checkpoint_hash_data(t, val->indices, val->nnz * sizeof *val->indices);
  }
}

/* The rows through the model's preprocessing, their weights, and this process's share. */
static logreg_status prepare_rows(logreg_trainer *t, const logreg_dataset *train,
                                  const logreg_dataset *val, prepared *pr, logreg_error *err) {
  const logreg_params *p = t->p;
  size_t n = train->n, d = train->d, nv = val ? val->n : 0;
  pr->sparse = lr_dataset_sparse(train);
  pr->nx = pr->sparse ? train->nnz : n * d;
  pr->nvx = !val ? 0 : pr->sparse ? val->nnz : nv * d;
  const logreg_shard *sh = p->shard;
  int sharded = sh && sh->size > 1;
  /* consume_x: the dataset's X becomes the prepared rows (preprocessed where it is), no copy. */
  int take = p->consume_x && !pr->sparse && !train->x_borrowed && !sharded;
  pr->xt = take ? train->x : lr_alloc_floats(pr->nx);
  pr->xv = malloc((pr->nvx > 0 ? pr->nvx : 1) * sizeof *pr->xv);
  t->s_train = lr_row_weights(train, p->class_weight_balanced);
  pr->sv = val ? lr_row_weights(val, p->class_weight_balanced) : NULL;
  t->sol.order = malloc(n * sizeof *t->sol.order);
  if (!pr->xt || !pr->xv || !t->s_train || (val && !pr->sv) || !t->sol.order)
    return lr_fail(err, LOGREG_ENOMEM, "out of memory for %zu x %zu training data", n, d);
  t->imputed = lr_transform_values(t->m, train, pr->xt, p->threads);
  if (take) { /* the one place the library writes a caller's dataset: params.consume_x */
    logreg_dataset *given = (logreg_dataset *)(uintptr_t)train;
    given->x = NULL;
    given->x_given = 1;
  }
  if (val) lr_transform_values(t->m, val, pr->xv, p->threads);
  for (size_t i = 0; i < n; i++) pr->s_sum += t->s_train[i];
  if (!(pr->s_sum > 0))
    return lr_fail(err, LOGREG_EINVAL, "the training rows' weights sum to %g; need > 0", pr->s_sum);
  if (p->checkpoint || p->resume) hash_data(t, train, val, pr);
  pr->lo = sharded ? n * (size_t)sh->rank / (size_t)sh->size : 0;
  pr->hi = sharded ? n * ((size_t)sh->rank + 1) / (size_t)sh->size : n;
  return LOGREG_OK;
}

/* Sparse rows whose columns are renumbered to t->cols' (set here; NULL when every column is
 * used): the training rows' indices (pr->ti), and the validation rows without the entries in
 * columns no training row uses (pr->vp, vi, vx: their weights are 0). Outputs stay NULL when
 * nothing changes. Hashed features leave most columns empty (the Debian descriptions: 70,180
 * of 262,145 used): every vector operation of a solver then runs over a quarter of them. */
static logreg_status compact_columns(logreg_trainer *t, const logreg_dataset *train,
                                     const logreg_dataset *val, prepared *pr, logreg_error *err) {
  size_t d = train->d, nnz = train->nnz, dc = 0;
  t->dc = d;
  int32_t *map = malloc((d ? d : 1) * sizeof *map);
  if (!map) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  for (size_t j = 0; j < d; j++) map[j] = -1;
  for (size_t e = 0; e < nnz; e++) map[train->indices[e]] = 0;
  for (size_t j = 0; j < d; j++)
    if (map[j] == 0) map[j] = (int32_t)dc++;
  if (dc == d) {
    free(map);
    return LOGREG_OK;
  }
  size_t vnnz = 0;
  if (val)
    for (size_t e = 0; e < val->nnz; e++) vnnz += map[val->indices[e]] >= 0;
  t->cols = malloc((dc ? dc : 1) * sizeof *t->cols);
  pr->ti = malloc((nnz ? nnz : 1) * sizeof *pr->ti);
  if (val) {
    pr->vp = malloc((val->n + 1) * sizeof *pr->vp);
    pr->vi = malloc((vnnz ? vnnz : 1) * sizeof *pr->vi);
    pr->vx = malloc((vnnz ? vnnz : 1) * sizeof *pr->vx);
  }
  if (!t->cols || !pr->ti || (val && (!pr->vp || !pr->vi || !pr->vx))) {
    free(map);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  }
  for (size_t j = 0; j < d; j++)
    if (map[j] >= 0) t->cols[map[j]] = (uint32_t)j;
  for (size_t e = 0; e < nnz; e++) pr->ti[e] = map[train->indices[e]];
  if (val) {
    size_t c = 0;
    pr->vp[0] = 0;
    for (size_t i = 0; i < val->n; i++) {
      for (int64_t e = val->indptr[i]; e < val->indptr[i + 1]; e++) {
        int32_t j = map[val->indices[e]];
        if (j < 0) continue;
        pr->vi[c] = j;
        pr->vx[c++] = pr->xv[e];
      }
      pr->vp[i + 1] = (int64_t)c;
    }
  }
  t->dc = dc;
  free(map);
  return LOGREG_OK;
}

/* The train slot's CSR rows [lo, hi) (a group's share; all of them alone): row pointers
 * rebased to 0 for a share, the indices (t->cols' numbering) and values from the share's first
 * entry. */
static logreg_status set_csr_share(lr_backend *be, const logreg_dataset *train,
                                   const int32_t *indices, const float *values, const float *s,
                                   size_t lo, size_t hi, logreg_error *err) {
  const int64_t *ip = train->indptr;
  if (lo == 0 && hi == train->n)
    return be->ops->set_data_csr(be, LR_SLOT_TRAIN, ip, indices, values, train->y, s, hi, err);
  int64_t *rp = malloc((hi - lo + 1) * sizeof *rp);
  if (!rp) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  for (size_t i = lo; i <= hi; i++) rp[i - lo] = ip[i] - ip[lo];
  size_t off = (size_t)ip[lo];
  logreg_status st = be->ops->set_data_csr(be, LR_SLOT_TRAIN, rp, indices + off, values + off,
                                           train->y + lo, s + lo, hi - lo, err);
  free(rp);
  return st;
}

/* The training rows on the backend: this process's share (dense), or the CSR rows; sparse rows
 * under auto are timed on cpu and on the device first (lr_device_time_sparse). */
static logreg_status upload_train(logreg_trainer *t, const logreg_dataset *train, prepared *pr,
                                  logreg_error *err) {
  const logreg_params *p = t->p;
  size_t d = train->d;
  if (!pr->sparse && t->be->ops->adopt_data && pr->lo == 0 && pr->hi == train->n) {
    float *x = pr->xt; /* the host backends keep the prepared rows: no second copy of X */
    pr->xt = NULL;
    return t->be->ops->adopt_data(t->be, LR_SLOT_TRAIN, x, train->y, t->s_train, train->n, err);
  }
  if (!pr->sparse)
    return t->be->ops->set_data(t->be, LR_SLOT_TRAIN, pr->xt + pr->lo * d, train->y + pr->lo,
                                t->s_train + pr->lo, pr->hi - pr->lo, err);
  if (!t->be->ops->set_data_csr)
    return lr_fail(err, LOGREG_EUNSUPPORTED, "the %s backend has no sparse path", t->be->ops->name);
  const int32_t *tidx = pr->ti ? pr->ti : train->indices;
  logreg_status st = set_csr_share(t->be, train, tidx, pr->xt, t->s_train, pr->lo, pr->hi, err);
  /* A group keeps the device auto found on every process: timings that chose differently would
   * part it. */
  int sharded = p->shard && p->shard->size > 1;
  if (st || !t->dev.is_auto || t->be->kind != LOGREG_BACKEND_OPENCL || sharded) return st;
  const lr_rows rows = {NULL, train->indptr, tidx, pr->xt, train->y, t->s_train, train->n};
  return lr_device_time_sparse(&t->dev, &t->be, &rows, p->threads, err);
}

/* The device's backend with the training and validation rows. */
static logreg_status setup_backend(logreg_trainer *t, const logreg_dataset *train,
                                   const logreg_dataset *val, prepared *pr, logreg_error *err) {
  const logreg_params *p = t->p;
  size_t kw = lr_model_kw(t->m);
  logreg_status st;
  t->dc = train->d;
  if (pr->sparse && (st = compact_columns(t, train, val, pr, err))) return st;
  if (!(t->best = calloc((t->dc + 1) * kw, sizeof *t->best)))
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  /* A group's processes after the first take its path (lr_device_agree_group) instead of
   * timing theirs. */
  int follow = p->shard && p->shard->size > 1 && p->shard->rank != 0;
  const lr_path_store *cache = lr_path_cache_file(p->path_cache, &t->cache);
  /* Auto on an OpenCL device on the host's cores: cpu or that device, chosen here before the
   * device is set up (lr_device_auto_host; a group keeps the device found: see upload_train). */
  const int32_t *tidx = pr->ti ? pr->ti : train->indices;
  t->run = (lr_auto_run){
      t->dc,      train->k,
      p->binary,  p->pos_weight,
      p->threads, pr->sparse ? (double)train->indptr[train->n] : (double)train->n * (double)t->dc,
      p->epochs};
  int sharded = p->shard && p->shard->size > 1;
  if (t->dev.is_auto && !sharded) {
    const lr_rows tr = {
        pr->sparse ? NULL : pr->xt, train->indptr, tidx, pr->xt, train->y, t->s_train, train->n};
    if ((st = lr_device_auto_host(&t->dev, &t->run, &tr, cache, &t->be, err))) return st;
  }
  if (!t->be) {
    if ((st = lr_device_backend(&t->dev, t->dc, train->k, p->binary, p->pos_weight, cache, follow,
                                &t->be, err)))
      return st;
    lr_backend_threads(t->be, p->threads);
    if ((st = upload_train(t, train, pr, err))) return st;
  }
  /* Auto's run on such a device keeps its whole cost for auto's next choice (train.c). */
  t->record_run = t->dev.is_auto && t->be->kind == LOGREG_BACKEND_OPENCL &&
                  t->dev.info.type == LOGREG_DEVICE_CPU && !pr->sparse && !sharded;
  if (!val) return st;
  const lr_rows vr = {pr->sparse ? NULL : pr->xv,
                      pr->vp ? pr->vp : val->indptr,
                      pr->vi ? pr->vi : val->indices,
                      pr->vx ? pr->vx : pr->xv,
                      val->y,
                      pr->sv,
                      val->n};
  return lr_backend_set_rows(t->be, LR_SLOT_VAL, &vr, err);
}

/* ---- The objective and the solver ---- */

/* J's lambda, and the L2 term's per-parameter factors and mask (raw penalty, no intercept),
 * with L-BFGS's diagonal initial matrix where the factors make gamma I a poor one. */
static logreg_status setup_objective(logreg_trainer *t, size_t n, double s_sum, size_t lo,
                                     logreg_error *err) {
  const logreg_params *p = t->p;
  size_t dc = t->dc;
  /* lambda splits into the L2 term's (1 - l1_ratio) and the L1 term's l1_ratio. */
  double lambda = lr_objective_lambda(p->C, p->l2, s_sum), a = p->l1_ratio;
  double l2 = a > 0 ? lambda * (1.0 - a) : lambda;
  t->m->options.l2 = lambda;
  lr_objective_init(&t->obj, t->be, l2);
  logreg_status st;
  if (p->shard && p->shard->size > 1 &&
      (st = lr_objective_set_shard(&t->obj, p->shard, n, lo, err)))
    return st;
  int l1 = a > 0 && lambda > 0;
  if (!p->raw_penalty && !p->no_intercept && !l1) return LOGREG_OK;
  double *stdc = t->m->std; /* the backend's columns' */
  if (t->cols && (stdc = malloc((dc ? dc : 1) * sizeof *stdc)))
    for (size_t j = 0; j < dc; j++) stdc[j] = t->m->std[t->cols[j]];
  if (!stdc) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  st = lr_objective_penalize(&t->obj, stdc, p->raw_penalty, p->no_intercept, &t->diag, err);
  if (!st && l1) st = lr_objective_set_l1(&t->obj, lambda * a, stdc, p->raw_penalty, err);
  if (stdc != t->m->std) free(stdc);
  return st;
}

/* params.init_coef: theta from the caller's weights through the model's scaler (the backend's
 * columns when sparse rows were compacted), and the objective there. */
static logreg_status warm_start(logreg_trainer *t, logreg_error *err) {
  const logreg_params *p = t->p;
  logreg_model *m = t->m;
  lr_backend *be = t->be;
  size_t kw = be->kw, dc = t->dc;
  double *theta = calloc((dc + 1) * kw, sizeof *theta);
  if (!theta) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  lr_model_set_raw_weights(m, p->init_coef, p->no_intercept ? NULL : p->init_intercept);
  for (size_t r = 0; r < dc; r++)
    memcpy(theta + r * kw, m->w + (t->cols ? t->cols[r] : r) * kw, kw * sizeof *theta);
  if (!p->no_intercept) memcpy(theta + dc * kw, m->b, kw * sizeof *theta);
  int finite = 1;
  for (size_t i = 0; i < (dc + 1) * kw; i++) finite &= isfinite(theta[i]) != 0;
  logreg_status st =
      finite ? be->ops->vec_write(be, LR_VEC_THETA, theta, err)
             : lr_fail(err, LOGREG_EINVAL, "'init_coef': the starting weights are not all finite");
  free(theta);
  if (!st) st = lr_objective_eval(&t->obj, LR_SLOT_TRAIN, 0, t->n, t->sol.full, &t->sol.ev, err);
  if (!st && !isfinite(t->sol.ev.objective))
    st = lr_fail(err, LOGREG_EINVAL, "'init_coef': the objective at the starting weights is %g",
                 t->sol.ev.objective);
  return st;
}

/* The solver's fields, and its start: J at W = 0 (evaluated after a group agreed). */
static logreg_status setup_solver(logreg_trainer *t, double lr, logreg_error *err) {
  const logreg_params *p = t->p;
  lr_solver *sol = &t->sol;
  size_t n = t->n;
  sol->obj = &t->obj;
  sol->be = t->be;
  sol->p = p;
  sol->lr = lr;
  sol->n = n;
  sol->s = t->s_train;
  sol->diag = t->diag;
  sol->full = t->def->second_order || p->batch_size == 0 || p->batch_size >= n;
  sol->tol = p->tol; /* 1e-6 for the second-order solvers unless given (logreg_params_resolve) */
  sol->step = lr;
  for (size_t i = 0; i < n; i++) sol->order[i] = (uint32_t)i;
  lr_rng_seed(&sol->rng, p->seed);
  /* J at W = 0: the yardstick for "exploding". */
  logreg_status st = lr_objective_eval(&t->obj, LR_SLOT_TRAIN, 0, n, sol->full, &sol->ev, err);
  if (st) return st;
  t->j0 = sol->ev.objective;
  if (p->init_coef && !p->resume) { /* J there is a yardstick too: a start may be above J(0) */
    if ((st = warm_start(t, err))) return st;
    t->j0 = fmax(t->j0, sol->ev.objective);
  }
  if (!isfinite(t->j0))
    return lr_fail(err, LOGREG_EDIVERGED,
                   "the objective at W = 0 is not finite on %s (%g): nothing to train from",
                   t->be->device, t->j0);
  if (t->def->init && (st = t->def->init(sol, err))) return st;
  t->evv = (lr_eval_out){NAN, NAN, NAN, 0};
  t->best_val = INFINITY;
  return LOGREG_OK;
}

/* Everything up to the first exchange of a group: the model, the rows, the backend. */
static logreg_status setup_local(logreg_trainer *t, const logreg_dataset *train,
                                 const logreg_dataset *val, double lr, logreg_error *err) {
  prepared pr = {0};
  logreg_status st;
  if (!(st = init_model(t, train, lr, err)) && !(st = prepare_rows(t, train, val, &pr, err)) &&
      !(st = setup_backend(t, train, val, &pr, err)))
    st = setup_objective(t, train->n, pr.s_sum, pr.lo, err);
  prepared_free(&pr);
  return st;
}

/* A device failure in set-up names the device, once it was chosen. */
static logreg_status name_device(const logreg_trainer *t, logreg_status st, logreg_error *err) {
  if (st == LOGREG_EBACKEND && t->be && err) {
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "%s", err->message);
    lr_fail(err, st, "%s, setting up training on %s", msg, t->be->device);
  }
  return st;
}

logreg_status lr_trainer_create(const logreg_dataset *train, const logreg_dataset *val,
                                const logreg_params *params, const lr_device *dev,
                                logreg_trainer **out, logreg_error *err) {
  lr_error_clear(err);
  *out = NULL;
  logreg_params rp; /* the parameters with their defaults made concrete */
  logreg_status st = logreg_params_resolve(params, &rp, err);
  if (!st) st = check_inputs(train, val, &rp, err);
  if (st != LOGREG_OK) return st;
  logreg_trainer *t = calloc(1, sizeof *t);
  if (!t) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  t->given = *params;
  t->params = rp;
  t->p = &t->params;
  t->dev = *dev;
  t->def = lr_solver_find(rp.optimizer);
  t->n = train->n;
  t->nv = val ? val->n : 0;
  t->t0 = lr_now();
  double lr = rp.lr;
  /* A group's processes agree once, before the first exchange (lr_shard_agree): a failure
   * up to there reaches the others through it. */
  const logreg_shard *sh = params->shard;
  int sharded = sh && sh->size > 1;
  st = name_device(t, setup_local(t, train, val, lr, err), err);
  /* Set-up (the rows prepared, the device chosen and set up, the data uploaded) is reported
   * apart from training, whose clock starts here. */
  t->setup_seconds = lr_now() - t->t0;
  t->t0 = lr_now();
  if (sharded) st = lr_shard_agree(sh, st, err);
  if (!st && sharded) st = lr_shard_agree(sh, lr_device_agree_group(t->be, sh, err), err);
  if (!st) st = name_device(t, setup_solver(t, lr, err), err);
  if (st) {
    logreg_trainer_free(t);
    return st;
  }
  *out = t;
  return LOGREG_OK;
}

logreg_status lr_trainer_device(const logreg_params *p, lr_device *dev, logreg_error *err) {
  logreg_status st = lr_device_from_params(p, dev, err);
  /* A device missing on one node must not leave the other processes waiting in set-up's
   * agreement: they learn of it there. */
  if (st && p->shard && p->shard->size > 1) st = lr_shard_agree(p->shard, st, err);
  return st;
}

logreg_status logreg_trainer_create(const logreg_dataset *train, const logreg_dataset *val,
                                    const logreg_params *params, logreg_trainer **out,
                                    logreg_error *err) {
  lr_error_clear(err);
  *out = NULL;
  lr_device dev;
  logreg_status st = lr_trainer_device(params, &dev, err);
  return st ? st : lr_trainer_create(train, val, params, &dev, out, err);
}
