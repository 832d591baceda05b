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
#include "solve/checkpoint.h"
#include "solve/objective.h"
#include "solve/optim.h"
#include "solve/train.h"
#include "util/util.h"

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
  p->checkpoint_seconds = 60.0;
}

/* Default learning rates (each optimizer's def, opt_*.c), chosen on standardized data (tumors,
 * breast-cancer, Fashion-MNIST). */
double logreg_default_lr(logreg_optimizer opt) {
  const lr_solver_def *def = lr_solver_find(opt);
  return def ? def->default_lr : 0.01;
}

const char *logreg_params_check(const logreg_params *p) {
  const lr_solver_def *def = lr_solver_find(p->optimizer);
  if (!def) return lr_solver_unknown();
  if (!(p->lr >= 0) || !isfinite(p->lr)) return "--lr must be a finite number > 0";
  if (p->epochs < 1) return "--epochs must be >= 1";
  if (!(p->l2 >= 0) || !isfinite(p->l2)) return "--l2 must be a finite number >= 0";
  if (!(p->C >= 0) || !isfinite(p->C)) return "--C must be a finite number > 0";
  if (p->C > 0 && p->l2 > 0) return "--C and --l2 both set the L2 strength: give one of them";
  if (!(p->tol >= 0) || !isfinite(p->tol)) return "--tol must be a finite number >= 0";
  if (p->patience < 0) return "--patience must be >= 0";
  if (!(p->pos_weight > 0) || !isfinite(p->pos_weight))
    return "--pos-weight must be a finite number > 0";
  if (p->pos_weight != 1.0 && !p->binary) return "--pos-weight needs --binary";
  if (!(p->momentum >= 0 && p->momentum < 1)) return "--momentum must be in [0, 1)";
  if (!(p->beta1 >= 0 && p->beta1 < 1) || !(p->beta2 >= 0 && p->beta2 < 1))
    return "Adam betas must be in [0, 1)";
  if (!(p->eps > 0)) return "Adam eps must be > 0";
  if (p->scale != LOGREG_SCALE_STD && p->scale != LOGREG_SCALE_MAXABS &&
      p->scale != LOGREG_SCALE_NONE)
    return "--scale must be one of std, maxabs, none";
  if (p->checkpoint_every < 0) return "--checkpoint-every must be >= 0";
  if (!(p->checkpoint_seconds >= 0) || !isfinite(p->checkpoint_seconds))
    return "checkpoint_seconds must be a finite number >= 0";
  return def->check ? def->check(p) : NULL; /* the optimizer's own settings */
}

/* ---- Setup helpers ---- */

#define LR_TRAIN_MAX_WEIGHTS ((size_t)1 << 23) /* d x kw: 8388608 (64 MiB per vector) */

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

static int same_classes(const logreg_dataset *a, const logreg_dataset *b) {
  if (a->k != b->k) return 0;
  for (size_t c = 0; c < a->k; c++)
    if (strcmp(a->class_names[c], b->class_names[c]) != 0) return 0;
  return 1;
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
  o->raw_penalty = p->raw_penalty ? 1 : 0;
  o->no_intercept = p->no_intercept ? 1 : 0;
  static const char *const formats[] = {NULL, "csv", "libsvm", "idx"};
  if (train->format != LOGREG_FORMAT_AUTO && !(o->format = lr_strdup(formats[train->format])))
    return LOGREG_ENOMEM;
  o->header = train->header;
  o->delimiter = train->delimiter;
  o->n_columns = train->n_columns;
  o->target_column = train->target_column;
  if (train->target_name && !(o->target_name = lr_strdup(train->target_name))) return LOGREG_ENOMEM;
  if (train->feature_columns) {
    o->feature_columns = malloc(train->d * sizeof *o->feature_columns);
    if (!o->feature_columns) return LOGREG_ENOMEM;
    memcpy(o->feature_columns, train->feature_columns, train->d * sizeof *o->feature_columns);
  }
  if (!o->optimizer || !o->device) return LOGREG_ENOMEM;
  if (train->feature_categories) {
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
  }
  return LOGREG_OK;
}

logreg_status lr_train_check(const logreg_dataset *train, const logreg_params *p,
                             logreg_error *err) {
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

/* ---- The trainer (its struct is in train.h, shared with checkpoint.c) ---- */

void logreg_trainer_free(logreg_trainer *t) {
  if (!t) return;
  if (t->def && t->def->release) t->def->release(&t->sol);
  lr_objective_free(&t->obj);
  lr_backend_destroy(t->be);
  logreg_model_free(t->m);
  free(t->s_train);
  free(t->sol.order);
  free(t->best);
  free(t->diag);
  free(t->cols);
  free(t->hist);
  free(t);
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

/* Milliseconds of one evaluation (sums and gradient) of the train slot at THETA: the best of
 * three after an untimed one (a device's first launches carry set-up). */
static logreg_status time_eval(lr_backend *be, size_t n, double *ms, logreg_error *err) {
  lr_sums out;
  logreg_status st = be->ops->sums(be, LR_SLOT_TRAIN, 0, n, LR_WANT_SUMS | LR_WANT_GRAD, &out, err);
  *ms = INFINITY;
  for (int rep = 0; rep < 3 && !st; rep++) {
    double t0 = lr_now();
    st = be->ops->sums(be, LR_SLOT_TRAIN, 0, n, LR_WANT_SUMS | LR_WANT_GRAD, &out, err);
    *ms = fmin(*ms, (lr_now() - t0) * 1e3);
  }
  return st;
}

/* What a backend's vector operations round like: "cpu", or "opencl MODEL" with " fp64" when
 * its vectors are double (the device name of be->device without its "opencl:P:D " prefix and
 * the path in brackets). */
static void backend_kind(const lr_backend *be, char *out, size_t cap) {
  const char *name = strchr(be->device, ' ');
  name = name ? name + 1 : be->device;
  const char *end = strstr(name, " (");
  int len = end ? (int)(end - name) : (int)strlen(name);
  if (strcmp(be->ops->name, "cpu") == 0)
    snprintf(out, cap, "cpu");
  else
    snprintf(out, cap, "%s %.*s%s", be->ops->name, len, name, be->float32 ? "" : " fp64");
}

/* After the set-up agreed, once (collective):
 * - The group's processes must train on one kind of device: each holds its own copy of the
 *   solver's vectors and takes the solver's decisions from its own dot products, so vectors
 *   that round differently (double on cpu, float32 on a device; another device's reductions)
 *   would part the processes' paths, and the exchanges would no longer match. Another kind than
 *   rank 0's is one error line (every rank stops).
 * - They evaluate on the path of the first (with --gemm auto the others did not time theirs:
 *   lr_backend_opts.follow): paths add a row's terms in different orders, and a group whose
 *   processes each took the path they measured fastest would not repeat its model bit for bit.
 *   A process whose data that path cannot run (X streamed or in several allocations, where own
 *   and clblast need it whole) keeps its default. */
static logreg_status agree_group(lr_backend *be, const logreg_shard *sh, logreg_error *err) {
  static const char *const names[] = {"tiled", "fused", "own", "clblast"};
  enum { KIND = 128, LEN = 1 + KIND / sizeof(double) };
  double mine[LEN], *all = malloc((size_t)sh->size * LEN * sizeof *all);
  if (!all) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  char kind[KIND] = {0}, lead_kind[KIND];
  backend_kind(be, kind, sizeof kind);
  mine[0] = -1.0;
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(be->path.path, names[i]) == 0) mine[0] = (double)i;
  memcpy(mine + 1, kind, KIND);
  int bad = sh->allgather(sh->user, mine, LEN, all) != 0;
  double lead = all[0];
  memcpy(lead_kind, all + 1, KIND);
  lead_kind[KIND - 1] = '\0';
  free(all);
  if (bad)
    return lr_fail(err, LOGREG_EBACKEND, "the exchange between the %d processes failed", sh->size);
  logreg_status st = LOGREG_OK;
  if (strcmp(kind, lead_kind) != 0) {
    st = lr_fail(err, LOGREG_EUNSUPPORTED,
                 "it trains on %s, rank 0 on %s: the processes of a group need one kind of "
                 "device (cpu, or OpenCL devices of one model; see --device)",
                 kind, lead_kind);
  } else if (sh->rank != 0 && lead >= 0 && be->ops->set_path) {
    logreg_error why;
    st = be->ops->set_path(be, names[(int)lead], "rank 0", &why);
    if (st == LOGREG_EUNSUPPORTED)
      st = LOGREG_OK;
    else if (st)
      *err = why;
  }
  return lr_shard_agree(sh, st, err);
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

/* --device auto with sparse rows: the OpenCL device auto found (t->be, its train slot set) and
 * the cpu backend each time one evaluation at W = 0; the faster one trains (t->be), and
 * be->path says what was measured. Both hold the rows meanwhile. */
static logreg_status sparse_auto(logreg_trainer *t, const logreg_dataset *train,
                                 const int32_t *indices, const float *xv, size_t n,
                                 const lr_backend_opts *bo, logreg_error *err) {
  lr_backend *dev = t->be, *cpu = NULL;
  const logreg_params *p = t->p;
  double ms[2];
  logreg_status st =
      lr_backend_create("cpu", dev->d, dev->k, p->binary, p->pos_weight, bo, &cpu, err);
  if (!st)
    st = cpu->ops->set_data_csr(cpu, LR_SLOT_TRAIN, train->indptr, indices, xv, train->y,
                                t->s_train, n, err);
  if (!st) st = time_eval(cpu, n, &ms[0], err);
  if (!st) st = time_eval(dev, n, &ms[1], err);
  if (st) {
    lr_backend_destroy(cpu);
    return st;
  }
  logreg_path_choice pc;
  memset(&pc, 0, sizeof pc);
  int use_cpu = ms[0] <= ms[1];
  snprintf(pc.path, sizeof pc.path, "%s", use_cpu ? "cpu" : "csr");
  snprintf(pc.how, sizeof pc.how, "measured");
  pc.count = 2;
  snprintf(pc.names[0], sizeof pc.names[0], "cpu");
  snprintf(pc.names[1], sizeof pc.names[1], "csr");
  pc.ms[0] = ms[0];
  pc.ms[1] = ms[1];
  lr_backend_destroy(use_cpu ? dev : cpu);
  t->be = use_cpu ? cpu : dev;
  t->be->path = pc;
  return LOGREG_OK;
}

/* Sparse rows whose columns are renumbered to t->cols' (set here; NULL when every column is
 * used): the training rows' indices (*ti), and the validation rows without the entries in
 * columns no training row uses (*vp, *vi, *vx: their weights are 0). Outputs stay NULL when
 * nothing changes. Hashed features leave most columns empty (the Debian descriptions: 70,180
 * of 262,145 used): every vector operation of a solver then runs over a quarter of them. */
static logreg_status compact_columns(logreg_trainer *t, const logreg_dataset *train,
                                     const logreg_dataset *val, const float *xv, int32_t **ti,
                                     int64_t **vp, int32_t **vi, float **vx, logreg_error *err) {
  size_t d = train->d, nnz = train->nnz, dc = 0;
  *ti = *vi = NULL;
  *vp = NULL;
  *vx = NULL;
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
  *ti = malloc((nnz ? nnz : 1) * sizeof **ti);
  if (val) {
    *vp = malloc((val->n + 1) * sizeof **vp);
    *vi = malloc((vnnz ? vnnz : 1) * sizeof **vi);
    *vx = malloc((vnnz ? vnnz : 1) * sizeof **vx);
  }
  if (!t->cols || !*ti || (val && (!*vp || !*vi || !*vx))) {
    free(map);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  }
  for (size_t j = 0; j < d; j++)
    if (map[j] >= 0) t->cols[map[j]] = (uint32_t)j;
  for (size_t e = 0; e < nnz; e++) (*ti)[e] = map[train->indices[e]];
  if (val) {
    size_t c = 0;
    (*vp)[0] = 0;
    for (size_t i = 0; i < val->n; i++) {
      for (int64_t e = val->indptr[i]; e < val->indptr[i + 1]; e++) {
        int32_t j = map[val->indices[e]];
        if (j < 0) continue;
        (*vi)[c] = j;
        (*vx)[c++] = xv[e];
      }
      (*vp)[i + 1] = (int64_t)c;
    }
  }
  t->dc = dc;
  free(map);
  return LOGREG_OK;
}

logreg_status logreg_trainer_create(const logreg_dataset *train, const logreg_dataset *val,
                                    const logreg_params *params, logreg_trainer **out,
                                    logreg_error *err) {
  lr_error_clear(err);
  *out = NULL;
  logreg_status cst = lr_train_check(train, params, err);
  if (cst != LOGREG_OK) return cst;
  if (val && (val->d != train->d || !val->y || !same_classes(train, val)))
    return lr_fail(err, LOGREG_EINVAL,
                   "validation data must have the training data's features and classes");
  if (params->patience > 0 && (!val || val->n == 0))
    return lr_fail(err, LOGREG_EINVAL, "--patience needs a validation split (see --split)");

  logreg_trainer *t = calloc(1, sizeof *t);
  if (!t) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  t->params = *params;
  t->p = &t->params;
  const logreg_params *p = t->p;
  t->def = lr_solver_find(p->optimizer);
  size_t n = train->n, d = train->d, k = train->k, nv = val ? val->n : 0;
  t->n = n;
  t->nv = nv;
  double lr = p->lr > 0 ? p->lr : t->def->default_lr;
  t->t0 = lr_now();
  logreg_status st = LOGREG_OK;
  float *xt = NULL, *xv = NULL, *sv_w = NULL, *vx = NULL;
  int32_t *ti = NULL, *vi = NULL; /* sparse rows in t->cols' numbering (compact_columns) */
  int64_t *vp = NULL;
  /* A group's processes agree once, before the first exchange (lr_shard_agree): a failure
   * from here on reaches the others through it. */
  const logreg_shard *sh = p->shard;
  int sharded = sh && sh->size > 1, agreed = 0;
  logreg_model *m = t->m = lr_model_alloc(d, k, p->binary);
  if (!m) {
    st = lr_fail(err, LOGREG_ENOMEM, "out of memory for the model");
    goto fail;
  }
  size_t kw = lr_model_kw(m);
  if (copy_names(m->class_names, train->class_names, k) || feature_names(m, train) ||
      set_options(m, train, p, lr) != LOGREG_OK) {
    st = lr_fail(err, LOGREG_ENOMEM, "out of memory for the model");
    goto fail;
  }

  /* Preprocessing fitted on the training split only. Sparse rows stay sparse: no imputation
   * (nothing is missing), no centring (lr_column_scale_other), only their values are scaled. */
  int sparse = lr_dataset_sparse(train);
  m->options.scale = p->scale;
  if (val && lr_dataset_sparse(val) != sparse) {
    st = lr_fail(err, LOGREG_EINVAL,
                 "validation data must be stored like the training data (both sparse or dense)");
    goto fail;
  }
  if (sparse) {
    lr_column_scale_other(train, p->scale, NULL, m->mean, m->std);
  } else {
    if (lr_column_medians(train, m->median, p->threads)) {
      st = lr_fail(err, LOGREG_ENOMEM, "out of memory computing medians");
      goto fail;
    }
    if (p->scale == LOGREG_SCALE_STD)
      lr_column_scaler(train, m->median, m->mean, m->std, p->threads);
    else
      lr_column_scale_other(train, p->scale, m->median, m->mean, m->std);
  }
  if (p->no_intercept) /* no constant term: scale only, so that x W_raw is the whole model */
    for (size_t j = 0; j < d; j++) m->mean[j] = 0.0;
  /* Dense: n x d standardized values; sparse: the nnz scaled values of the CSR rows. */
  size_t nx = sparse ? train->nnz : n * d, nvx = !val ? 0 : sparse ? val->nnz : nv * d;
  xt = malloc((nx > 0 ? nx : 1) * sizeof *xt);
  xv = malloc((nvx > 0 ? nvx : 1) * sizeof *xv);
  t->s_train = lr_row_weights(train, p->class_weight_balanced);
  sv_w = val ? lr_row_weights(val, p->class_weight_balanced) : NULL;
  t->sol.order = malloc(n * sizeof *t->sol.order);
  if (!xt || !xv || !t->s_train || (val && !sv_w) || !t->sol.order) {
    st = lr_fail(err, LOGREG_ENOMEM, "out of memory for %zu x %zu training data", n, d);
    goto fail;
  }
  if (sparse) {
    lr_transform_csr(m, train, xt);
    if (val) lr_transform_csr(m, val, xv);
  } else {
    t->imputed = lr_transform(m, train, xt, p->threads);
    if (val) lr_transform(m, val, xv, p->threads);
  }
  double s_sum = 0;
  for (size_t i = 0; i < n; i++) s_sum += t->s_train[i];
  if (!(s_sum > 0)) {
    st = lr_fail(err, LOGREG_EINVAL, "the training rows' weights sum to %g; need > 0", s_sum);
    goto fail;
  }

  if (p->checkpoint || p->resume) { /* the data's fingerprint, as the backend receives it */
    lr_checkpoint_hash_data(t, xt, nx * sizeof *xt);
    lr_checkpoint_hash_data(t, train->y, n * sizeof *train->y);
    lr_checkpoint_hash_data(t, t->s_train, n * sizeof *t->s_train);
    if (sparse) {
      lr_checkpoint_hash_data(t, train->indptr, (n + 1) * sizeof *train->indptr);
      lr_checkpoint_hash_data(t, train->indices, train->nnz * sizeof *train->indices);
    }
    if (val) {
      lr_checkpoint_hash_data(t, xv, nvx * sizeof *xv);
      lr_checkpoint_hash_data(t, val->y, nv * sizeof *val->y);
      lr_checkpoint_hash_data(t, sv_w, nv * sizeof *sv_w);
      if (sparse) {
        lr_checkpoint_hash_data(t, val->indptr, (nv + 1) * sizeof *val->indptr);
        lr_checkpoint_hash_data(t, val->indices, val->nnz * sizeof *val->indices);
      }
    }
  }
  if (sharded && (!sh->allgather || sh->rank < 0 || sh->rank >= sh->size)) {
    st = lr_fail(err, LOGREG_EINVAL, "a shard needs 0 <= rank < size and an allgather");
    goto fail;
  }
  if (sharded && (p->checkpoint || p->resume)) {
    st = lr_fail(err, LOGREG_EUNSUPPORTED,
                 "checkpoints do not cover training over several processes yet");
    goto fail;
  }
  if (sharded && n < (size_t)sh->size) {
    st = lr_fail(err, LOGREG_EINVAL, "%zu training rows cannot be shared by %d processes", n,
                 sh->size);
    goto fail;
  }
  size_t lo = sharded ? n * (size_t)sh->rank / (size_t)sh->size : 0;
  size_t hi = sharded ? n * ((size_t)sh->rank + 1) / (size_t)sh->size : n;
  /* A group's processes after the first take its path (agree_group) instead of timing theirs. */
  lr_backend_opts bo = {p->gemm, p->path_cache, &p->device_options, sharded && sh->rank != 0};
  const char *device = p->device ? p->device : "cpu";
  t->dc = d;
  if (sparse && (st = compact_columns(t, train, val, xv, &ti, &vp, &vi, &vx, err))) goto fail;
  size_t dc = t->dc; /* the backend's features */
  if (!(t->best = malloc((dc + 1) * kw * sizeof *t->best))) {
    st = lr_fail(err, LOGREG_ENOMEM, "out of memory");
    goto fail;
  }
  const int32_t *tidx = ti ? ti : train->indices;
  if ((st = lr_backend_create(device, dc, k, p->binary, p->pos_weight, &bo, &t->be, err)))
    goto fail;
  if (sparse && !t->be->ops->set_data_csr) {
    st = lr_fail(err, LOGREG_EUNSUPPORTED, "the %s backend has no sparse path", t->be->ops->name);
    goto fail;
  }
  if (sparse && (st = set_csr_share(t->be, train, tidx, xt, t->s_train, lo, hi, err))) goto fail;
  /* (A resumed run keeps the device its checkpoint ran on: logreg_train. A group keeps the
   * device auto found on every process: timings that chose differently would part it.) */
  if (sparse && strcmp(device, "auto") == 0 && strcmp(t->be->ops->name, "cpu") != 0 && !p->resume &&
      !sharded && (st = sparse_auto(t, train, tidx, xt, n, &bo, err)))
    goto fail;
  lr_backend *be = t->be;
  lr_cpu_backend_threads(be, p->threads);
  if (sparse) {
    if (val &&
        (st = be->ops->set_data_csr(be, LR_SLOT_VAL, vp ? vp : val->indptr, vi ? vi : val->indices,
                                    vx ? vx : xv, val->y, sv_w, nv, err)))
      goto fail;
  } else {
    /* A group of processes: every one has prepared all n rows (the same medians, scaler and
     * weights as one process would), and keeps its contiguous share on its backend. */
    if ((st = be->ops->set_data(be, LR_SLOT_TRAIN, xt + lo * d, train->y + lo, t->s_train + lo,
                                hi - lo, err)))
      goto fail;
    if (val && (st = be->ops->set_data(be, LR_SLOT_VAL, xv, val->y, sv_w, nv, err))) goto fail;
  }
  free(xt);
  free(xv);
  free(sv_w);
  free(vx);
  free(ti);
  free(vp);
  free(vi);
  xt = xv = sv_w = vx = NULL;
  ti = vi = NULL;
  vp = NULL;

  /* scikit-learn's C: J's lambda for C * sum s_i l_i + ||W||^2 / 2, divided by C sum s_i. */
  double l2 = p->C > 0 ? 1.0 / (p->C * s_sum) : p->l2;
  m->options.l2 = l2;
  lr_objective_init(&t->obj, be, l2);
  if (sharded && (st = lr_objective_set_shard(&t->obj, sh, n, lo, err))) goto fail;
  if (p->raw_penalty || p->no_intercept) {
    double *pen, *mask, *stdc = m->std;
    if (t->cols && (stdc = malloc((dc ? dc : 1) * sizeof *stdc)))
      for (size_t j = 0; j < dc; j++) stdc[j] = m->std[t->cols[j]];
    if (!stdc || lr_penalty_arrays(stdc, dc, kw, p->raw_penalty, p->no_intercept, &pen, &mask)) {
      if (stdc != m->std) free(stdc);
      st = lr_fail(err, LOGREG_ENOMEM, "out of memory");
      goto fail;
    }
    if (stdc != m->std) free(stdc);
    st = lr_objective_set_penalty(&t->obj, pen, mask, err);
    if (!st && pen && l2 > 0) {
      /* L-BFGS's initial matrix: the inverse of the Hessian's diagonal at W = 0 as far as it is
       * known without a pass over X: the loss's curvature on a standardized feature, p (1 - p)
       * with p = 1/K, plus the penalty's lambda / sigma_j^2, which dominates on features of
       * small spread (and would leave gamma I badly scaled for them). */
      double c = p->binary ? 0.25 : (double)(k - 1) / ((double)k * (double)k);
      size_t np = (dc + 1) * kw;
      t->diag = malloc(np * sizeof *t->diag);
      if (!t->diag) {
        st = lr_fail(err, LOGREG_ENOMEM, "out of memory");
      } else {
        for (size_t q = 0; q < np; q++) t->diag[q] = 1.0 / (c + l2 * pen[q]);
      }
    }
    free(pen);
    free(mask);
    if (st) goto fail;
  }
  lr_solver *sol = &t->sol;
  sol->obj = &t->obj;
  sol->be = be;
  sol->p = p;
  sol->lr = lr;
  sol->n = n;
  sol->s = t->s_train;
  sol->diag = t->diag;
  sol->full = t->def->second_order || p->batch_size == 0 || p->batch_size >= n;
  /* The second-order solvers stop at max|gradient| <= tol; without --tol they use 1e-6 (J is
   * then within about 1e-12 / lambda of its minimum). */
  sol->tol = p->tol > 0 ? p->tol : t->def->second_order ? 1e-6 : 0.0;
  sol->step = lr;
  for (size_t i = 0; i < n; i++) sol->order[i] = (uint32_t)i;
  lr_rng_seed(&sol->rng, p->seed);
  /* Every process of a group set up, or all stop here with the first failure's message. */
  agreed = 1;
  if (sharded && (st = lr_shard_agree(sh, LOGREG_OK, err))) goto fail;
  if (sharded && (st = agree_group(be, sh, err))) goto fail;
  /* J at W = 0: the yardstick for "exploding". */
  if ((st = lr_objective_eval(&t->obj, LR_SLOT_TRAIN, 0, n, sol->full, &sol->ev, err))) goto fail;
  t->j0 = sol->ev.objective;
  if (!isfinite(t->j0)) {
    st = lr_fail(err, LOGREG_EDIVERGED,
                 "the objective at W = 0 is not finite on %s (%g): nothing to train from",
                 be->device, t->j0);
    goto fail;
  }
  if (t->def->init && (st = t->def->init(sol, err))) goto fail;
  t->evv = (lr_eval_out){NAN, NAN, NAN, 0};
  t->best_val = INFINITY;
  *out = t;
  return LOGREG_OK;

fail:
  if (st == LOGREG_EBACKEND && t->be) { /* after the device was chosen: name it */
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "%s", err->message);
    lr_fail(err, st, "%s, setting up training on %s", msg, t->be->device);
  }
  if (sharded && !agreed) st = lr_shard_agree(sh, st, err); /* the others learn of it */
  free(xt);
  free(xv);
  free(sv_w);
  free(vx);
  free(ti);
  free(vp);
  free(vi);
  logreg_trainer_free(t);
  return st;
}

logreg_status logreg_trainer_epoch(logreg_trainer *t, logreg_epoch_info *info, const char **stop,
                                   logreg_error *err) {
  const logreg_params *p = t->p;
  lr_solver *sol = &t->sol;
  lr_backend *be = t->be;
  logreg_status st;
  if (info) memset(info, 0, sizeof *info);
  *stop = t->stop;
  if (t->stop) return LOGREG_OK;
  sol->epoch = t->epochs_run + 1;
  const char *why = NULL;
  if ((st = t->def->epoch(sol, &why, err))) return st;
  if (sol->batch_done) return LOGREG_OK; /* paused by params.stop_request inside the epoch */
  if (why) {                             /* the epoch did nothing: training is over */
    *stop = t->stop = why;
    return LOGREG_OK;
  }
  int epoch = sol->epoch;
  lr_eval_out *ev = &sol->ev;
  if (!isfinite(ev->objective) || ev->objective > 1e4 * fmax(t->j0, 1.0))
    return diverged(err, epoch, ev->objective, sol->lr);
  if (t->nv && (st = lr_objective_eval(&t->obj, LR_SLOT_VAL, 0, t->nv, 0, &t->evv, err))) return st;
  logreg_epoch_info e = {epoch,
                         p->epochs,
                         ev->objective,
                         ev->loss,
                         ev->correct / (double)t->n,
                         t->nv ? t->evv.loss : NAN,
                         t->nv ? t->evv.correct / (double)t->nv : NAN,
                         sol->step,
                         lr_now() - t->t0,
                         t->obj.evals,
                         t->obj.hv_products,
                         0};
  if (info) *info = e;
  if (p->progress) p->progress(p->progress_user, &e);
  if (p->checkpoint) { /* a checkpoint keeps the history */
    if (t->n_hist == t->cap_hist) {
      size_t cap = t->cap_hist ? 2 * t->cap_hist : 64;
      logreg_epoch_info *h = realloc(t->hist, cap * sizeof *h);
      if (!h) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
      t->hist = h;
      t->cap_hist = cap;
    }
    t->hist[t->n_hist++] = e;
  }
  t->epochs_run = epoch;
  if (p->patience > 0) {
    if (t->evv.loss < t->best_val) {
      t->best_val = t->evv.loss;
      t->best_epoch = epoch;
      t->since_best = 0;
      if ((st = be->ops->vec_read(be, LR_VEC_THETA, t->best, err))) return st;
    } else if (++t->since_best >= p->patience) {
      t->stop = "patience";
    }
  } else {
    t->best_epoch = epoch;
  }
  if (!t->stop && !t->def->second_order && sol->full && sol->tol > 0 && ev->grad_max <= sol->tol)
    t->stop = "tol";
  /* The second-order solvers stop at the tolerance: reaching the cap first is max_iter. */
  if (!t->stop && epoch >= p->epochs) t->stop = t->def->second_order ? "max_iter" : "epochs";
  *stop = t->stop;
  return LOGREG_OK;
}

logreg_status logreg_trainer_finish(logreg_trainer *t, logreg_model **out, logreg_train_result *res,
                                    logreg_error *err) {
  *out = NULL;
  if (!t->m) return lr_fail(err, LOGREG_EINVAL, "the trainer's model was already handed over");
  lr_backend *be = t->be;
  lr_eval_out *ev = &t->sol.ev;
  logreg_model *m = t->m;
  size_t n = t->n, nv = t->nv, nw = be->d * be->kw;
  logreg_status st;
  if (t->p->patience > 0 && t->best_epoch > 0 && t->best_epoch != t->epochs_run) {
    /* Early stopping: go back to the best validation epoch and measure it again. */
    if ((st = be->ops->vec_write(be, LR_VEC_THETA, t->best, err)) ||
        (st = lr_objective_eval(&t->obj, LR_SLOT_TRAIN, 0, n, 0, ev, err)) ||
        (st = lr_objective_eval(&t->obj, LR_SLOT_VAL, 0, nv, 0, &t->evv, err)))
      return st;
  }
  if ((st = be->ops->vec_read(be, LR_VEC_THETA, t->best, err))) return st;
  if (t->cols) { /* the columns no training row uses keep weight 0 */
    memset(m->w, 0, m->d * be->kw * sizeof *m->w);
    for (size_t j = 0; j < be->d; j++)
      memcpy(m->w + t->cols[j] * be->kw, t->best + j * be->kw, be->kw * sizeof *m->w);
  } else {
    memcpy(m->w, t->best, nw * sizeof *m->w);
  }
  memcpy(m->b, t->best + nw, be->kw * sizeof *m->b);
  if (!be->binary && !t->p->no_intercept) {
    /* Softmax intercepts are defined up to a common constant (adding one to every b_c changes
     * no probability, and b is not penalized). The model keeps the b with sum_c b_c = 0: where
     * exact arithmetic from b = 0 stays (the b gradient sums to 0 over the classes), and where
     * scikit-learn's intercept_ is. Rounding drifts the sum: float32 L-BFGS on PoCL, digits
     * unscaled at C = 10, moved it to -0.0145, intercept_ 1.6e-4 from scikit-learn's, 4e-7 once
     * centred. */
    double mean = 0;
    for (size_t c = 0; c < be->kw; c++) mean += m->b[c];
    mean /= (double)be->kw;
    for (size_t c = 0; c < be->kw; c++) m->b[c] -= mean;
  }
  free(m->options.device);
  if (!(m->options.device = lr_strdup(be->device)))
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  for (size_t i = 0; i < m->d * be->kw; i++)
    if (!isfinite(m->w[i])) return diverged(err, t->epochs_run, NAN, t->sol.lr);
  const char *stop = t->stop ? t->stop : "epochs";
  m->options.epochs_run = t->epochs_run;
  m->train = (lr_split_metrics){1, ev->loss, ev->correct / (double)n, n};
  if (nv) m->val = (lr_split_metrics){1, t->evv.loss, t->evv.correct / (double)nv, nv};
  if (res) {
    res->epochs_run = t->epochs_run;
    res->best_epoch = t->best_epoch;
    res->seconds = lr_now() - t->t0;
    res->objective = ev->objective;
    res->train_loss = ev->loss;
    res->train_accuracy = ev->correct / (double)n;
    res->val_loss = nv ? t->evv.loss : NAN;
    res->val_accuracy = nv ? t->evv.correct / (double)nv : NAN;
    res->imputed = t->imputed;
    res->stop_reason = stop;
    res->backend = be->ops->name;
    snprintf(res->device, sizeof res->device, "%s", be->device);
    res->path = be->path;
    res->evaluations = t->obj.evals;
    res->hv_products = t->obj.hv_products;
    res->l2 = t->obj.l2;
    res->grad_max = t->sol.full ? ev->grad_max : NAN;
    res->tol = t->sol.tol;
  }
  *out = m;
  t->m = NULL;
  return LOGREG_OK;
}

/* The OpenCL path a checkpoint ran, as a gemm mode to force on resume (NULL: none): a path
 * timed again could choose differently, and other kernels round differently. */
static const char *resume_gemm(const logreg_params *p, const char *path) {
  static const char *const modes[] = {"own", "clblast", "fused", "tiled"};
  if (p->gemm && strcmp(p->gemm, "auto") != 0) return p->gemm;
  for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
    if (strcmp(path, modes[i]) == 0) return modes[i];
  return p->gemm;
}

/* A device failure in the middle of training names the device and the epoch, whichever call
 * failed (the backend's message names the call): in an epoch, or while the state (a checkpoint)
 * or the model was read back after one. */
typedef enum { IN_EPOCH, READING_STATE, READING_MODEL } fault_at;

static logreg_status device_failure(const logreg_trainer *t, logreg_status st, fault_at at,
                                    logreg_error *err) {
  if (st == LOGREG_EBACKEND && err) {
    char msg[sizeof err->message];
    snprintf(msg, sizeof msg, "%s", err->message);
    if (at == IN_EPOCH)
      lr_fail(err, st, "%s, in epoch %d on %s", msg, t->epochs_run + 1, t->be->device);
    else
      lr_fail(err, st, "%s, reading back the %s after epoch %d on %s", msg,
              at == READING_STATE ? "state" : "model", t->epochs_run, t->be->device);
  }
  return st;
}

/* --device auto's way back (params.cpu_fallback): the checkpoint state after the last epoch
 * that ended, kept in memory. Two buffers: the next state is written beside the last one,
 * which stays whole should the device fail while it is read back. */
typedef struct snapshot {
  lr_ckpt_io last, next;
  int have, epoch; /* a state is in `last`, after `epoch` epochs */
  double at, cost; /* when the last one was taken, and what it took (seconds) */
} snapshot;

/* A state in memory costs at most about 1/SNAPSHOT_SHARE of the training time: it is taken
 * after an epoch unless the epochs since the last one took less than SNAPSHOT_SHARE times what
 * that one took. Fashion-MNIST on PoCL (2 loaded cores): L-BFGS's state (27 vectors, 2.2 MB)
 * 1.1 ms against 31 ms an iteration, Adam's 0.5 ms against 270 ms an epoch (medians): every
 * epoch. A device faster than the host's copy (a GPU's short iterations) gets one every few. */
#define SNAPSHOT_SHARE 20.0

/* The epochs, with checkpoints and stop requests between them (logreg.h, "Long runs"); with
 * `snap`, a state in memory after the epochs (see SNAPSHOT_SHARE), the last one always (a fault
 * while the model is read back then loses nothing). A checkpoint file gets the same bytes. */
static logreg_status run_epochs(logreg_trainer *t, snapshot *snap, logreg_error *err) {
  const logreg_params *p = t->p;
  const char *stop = t->stop;
  double last = lr_now();
  logreg_status st = LOGREG_OK;
  while (!stop && !(st = logreg_trainer_epoch(t, NULL, &stop, err))) {
    int interrupted = p->stop_request && *p->stop_request;
    int due = p->checkpoint_every > 0 ? t->epochs_run % p->checkpoint_every == 0
                                      : lr_now() - last >= p->checkpoint_seconds;
    int write = p->checkpoint && !stop && (due || interrupted);
    double now = lr_now();
    if (snap && (write || stop || now - snap->at >= SNAPSHOT_SHARE * snap->cost)) {
      if ((st = lr_checkpoint_state(t, &snap->next, err)))
        return device_failure(t, st, READING_STATE, err);
      lr_ckpt_io swap = snap->last;
      snap->last = snap->next;
      snap->next = swap;
      snap->have = 1;
      snap->epoch = t->epochs_run;
      snap->at = lr_now();
      snap->cost = snap->at - now;
      if (write && (st = lr_checkpoint_write(t, &snap->last, p->checkpoint, err))) return st;
    } else if (write && (st = lr_checkpoint_save(t, p->checkpoint, err))) {
      return device_failure(t, st, READING_STATE, err);
    }
    if (write) last = lr_now();
    if (interrupted && !stop) {
      size_t bs = p->batch_size, done = t->sol.batch_done;
      if (done && p->checkpoint)
        return lr_fail(err, LOGREG_EINTERRUPTED,
                       "interrupted in epoch %d after %zu of its %zu mini-batches; the state is "
                       "in %s (--resume %s continues)",
                       t->epochs_run + 1, done / bs, (t->n + bs - 1) / bs, p->checkpoint,
                       p->checkpoint);
      if (done)
        return lr_fail(err, LOGREG_EINTERRUPTED,
                       "interrupted in epoch %d after %zu of its %zu mini-batches; nothing saved "
                       "(--checkpoint FILE keeps the progress of a run)",
                       t->epochs_run + 1, done / bs, (t->n + bs - 1) / bs);
      if (p->checkpoint)
        return lr_fail(err, LOGREG_EINTERRUPTED,
                       "interrupted after epoch %d; the state is in %s (--resume %s continues)",
                       t->epochs_run, p->checkpoint, p->checkpoint);
      return lr_fail(err, LOGREG_EINTERRUPTED,
                     "interrupted after epoch %d; nothing saved (--checkpoint FILE keeps the "
                     "progress of a run)",
                     t->epochs_run);
    }
  }
  return device_failure(t, st, IN_EPOCH, err);
}

/* Puts a checkpoint's state into the fresh trainer t; a state that another kind of backend
 * computed (float32 OpenCL, double cpu) is evaluated again here (lr_solver_rebase). */
static logreg_status restore(logreg_trainer *t, const char *what, const lr_ckpt_file *ck,
                             logreg_error *err) {
  logreg_status st = lr_checkpoint_restore(t, what, ck, err);
  if (!st && (ck->path[0] != '\0') != (t->be->path.path[0] != '\0')) /* "" on cpu only */
    st = lr_solver_rebase(&t->sol, t->def, err);
  return st;
}

/* A resumed run passes the epochs it continues to the progress callback again (replayed), so
 * that the caller's history is whole. */
static void replay(const logreg_trainer *t) {
  const logreg_params *p = t->p;
  for (size_t i = 0; p->progress && i < t->n_hist; i++) {
    logreg_epoch_info e = t->hist[i];
    e.replayed = 1;
    p->progress(p->progress_user, &e);
  }
}

logreg_status logreg_train(const logreg_dataset *train, const logreg_dataset *val,
                           const logreg_params *p, logreg_model **out, logreg_train_result *res,
                           logreg_error *err) {
  *out = NULL;
  if (res) res->fallback[0] = '\0';
  logreg_trainer *t = NULL;
  lr_ckpt_file ck = {0};
  logreg_params q = *p;
  logreg_status st;
  if (p->resume) {
    if ((st = lr_checkpoint_open(p->resume, p, &ck, err))) return st;
    q.gemm = resume_gemm(p, ck.path);
    /* Sparse data under --device auto: the backend the set-up timing chose ("cpu", else the
     * OpenCL device auto picks), not timed again. */
    if (strcmp(ck.path, "cpu") == 0 && p->device && strcmp(p->device, "auto") == 0)
      q.device = "cpu";
  }
  const char *device = p->device ? p->device : "cpu";
  int fallback = p->cpu_fallback && strcmp(device, "cpu") != 0 && !(p->shard && p->shard->size > 1);
  snapshot snap = {0};
  double t0 = lr_now();
  st = logreg_trainer_create(train, val, &q, &t, err);
  if (!st && p->resume) {
    st = restore(t, p->resume, &ck, err);
    if (!st) replay(t);
  }
  if (!st) st = run_epochs(t, fallback ? &snap : NULL, err);
  if (!st && (st = logreg_trainer_finish(t, out, res, err)))
    st = device_failure(t, st, READING_MODEL, err);
  /* Not be->float32: an OpenCL backend that refines in double has it 0. */
  if (st == LOGREG_EBACKEND && fallback && (!t || strcmp(t->be->ops->name, "cpu") != 0) && err) {
    /* The device failed: on to the cpu backend, from the last state read back from it. */
    char note[sizeof res->fallback];
    if (snap.have)
      snprintf(note, sizeof note,
               "%s; falling back to --device cpu from epoch %d's state (read back from the "
               "device after that epoch)",
               err->message, snap.epoch);
    else if (p->resume)
      snprintf(note, sizeof note, "%s; falling back to --device cpu from the checkpoint %s",
               err->message, p->resume);
    else
      snprintf(note, sizeof note, "%s; falling back to --device cpu from the start", err->message);
    if (res) snprintf(res->fallback, sizeof res->fallback, "%s", note);
    if (t) t0 = t->t0;
    logreg_trainer_free(t);
    t = NULL;
    q.device = "cpu";
    q.gemm = p->gemm;
    lr_error_clear(err);
    st = logreg_trainer_create(train, val, &q, &t, err);
    if (!st && snap.have) {
      lr_ckpt_file mem;
      lr_checkpoint_in_memory(&snap.last, &mem);
      if (!(st = restore(t, "the state in memory", &mem, err))) t->t0 = t0;
    } else if (!st && p->resume) {
      /* Set-up failed: nothing was reported yet, the history goes to the callback as above. */
      if (!(st = restore(t, p->resume, &ck, err))) replay(t);
    }
    if (!st) st = run_epochs(t, NULL, err);
    if (!st) st = logreg_trainer_finish(t, out, res, err);
  }
  free(ck.data);
  free(snap.last.buf);
  free(snap.next.buf);
  logreg_trainer_free(t);
  return st;
}
