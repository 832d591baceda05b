/* show_stats.c: the inference statistics of `logreg show --stats` and `train --stats` (show.h):
 * logreg_model_stats' table laid out as statsmodels' Logit / MNLogit summary() lays it out (one
 * block per coefficient vector: coef, std err, z, P>|z|, [0.025, 0.975]), or as JSON. */
#include <math.h>
#include <string.h>

#include "cli.h"
#include "show.h"

#define STATS_NAME_MAX 32        /* widest term column */
#define STATS_GRADIENT_NOTE 1e-5 /* max_gradient beyond which the model is not the data's fit */

static const char *const verdict_names[] = {[LOGREG_STATS_VALID] = "valid",
                                            [LOGREG_STATS_PENALIZED] = "penalized",
                                            [LOGREG_STATS_WEIGHTED] = "weighted",
                                            [LOGREG_STATS_COLLINEAR] = "collinear",
                                            [LOGREG_STATS_SEPARATION] = "separation"};

int show_stats_compute(const logreg_model *m, const logreg_dataset *ds, logreg_stats *s) {
  logreg_error err;
  if (logreg_model_stats(m, ds, s, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "--stats: %s", err.message);
  cli_flags(s->message, sizeof s->message); /* 'C' as --C */
  return 0;
}

/* Term t's name: the model's feature, or "(intercept)". */
static const char *term_name(const logreg_model *m, const logreg_stats *s, size_t t) {
  long j = s->term_feature[t];
  return j < 0 ? "(intercept)" : logreg_model_feature_name(m, (size_t)j);
}

/* The class of vector v: class v + 1 (against class 0). */
static const char *vector_class(const logreg_model *m, size_t v) {
  return logreg_model_class_name(m, v + 1);
}

/* The notes that qualify a table: rows left out, a model that is not the data's own fit, the
 * reference categories. */
static void stats_notes(FILE *f, const logreg_model *m, const logreg_stats *s) {
  if (s->rows_used < s->rows)
    fprintf(f,
            "  note: %zu of the %zu rows have no category of a one-hot column (a category the "
            "model does not know) and are left out\n",
            s->rows - s->rows_used, s->rows);
  if (s->max_gradient > STATS_GRADIENT_NOTE)
    fprintf(f,
            "  note: the model is not the maximum-likelihood fit of these rows (max |gradient| "
            "%.3g per row, in standard units; it was trained on other rows, or short of its "
            "tolerance): the statistics are those of its coefficients\n",
            s->max_gradient);
  if (s->n_references) {
    fprintf(f, "  reference categories (left out; the other categories are against them):");
    for (size_t r = 0; r < s->n_references; r++)
      fprintf(f, "%s %s", r ? "," : "", logreg_model_feature_name(m, s->references[r]));
    fputc('\n', f);
  }
}

void show_stats_text(FILE *f, const logreg_model *m, const logreg_stats *s, const char *data) {
  int binary = s->vectors == 1;
  fprintf(f,
          "statistics on %s: %zu rows, the observed information at the model's "
          "coefficients (statsmodels' %s)\n",
          data, s->rows_used, binary ? "Logit" : "MNLogit");
  if (s->verdict != LOGREG_STATS_VALID) {
    fprintf(f, "  none: %s\n", s->message);
    return;
  }
  fprintf(f, "  log-likelihood %.6g", s->log_likelihood);
  if (!isnan(s->ll_null))
    fprintf(f, ", LL-null %.6g, pseudo R-squared %.5g, LLR p-value %.5g (df %zu)", s->ll_null,
            s->pseudo_r2, s->llr_p_value, s->df_model);
  fputc('\n', f);
  stats_notes(f, m, s);
  size_t nw = strlen("(intercept)");
  for (size_t t = 0; t < s->terms; t++) {
    size_t l = strlen(term_name(m, s, t));
    if (l > nw) nw = l;
  }
  if (nw > STATS_NAME_MAX) nw = STATS_NAME_MAX;
  for (size_t v = 0; v < s->vectors; v++) {
    if (binary)
      fprintf(f, "  the log-odds of \"%s\" against \"%s\":\n", vector_class(m, v),
              logreg_model_class_name(m, 0));
    else
      fprintf(f, "  class \"%s\" against \"%s\" (the reference class):\n", vector_class(m, v),
              logreg_model_class_name(m, 0));
    fprintf(f, "  %-*s  %11s  %11s  %9s  %10s  %11s  %11s%s\n", (int)nw, "term", "coef", "std err",
            "z", "P>|z|", "[0.025", "0.975]", binary ? "   odds ratio" : "");
    for (size_t t = 0; t < s->terms; t++) {
      size_t q = v * s->terms + t;
      const char *name = term_name(m, s, t);
      if (strlen(name) > nw)
        fprintf(f, "  %.*s~", (int)nw - 1, name);
      else
        fprintf(f, "  %-*s", (int)nw, name);
      fprintf(f, "  %11.6g  %11.6g  %9.4g  %10.4g  %11.6g  %11.6g", s->coef[q], s->std_err[q],
              s->z[q], s->p_value[q], s->ci_low[q], s->ci_high[q]);
      if (binary) fprintf(f, "  %11.6g", exp(s->coef[q]));
      fputc('\n', f);
    }
  }
}

/* The table's rows as JSON, or null when the statistics are not valid. */
static cJSON *stats_table_json(const logreg_model *m, const logreg_stats *s) {
  if (s->verdict != LOGREG_STATS_VALID) return cJSON_CreateNull();
  cJSON *a = cJSON_CreateArray();
  for (size_t v = 0; a && v < s->vectors; v++)
    for (size_t t = 0; t < s->terms; t++) {
      size_t q = v * s->terms + t;
      cJSON *o = cJSON_CreateObject();
      cJSON_AddItemToArray(a, o);
      cJSON_AddStringToObject(o, "class", vector_class(m, v));
      cJSON_AddStringToObject(o, "term", term_name(m, s, t));
      cJSON_AddNumberToObject(o, "coef", s->coef[q]);
      cJSON_AddNumberToObject(o, "std_err", s->std_err[q]);
      cJSON_AddNumberToObject(o, "z", s->z[q]);
      cJSON_AddNumberToObject(o, "p_value", s->p_value[q]);
      cJSON_AddNumberToObject(o, "ci_low", s->ci_low[q]);
      cJSON_AddNumberToObject(o, "ci_high", s->ci_high[q]);
      if (s->vectors == 1) cJSON_AddNumberToObject(o, "odds_ratio", exp(s->coef[q]));
    }
  return a;
}

static cJSON *feature_list(const logreg_model *m, const size_t *idx, size_t n) {
  cJSON *a = cJSON_CreateArray();
  for (size_t i = 0; a && i < n; i++)
    cJSON_AddItemToArray(a, cJSON_CreateString(logreg_model_feature_name(m, idx[i])));
  return a;
}

cJSON *show_stats_json(const logreg_model *m, const logreg_stats *s, const char *data) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "data", data);
  cJSON_AddNumberToObject(o, "rows", (double)s->rows);
  cJSON_AddNumberToObject(o, "rows_used", (double)s->rows_used);
  cJSON_AddBoolToObject(o, "valid", s->verdict == LOGREG_STATS_VALID);
  cJSON_AddStringToObject(o, "verdict", verdict_names[s->verdict]);
  if (s->message[0])
    cJSON_AddStringToObject(o, "message", s->message);
  else
    cJSON_AddNullToObject(o, "message");
  cJSON_AddItemToObject(o, "involved", feature_list(m, s->involved, s->n_involved));
  cJSON_AddStringToObject(o, "reference_class", logreg_model_class_name(m, 0));
  cJSON_AddItemToObject(o, "reference_categories", feature_list(m, s->references, s->n_references));
  cJSON_AddNumberToObject(o, "log_likelihood", s->log_likelihood);
  cJSON_AddNumberToObject(o, "ll_null", s->ll_null); /* NaN prints as null */
  cJSON_AddNumberToObject(o, "pseudo_r2", s->pseudo_r2);
  cJSON_AddNumberToObject(o, "llr_p_value", s->llr_p_value);
  cJSON_AddNumberToObject(o, "df_model", (double)s->df_model);
  cJSON_AddNumberToObject(o, "max_gradient", s->max_gradient);
  cJSON_AddItemToObject(o, "table", stats_table_json(m, s));
  return o;
}
