/* path.c: train --path C=LO..HI:N, the regularization path (glmnet's picture): one model per
 * C from the most penalized to the least, each warm-started from the previous one's
 * coefficients (logreg_params.init_coef), a line per C (objective, nonzero coefficients,
 * validation loss and accuracy, iterations), and a CSV of the path (the coefficients per
 * standard deviation of their feature) for `logreg plot path`. The
 * value that trains the model file is the one of lowest validation loss, or without a
 * validation split the least penalized. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* "C=LO..HI:N" (N values spaced evenly in log C, LO and HI included) or "C=V1,V2,..." into
 * v[] in increasing order; the count, or 0 after the error. */
static size_t parse_values(const char *s, double *v) {
  if (strncmp(s, "C=", 2) != 0) {
    cli_error(CLI_EXIT_USAGE, "--path: \"%s\" is not C=LO..HI:N or C=V1,V2,...", s);
    return 0;
  }
  s += 2;
  const char *dots = strstr(s, "..");
  size_t n = 0;
  if (dots) {
    double lo, hi, cnt;
    char *end;
    lo = strtod(s, &end);
    int ok = end == dots;
    hi = strtod(dots + 2, &end);
    ok = ok && *end == ':';
    cnt = ok ? strtod(end + 1, &end) : 0;
    ok = ok && *end == '\0' && lo > 0 && hi > lo && isfinite(hi) && cnt >= 2 &&
         cnt <= CLI_PATH_MAX_VALUES && cnt == floor(cnt);
    if (!ok) {
      cli_error(CLI_EXIT_USAGE,
                "--path: \"C=%s\": LO..HI:N needs 0 < LO < HI and N from 2 to %d values", s,
                CLI_PATH_MAX_VALUES);
      return 0;
    }
    n = (size_t)cnt;
    for (size_t i = 0; i < n; i++)
      v[i] = exp(log(lo) + (log(hi) - log(lo)) * (double)i / (double)(n - 1));
    v[n - 1] = hi;
    return n;
  }
  for (const char *p = s; *p;) {
    char *end;
    double x = strtod(p, &end);
    if (end == p || !(x > 0) || !isfinite(x) || (*end && *end != ',') || n == CLI_PATH_MAX_VALUES) {
      cli_error(CLI_EXIT_USAGE,
                "--path: \"C=%s\": the values must be finite numbers > 0, at most %d", s,
                CLI_PATH_MAX_VALUES);
      return 0;
    }
    v[n++] = x;
    p = *end ? end + 1 : end;
  }
  if (n == 0) {
    cli_error(CLI_EXIT_USAGE, "--path: \"C=\" has no values");
    return 0;
  }
  for (size_t i = 1; i < n; i++) /* increasing C: the most penalized first */
    for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
      double t = v[j];
      v[j] = v[j - 1], v[j - 1] = t;
    }
  return n;
}

/* The CSV's header: C, the figures, then a column per coefficient as trained, per standard
 * deviation of the feature (comparable across features: glmnet's picture; "feature" for a
 * binary model, "feature[class]" otherwise), each name quoted when it holds a comma or a quote. */
static void write_header(FILE *f, const logreg_model *m) {
  size_t d = logreg_model_features(m), kw = logreg_model_weight_columns(m);
  fputs("C,objective,nonzeros,val_loss,val_accuracy,iterations", f);
  for (size_t j = 0; j < d; j++)
    for (size_t c = 0; c < kw; c++) {
      char name[600];
      if (kw == 1)
        snprintf(name, sizeof name, "%s", logreg_model_feature_name(m, j));
      else
        snprintf(name, sizeof name, "%s[%s]", logreg_model_feature_name(m, j),
                 logreg_model_class_name(m, c));
      if (strpbrk(name, ",\"\n")) {
        fputs(",\"", f);
        for (const char *p = name; *p; p++) fprintf(f, *p == '"' ? "\"\"" : "%c", *p);
        fputc('"', f);
      } else {
        fprintf(f, ",%s", name);
      }
    }
  fputc('\n', f);
}

int cli_path_check(const char *spec) {
  double v[CLI_PATH_MAX_VALUES];
  return parse_values(spec, v) ? -1 : CLI_EXIT_USAGE;
}

int cli_run_path(const char *spec, const char *out_csv, const logreg_dataset *tr,
                 const logreg_dataset *va, logreg_params *p, int quiet) {
  double v[CLI_PATH_MAX_VALUES];
  size_t n = parse_values(spec, v);
  if (n == 0) return CLI_EXIT_USAGE;
  logreg_error err;
  logreg_atomic_file af;
  if (logreg_atomic_open(&af, out_csv, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "--path-out: %s", err.message);
  double *w = NULL, *b = NULL, *ws = NULL, *bs = NULL;
  int have_init = 0, rc = 0, capped_any = 0;
  size_t best = 0;
  double best_loss = INFINITY;
  int has_val = va && logreg_dataset_rows(va) > 0;
  if (!quiet)
    fprintf(stderr, "path: %zu values of C, the most penalized first, each from the last\n", n);
  printf("  %12s  %12s  %8s  %10s  %12s  %10s\n", "C", "objective", "nonzeros", "val loss",
         "val accuracy", "iterations");
  for (size_t i = 0; i < n && rc == 0; i++) {
    logreg_params q = *p;
    q.progress = NULL;
    q.C = v[i];
    q.l2 = 0;
    if (have_init) q.init_coef = w, q.init_intercept = b;
    logreg_model *m = NULL;
    logreg_train_result res;
    if (logreg_train(tr, va, &q, &m, &res, &err) != LOGREG_OK) {
      rc = cli_error(CLI_EXIT_ERROR, "--path C=%g: %s", v[i], err.message);
      break;
    }
    size_t d = logreg_model_features(m), kw = logreg_model_weight_columns(m);
    if (!w) {
      w = malloc((d * kw > 0 ? d * kw : 1) * sizeof *w);
      b = malloc(kw * sizeof *b);
      ws = malloc((d * kw > 0 ? d * kw : 1) * sizeof *ws);
      bs = malloc(kw * sizeof *bs);
      if (!w || !b || !ws || !bs) {
        logreg_model_free(m);
        rc = cli_error(CLI_EXIT_ERROR, "--path: out of memory");
        break;
      }
      write_header(af.f, m);
    }
    logreg_model_raw_weights(m, w, b);
    logreg_model_weights(m, ws, bs);
    have_init = 1;
    size_t nz = 0;
    for (size_t q2 = 0; q2 < d * kw; q2++) nz += w[q2] != 0;
    int capped = res.stop_reason && strcmp(res.stop_reason, "max_iter") == 0;
    capped_any |= capped;
    printf("  %12g  %12.6f  %8zu  %10.4f  %12.4f  %10d%s\n", v[i], res.objective, nz, res.val_loss,
           res.val_accuracy, res.epochs_run, capped ? " (the cap)" : "");
    fprintf(af.f, "%.17g,%.17g,%zu,%.17g,%.17g,%d", v[i], res.objective, nz, res.val_loss,
            res.val_accuracy, res.epochs_run);
    for (size_t q2 = 0; q2 < d * kw; q2++) fprintf(af.f, ",%.17g", ws[q2]);
    fputc('\n', af.f);
    if (has_val ? res.val_loss < best_loss : 1) best_loss = res.val_loss, best = i;
    logreg_model_free(m);
  }
  free(w);
  free(b);
  free(ws);
  free(bs);
  if (rc != 0) {
    logreg_atomic_abort(&af);
    return rc;
  }
  if (logreg_atomic_commit(&af, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "--path-out: %s", err.message);
  if (capped_any)
    cli_warn("--path: the values marked \"the cap\" stopped at --epochs before their tolerance: "
             "raise --epochs");
  printf("training with C=%g (%s); the path is in %s\n\n", v[best],
         has_val ? "the lowest validation loss" : "no validation split: the least penalized",
         out_csv);
  p->C = v[best];
  p->l2 = 0;
  return 0;
}
