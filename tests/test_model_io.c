/* test_model_io.c: the JSON model file: bit-exact round trips (awkward doubles included),
 * atomic saves that refuse NaN and leave the old file alone, and one clear error for each kind
 * of broken file. */
#include <cJSON.h>
#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <sys/stat.h>

#include "check.h"
#include "model/model.h"
#include "util/util.h"

#define TMP_PREFIX "test_model_io"

static int same_bits(const double *a, const double *b, size_t n) {
  return memcmp(a, b, n * sizeof *a) == 0;
}

static void set_names(logreg_model *m, const char *const *classes, const char *prefix) {
  for (size_t c = 0; c < m->k; c++) m->class_names[c] = lr_strdup(classes[c]);
  for (size_t j = 0; j < m->d; j++) {
    char name[32];
    snprintf(name, sizeof name, "%s%zu", prefix, j);
    m->feature_names[j] = lr_strdup(name);
  }
}

/* A model full of doubles that naive printing gets wrong. */
static logreg_model *awkward_model(void) {
  const size_t d = 6, k = 3;
  logreg_model *m = lr_model_alloc(d, k, 0);
  CHECK(m != NULL);
  if (!m) return NULL;
  const char *classes[3] = {"setosa", "versi\"color\"", "virgin\\ica\n\tü"};
  set_names(m, classes, "feat ");
  static const double special[] = {0.1,    1.0 / 3.0, 1e-310,   -0.0,    1e300,         -1e-300,
                                   5e-324, DBL_MAX,   -DBL_MIN, 2.0 / 3, 123456789.125, 1e22};
  lr_rng rng;
  lr_rng_seed(&rng, 2024);
  for (size_t i = 0; i < d * k; i++) {
    if (i < sizeof special / sizeof special[0])
      m->w[i] = special[i];
    else /* random mantissa and a random exponent in [-300, 300] */
      m->w[i] = (lr_rng_uniform(&rng) - 0.5) * pow(10.0, (double)lr_rng_below(&rng, 601) - 300.0);
  }
  m->b[0] = 0.1 + 0.2;
  m->b[1] = -1.0 / 7.0;
  m->b[2] = 1e-320;
  for (size_t j = 0; j < d; j++) {
    m->mean[j] = lr_rng_normal(&rng) * 1000.0;
    m->median[j] = m->mean[j] + 1.0 / 3.0;
  }
  /* Tiny but positive stds, as a nearly constant column gives. */
  m->std[0] = 1e-12;
  m->std[1] = 3e-8;
  m->std[2] = 1.0 / 3.0;
  m->std[3] = 7.5;
  m->std[4] = 1e-200;
  m->std[5] = 1.0;
  lr_model_options *o = &m->options;
  o->optimizer = lr_strdup("adam");
  o->device = lr_strdup("cpu");
  o->format = lr_strdup("csv");
  o->lr = 0.01;
  o->l2 = 1.0 / 60000.0;
  o->tol = 1e-7;
  o->pos_weight = 1.5;
  o->epochs = 100;
  o->epochs_run = 37;
  o->patience = 5;
  o->batch_size = 256;
  o->seed = UINT64_MAX; /* above 2^53: saved as a string */
  o->class_weight_balanced = 1;
  o->header = 1;
  o->n_columns = 8;
  o->feature_columns = malloc(d * sizeof *o->feature_columns);
  if (o->feature_columns)
    for (size_t j = 0; j < d; j++) o->feature_columns[j] = j + 1; /* column 0 was an id */
  o->target_column = 7;
  CHECK(logreg_model_set_metrics(m, "train", 0.25, 0.9, 700, NULL) == LOGREG_OK);
  CHECK(logreg_model_set_metrics(m, "test", 1.0 / 3.0, 0.875, 150, NULL) == LOGREG_OK);
  return m;
}

static void check_same_model(const logreg_model *a, const logreg_model *b) {
  CHECK(a && b);
  if (!a || !b) return;
  CHECK(a->d == b->d && a->k == b->k && a->binary == b->binary);
  if (a->d != b->d || a->k != b->k || a->binary != b->binary) return;
  size_t kw = lr_model_kw(a);
  for (size_t c = 0; c < a->k; c++) CHECK(strcmp(a->class_names[c], b->class_names[c]) == 0);
  for (size_t j = 0; j < a->d; j++) CHECK(strcmp(a->feature_names[j], b->feature_names[j]) == 0);
  CHECK(same_bits(a->w, b->w, a->d * kw));
  CHECK(same_bits(a->b, b->b, kw));
  CHECK(same_bits(a->mean, b->mean, a->d));
  CHECK(same_bits(a->std, b->std, a->d));
  CHECK(same_bits(a->median, b->median, a->d));
  /* What prediction in original units uses must match too. */
  double *wa = malloc(a->d * kw * sizeof *wa), *wb = malloc(a->d * kw * sizeof *wb);
  double ba[8], bb[8];
  if (wa && wb && kw <= 8) {
    lr_model_raw_weights(a, wa, ba);
    lr_model_raw_weights(b, wb, bb);
    CHECK(same_bits(wa, wb, a->d * kw) && same_bits(ba, bb, kw));
  }
  free(wa);
  free(wb);
  const lr_model_options *x = &a->options, *y = &b->options;
  CHECK((x->optimizer == NULL) == (y->optimizer == NULL));
  if (x->optimizer && y->optimizer) CHECK(strcmp(x->optimizer, y->optimizer) == 0);
  if (x->device && y->device) CHECK(strcmp(x->device, y->device) == 0);
  if (x->format && y->format) CHECK(strcmp(x->format, y->format) == 0);
  CHECK(same_bits(&x->lr, &y->lr, 1) && same_bits(&x->l2, &y->l2, 1));
  CHECK(same_bits(&x->tol, &y->tol, 1) && same_bits(&x->pos_weight, &y->pos_weight, 1));
  CHECK(x->epochs == y->epochs && x->epochs_run == y->epochs_run && x->patience == y->patience);
  CHECK(x->batch_size == y->batch_size && x->seed == y->seed);
  CHECK(x->class_weight_balanced == y->class_weight_balanced && x->header == y->header);
  CHECK(x->n_columns == y->n_columns && x->target_column == y->target_column);
  CHECK((x->feature_columns == NULL) == (y->feature_columns == NULL));
  if (x->feature_columns && y->feature_columns)
    CHECK(memcmp(x->feature_columns, y->feature_columns, a->d * sizeof(size_t)) == 0);
  const lr_split_metrics *sa[3] = {&a->train, &a->val, &a->test};
  const lr_split_metrics *sb[3] = {&b->train, &b->val, &b->test};
  for (int i = 0; i < 3; i++) {
    CHECK(sa[i]->present == sb[i]->present);
    if (sa[i]->present && sb[i]->present) {
      CHECK(same_bits(&sa[i]->loss, &sb[i]->loss, 1));
      CHECK(same_bits(&sa[i]->accuracy, &sb[i]->accuracy, 1));
      CHECK(sa[i]->rows == sb[i]->rows);
    }
  }
}

static void test_round_trip(void) {
  char p1[600], p2[600];
  logreg_error err;
  logreg_model *m = awkward_model();
  if (!m) return;
  check_tmp_path(p1, sizeof p1, TMP_PREFIX, "rt.json");
  CHECK(logreg_model_save(m, p1, &err) == LOGREG_OK);
  logreg_model *back = NULL;
  CHECK(logreg_model_load(p1, &back, &err) == LOGREG_OK);
  if (!back) fprintf(stderr, "load: %s\n", err.message);
  check_same_model(m, back);
  CHECK(logreg_model_features(back) == 6 && logreg_model_classes(back) == 3);
  CHECK(!logreg_model_binary(back));
  CHECK(strcmp(logreg_model_class_name(back, 1), "versi\"color\"") == 0);
  CHECK(strcmp(logreg_model_feature_name(back, 5), "feat 5") == 0);
  CHECK(logreg_model_class_name(back, 3) == NULL && logreg_model_feature_name(back, 6) == NULL);

  /* Saving what was loaded gives the same bytes: nothing drifts across generations. */
  check_tmp_path(p2, sizeof p2, TMP_PREFIX, "rt2.json");
  CHECK(logreg_model_save(back, p2, &err) == LOGREG_OK);
  size_t n1, n2;
  char *t1 = check_read_file(p1, &n1), *t2 = check_read_file(p2, &n2);
  CHECK(t1 && t2 && n1 == n2 && memcmp(t1, t2, n1) == 0);

  /* The layout DESIGN.md §5 promises, and never NaN/Infinity even where weights_raw
   * overflows (a weight of 1e300 over a std of 1e-12). */
  if (t1) {
    CHECK(!strstr(t1, "nan") && !strstr(t1, "NaN") && !strstr(t1, "inf"));
    cJSON *doc = cJSON_Parse(t1);
    CHECK(doc != NULL);
    static const char *const keys[] = {"format",      "classes",  "features", "binary",
                                       "scaler",      "imputer",  "weights",  "bias",
                                       "weights_raw", "bias_raw", "options",  "metrics"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
      if (!cJSON_GetObjectItemCaseSensitive(doc, keys[i])) {
        fprintf(stderr, "missing top-level key %s\n", keys[i]);
        CHECK(0);
      }
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(doc, "format");
    CHECK(cJSON_IsNumber(fmt) && fmt->valuedouble == LR_MODEL_FORMAT);
    const cJSON *opt = cJSON_GetObjectItemCaseSensitive(doc, "options");
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(opt, "seed");
    CHECK(cJSON_IsString(seed) && strcmp(seed->valuestring, "18446744073709551615") == 0);
    const cJSON *cw = cJSON_GetObjectItemCaseSensitive(opt, "class_weight");
    CHECK(cJSON_IsString(cw) && strcmp(cw->valuestring, "balanced") == 0);
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(opt, "data");
    CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(data, "target_column")));
    CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(data, "feature_columns")));
    const cJSON *met = cJSON_GetObjectItemCaseSensitive(doc, "metrics");
    CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(met, "val")));
    CHECK(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(met, "train")));
    /* weights_raw[2][0] = w / std = 1e-310 / (1/3), as lr_model_raw_weights computes it. */
    const cJSON *wr = cJSON_GetObjectItemCaseSensitive(doc, "weights_raw");
    const cJSON *wr20 = cJSON_GetArrayItem(cJSON_GetArrayItem(wr, 2), 0);
    CHECK(cJSON_IsNumber(wr20) && wr20->valuedouble == m->w[6] / m->std[2]);
    cJSON_Delete(doc);
  }
  free(t1);
  free(t2);
  logreg_model_free(back);
  logreg_model_free(m);
  CHECK(check_leftover_tmp(TMP_PREFIX, "rt") == 0);
}

static void test_binary_round_trip(void) {
  char p[600];
  logreg_error err;
  logreg_model *m = lr_model_alloc(2, 2, 1);
  CHECK(m != NULL);
  if (!m) return;
  const char *classes[2] = {"benign", "malignant"};
  set_names(m, classes, "x");
  m->w[0] = -2.5;
  m->w[1] = 0.7071067811865476;
  m->b[0] = 0.44;
  m->mean[0] = 15.1;
  m->mean[1] = 15.3;
  m->std[0] = 2.9;
  m->std[1] = 1.1;
  m->median[0] = 14.9;
  m->median[1] = 15.2;
  m->options.seed = 42; /* small seeds stay numbers */
  check_tmp_path(p, sizeof p, TMP_PREFIX, "bin.json");
  CHECK(logreg_model_save(m, p, &err) == LOGREG_OK);
  logreg_model *back = NULL;
  CHECK(logreg_model_load(p, &back, &err) == LOGREG_OK);
  check_same_model(m, back);
  CHECK(logreg_model_binary(back) == 1 && logreg_model_classes(back) == 2);
  char *t = check_read_file(p, NULL);
  CHECK_STR_CONTAINS(t, "\"seed\": 42,");
  CHECK_STR_CONTAINS(t, "\"binary\": true");
  CHECK_STR_CONTAINS(t, "\"feature_columns\": null");
  free(t);
  logreg_model_free(back);
  logreg_model_free(m);
}

static void test_save_errors(void) {
  char p[600];
  logreg_error err;
  logreg_model *m = awkward_model();
  if (!m) return;
  check_tmp_path(p, sizeof p, TMP_PREFIX, "keep.json");
  CHECK(logreg_model_save(m, p, &err) == LOGREG_OK);
  size_t n0;
  char *before = check_read_file(p, &n0);

  /* A NaN weight: refused, naming where it is; the existing file stays as it was. */
  m->w[3 * 3 + 1] = NAN;
  CHECK(logreg_model_save(m, p, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "non-finite value in weights[3][1]");
  CHECK_STR_CONTAINS(err.message, p);
  m->w[3 * 3 + 1] = 0.5;
  m->b[2] = INFINITY;
  CHECK(logreg_model_save(m, p, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "bias[2]");
  m->b[2] = 0;
  m->std[4] = 0.0;
  CHECK(logreg_model_save(m, p, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "scaler.std[4]");
  m->std[4] = 1;
  m->median[1] = NAN;
  CHECK(logreg_model_save(m, p, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "imputer.median[1]");
  m->median[1] = 0;
  m->mean[0] = -INFINITY;
  CHECK(logreg_model_save(m, p, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "scaler.mean[0]");
  m->mean[0] = 0;
  size_t n1;
  char *after = check_read_file(p, &n1);
  CHECK(before && after && n0 == n1 && memcmp(before, after, n0) == 0);
  free(before);
  free(after);

  /* A missing directory: the message names the path and the system's reason. */
  char bad[700];
  check_tmp_path(bad, sizeof bad, TMP_PREFIX, "no_such_dir/model.json");
  CHECK(logreg_model_save(m, bad, &err) == LOGREG_EIO);
  CHECK_STR_CONTAINS(err.message, bad);
  CHECK_STR_CONTAINS(err.message, strerror(ENOENT));

  /* Shapes that could not be loaded back are refused on save. */
  m->binary = 1; /* k = 3 */
  CHECK(logreg_model_save(m, p, &err) == LOGREG_EINVAL);
  m->binary = 0;
  CHECK(logreg_model_save(NULL, p, &err) == LOGREG_EINVAL);
  CHECK(logreg_model_save(m, NULL, &err) == LOGREG_EINVAL);
  CHECK(check_leftover_tmp(TMP_PREFIX, "keep") == 0);
  logreg_model_free(m);
}

/* A small valid model file as a cJSON document, for the tests to break one key at a time. */
static cJSON *small_doc(void) {
  char p[600];
  logreg_model *m = lr_model_alloc(3, 2, 0);
  if (!m) return NULL;
  const char *classes[2] = {"no", "yes"};
  set_names(m, classes, "f");
  for (size_t i = 0; i < 6; i++) m->w[i] = (double)i * 0.5;
  logreg_error err;
  check_tmp_path(p, sizeof p, TMP_PREFIX, "small.json");
  CHECK(logreg_model_save(m, p, &err) == LOGREG_OK);
  logreg_model_free(m);
  char *text = check_read_file(p, NULL);
  cJSON *doc = text ? cJSON_Parse(text) : NULL;
  free(text);
  CHECK(doc != NULL);
  return doc;
}

/* Writes `doc` (deleted here) to a file, loads it, and checks the failure message. */
static void expect_load_error(cJSON *doc, const char *needle, int line) {
  char p[600];
  check_tmp_path(p, sizeof p, TMP_PREFIX, "broken.json");
  char *text = doc ? cJSON_Print(doc) : NULL;
  cJSON_Delete(doc);
  if (!text) {
    CHECK(0);
    return;
  }
  check_write_file(p, text, strlen(text));
  free(text);
  logreg_model *m = NULL;
  logreg_error err;
  logreg_status st = logreg_model_load(p, &m, &err);
  if (st == LOGREG_OK || !strstr(err.message, needle) || !strstr(err.message, p)) {
    fprintf(stderr, "line %d: expected an error with \"%s\", got status %d \"%s\"\n", line, needle,
            (int)st, err.message);
    CHECK(0);
  }
  CHECK(m == NULL);
  logreg_model_free(m);
}

static void expect_text_error(const char *text, size_t len, const char *needle, int line) {
  char p[600];
  check_tmp_path(p, sizeof p, TMP_PREFIX, "broken.json");
  check_write_file(p, text, len);
  logreg_model *m = NULL;
  logreg_error err;
  logreg_status st = logreg_model_load(p, &m, &err);
  if (st == LOGREG_OK || !strstr(err.message, needle) || !strstr(err.message, p) ||
      strchr(err.message, '\n')) {
    fprintf(stderr, "line %d: expected an error with \"%s\", got status %d \"%s\"\n", line, needle,
            (int)st, err.message);
    CHECK(0);
  }
  CHECK(m == NULL);
}

#define BREAK(doc_expr, needle)                                                                    \
  do {                                                                                             \
    cJSON *d_ = small_doc();                                                                       \
    if (d_) {                                                                                      \
      doc_expr;                                                                                    \
      expect_load_error(d_, needle, __LINE__);                                                     \
    }                                                                                              \
  } while (0)

static void replace(cJSON *obj, const char *key, cJSON *item) {
  cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
}

static void test_load_errors(void) {
  char p[600];
  logreg_model *m = NULL;
  logreg_error err;

  check_tmp_path(p, sizeof p, TMP_PREFIX, "does_not_exist.json");
  CHECK(logreg_model_load(p, &m, &err) == LOGREG_EIO);
  CHECK_STR_CONTAINS(err.message, p);
  CHECK_STR_CONTAINS(err.message, strerror(ENOENT));
  CHECK(m == NULL);

  expect_text_error("", 0, "empty file", __LINE__);
  expect_text_error(" \n\t\n", 4, "empty file", __LINE__);
  expect_text_error("hello", 5, ":1:1: malformed JSON", __LINE__);
  const char *bad3 = "{\n  \"format\": 1,\n  \"classes\": [\"a\" \"b\"]\n}\n";
  expect_text_error(bad3, strlen(bad3), ":3:", __LINE__);
  expect_text_error("{\"format\": 1} trailing", 22, ":1:15: malformed JSON", __LINE__);
  expect_text_error("{\"format\"\0: 1}", 14, ":1:10: malformed JSON (NUL byte)", __LINE__);
  expect_text_error("[1, 2]", 6, "top level must be a JSON object", __LINE__);
  expect_text_error("{}", 2, "missing key \"format\"", __LINE__);
  /* Cut inside a string (cJSON points at the string's start): still a truncated file. */
  const char *cut1 = "{\"format\": 1, \"cla", *cut2 = "{\"a\\\"b\": \"c\\\"";
  expect_text_error(cut1, strlen(cut1), "malformed JSON (unexpected end of file)", __LINE__);
  expect_text_error(cut2, strlen(cut2), "malformed JSON (unexpected end of file)", __LINE__);

  /* Truncated halfway through a valid file. */
  size_t n;
  check_tmp_path(p, sizeof p, TMP_PREFIX, "small.json");
  char *good = check_read_file(p, &n);
  if (!good) {
    cJSON_Delete(small_doc());
    good = check_read_file(p, &n);
  }
  CHECK(good != NULL);
  if (good) {
    expect_text_error(good, n / 2, "malformed JSON (unexpected end of file)", __LINE__);
    expect_text_error(good, n - 3, "malformed JSON", __LINE__);
  }
  free(good);

  /* Hostile shapes must fail cleanly, not crash: 100000 nested arrays, a huge array. */
  size_t deep = 100000;
  char *nest = malloc(2 * deep + 1);
  if (nest) {
    memset(nest, '[', deep);
    memset(nest + deep, ']', deep);
    expect_text_error(nest, 2 * deep, "malformed JSON", __LINE__);
    free(nest);
  }
  size_t big = 1000000;
  char *arr = malloc(big * 4 + 64);
  if (arr) {
    size_t len = (size_t)sprintf(arr, "{\"format\":1,\"classes\":[");
    for (size_t i = 0; i < big; i++)
      len += (size_t)sprintf(arr + len, "\"%c\",", 'a' + (int)(i % 26));
    len += (size_t)sprintf(arr + len, "\"z\"]}");
    expect_text_error(arr, len, "missing key \"features\"", __LINE__);
    free(arr);
  }

  BREAK(replace(d_, "format", cJSON_CreateNumber(999)), "unsupported model format 999");
  BREAK(replace(d_, "format", cJSON_CreateString("1")), "\"format\" must be a number");
  BREAK(cJSON_DeleteItemFromObject(d_, "weights"), "missing key \"weights\"");
  BREAK(cJSON_DeleteItemFromObject(d_, "bias"), "missing key \"bias\"");
  BREAK(cJSON_DeleteItemFromObject(d_, "classes"), "missing key \"classes\"");
  BREAK(cJSON_DeleteItemFromObject(d_, "features"), "missing key \"features\"");
  BREAK(cJSON_DeleteItemFromObject(d_, "binary"), "missing key \"binary\"");
  BREAK(cJSON_DeleteItemFromObject(d_, "scaler"), "missing key \"scaler\"");
  BREAK(cJSON_DeleteItemFromObject(cJSON_GetObjectItem(d_, "scaler"), "std"),
        "missing key \"scaler.std\"");
  BREAK(cJSON_DeleteItemFromObject(cJSON_GetObjectItem(d_, "imputer"), "median"),
        "missing key \"imputer.median\"");
  /* Wrong shapes. */
  BREAK(cJSON_DeleteItemFromArray(cJSON_GetObjectItem(d_, "weights"), 1),
        "\"weights\" must have 3 rows of 2 numbers");
  BREAK(cJSON_DeleteItemFromArray(cJSON_GetArrayItem(cJSON_GetObjectItem(d_, "weights"), 2), 0),
        "\"weights\" must have 3 rows of 2 numbers");
  BREAK(replace(d_, "weights", cJSON_CreateString("oops")),
        "\"weights\" must have 3 rows of 2 numbers");
  BREAK(cJSON_ReplaceItemInArray(cJSON_GetArrayItem(cJSON_GetObjectItem(d_, "weights"), 1), 1,
                                 cJSON_CreateString("0.5")),
        "\"weights\"[1][1] must be a finite number");
  BREAK(cJSON_ReplaceItemInArray(cJSON_GetObjectItem(d_, "bias"), 0, cJSON_CreateNull()),
        "\"bias\"[0] must be a finite number");
  BREAK(cJSON_AddItemToArray(cJSON_GetObjectItem(d_, "bias"), cJSON_CreateNumber(1)),
        "\"bias\" must be an array of 2 numbers");
  BREAK(
      cJSON_DeleteItemFromArray(cJSON_GetObjectItem(cJSON_GetObjectItem(d_, "scaler"), "mean"), 0),
      "\"scaler.mean\" must be an array of 3 numbers");
  BREAK(cJSON_ReplaceItemInArray(cJSON_GetObjectItem(cJSON_GetObjectItem(d_, "scaler"), "std"), 1,
                                 cJSON_CreateNumber(0)),
        "\"scaler.std\"[1] must be > 0");
  BREAK(cJSON_ReplaceItemInArray(cJSON_GetObjectItem(cJSON_GetObjectItem(d_, "scaler"), "std"), 2,
                                 cJSON_CreateNumber(-1)),
        "\"scaler.std\"[2] must be > 0");
  BREAK(cJSON_ReplaceItemInArray(cJSON_GetObjectItem(d_, "classes"), 1, cJSON_CreateNumber(1)),
        "\"classes\"[1] must be a string");
  BREAK(cJSON_ReplaceItemInArray(cJSON_GetObjectItem(d_, "classes"), 1, cJSON_CreateString("no")),
        "\"classes\" lists \"no\" twice");
  BREAK(cJSON_DeleteItemFromArray(cJSON_GetObjectItem(d_, "classes"), 1),
        "must list at least 2 classes");
  BREAK(replace(d_, "features", cJSON_CreateArray()), "non-empty array of feature names");
  BREAK(replace(d_, "binary", cJSON_CreateNumber(1)), "\"binary\" must be true or false");
  /* binary with 2 classes but 2 weight columns: the weights no longer fit. */
  BREAK(replace(d_, "binary", cJSON_CreateTrue()), "\"weights\" must have 3 rows of 1 numbers");
  BREAK((replace(d_, "binary", cJSON_CreateTrue()),
         cJSON_AddItemToArray(cJSON_GetObjectItem(d_, "classes"), cJSON_CreateString("maybe"))),
        "binary model must have exactly 2 classes");
  BREAK(replace(cJSON_GetObjectItem(d_, "options"), "class_weight", cJSON_CreateString("bogus")),
        "\"options.class_weight\" must be");
  BREAK(replace(cJSON_GetObjectItem(d_, "options"), "epochs", cJSON_CreateNumber(1.5)),
        "\"options.epochs\" must be an integer");
  BREAK(replace(cJSON_GetObjectItem(d_, "options"), "seed", cJSON_CreateString("-3")),
        "\"options.seed\" must be");
  BREAK(replace(cJSON_GetObjectItem(cJSON_GetObjectItem(d_, "options"), "data"), "target_column",
                cJSON_CreateNumber(-2)),
        "\"options.data.target_column\" must be");
  BREAK(replace(d_, "metrics", cJSON_CreateArray()), "\"metrics\" must be an object or null");

  /* 1e999 parses as infinity: still refused. */
  cJSON *doc = small_doc();
  char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
  cJSON_Delete(doc);
  if (text) {
    char *b = strstr(text, "\"bias\":[");
    CHECK(b != NULL);
    if (b) {
      size_t pre = (size_t)(b - text) + 8;
      char *mod = malloc(strlen(text) + 16);
      if (mod) {
        memcpy(mod, text, pre);
        strcpy(mod + pre, "1e999,");
        strcat(mod, strchr(text + pre, ',') + 1);
        expect_text_error(mod, strlen(mod), "\"bias\"[0] must be a finite number", __LINE__);
        free(mod);
      }
    }
  }
  free(text);
}

static void test_optional_keys(void) {
  /* A file with only the required keys loads: defaults fill the rest. */
  cJSON *doc = small_doc();
  if (!doc) return;
  cJSON_DeleteItemFromObject(doc, "imputer");
  cJSON_DeleteItemFromObject(doc, "weights_raw");
  cJSON_DeleteItemFromObject(doc, "bias_raw");
  cJSON_DeleteItemFromObject(doc, "options");
  cJSON_DeleteItemFromObject(doc, "metrics");
  cJSON *mean = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "scaler"), "mean");
  cJSON_ReplaceItemInArray(mean, 1, cJSON_CreateNumber(2.5));
  char p[600];
  char *text = cJSON_Print(doc);
  cJSON_Delete(doc);
  if (!text) return;
  check_tmp_path(p, sizeof p, TMP_PREFIX, "minimal.json");
  check_write_file(p, text, strlen(text));
  free(text);
  logreg_model *m = NULL;
  logreg_error err;
  CHECK(logreg_model_load(p, &m, &err) == LOGREG_OK);
  if (!m) {
    fprintf(stderr, "load: %s\n", err.message);
    return;
  }
  CHECK(m->median[1] == 2.5 && m->median[0] == m->mean[0]); /* imputer defaults to the mean */
  CHECK(m->options.target_column == -1 && m->options.feature_columns == NULL);
  CHECK(m->options.optimizer == NULL && m->options.pos_weight == 1.0);
  CHECK(!m->train.present && !m->val.present && !m->test.present);
  CHECK(m->w[5] == 2.5);
  logreg_model_free(m);

  /* A stale weights_raw is ignored: the loaded model is the same. */
  doc = small_doc();
  if (!doc) return;
  cJSON_ReplaceItemInObject(doc, "bias_raw", cJSON_CreateString("stale"));
  cJSON *opt = cJSON_GetObjectItem(doc, "options");
  cJSON_ReplaceItemInObject(opt, "seed", cJSON_CreateString("12345"));
  text = cJSON_Print(doc);
  cJSON_Delete(doc);
  if (!text) return;
  check_write_file(p, text, strlen(text));
  free(text);
  CHECK(logreg_model_load(p, &m, &err) == LOGREG_OK);
  if (m) CHECK(m->options.seed == 12345);
  logreg_model_free(m);

  /* Files from before the defaults were made concrete record "tol": 0 where lbfgs and newton
   * stopped at 1e-6: they load with the tolerance used (and save it); a first-order optimizer's
   * 0 (no tolerance) and a given tolerance stay as they are. */
  static const struct {
    const char *optimizer;
    double tol, loaded;
  } tols[] = {{"lbfgs", 0, 1e-6}, {"newton", 0, 1e-6}, {"adam", 0, 0}, {"lbfgs", 1e-9, 1e-9}};
  for (size_t i = 0; i < sizeof tols / sizeof tols[0]; i++) {
    doc = small_doc();
    if (!doc) return;
    opt = cJSON_GetObjectItem(doc, "options");
    cJSON_ReplaceItemInObject(opt, "optimizer", cJSON_CreateString(tols[i].optimizer));
    cJSON_ReplaceItemInObject(opt, "tol", cJSON_CreateNumber(tols[i].tol));
    text = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (!text) return;
    check_write_file(p, text, strlen(text));
    free(text);
    CHECK(logreg_model_load(p, &m, &err) == LOGREG_OK);
    if (m) CHECK(m->options.tol == tols[i].loaded);
    logreg_model_free(m);
  }
}

/* Categorical features: the "categorical" section names each one-hot column's source, first
 * feature and categories; it loads back to the same per-feature arrays and the same bytes, and
 * each inconsistency is one error. */
static void test_categorical(void) {
  logreg_model *m = lr_model_alloc(5, 2, 0);
  if (!m) return;
  static const char *const names[] = {"n", "c=", "c=a", "c=b", "e=x"};
  static const char *const cats[] = {NULL, "", "a", "b", "x"};
  static const char *const srcs[] = {"n", "c", "c", "c", "e"};
  m->feature_categories = calloc(5, sizeof(char *));
  m->feature_sources = calloc(5, sizeof(char *));
  if (!m->feature_categories || !m->feature_sources) return;
  set_names(m, (const char *const[]){"no", "yes"}, "x");
  for (size_t j = 0; j < 5; j++) {
    free(m->feature_names[j]);
    m->feature_names[j] = lr_strdup(names[j]);
    m->feature_categories[j] = cats[j] ? lr_strdup(cats[j]) : NULL;
    m->feature_sources[j] = lr_strdup(srcs[j]);
  }
  char p1[600], p2[600];
  logreg_error err;
  check_tmp_path(p1, sizeof p1, TMP_PREFIX, "cat.json");
  check_tmp_path(p2, sizeof p2, TMP_PREFIX, "cat2.json");
  CHECK(logreg_model_save(m, p1, &err) == LOGREG_OK);
  size_t n1 = 0, n2 = 0;
  char *t1 = check_read_file(p1, &n1);
  cJSON *doc = t1 ? cJSON_Parse(t1) : NULL;
  char *sec = doc ? cJSON_PrintUnformatted(cJSON_GetObjectItem(doc, "categorical")) : NULL;
  CHECK(sec && strcmp(sec, "[{\"column\":\"c\",\"feature\":1,\"categories\":[\"\",\"a\",\"b\"]},"
                           "{\"column\":\"e\",\"feature\":4,\"categories\":[\"x\"]}]") == 0);
  free(sec);
  logreg_model *back = NULL;
  CHECK(logreg_model_load(p1, &back, &err) == LOGREG_OK);
  if (back) {
    const char *const *bc = logreg_model_feature_categories(back);
    const char *const *bs = logreg_model_feature_sources(back);
    for (size_t j = 0; bc && bs && j < 5; j++) {
      CHECK(cats[j] ? bc[j] && strcmp(bc[j], cats[j]) == 0 : bc[j] == NULL);
      CHECK(strcmp(bs[j], srcs[j]) == 0);
    }
    CHECK(bc && bs);
    CHECK(logreg_model_save(back, p2, &err) == LOGREG_OK);
    char *t2 = check_read_file(p2, &n2);
    CHECK(t2 && n1 == n2 && memcmp(t1, t2, n1) == 0);
    free(t2);
  }
  logreg_model_free(back);
  logreg_model_free(m);
  free(t1);
  if (!doc) return;

  /* Each broken section: one error naming the entry. */
  static const struct {
    const char *json, *needle;
  } bad[] = {
      {"{}", "\"categorical\" must be an array or null"},
      {"[{\"column\":\"c\",\"feature\":1,\"categories\":[\"\",\"a\",\"z\"]}]",
       "\"categorical\"[0].categories[2]: feature 3 must be \"c=z\""},
      {"[{\"column\":\"c\",\"feature\":5,\"categories\":[\"a\"]}]",
       "\"categorical\"[0] must be {\"column\": name, \"feature\": an index below 5"},
      {"[{\"column\":\"c\",\"feature\":3,\"categories\":[\"b\",\"x\"]}]",
       "\"categorical\"[0].categories[1]: feature 4 must be \"c=x\""},
      {"[{\"column\":\"c\",\"feature\":2,\"categories\":[\"a\"]},"
       "{\"column\":\"c\",\"feature\":2,\"categories\":[\"a\"]}]",
       "\"categorical\"[1].categories[0]: feature 2 must be \"c=a\" (and no other column's)"},
      {"[{\"column\":\"c\",\"feature\":1,\"categories\":[]}]", "a non-empty array"},
      {"[{\"column\":\"c\",\"feature\":1,\"categories\":[1]}]",
       "\"categorical\"[0].categories[0] must be a string"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cJSON *d2 = cJSON_Duplicate(doc, 1);
    cJSON_ReplaceItemInObject(d2, "categorical", cJSON_Parse(bad[i].json));
    expect_load_error(d2, bad[i].needle, __LINE__);
  }
  /* Without the section (a model saved before it existed): no categorical feature, each
   * feature read from the column of its own name. */
  cJSON_DeleteItemFromObject(doc, "categorical");
  char *text = cJSON_Print(doc);
  cJSON_Delete(doc);
  if (!text) return;
  check_write_file(p1, text, strlen(text));
  free(text);
  CHECK(logreg_model_load(p1, &back, &err) == LOGREG_OK);
  if (back) {
    CHECK(logreg_model_feature_categories(back) == NULL);
    CHECK(logreg_model_feature_sources(back) == logreg_model_feature_names(back));
    CHECK(strcmp(logreg_model_feature_sources(back)[2], "c=a") == 0);
  }
  logreg_model_free(back);
}

static void test_model_basics(void) {
  logreg_model *m = lr_model_alloc(4, 3, 0);
  CHECK(m != NULL);
  if (!m) return;
  CHECK(lr_model_kw(m) == 3 && m->options.target_column == -1);
  for (size_t j = 0; j < 4; j++) CHECK(m->std[j] == 1.0 && m->mean[j] == 0.0);
  CHECK(m->class_names[2] == NULL && m->feature_names[3] == NULL);
  CHECK(logreg_model_set_metrics(m, "val", 0.5, 0.75, 10, NULL) == LOGREG_OK);
  CHECK(m->val.present && m->val.rows == 10 && m->val.accuracy == 0.75);
  CHECK(logreg_model_set_metrics(m, "validation", 0.5, 0.75, 10, NULL) == LOGREG_EINVAL);
  CHECK(logreg_model_set_metrics(m, NULL, 0.5, 0.75, 10, NULL) == LOGREG_EINVAL);
  /* Raw weights: w_raw = w / std, b_raw = b - sum_j w_raw[j] mean_j. */
  m->w[0] = 2.0; /* feature 0, class 0 */
  m->w[4] = 3.0; /* feature 1, class 1 */
  m->std[0] = 4.0;
  m->std[1] = 0.5;
  m->mean[0] = 1.0;
  m->mean[1] = -2.0;
  m->b[0] = 1.0;
  m->b[1] = 0.25;
  double w_raw[12], b_raw[3];
  lr_model_raw_weights(m, w_raw, b_raw);
  CHECK(w_raw[0] == 0.5 && w_raw[4] == 6.0 && w_raw[1] == 0.0);
  CHECK(b_raw[0] == 1.0 - 0.5 * 1.0);
  CHECK(b_raw[1] == 0.25 - 6.0 * -2.0);
  CHECK(b_raw[2] == 0.0);
  logreg_model_free(m);
  logreg_model_free(NULL);
  CHECK(logreg_model_features(NULL) == 0 && logreg_model_class_name(NULL, 0) == NULL);
  m = lr_model_alloc(3, 2, 1);
  CHECK(m && lr_model_kw(m) == 1);
  logreg_model_free(m);
}

int main(void) {
  test_model_basics();
  test_round_trip();
  test_binary_round_trip();
  test_save_errors();
  test_load_errors();
  test_optional_keys();
  test_categorical();
  check_tmp_cleanup(TMP_PREFIX);
  return check_report("test_model_io");
}
