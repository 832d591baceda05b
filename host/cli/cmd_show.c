/* cmd_show.c: `logreg show MODEL`: a model as people read it: the coefficients by feature name,
 * in the data's units and as trained, the odds ratios of a binary model, the intercepts, the
 * options it was trained with and the metrics it saved; with --stats DATA the inference table
 * of logreg_model_stats (standard errors, z, p-values, 95% intervals), which `train --stats`
 * prints too (show.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "report.h"
#include "show.h"

#define SHOW_NAME_MAX 32 /* widest term column: longer names are cut, ending in '~' */
#define SHOW_INTERCEPT "(intercept)"

/* Writes `s` left-aligned in `width` bytes, cut to width - 1 plus '~' when longer. */
static void put_name(FILE *f, const char *s, size_t width) {
  size_t len = strlen(s);
  if (len <= width)
    fprintf(f, "%s%*s", s, (int)(width - len), "");
  else
    fprintf(f, "%.*s~", (int)(width - 1), s);
}

/* The width of the term column: the longest of the names (and the intercept's), at most
 * SHOW_NAME_MAX. */
static size_t name_width(const logreg_model *m) {
  size_t w = strlen(SHOW_INTERCEPT);
  for (size_t j = 0; j < logreg_model_features(m); j++) {
    size_t l = strlen(logreg_model_feature_name(m, j));
    if (l > w) w = l;
  }
  return w > SHOW_NAME_MAX ? SHOW_NAME_MAX : w;
}

/* The model's own record: its options and metrics as the file holds them. */
typedef struct show_model {
  const char *path;
  logreg_model *m;
  cJSON *options, *metrics;
  int intercept;     /* options.fit_intercept (true when absent) */
  const char *scale; /* options.scale ("std" when absent) */
  size_t d, k, kw;
  double *w_raw, *b_raw, *w, *b; /* d x kw, kw: the data's units and as trained */
} show_model;

static void show_model_free(show_model *s) {
  logreg_model_free(s->m);
  cJSON_Delete(s->options);
  cJSON_Delete(s->metrics);
  free(s->w_raw);
  free(s->b_raw);
  free(s->w);
  free(s->b);
}

/* Loads the model and its record; 0, or the exit status after printing why. */
static int show_model_load(const char *path, show_model *s) {
  memset(s, 0, sizeof *s);
  s->path = path;
  if (!(s->m = cli_load_model(path))) return CLI_EXIT_ERROR;
  char *opt = logreg_model_json_section(s->m, "options");
  char *met = logreg_model_json_section(s->m, "metrics");
  s->options = opt ? cJSON_Parse(opt) : NULL;
  s->metrics = met ? cJSON_Parse(met) : NULL;
  free(opt);
  free(met);
  s->d = logreg_model_features(s->m);
  s->k = logreg_model_classes(s->m);
  s->kw = logreg_model_weight_columns(s->m);
  s->w_raw = malloc(s->d * s->kw * sizeof *s->w_raw);
  s->w = malloc(s->d * s->kw * sizeof *s->w);
  s->b_raw = malloc(s->kw * sizeof *s->b_raw);
  s->b = malloc(s->kw * sizeof *s->b);
  if (!s->options || !s->metrics || !s->w_raw || !s->w || !s->b_raw || !s->b)
    return cli_error(CLI_EXIT_ERROR, "out of memory");
  logreg_model_raw_weights(s->m, s->w_raw, s->b_raw);
  logreg_model_weights(s->m, s->w, s->b);
  const cJSON *fi = cJSON_GetObjectItemCaseSensitive(s->options, "fit_intercept");
  s->intercept = !cJSON_IsFalse(fi);
  const cJSON *sc = cJSON_GetObjectItemCaseSensitive(s->options, "scale");
  s->scale = cJSON_IsString(sc) ? sc->valuestring : "std";
  return 0;
}

/* What the "standardized" column means under the model's scale. */
static const char *scaled_units(const char *scale) {
  if (strcmp(scale, "maxabs") == 0) return "per largest |value| of the feature (--scale maxabs)";
  if (strcmp(scale, "none") == 0) return "as trained (--scale none: the data's units)";
  return "per standard deviation of the feature";
}

/* The first lines: what the model is. */
static void show_header(const show_model *s) {
  const logreg_model *m = s->m;
  printf("%s: %s logistic regression, %zu feature%s, %zu classes:", s->path,
         logreg_model_binary(m) ? "binary" : "multinomial", s->d, s->d == 1 ? "" : "s", s->k);
  for (size_t c = 0; c < s->k; c++)
    printf("%s \"%s\"", c ? "," : "", logreg_model_class_name(m, c));
  putchar('\n');
}

/* The coefficients of a binary model: one row per term, raw, standardized, odds ratio. */
static void show_binary_table(const show_model *s) {
  size_t nw = name_width(s->m);
  printf("\ncoefficients of the log-odds of \"%s\" (against \"%s\"); raw: per unit of the "
         "feature; standardized: %s; odds ratio: exp(raw)\n",
         logreg_model_class_name(s->m, 1), logreg_model_class_name(s->m, 0),
         scaled_units(s->scale));
  printf("  ");
  put_name(stdout, "term", nw);
  printf("  %13s  %13s  %13s\n", "raw", "standardized", "odds ratio");
  for (size_t r = s->intercept ? 0 : 1; r <= s->d; r++) {
    double raw = r ? s->w_raw[r - 1] : s->b_raw[0], st = r ? s->w[r - 1] : s->b[0];
    printf("  ");
    put_name(stdout, r ? logreg_model_feature_name(s->m, r - 1) : SHOW_INTERCEPT, nw);
    printf("  %13.6g  %13.6g  %13.6g\n", raw, st, exp(raw));
  }
}

/* The coefficients of a softmax model: one table in the data's units, one as trained, one
 * column per class. */
static void show_multinomial_tables(const show_model *s) {
  size_t nw = name_width(s->m);
  for (int scaled = 0; scaled < 2; scaled++) {
    if (!scaled)
      printf("\ncoefficients, raw: per unit of the feature (the softmax is over the classes' "
             "logits: only differences between classes are identified)\n");
    else
      printf("\ncoefficients, standardized: %s\n", scaled_units(s->scale));
    const double *w = scaled ? s->w : s->w_raw, *b = scaled ? s->b : s->b_raw;
    printf("  ");
    put_name(stdout, "term", nw);
    for (size_t c = 0; c < s->kw; c++) {
      printf("  ");
      const char *name = logreg_model_class_name(s->m, c);
      size_t l = strlen(name);
      if (l > 12)
        printf("%.11s~", name);
      else
        printf("%*s%s", (int)(13 - l), "", name);
    }
    putchar('\n');
    for (size_t r = s->intercept ? 0 : 1; r <= s->d; r++) {
      printf("  ");
      put_name(stdout, r ? logreg_model_feature_name(s->m, r - 1) : SHOW_INTERCEPT, nw);
      for (size_t c = 0; c < s->kw; c++) printf("  %13.6g", r ? w[(r - 1) * s->kw + c] : b[c]);
      putchar('\n');
    }
  }
}

/* A JSON value as text for people: strings bare, numbers short, null as "-". */
static void put_value(const cJSON *v) {
  if (cJSON_IsString(v)) {
    fputs(v->valuestring, stdout);
  } else if (cJSON_IsNumber(v)) {
    printf("%.10g", v->valuedouble);
  } else if (cJSON_IsBool(v)) {
    fputs(cJSON_IsTrue(v) ? "true" : "false", stdout);
  } else if (cJSON_IsNull(v)) {
    fputs("-", stdout);
  } else {
    char *t = logreg_json_print(v, 0);
    fputs(t ? t : "?", stdout);
    free(t);
  }
}

/* The options, one per line, nested objects flattened to "data.format". */
static void show_options(const cJSON *o, const char *prefix) {
  const cJSON *it;
  cJSON_ArrayForEach(it, o) {
    char key[128];
    snprintf(key, sizeof key, "%s%s", prefix, it->string);
    if (cJSON_IsObject(it)) {
      char sub[140];
      snprintf(sub, sizeof sub, "%s.", key);
      show_options(it, sub);
      continue;
    }
    printf("  %-22s ", key);
    put_value(it);
    putchar('\n');
  }
}

/* The saved metrics: one line per split, its fields in the file's order ("-": not measured),
 * and the model's own figures (nonzero_coefficients) as they are. */
static void show_metrics(const cJSON *metrics) {
  const cJSON *split;
  cJSON_ArrayForEach(split, metrics) {
    printf("  %-6s", split->string);
    if (cJSON_IsNumber(split)) { /* a figure of the model's own: nonzero_coefficients */
      putchar(' ');
      put_value(split);
      putchar('\n');
      continue;
    }
    if (!cJSON_IsObject(split)) {
      printf(" -\n");
      continue;
    }
    const cJSON *f;
    cJSON_ArrayForEach(f, split) {
      printf(" %s ", f->string);
      put_value(f);
    }
    putchar('\n');
  }
}

/* The coefficients as JSON: [{"term", "raw": [kw], "standardized": [kw] (, "odds_ratio")}]. */
static cJSON *coefficients_json(const show_model *s) {
  cJSON *a = cJSON_CreateArray();
  for (size_t r = s->intercept ? 0 : 1; a && r <= s->d; r++) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToArray(a, o);
    cJSON_AddStringToObject(o, "term", r ? logreg_model_feature_name(s->m, r - 1) : SHOW_INTERCEPT);
    const double *raw = r ? s->w_raw + (r - 1) * s->kw : s->b_raw;
    const double *st = r ? s->w + (r - 1) * s->kw : s->b;
    cJSON_AddItemToObject(o, "raw", cJSON_CreateDoubleArray(raw, (int)s->kw));
    cJSON_AddItemToObject(o, "standardized", cJSON_CreateDoubleArray(st, (int)s->kw));
    if (logreg_model_binary(s->m)) cJSON_AddNumberToObject(o, "odds_ratio", exp(raw[0]));
  }
  return a;
}

static cJSON *names_json(const char *const *names, size_t n) {
  cJSON *a = cJSON_CreateArray();
  for (size_t i = 0; a && i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateString(names[i]));
  return a;
}

/* show --json: one object on stdout; takes `stats` (may be NULL). */
static int show_json(show_model *s, cJSON *stats) {
  cJSON *j = cJSON_CreateObject();
  const logreg_model *m = s->m;
  cJSON_AddStringToObject(j, "model", s->path);
  cJSON_AddBoolToObject(j, "binary", logreg_model_binary(m));
  cJSON_AddItemToObject(j, "classes", names_json(logreg_model_class_names(m), s->k));
  cJSON_AddItemToObject(j, "features", names_json(logreg_model_feature_names(m), s->d));
  /* The class of each weight column: the positive class of a binary model, else every class. */
  cJSON_AddItemToObject(j, "columns",
                        names_json(logreg_model_class_names(m) + (s->kw == 1 ? 1 : 0), s->kw));
  cJSON_AddItemToObject(j, "coefficients", coefficients_json(s));
  cJSON_AddItemToObject(j, "options", s->options);
  cJSON_AddItemToObject(j, "metrics", s->metrics);
  s->options = s->metrics = NULL;
  if (stats) cJSON_AddItemToObject(j, "stats", stats);
  return report_json_puts(j) != 0 ? cli_error(CLI_EXIT_ERROR, "out of memory") : 0;
}

int cmd_show(int argc, char **argv) {
  cli_data_opts dopt = {0};
  const char *stats_path = NULL;
  int json = 0;
  const arg_spec specs[] = {
      {"--stats", ARG_STR, &stats_path, "DATA",
       "standard errors, z, p-values and 95% intervals of the coefficients on DATA's rows "
       "(labelled, read as predict reads; the training file for the model's own fit): "
       "unpenalized models only (train --C inf)"},
      {"--json", ARG_FLAG, &json, NULL, "print one JSON object"},
      CLI_DATA_SPECS(dopt),
      {NULL, ARG_FLAG, NULL, NULL, NULL}};
  const char *pos[1];
  size_t npos;
  int r = cli_parse("show", "logreg show MODEL [--stats DATA] [options]", specs, argc, argv, pos, 1,
                    &npos);
  if (r >= 0) return r;
  if (npos != 1)
    return cli_error(CLI_EXIT_USAGE, "show needs one MODEL file (see 'logreg show --help')");
  show_model s;
  logreg_stats st = {0};
  logreg_dataset *ds = NULL;
  cJSON *stats_json = NULL;
  int rc = show_model_load(pos[0], &s);
  if (rc == 0 && stats_path) {
    if (!(ds = cli_read_for_model(stats_path, &dopt, s.m, 1)))
      rc = CLI_EXIT_ERROR;
    else
      rc = show_stats_compute(s.m, ds, &st);
  }
  if (rc == 0 && json) {
    if (stats_path && !(stats_json = show_stats_json(s.m, &st, stats_path)))
      rc = cli_error(CLI_EXIT_ERROR, "out of memory");
    else
      rc = show_json(&s, stats_json);
  } else if (rc == 0) {
    show_header(&s);
    if (logreg_model_binary(s.m))
      show_binary_table(&s);
    else
      show_multinomial_tables(&s);
    printf("\noptions (as trained):\n");
    show_options(s.options, "");
    printf("\nmetrics (saved at training):\n");
    show_metrics(s.metrics);
    if (stats_path) {
      putchar('\n');
      show_stats_text(stdout, s.m, &st, stats_path);
    }
  }
  logreg_stats_free(&st);
  logreg_dataset_free(ds);
  show_model_free(&s);
  return rc;
}
