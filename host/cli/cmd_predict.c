/* cmd_predict.c: `logreg predict` and `logreg eval`: load a model, read data the way the model
 * was trained (same features, same class names), and print predictions or metrics. */
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "cli.h"
#include "data/dataset.h"
#include "model/model.h"
#include "report.h"

/* Reads `path` for model `m`: the model's features (by name with a header, by file index
 * without), and when `labelled`, labels encoded to the model's classes. */
logreg_dataset *cli_read_for_model(const char *path, const cli_data_opts *o, const logreg_model *m,
                                   int labelled) {
  logreg_read_options ro;
  if (cli_read_options(o, &ro) != 0) return NULL;
  char target[32];
  if (!o->target && m->options.target_column >= 0) {
    snprintf(target, sizeof target, "%ld", m->options.target_column);
    ro.target = target;
  }
  ro.target_optional = !labelled;
  ro.feature_names = (const char *const *)m->feature_names;
  ro.n_features = m->d;
  ro.feature_columns = m->options.feature_columns;
  ro.n_columns = m->options.n_columns;
  if (labelled) {
    ro.class_names = (const char *const *)m->class_names;
    ro.n_classes = m->k;
  }
  logreg_dataset *ds = cli_read(path, &ro);
  if (!ds) return NULL;
  if (ds->d != m->d) {
    cli_error(CLI_EXIT_ERROR, "%s: %zu features, but the model expects %zu", path, ds->d, m->d);
    logreg_dataset_free(ds);
    return NULL;
  }
  if (labelled && !ds->y) {
    cli_error(CLI_EXIT_ERROR, "%s: no labels to evaluate against (see --target, --labels)", path);
    logreg_dataset_free(ds);
    return NULL;
  }
  return ds;
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

int cmd_predict(int argc, char **argv) {
  cli_data_opts dopt = {0};
  const char *model_path = NULL, *output = NULL;
  int want_proba = 0;
  const arg_spec specs[] = {
      {"--model", ARG_STR, &model_path, "M.json", "the model to apply (required)"},
      {"--proba", ARG_FLAG, &want_proba, NULL, "also print p_<class> for every class"},
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
  int rc = CLI_EXIT_ERROR;
  logreg_model *m = cli_load_model(model_path);
  logreg_dataset *ds = NULL;
  double *proba = NULL;
  lr_atomic_file af = {0};
  logreg_error err;
  if (!m) goto out;
  if (!(ds = cli_read_for_model(pos[0], &dopt, m, 0))) goto out;
  if (!(proba = malloc((ds->n ? ds->n : 1) * m->k * sizeof *proba))) {
    cli_error(CLI_EXIT_ERROR, "out of memory");
    goto out;
  }
  if (logreg_predict_proba(m, ds, proba, &err) != LOGREG_OK) {
    cli_error(CLI_EXIT_ERROR, "%s", err.message);
    goto out;
  }
  FILE *f = stdout;
  if (output) {
    if (lr_atomic_open(&af, output, &err) != LOGREG_OK) {
      cli_error(CLI_EXIT_ERROR, "--output: %s", err.message);
      goto out;
    }
    f = af.f;
  }
  fputs("label", f);
  if (want_proba)
    for (size_t c = 0; c < m->k; c++) {
      fputc(',', f);
      char name[512];
      snprintf(name, sizeof name, "p_%s", m->class_names[c]);
      put_field(f, name);
    }
  fputc('\n', f);
  for (size_t i = 0; i < ds->n; i++) {
    const double *p = proba + i * m->k;
    size_t best = 0;
    for (size_t c = 1; c < m->k; c++)
      if (p[c] > p[best]) best = c;
    put_field(f, m->class_names[best]);
    if (want_proba)
      for (size_t c = 0; c < m->k; c++) fprintf(f, ",%.9g", p[c]);
    fputc('\n', f);
  }
  if (output) {
    if (lr_atomic_commit(&af, &err) != LOGREG_OK) {
      cli_error(CLI_EXIT_ERROR, "--output: %s", err.message);
      goto out;
    }
  } else if (fflush(stdout) != 0 || ferror(stdout)) {
    cli_error(CLI_EXIT_ERROR, "cannot write to standard output");
    goto out;
  }
  rc = 0;
out:
  if (af.f) lr_atomic_abort(&af);
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
  if (!(proba = malloc((ds->n ? ds->n : 1) * m->k * sizeof *proba))) {
    cli_error(CLI_EXIT_ERROR, "out of memory");
    goto out;
  }
  if (logreg_predict_proba(m, ds, proba, &err) != LOGREG_OK ||
      logreg_metrics_compute(ds->y, proba, ds->n, m->k, &met, &err) != LOGREG_OK) {
    cli_error(CLI_EXIT_ERROR, "%s", err.message);
    goto out;
  }
  if (json) {
    if (report_json_puts(report_metrics_json(&met, (const char *const *)m->class_names)) != 0) {
      cli_error(CLI_EXIT_ERROR, "out of memory");
      goto out;
    }
  } else {
    printf("%s on %s: %zu rows\n\n", model_path, pos[0], ds->n);
    report_metrics_table(stdout, &met, (const char *const *)m->class_names);
  }
  rc = 0;
out:
  free(proba);
  logreg_metrics_free(&met);
  logreg_dataset_free(ds);
  logreg_model_free(m);
  return rc;
}
