/* cmd_train.c: `logreg train`: read, split, train with progress, evaluate on the test part,
 * save the model and (optionally) the history, and print a summary or one JSON object. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "cli.h"
#include "report.h"

static const char train_usage[] = "logreg train DATA [options]";

typedef struct progress {
  int tty, quiet, every;
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
  if (pg->n_rows < pg->cap) pg->rows[pg->n_rows++] = *e;
  if (pg->quiet) return;
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

/* --test when the training data has categorical features: the test file is read like data for
 * the model (the training split's features by name, or by position without a header), so that
 * its categorical columns expand to the training split's categories. NULL after printing. */
static logreg_dataset *read_test_categorical(const char *path, const logreg_read_options *ro,
                                             const logreg_dataset *tr) {
  size_t d = logreg_dataset_features(tr);
  const char **src = malloc(d * sizeof *src), **cat = malloc(d * sizeof *cat);
  logreg_dataset *te = NULL;
  char target[32];
  if (!src || !cat) {
    cli_error(CLI_EXIT_ERROR, "out of memory");
    goto out;
  }
  for (size_t j = 0; j < d; j++) {
    src[j] = logreg_dataset_feature_source(tr, j);
    cat[j] = logreg_dataset_feature_category(tr, j);
  }
  logreg_read_options o = *ro;
  o.drop = o.categorical = NULL;
  o.feature_names = src;
  o.feature_categories = cat;
  o.feature_columns = logreg_dataset_feature_columns(tr);
  o.n_columns = logreg_dataset_source_columns(tr);
  o.n_features = d;
  if (!o.target && o.header && logreg_dataset_target_name(tr)) {
    o.target = logreg_dataset_target_name(tr);
  } else if (!o.target) {
    snprintf(target, sizeof target, "%ld", logreg_dataset_target_column(tr));
    o.target = target;
  }
  if ((te = cli_read(path, &o))) cli_warn_unseen(path, te);
out:
  free(src);
  free(cat);
  return te;
}

int cmd_train(int argc, char **argv) {
  cli_data_opts dopt = {0};
  logreg_params p;
  logreg_params_init(&p);
  p.device = "auto";
  const char *test_path = NULL, *test_labels = NULL, *split = NULL, *optimizer = NULL;
  const char *model_path = "model.json", *history = NULL, *class_weight = NULL;
  const char *sweep = NULL, *weight = NULL, *gemm = NULL, *categorical = NULL;
  size_t max_categories = 100;
  int json = 0, quiet = 0, epochs = p.epochs;
  double lr = NAN; /* NAN: not given, the optimizer's default */
  double C = NAN;  /* NAN: not given (--l2 sets lambda) */
  cli_device_opts dv;
  if (cli_device_env(&dv) != 0) return CLI_EXIT_USAGE;
  const arg_spec specs[] = {
      CLI_DATA_SPECS(dopt),
      {"--test", ARG_STR, &test_path, "DATA", "explicit test set (instead of a test split)"},
      {"--test-labels", ARG_STR, &test_labels, "FILE", "IDX labels of --test"},
      {"--split", ARG_STR, &split, "TR,VA,TE",
       "stratified fractions (default 0.7,0.15,0.15; 0.85,0.15,0 with --test)"},
      {"--binary", ARG_FLAG, &p.binary, NULL, "single-logit sigmoid model (exactly 2 classes)"},
      {"--optimizer", ARG_STR, &optimizer, "NAME",
       "gd|sgd|momentum|adam|lbfgs|newton (default adam)"},
      {"--lr", ARG_DOUBLE, &lr, "RATE",
       "learning rate (default: gd 0.5, sgd 0.05, momentum 0.01, adam 0.01)"},
      {"--epochs", ARG_INT, &epochs, "N", "passes over the training data (default 100)"},
      {"--batch-size", ARG_SIZE, &p.batch_size, "N", "rows per step, 0 = full batch (default)"},
      {"--l2", ARG_DOUBLE, &p.l2, "LAMBDA", "L2 penalty lambda/2 ||W||^2 (default 0)"},
      {"--C", ARG_DOUBLE, &C, "C",
       "scikit-learn's C: lambda = 1/(C * sum of row weights) (instead of --l2)"},
      {"--tol", ARG_DOUBLE, &p.tol, "T", "full batch: stop when max|gradient| <= T (default 0)"},
      {"--patience", ARG_INT, &p.patience, "N",
       "stop after N epochs without a better val loss, keep the best (default 0 = off)"},
      {"--class-weight", ARG_STR, &class_weight, "MODE", "none|balanced (default none)"},
      {"--weight", ARG_STR, &weight, "COL", "CSV column of per-row sample weights (>= 0)"},
      {"--categorical", ARG_STR, &categorical, "COLS",
       "one-hot encode these columns even if numeric (text columns always are)"},
      {"--max-categories", ARG_SIZE, &max_categories, "N",
       "most distinct values of a categorical column (default 100, 0 = no limit)"},
      {"--sweep", ARG_STR, &sweep, "KEY=V1,V2,..",
       "train once per lr=, l2= or C= value, rank by val loss, keep the best"},
      {"--pos-weight", ARG_DOUBLE, &p.pos_weight, "W", "--binary: weight of positives (default 1)"},
      {"--momentum", ARG_DOUBLE, &p.momentum, "MU", "momentum coefficient (default 0.9)"},
      {"--nesterov", ARG_FLAG, &p.nesterov, NULL, "Nesterov momentum"},
      {"--seed", ARG_U64, &p.seed, "N", "seed for the split and shuffling (default 42)"},
      {"--device", ARG_STR, &p.device, "DEV",
       "auto|cpu|opencl|opencl:P:D (default auto: a GPU, else any OpenCL device, else cpu)"},
      {"--gemm", ARG_STR, &gemm, "MODE",
       "OpenCL evaluation path: auto|tiled|fused|own|clblast (default auto: timed at set-up; see "
       "README)"},
      CLI_DEVICE_SPECS(dv),
      CLI_BUILD_SPECS(dv),
      {"--model", ARG_STR, &model_path, "OUT.json", "where to save the model (default model.json)"},
      {"--history", ARG_STR, &history, "OUT.csv", "per-epoch losses and accuracies"},
      {"--json", ARG_FLAG, &json, NULL, "print one JSON summary on stdout"},
      {"--quiet", ARG_FLAG, &quiet, NULL, "no progress output"},
      {NULL, ARG_FLAG, NULL, NULL, NULL}};
  const char *pos[1];
  size_t npos;
  int r = cli_parse("train", train_usage, specs, argc, argv, pos, 1, &npos);
  if (r >= 0) return r;
  if (npos != 1)
    return cli_error(CLI_EXIT_USAGE, "train needs one DATA file (see 'logreg train --help')");
  p.epochs = epochs;
  if (!isnan(lr) && !(lr > 0)) return cli_error(CLI_EXIT_USAGE, "--lr must be > 0");
  p.lr = isnan(lr) ? 0.0 : lr;
  if (!isnan(C)) {
    if (!(C > 0) || !isfinite(C))
      return cli_error(CLI_EXIT_USAGE,
                       "--C must be a finite number > 0 (lambda = 1/(C * sum of row weights))");
    p.C = C;
  }
  if (optimizer && logreg_optimizer_parse(optimizer, &p.optimizer) != 0)
    return cli_error(CLI_EXIT_USAGE,
                     "--optimizer: \"%s\" is not one of gd, sgd, momentum, adam, lbfgs, newton",
                     optimizer);
  if (class_weight) {
    if (strcmp(class_weight, "balanced") == 0)
      p.class_weight_balanced = 1;
    else if (strcmp(class_weight, "none") != 0)
      return cli_error(CLI_EXIT_USAGE, "--class-weight: \"%s\" is not one of none, balanced",
                       class_weight);
  }
  const char *bad = logreg_params_check(&p);
  if (bad) return cli_error(CLI_EXIT_USAGE, "%s", bad);
  double fr[3] = {0.7, 0.15, 0.15};
  if (test_path) fr[0] = 0.85, fr[1] = 0.15, fr[2] = 0.0;
  if (split) {
    if (args_parse_triple(split, &fr[0], &fr[1], &fr[2]) != 0)
      return cli_error(CLI_EXIT_USAGE, "--split: \"%s\" is not three numbers TRAIN,VAL,TEST",
                       split);
    if (!(fr[0] > 0) || fr[1] < 0 || fr[2] < 0 || fabs(fr[0] + fr[1] + fr[2] - 1.0) > 1e-6)
      return cli_error(CLI_EXIT_USAGE,
                       "--split: \"%s\" must be fractions >= 0 with TRAIN > 0 that sum to 1",
                       split);
    if (test_path && fr[2] > 0)
      return cli_error(CLI_EXIT_USAGE, "--split: the test fraction must be 0 with --test");
  }
  if (test_labels && !test_path) return cli_error(CLI_EXIT_USAGE, "--test-labels needs --test");
  if (gemm && !cli_gemm_valid(gemm))
    return cli_error(CLI_EXIT_USAGE, "--gemm: \"%s\" is not auto, tiled, fused, own or clblast",
                     gemm);
  p.gemm = gemm;
  p.path_cache = cli_path_cache();
  cli_device_options(&dv, &p.device_options);
  p.threads = cli_threads(&dv);
  logreg_device_info chosen;
  int is_auto = strcmp(p.device, "auto") == 0;
  if (strcmp(p.device, "cpu") != 0) {
    /* Resolve the device now, so that the choice and its reason are printed before the data
     * is read, and a bad spec fails fast. */
    char why[512];
    logreg_error derr;
    if (logreg_device_choose(p.device, &p.device_options, &chosen, why, sizeof why, &derr) !=
        LOGREG_OK)
      return cli_error(derr.status == LOGREG_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_ERROR, "%s",
                       derr.message);
    if (!quiet) fprintf(stderr, "device: %s\n", why);
    p.device = chosen.spec;
  }

  logreg_read_options ro;
  if (cli_read_options(&dopt, &ro) != 0) return CLI_EXIT_USAGE;
  ro.weight = weight;
  ro.categorical = categorical;
  ro.max_categories = max_categories;
  sweep_plan plan = {0};
  if (sweep && parse_sweep(sweep, &plan) != 0) return CLI_EXIT_USAGE;
  int rc = CLI_EXIT_ERROR;
  logreg_dataset *all = NULL, *tr = NULL, *va = NULL, *te = NULL;
  logreg_model *model = NULL;
  double *proba = NULL;
  logreg_metrics met = {0};
  progress pg = {0};
  cJSON *sweep_json = NULL;
  logreg_error err;

  if (!(all = cli_read(pos[0], &ro))) goto out;
  if (logreg_dataset_header_numeric(all))
    cli_warn("%s: every field of the header row is a number: if the file has no header, pass "
             "--no-header (its first row is read as column names now)",
             pos[0]);
  if (!logreg_dataset_y(all)) {
    cli_error(CLI_EXIT_ERROR, "%s: no labels (IDX images need --labels)", pos[0]);
    goto out;
  }
  if (logreg_dataset_classes(all) < 2) {
    cli_error(CLI_EXIT_ERROR, "%s: only %zu class in the labels; at least 2 are needed", pos[0],
              logreg_dataset_classes(all));
    goto out;
  }
  if (p.binary && logreg_dataset_classes(all) != 2) {
    cli_error(CLI_EXIT_ERROR, "--binary requires exactly 2 classes; %s has %zu", pos[0],
              logreg_dataset_classes(all));
    goto out;
  }
  if (logreg_dataset_split(all, fr[0], fr[1], fr[2], p.seed, &tr, &va, &te, &err) != LOGREG_OK) {
    cli_error(CLI_EXIT_ERROR, "%s", err.message);
    goto out;
  }
  if (test_path) {
    logreg_read_options tro = ro;
    tro.labels = test_labels;
    tro.class_names = logreg_dataset_class_names(all);
    tro.n_classes = logreg_dataset_classes(all);
    te = logreg_dataset_categorical_columns(tr) ? read_test_categorical(test_path, &tro, tr)
                                                : cli_read(test_path, &tro);
    if (!te) goto out;
    if (logreg_dataset_features(te) != logreg_dataset_features(tr)) {
      cli_error(CLI_EXIT_ERROR, "%s: %zu features, but %s has %zu", test_path,
                logreg_dataset_features(te), pos[0], logreg_dataset_features(tr));
      goto out;
    }
    if (!logreg_dataset_y(te)) {
      cli_error(CLI_EXIT_ERROR, "%s: no labels (IDX images need --test-labels)", test_path);
      goto out;
    }
  }
  if (!quiet) {
    fprintf(stderr, "data: %s: %zu rows, %zu features, %zu classes", pos[0],
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
      fprintf(stderr, ", %zu dropped", logreg_dataset_dropped_columns(all));
    }
    /* Which column is the label, and whether that was a default the user may not expect. */
    const char *tname = logreg_dataset_target_name(all);
    long tcol = logreg_dataset_target_column(all);
    if (tname)
      fprintf(stderr, "; label column \"%s\"%s", tname,
              dopt.target ? "" : " (the last column: --target chooses another)");
    else if (tcol >= 0)
      fprintf(stderr, "; label column %ld%s", tcol,
              dopt.target ? "" : " (the last column: --target chooses another)");
    fprintf(stderr, "\nsplit: train %zu, val %zu, test %zu%s\n", logreg_dataset_rows(tr),
            va ? logreg_dataset_rows(va) : 0, te ? logreg_dataset_rows(te) : 0,
            test_path ? " (from --test)" : "");
    fprintf(stderr, "training: %s, %s, lr %g, %d epochs%s on %s\n",
            p.binary ? "binary" : "multinomial", logreg_optimizer_name(p.optimizer),
            p.lr > 0 ? p.lr : logreg_default_lr(p.optimizer), p.epochs,
            p.batch_size ? ", mini-batches" : "", p.device);
  }

  if (plan.n) {
    if (!va || logreg_dataset_rows(va) == 0) {
      cli_error(CLI_EXIT_USAGE, "--sweep ranks settings by validation loss: it needs a validation "
                                "split (see --split)");
      rc = CLI_EXIT_USAGE;
      goto out;
    }
    if (run_sweep(&plan, tr, va, &p, quiet, json, &sweep_json) != 0) goto out;
  }

  pg.quiet = quiet;
  pg.tty = isatty(STDERR_FILENO);
  pg.every = p.epochs >= 20 ? p.epochs / 10 : 1;
  p.progress = on_epoch;
  p.progress_user = &pg;
  logreg_train_result res;
  logreg_status st = logreg_train(tr, va, &p, &model, &res, &err);
  if (st == LOGREG_EBACKEND && is_auto && strcmp(p.device, "cpu") != 0) {
    /* --device auto promises a result: an OpenCL failure (a driver that cannot build the
     * kernels, a device too small) falls back to the cpu reference, loudly. */
    if (pg.tty && !quiet) fputc('\n', stderr);
    cli_warn("%s; falling back to --device cpu", err.message);
    p.device = "cpu";
    pg.n_rows = 0;
    st = logreg_train(tr, va, &p, &model, &res, &err);
  }
  if (pg.tty && !quiet) fputc('\n', stderr);
  if (st != LOGREG_OK) {
    cli_error(CLI_EXIT_ERROR, "%s", err.message);
    goto out;
  }
  char path_text[256];
  if (!quiet && res.path.path[0])
    fprintf(stderr, "training: path %s\n",
            report_path_text(&res.path, path_text, sizeof path_text));
  /* A solver that stops at a tolerance and reached the cap first has not converged: said even
   * with --quiet (a warning, not progress). */
  if (res.stop_reason && strcmp(res.stop_reason, "max_iter") == 0)
    cli_warn("%s reached --epochs %d before its tolerance: max |gradient| %.3g > %g; the model "
             "is not at the optimum (raise --epochs, or --tol)",
             logreg_optimizer_name(p.optimizer), res.epochs_run, res.grad_max, res.tol);
  else if (!quiet && res.stop_reason && strcmp(res.stop_reason, "epochs") != 0)
    fprintf(stderr, "stopped after epoch %d (%s); kept epoch %d\n", res.epochs_run, res.stop_reason,
            res.best_epoch);

  int have_test = te && logreg_dataset_rows(te) > 0;
  if (have_test) {
    proba = malloc(logreg_dataset_rows(te) * logreg_model_classes(model) * sizeof *proba);
    if (!proba) {
      cli_error(CLI_EXIT_ERROR, "out of memory");
      goto out;
    }
    if (logreg_predict_proba(model, te, proba, &err) != LOGREG_OK ||
        logreg_metrics_compute(logreg_dataset_y(te), proba, logreg_dataset_rows(te),
                               logreg_model_classes(model), &met, &err) != LOGREG_OK) {
      cli_error(CLI_EXIT_ERROR, "%s", err.message);
      goto out;
    }
    logreg_model_set_metrics(model, "test", met.log_loss, met.accuracy, logreg_dataset_rows(te));
  }
  if (logreg_model_save(model, model_path, &err) != LOGREG_OK) {
    cli_error(CLI_EXIT_ERROR, "--model: %s", err.message);
    goto out;
  }
  if (history && write_history(history, &pg) != 0) goto out;

  if (json) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "backend", res.backend);
    cJSON_AddStringToObject(o, "device", res.device);
    report_path_json(o, &res.path);
    cJSON_AddStringToObject(o, "optimizer", logreg_optimizer_name(p.optimizer));
    cJSON_AddNumberToObject(o, "epochs", res.epochs_run);
    cJSON_AddNumberToObject(o, "best_epoch", res.best_epoch);
    cJSON_AddStringToObject(o, "stop_reason", res.stop_reason);
    /* Passes over the training data: full-batch evaluations and Hessian-vector products. */
    cJSON_AddNumberToObject(o, "evaluations", (double)res.evaluations);
    cJSON_AddNumberToObject(o, "hv_products", (double)res.hv_products);
    cJSON_AddNumberToObject(o, "seconds", res.seconds);
    cJSON_AddNumberToObject(o, "objective", res.objective);
    cJSON_AddNumberToObject(o, "n_features", (double)logreg_model_features(model));
    cJSON *cls = cJSON_AddArrayToObject(o, "classes");
    for (size_t c = 0; c < logreg_model_classes(model); c++)
      cJSON_AddItemToArray(cls, cJSON_CreateString(logreg_model_class_name(model, c)));
    cJSON_AddBoolToObject(o, "binary", logreg_model_binary(model));
    cJSON_AddNumberToObject(o, "missing_values", (double)logreg_dataset_missing(all));
    cJSON_AddItemToObject(
        o, "train", split_json(1, res.train_loss, res.train_accuracy, logreg_dataset_rows(tr)));
    cJSON_AddItemToObject(
        o, "val",
        split_json(va != NULL, res.val_loss, res.val_accuracy, va ? logreg_dataset_rows(va) : 0));
    cJSON *test =
        split_json(have_test, met.log_loss, met.accuracy, have_test ? logreg_dataset_rows(te) : 0);
    if (have_test) {
      cJSON_AddItemToObject(test, "metrics",
                            report_metrics_json(&met, logreg_model_class_names(model)));
    }
    cJSON_AddItemToObject(o, "test", test);
    cJSON_AddStringToObject(o, "model", model_path);
    if (sweep_json) {
      cJSON_AddItemToObject(o, "sweep", sweep_json);
      sweep_json = NULL;
    }
    if (report_json_puts(o) != 0) {
      cli_error(CLI_EXIT_ERROR, "out of memory");
      goto out;
    }
  } else {
    printf("trained %s %s on %s in %.2fs (%d epochs): objective %.6f\n",
           logreg_model_binary(model) ? "binary" : "multinomial",
           logreg_optimizer_name(p.optimizer), res.device, res.seconds, res.epochs_run,
           res.objective);
    printf("train: loss %.4f  accuracy %.4f  (%zu rows)\n", res.train_loss, res.train_accuracy,
           logreg_dataset_rows(tr));
    if (va)
      printf("val:   loss %.4f  accuracy %.4f  (%zu rows)\n", res.val_loss, res.val_accuracy,
             logreg_dataset_rows(va));
    if (have_test) {
      printf("test:  loss %.4f  accuracy %.4f  (%zu rows)\n\n", met.log_loss, met.accuracy,
             logreg_dataset_rows(te));
      report_metrics_table(stdout, &met, logreg_model_class_names(model));
    }
    printf("\nmodel saved to %s\n", model_path);
    if (history) printf("history saved to %s\n", history);
  }
  rc = 0;
out:
  cJSON_Delete(sweep_json);
  free(pg.rows);
  free(proba);
  logreg_metrics_free(&met);
  logreg_model_free(model);
  logreg_dataset_free(all);
  logreg_dataset_free(tr);
  logreg_dataset_free(va);
  logreg_dataset_free(te);
  return rc;
}
