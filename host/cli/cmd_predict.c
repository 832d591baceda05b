/* cmd_predict.c: `logreg predict` and `logreg eval`: load a model, read data the way the model
 * was trained (same features, same class names), and print predictions or metrics. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cli.h"
#include "report.h"

/* Reads `path` for model `m`: the model's features (by name with a header, by file index
 * without), and when `labelled`, labels encoded to the model's classes. */
logreg_dataset *cli_read_for_model(const char *path, const cli_data_opts *o, const logreg_model *m,
                                   int labelled) {
  logreg_read_options ro;
  if (cli_read_options(o, &ro) != 0) return NULL;
  ro.target_optional = !labelled;
  if (!labelled) ro.missing_label = LOGREG_MISSING_LABEL_IGNORE; /* predict needs no label */
  logreg_dataset *ds = NULL;
  logreg_error err;
  if (logreg_dataset_read_for_model(path, m, &ro, &ds, &err) != LOGREG_OK) {
    cli_error(CLI_EXIT_ERROR, "%s", err.message);
    return NULL;
  }
  cli_warn_unseen(path, ds);
  cli_warn_skipped(path, ds);
  return ds;
}

void cli_warn_skipped(const char *path, const logreg_dataset *ds) {
  size_t rows = logreg_dataset_skipped_rows(ds);
  if (!rows) return;
  char col[96];
  const char *name = logreg_dataset_target_name(ds);
  if (name)
    snprintf(col, sizeof col, "\"%.60s\"", name);
  else
    snprintf(col, sizeof col, "%ld", logreg_dataset_target_column(ds));
  cli_warn("%s: %zu row%s without a label in column %s %s skipped (--missing-label error refuses "
           "them)",
           path, rows, rows == 1 ? "" : "s", col, rows == 1 ? "was" : "were");
}

void cli_warn_unseen(const char *path, const logreg_dataset *ds) {
  size_t rows = logreg_dataset_unseen_rows(ds);
  if (!rows) return;
  char cols[400] = "";
  size_t len = 0;
  for (size_t j = 0; j < logreg_dataset_features(ds) && len < sizeof cols; j++)
    if (logreg_dataset_unseen(ds, j))
      len += (size_t)snprintf(cols + len, sizeof cols - len, "%s%.60s: %zu", len ? ", " : "",
                              logreg_dataset_feature_source(ds, j), logreg_dataset_unseen(ds, j));
  cli_warn("%s: %zu row%s had categories unseen in training (%s); they encode as all zeros", path,
           rows, rows == 1 ? "" : "s", cols);
}

logreg_model *cli_load_model(const char *path) {
  logreg_model *m = NULL;
  logreg_error err;
  if (!path) {
    cli_error(CLI_EXIT_USAGE, "--model is required");
    return NULL;
  }
  if (logreg_model_load(path, &m, &err) != LOGREG_OK) {
    cli_error(CLI_EXIT_ERROR, "%s", err.message);
    return NULL;
  }
  return m;
}

/* CSV-quotes a class name when it needs it. */
static void put_field(FILE *f, const char *s) {
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

/* The predicted class of row p (k probabilities): the likelier, or with a threshold (two
 * classes) the second when its probability is at least the threshold. */
static size_t predicted(const double *p, size_t k, double threshold) {
  size_t best = 0;
  for (size_t c = 1; c < k; c++)
    if (p[c] > p[best]) best = c;
  if (!isnan(threshold)) best = p[1] >= threshold ? 1 : 0;
  return best;
}

/* predict --json: one JSON object per row (JSON Lines), numbers exact. 0, or -1 when out of
 * memory. */
static int put_json_rows(FILE *f, const logreg_dataset *ds, const char *const *names, size_t k,
                         const double *proba, double threshold, int with_id) {
  for (size_t i = 0; i < logreg_dataset_rows(ds); i++) {
    const double *p = proba + i * k;
    cJSON *o = cJSON_CreateObject(), *pr = cJSON_CreateObject();
    if (!o || !pr) {
      cJSON_Delete(o);
      cJSON_Delete(pr);
      return -1;
    }
    if (with_id) cJSON_AddStringToObject(o, "id", logreg_dataset_id(ds, i));
    cJSON_AddStringToObject(o, "label", names[predicted(p, k, threshold)]);
    for (size_t c = 0; c < k; c++) cJSON_AddNumberToObject(pr, names[c], p[c]);
    cJSON_AddItemToObject(o, "proba", pr);
    char *text = logreg_json_print(o, 0);
    cJSON_Delete(o);
    if (!text) return -1;
    fprintf(f, "%s\n", text);
    free(text);
  }
  return 0;
}

int cmd_predict(int argc, char **argv) {
  cli_data_opts dopt = {0};
  const char *model_path = NULL, *output = NULL;
  int want_proba = 0, json = 0;
  double threshold = NAN; /* NAN: the most probable class */
  const arg_spec specs[] = {
      {"--model", ARG_STR, &model_path, "M.json", "the model to apply (required)"},
      {"--proba", ARG_FLAG, &want_proba, NULL, "also print p_<class> for every class"},
      {"--json", ARG_FLAG, &json, NULL,
       "JSON Lines: one object per row, {\"id\", \"label\", \"proba\": {class: p}}"},
      {"--id", ARG_STR, &dopt.id, "COL",
       "copy this column (name or 0-based index) into the output, first"},
      {"--threshold", ARG_DOUBLE, &threshold, "T",
       "two-class models: the second class when its probability >= T (default: the likelier)"},
      {"--output", ARG_STR, &output, "FILE", "write the CSV here (also -o; default stdout)"},
      CLI_DATA_SPECS(dopt),
      {NULL, ARG_FLAG, NULL, NULL, NULL}};
  const char *pos[1];
  size_t npos;
  int r = cli_parse("predict", "logreg predict --model M.json DATA [options]", specs, argc, argv,
                    pos, 1, &npos);
  if (r >= 0) return r;
  if (npos != 1) return cli_error(CLI_EXIT_USAGE, "predict needs one DATA file");
  if (!model_path) return cli_error(CLI_EXIT_USAGE, "--model is required");
  if (!isnan(threshold) && !(threshold > 0 && threshold < 1))
    return cli_error(CLI_EXIT_USAGE, "--threshold must be a probability between 0 and 1");
  int rc = CLI_EXIT_ERROR;
  logreg_model *m = cli_load_model(model_path);
  logreg_dataset *ds = NULL;
  double *proba = NULL;
  logreg_atomic_file af = {0};
  logreg_error err;
  if (!m) goto out;
  if (!(ds = cli_read_for_model(pos[0], &dopt, m, 0))) goto out;
  size_t n = logreg_dataset_rows(ds), k = logreg_model_classes(m);
  const char *const *names = logreg_model_class_names(m);
  if (!isnan(threshold) && k != 2) {
    cli_error(CLI_EXIT_USAGE, "--threshold needs a two-class model; %s has %zu classes", model_path,
              k);
    goto out;
  }
  if (!(proba = malloc((n ? n : 1) * k * sizeof *proba))) {
    cli_error(CLI_EXIT_ERROR, "out of memory");
    goto out;
  }
  if (logreg_predict_proba(m, ds, proba, &err) != LOGREG_OK) {
    cli_error(CLI_EXIT_ERROR, "%s", err.message);
    goto out;
  }
  FILE *f = stdout;
  if (output) {
    if (logreg_atomic_open(&af, output, &err) != LOGREG_OK) {
      cli_error(CLI_EXIT_ERROR, "--output: %s", err.message);
      goto out;
    }
    f = af.f;
  }
  if (json) {
    if (put_json_rows(f, ds, names, k, proba, threshold, dopt.id != NULL) != 0) {
      cli_error(CLI_EXIT_ERROR, "out of memory");
      goto out;
    }
    goto done;
  }
  if (dopt.id) {
    put_field(f, dopt.id);
    fputc(',', f);
  }
  fputs("label", f);
  if (want_proba)
    for (size_t c = 0; c < k; c++) {
      fputc(',', f);
      char name[512];
      snprintf(name, sizeof name, "p_%s", names[c]);
      put_field(f, name);
    }
  fputc('\n', f);
  for (size_t i = 0; i < n; i++) {
    const double *p = proba + i * k;
    size_t best = predicted(p, k, threshold);
    if (dopt.id) {
      put_field(f, logreg_dataset_id(ds, i));
      fputc(',', f);
    }
    put_field(f, names[best]);
    if (want_proba)
      for (size_t c = 0; c < k; c++) fprintf(f, ",%.9g", p[c]);
    fputc('\n', f);
  }
done:
  if (output) {
    if (logreg_atomic_commit(&af, &err) != LOGREG_OK) {
      cli_error(CLI_EXIT_ERROR, "--output: %s", err.message);
      goto out;
    }
  } else if (fflush(stdout) != 0 || ferror(stdout)) {
    cli_error(CLI_EXIT_ERROR, "cannot write to standard output");
    goto out;
  }
  rc = 0;
out:
  if (af.f) logreg_atomic_abort(&af);
  free(proba);
  logreg_dataset_free(ds);
  logreg_model_free(m);
  return rc;
}

int cmd_eval(int argc, char **argv) {
  cli_data_opts dopt = {0};
  const char *model_path = NULL;
  int json = 0;
  const arg_spec specs[] = {
      {"--model", ARG_STR, &model_path, "M.json", "the model to evaluate (required)"},
      {"--json", ARG_FLAG, &json, NULL, "print the metrics as one JSON object"},
      CLI_DATA_SPECS(dopt),
      CLI_MISSING_LABEL_SPEC(dopt),
      {NULL, ARG_FLAG, NULL, NULL, NULL}};
  const char *pos[1];
  size_t npos;
  int r = cli_parse("eval", "logreg eval --model M.json DATA [options]", specs, argc, argv, pos, 1,
                    &npos);
  if (r >= 0) return r;
  if (npos != 1) return cli_error(CLI_EXIT_USAGE, "eval needs one DATA file");
  if (!model_path) return cli_error(CLI_EXIT_USAGE, "--model is required");
  int rc = CLI_EXIT_ERROR;
  logreg_model *m = cli_load_model(model_path);
  logreg_dataset *ds = NULL;
  double *proba = NULL;
  logreg_metrics met = {0};
  logreg_error err;
  if (!m) goto out;
  if (!(ds = cli_read_for_model(pos[0], &dopt, m, 1))) goto out;
  size_t n = logreg_dataset_rows(ds), k = logreg_model_classes(m);
  const char *const *names = logreg_model_class_names(m);
  if (!(proba = malloc((n ? n : 1) * k * sizeof *proba))) {
    cli_error(CLI_EXIT_ERROR, "out of memory");
    goto out;
  }
  if (logreg_predict_proba(m, ds, proba, &err) != LOGREG_OK ||
      logreg_metrics_compute(logreg_dataset_y(ds), proba, n, k, &met, &err) != LOGREG_OK) {
    cli_error(CLI_EXIT_ERROR, "%s", err.message);
    goto out;
  }
  if (json) {
    if (report_json_puts(report_metrics_json(&met, names)) != 0) {
      cli_error(CLI_EXIT_ERROR, "out of memory");
      goto out;
    }
  } else {
    printf("%s on %s: %zu rows\n\n", model_path, pos[0], n);
    report_metrics_table(stdout, &met, names);
  }
  rc = 0;
out:
  free(proba);
  logreg_metrics_free(&met);
  logreg_dataset_free(ds);
  logreg_model_free(m);
  return rc;
}
