/* test_train.c: the training loop through the public API.
 *
 * - balanced class weights equal scikit-learn's rule on the tumors counts;
 * - full-batch GD never increases J at a small step; mini-batch Adam is reproducible from its
 *   seed and changes with it;
 * - early stopping keeps exactly the weights of the best validation epoch;
 * - divergence (--lr 1e30) fails with the epoch named and returns no model;
 * - consume_x: on cpu and reference, L-BFGS with the dataset's X taken gives the same bits as
 *   with it copied, and leaves a dataset without features that training, prediction and
 *   splitting refuse in one line; a borrowed X (LOGREG_BUFFER_BORROW) and sparse rows are not
 *   taken, and their trainings match too;
 * - warm starts (init_coef): from a model's own raw weights L-BFGS stops at once with its
 *   objective; from logreg_cv's fold-mean weights of the value it refits (weights_out), and from
 *   arbitrary weights, it reaches the cold run's optimum; sparse rows whose columns were compacted
 *   map the weights to their columns; non-finite weights are one EINVAL line. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/dataset.h"
#include "model/model.h"
#include "prep/preprocess.h"
#include "util/util.h"

static void test_balanced_weights(void) {
  /* tumors: benign 389, malignant 611 -> n / (k count) = 1000/778, 1000/1222
   * (scikit-learn's compute_class_weight("balanced") gives 1.28534704, 0.81833061). */
  int32_t y[1000];
  for (int i = 0; i < 1000; i++) y[i] = i < 389 ? 0 : 1;
  double w[2];
  CHECK(lr_class_weights(y, 1000, 2, 1, w) == 0);
  CHECK_CLOSE(w[0], 1.2853470437017995, 1e-15);
  CHECK_CLOSE(w[1], 0.8183306055646481, 1e-15);
  CHECK(lr_class_weights(y, 1000, 2, 0, w) == 0);
  CHECK(w[0] == 1.0 && w[1] == 1.0);
}

/* A small noisy problem: n rows, d features, labels from a random linear rule with flips. */
static logreg_dataset *noisy(size_t n, size_t d, size_t k, uint64_t seed, double flip) {
  float *x = malloc(n * d * sizeof *x);
  int32_t *y = malloc(n * sizeof *y);
  lr_rng r;
  lr_rng_seed(&r, seed);
  for (size_t i = 0; i < n; i++) {
    double best = -1e300;
    for (size_t c = 0; c < k; c++) {
      double z = 0;
      for (size_t j = 0; j < d; j++) {
        if (c == 0) x[i * d + j] = (float)lr_rng_normal(&r);
        z += x[i * d + j] * (double)((j + c) % 3) - (double)c * 0.1;
      }
      if (z > best) best = z, y[i] = (int32_t)c;
    }
    if (lr_rng_uniform(&r) < flip) y[i] = (int32_t)lr_rng_below(&r, k);
  }
  logreg_dataset *ds = NULL;
  logreg_dataset_from_arrays(n, d, x, y, k, NULL, NULL, &ds, NULL);
  free(x);
  free(y);
  return ds;
}

/* Default parameters with full-batch gradient descent at step `lr`. */
static logreg_params gd_params(double lr) {
  logreg_params p;
  logreg_params_init(&p);
  p.optimizer = LOGREG_OPTIMIZER_GD;
  p.lr = lr;
  return p;
}

typedef struct trace {
  double obj[64];
  int n;
} trace;

static void record(void *user, const logreg_epoch_info *e) {
  trace *t = user;
  if (t->n < 64) t->obj[t->n++] = e->objective;
}

static void test_gd_descends(void) {
  logreg_dataset *ds = noisy(200, 5, 3, 1, 0.1);
  logreg_params p = gd_params(0.1);
  p.epochs = 50;
  p.l2 = 0.01;
  trace t = {{0}, 0};
  p.progress = record;
  p.progress_user = &t;
  logreg_model *m = NULL;
  logreg_error err;
  CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_OK);
  CHECK(t.n == 50);
  /* J(0) = log 3 for any data; every step at a small rate must go down from there. */
  CHECK(t.obj[0] < log(3.0));
  for (int i = 1; i < t.n; i++) CHECK(t.obj[i] <= t.obj[i - 1] + 1e-15);
  CHECK(t.obj[t.n - 1] < 0.9 * t.obj[0]);
  logreg_model_free(m);
  logreg_dataset_free(ds);
}

static logreg_model *train_adam(const logreg_dataset *ds, uint64_t seed) {
  logreg_params p;
  logreg_params_init(&p);
  p.optimizer = LOGREG_OPTIMIZER_ADAM;
  p.batch_size = 32;
  p.epochs = 5;
  p.seed = seed;
  logreg_model *m = NULL;
  logreg_error err;
  CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_OK);
  return m;
}

static void test_reproducible(void) {
  logreg_dataset *ds = noisy(301, 7, 4, 2, 0.05);
  logreg_model *a = train_adam(ds, 5), *b = train_adam(ds, 5), *c = train_adam(ds, 6);
  size_t nw = 7 * 4;
  CHECK(a && b && c);
  if (a && b && c) {
    CHECK(memcmp(a->w, b->w, nw * sizeof(double)) == 0);
    CHECK(memcmp(a->b, b->b, 4 * sizeof(double)) == 0);
    CHECK(memcmp(a->w, c->w, nw * sizeof(double)) != 0);
  }
  logreg_model_free(a);
  logreg_model_free(b);
  logreg_model_free(c);
  logreg_dataset_free(ds);
}

static void test_early_stopping(void) {
  /* Few rows, many features, noisy labels and a large step: the validation loss turns up
   * early. The kept model must be exactly the one a plain run of best_epoch epochs gives. */
  logreg_dataset *all = noisy(90, 30, 2, 3, 0.3);
  logreg_dataset *tr, *va, *te;
  logreg_error err;
  CHECK(logreg_dataset_split(all, 0.4, 0.6, 0.0, 1, &tr, &va, &te, &err) == LOGREG_OK);
  logreg_params p = gd_params(0.3);
  p.epochs = 300;
  p.patience = 10;
  logreg_model *m = NULL, *ref = NULL;
  logreg_train_result res;
  CHECK(logreg_train(tr, va, &p, &m, &res, &err) == LOGREG_OK);
  fprintf(stderr, "early stopping: ran %d epochs, kept %d (%s)\n", res.epochs_run, res.best_epoch,
          res.stop_reason);
  CHECK(strcmp(res.stop_reason, "patience") == 0);
  CHECK(res.best_epoch >= 1 && res.epochs_run == res.best_epoch + p.patience);
  p.patience = 0;
  p.epochs = res.best_epoch;
  logreg_train_result res2;
  CHECK(logreg_train(tr, va, &p, &ref, &res2, &err) == LOGREG_OK);
  if (m && ref) {
    CHECK(memcmp(m->w, ref->w, 30 * 2 * sizeof(double)) == 0);
    CHECK(res.val_loss == res2.val_loss);
  }
  /* --patience without a validation set is refused. */
  p.patience = 3;
  logreg_model *none = NULL;
  CHECK(logreg_train(tr, NULL, &p, &none, NULL, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'patience'");
  logreg_model_free(m);
  logreg_model_free(ref);
  logreg_dataset_free(all);
  logreg_dataset_free(tr);
  logreg_dataset_free(va);
  logreg_dataset_free(te);
}

static void test_divergence(void) {
  logreg_dataset *ds = noisy(100, 4, 3, 4, 0.0);
  logreg_params p = gd_params(1e30);
  logreg_model *m = (logreg_model *)&p; /* must be reset to NULL */
  logreg_error err;
  CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_EDIVERGED);
  CHECK(m == NULL);
  CHECK_STR_CONTAINS(err.message, "diverged at epoch 1");
  CHECK_STR_CONTAINS(err.message, "smaller 'lr'");
  logreg_dataset_free(ds);
}

static void test_tol(void) {
  logreg_dataset *ds = noisy(200, 3, 2, 5, 0.1);
  logreg_params p = gd_params(1.0);
  p.l2 = 0.1;
  p.epochs = 5000;
  p.tol = 1e-6;
  logreg_model *m = NULL;
  logreg_train_result res;
  logreg_error err;
  CHECK(logreg_train(ds, NULL, &p, &m, &res, &err) == LOGREG_OK);
  CHECK(strcmp(res.stop_reason, "tol") == 0 && res.epochs_run < 5000);
  logreg_model_free(m);
  logreg_dataset_free(ds);
}

/* The defaults are set once (logreg_params_init) and made concrete by logreg_params_resolve:
 * scikit-learn's lbfgs at C = 1 and tol 1e-6 for 100 iterations; Adam with mini-batches at
 * lambda 0 and its own rate; C's default gives way to l2; a bad value is named. */
static void test_defaults(void) {
  logreg_params p, r;
  logreg_error err;
  logreg_params_init(&p);
  CHECK(p.optimizer == LOGREG_OPTIMIZER_AUTO && isnan(p.C) && p.epochs == 100);
  CHECK(logreg_params_resolve(&p, &r, &err) == LOGREG_OK);
  CHECK(r.optimizer == LOGREG_OPTIMIZER_LBFGS && r.C == 1.0 && r.l2 == 0.0 && r.tol == 1e-6);
  CHECK(r.epochs == 100 && r.lr == logreg_default_lr(LOGREG_OPTIMIZER_LBFGS));
  p.batch_size = 32;
  CHECK(logreg_params_resolve(&p, &r, &err) == LOGREG_OK);
  CHECK(r.optimizer == LOGREG_OPTIMIZER_ADAM && r.C == 0.0 && r.tol == 0.0);
  CHECK(r.lr == logreg_default_lr(LOGREG_OPTIMIZER_ADAM) && r.lr == 0.01);
  p.batch_size = 0;
  p.optimizer = LOGREG_OPTIMIZER_NEWTON;
  p.l2 = 0.5; /* lambda given: C's default does not apply */
  CHECK(logreg_params_resolve(&p, &r, &err) == LOGREG_OK);
  CHECK(r.C == 0.0 && r.l2 == 0.5 && r.tol == 1e-6 && logreg_optimizer_second_order(r.optimizer));
  p.C = 2;
  CHECK(logreg_params_check(&p, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'C' and 'l2' both set");
  p.C = LOGREG_C_DEFAULT;
  p.lr = -1;
  CHECK(logreg_params_resolve(&p, &r, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'lr' must be");
  logreg_optimizer o;
  CHECK(logreg_optimizer_parse("adagrad", &o, &err) == LOGREG_OK && o == LOGREG_OPTIMIZER_ADAGRAD);
  CHECK(logreg_optimizer_parse("rmsprop", &o, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'optimizer': \"rmsprop\" is not one of: gd sgd");
  CHECK(!logreg_optimizer_second_order(LOGREG_OPTIMIZER_ADAM));
  /* An L1 part: owlqn by default; a bad l1_ratio, another optimizer, mini-batches are named. */
  logreg_params_init(&p);
  p.l1_ratio = 0.5;
  CHECK(logreg_params_resolve(&p, &r, &err) == LOGREG_OK);
  CHECK(r.optimizer == LOGREG_OPTIMIZER_OWLQN && r.C == 1.0 && r.tol == 1e-6);
  p.l1_ratio = 1.5;
  CHECK(logreg_params_check(&p, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'l1_ratio' must be a number in [0, 1]");
  p.l1_ratio = 1;
  p.optimizer = LOGREG_OPTIMIZER_LBFGS;
  CHECK(logreg_params_check(&p, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "trains with the optimizer owlqn");
  p.optimizer = LOGREG_OPTIMIZER_AUTO;
  p.batch_size = 16;
  CHECK(logreg_params_check(&p, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "no 'batch_size'");
}

/* An L-BFGS model on `device` from ds, taking its X when `consume`. */
static logreg_model *train_lbfgs(const logreg_dataset *ds, const char *device, int consume) {
  logreg_params p;
  logreg_params_init(&p);
  p.device = device;
  p.epochs = 40;
  p.consume_x = consume;
  logreg_model *m = NULL;
  logreg_error err;
  CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_OK);
  return m;
}

static int same_model(const logreg_model *a, const logreg_model *b) {
  size_t kw = a ? lr_model_kw(a) : 0;
  return a && b && a->d == b->d && a->k == b->k && a->binary == b->binary &&
         memcmp(a->w, b->w, a->d * kw * sizeof *a->w) == 0 &&
         memcmp(a->b, b->b, kw * sizeof *a->b) == 0;
}

static void test_consume_x(void) {
  const char *devices[] = {"cpu", "reference"};
  for (int v = 0; v < 2; v++) {
    logreg_dataset *ds = noisy(500, 6, 3, 11, 0.1), *copy = noisy(500, 6, 3, 11, 0.1);
    /* A missing value: the in-place preprocessing imputes it as the copy does. */
    ds->x[7] = copy->x[7] = NAN;
    logreg_model *a = train_lbfgs(copy, devices[v], 0), *b = train_lbfgs(ds, devices[v], 1);
    CHECK(same_model(a, b));
    CHECK(logreg_dataset_x(copy) != NULL && logreg_dataset_x(ds) == NULL);
    CHECK(logreg_dataset_rows(ds) == 500 && logreg_dataset_y(ds) != NULL);
    logreg_params p;
    logreg_params_init(&p);
    p.device = devices[v];
    logreg_model *m = NULL;
    logreg_error err;
    CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_EINVAL && m == NULL);
    CHECK_STR_CONTAINS(err.message, "training data's features were handed over");
    CHECK(logreg_train(copy, ds, &p, &m, NULL, &err) == LOGREG_EINVAL && m == NULL);
    CHECK_STR_CONTAINS(err.message, "validation data's features were handed");
    double proba[3 * 500];
    CHECK(a && logreg_predict_proba(a, ds, proba, &err) == LOGREG_EINVAL);
    CHECK_STR_CONTAINS(err.message, "consume_x");
    logreg_dataset *s1, *s2, *s3;
    CHECK(logreg_dataset_split(ds, 0.5, 0.5, 0, 1, &s1, &s2, &s3, &err) == LOGREG_EINVAL);
    CHECK(s1 == NULL && s2 == NULL && s3 == NULL);
    logreg_model_free(a);
    logreg_model_free(b);
    logreg_dataset_free(ds);
    logreg_dataset_free(copy);
  }
  /* A borrowed X stays the caller's: read, never written. */
  logreg_dataset *src = noisy(200, 4, 2, 5, 0.1), *ds = NULL;
  size_t nx = 200 * 4;
  float *x = malloc(nx * sizeof *x), *before = malloc(nx * sizeof *before);
  memcpy(x, src->x, nx * sizeof *x);
  memcpy(before, x, nx * sizeof *x);
  logreg_error err;
  CHECK(logreg_dataset_from_buffer(200, 4, x, LOGREG_FLOAT32, 0, src->y, 2, NULL, NULL, NULL,
                                   LOGREG_BUFFER_BORROW, &ds, &err) == LOGREG_OK);
  logreg_model *a = train_lbfgs(src, "cpu", 0), *b = train_lbfgs(ds, "cpu", 1);
  CHECK(same_model(a, b));
  CHECK(logreg_dataset_x(ds) == x && memcmp(x, before, nx * sizeof *x) == 0);
  logreg_model_free(a);
  logreg_model_free(b);
  logreg_dataset_free(ds);
  /* Sparse rows are not taken either. */
  int64_t ip[201];
  int32_t *ix = malloc(nx * sizeof *ix);
  for (size_t i = 0; i <= 200; i++) ip[i] = (int64_t)(i * 4);
  for (size_t e = 0; e < nx; e++) ix[e] = (int32_t)(e % 4);
  CHECK(logreg_dataset_from_csr(200, 4, ip, ix, x, LOGREG_FLOAT32, src->y, 2, NULL, NULL, &ds,
                                &err) == LOGREG_OK);
  a = train_lbfgs(ds, "cpu", 0);
  b = train_lbfgs(ds, "cpu", 1);
  CHECK(same_model(a, b));
  CHECK(logreg_dataset_nnz(ds) == nx);
  logreg_model_free(a);
  logreg_model_free(b);
  logreg_dataset_free(ds);
  logreg_dataset_free(src);
  free(x);
  free(before);
  free(ix);
}

static logreg_model *train_init(const logreg_dataset *ds, const double *w, const double *b,
                                logreg_train_result *res) {
  logreg_params p;
  logreg_params_init(&p);
  p.device = "cpu";
  p.epochs = 500;
  p.tol = 1e-10;
  p.init_coef = w;
  p.init_intercept = b;
  logreg_model *m = NULL;
  logreg_error err;
  logreg_status st = logreg_train(ds, NULL, &p, &m, res, &err);
  if (st) fprintf(stderr, "warm start: %s\n", err.message);
  CHECK(st == LOGREG_OK);
  return m;
}

static void check_warm(const logreg_dataset *ds, size_t d, size_t kw) {
  logreg_train_result cold, hot, moved;
  logreg_model *a = train_init(ds, NULL, NULL, &cold);
  double *w = malloc(d * kw * sizeof *w), *b = malloc(kw * sizeof *b);
  logreg_model_raw_weights(a, w, b);
  logreg_model *m = train_init(ds, w, b, &hot);
  CHECK(m && hot.epochs_run <= 1);
  CHECK_CLOSE(hot.objective, cold.objective, 1e-12 * cold.objective);
  for (size_t i = 0; i < d * kw; i++) w[i] += 0.5 * ((double)(i % 3) - 1.0);
  logreg_model *c = train_init(ds, w, b, &moved);
  CHECK(c && moved.epochs_run > 1);
  CHECK_CLOSE(moved.objective, cold.objective, 1e-9 * cold.objective);
  logreg_model_free(a);
  logreg_model_free(m);
  logreg_model_free(c);
  free(w);
  free(b);
}

static void test_warm_start(void) {
  logreg_dataset *ds = noisy(400, 5, 3, 21, 0.1);
  check_warm(ds, 5, 3);
  /* logreg_cv's fold-mean weights: the refit from them reaches the cold optimum in fewer
   * iterations. */
  double Cs[2] = {0.1, 1.0}, wout[2 * 6 * 3];
  logreg_cv_options o = {Cs, 2, 1, 3, NULL, 0, 0, 0, wout, NULL};
  logreg_cv_model models[6];
  logreg_params p;
  logreg_params_init(&p);
  p.device = "cpu";
  p.tol = 1e-10;
  p.epochs = 500;
  logreg_error err;
  CHECK(logreg_cv(ds, &p, &o, models, NULL, NULL, &err) == LOGREG_OK);
  logreg_train_result cold, hot;
  p.C = 1.0;
  logreg_model *a = NULL, *b = NULL;
  CHECK(logreg_train(ds, NULL, &p, &a, &cold, &err) == LOGREG_OK);
  p.init_coef = wout + 6 * 3;
  p.init_intercept = wout + 6 * 3 + 5 * 3;
  CHECK(logreg_train(ds, NULL, &p, &b, &hot, &err) == LOGREG_OK);
  CHECK(hot.epochs_run < cold.epochs_run);
  CHECK_CLOSE(hot.objective, cold.objective, 1e-9 * cold.objective);
  /* The fold mean itself: its raw weights are those of the mean of the folds' standardized
   * weights, so its logits on a row sit between the folds' (not checked here); its magnitude
   * is the refit's, within the folds' spread. */
  double wr[5 * 3], br[3];
  logreg_model_raw_weights(a, wr, br);
  double num = 0, den = 0;
  for (size_t i = 0; i < 15; i++)
    num += (wout[18 + i] - wr[i]) * (wout[18 + i] - wr[i]), den += wr[i] * wr[i];
  CHECK(sqrt(num / den) < 0.2);
  logreg_model_free(a);
  logreg_model_free(b);
  /* Not finite: one line. */
  double bad[15] = {0};
  bad[4] = NAN;
  p.init_coef = bad;
  p.init_intercept = NULL;
  a = NULL;
  CHECK(logreg_train(ds, NULL, &p, &a, NULL, &err) == LOGREG_EINVAL && a == NULL);
  CHECK_STR_CONTAINS(err.message, "'init_coef'");
  logreg_dataset_free(ds);
  /* Sparse rows with an unused column (compacted away): the weights map to their columns. */
  int64_t ip[301];
  int32_t ix[600];
  float vx[600];
  int32_t y[300];
  lr_rng r;
  lr_rng_seed(&r, 3);
  for (size_t i = 0; i < 300; i++) {
    ip[i] = (int64_t)(2 * i);
    ix[2 * i] = (int32_t)(i % 2), ix[2 * i + 1] = 3; /* column 2 never used */
    vx[2 * i] = (float)lr_rng_normal(&r), vx[2 * i + 1] = (float)lr_rng_normal(&r);
    y[i] = vx[2 * i] + 0.5f * vx[2 * i + 1] + 0.3f * (float)lr_rng_normal(&r) > 0;
  }
  ip[300] = 600;
  CHECK(logreg_dataset_from_csr(300, 4, ip, ix, vx, LOGREG_FLOAT32, y, 2, NULL, NULL, &ds, &err) ==
        LOGREG_OK);
  check_warm(ds, 4, 2);
  logreg_dataset_free(ds);
}

int main(void) {
  test_defaults();
  test_warm_start();
  test_consume_x();
  test_balanced_weights();
  test_gd_descends();
  test_reproducible();
  test_early_stopping();
  test_divergence();
  test_tol();
  return check_report("test_train");
}
