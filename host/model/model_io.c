/* model_io.c: the JSON model file (DESIGN.md §5): saving and loading, nothing else.
 *
 * Saving builds a cJSON tree and prints it with the exact JSON writer (util/json.h), because
 * cJSON's printer does not round-trip every double (it tries "%1.15g" first and mangles
 * subnormals). The file is read whole by lr_read_file (util/file.h), size-capped. Loading
 * first lifts the large arrays (names, scaler, imputer, weights) out of the text into flat
 * buffers (model_lift.h), reading numbers with strtod in the "C" locale as cJSON does, and
 * parses the small rest with cJSON: a tree node per number would cost 8-20 times the file.
 * Every value read is validated before it reaches the model, and every failure names the file
 * (and the line and column, or the key) in one line. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "model/model_lift.h"
#include "util/file.h"
#include "util/json.h"
#include "util/util.h"

/* A model file larger than this is refused before parsing: a dense model is a few hundred
 * kilobytes (784 x 10 Fashion-MNIST weights), a sparse one of 10^6 features x 3 classes about
 * 100 MB, and whatever cJSON parses (the rest, or a file the pre-pass cannot lift) costs several
 * times its size in memory, so a larger file is hostile or broken and must not exhaust memory. */
#define LR_MODEL_MAX_BYTES ((size_t)1 << 30)

/* 2^53: integers up to this are exact in a double, so JSON numbers hold them safely. */
#define LR_EXACT_INT_MAX 9007199254740992.0

/* ------------------------------------------------------------------------------------------ */
/* Save                                                                                        */
/* ------------------------------------------------------------------------------------------ */

static cJSON *number_array(const double *v, size_t n) {
  cJSON *a = cJSON_CreateArray();
  if (!a) return NULL;
  for (size_t i = 0; i < n; i++)
    if (!lr_json_put(a, NULL, cJSON_CreateNumber(v[i]))) {
      cJSON_Delete(a);
      return NULL;
    }
  return a;
}

/* Names as strings; a name never set (NULL) is written as its default ("0".."k-1" for classes,
 * "x0".. for features, as logreg_dataset_from_arrays names them) so the file stays loadable. */
static cJSON *name_array(char *const *names, size_t n, const char *prefix) {
  cJSON *a = cJSON_CreateArray();
  if (!a) return NULL;
  for (size_t i = 0; i < n; i++) {
    char def[48];
    const char *s = names[i];
    if (!s) {
      snprintf(def, sizeof def, "%s%zu", prefix, i);
      s = def;
    }
    if (!lr_json_put(a, NULL, cJSON_CreateString(s))) {
      cJSON_Delete(a);
      return NULL;
    }
  }
  return a;
}

static cJSON *string_or_null(const char *s) {
  return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *seed_json(uint64_t seed) {
  if (seed <= ((uint64_t)1 << 53)) return cJSON_CreateNumber((double)seed);
  /* Above 2^53 a JSON number would lose bits in every double-based reader. */
  char s[32];
  snprintf(s, sizeof s, "%llu", (unsigned long long)seed);
  return cJSON_CreateString(s);
}

/* scikit-learn's name of the penalty: "none" (lambda 0), "l2", "l1", "elasticnet". */
static const char *penalty_name(const lr_model_options *o) {
  if (o->l2 == 0) return "none";
  return o->l1_ratio == 0 ? "l2" : o->l1_ratio == 1 ? "l1" : "elasticnet";
}

static cJSON *options_json(const lr_model_options *o, size_t d) {
  cJSON *opt = cJSON_CreateObject(), *data = NULL;
  if (!opt) return NULL;
  int ok = lr_json_put(opt, "optimizer", string_or_null(o->optimizer)) &&
           lr_json_put(opt, "lr", cJSON_CreateNumber(o->lr)) &&
           lr_json_put(opt, "epochs", cJSON_CreateNumber((double)o->epochs)) &&
           lr_json_put(opt, "epochs_run", cJSON_CreateNumber((double)o->epochs_run)) &&
           lr_json_put(opt, "batch_size", cJSON_CreateNumber((double)o->batch_size)) &&
           lr_json_put(opt, "l2", cJSON_CreateNumber(o->l2)) &&
           lr_json_put(opt, "tol", cJSON_CreateNumber(o->tol)) &&
           lr_json_put(opt, "patience", cJSON_CreateNumber((double)o->patience)) &&
           lr_json_put(opt, "class_weight",
                       cJSON_CreateString(o->class_weight_balanced ? "balanced" : "none")) &&
           lr_json_put(opt, "pos_weight", cJSON_CreateNumber(o->pos_weight)) &&
           lr_json_put(opt, "scale", cJSON_CreateString(lr_scale_name(o->scale))) &&
           lr_json_put(opt, "penalty", cJSON_CreateString(penalty_name(o))) &&
           lr_json_put(opt, "l1_ratio", cJSON_CreateNumber(o->l1_ratio)) &&
           lr_json_put(opt, "penalty_scale",
                       cJSON_CreateString(o->raw_penalty ? "raw" : "standardized")) &&
           lr_json_put(opt, "fit_intercept", cJSON_CreateBool(o->no_intercept ? 0 : 1)) &&
           lr_json_put(opt, "seed", seed_json(o->seed)) &&
           lr_json_put(opt, "device", string_or_null(o->device));
  if (!ok) {
    cJSON_Delete(opt);
    return NULL;
  }
  data = cJSON_CreateObject();
  ok = lr_json_put(opt, "data", data) && lr_json_put(data, "format", string_or_null(o->format)) &&
       lr_json_put(data, "header", cJSON_CreateBool(o->header ? 1 : 0)) &&
       lr_json_put(data, "delimiter",
                   o->delimiter ? cJSON_CreateString((char[2]){o->delimiter, '\0'})
                                : cJSON_CreateNull()) &&
       lr_json_put(data, "n_columns", cJSON_CreateNumber((double)o->n_columns));
  if (ok) {
    cJSON *cols = cJSON_CreateNull();
    if (o->feature_columns) {
      cJSON_Delete(cols);
      cols = cJSON_CreateArray();
      for (size_t j = 0; cols && j < d; j++)
        if (!lr_json_put(cols, NULL, cJSON_CreateNumber((double)o->feature_columns[j]))) {
          cJSON_Delete(cols);
          cols = NULL;
        }
    }
    ok = lr_json_put(data, "feature_columns", cols) &&
         lr_json_put(data, "target_column",
                     o->target_column >= 0 ? cJSON_CreateNumber((double)o->target_column)
                                           : cJSON_CreateNull()) &&
         lr_json_put(data, "target", string_or_null(o->target_name));
  }
  /* How values were read; absent in models saved before they were kept. */
  if (ok && o->na_values) {
    cJSON *na = cJSON_CreateArray();
    ok = lr_json_put(data, "na_values", na);
    for (size_t i = 0; ok && i < o->n_na; i++)
      ok = lr_json_put(na, NULL, cJSON_CreateString(o->na_values[i]));
  }
  if (ok && o->decimal)
    ok = lr_json_put(data, "decimal", cJSON_CreateString((char[2]){o->decimal, '\0'}));
  if (!ok) {
    cJSON_Delete(opt);
    return NULL;
  }
  return opt;
}

static cJSON *split_json(const lr_split_metrics *s) {
  if (!s->present) return cJSON_CreateNull();
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  /* A non-finite loss (a diverged run) is printed as null by the serializer: never NaN. */
  if (!(lr_json_put(o, "loss", cJSON_CreateNumber(s->loss)) &&
        lr_json_put(o, "accuracy", cJSON_CreateNumber(s->accuracy)) &&
        lr_json_put(o, "rows", cJSON_CreateNumber((double)s->rows)))) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* "categorical": [{"column", "feature" (index of its first one-hot feature), "categories"}],
 * and "infrequent": true when the last category is the group of rare ones (LOGREG_INFREQUENT,
 * written "infrequent"). */
static cJSON *categorical_json(const logreg_model *m) {
  cJSON *a = cJSON_CreateArray();
  if (!a || !m->feature_categories) return a;
  for (size_t j = 0; j < m->d; j++) {
    if (!lr_model_category_starts(m, j)) continue;
    cJSON *o = cJSON_CreateObject(), *cats = NULL;
    int ok = lr_json_put(a, NULL, o) &&
             lr_json_put(o, "column", cJSON_CreateString(m->feature_sources[j])) &&
             lr_json_put(o, "feature", cJSON_CreateNumber((double)j)) &&
             lr_json_put(o, "categories", cats = cJSON_CreateArray());
    for (size_t q = j; ok && q < m->d &&
                       (q == j || (m->feature_categories[q] && !lr_model_category_starts(m, q)));
         q++) {
      int group = strcmp(m->feature_categories[q], LOGREG_INFREQUENT) == 0;
      ok = lr_json_put(cats, NULL,
                       cJSON_CreateString(group ? "infrequent" : m->feature_categories[q])) &&
           (!group || lr_json_put(o, "infrequent", cJSON_CreateTrue()));
    }
    if (!ok) {
      cJSON_Delete(a);
      return NULL;
    }
  }
  return a;
}

/* "metrics": {"train", "val", "test"}, each a split_json. */
static cJSON *metrics_json(const logreg_model *m) {
  cJSON *metrics = cJSON_CreateObject();
  size_t nz = 0, nw = m->d * lr_model_kw(m);
  for (size_t q = 0; m->w && q < nw; q++) nz += m->w[q] != 0;
  if (metrics && lr_json_put(metrics, "nonzero_coefficients", cJSON_CreateNumber((double)nz)) &&
      lr_json_put(metrics, "train", split_json(&m->train)) &&
      lr_json_put(metrics, "val", split_json(&m->val)) &&
      lr_json_put(metrics, "test", split_json(&m->test)))
    return metrics;
  cJSON_Delete(metrics);
  return NULL;
}

char *logreg_model_json_section(const logreg_model *m, const char *key) {
  if (!m || !key) return NULL;
  cJSON *o = NULL;
  if (strcmp(key, "options") == 0)
    o = options_json(&m->options, m->d);
  else if (strcmp(key, "metrics") == 0)
    o = metrics_json(m);
  else if (strcmp(key, "categorical") == 0)
    o = categorical_json(m);
  if (!o) return NULL;
  char *text = lr_json_print(o, 0);
  cJSON_Delete(o);
  return text;
}

/* The large arrays of the file, written straight from the model's buffers by lr_json_write:
 * the tree holds a placeholder for each, so saving never holds the file's text in memory. */
enum { ARR_FEATURES, ARR_MEAN, ARR_STD, ARR_MEDIAN, ARR_WEIGHTS, ARR_WEIGHTS_RAW, ARR_COUNT };

/* The whole model as a cJSON tree with placeholders for `arrays` (filled here; w_raw and b_raw
 * from lr_model_raw_weights, kept by the caller until the tree is written); NULL when out of
 * memory. */
static cJSON *model_json(const logreg_model *m, const double *w_raw, const double *b_raw,
                         lr_json_array *arrays) {
  size_t kw = lr_model_kw(m), d = m->d;
  arrays[ARR_FEATURES] = (lr_json_array){NULL, m->feature_names, "x", d, 0, 0};
  arrays[ARR_MEAN] = (lr_json_array){m->mean, NULL, NULL, d, 0, 0};
  arrays[ARR_STD] = (lr_json_array){m->std, NULL, NULL, d, 0, 0};
  arrays[ARR_MEDIAN] = (lr_json_array){m->median, NULL, NULL, d, 0, 0};
  arrays[ARR_WEIGHTS] = (lr_json_array){m->w, NULL, NULL, d, kw, 1};
  arrays[ARR_WEIGHTS_RAW] = (lr_json_array){w_raw, NULL, NULL, d, kw, 1};
  cJSON *root = cJSON_CreateObject();
  cJSON *scaler = NULL, *imputer = NULL;
  int ok = root != NULL;
  if (ok) {
    ok = lr_json_put(root, "format", cJSON_CreateNumber(LR_MODEL_FORMAT)) &&
         lr_json_put(root, "classes", name_array(m->class_names, m->k, "")) &&
         lr_json_put(root, "features", lr_json_placeholder(ARR_FEATURES)) &&
         lr_json_put(root, "binary", cJSON_CreateBool(m->binary ? 1 : 0)) &&
         lr_json_put(root, "categorical", categorical_json(m)) &&
         lr_json_put(root, "scaler", scaler = cJSON_CreateObject()) &&
         lr_json_put(scaler, "mean", lr_json_placeholder(ARR_MEAN)) &&
         lr_json_put(scaler, "std", lr_json_placeholder(ARR_STD)) &&
         lr_json_put(root, "imputer", imputer = cJSON_CreateObject()) &&
         lr_json_put(imputer, "median", lr_json_placeholder(ARR_MEDIAN)) &&
         lr_json_put(root, "weights", lr_json_placeholder(ARR_WEIGHTS)) &&
         lr_json_put(root, "bias", number_array(m->b, kw)) &&
         lr_json_put(root, "weights_raw", lr_json_placeholder(ARR_WEIGHTS_RAW)) &&
         lr_json_put(root, "bias_raw", number_array(b_raw, kw)) &&
         lr_json_put(root, "options", options_json(&m->options, m->d)) &&
         lr_json_put(root, "metrics", metrics_json(m));
  }
  if (!ok) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

/* Fails with the key and index of the first non-finite entry of v (rows x cols; cols == 0
 * for a vector), or the first entry <= 0 when `positive`. */
static logreg_status check_values(const char *path, const char *key, const double *v, size_t rows,
                                  size_t cols, int positive, logreg_error *err) {
  size_t n = cols ? rows * cols : rows;
  for (size_t i = 0; i < n; i++) {
    int bad = !isfinite(v[i]);
    if (!bad && positive && !(v[i] > 0)) bad = 2;
    if (!bad) continue;
    const char *what = bad == 1 ? "a non-finite value" : "a value <= 0";
    if (cols)
      return lr_fail(err, LOGREG_EINVAL, "%s: model has %s in %s[%zu][%zu]", path, what, key,
                     i / cols, i % cols);
    return lr_fail(err, LOGREG_EINVAL, "%s: model has %s in %s[%zu]", path, what, key, i);
  }
  return LOGREG_OK;
}

logreg_status logreg_model_save(const logreg_model *m, const char *path, logreg_error *err) {
  lr_error_clear(err);
  if (!m || !path)
    return lr_fail(err, LOGREG_EINVAL, "logreg_model_save: %s is NULL", m ? "path" : "model");
  /* Refuse what logreg_model_load would refuse, so a saved model always loads again. */
  if (m->k < 2 || m->d < 1 || (m->binary && m->k != 2))
    return lr_fail(err, LOGREG_EINVAL, "%s: model has %zu features and %zu classes%s", path, m->d,
                   m->k, m->binary ? " (binary needs exactly 2)" : " (needs >= 1 and >= 2)");
  size_t kw = lr_model_kw(m);
  logreg_status st;
  if ((st = check_values(path, "weights", m->w, m->d, kw, 0, err)) ||
      (st = check_values(path, "bias", m->b, kw, 0, 0, err)) ||
      (st = check_values(path, "scaler.mean", m->mean, m->d, 0, 0, err)) ||
      (st = check_values(path, "scaler.std", m->std, m->d, 0, 1, err)) ||
      (st = check_values(path, "imputer.median", m->median, m->d, 0, 0, err)))
    return st;

  double *w_raw = malloc(m->d * kw * sizeof *w_raw);
  double *b_raw = malloc(kw * sizeof *b_raw);
  lr_json_array arrays[ARR_COUNT];
  cJSON *root = NULL;
  if (w_raw && b_raw) {
    lr_model_raw_weights(m, w_raw, b_raw);
    root = model_json(m, w_raw, b_raw, arrays);
  }
  if (!root) {
    free(w_raw);
    free(b_raw);
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
  }

  /* Written as it is formatted: the file's text is never held whole (a 10^6-feature model's
   * is about 100 MB). */
  lr_atomic_file af;
  st = lr_atomic_open(&af, path, err);
  if (!st) {
    errno = 0;
    int w = lr_json_write(af.f, root, 1, arrays, ARR_COUNT);
    if (w == 0 && fputc('\n', af.f) == EOF) w = -2;
    int e = errno;
    if (w != 0) {
      lr_atomic_abort(&af);
      st = w == -1 ? lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path)
                   : lr_fail(err, LOGREG_EIO, "%s: write failed: %s", path,
                             e ? strerror(e) : "stream error");
    } else {
      st = lr_atomic_commit(&af, err);
    }
  }
  cJSON_Delete(root);
  free(w_raw);
  free(b_raw);
  return st;
}

/* ------------------------------------------------------------------------------------------ */
/* Load                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* 1-based line and column (in bytes) of offset `pos` in text. */
static void line_col(const char *text, size_t pos, size_t *line, size_t *col) {
  size_t l = 1, c = 1;
  for (size_t i = 0; i < pos; i++) {
    if (text[i] == '\n') {
      l++;
      c = 1;
    } else {
      c++;
    }
  }
  *line = l;
  *col = c;
}

/* The state of one load: where errors go and what to call the file in them. */
typedef struct loader {
  const char *path;
  logreg_error *err;
  lr_lift *lift; /* the arrays lifted out of the text before cJSON parsed the rest */
} loader;

/* The array lifted for `id`, or NULL when cJSON's tree holds it. */
static lr_lifted *lifted(loader *L, lr_lift_id id) {
  return id < LR_LIFT_COUNT && L->lift && L->lift->a[id].found ? &L->lift->a[id] : NULL;
}

static logreg_status missing(loader *L, const char *key) {
  return lr_fail(L->err, LOGREG_EPARSE, "%s: missing key \"%s\"", L->path, key);
}

static logreg_status bad_type(loader *L, const char *key, const char *what) {
  return lr_fail(L->err, LOGREG_EPARSE, "%s: \"%s\" must be %s", L->path, key, what);
}

static size_t array_len(const cJSON *a) {
  size_t n = 0;
  for (const cJSON *c = a->child; c; c = c->next) n++;
  return n;
}

/* An item that is absent or JSON null counts as not given for optional keys. */
static int absent(const cJSON *it) { return !it || cJSON_IsNull(it); }

static int is_finite_number(const cJSON *it) {
  return it && cJSON_IsNumber(it) && isfinite(it->valuedouble);
}

/* A finite integral number in [lo, hi] (both exact in a double). */
static int get_integer(const cJSON *it, double lo, double hi, double *out) {
  if (!is_finite_number(it)) return -1;
  double v = it->valuedouble;
  if (v != floor(v) || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

static logreg_status read_names(loader *L, const cJSON *arr, const char *key, char **names) {
  size_t i = 0;
  for (const cJSON *c = arr->child; c; c = c->next, i++) {
    if (!cJSON_IsString(c) || !c->valuestring)
      return lr_fail(L->err, LOGREG_EPARSE, "%s: \"%s\"[%zu] must be a string", L->path, key, i);
    names[i] = lr_strdup(c->valuestring);
    if (!names[i]) return lr_fail(L->err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  }
  return LOGREG_OK;
}

/* The feature names: a lifted array's block becomes the model's (one allocation, not d). */
static logreg_status read_features(loader *L, const cJSON *arr, logreg_model *m) {
  lr_lifted *a = lifted(L, LR_LIFT_FEATURES);
  if (!a) return read_names(L, arr, "features", m->feature_names);
  free(m->feature_names);
  m->feature_names = a->names;
  m->feature_name_block = a->block;
  a->names = NULL;
  a->block = NULL;
  return LOGREG_OK;
}

static int cmp_str_ptr(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Class names must be distinct: a label maps to exactly one class. Sorting copies of the
 * pointers keeps this O(k log k) however many classes a hostile file lists. */
static logreg_status check_distinct(loader *L, char **names, size_t n) {
  char **s = malloc(n * sizeof *s);
  if (!s) return lr_fail(L->err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  memcpy(s, names, n * sizeof *s);
  qsort(s, n, sizeof *s, cmp_str_ptr);
  for (size_t i = 1; i < n; i++)
    if (strcmp(s[i - 1], s[i]) == 0) {
      logreg_status st =
          lr_fail(L->err, LOGREG_EPARSE, "%s: \"classes\" lists \"%s\" twice", L->path, s[i]);
      free(s);
      return st;
    }
  free(s);
  return LOGREG_OK;
}

/* Fails like read_vector/read_matrix do for the first non-finite entry of a lifted array. */
static logreg_status check_finite(loader *L, const char *key, const double *v, size_t n,
                                  size_t cols) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i])) {
      if (cols)
        return lr_fail(L->err, LOGREG_EPARSE, "%s: \"%s\"[%zu][%zu] must be a finite number",
                       L->path, key, i / cols, i % cols);
      return lr_fail(L->err, LOGREG_EPARSE, "%s: \"%s\"[%zu] must be a finite number", L->path, key,
                     i);
    }
  return LOGREG_OK;
}

/* Moves a lifted array's numbers into *out (n of them), replacing the model's buffer. */
static void take_numbers(lr_lifted *a, double **out) {
  free(*out);
  *out = a->v;
  a->v = NULL;
}

static logreg_status read_vector(loader *L, const cJSON *arr, lr_lift_id id, const char *key,
                                 double **outp, size_t n) {
  lr_lifted *a = lifted(L, id);
  if (a ? a->n != n : (!cJSON_IsArray(arr) || array_len(arr) != n)) {
    char what[64];
    snprintf(what, sizeof what, "an array of %zu numbers", n);
    return bad_type(L, key, what);
  }
  if (a) {
    logreg_status st = check_finite(L, key, a->v, n, 0);
    if (!st) take_numbers(a, outp);
    return st;
  }
  double *out = *outp;
  size_t i = 0;
  for (const cJSON *c = arr->child; c; c = c->next, i++) {
    /* cJSON reads 1e999 as Infinity: refuse it like any non-number. */
    if (!is_finite_number(c))
      return lr_fail(L->err, LOGREG_EPARSE, "%s: \"%s\"[%zu] must be a finite number", L->path, key,
                     i);
    out[i] = c->valuedouble;
  }
  return LOGREG_OK;
}

static logreg_status read_matrix(loader *L, const cJSON *arr, lr_lift_id id, const char *key,
                                 double **outp, size_t rows, size_t cols) {
  lr_lifted *a = lifted(L, id);
  int ok;
  if (a) {
    ok = a->n == rows && (rows == 0 || a->cols == cols);
  } else {
    ok = cJSON_IsArray(arr) && array_len(arr) == rows;
    for (const cJSON *r = ok ? arr->child : NULL; r && ok; r = r->next)
      ok = cJSON_IsArray(r) && array_len(r) == cols;
  }
  if (!ok)
    return lr_fail(L->err, LOGREG_EPARSE, "%s: \"%s\" must have %zu rows of %zu numbers", L->path,
                   key, rows, cols);
  if (a) {
    logreg_status st = check_finite(L, key, a->v, rows * cols, cols);
    if (!st) take_numbers(a, outp);
    return st;
  }
  double *out = *outp;
  size_t i = 0;
  for (const cJSON *r = arr->child; r; r = r->next, i++) {
    size_t j = 0;
    for (const cJSON *c = r->child; c; c = c->next, j++) {
      if (!is_finite_number(c))
        return lr_fail(L->err, LOGREG_EPARSE, "%s: \"%s\"[%zu][%zu] must be a finite number",
                       L->path, key, i, j);
      out[i * cols + j] = c->valuedouble;
    }
  }
  return LOGREG_OK;
}

/* Optional string: absent/null leaves *out NULL. */
static logreg_status opt_string(loader *L, const cJSON *obj, const char *key, const char *name,
                                char **out) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (absent(it)) return LOGREG_OK;
  if (!cJSON_IsString(it) || !it->valuestring) return bad_type(L, name, "a string or null");
  *out = lr_strdup(it->valuestring);
  if (!*out) return lr_fail(L->err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  return LOGREG_OK;
}

/* Optional real number: absent leaves *out, null reads as NaN (how a non-finite value was
 * saved). */
static logreg_status opt_real(loader *L, const cJSON *obj, const char *key, const char *name,
                              double *out) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!it) return LOGREG_OK;
  if (cJSON_IsNull(it)) {
    *out = NAN;
    return LOGREG_OK;
  }
  if (!is_finite_number(it)) return bad_type(L, name, "a finite number or null");
  *out = it->valuedouble;
  return LOGREG_OK;
}

/* Optional integer in [lo, hi]: absent/null leaves *out. */
static logreg_status opt_integer(loader *L, const cJSON *obj, const char *key, const char *name,
                                 double lo, double hi, double *out) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (absent(it)) return LOGREG_OK;
  if (get_integer(it, lo, hi, out) != 0) {
    char what[96];
    snprintf(what, sizeof what, "an integer from %.0f to %.0f", lo, hi);
    return bad_type(L, name, what);
  }
  return LOGREG_OK;
}

static logreg_status read_seed(loader *L, const cJSON *it, uint64_t *out) {
  if (absent(it)) return LOGREG_OK;
  if (cJSON_IsString(it) && it->valuestring) {
    /* Seeds above 2^53 are saved as decimal strings. */
    const char *s = it->valuestring;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (s[0] >= '0' && s[0] <= '9' && *end == '\0' && errno != ERANGE && v <= UINT64_MAX) {
      *out = (uint64_t)v;
      return LOGREG_OK;
    }
  } else if (is_finite_number(it)) {
    double v = it->valuedouble;
    /* 2^64 itself does not fit; every integral double below it does. */
    if (v == floor(v) && v >= 0 && v < 18446744073709551616.0) {
      *out = (uint64_t)v;
      return LOGREG_OK;
    }
  }
  return bad_type(L, "options.seed", "a non-negative integer (number or decimal string)");
}

/* The missing markers and the decimal mark (absent in models saved before they were kept:
 * logreg_model_na_values and logreg_model_decimal give that time's). */
static logreg_status read_value_options(loader *L, const cJSON *data, lr_model_options *o) {
  const cJSON *na = cJSON_GetObjectItemCaseSensitive(data, "na_values");
  if (!absent(na)) {
    if (!cJSON_IsArray(na)) return bad_type(L, "options.data.na_values", "an array of strings");
    size_t n = array_len(na);
    if (!(o->na_values = calloc(n ? n : 1, sizeof *o->na_values)))
      return lr_fail(L->err, LOGREG_ENOMEM, "%s: out of memory", L->path);
    o->n_na = n;
    logreg_status st = read_names(L, na, "options.data.na_values", o->na_values);
    if (st) return st;
  }
  const cJSON *dm = cJSON_GetObjectItemCaseSensitive(data, "decimal");
  if (!absent(dm)) {
    const char *t = cJSON_IsString(dm) ? dm->valuestring : NULL;
    if (!t || !(strcmp(t, ".") == 0 || strcmp(t, ",") == 0))
      return bad_type(L, "options.data.decimal", "\".\", \",\" or null");
    o->decimal = t[0];
  }
  return LOGREG_OK;
}

static logreg_status read_data_options(loader *L, const cJSON *data, logreg_model *m) {
  lr_model_options *o = &m->options;
  if (absent(data)) return LOGREG_OK;
  if (!cJSON_IsObject(data)) return bad_type(L, "options.data", "an object or null");
  logreg_status st = opt_string(L, data, "format", "options.data.format", &o->format);
  if (st) return st;
  const cJSON *h = cJSON_GetObjectItemCaseSensitive(data, "header");
  if (!absent(h)) {
    if (!cJSON_IsBool(h)) return bad_type(L, "options.data.header", "true or false");
    o->header = cJSON_IsTrue(h) ? 1 : 0;
  }
  /* The CSV delimiter: ",", ";" or "\t" (null: unknown); models saved before it was kept (no
   * key) read CSV with ','. */
  const cJSON *dl = cJSON_GetObjectItemCaseSensitive(data, "delimiter");
  if (dl && !cJSON_IsNull(dl)) {
    const char *t = cJSON_IsString(dl) ? dl->valuestring : NULL;
    if (!t || !(strcmp(t, ",") == 0 || strcmp(t, ";") == 0 || strcmp(t, "\t") == 0))
      return bad_type(L, "options.data.delimiter", "\",\", \";\", \"\\t\" or null");
    o->delimiter = t[0];
  } else if (!dl && o->format && strcmp(o->format, "csv") == 0) {
    o->delimiter = ',';
  }
  double v = (double)o->n_columns;
  if ((st = opt_integer(L, data, "n_columns", "options.data.n_columns", 0, LR_EXACT_INT_MAX, &v)))
    return st;
  o->n_columns = (size_t)v;
  /* Column indices point into the data file: keep them inside its column count. */
  double col_max = o->n_columns ? (double)o->n_columns - 1 : LR_EXACT_INT_MAX;

  const cJSON *cols = cJSON_GetObjectItemCaseSensitive(data, "feature_columns");
  if (!absent(cols)) {
    if (!cJSON_IsArray(cols) || array_len(cols) != m->d) {
      char what[96];
      snprintf(what, sizeof what, "null or an array of %zu column indices", m->d);
      return bad_type(L, "options.data.feature_columns", what);
    }
    o->feature_columns = malloc(m->d * sizeof *o->feature_columns);
    if (!o->feature_columns) return lr_fail(L->err, LOGREG_ENOMEM, "%s: out of memory", L->path);
    size_t j = 0;
    for (const cJSON *c = cols->child; c; c = c->next, j++) {
      double x;
      if (get_integer(c, 0, col_max, &x) != 0)
        return lr_fail(L->err, LOGREG_EPARSE,
                       "%s: \"options.data.feature_columns\"[%zu] must be an integer from 0 to "
                       "%.0f",
                       L->path, j, col_max);
      o->feature_columns[j] = (size_t)x;
    }
  }
  v = -1;
  if ((st = opt_integer(L, data, "target_column", "options.data.target_column", 0, col_max, &v)))
    return st;
  o->target_column = (long)v;
  /* Optional (models before it have none): predict and eval find the label column by it. */
  if ((st = opt_string(L, data, "target", "options.data.target", &o->target_name))) return st;
  return read_value_options(L, data, o);
}

static logreg_status read_options(loader *L, const cJSON *opt, logreg_model *m) {
  lr_model_options *o = &m->options;
  o->pos_weight = 1.0; /* the neutral value when a file does not say */
  if (absent(opt)) return LOGREG_OK;
  if (!cJSON_IsObject(opt)) return bad_type(L, "options", "an object or null");
  logreg_status st;
  double v;
  if ((st = opt_string(L, opt, "optimizer", "options.optimizer", &o->optimizer)) ||
      (st = opt_string(L, opt, "device", "options.device", &o->device)) ||
      (st = opt_real(L, opt, "lr", "options.lr", &o->lr)) ||
      (st = opt_real(L, opt, "l2", "options.l2", &o->l2)) ||
      (st = opt_real(L, opt, "tol", "options.tol", &o->tol)) ||
      (st = opt_real(L, opt, "pos_weight", "options.pos_weight", &o->pos_weight)))
    return st;
  /* Models written before the defaults were made concrete (0cdb887, 2026-12-07) record the tol
   * they were given, 0, where lbfgs and newton stopped at 1e-6: read as the tolerance used. */
  logreg_optimizer used;
  if (o->tol == 0 && o->optimizer && logreg_optimizer_parse(o->optimizer, &used, NULL) == 0 &&
      logreg_optimizer_second_order(used))
    o->tol = 1e-6;
  v = 0;
  if ((st = opt_integer(L, opt, "epochs", "options.epochs", 0, INT_MAX, &v))) return st;
  o->epochs = (int)v;
  v = 0;
  if ((st = opt_integer(L, opt, "epochs_run", "options.epochs_run", 0, INT_MAX, &v))) return st;
  o->epochs_run = (int)v;
  v = 0;
  if ((st = opt_integer(L, opt, "patience", "options.patience", 0, INT_MAX, &v))) return st;
  o->patience = (int)v;
  v = 0;
  if ((st = opt_integer(L, opt, "batch_size", "options.batch_size", 0, LR_EXACT_INT_MAX, &v)))
    return st;
  o->batch_size = (size_t)v;
  const cJSON *cw = cJSON_GetObjectItemCaseSensitive(opt, "class_weight");
  if (!absent(cw)) {
    if (cJSON_IsString(cw) && cw->valuestring && strcmp(cw->valuestring, "balanced") == 0)
      o->class_weight_balanced = 1;
    else if (cJSON_IsString(cw) && cw->valuestring && strcmp(cw->valuestring, "none") == 0)
      o->class_weight_balanced = 0;
    else
      return bad_type(L, "options.class_weight", "\"none\" or \"balanced\"");
  }
  /* The scale: "penalty_scale", or in files before the L1 term "penalty" itself. */
  const cJSON *pen = cJSON_GetObjectItemCaseSensitive(opt, "penalty_scale");
  const cJSON *kind = cJSON_GetObjectItemCaseSensitive(opt, "penalty");
  if (absent(pen) && cJSON_IsString(kind) && kind->valuestring &&
      (strcmp(kind->valuestring, "raw") == 0 || strcmp(kind->valuestring, "standardized") == 0))
    pen = kind;
  if (!absent(pen)) {
    if (cJSON_IsString(pen) && pen->valuestring && strcmp(pen->valuestring, "raw") == 0)
      o->raw_penalty = 1;
    else if (!(cJSON_IsString(pen) && pen->valuestring &&
               strcmp(pen->valuestring, "standardized") == 0))
      return bad_type(L, "options.penalty_scale", "\"standardized\" or \"raw\"");
  }
  const cJSON *l1r = cJSON_GetObjectItemCaseSensitive(opt, "l1_ratio");
  if (!absent(l1r)) {
    if (!cJSON_IsNumber(l1r) || !(l1r->valuedouble >= 0 && l1r->valuedouble <= 1))
      return bad_type(L, "options.l1_ratio", "a number in [0, 1]");
    o->l1_ratio = l1r->valuedouble;
  }
  const cJSON *fi = cJSON_GetObjectItemCaseSensitive(opt, "fit_intercept");
  if (!absent(fi)) {
    if (!cJSON_IsBool(fi)) return bad_type(L, "options.fit_intercept", "true or false");
    o->no_intercept = cJSON_IsFalse(fi) ? 1 : 0;
  }
  const cJSON *sc = cJSON_GetObjectItemCaseSensitive(opt, "scale");
  if (!absent(sc)) { /* absent: std, the only scaling of models before it was recorded */
    if (!cJSON_IsString(sc) || !sc->valuestring || lr_scale_parse(sc->valuestring, &o->scale))
      return bad_type(L, "options.scale", "\"std\", \"maxabs\" or \"none\"");
  }
  if ((st = read_seed(L, cJSON_GetObjectItemCaseSensitive(opt, "seed"), &o->seed))) return st;
  return read_data_options(L, cJSON_GetObjectItemCaseSensitive(opt, "data"), m);
}

static logreg_status read_split(loader *L, const cJSON *metrics, const char *key,
                                lr_split_metrics *s) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(metrics, key);
  if (absent(it)) return LOGREG_OK;
  char name[32], sub[48];
  snprintf(name, sizeof name, "metrics.%s", key);
  if (!cJSON_IsObject(it)) return bad_type(L, name, "an object or null");
  s->loss = s->accuracy = NAN;
  logreg_status st;
  snprintf(sub, sizeof sub, "%s.loss", name);
  if ((st = opt_real(L, it, "loss", sub, &s->loss))) return st;
  snprintf(sub, sizeof sub, "%s.accuracy", name);
  if ((st = opt_real(L, it, "accuracy", sub, &s->accuracy))) return st;
  double rows = 0;
  snprintf(sub, sizeof sub, "%s.rows", name);
  if ((st = opt_integer(L, it, "rows", sub, 0, LR_EXACT_INT_MAX, &rows))) return st;
  s->rows = (size_t)rows;
  s->present = 1;
  return LOGREG_OK;
}

static logreg_status read_metrics(loader *L, const cJSON *metrics, logreg_model *m) {
  if (absent(metrics)) return LOGREG_OK;
  if (!cJSON_IsObject(metrics)) return bad_type(L, "metrics", "an object or null");
  logreg_status st;
  if ((st = read_split(L, metrics, "train", &m->train)) ||
      (st = read_split(L, metrics, "val", &m->val)) ||
      (st = read_split(L, metrics, "test", &m->test)))
    return st;
  return LOGREG_OK;
}

/* "categorical" (optional: models before it have none): each entry's features must be named
 * "column=category", in range and not shared with another entry. Sets the per-feature
 * categories and sources. */
static logreg_status read_categorical(loader *L, const cJSON *arr, logreg_model *m) {
  if (absent(arr)) return LOGREG_OK;
  if (!cJSON_IsArray(arr)) return bad_type(L, "categorical", "an array or null");
  if (!arr->child) return LOGREG_OK;
  size_t d = m->d;
  m->feature_categories = calloc(d, sizeof *m->feature_categories);
  m->feature_sources = calloc(d, sizeof *m->feature_sources);
  if (!m->feature_categories || !m->feature_sources)
    return lr_fail(L->err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  size_t e = 0;
  for (const cJSON *c = arr->child; c; c = c->next, e++) {
    const cJSON *col = cJSON_GetObjectItemCaseSensitive(c, "column");
    const cJSON *cats = cJSON_GetObjectItemCaseSensitive(c, "categories");
    double f;
    if (!cJSON_IsObject(c) || !cJSON_IsString(col) || !col->valuestring || !cJSON_IsArray(cats) ||
        !cats->child ||
        get_integer(cJSON_GetObjectItemCaseSensitive(c, "feature"), 0, (double)d - 1, &f) != 0)
      return lr_fail(L->err, LOGREG_EPARSE,
                     "%s: \"categorical\"[%zu] must be {\"column\": name, \"feature\": an index "
                     "below %zu, \"categories\": a non-empty array of names}",
                     L->path, e, d);
    const cJSON *inf = cJSON_GetObjectItemCaseSensitive(c, "infrequent");
    if (!absent(inf) && !cJSON_IsBool(inf))
      return lr_fail(L->err, LOGREG_EPARSE,
                     "%s: \"categorical\"[%zu].infrequent must be true or false", L->path, e);
    size_t j = (size_t)f, q = 0;
    for (const cJSON *k = cats->child; k; k = k->next, q++, j++) {
      if (!cJSON_IsString(k) || !k->valuestring)
        return lr_fail(L->err, LOGREG_EPARSE,
                       "%s: \"categorical\"[%zu].categories[%zu] must be a string", L->path, e, q);
      size_t a = strlen(col->valuestring);
      const char *name = j < d ? m->feature_names[j] : NULL;
      if (!name || m->feature_categories[j] || strncmp(name, col->valuestring, a) != 0 ||
          name[a] != '=' || strcmp(name + a + 1, k->valuestring) != 0)
        return lr_fail(
            L->err, LOGREG_EPARSE,
            "%s: \"categorical\"[%zu].categories[%zu]: feature %zu must be \"%.60s=%.60s\" "
            "(and no other column's)",
            L->path, e, q, j, col->valuestring, k->valuestring);
      int group = cJSON_IsTrue(inf) && !k->next; /* the last one: the group of rare ones */
      if (group && strcmp(k->valuestring, "infrequent") != 0)
        return lr_fail(L->err, LOGREG_EPARSE,
                       "%s: \"categorical\"[%zu]: with \"infrequent\" true the last category "
                       "must be \"infrequent\"",
                       L->path, e);
      if (!(m->feature_categories[j] = lr_strdup(group ? LOGREG_INFREQUENT : k->valuestring)) ||
          !(m->feature_sources[j] = lr_strdup(col->valuestring)))
        return lr_fail(L->err, LOGREG_ENOMEM, "%s: out of memory", L->path);
    }
  }
  for (size_t j = 0; j < d; j++)
    if (!m->feature_sources[j] && !(m->feature_sources[j] = lr_strdup(m->feature_names[j])))
      return lr_fail(L->err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  return LOGREG_OK;
}

/* A required key of the top-level object, or NULL after setting the "missing key" error. */
static const cJSON *need(loader *L, const cJSON *obj, const char *key, const char *name) {
  const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!it) missing(L, name);
  return it;
}

/* Builds the model from a parsed document. On failure *out stays NULL. */
static logreg_status model_from_json(loader *L, const cJSON *root, logreg_model **out) {
  *out = NULL;
  if (!cJSON_IsObject(root))
    return lr_fail(L->err, LOGREG_EPARSE, "%s: the top level must be a JSON object", L->path);

  const cJSON *fmt = need(L, root, "format", "format");
  if (!fmt) return LOGREG_EPARSE;
  if (!cJSON_IsNumber(fmt)) return bad_type(L, "format", "a number");
  if (fmt->valuedouble != LR_MODEL_FORMAT)
    return lr_fail(L->err, LOGREG_EUNSUPPORTED,
                   "%s: unsupported model format %g (this logreg reads format %d)", L->path,
                   fmt->valuedouble, LR_MODEL_FORMAT);

  const cJSON *classes = need(L, root, "classes", "classes");
  if (!classes) return LOGREG_EPARSE;
  if (!cJSON_IsArray(classes)) return bad_type(L, "classes", "an array of class names");
  size_t k = array_len(classes);
  if (k < 2)
    return lr_fail(L->err, LOGREG_EPARSE, "%s: \"classes\" must list at least 2 classes, not %zu",
                   L->path, k);
  const cJSON *features = need(L, root, "features", "features");
  if (!features) return LOGREG_EPARSE;
  lr_lifted *lifted_names = lifted(L, LR_LIFT_FEATURES);
  if (!lifted_names && !cJSON_IsArray(features))
    return bad_type(L, "features", "an array of feature names");
  size_t d = lifted_names ? lifted_names->n : array_len(features);
  if (d < 1) return bad_type(L, "features", "a non-empty array of feature names");
  const cJSON *binary = need(L, root, "binary", "binary");
  if (!binary) return LOGREG_EPARSE;
  if (!cJSON_IsBool(binary)) return bad_type(L, "binary", "true or false");
  int bin = cJSON_IsTrue(binary) ? 1 : 0;
  if (bin && k != 2)
    return lr_fail(L->err, LOGREG_EPARSE,
                   "%s: a binary model must have exactly 2 classes, \"classes\" lists %zu", L->path,
                   k);

  /* Look every required key up before allocating, so the common errors are cheap. */
  const cJSON *scaler = need(L, root, "scaler", "scaler");
  if (!scaler) return LOGREG_EPARSE;
  if (!cJSON_IsObject(scaler)) return bad_type(L, "scaler", "an object with \"mean\" and \"std\"");
  const cJSON *mean = need(L, scaler, "mean", "scaler.mean");
  if (!mean) return LOGREG_EPARSE;
  const cJSON *std = need(L, scaler, "std", "scaler.std");
  if (!std) return LOGREG_EPARSE;
  const cJSON *weights = need(L, root, "weights", "weights");
  if (!weights) return LOGREG_EPARSE;
  const cJSON *bias = need(L, root, "bias", "bias");
  if (!bias) return LOGREG_EPARSE;

  logreg_model *m = lr_model_alloc(d, k, bin);
  if (!m) return lr_fail(L->err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  size_t kw = lr_model_kw(m);
  logreg_status st;
  if ((st = read_names(L, classes, "classes", m->class_names)) ||
      (st = check_distinct(L, m->class_names, k)) || (st = read_features(L, features, m)) ||
      (st = read_categorical(L, cJSON_GetObjectItemCaseSensitive(root, "categorical"), m)) ||
      (st = read_vector(L, mean, LR_LIFT_MEAN, "scaler.mean", &m->mean, d)) ||
      (st = read_vector(L, std, LR_LIFT_STD, "scaler.std", &m->std, d)) ||
      (st = read_matrix(L, weights, LR_LIFT_WEIGHTS, "weights", &m->w, d, kw)) ||
      (st = read_vector(L, bias, LR_LIFT_COUNT, "bias", &m->b, kw)))
    goto fail;
  for (size_t j = 0; j < d; j++)
    if (!(m->std[j] > 0)) {
      st = lr_fail(L->err, LOGREG_EPARSE, "%s: \"scaler.std\"[%zu] must be > 0, not %g", L->path, j,
                   m->std[j]);
      goto fail;
    }

  /* Files without an imputer predate it: filling a missing value with the training mean is
   * what standardization maps to 0, the neutral choice. */
  const cJSON *imputer = cJSON_GetObjectItemCaseSensitive(root, "imputer");
  if (absent(imputer)) {
    memcpy(m->median, m->mean, d * sizeof *m->median);
  } else {
    if (!cJSON_IsObject(imputer)) {
      st = bad_type(L, "imputer", "an object with \"median\"");
      goto fail;
    }
    const cJSON *median = need(L, imputer, "median", "imputer.median");
    if (!median) {
      st = LOGREG_EPARSE;
      goto fail;
    }
    if ((st = read_vector(L, median, LR_LIFT_MEDIAN, "imputer.median", &m->median, d))) goto fail;
  }
  /* weights_raw/bias_raw are derived data for people and other tools; prediction recomputes
   * them from weights and scaler, so a stale or edited copy cannot mislead it. */
  if ((st = read_options(L, cJSON_GetObjectItemCaseSensitive(root, "options"), m)) ||
      (st = read_metrics(L, cJSON_GetObjectItemCaseSensitive(root, "metrics"), m)))
    goto fail;
  *out = m;
  return LOGREG_OK;
fail:
  logreg_model_free(m);
  return st;
}

logreg_status lr_model_parse(const char *name, const char *text, size_t len, logreg_model **out,
                             logreg_error *err) {
  return lr_model_parse_with(name, text, len, 1, out, err);
}

logreg_status lr_model_parse_with(const char *name, const char *text, size_t len, int lift,
                                  logreg_model **out, logreg_error *err) {
  lr_error_clear(err);
  if (!out) return lr_fail(err, LOGREG_EINVAL, "lr_model_parse: out is NULL");
  *out = NULL;
  if (!name || !text) return lr_fail(err, LOGREG_EINVAL, "lr_model_parse: name or text is NULL");
  if (len > LR_MODEL_MAX_BYTES)
    return lr_fail(err, LOGREG_EINVAL, "%s: file is too large for a model (over %zu MiB)", name,
                   LR_MODEL_MAX_BYTES >> 20);

  size_t first = 0;
  while (first < len &&
         (text[first] == ' ' || text[first] == '\t' || text[first] == '\n' || text[first] == '\r'))
    first++;
  if (first == len) return lr_fail(err, LOGREG_EPARSE, "%s: empty file", name);
  /* cJSON stops at a NUL byte; a file holding one is not JSON, so say where it is. */
  const char *nul = memchr(text, '\0', len);
  if (nul) {
    size_t line, col;
    line_col(text, (size_t)(nul - text), &line, &col);
    return lr_fail(err, LOGREG_EPARSE, "%s:%zu:%zu: malformed JSON (NUL byte)", name, line, col);
  }

  /* The large arrays first (model_lift.h): cJSON then builds a tree of the small rest only. */
  lr_lift lf;
  memset(&lf, 0, sizeof lf);
  if (lift && lr_lift_run(text, len, &lf) != 0)
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", name);
  const char *doc = lf.rest ? lf.rest : text;
  size_t doc_len = lf.rest ? lf.rest_len : len;

  /* The length includes the terminating NUL so that require_null_terminated rejects trailing
   * garbage after the object; cJSON's nesting limit keeps hostile depth harmless. The parse end
   * pointer is per call, unlike cJSON_GetErrorPtr's global. */
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(doc, doc_len + 1, &end, 1);
  if (!root) {
    size_t pos = (end && end >= doc && end <= doc + doc_len) ? (size_t)(end - doc) : doc_len;
    if (lf.rest) pos = lr_lift_original_pos(&lf, pos);
    lr_lift_free(&lf);
    size_t line, col;
    line_col(text, pos, &line, &col);
    /* cJSON puts an unterminated string's error at its start, not at the end: a text with
     * an odd number of (unescaped) quotes ends inside a string, which is a truncated file too. */
    size_t quotes = 0;
    for (size_t i = 0; i < len; i++) {
      if (text[i] == '\\' && quotes % 2)
        i++; /* an escape inside a string */
      else if (text[i] == '"')
        quotes++;
    }
    int eof = pos >= len || quotes % 2;
    return lr_fail(err, LOGREG_EPARSE, "%s:%zu:%zu: malformed JSON%s", name, line, col,
                   eof ? " (unexpected end of file)" : "");
  }
  loader L = {name, err, &lf};
  logreg_status st = model_from_json(&L, root, out);
  cJSON_Delete(root);
  lr_lift_free(&lf);
  return st;
}

logreg_status logreg_model_load(const char *path, logreg_model **out, logreg_error *err) {
  lr_error_clear(err);
  if (!out) return lr_fail(err, LOGREG_EINVAL, "logreg_model_load: out is NULL");
  *out = NULL;
  if (!path) return lr_fail(err, LOGREG_EINVAL, "logreg_model_load: path is NULL");
  char *text;
  size_t len;
  logreg_status st = lr_read_file(path, LR_MODEL_MAX_BYTES, "a model", &text, &len, err);
  if (st) return st;
  st = lr_model_parse(path, text, len, out, err);
  free(text);
  return st;
}
