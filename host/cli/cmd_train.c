/* cmd_train.c: `logreg train`: read, split, train with progress, evaluate on the test part,
 * save the model and (optionally) the history, and print a summary or one JSON object. */
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli.h"
#include "group.h"
#include "report.h"
#include "show.h"

static const char train_usage[] = "logreg train DATA [options]";

typedef struct progress {
  int tty, quiet, every;
  int replayed;        /* epochs of a resumed run passed again (not printed) */
  const char *resumed; /* the --resume file */
  double last_draw;
  logreg_epoch_info *rows;
  size_t n_rows, cap;
  int oom;
} progress;

static void on_epoch(void *user, const logreg_epoch_info *e) {
  progress *pg = user;
  if (pg->n_rows == pg->cap) {
    size_t cap = pg->cap ? 2 * pg->cap : 256;
    logreg_epoch_info *r = realloc(pg->rows, cap * sizeof *r);
    if (!r) {
      pg->oom = 1;
    } else {
      pg->rows = r;
      pg->cap = cap;
    }
  }
  /* An epoch already recorded comes again after a fall back to cpu (it ran from an earlier
   * state): it and the rows after it are replaced. */
  while (pg->n_rows > 0 && pg->rows[pg->n_rows - 1].epoch >= e->epoch) pg->n_rows--;
  if (pg->n_rows < pg->cap) pg->rows[pg->n_rows++] = *e;
  if (e->replayed) { /* for the history only: these epochs were shown by the run that ran them */
    pg->replayed = e->epoch;
    return;
  }
  if (pg->quiet) return;
  if (pg->replayed > 0) {
    fprintf(stderr, "resumed from %s after epoch %d\n", pg->resumed, pg->replayed);
    pg->replayed = 0;
  }
  char val[64] = "";
  if (!isnan(e->val_loss))
    snprintf(val, sizeof val, "  val loss %.4f acc %.4f", e->val_loss, e->val_accuracy);
  double rate = e->seconds > 0 ? e->epoch / e->seconds : 0.0;
  double eta = rate > 0 ? (e->epochs - e->epoch) / rate : 0.0;
  int last = e->epoch == e->epochs;
  if (pg->tty) {
    /* A live line, redrawn at most ~10 times a second. */
    if (!last && e->epoch > 1 && e->seconds - pg->last_draw < 0.1) return;
    pg->last_draw = e->seconds;
    fprintf(stderr, "\r\033[Kepoch %d/%d  loss %.4f acc %.4f%s  %.1f epoch/s  ETA %.0fs", e->epoch,
            e->epochs, e->train_loss, e->train_accuracy, val, rate, eta);
    fflush(stderr);
  } else if (e->epoch == 1 || e->epoch % pg->every == 0 || last) {
    fprintf(stderr, "epoch %d/%d  objective %.6f  loss %.4f acc %.4f%s  %.2fs\n", e->epoch,
            e->epochs, e->objective, e->train_loss, e->train_accuracy, val, e->seconds);
  }
}

static int write_history(const char *path, const progress *pg) {
  logreg_atomic_file af;
  logreg_error err;
  if (logreg_atomic_open(&af, path, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "--history: %s", err.message);
  fprintf(af.f, "epoch,objective,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds\n");
  for (size_t i = 0; i < pg->n_rows; i++) {
    const logreg_epoch_info *e = &pg->rows[i];
    fprintf(af.f, "%d,%.9g,%.9g,%.9g,", e->epoch, e->objective, e->train_loss, e->train_accuracy);
    if (isnan(e->val_loss))
      fputs(",,", af.f);
    else
      fprintf(af.f, "%.9g,%.9g,", e->val_loss, e->val_accuracy);
    fprintf(af.f, "%.9g,%.6f\n", e->lr, e->seconds);
  }
  if (logreg_atomic_commit(&af, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "--history: %s", err.message);
  return 0;
}

static cJSON *split_json(int present, double loss, double acc, size_t rows) {
  if (!present) return cJSON_CreateNull();
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "loss", loss);
  cJSON_AddNumberToObject(o, "accuracy", acc);
  cJSON_AddNumberToObject(o, "rows", (double)rows);
  return o;
}

/* --sweep KEY=V1,V2,...: the settings to try. */
typedef enum sweep_key { SWEEP_LR, SWEEP_L2, SWEEP_C } sweep_key;
static const char *const sweep_keys[] = {"lr", "l2", "C"};

typedef struct sweep_plan {
  sweep_key key;
  size_t n;
  double v[32];
} sweep_plan;

static int parse_sweep(const char *s, sweep_plan *plan) {
  const char *eq = strchr(s, '=');
  if (!eq || (strncmp(s, "lr=", 3) != 0 && strncmp(s, "l2=", 3) != 0 && strncmp(s, "C=", 2) != 0)) {
    cli_error(CLI_EXIT_USAGE, "--sweep: \"%s\" is not lr=V1,V2,..., l2=V1,V2,... or C=V1,V2,...",
              s);
    return -1;
  }
  plan->key = s[0] == 'C' ? SWEEP_C : s[1] == '2' ? SWEEP_L2 : SWEEP_LR;
  const char *p = eq + 1;
  for (;;) {
    char buf[64];
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    double v;
    if (len == 0 || len >= sizeof buf) {
      cli_error(CLI_EXIT_USAGE, "--sweep: empty or overlong value in \"%s\"", s);
      return -1;
    }
    memcpy(buf, p, len);
    buf[len] = '\0';
    if (logreg_parse_double(buf, &v) != 0 || !isfinite(v) ||
        (plan->key == SWEEP_L2 ? !(v >= 0) : !(v > 0))) {
      cli_error(CLI_EXIT_USAGE, "--sweep: \"%s\" is not a %s", buf,
                plan->key == SWEEP_L2  ? "number >= 0"
                : plan->key == SWEEP_C ? "C > 0"
                                       : "learning rate > 0");
      return -1;
    }
    if (plan->n == sizeof plan->v / sizeof plan->v[0]) {
      cli_error(CLI_EXIT_USAGE, "--sweep: at most 32 values");
      return -1;
    }
    plan->v[plan->n++] = v;
    if (!comma) break;
    p = comma + 1;
  }
  return 0;
}

/* The swept setting of p: C replaces l2 (and l2 replaces C). */
static void set_swept(logreg_params *p, sweep_key key, double v) {
  if (key == SWEEP_LR) {
    p->lr = v;
  } else if (key == SWEEP_L2) {
    p->l2 = v;
    p->C = 0;
  } else {
    p->C = v;
    p->l2 = 0;
  }
}

typedef struct sweep_row {
  double value, val_loss, val_acc, objective, seconds;
  int epochs;
  const char *status;
} sweep_row;

static int cmp_sweep(const void *a, const void *b) {
  const sweep_row *x = a, *y = b;
  /* Best first: lowest validation loss; failed runs (NaN/inf) last. */
  int fx = isfinite(x->val_loss), fy = isfinite(y->val_loss);
  if (fx != fy) return fx ? -1 : 1;
  return x->val_loss < y->val_loss ? -1 : x->val_loss > y->val_loss;
}

/* Trains once per value, prints the ranking (or returns it as JSON), and sets p's lr, l2 or C
 * to the best value. Returns 0, or -1 after printing an error (every run failed). */
static int run_sweep(const sweep_plan *plan, const logreg_dataset *tr, const logreg_dataset *va,
                     logreg_params *p, int quiet, int json, cJSON **out_json) {
  sweep_row rows[32];
  const char *key = sweep_keys[plan->key];
  for (size_t i = 0; i < plan->n; i++) {
    logreg_params q = *p;
    q.progress = NULL;
    set_swept(&q, plan->key, plan->v[i]);
    logreg_model *m = NULL;
    logreg_train_result res;
    logreg_error err;
    sweep_row *r = &rows[i];
    r->value = plan->v[i];
    if (logreg_train(tr, va, &q, &m, &res, &err) == LOGREG_OK) {
      *r = (sweep_row){plan->v[i],     res.val_loss, res.val_accuracy, res.objective, res.seconds,
                       res.epochs_run, "ok"};
    } else {
      *r = (sweep_row){plan->v[i],
                       INFINITY,
                       NAN,
                       NAN,
                       NAN,
                       0,
                       err.status == LOGREG_EDIVERGED ? "diverged" : "failed"};
      if (!quiet) cli_warn("--sweep %s=%g: %s", key, plan->v[i], err.message);
    }
    logreg_model_free(m);
    if (!quiet)
      fprintf(stderr, "sweep %s=%g: val loss %.4f, val accuracy %.4f\n", key, plan->v[i],
              r->val_loss, r->val_acc);
  }
  qsort(rows, plan->n, sizeof rows[0], cmp_sweep);
  if (!isfinite(rows[0].val_loss)) {
    cli_error(CLI_EXIT_ERROR, "--sweep: every setting failed (see the warnings above)");
    return -1;
  }
  if (json) {
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < plan->n; i++) {
      cJSON *o = cJSON_CreateObject();
      cJSON_AddNumberToObject(o, key, rows[i].value);
      cJSON_AddStringToObject(o, "status", rows[i].status);
      cJSON_AddNumberToObject(o, "val_loss", rows[i].val_loss);
      cJSON_AddNumberToObject(o, "val_accuracy", rows[i].val_acc);
      cJSON_AddNumberToObject(o, "objective", rows[i].objective);
      cJSON_AddNumberToObject(o, "epochs", rows[i].epochs);
      cJSON_AddNumberToObject(o, "seconds", rows[i].seconds);
      cJSON_AddItemToArray(a, o);
    }
    *out_json = a;
  } else {
    printf("sweep over %s, best first (by validation loss):\n", key);
    printf("  %12s  %10s  %12s  %12s  %6s  %s\n", key, "val loss", "val accuracy", "objective",
           "epochs", "status");
    for (size_t i = 0; i < plan->n; i++)
      printf("  %12g  %10.4f  %12.4f  %12.6f  %6d  %s\n", rows[i].value, rows[i].val_loss,
             rows[i].val_acc, rows[i].objective, rows[i].epochs, rows[i].status);
    printf("training with the best, %s=%g\n\n", key, rows[0].value);
  }
  set_swept(p, plan->key, rows[0].value);
  return 0;
}

/* What --scoring compares the --cv values by (LogisticRegressionCV's scoring). */
typedef enum { CV_LOG_LOSS, CV_ACCURACY, CV_ROC_AUC } cv_scoring;
static const char *const cv_scoring_names[] = {"log_loss", "accuracy", "roc_auc"};

/* How run_cv runs the grid and shows it. */
typedef struct cv_setup {
  size_t K;
  int choose, together, quiet, json;
  double tol;
  cv_scoring scoring;
} cv_setup;

/* Per value of the grid: the means and population standard deviations (ddof 0) over the folds
 * of the validation loss, accuracy and (--scoring roc_auc) ROC AUC, and the mean iterations. */
typedef struct cv_stats {
  double loss[2], acc[2], auc[2], iters;
} cv_stats;

static void mean_std(const double *v, size_t K, double out[2]) {
  double s = 0, ss = 0;
  for (size_t f = 0; f < K; f++) s += v[f];
  out[0] = s / (double)K;
  for (size_t f = 0; f < K; f++) ss += (v[f] - out[0]) * (v[f] - out[0]);
  out[1] = sqrt(ss / (double)K);
}

/* The value of the best mean score: the lowest log loss, else the highest accuracy or ROC AUC;
 * the first of equals, as LogisticRegressionCV's argmax. */
static size_t cv_best(const cv_stats *st, size_t G, cv_scoring scoring) {
  size_t best = 0;
  for (size_t g = 1; g < G; g++) {
    if (scoring == CV_LOG_LOSS   ? st[g].loss[0] < st[best].loss[0]
        : scoring == CV_ACCURACY ? st[g].acc[0] > st[best].acc[0]
                                 : st[g].auc[0] > st[best].auc[0])
      best = g;
  }
  return best;
}

/* --cv --json: the grid, its values' statistics and every fold model. */
static cJSON *cv_to_json(const sweep_plan *plan, const cv_setup *cs, const logreg_cv_model *models,
                         const double *auc, const cv_stats *st, size_t best,
                         const logreg_cv_result *cr) {
  const char *key = sweep_keys[plan->key];
  size_t K = cs->K;
  cJSON *o = cJSON_CreateObject();
  cJSON *a = cJSON_AddArrayToObject(o, "values");
  cJSON_AddNumberToObject(o, "folds", (double)K);
  cJSON_AddStringToObject(o, "key", key);
  cJSON_AddStringToObject(o, "scoring", cv_scoring_names[cs->scoring]);
  cJSON_AddNumberToObject(o, "best", plan->v[best]);
  cJSON_AddNumberToObject(o, "seconds", cr->seconds);
  cJSON_AddNumberToObject(o, "passes", (double)cr->passes);
  cJSON_AddStringToObject(o, "device", cr->device);
  if (cr->why[0]) cJSON_AddStringToObject(o, "why", cr->why);
  for (size_t g = 0; a && g < plan->n; g++) {
    cJSON *v = cJSON_CreateObject();
    cJSON_AddNumberToObject(v, key, plan->v[g]);
    cJSON_AddNumberToObject(v, "val_loss_mean", st[g].loss[0]);
    cJSON_AddNumberToObject(v, "val_loss_std", st[g].loss[1]);
    cJSON_AddNumberToObject(v, "val_accuracy_mean", st[g].acc[0]);
    cJSON_AddNumberToObject(v, "val_accuracy_std", st[g].acc[1]);
    if (auc) {
      cJSON_AddNumberToObject(v, "val_roc_auc_mean", st[g].auc[0]);
      cJSON_AddNumberToObject(v, "val_roc_auc_std", st[g].auc[1]);
    }
    cJSON *fa = cJSON_AddArrayToObject(v, "folds");
    for (size_t f = 0; fa && f < K; f++) {
      const logreg_cv_model *m = &models[g * K + f];
      cJSON *fo = cJSON_CreateObject();
      cJSON_AddNumberToObject(fo, "objective", m->objective);
      cJSON_AddNumberToObject(fo, "l2", m->l2);
      cJSON_AddNumberToObject(fo, "val_loss", m->val_loss);
      cJSON_AddNumberToObject(fo, "val_accuracy", m->val_accuracy);
      if (auc) cJSON_AddNumberToObject(fo, "val_roc_auc", auc[g * K + f]);
      cJSON_AddNumberToObject(fo, "train_rows", (double)m->train_rows);
      cJSON_AddNumberToObject(fo, "val_rows", (double)m->val_rows);
      cJSON_AddNumberToObject(fo, "iterations", m->iterations);
      cJSON_AddNumberToObject(fo, "grad_max", m->grad_max);
      cJSON_AddStringToObject(fo, "stop_reason", m->stop_reason);
      cJSON_AddItemToArray(fa, fo);
    }
    cJSON_AddItemToArray(a, v);
  }
  return o;
}

/* --cv without --json: the table of the values, the best marked. */
static void cv_table(const sweep_plan *plan, const cv_setup *cs, const cv_stats *st, size_t best,
                     size_t rows) {
  const char *key = sweep_keys[plan->key];
  int auc = cs->scoring == CV_ROC_AUC;
  printf("cross-validation over %s, %zu folds (mean and std over the folds):\n", key, cs->K);
  printf("  %12s  %10s  %8s  %12s  %8s  ", key, "val loss", "std", "val accuracy", "std");
  if (auc) printf("%11s  %8s  ", "val ROC AUC", "std");
  printf("%10s\n", "iterations");
  for (size_t g = 0; g < plan->n; g++) {
    printf("  %12g  %10.6f  %8.6f  %12.4f  %8.4f  ", plan->v[g], st[g].loss[0], st[g].loss[1],
           st[g].acc[0], st[g].acc[1]);
    if (auc) printf("%11.6f  %8.6f  ", st[g].auc[0], st[g].auc[1]);
    printf("%10.1f%s\n", st[g].iters, g == best ? "  <- best" : "");
  }
  /* The line the default has always printed; another score says it chose. */
  static const char *const by[] = {"", " by mean validation accuracy",
                                   " by mean validation ROC AUC"};
  printf("training on all %zu rows with the best%s, %s=%g\n\n", rows, by[cs->scoring], key,
         plan->v[best]);
}

/* The grid's statistics per value into st; the number of models that reached the iteration
 * cap into *capped. An undefined fold AUC (a fold of one class) is an error: 0, or the exit
 * status after printing it. */
static int cv_collect(const sweep_plan *plan, size_t K, const logreg_cv_model *models,
                      const double *auc, cv_stats *st, size_t *capped) {
  double *loss = malloc(2 * K * sizeof *loss), *acc = loss ? loss + K : NULL;
  if (!loss) return cli_error(CLI_EXIT_ERROR, "out of memory");
  *capped = 0;
  for (size_t g = 0; g < plan->n; g++) {
    double si = 0;
    for (size_t f = 0; f < K; f++) {
      const logreg_cv_model *m = &models[g * K + f];
      loss[f] = m->val_loss, acc[f] = m->val_accuracy, si += m->iterations;
      *capped += strcmp(m->stop_reason, "max_iter") == 0;
      if (auc && isnan(auc[g * K + f])) {
        free(loss);
        return cli_error(CLI_EXIT_USAGE,
                         "--scoring roc_auc: fold %zu holds rows of one class only, where ROC AUC "
                         "is undefined (see --folds, or use --scoring log_loss)",
                         f);
      }
    }
    mean_std(loss, K, st[g].loss);
    mean_std(acc, K, st[g].acc);
    st[g].auc[0] = st[g].auc[1] = NAN;
    if (auc) mean_std(auc + g * K, K, st[g].auc);
    st[g].iters = si / (double)K;
  }
  free(loss);
  return 0;
}

/* --cv K: the G x K grid trained together (logreg_cv), a table of mean and standard deviation
 * (over the folds, ddof 0) of the validation loss and accuracy (and ROC AUC with --scoring
 * roc_auc) per value, and p's l2 or C set to the value of the best mean score (cv_best:
 * LogisticRegressionCV's rule), with that value's weights averaged over its folds as the
 * refit's start (p->init_coef, in *weights: LogisticRegressionCV's refit). Returns 0, or the exit
 * status after printing an error. */
static int run_cv(const sweep_plan *plan, const cv_setup *cs, const logreg_dataset *tr,
                  logreg_params *p, cJSON **out_json, double **weights) {
  const char *key = sweep_keys[plan->key];
  size_t G = plan->n, K = cs->K, d = logreg_dataset_features(tr);
  size_t kw = p->binary ? 1 : logreg_dataset_classes(tr), np = (d + 1) * kw;
  logreg_cv_model *models = calloc(G * K, sizeof *models);
  double *auc = cs->scoring == CV_ROC_AUC ? malloc(G * K * sizeof *auc) : NULL;
  *weights = malloc(G * np * sizeof **weights);
  if (!models || !*weights || (cs->scoring == CV_ROC_AUC && !auc)) {
    free(models);
    free(auc);
    return cli_error(CLI_EXIT_ERROR, "out of memory");
  }
  logreg_cv_options co = {.values = plan->v,
                          .n_values = G,
                          .values_are_C = plan->key == SWEEP_C,
                          .k_folds = K,
                          .folds = logreg_dataset_folds(tr),
                          .choose_faster = cs->choose,
                          .together = cs->together,
                          .tol = cs->tol,
                          .weights_out = *weights,
                          .val_roc_auc_out = auc};
  logreg_cv_result cr;
  logreg_error err;
  if (!cs->quiet)
    fprintf(stderr,
            "cross-validation: %zu values of %s x %zu folds (%s), %zu models trained by lbfgs "
            "%s\n",
            G, key, K, co.folds ? "from --folds" : "stratified, --seed", G * K,
            cs->together ? "together from W = 0"
                         : "along the path (each value's folds together, warm-started from the "
                           "previous value's)");
  cv_stats st[32];
  size_t capped = 0;
  int rc = logreg_cv(tr, p, &co, models, NULL, &cr, &err) != LOGREG_OK
               ? cli_error(err.status == LOGREG_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_ERROR, "%s",
                           err.message)
               : cv_collect(plan, K, models, auc, st, &capped);
  if (rc != 0) {
    free(models);
    free(auc);
    return rc;
  }
  size_t best = cv_best(st, G, cs->scoring);
  if (!cs->quiet)
    fprintf(stderr, "cross-validation: %.3f s, %ld passes over X on %s%s%s%s\n", cr.seconds,
            cr.passes, cr.device, cr.why[0] ? " (--device auto: " : "", cr.why,
            cr.why[0] ? ")" : "");
  if (capped)
    cli_warn("--cv: %zu of %zu models reached --epochs %d before the tolerance (raise --epochs)",
             capped, G * K, p->epochs);
  if (cs->json)
    *out_json = cv_to_json(plan, cs, models, auc, st, best, &cr);
  else
    cv_table(plan, cs, st, best, logreg_dataset_rows(tr));
  set_swept(p, plan->key, plan->v[best]);
  p->init_coef = *weights + best * np;
  p->init_intercept = *weights + best * np + d * kw;
  free(models);
  free(auc);
  return 0;
}

/* --test when the training data has categorical features: the test file is read like the
 * training split (its features by name, or by position without a header), so that its
 * categorical columns expand to the training split's categories. NULL after printing. */
static logreg_dataset *read_test_categorical(const char *path, const logreg_read_options *ro,
                                             const logreg_dataset *tr) {
  logreg_dataset *te = NULL;
  logreg_error err;
  if (logreg_dataset_read_like(path, tr, ro, &te, &err) != LOGREG_OK) {
    cli_error(CLI_EXIT_ERROR, "%s", err.message);
    return NULL;
  }
  cli_warn_unseen(path, te);
  return te;
}

/* SIGINT / SIGTERM during training: the first asks the trainer to stop after the epoch it is
 * in (it writes the checkpoint, when one was asked for); a second exits at once. Neither ever
 * leaves a partial file: the checkpoint and the model are written to a temp file and renamed,
 * and the model is not written at all after an interrupt (the old one stays as it was). */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig) {
  if (stop_signal) _exit(128 + sig);
  stop_signal = sig;
}

static void catch_stop_signals(int on) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on ? on_stop_signal : SIG_DFL;
  sa.sa_flags = SA_RESTART; /* the device runtime's waits go on; the flag is read after the epoch */
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}
static int train_main(int argc, char **argv, cli_group *g);

int cmd_train(int argc, char **argv) {
  cli_group g;
  int rc = cli_group_start(&g, &argc, &argv);
  if (rc == 0) rc = train_main(argc, argv, &g);
  /* A rank that stopped before training (options, device, data) still meets the others. */
  if (!g.agreed) rc = cli_group_agree(&g, rc);
  /* Failed in training, after the ranks agreed to start: the others may be waiting for this
   * rank in an exchange, and MPI_Finalize would wait for them. Leaving without it makes
   * mpirun end the whole job (an error that every rank met, divergence say, was printed by
   * rank 0 first). */
  if (rc != 0 && g.ready) g.active = 0;
  cli_group_end(&g);
  return rc;
}

/* " gd sgd ...": the optimizers' names, from the library's list. */
#define CLI_OPTIMIZER_NAME_(id, name) " " #name
#define CLI_OPTIMIZERS LOGREG_OPTIMIZER_MAP(CLI_OPTIMIZER_NAME_)

/* What `train` was asked for: the options as parsed, then the settings they make. */
typedef struct train_opts {
  cli_data_opts dopt;
  cli_device_opts dv;
  logreg_params p;
  const char *data, *test_path, *test_labels, *split, *optimizer, *model_path, *history;
  const char *class_weight, *sweep, *weight, *gemm, *categorical, *scale, *penalty;
  const char *penalty_scale;   /* --penalty-scale: standardized|raw */
  const char *path, *path_out; /* --path C=LO..HI:N, --path-out FILE.csv (path.c) */
  double l1_ratio;             /* --l1-ratio (NAN: not given) */
  const char *checkpoint, *resume, *folds;
  int checkpoint_every, json, quiet, epochs;
  int stats; /* --stats: the inference table on the training split (show.h) */
  size_t max_categories, cv;
  size_t min_frequency;  /* --min-frequency: rarer categories grouped (0 = off) */
  int infrequent;        /* --infrequent: --max-categories groups the rest instead of refusing */
  int cv_together;       /* --cv-together: the grid's models all at once from W = 0 */
  const char *scoring;   /* --scoring: what --cv compares the values by (default log_loss) */
  cv_scoring cv_scoring; /* settled from it */
  double cv_tol;         /* --cv-tol (0: --tol) */
  double *cv_weights;    /* --cv: each value's fold-mean weights (logreg_cv_options.weights_out) */
  double lr, C, l2;      /* NAN: not given */
  const char *C_text;    /* --C as given ("inf": no penalty) */
  /* Settled (train_settle): */
  const char *why_opt; /* why the optimizer is what it is when not given */
  int full_batch_solver, default_C, is_auto;
  int auto_weighs; /* auto found an OpenCL device on the host's cores: set-up weighs it and cpu */
  logreg_optimizer optimizer_used; /* the optimizer the library trains with */
  double fr[3];
  sweep_plan plan;
  logreg_device_info chosen;
} train_opts;

/* The data of a run. */
typedef struct train_data {
  logreg_dataset *all, *tr, *va, *te;
  double read_seconds; /* reading DATA (and --test) and splitting */
  size_t missing;      /* missing values in DATA (all is freed once split) */
} train_data;

/* The options into *o; -1 when they parse, else the exit code. */
static int train_parse(int argc, char **argv, train_opts *o) {
  logreg_params *p = &o->p;
  const arg_spec specs[] = {
      CLI_DATA_SPECS(o->dopt),
      CLI_MISSING_LABEL_SPEC(o->dopt),
      {"--test", ARG_STR, &o->test_path, "DATA", "explicit test set (instead of a test split)"},
      {"--test-labels", ARG_STR, &o->test_labels, "FILE", "IDX labels of --test"},
      {"--split", ARG_STR, &o->split, "TR,VA,TE",
       "stratified fractions (default 0.7,0.15,0.15; 0.85,0.15,0 with --test)"},
      {"--binary", ARG_FLAG, &p->binary, NULL, "single-logit sigmoid model (exactly 2 classes)"},
      {"--optimizer", ARG_STR, &o->optimizer, "NAME",
       "one of" CLI_OPTIMIZERS " (default lbfgs; adam with --batch-size)"},
      {"--lr", ARG_DOUBLE, &o->lr, "RATE",
       "learning rate (default: gd 0.5, sgd 0.05, momentum 0.01, adam 0.01, adagrad 0.01)"},
      {"--epochs", ARG_INT, &o->epochs, "N",
       "passes over the training data; lbfgs, newton: iterations at most (default 100)"},
      {"--batch-size", ARG_SIZE, &p->batch_size, "N", "rows per step, 0 = full batch (default)"},
      {"--l2", ARG_DOUBLE, &o->l2, "LAMBDA",
       "L2 penalty lambda/2 ||W||^2 (default: --C 1 for lbfgs and newton, else 0)"},
      {"--C", ARG_STR, &o->C_text, "C",
       "scikit-learn's C: lambda = 1/(C * sum of row weights) (instead of --l2); inf: no "
       "penalty, the maximum-likelihood fit (for show --stats)"},
      {"--penalty", ARG_STR, &o->penalty, "KIND",
       "l2|l1|elasticnet|none, as scikit-learn's penalty: lambda (l1_ratio ||W||_1 + (1 - "
       "l1_ratio)/2 ||W||^2), l1: l1_ratio 1, elasticnet: --l1-ratio's, none: --C inf (default "
       "l2; L1 trains with owlqn)"},
      {"--l1-ratio", ARG_DOUBLE, &o->l1_ratio, "R",
       "--penalty elasticnet: the L1 share in [0, 1] (scikit-learn's l1_ratio)"},
      {"--penalty-scale", ARG_STR, &o->penalty_scale, "UNITS",
       "standardized|raw: the penalty on the standardized weights (default) or on the weights in"
       " the data's units (scikit-learn's on unscaled data)"},
      {"--no-intercept", ARG_FLAG, &p->no_intercept, NULL,
       "no bias term (b = 0; features are scaled, not centred)"},
      {"--tol", ARG_DOUBLE, &p->tol, "T",
       "full batch: stop when max|gradient| <= T (default: lbfgs, newton 1e-6; others 0 = off)"},
      {"--patience", ARG_INT, &p->patience, "N",
       "stop after N epochs without a better val loss, keep the best (default 0 = off)"},
      {"--class-weight", ARG_STR, &o->class_weight, "MODE", "none|balanced (default none)"},
      {"--scale", ARG_STR, &o->scale, "MODE",
       "std|maxabs|none (default std: centre and scale; sparse LIBSVM data is never centred)"},
      {"--weight", ARG_STR, &o->weight, "COL", "CSV column of per-row sample weights (>= 0)"},
      {"--categorical", ARG_STR, &o->categorical, "COLS",
       "one-hot encode these columns even if numeric (text columns always are)"},
      {"--max-categories", ARG_SIZE, &o->max_categories, "N",
       "most distinct values of a categorical column (default 100, 0 = no limit); with "
       "--infrequent, most features per categorical column, the rarest grouped"},
      {"--min-frequency", ARG_SIZE, &o->min_frequency, "N",
       "group a categorical column's categories seen in fewer than N rows into one feature "
       "COL=infrequent, where unseen ones go too (OneHotEncoder's min_frequency; default 0 = off)"},
      {"--infrequent", ARG_FLAG, &o->infrequent, NULL,
       "--max-categories N groups the rarest categories into COL=infrequent until a column has N "
       "features, instead of refusing (OneHotEncoder's max_categories)"},
      {"--path", ARG_STR, &o->path, "C=LO..HI:N",
       "the regularization path: N values of C spaced in log C (or C=V1,V2,...), the most "
       "penalized first, each warm-started from the last; a line per C (objective, nonzero "
       "coefficients, val loss) and the path in --path-out; then the model with the C of lowest "
       "val loss"},
      {"--path-out", ARG_STR, &o->path_out, "FILE.csv",
       "--path: where the path goes (C, its figures, the raw coefficients; default: the model's "
       "name with -path.csv)"},
      {"--sweep", ARG_STR, &o->sweep, "KEY=V1,V2,..",
       "train once per lr=, l2= or C= value, rank by val loss, keep the best"},
      {"--cv", ARG_SIZE, &o->cv, "K",
       "K-fold cross-validation of the --sweep C= or l2= values (default C=1e-4..1e4, 10 values)"
       " along the path (the most regularized first, each value's K folds in one pass per "
       "iteration, warm-started from the previous value's); then refit with the best"},
      {"--cv-tol", ARG_DOUBLE, &o->cv_tol, "T",
       "--cv: the grid models' tolerance on max |gradient| (default --tol), at which the values "
       "are compared (LogisticRegressionCV's tol: 1e-4); the refit still goes to --tol"},
      {"--cv-together", ARG_FLAG, &o->cv_together, NULL,
       "--cv: all values' models together from W = 0, one pass per iteration for the whole grid "
       "(no warm starts)"},
      {"--scoring", ARG_STR, &o->scoring, "SCORE",
       "--cv: log_loss|accuracy|roc_auc, the mean validation score that chooses the value "
       "(default log_loss; roc_auc: one class against the rest, macro, beyond two classes)"},
      {"--folds", ARG_STR, &o->folds, "COL",
       "CSV column of fold numbers 0..K-1 for --cv (not a feature; implies --cv)"},
      {"--pos-weight", ARG_DOUBLE, &p->pos_weight, "W",
       "--binary: weight of positives (default 1)"},
      {"--momentum", ARG_DOUBLE, &p->momentum, "MU", "momentum coefficient (default 0.9)"},
      {"--nesterov", ARG_FLAG, &p->nesterov, NULL, "Nesterov momentum"},
      {"--seed", ARG_U64, &p->seed, "N", "seed for the split and shuffling (default 42)"},
      {"--device", ARG_STR, &p->device, "DEV",
       "auto|cpu|reference|opencl|opencl:P:D (default auto: a GPU, else any OpenCL device, else "
       "cpu; an OpenCL device on the host's cores (PoCL) is weighed against cpu at set-up: "
       "under 10^6 values of data cpu untimed, else by time; reference: the plain reference "
       "backend the tests hold the others to)"},
      {"--gemm", ARG_STR, &o->gemm, "MODE",
       "OpenCL evaluation path: auto|tiled|fused|own|clblast (default auto: timed at set-up; see "
       "README)"},
      CLI_DEVICE_SPECS(o->dv),
      CLI_BUILD_SPECS(o->dv),
      {"--model", ARG_STR, &o->model_path, "OUT.json",
       "where to save the model (default model.json)"},
      {"--history", ARG_STR, &o->history, "OUT.csv", "per-epoch losses and accuracies"},
      {"--checkpoint", ARG_STR, &o->checkpoint, "FILE",
       "keep the whole training state in FILE (atomically), for --resume"},
      {"--checkpoint-every", ARG_INT, &o->checkpoint_every, "N",
       "write the checkpoint every N epochs (default 0: after the epoch that ends 60 s after the "
       "last write)"},
      {"--test-fail-opencl-call", ARG_U64, &o->dv.fail_call, "K",
       "fault injection for tests: the K-th checked OpenCL call fails (CL_OUT_OF_RESOURCES)"},
      {"--resume", ARG_STR, &o->resume, "FILE",
       "continue the run that wrote checkpoint FILE (same data and options): the same model as "
       "had it not stopped"},
      {"--stats", ARG_FLAG, &o->stats, NULL,
       "after training, the standard errors, z, p-values and 95% intervals of the coefficients "
       "on the training split, as show --stats (unpenalized fits only: --C inf)"},
      {"--json", ARG_FLAG, &o->json, NULL, "print one JSON summary on stdout"},
      {"--quiet", ARG_FLAG, &o->quiet, NULL, "no progress output"},
      {NULL, ARG_FLAG, NULL, NULL, NULL}};
  const char *pos[1];
  size_t npos;
  int r = cli_parse("train", train_usage, specs, argc, argv, pos, 1, &npos);
  if (r >= 0) return r;
  if (npos != 1)
    return cli_error(CLI_EXIT_USAGE, "train needs one DATA file (see 'logreg train --help')");
  o->data = pos[0];
  return -1;
}

/* --penalty, --l1-ratio and --penalty-scale into o->p (after --C); -1 when good, else the exit
 * code. --penalty standardized|raw, its meaning before the L1 term, still sets the scale, with
 * a note. */
static int settle_penalty(train_opts *o) {
  logreg_params *p = &o->p;
  const char *scale = o->penalty_scale;
  const char *kind = o->penalty;
  if (kind && (strcmp(kind, "raw") == 0 || strcmp(kind, "standardized") == 0)) {
    cli_warn("--penalty %s is now spelled --penalty-scale %s (--penalty takes l2, l1, "
             "elasticnet or none, as scikit-learn's penalty)",
             kind, kind);
    if (!scale) scale = kind;
    kind = NULL;
  }
  if (scale) {
    if (strcmp(scale, "raw") == 0)
      p->raw_penalty = 1;
    else if (strcmp(scale, "standardized") != 0)
      return cli_error(CLI_EXIT_USAGE, "--penalty-scale: \"%s\" is not one of standardized, raw",
                       scale);
  }
  int given = !isnan(o->l1_ratio);
  if (given && !(o->l1_ratio >= 0 && o->l1_ratio <= 1))
    return cli_error(CLI_EXIT_USAGE, "--l1-ratio must be a number in [0, 1]");
  if (!kind) {
    if (given) return cli_error(CLI_EXIT_USAGE, "--l1-ratio needs --penalty elasticnet");
    return -1;
  }
  if (strcmp(kind, "l2") == 0 || strcmp(kind, "l1") == 0) {
    if (given)
      return cli_error(CLI_EXIT_USAGE, "--l1-ratio is for --penalty elasticnet (%s is %g)", kind,
                       kind[1] == '1' ? 1.0 : 0.0);
    p->l1_ratio = kind[1] == '1' ? 1.0 : 0.0;
  } else if (strcmp(kind, "elasticnet") == 0) {
    if (!given) return cli_error(CLI_EXIT_USAGE, "--penalty elasticnet needs --l1-ratio R");
    p->l1_ratio = o->l1_ratio;
  } else if (strcmp(kind, "none") == 0) {
    if (given) return cli_error(CLI_EXIT_USAGE, "--l1-ratio is for --penalty elasticnet");
    if (o->C_text || !isnan(o->l2))
      return cli_error(CLI_EXIT_USAGE, "--penalty none is no penalty: no --C or --l2 with it");
    p->C = INFINITY;
  } else {
    return cli_error(CLI_EXIT_USAGE,
                     "--penalty: \"%s\" is not one of l2, l1, elasticnet, none "
                     "(--penalty-scale says standardized or raw)",
                     kind);
  }
  return -1;
}

/* The optimizer, C, lr and the choices by name into o->p; -1 when good, else the exit code.
 * What is not given keeps the library's default (logreg_params_init): full-batch L-BFGS to a
 * tolerance at C = 1, scikit-learn's; Adam with --batch-size; lambda 0 for the first-order
 * optimizers. */
static int settle_params(train_opts *o) {
  logreg_params *p = &o->p;
  if (!isnan(o->lr) && !(o->lr > 0)) return cli_error(CLI_EXIT_USAGE, "--lr must be > 0");
  p->lr = isnan(o->lr) ? 0.0 : o->lr;
  if (o->C_text) {
    int r = logreg_parse_double(o->C_text, &o->C);
    if (strcasecmp(o->C_text, "inf") == 0 || strcasecmp(o->C_text, "infinity") == 0)
      o->C = INFINITY, r = 0;
    if (r == -1) return cli_error(CLI_EXIT_USAGE, "--C: \"%s\" is not a number", o->C_text);
    if (r != 0 || !(o->C > 0))
      return cli_error(CLI_EXIT_USAGE, "--C must be a number > 0, or inf for no penalty (lambda "
                                       "= 1/(C * sum of row weights))");
    p->C = o->C;
  }
  if (!isnan(o->l2)) { /* lambda given: no C (its default would be 1 for lbfgs and newton) */
    p->l2 = o->l2;
    if (isnan(o->C)) p->C = 0;
  }
  int rc = settle_penalty(o);
  if (rc >= 0) return rc;
  logreg_error err;
  if (o->optimizer && logreg_optimizer_parse(o->optimizer, &p->optimizer, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_USAGE, "%s", err.message);
  if (p->l1_ratio > 0) { /* before the data is read: the library would refuse it later */
    const char *pen = p->l1_ratio == 1 ? "l1" : "elasticnet";
    if (o->optimizer && p->optimizer != LOGREG_OPTIMIZER_OWLQN)
      return cli_error(CLI_EXIT_USAGE,
                       "--penalty %s trains with --optimizer owlqn (the default with an L1 term), "
                       "not %s",
                       pen, o->optimizer);
    if (p->batch_size)
      return cli_error(CLI_EXIT_USAGE, "--penalty %s trains full batch (owlqn): no --batch-size",
                       pen);
    if (o->cv || o->folds)
      return cli_error(CLI_EXIT_USAGE,
                       "--cv with --penalty %s is not supported yet: --sweep C=... trains one "
                       "model per value",
                       pen);
  }
  if (!o->optimizer)
    o->why_opt = p->l1_ratio > 0 ? "the default with an L1 term"
                 : p->batch_size ? "the default with --batch-size"
                                 : "the default";
  if (o->class_weight) {
    if (strcmp(o->class_weight, "balanced") == 0)
      p->class_weight_balanced = 1;
    else if (strcmp(o->class_weight, "none") != 0)
      return cli_error(CLI_EXIT_USAGE, "--class-weight: \"%s\" is not one of none, balanced",
                       o->class_weight);
  }
  if (o->scale) {
    static const char *const scales[] = {
        [LOGREG_SCALE_STD] = "std", [LOGREG_SCALE_MAXABS] = "maxabs", [LOGREG_SCALE_NONE] = "none"};
    int found = 0;
    for (int s = 0; s <= LOGREG_SCALE_NONE; s++)
      if (strcmp(o->scale, scales[s]) == 0) p->scale = (logreg_scale)s, found = 1;
    if (!found)
      return cli_error(CLI_EXIT_USAGE, "--scale: \"%s\" is not one of std, maxabs, none", o->scale);
  }
  logreg_params r; /* the library's defaults made concrete: the optimizer, C */
  if (logreg_params_resolve(p, &r, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_USAGE, "%s", err.message);
  o->optimizer_used = r.optimizer;
  o->full_batch_solver = logreg_optimizer_second_order(r.optimizer);
  o->default_C = isnan(p->C) && r.C > 0;
  return -1;
}

/* --split, --test, --cv and --folds: the fractions and the values to cross-validate; -1 when
 * good, else the exit code. */
static int settle_split(train_opts *o) {
  logreg_params *p = &o->p;
  double *fr = o->fr;
  fr[0] = 0.7, fr[1] = 0.15, fr[2] = 0.15;
  if (o->test_path) fr[0] = 0.85, fr[1] = 0.15, fr[2] = 0.0;
  if (o->split) {
    if (args_parse_triple(o->split, &fr[0], &fr[1], &fr[2]) != 0)
      return cli_error(CLI_EXIT_USAGE, "--split: \"%s\" is not three numbers TRAIN,VAL,TEST",
                       o->split);
    if (!(fr[0] > 0) || fr[1] < 0 || fr[2] < 0 || fabs(fr[0] + fr[1] + fr[2] - 1.0) > 1e-6)
      return cli_error(CLI_EXIT_USAGE,
                       "--split: \"%s\" must be fractions >= 0 with TRAIN > 0 that sum to 1",
                       o->split);
    if (o->test_path && fr[2] > 0)
      return cli_error(CLI_EXIT_USAGE, "--split: the test fraction must be 0 with --test");
  }
  if (o->test_labels && !o->test_path)
    return cli_error(CLI_EXIT_USAGE, "--test-labels needs --test");
  if (o->cv == 1) return cli_error(CLI_EXIT_USAGE, "--cv K needs K >= 2 folds");
  int cv = o->cv || o->folds;
  if (!cv && (o->cv_tol > 0 || o->cv_together || o->scoring))
    return cli_error(CLI_EXIT_USAGE, "%s goes with --cv K (or --folds COL)",
                     o->cv_together ? "--cv-together"
                     : o->scoring   ? "--scoring"
                                    : "--cv-tol");
  for (int sc = CV_LOG_LOSS; o->scoring && sc <= CV_ROC_AUC; sc++)
    if (strcmp(o->scoring, cv_scoring_names[sc]) == 0) o->cv_scoring = (cv_scoring)sc;
  if (o->scoring && strcmp(o->scoring, cv_scoring_names[o->cv_scoring]) != 0)
    return cli_error(CLI_EXIT_USAGE, "--scoring: \"%s\" is not one of log_loss, accuracy, roc_auc",
                     o->scoring);
  if (cv) {
    if (o->optimizer && p->optimizer != LOGREG_OPTIMIZER_LBFGS)
      return cli_error(CLI_EXIT_USAGE,
                       "--cv trains every model with lbfgs: --optimizer %s does not go with it",
                       o->optimizer);
    if (p->batch_size)
      return cli_error(CLI_EXIT_USAGE, "--cv trains full-batch: --batch-size does not go with it");
    if (p->patience)
      return cli_error(CLI_EXIT_USAGE, "--cv has no validation split: --patience does not go "
                                       "with it");
    /* The folds are the validation: no validation split, a test split kept by default. */
    if (!o->split)
      fr[0] = o->test_path ? 1.0 : 0.85, fr[1] = 0.0, fr[2] = o->test_path ? 0.0 : 0.15;
    if (fr[1] > 0)
      return cli_error(CLI_EXIT_USAGE,
                       "--split: the validation fraction must be 0 with --cv (the folds validate)");
  }
  sweep_plan *plan = &o->plan;
  if (o->sweep && parse_sweep(o->sweep, plan) != 0) return CLI_EXIT_USAGE;
  if (o->path && (cv || o->sweep || o->C_text || !isnan(o->l2)))
    return cli_error(CLI_EXIT_USAGE,
                     "--path chooses C itself: not with --cv, --sweep, --C or --l2");
  if (o->path_out && !o->path) return cli_error(CLI_EXIT_USAGE, "--path-out needs --path");
  if (o->path && cli_path_check(o->path) >= 0) return CLI_EXIT_USAGE;
  if (cv && plan->n && plan->key == SWEEP_LR)
    return cli_error(CLI_EXIT_USAGE, "--cv cross-validates C= or l2= values; lr= is for --sweep "
                                     "alone (lbfgs chooses its own steps)");
  if (cv && !plan->n) { /* LogisticRegressionCV's default Cs: 10 values, 1e-4..1e4 */
    plan->key = SWEEP_C;
    plan->n = 10;
    for (size_t i = 0; i < 10; i++) plan->v[i] = pow(10.0, -4.0 + 8.0 * (double)i / 9.0);
  }
  return -1;
}

/* The device: resolved now, so that the choice and its reason are printed before the data is
 * read, and a bad spec fails fast; the library resolves the same spec by the same rules (under
 * mpirun, auto takes the node-local rank's GPU). -1 when good, else the exit code. */
static int settle_device(train_opts *o, const cli_group *g) {
  logreg_params *p = &o->p;
  p->gemm = o->gemm;
  logreg_error perr;
  if (logreg_params_check(p, &perr) != LOGREG_OK) /* the path's name: the library's to read */
    return cli_error(CLI_EXIT_USAGE, "%s", perr.message);
  p->path_cache = cli_path_cache();
  cli_device_options(&o->dv, &p->device_options);
  p->threads = cli_threads(&o->dv);
  logreg_device_selector sel;
  char why[512];
  logreg_error derr;
  if (logreg_device_parse(p->device, &sel, &derr) != LOGREG_OK)
    return cli_error(CLI_EXIT_USAGE, "%s", derr.message);
  if (g->size > 1) sel.local_rank = (unsigned)g->local_rank;
  if (logreg_device_select(&sel, &p->device_options, &o->chosen, why, sizeof why, &derr) !=
      LOGREG_OK)
    return cli_error(derr.status == LOGREG_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_ERROR, "%s",
                     derr.message);
  o->is_auto = sel.pick == LOGREG_PICK_AUTO;
  /* An OpenCL device on the host's cores is weighed against cpu at set-up (by the data's size,
   * then by time): "device: auto -> cpu, ..." follows training when cpu was chosen. */
  o->auto_weighs = o->is_auto && o->chosen.backend == LOGREG_BACKEND_OPENCL &&
                   o->chosen.type == LOGREG_DEVICE_CPU && g->size == 1 &&
                   !o->dv.hooks.auto_keeps_device;
  if (o->auto_weighs) {
    size_t l = strlen(why);
    snprintf(why + l, sizeof why - l, "; or cpu: set-up weighs them");
  }
  cli_flags(why, sizeof why);
  if (!o->quiet && sel.pick != LOGREG_PICK_CPU && sel.pick != LOGREG_PICK_REFERENCE) {
    if (g->size > 1)
      fprintf(stderr, "device: %s, for rank %d of %d (node-local rank %d)\n", why, g->rank, g->size,
              g->local_rank);
    else
      fprintf(stderr, "device: %s\n", why);
  }
  return -1;
}

/* Everything the options decide before the data is read; -1 when good, else the exit code. */
static int train_settle(train_opts *o, cli_group *g) {
  logreg_params *p = &o->p;
  p->epochs = o->epochs;
  if (o->checkpoint_every < 0) return cli_error(CLI_EXIT_USAGE, "--checkpoint-every must be >= 0");
  if (!(o->cv_tol >= 0) || !isfinite(o->cv_tol))
    return cli_error(CLI_EXIT_USAGE, "--cv-tol must be a finite number >= 0");
  if (o->checkpoint_every > 0 && !o->checkpoint)
    return cli_error(CLI_EXIT_USAGE, "--checkpoint-every needs --checkpoint FILE");
  if (g->size > 1) {
    /* A group trains one model: rank 0 speaks and writes the outputs. */
    if (g->rank != 0) o->quiet = 1;
    if (o->cv || o->folds)
      return cli_error(CLI_EXIT_USAGE, "--cv and --folds do not run under mpirun yet");
    if (o->checkpoint || o->resume)
      return cli_error(CLI_EXIT_USAGE, "--checkpoint and --resume do not run under mpirun yet");
    p->shard = &g->shard;
  }
  int rc;
  if ((rc = settle_params(o)) >= 0 || (rc = settle_split(o)) >= 0 ||
      (rc = settle_device(o, g)) >= 0)
    return rc;
  return -1;
}

/* The file's header row looks like data: a warning that --no-header may be missing. */
static void warn_header(const char *path, const logreg_dataset *all) {
  if (logreg_dataset_header_numeric(all) == 1)
    cli_warn("%s: every field of the header row is a number: if the file has no header, pass "
             "--no-header (its first row is read as column names now)",
             path);
  else if (logreg_dataset_header_numeric(all))
    cli_warn("%s: the header row looks like data (it has numbers where the data rows do): if the "
             "file has no header, pass --no-header (its first row is read as column names now)",
             path);
}

/* Columns that look like an id or a leak (logreg_dataset_suspects): one warning each, with
 * the --drop that removes it. */
static void warn_suspects(const char *path, const logreg_dataset *all) {
  logreg_suspect sus[8];
  size_t m = logreg_dataset_suspects(all, sus, 8);
  for (size_t i = 0; i < m && i < 8; i++) cli_warn("%s: %s", path, sus[i].message);
  if (m > 8) cli_warn("%s: %zu more columns look like ids or leaks", path, m - 8);
}

/* --test: the explicit test set, read with the training file's classes (and features). */
static int read_test(const train_opts *o, const logreg_read_options *ro, train_data *d) {
  logreg_read_options tro = *ro;
  tro.labels = o->test_labels;
  /* Numbers read with the training file's decimal mark (detected there, say). */
  if (logreg_dataset_decimal(d->all)) tro.decimal = (char)logreg_dataset_decimal(d->all);
  tro.class_names = logreg_dataset_class_names(d->all);
  tro.n_classes = logreg_dataset_classes(d->all);
  /* A LIBSVM test file has the training file's features, whatever its largest index. */
  if (logreg_dataset_is_sparse(d->all)) tro.n_features = logreg_dataset_features(d->all);
  d->te = logreg_dataset_categorical_columns(d->tr)
              ? read_test_categorical(o->test_path, &tro, d->tr)
              : cli_read(o->test_path, &tro);
  if (!d->te) return CLI_EXIT_ERROR;
  cli_warn_skipped(o->test_path, d->te);
  if (logreg_dataset_features(d->te) != logreg_dataset_features(d->tr))
    return cli_error(CLI_EXIT_ERROR, "%s: %zu features, but %s has %zu", o->test_path,
                     logreg_dataset_features(d->te), o->data, logreg_dataset_features(d->tr));
  if (!logreg_dataset_y(d->te))
    return cli_error(CLI_EXIT_ERROR, "%s: no labels (IDX images need --test-labels)", o->test_path);
  return 0;
}

/* The data read, checked and split (and --test read); 0, or the exit code after the error. */
static int train_read(const train_opts *o, train_data *d) {
  logreg_read_options ro;
  if (cli_read_options(&o->dopt, &ro) != 0) return CLI_EXIT_USAGE;
  ro.weight = o->weight;
  ro.folds = o->folds;
  ro.categorical = o->categorical;
  ro.max_categories = o->max_categories;
  ro.min_frequency = o->min_frequency;
  ro.infrequent = o->infrequent;
  double t0 = logreg_now();
  if (!(d->all = cli_read(o->data, &ro))) return CLI_EXIT_ERROR;
  warn_header(o->data, d->all);
  warn_suspects(o->data, d->all);
  cli_warn_skipped(o->data, d->all);
  if (!logreg_dataset_y(d->all))
    return cli_error(CLI_EXIT_ERROR, "%s: no labels (IDX images need --labels)", o->data);
  size_t k = logreg_dataset_classes(d->all);
  if (k < 2)
    return cli_error(CLI_EXIT_ERROR, "%s: only %zu class in the labels; at least 2 are needed",
                     o->data, k);
  if (o->p.binary && k != 2)
    return cli_error(CLI_EXIT_ERROR, "--binary requires exactly 2 classes; %s has %zu", o->data, k);
  logreg_error err;
  /* The training part takes the file's rows in place: X is not held twice. */
  if (logreg_dataset_split_take(d->all, o->fr[0], o->fr[1], o->fr[2], o->p.seed, &d->tr, &d->va,
                                &d->te, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "%s", err.message);
  int rc = o->test_path ? read_test(o, &ro, d) : 0;
  d->read_seconds = logreg_now() - t0;
  return rc;
}

/* "data: ..." and "split: ..." on stderr: what was read, and what became of its columns. */
static void print_data(const train_opts *o, const train_data *d) {
  const logreg_dataset *all = d->all, *tr = d->tr;
  fprintf(stderr, "data: %s: %zu rows, %zu features, %zu classes", o->data,
          logreg_dataset_rows(all), logreg_dataset_features(tr), logreg_dataset_classes(all));
  if (logreg_dataset_missing(all))
    fprintf(stderr, ", %zu missing values (filled with training medians)",
            logreg_dataset_missing(all));
  if (logreg_dataset_target_column(all) >= 0) { /* CSV: what became of its columns */
    size_t numeric = 0, width = 0;
    for (size_t j = 0; j < logreg_dataset_features(tr); j++)
      logreg_dataset_feature_category(tr, j) ? width++ : numeric++;
    fprintf(stderr, "; columns: %zu numeric, %zu categorical", numeric,
            logreg_dataset_categorical_columns(tr));
    if (logreg_dataset_categorical_columns(tr))
      fprintf(stderr, " (%zu one-hot features, the training split's categories)", width);
    if (logreg_dataset_grouped_categories(all))
      fprintf(stderr, ", %zu rare categor%s grouped into COLUMN=infrequent",
              logreg_dataset_grouped_categories(all),
              logreg_dataset_grouped_categories(all) == 1 ? "y" : "ies");
    fprintf(stderr, ", %zu dropped", logreg_dataset_dropped_columns(all));
  }
  /* Which column is the label, and whether that was a default the user may not expect. */
  const char *tname = logreg_dataset_target_name(all);
  long tcol = logreg_dataset_target_column(all);
  if (tname)
    fprintf(stderr, "; label column \"%s\"%s", tname,
            o->dopt.target ? "" : " (the last column: --target chooses another)");
  else if (tcol >= 0)
    fprintf(stderr, "; label column %ld%s", tcol,
            o->dopt.target ? "" : " (the last column: --target chooses another)");
  int delim = logreg_dataset_delimiter(all);
  if (delim && delim != ',')
    fprintf(stderr, "; delimiter %s%s", delim == '\t' ? "tab" : "';'",
            o->dopt.delimiter ? "" : " (detected from the first line: --delimiter sets it)");
  if (logreg_dataset_decimal(all) == ',')
    fprintf(stderr, "; decimal comma%s",
            o->dopt.decimal ? "" : " (detected from the numbers: --decimal sets it)");
  fprintf(stderr, "\nsplit: train %zu, val %zu, test %zu%s\n", logreg_dataset_rows(tr),
          d->va ? logreg_dataset_rows(d->va) : 0, d->te ? logreg_dataset_rows(d->te) : 0,
          o->test_path ? " (from --test)" : "");
}

/* --cv or --sweep: the value that trains the model, into o->p; 0, or the exit code. */
static int train_choose(train_opts *o, const train_data *d, cJSON **sweep_json, cJSON **cv_json) {
  size_t cv = o->cv;
  if (o->folds && !cv) { /* --folds alone: K from the fold numbers */
    const int32_t *fo = logreg_dataset_folds(d->tr);
    for (size_t i = 0; i < logreg_dataset_rows(d->tr); i++)
      if ((size_t)fo[i] + 1 > cv) cv = (size_t)fo[i] + 1;
    if (cv < 2) cv = 2; /* one fold only: logreg_cv says which is empty */
  }
  if (o->path) {
    char def[4200];
    const char *out = o->path_out;
    if (!out) { /* model.json -> model-path.csv */
      size_t len = strlen(o->model_path);
      if (len > 5 && strcmp(o->model_path + len - 5, ".json") == 0) len -= 5;
      snprintf(def, sizeof def, "%.*s-path.csv", (int)(len < 4000 ? len : 4000), o->model_path);
      out = def;
    }
    int rc = cli_run_path(o->path, out, d->tr, d->va, &o->p, o->quiet);
    if (rc == 0) o->default_C = 0;
    return rc;
  }
  if (cv) {
    cv_setup cs = {cv, o->is_auto, o->cv_together, o->quiet, o->json, o->cv_tol, o->cv_scoring};
    int rc = run_cv(&o->plan, &cs, d->tr, &o->p, cv_json, &o->cv_weights);
    if (rc == 0) o->default_C = 0;
    return rc;
  }
  if (!o->plan.n) return 0;
  if (!d->va || logreg_dataset_rows(d->va) == 0)
    return cli_error(CLI_EXIT_USAGE, "--sweep ranks settings by validation loss: it needs a "
                                     "validation split (see --split)");
  return run_sweep(&o->plan, d->tr, d->va, &o->p, o->quiet, o->json, sweep_json) != 0
             ? CLI_EXIT_ERROR
             : 0;
}

/* "training: ..." on stderr: the model, the optimizer and the penalty it trains with. */
static void print_training(const train_opts *o) {
  logreg_params r; /* as the library will train: its defaults made concrete */
  if (logreg_params_resolve(&o->p, &r, NULL) != LOGREG_OK) r = o->p;
  const logreg_params *p = &r;
  char reg[128];
  if (isinf(p->C))
    snprintf(reg, sizeof reg, "C inf (no penalty)");
  else if (p->C > 0)
    snprintf(reg, sizeof reg, "C %g%s", p->C, o->default_C ? " (the default)" : "");
  else
    snprintf(reg, sizeof reg, "l2 %g", p->l2);
  if (p->l1_ratio == 1 && !isinf(p->C))
    snprintf(reg + strlen(reg), sizeof reg - strlen(reg), ", L1");
  else if (p->l1_ratio > 0 && !isinf(p->C))
    snprintf(reg + strlen(reg), sizeof reg - strlen(reg), ", elastic net l1_ratio %g", p->l1_ratio);
  if (p->raw_penalty) snprintf(reg + strlen(reg), sizeof reg - strlen(reg), " on raw weights");
  if (p->no_intercept) snprintf(reg + strlen(reg), sizeof reg - strlen(reg), ", no intercept");
  fprintf(stderr, "training: %s, %s%s%s%s, ", p->binary ? "binary" : "multinomial",
          logreg_optimizer_name(p->optimizer), o->why_opt ? " (" : "", o->why_opt ? o->why_opt : "",
          o->why_opt ? ")" : "");
  if (o->full_batch_solver)
    fprintf(stderr, "%s, at most %d iterations, tol %g", reg, p->epochs, p->tol);
  else
    fprintf(stderr, "lr %g, %s, %d epochs%s", p->lr, reg, p->epochs,
            p->batch_size ? " of mini-batches" : "");
  fprintf(stderr, " on %s%s\n", o->chosen.spec, o->auto_weighs ? " or cpu" : "");
}

/* How training ended, on stderr: the path it ran, and whether it reached its tolerance (the
 * iteration cap first is a warning, shown even with --quiet). */
static void print_outcome(const train_opts *o, const logreg_train_result *res) {
  char path_text[256];
  const char *stop = res->stop_reason;
  int quiet = o->quiet;
  /* Auto's choice at set-up between cpu and an OpenCL device, with the times it weighed. */
  if (!quiet && res->device_choice[0]) fprintf(stderr, "device: %s\n", res->device_choice);
  if (!quiet && res->path.path[0])
    fprintf(stderr, "training: path %s\n",
            report_path_text(&res->path, path_text, sizeof path_text));
  if (stop && strcmp(stop, "max_iter") == 0)
    cli_warn("%s reached --epochs %d before its tolerance: max |gradient| %.3g > %g; the model "
             "is not at the optimum (raise --epochs, or --tol)",
             logreg_optimizer_name(o->optimizer_used), res->epochs_run, res->grad_max, res->tol);
  else if (!quiet && stop && strcmp(stop, "tol") == 0 && o->full_batch_solver)
    fprintf(stderr, "converged: max |gradient| %.3g <= tol %g after %d iterations\n", res->grad_max,
            res->tol, res->epochs_run);
  else if (!quiet && stop && strcmp(stop, "converged") == 0 && o->full_batch_solver)
    fprintf(stderr,
            "converged: no step lowers J measurably after %d iterations (max |gradient| %.3g, "
            "tol %g: the precision %s computes in)\n",
            res->epochs_run, res->grad_max, res->tol, res->backend);
  else if (!quiet && stop && strcmp(stop, "epochs") != 0)
    fprintf(stderr, "stopped after epoch %d (%s); kept epoch %d\n", res->epochs_run, stop,
            res->best_epoch);
}

/* The training run itself, with progress, checkpoints and SIGINT/SIGTERM; 0, or the exit code
 * after printing why. */
static int train_run(train_opts *o, const train_data *d, progress *pg, logreg_model **model,
                     logreg_train_result *res) {
  logreg_params *p = &o->p;
  pg->quiet = o->quiet;
  pg->tty = isatty(STDERR_FILENO);
  pg->every = p->epochs >= 20 ? p->epochs / 10 : 1;
  p->progress = on_epoch;
  p->progress_user = pg;
  /* Only the model that is saved checkpoints (not the --sweep and --cv candidates). */
  p->checkpoint = o->checkpoint;
  p->checkpoint_every = o->checkpoint_every;
  p->resume = o->resume;
  p->stop_request = &stop_signal;
  pg->resumed = o->resume;
  stop_signal = 0;
  catch_stop_signals(1);
  /* --device auto promises a result: an OpenCL failure (a driver that cannot build the kernels,
   * a device too small, a fault in the middle of training) goes on on the cpu backend, from
   * the last state read back from the device, loudly (res.fallback). */
  p->cpu_fallback = o->is_auto && !p->shard;
  /* Training rows over a quarter of this machine's memory are held once: the trainer takes the
   * split's X (consume_x), which nothing reads after training. The way back to cpu after a
   * device failure is then lost (it would read X again): memory comes first at that size. */
  double xbytes = (double)logreg_dataset_rows(d->tr) * (double)logreg_dataset_features(d->tr) * 4;
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  p->consume_x = !o->stats && pages > 0 && page > 0 && xbytes > (double)pages * (double)page / 4;
  logreg_error err;
  logreg_status st = logreg_train(d->tr, d->va, p, model, res, &err);
  catch_stop_signals(0);
  if (pg->tty && !o->quiet) fputc('\n', stderr);
  if (res->fallback[0]) cli_warn("%s", res->fallback);
  if (st == LOGREG_OK && res->device_note[0]) cli_warn("--resume: %s", res->device_note);
  if (st == LOGREG_EINTERRUPTED) {
    fprintf(stderr, "logreg: %s: %s; the model was not written\n",
            stop_signal == SIGTERM ? "SIGTERM" : "SIGINT", err.message);
    return 128 + (stop_signal == SIGTERM ? SIGTERM : SIGINT);
  }
  if (st != LOGREG_OK) return cli_error(CLI_EXIT_ERROR, "%s", err.message);
  print_outcome(o, res);
  return 0;
}

/* The --json summary on stdout (it takes the cv and sweep objects). */
static int print_json(const train_opts *o, const train_data *d, const logreg_model *model,
                      const logreg_train_result *res, const logreg_metrics *met, int have_test,
                      int ranks, cJSON **cv_json, cJSON **sweep_json, cJSON *stats) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "backend", res->backend);
  cJSON_AddStringToObject(j, "device", res->device);
  cJSON_AddNumberToObject(j, "ranks", ranks); /* processes that trained it (mpirun) */
  report_path_json(j, &res->path);
  cJSON_AddStringToObject(j, "optimizer", logreg_optimizer_name(o->optimizer_used));
  cJSON_AddNumberToObject(j, "epochs", res->epochs_run);
  cJSON_AddNumberToObject(j, "best_epoch", res->best_epoch);
  cJSON_AddStringToObject(j, "stop_reason", res->stop_reason);
  /* Passes over the training data: full-batch evaluations and Hessian-vector products. */
  cJSON_AddNumberToObject(j, "evaluations", (double)res->evaluations);
  cJSON_AddNumberToObject(j, "hv_products", (double)res->hv_products);
  cJSON_AddNumberToObject(j, "seconds", res->seconds); /* training: after set-up */
  cJSON_AddNumberToObject(j, "setup_seconds", res->setup_seconds);
  cJSON_AddNumberToObject(j, "read_seconds", d->read_seconds);
  if (res->device_choice[0]) cJSON_AddStringToObject(j, "device_choice", res->device_choice);
  if (res->refined_epoch) { /* L-BFGS on a float32 device went on in double from there */
    cJSON_AddNumberToObject(j, "refined_epoch", res->refined_epoch);
    cJSON_AddNumberToObject(j, "refined_seconds", res->refined_seconds);
  }
  cJSON_AddNumberToObject(j, "objective", res->objective);
  cJSON_AddNumberToObject(j, "n_features", (double)logreg_model_features(model));
  cJSON *cls = cJSON_AddArrayToObject(j, "classes");
  for (size_t c = 0; c < logreg_model_classes(model); c++)
    cJSON_AddItemToArray(cls, cJSON_CreateString(logreg_model_class_name(model, c)));
  cJSON_AddBoolToObject(j, "binary", logreg_model_binary(model));
  cJSON_AddNumberToObject(j, "missing_values", (double)d->missing);
  cJSON_AddItemToObject(
      j, "train", split_json(1, res->train_loss, res->train_accuracy, logreg_dataset_rows(d->tr)));
  cJSON_AddItemToObject(j, "val",
                        split_json(d->va != NULL, res->val_loss, res->val_accuracy,
                                   d->va ? logreg_dataset_rows(d->va) : 0));
  cJSON *test = split_json(have_test, met->log_loss, met->accuracy,
                           have_test ? logreg_dataset_rows(d->te) : 0);
  if (have_test)
    cJSON_AddItemToObject(test, "metrics",
                          report_metrics_json(met, logreg_model_class_names(model)));
  cJSON_AddItemToObject(j, "test", test);
  cJSON_AddStringToObject(j, "model", o->model_path);
  if (*cv_json) {
    cJSON_AddItemToObject(j, "cv", *cv_json);
    *cv_json = NULL;
  }
  if (*sweep_json) {
    cJSON_AddItemToObject(j, "sweep", *sweep_json);
    *sweep_json = NULL;
  }
  if (stats) cJSON_AddItemToObject(j, "stats", stats);
  return report_json_puts(j) != 0 ? cli_error(CLI_EXIT_ERROR, "out of memory") : 0;
}

/* The summary as text on stdout. */
static void print_text(const train_opts *o, const train_data *d, const logreg_model *model,
                       const logreg_train_result *res, const logreg_metrics *met, int have_test) {
  printf("trained %s %s on %s in %.2fs (%d epochs; set-up %.2fs, reading %.2fs before): "
         "objective %.6f\n",
         logreg_model_binary(model) ? "binary" : "multinomial",
         logreg_optimizer_name(o->optimizer_used), res->device, res->seconds, res->epochs_run,
         res->setup_seconds, d->read_seconds, res->objective);
  if (res->refined_epoch)
    printf("refined in double from epoch %d: %.2fs of the %.2fs\n", res->refined_epoch,
           res->refined_seconds, res->seconds);
  printf("train: loss %.4f  accuracy %.4f  (%zu rows)\n", res->train_loss, res->train_accuracy,
         logreg_dataset_rows(d->tr));
  if (d->va)
    printf("val:   loss %.4f  accuracy %.4f  (%zu rows)\n", res->val_loss, res->val_accuracy,
           logreg_dataset_rows(d->va));
  if (have_test) {
    printf("test:  loss %.4f  accuracy %.4f  (%zu rows)\n\n", met->log_loss, met->accuracy,
           logreg_dataset_rows(d->te));
    report_metrics_table(stdout, met, logreg_model_class_names(model));
  }
  printf("\nmodel saved to %s\n", o->model_path);
  if (o->history) printf("history saved to %s\n", o->history);
}

/* Rank 0's outputs: the test part evaluated, the model and history saved, the summary; 0, or
 * the exit code after printing why. */
static int train_outputs(const train_opts *o, const train_data *d, logreg_model *model,
                         const logreg_train_result *res, const progress *pg, int ranks,
                         cJSON **cv_json, cJSON **sweep_json) {
  int have_test = d->te && logreg_dataset_rows(d->te) > 0, rc = 0;
  logreg_metrics met = {0};
  logreg_stats st = {0};
  logreg_error err;
  double *proba = NULL;
  char rows[512]; /* the rows of --stats */
  snprintf(rows, sizeof rows, "%s%s", o->fr[0] < 1.0 ? "the training split of " : "", o->data);
  if (have_test) {
    size_t n = logreg_dataset_rows(d->te), k = logreg_model_classes(model);
    if (!(proba = malloc(n * k * sizeof *proba))) return cli_error(CLI_EXIT_ERROR, "out of memory");
    if (logreg_predict_proba(model, d->te, proba, &err) != LOGREG_OK ||
        logreg_metrics_compute(logreg_dataset_y(d->te), proba, n, k, &met, &err) != LOGREG_OK) {
      rc = cli_error(CLI_EXIT_ERROR, "%s", err.message);
      goto out;
    }
    logreg_model_set_metrics(model, "test", met.log_loss, met.accuracy, n, NULL);
  }
  if (logreg_model_save(model, o->model_path, &err) != LOGREG_OK) {
    rc = cli_error(CLI_EXIT_ERROR, "--model: %s", err.message);
    goto out;
  }
  if (o->history && (rc = write_history(o->history, pg)) != 0) goto out;
  if (o->stats && (rc = show_stats_compute(model, d->tr, &st)) != 0) goto out;
  if (o->json) {
    cJSON *sj = o->stats ? show_stats_json(model, &st, rows) : NULL;
    if (o->stats && !sj) {
      rc = cli_error(CLI_EXIT_ERROR, "out of memory");
      goto out;
    }
    rc = print_json(o, d, model, res, &met, have_test, ranks, cv_json, sweep_json, sj);
  } else {
    print_text(o, d, model, res, &met, have_test);
    if (o->stats) {
      putchar('\n');
      show_stats_text(stdout, model, &st, rows);
    }
  }
out:
  logreg_stats_free(&st);
  free(proba);
  logreg_metrics_free(&met);
  return rc;
}

static int train_main(int argc, char **argv, cli_group *g) {
  train_opts o;
  memset(&o, 0, sizeof o);
  logreg_params_init(&o.p);
  o.p.device = "auto";
  o.model_path = "model.json";
  o.max_categories = 100;
  o.epochs = o.p.epochs;
  o.lr = o.C = o.l2 = o.l1_ratio = NAN;
  if (cli_device_env(&o.dv) != 0) return CLI_EXIT_USAGE;
  int rc = train_parse(argc, argv, &o);
  if (rc >= 0 || (rc = train_settle(&o, g)) >= 0) return rc;
  train_data d = {0};
  logreg_model *model = NULL;
  progress pg = {0};
  cJSON *sweep_json = NULL, *cv_json = NULL;
  logreg_train_result res;
  rc = train_read(&o, &d);
  if (rc == 0 && !o.quiet) print_data(&o, &d);
  if (rc == 0) { /* the whole file's rows are in the parts now: its labels and names go */
    d.missing = logreg_dataset_missing(d.all);
    logreg_dataset_free(d.all);
    d.all = NULL;
  }
  /* Every rank has read its data, or all stop here (rank 0 saying why in one line). */
  if ((rc = cli_group_agree(g, rc)) != 0) goto out;
  if (g->size > 1 && !o.quiet)
    fprintf(stderr,
            "group: %d MPI ranks; each parsed the whole file and prepared every row (the same "
            "split, medians and scaler as one process), and evaluates its contiguous 1/%d of "
            "the %zu training rows\n",
            g->size, g->size, logreg_dataset_rows(d.tr));
  if ((rc = train_choose(&o, &d, &sweep_json, &cv_json)) != 0) goto out;
  if (!o.quiet) print_training(&o);
  if ((rc = train_run(&o, &d, &pg, &model, &res)) != 0) goto out;
  /* Rank 0 evaluates the test part and writes the outputs. */
  if (g->rank == 0) rc = train_outputs(&o, &d, model, &res, &pg, g->size, &cv_json, &sweep_json);
out:
  cJSON_Delete(sweep_json);
  cJSON_Delete(cv_json);
  free(o.cv_weights);
  free(pg.rows);
  logreg_model_free(model);
  logreg_dataset_free(d.all);
  logreg_dataset_free(d.tr);
  logreg_dataset_free(d.va);
  logreg_dataset_free(d.te);
  return rc;
}
