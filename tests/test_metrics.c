/* test_metrics.c: classification metrics against a hand-computed example (checked once with
 * scikit-learn), argmax ties, zero division, errors; and the CLI's metrics report (table and
 * JSON, from the CLI's core library). */
#include <cJSON.h>
#include <stdint.h>

#include "check.h"
#include "logreg.h"
#include "report.h"
#include "util/json.h"

/* The example: 3 classes, 6 rows.
 *   row  true  p0   p1   p2   predicted
 *   0    0     .8   .1   .1   0  (right)
 *   1    0     .6   .3   .1   0  (right)
 *   2    0     .2   .5   .3   1
 *   3    1     .1   .7   .2   1  (right)
 *   4    1     .4   .4   .2   0  (tie 0/1: lowest index)
 *   5    2     .5   .3   .2   0
 * confusion (row = true): [2 1 0] [1 1 0] [1 0 0]; predicted per class: 4, 2, 0.
 *   class 0: tp 2, precision 2/4 = .5, recall 2/3, f1 = 2*2/(3+4) = 4/7, support 3
 *   class 1: tp 1, precision 1/2, recall 1/2, f1 = 2/(2+2) = .5, support 2
 *   class 2: tp 0, never predicted: precision 0 (zero division), recall 0, f1 0, support 1
 * accuracy 3/6 = .5
 * weighted: precision (3*.5 + 2*.5 + 0)/6 = 5/12, recall (3*2/3 + 2*.5)/6 = .5,
 *           f1 (3*4/7 + 2*.5)/6 = 19/42
 * log loss = -(ln .8 + ln .6 + ln .2 + ln .7 + ln .4 + ln .2)/6 = 0.8709684459602148
 *   (scikit-learn's log_loss gives the same digits). */
static const int32_t ex_y[6] = {0, 0, 0, 1, 1, 2};
static const double ex_p[18] = {.8, .1, .1, .6, .3, .1, .2, .5, .3,
                                .1, .7, .2, .4, .4, .2, .5, .3, .2};

static void test_example(void) {
  logreg_metrics m;
  logreg_error err;
  CHECK(logreg_metrics_compute(ex_y, ex_p, 6, 3, &m, &err) == LOGREG_OK);
  CHECK(m.n == 6 && m.k == 3);
  CHECK(m.accuracy == 0.5);
  CHECK_CLOSE(m.log_loss, 0.8709684459602148, 1e-15);
  static const size_t conf[9] = {2, 1, 0, 1, 1, 0, 1, 0, 0};
  CHECK(memcmp(m.confusion, conf, sizeof conf) == 0);
  CHECK(m.per_class[0].precision == 0.5);
  CHECK(m.per_class[0].recall == 2.0 / 3.0);
  CHECK(m.per_class[0].f1 == 4.0 / 7.0);
  CHECK(m.per_class[0].support == 3);
  CHECK(m.per_class[1].precision == 0.5 && m.per_class[1].recall == 0.5);
  CHECK(m.per_class[1].f1 == 0.5 && m.per_class[1].support == 2);
  CHECK(m.per_class[2].precision == 0.0 && m.per_class[2].recall == 0.0);
  CHECK(m.per_class[2].f1 == 0.0 && m.per_class[2].support == 1);
  CHECK(m.weighted.precision == 5.0 / 12.0);
  CHECK(m.weighted.recall == 0.5);
  CHECK_CLOSE(m.weighted.f1, 19.0 / 42.0, 1e-15);
  CHECK(m.weighted.support == 6);
  logreg_metrics_free(&m);
  CHECK(m.confusion == NULL && m.per_class == NULL);
  logreg_metrics_free(&m); /* twice is harmless */
}

static void test_ties_and_clipping(void) {
  /* All probabilities equal: every row is predicted as class 0. Row 2's true class has
   * probability 0, which log loss clips to 1e-15 instead of returning infinity. */
  int32_t y[3] = {0, 1, 1};
  double p[6] = {.5, .5, .5, .5, 1.0, 0.0};
  logreg_metrics m;
  CHECK(logreg_metrics_compute(y, p, 3, 2, &m, NULL) == LOGREG_OK);
  static const size_t conf[4] = {1, 0, 2, 0};
  CHECK(memcmp(m.confusion, conf, sizeof conf) == 0);
  CHECK(m.accuracy == 1.0 / 3.0);
  double expect = (-log(0.5) - log(0.5) - log(1e-15)) / 3.0;
  CHECK_CLOSE(m.log_loss, expect, 1e-15);
  CHECK(isfinite(m.log_loss));
  /* Class 1 is never predicted: precision 0 by zero_division=0, not NaN. */
  CHECK(m.per_class[1].precision == 0.0 && m.per_class[1].f1 == 0.0);
  CHECK(m.per_class[0].precision == 1.0 / 3.0 && m.per_class[0].recall == 1.0);
  logreg_metrics_free(&m);

  /* A class with no rows at all: recall and f1 0 too. */
  int32_t y2[2] = {0, 0};
  double p2[4] = {.9, .1, .9, .1};
  CHECK(logreg_metrics_compute(y2, p2, 2, 2, &m, NULL) == LOGREG_OK);
  CHECK(m.per_class[1].support == 0 && m.per_class[1].recall == 0.0 && m.per_class[1].f1 == 0.0);
  CHECK(m.accuracy == 1.0 && m.weighted.f1 == 1.0);
  logreg_metrics_free(&m);
}

static void test_errors(void) {
  logreg_metrics m;
  logreg_error err;
  CHECK(logreg_metrics_compute(ex_y, ex_p, 0, 3, &m, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "no rows");
  CHECK(logreg_metrics_compute(ex_y, ex_p, 6, 1, &m, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "at least 2 classes");
  CHECK(logreg_metrics_compute(NULL, ex_p, 6, 3, &m, &err) == LOGREG_EINVAL);
  CHECK(logreg_metrics_compute(ex_y, NULL, 6, 3, &m, &err) == LOGREG_EINVAL);
  CHECK(logreg_metrics_compute(ex_y, ex_p, 6, 3, NULL, &err) == LOGREG_EINVAL);
  int32_t bad[3] = {0, 1, 2};
  double p[6] = {.5, .5, .5, .5, .5, .5};
  CHECK(logreg_metrics_compute(bad, p, 3, 2, &m, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "row 2");
  bad[2] = -1;
  CHECK(logreg_metrics_compute(bad, p, 3, 2, &m, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "row 2");
  logreg_metrics_free(&m); /* safe after a failure: nothing was kept */
  p[3] = NAN;
  bad[2] = 1;
  CHECK(logreg_metrics_compute(bad, p, 3, 2, &m, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "row 1");
}

/* Everything written to a memory stream by report_metrics_table. */
static char *table_text(const logreg_metrics *m, const char *const *names) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return NULL;
  report_metrics_table(f, m, names);
  fclose(f);
  return buf;
}

static void test_report_table(void) {
  logreg_metrics m;
  CHECK(logreg_metrics_compute(ex_y, ex_p, 6, 3, &m, NULL) == LOGREG_OK);
  const char *names[3] = {"cat", "dog", "a-very-long-class-name-that-goes-on-and-on"};
  char *t = table_text(&m, names);
  CHECK(t != NULL);
  CHECK_STR_CONTAINS(t, "precision    recall  f1-score   support");
  CHECK_STR_CONTAINS(t, "cat     0.5000    0.6667    0.5714         3");
  CHECK_STR_CONTAINS(t, "dog     0.5000    0.5000    0.5000         2");
  CHECK_STR_CONTAINS(t, "accuracy                         0.5000         6");
  CHECK_STR_CONTAINS(t, "log loss                         0.8710");
  CHECK_STR_CONTAINS(t, "weighted avg     0.4167    0.5000    0.4524         6");
  /* The long name is cut to the 24-character column with a '~'. */
  CHECK_STR_CONTAINS(t, "a-very-long-class-name-~     0.0000");
  CHECK_STR_CONTAINS(t, "Confusion matrix");
  CHECK_STR_CONTAINS(t, "a-very-long~");
  /* The rows of the table line up: the class rows and the weighted row are equally long. */
  if (t) {
    const char *rows[3] = {strstr(t, "cat "), strstr(t, "a-very-long-class-name-~ "),
                           strstr(t, "weighted avg ")};
    size_t len[3] = {0, 1, 2};
    for (int i = 0; i < 3 && rows[i]; i++) {
      const char *sol = rows[i];
      while (sol > t && sol[-1] != '\n') sol--;
      len[i] = (size_t)(strchr(rows[i], '\n') - sol);
    }
    CHECK(rows[0] && rows[1] && rows[2]);
    CHECK(len[0] == len[1] && len[1] == len[2]);
  }
  free(t);
  /* Without names the classes show as indices. */
  t = table_text(&m, NULL);
  CHECK_STR_CONTAINS(t, "           2     0.0000    0.0000    0.0000         1");
  free(t);
  logreg_metrics_free(&m);
}

static void test_report_json(void) {
  logreg_metrics m;
  CHECK(logreg_metrics_compute(ex_y, ex_p, 6, 3, &m, NULL) == LOGREG_OK);
  const char *names[3] = {"cat", "d\"og\n", "bird"};
  cJSON *o = report_metrics_json(&m, names);
  CHECK(o != NULL);
  char *s = report_json_print(o);
  CHECK(s != NULL);
  CHECK(s && !strchr(s, '\n')); /* compact: one line */
  CHECK_STR_CONTAINS(s, "\"accuracy\":0.5,");
  CHECK_STR_CONTAINS(s, "\"confusion_matrix\":[[2,1,0],[1,1,0],[1,0,0]]");
  CHECK_STR_CONTAINS(s, "\"d\\\"og\\n\":{");
  CHECK_STR_CONTAINS(s, "\"weighted\":{\"precision\":0.4166666666666667,");
  cJSON *back = cJSON_Parse(s);
  CHECK(back != NULL);
  if (back) {
    const cJSON *ll = cJSON_GetObjectItemCaseSensitive(back, "log_loss");
    CHECK(cJSON_IsNumber(ll) && ll->valuedouble == m.log_loss); /* bit-exact */
    const cJSON *pc = cJSON_GetObjectItemCaseSensitive(back, "per_class");
    const cJSON *cat = cJSON_GetObjectItemCaseSensitive(pc, "cat");
    const cJSON *f1 = cJSON_GetObjectItemCaseSensitive(cat, "f1");
    CHECK(cJSON_IsNumber(f1) && f1->valuedouble == 4.0 / 7.0);
    const cJSON *dog = cJSON_GetObjectItemCaseSensitive(pc, "d\"og\n");
    const cJSON *sup = cJSON_GetObjectItemCaseSensitive(dog, "support");
    CHECK(cJSON_IsNumber(sup) && sup->valuedouble == 2);
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(back, "weighted");
    CHECK(cJSON_GetObjectItemCaseSensitive(w, "recall") != NULL);
    CHECK(cJSON_GetObjectItemCaseSensitive(w, "support")->valuedouble == 6);
    cJSON_Delete(back);
  }
  free(s);
  cJSON_Delete(o);
  logreg_metrics_free(&m);
}

static void test_number_format(void) {
  /* Shortest form that reads back to the same bits. */
  static const struct {
    double v;
    const char *text;
  } cases[] = {{0.1, "0.1"},
               {1.0 / 3.0, "0.3333333333333333"},
               {2.0, "2"},
               {-0.0, "-0"},
               {1e300, "1e+300"},
               {0.30000000000000004, "0.30000000000000004"},
               {4.9406564584124654e-324, "5e-324"},
               {1e-310, "1e-310"},
               {NAN, "null"},
               {INFINITY, "null"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char buf[LR_JSON_NUMBER_MAX];
    size_t n = lr_json_format_number(cases[i].v, buf);
    CHECK(n == strlen(buf));
    if (strcmp(buf, cases[i].text) != 0) {
      fprintf(stderr, "format %.17g: got %s, want %s\n", cases[i].v, buf, cases[i].text);
      CHECK(0);
    }
  }
  /* Many random doubles of every magnitude read back bit-exact. */
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < 20000; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    double v;
    memcpy(&v, &x, sizeof v);
    if (!isfinite(v)) continue;
    char buf[LR_JSON_NUMBER_MAX];
    lr_json_format_number(v, buf);
    double back = strtod(buf, NULL);
    if (memcmp(&back, &v, sizeof v) != 0) {
      fprintf(stderr, "round trip failed for %s\n", buf);
      CHECK(0);
      break;
    }
  }
}

/* Arrays long enough to be formatted ahead in chunks on several threads (json.c numfmt):
 * lr_json_raw_numbers and lr_json_raw_rows give exactly the text of one
 * lr_json_format_number per element in order, across chunk boundaries. */
static void test_number_arrays(void) {
  enum { N = 50001, COLS = 3 }; /* past three chunks of 16,384; rows cross their ends */
  double *v = malloc(N * COLS * sizeof *v);
  char *want = malloc((size_t)N * COLS * (LR_JSON_NUMBER_MAX + 8) + 64);
  CHECK(v && want);
  if (!v || !want) {
    free(v);
    free(want);
    return;
  }
  uint64_t x = 0x243f6a8885a308d3ULL;
  for (size_t i = 0; i < (size_t)N * COLS; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    double r = (double)(x >> 11) * 0x1.0p-53;
    v[i] = i % 7 == 0    ? (double)(i % 1000)
           : i % 11 == 0 ? -0.0
                         : (r - 0.5) * pow(10.0, (double)(i % 40) - 20);
  }
  size_t len = 0;
  char num[LR_JSON_NUMBER_MAX];
  want[len++] = '[';
  for (size_t i = 0; i < N; i++) {
    if (i) want[len++] = ',', want[len++] = ' ';
    size_t k = lr_json_format_number(v[i], num);
    memcpy(want + len, num, k);
    len += k;
  }
  want[len++] = ']';
  want[len] = '\0';
  cJSON *a = lr_json_raw_numbers(v, N);
  CHECK(a && a->valuestring && strcmp(a->valuestring, want) == 0);
  cJSON_Delete(a);
  /* rows of COLS at depth 1: "[\n  [a, b, c],\n  ...\n]" */
  len = 0;
  want[len++] = '[';
  for (size_t r = 0; r < N; r++) {
    memcpy(want + len, "\n    [", 6); /* JSON's indent: two spaces per level, depth 1 + 1 */
    len += 6;
    for (size_t c = 0; c < COLS; c++) {
      if (c) want[len++] = ',', want[len++] = ' ';
      size_t k = lr_json_format_number(v[r * COLS + c], num);
      memcpy(want + len, num, k);
      len += k;
    }
    want[len++] = ']';
    if (r + 1 < N) want[len++] = ',';
  }
  memcpy(want + len, "\n  ]", 4);
  len += 4;
  want[len] = '\0';
  cJSON *rows = lr_json_raw_rows(v, N, COLS, 1);
  CHECK(rows && rows->valuestring && strcmp(rows->valuestring, want) == 0);
  if (rows && rows->valuestring && strcmp(rows->valuestring, want) != 0)
    fprintf(stderr, "rows: got %.60s..., want %.60s...\n", rows->valuestring, want);
  cJSON_Delete(rows);
  free(v);
  free(want);
}

int main(void) {
  test_example();
  test_ties_and_clipping();
  test_errors();
  test_report_table();
  test_report_json();
  test_number_format();
  test_number_arrays();
  return check_report("test_metrics");
}
