/* test_model_lift.c: the model loader's pre-pass (model/model_lift.h), which reads the large
 * arrays without a cJSON node per number. A model of 300007 features x 3 classes with awkward
 * doubles (subnormals, -0, 1e300, 17-digit values) saves, loads and saves again to the same
 * bytes, loads to the same bits with and without the pre-pass, predicts the same bits, and
 * leaves cJSON a rest of a few hundred bytes. Broken files (a truncated array, a non-number, a
 * wrong length, ragged rows, an overflow, lax numbers that cJSON accepts, duplicate and escaped
 * keys) give one error line, the same with and without the pre-pass. */
#include <float.h>
#include <stdint.h>

#include "check.h"
#include "model/model.h"
#include "model/model_lift.h"
#include "util/file.h"
#include "util/util.h"

#define TMP_PREFIX "test_model_lift"

static int same_bits(const double *a, const double *b, size_t n) {
  return memcmp(a, b, n * sizeof *a) == 0;
}

/* A value of any magnitude, sometimes one naive printing or parsing gets wrong. */
static double awkward(lr_rng *r) {
  static const double special[] = {
      0.0,   -0.0,     1e-310,  5e-324, -DBL_MIN, DBL_MAX,
      1e300, 0.1,      1.0 / 3, 1e22,   -2.5,     123456789.125,
      1e15,  1e15 + 1, 1e16,    -1e-5,  4.9e-324, 2.2250738585072009e-308};
  uint64_t u = lr_rng_below(r, 4);
  if (u == 0) return special[lr_rng_below(r, sizeof special / sizeof *special)];
  double e = (double)lr_rng_below(r, 61) - 30.0;
  return lr_rng_normal(r) * pow(10.0, e);
}

static int same_model(const logreg_model *a, const logreg_model *b) {
  size_t kw = lr_model_kw(a);
  if (a->d != b->d || a->k != b->k || a->binary != b->binary) return 0;
  if (!same_bits(a->w, b->w, a->d * kw) || !same_bits(a->b, b->b, kw) ||
      !same_bits(a->mean, b->mean, a->d) || !same_bits(a->std, b->std, a->d) ||
      !same_bits(a->median, b->median, a->d))
    return 0;
  for (size_t j = 0; j < a->d; j++)
    if (strcmp(a->feature_names[j], b->feature_names[j]) != 0) return 0;
  for (size_t c = 0; c < a->k; c++)
    if (strcmp(a->class_names[c], b->class_names[c]) != 0) return 0;
  return 1;
}

static void test_big_round_trip(void) {
  const size_t d = 300007, k = 3;
  logreg_model *m = lr_model_alloc(d, k, 0);
  CHECK(m != NULL);
  if (!m) return;
  const char *classes[3] = {"neg", "zero", "pos"};
  for (size_t c = 0; c < k; c++) m->class_names[c] = lr_strdup(classes[c]);
  CHECK(lr_model_name_features(m) == 0);
  lr_rng rng;
  lr_rng_seed(&rng, 14);
  for (size_t i = 0; i < d * k; i++) m->w[i] = awkward(&rng);
  for (size_t c = 0; c < k; c++) m->b[c] = awkward(&rng);
  for (size_t j = 0; j < d; j++) {
    m->mean[j] = j % 3 ? 0.0 : awkward(&rng);
    double s = fabs(awkward(&rng));
    m->std[j] = s > 1e-30 && s < 1e300 ? s : 1.0; /* > 0, and w / std stays finite */
    m->median[j] = awkward(&rng);
  }
  /* Keep weights_raw (w / std, summed into b_raw) finite so the model saves. */
  for (size_t i = 0; i < d * k; i++)
    if (fabs(m->w[i]) > 1e200) m->w[i] = 1e200;
  for (size_t j = 0; j < d; j++)
    if (fabs(m->mean[j]) > 1e50) m->mean[j] = 1e50;
  m->options.optimizer = lr_strdup("lbfgs");
  m->options.tol = 1e-6; /* as training records it (an lbfgs "tol": 0 loads as the 1e-6 used) */

  char p1[512], p2[512];
  check_tmp_path(p1, sizeof p1, TMP_PREFIX, "big.json");
  check_tmp_path(p2, sizeof p2, TMP_PREFIX, "big2.json");
  logreg_error err;
  logreg_status st = logreg_model_save(m, p1, &err);
  CHECK(st == LOGREG_OK);
  if (st) {
    fprintf(stderr, "save: %s\n", err.message);
    logreg_model_free(m);
    return;
  }

  char *text = NULL;
  size_t len = 0;
  CHECK(lr_read_file(p1, (size_t)1 << 30, "a model", &text, &len, &err) == LOGREG_OK);
  /* Everything large is lifted: cJSON sees a rest of about a kilobyte of a ~20 MB file. */
  lr_lift lf;
  CHECK(text && lr_lift_run(text, len, &lf) == 0);
  for (int q = 0; q < LR_LIFT_COUNT; q++) {
    CHECK(lf.a[q].found);
    if (!lf.a[q].found) fprintf(stderr, "array %d not lifted\n", q);
  }
  CHECK(lf.a[LR_LIFT_WEIGHTS].n == d && lf.a[LR_LIFT_WEIGHTS].cols == k);
  CHECK(lf.a[LR_LIFT_FEATURES].n == d &&
        strcmp(lf.a[LR_LIFT_FEATURES].names[d - 1], "f300007") == 0);
  CHECK(lf.rest_len < 2048);
  if (lf.rest_len >= 2048) fprintf(stderr, "rest: %zu bytes\n", lf.rest_len);
  CHECK(len > 10 * 1000 * 1000);
  lr_lift_free(&lf);

  logreg_model *lifted = NULL, *tree = NULL;
  CHECK(lr_model_parse_with(p1, text, len, 1, &lifted, &err) == LOGREG_OK);
  CHECK(lr_model_parse_with(p1, text, len, 0, &tree, &err) == LOGREG_OK);
  free(text);
  CHECK(lifted && tree && same_model(lifted, m) && same_model(tree, m));

  /* save -> load -> save: the same bytes. */
  if (lifted) {
    CHECK(logreg_model_save(lifted, p2, &err) == LOGREG_OK);
    CHECK(check_same_file(p1, p2));
  }

  /* The same predictions, bit for bit, from the loaded model as from the one saved. */
  const size_t n = 4;
  float *x = calloc(n * d, sizeof *x);
  double *pa = malloc(n * k * sizeof *pa), *pb = malloc(n * k * sizeof *pb);
  logreg_dataset *ds = NULL;
  CHECK(x && pa && pb);
  if (x && pa && pb && lifted) {
    for (size_t i = 0; i < n * d; i += 7) x[i] = (float)lr_rng_normal(&rng);
    CHECK(logreg_dataset_from_arrays(n, d, x, NULL, 0, NULL, NULL, &ds, &err) == LOGREG_OK);
    CHECK(logreg_predict_proba(m, ds, pa, &err) == LOGREG_OK);
    CHECK(logreg_predict_proba(lifted, ds, pb, &err) == LOGREG_OK);
    CHECK(same_bits(pa, pb, n * k));
  }
  logreg_dataset_free(ds);
  free(x);
  free(pa);
  free(pb);
  logreg_model_free(lifted);
  logreg_model_free(tree);
  logreg_model_free(m);
  remove(p1);
  remove(p2);
}

/* A small valid model; the cases below edit it. */
static const char *const BASE =
    "{\"format\": 1, \"classes\": [\"a\", \"b\"], \"features\": [\"x0\", \"x1\"],\n"
    " \"binary\": false, \"scaler\": {\"mean\": [0.5, -1], \"std\": [1, 2]},\n"
    " \"imputer\": {\"median\": [0, 0]},\n"
    " \"weights\": [[1, 2], [3, 4]], \"bias\": [0, 0], \"weights_raw\": [[1, 2], [3, 4]]}\n";

/* Parses `text` with and without the pre-pass: the same status and message, the same model.
 * Returns the status; *msg gets the error line (or ""). */
static logreg_status both(const char *text, char *msg, size_t cap) {
  size_t len = strlen(text);
  logreg_model *a = NULL, *b = NULL;
  logreg_error ea, eb;
  logreg_status sa = lr_model_parse_with("m.json", text, len, 1, &a, &ea);
  logreg_status sb = lr_model_parse_with("m.json", text, len, 0, &b, &eb);
  CHECK(sa == sb);
  if (sa && sb) {
    CHECK(strcmp(ea.message, eb.message) == 0);
    if (strcmp(ea.message, eb.message) != 0)
      fprintf(stderr, "lifted: %s\ncJSON:  %s\n", ea.message, eb.message);
    CHECK(strchr(ea.message, '\n') == NULL && ea.message[0]);
    snprintf(msg, cap, "%s", ea.message);
  } else {
    CHECK(a && b && same_model(a, b));
    msg[0] = '\0';
  }
  logreg_model_free(a);
  logreg_model_free(b);
  return sa;
}

/* BASE with the first `from` replaced by `to`. */
static void edit(char *out, size_t cap, const char *from, const char *to) {
  const char *p = strstr(BASE, from);
  CHECK(p != NULL);
  if (!p) {
    snprintf(out, cap, "%s", BASE);
    return;
  }
  snprintf(out, cap, "%.*s%s%s", (int)(p - BASE), BASE, to, p + strlen(from));
}

static void expect(const char *from, const char *to, const char *needle) {
  char text[1024], msg[512];
  edit(text, sizeof text, from, to);
  logreg_status st = both(text, msg, sizeof msg);
  if (!needle) {
    CHECK(st == LOGREG_OK);
    if (st) fprintf(stderr, "%s -> %s: %s\n", from, to, msg);
    return;
  }
  CHECK(st != LOGREG_OK);
  CHECK_STR_CONTAINS(msg, needle);
}

static void test_broken_files(void) {
  char msg[512];
  CHECK(both(BASE, msg, sizeof msg) == LOGREG_OK);

  /* Truncated inside each lifted array: the position of the end of the file. */
  size_t len = strlen(BASE);
  const char *cuts[] = {"[1, 2], [3", "[0.5, -", "[\"a\", \"b\"], \"features\": [\"x"};
  for (size_t q = 0; q < sizeof cuts / sizeof *cuts; q++) {
    const char *p = strstr(BASE, cuts[q]);
    CHECK(p != NULL);
    if (!p) continue;
    char text[1024];
    size_t n = (size_t)(p - BASE) + strlen(cuts[q]);
    CHECK(n < len);
    memcpy(text, BASE, n);
    text[n] = '\0';
    CHECK(both(text, msg, sizeof msg) != LOGREG_OK);
    CHECK_STR_CONTAINS(msg, "m.json:");
    CHECK_STR_CONTAINS(msg, "malformed JSON");
  }

  /* A non-number in each array. */
  expect("[[1, 2], [3, 4]], \"bias\"", "[[1, 2], [\"3\", 4]], \"bias\"",
         "\"weights\"[1][0] must be a finite number");
  expect("[0.5, -1]", "[0.5, true]", "\"scaler.mean\"[1] must be a finite number");
  expect("\"median\": [0, 0]", "\"median\": [0, null]",
         "\"imputer.median\"[1] must be a finite number");
  expect("[1, 2], [3, 4]], \"bias\"", "[1, 2], [3, 4x]], \"bias\"", "m.json:4:27: malformed JSON");
  expect("[1, 2], [3, 4]], \"bias\"", "[1, 2], [3, NaN]], \"bias\"", "m.json:4:26: malformed JSON");
  expect("\"std\": [1, 2]", "\"std\": [1, 1e999]", "\"scaler.std\"[1] must be a finite number");
  expect("\"std\": [1, 2]", "\"std\": [1, -0.0]", "\"scaler.std\"[1] must be > 0");
  expect("\"features\": [\"x0\", \"x1\"]", "\"features\": [\"x0\", 1]",
         "\"features\"[1] must be a string");

  /* Wrong lengths and shapes. */
  expect("[0.5, -1]", "[0.5]", "\"scaler.mean\" must be an array of 2 numbers");
  expect("\"median\": [0, 0]", "\"median\": [0, 0, 0]",
         "\"imputer.median\" must be an array of 2 numbers");
  expect("[[1, 2], [3, 4]], \"bias\"", "[[1, 2]], \"bias\"", "\"weights\" must have 2 rows of 2");
  expect("[[1, 2], [3, 4]], \"bias\"", "[[1, 2], [3]], \"bias\"", "\"weights\" must have 2 rows");
  expect("[[1, 2], [3, 4]], \"bias\"", "[1, 2, 3, 4], \"bias\"", "\"weights\" must have 2 rows");
  expect("[[1, 2], [3, 4]], \"bias\"", "[], \"bias\"", "\"weights\" must have 2 rows");
  expect("\"features\": [\"x0\", \"x1\"]", "\"features\": []", "\"features\" must be a non-empty");
  expect("\"features\": [\"x0\", \"x1\"]", "\"features\": [\"x0\"]", "\"scaler.mean\" must be an");
  expect("[1, 2], [3, 4]]}", "[1, 2], [3, \"4\"]]}", NULL); /* weights_raw is not read */
  expect("[1, 2], [3, 4]]}", "[1, 2], [3, 4,]]}", "m.json:4:77: malformed JSON");

  /* What cJSON accepts beyond strict JSON, left to it: the same model. */
  expect("[0.5, -1]", "[0.50, -01]", NULL);
  expect("[0.5, -1]", "[.5, -1.]", "malformed JSON");
  expect("[[1, 2], [3, 4]], \"bias\"", "[[1, 2], [3, 4E+0]], \"bias\"", NULL);
  expect("[0.5, -1]",
         "[0.50000000000000000000000000000000000000000000000000000000000000000000, -1]", NULL);
  /* Duplicate keys: the first counts, as with cJSON alone; an escaped key is the same key. */
  expect("\"weights\": [[1, 2], [3, 4]]", "\"weights\": [[1, 2], [3, 4]], \"weights\": [[5]]",
         NULL);
  expect("\"binary\"", "\"weight\\u0073\": [[9, 9], [9, 9]], \"binary\"", NULL);
  expect("\"binary\"", "\"weight\\u0073\": [[9, 9]], \"binary\"", "\"weights\" must have 2 rows");
  expect("\"scaler\": {", "\"scaler\": {\"mean\": [7, 7], ", NULL);
  expect("\"binary\"", "\"scaler\": 1, \"binary\"", "\"scaler\" must be an object");
  expect("\"features\": [\"x0\", \"x1\"]", "\"features\": [\"x\\u0030\", \"x1\"]", NULL);
  expect("\"features\": [\"x0\", \"x1\"]", "\"features\": [\"x0\", \"x1\"], \"features\": [\"y\"]",
         NULL);
}

int main(void) {
  test_broken_files();
  test_big_round_trip();
  check_tmp_cleanup(TMP_PREFIX);
  return check_report("test_model_lift");
}
