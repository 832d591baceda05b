/* test_metrics.c: classification metrics against hand-computed examples (checked with
 * scikit-learn 1.2.1), argmax ties, zero division, tied scores in ROC AUC and average precision,
 * classes absent from the data, errors; and the CLI's metrics report (table and JSON, from the
 * CLI's core library). tests/cli_metrics.sh holds the same scores to scikit-learn's on trained
 * models. */
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
 * macro: precision (.5 + .5 + 0)/3 = 1/3, recall (2/3 + .5 + 0)/3 = 7/18, f1 (4/7 + .5)/3 = 5/14
 * log loss = -(ln .8 + ln .6 + ln .2 + ln .7 + ln .4 + ln .2)/6 = 0.8709684459602148
 *   (scikit-learn's log_loss gives the same digits).
 * One class against the rest, scored by its own column:
 *   class 0, p0 sorted: .8+ .6+ .5- .4- .2+ .1-: pairs ranked right 3 + 3 + 1 of 9, AUC 7/9;
 *     average precision (1 + 1 + 3/5)/3 = 13/15
 *   class 1, p1: .7+ .5- .4+ .3- .3- .1-: AUC (4 + 3)/8 = 7/8; AP (1 + 2/3)/2 = 5/6
 *   class 2, p2: .3- then .2 three times (row 5+, two -), .1- .1-: the tie counts half,
 *     AUC (2 + 2 * .5)/5 = 3/5; AP: at .2 recall 1 at precision 1/4, so 1/4
 *   macro AUC (7/9 + 7/8 + 3/5)/3 = 0.7509259259259259, weighted (3 * 7/9 + 2 * 7/8 + 3/5)/6 =
 *   0.7805555555555556; macro AP (13/15 + 5/6 + 1/4)/3 = 0.65, weighted 0.7527777777777778
 *   (roc_auc_score(multi_class="ovr"), average_precision_score of the one-hot labels).
 * Brier: mean over rows of sum_c (p_c - [y = c])^2 = (.06 + .26 + .98 + .14 + 1.16 + .38)/6
 *   = 0.49666666666666665. */
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
  CHECK_CLOSE(m.macro.precision, 1.0 / 3.0, 1e-15);
  CHECK_CLOSE(m.macro.recall, 7.0 / 18.0, 1e-15);
  CHECK_CLOSE(m.macro.f1, 5.0 / 14.0, 1e-15);
  CHECK(m.macro.support == 6);
  static const double auc[3] = {7.0 / 9.0, 7.0 / 8.0, 3.0 / 5.0},
                      ap[3] = {13.0 / 15.0, 5.0 / 6.0, .25};
  for (int c = 0; c < 3; c++) {
    CHECK_CLOSE(m.class_roc_auc[c], auc[c], 1e-15);
    CHECK_CLOSE(m.class_average_precision[c], ap[c], 1e-15);
  }
  CHECK_CLOSE(m.roc_auc_macro, 0.7509259259259259, 1e-15);
  CHECK_CLOSE(m.roc_auc_weighted, 0.7805555555555556, 1e-15);
  CHECK_CLOSE(m.average_precision_macro, 0.65, 1e-15);
  CHECK_CLOSE(m.average_precision_weighted, 0.7527777777777778, 1e-15);
  CHECK(m.roc_auc == m.roc_auc_macro && m.average_precision == m.average_precision_macro);
  CHECK_CLOSE(m.brier, 0.49666666666666665, 1e-15);
  logreg_metrics_free(&m);
  CHECK(m.confusion == NULL && m.per_class == NULL && m.class_roc_auc == NULL);
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

/* Two classes: the positive class's scores (roc_auc_score, average_precision_score,
 * brier_score_loss of p_1), with tied scores holding both classes. */
static void test_binary_scores(void) {
  /* p_1 sorted: .9 (+ -), .7 +, .5 (+ - -), .2 +, .1 -; 4 positives, 4 negatives.
   *   AUC: pairs ranked right, a tie counting half: 3.5 + 3 + (1 + 2 * .5) + 1 = 9.5 of 16
   *   AP: .25 * (1/2 + 2/3 + 3/6 + 4/7) = 0.5595238095238095
   *   Brier: (.01 + .81 + .09 + .25 + .25 + .25 + .64 + .01)/8 = 0.28875 (scikit-learn 1.2.1:
   *   0.59375, 0.5595238095238095, 0.28875000000000006). */
  int32_t y[8] = {1, 0, 1, 1, 0, 0, 1, 0};
  double s[8] = {.9, .9, .7, .5, .5, .5, .2, .1}, p[16];
  for (int i = 0; i < 8; i++) p[2 * i] = 1 - s[i], p[2 * i + 1] = s[i];
  logreg_metrics m;
  CHECK(logreg_metrics_compute(y, p, 8, 2, &m, NULL) == LOGREG_OK);
  CHECK(m.roc_auc == 9.5 / 16);
  CHECK_CLOSE(m.average_precision, 0.5595238095238095, 1e-15);
  CHECK_CLOSE(m.brier, 0.28875, 1e-15);
  CHECK(m.roc_auc == m.class_roc_auc[1] && m.average_precision == m.class_average_precision[1]);
  /* Class 0 against the rest by p_0 = 1 - p_1: the same ranking reversed, the same AUC. */
  CHECK(m.class_roc_auc[0] == m.roc_auc);
  logreg_metrics_free(&m);

  /* Every row tied: the ROC curve is the diagonal (AUC .5), precision the prevalence. */
  double flat[16];
  for (int i = 0; i < 16; i++) flat[i] = .5;
  CHECK(logreg_metrics_compute(y, flat, 8, 2, &m, NULL) == LOGREG_OK);
  CHECK(m.roc_auc == .5 && m.average_precision == .5 && m.brier == .25);
  logreg_metrics_free(&m);
}

/* A class absent from the data (or the only one present) has no one-vs-rest AUC (no negatives or
 * no positives: NaN, null in JSON) and no average precision without positives; the averages are
 * over the classes where they are defined. The Brier score is always defined. */
static void test_undefined_scores(void) {
  int32_t y[4] = {0, 0, 0, 0};
  double p[8] = {.9, .1, .6, .4, .2, .8, .7, .3};
  logreg_metrics m;
  CHECK(logreg_metrics_compute(y, p, 4, 2, &m, NULL) == LOGREG_OK);
  CHECK(isnan(m.roc_auc) && isnan(m.average_precision)); /* class 1 has no rows */
  CHECK(isnan(m.class_roc_auc[0]) && m.class_average_precision[0] == 1.0);
  CHECK(isnan(m.roc_auc_macro) && isnan(m.roc_auc_weighted));
  CHECK(m.average_precision_macro == 1.0 && m.average_precision_weighted == 1.0);
  CHECK_CLOSE(m.brier, (.01 + .16 + .64 + .09) / 4, 1e-15);
  logreg_metrics_free(&m);

  /* Three classes, class 2 absent: macro over classes 0 and 1. */
  int32_t y3[4] = {0, 1, 0, 1};
  double p3[12] = {.7, .2, .1, .3, .6, .1, .5, .1, .4, .2, .3, .5};
  CHECK(logreg_metrics_compute(y3, p3, 4, 3, &m, NULL) == LOGREG_OK);
  CHECK(isnan(m.class_roc_auc[2]) && isnan(m.class_average_precision[2]));
  CHECK(m.class_roc_auc[0] == 1.0 && m.class_roc_auc[1] == 1.0);
  CHECK(m.roc_auc == 1.0 && m.roc_auc_weighted == 1.0 && m.average_precision == 1.0);
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
  CHECK_STR_CONTAINS(t, "macro avg     0.3333    0.3889    0.3571         6\n");
  CHECK_STR_CONTAINS(t, "weighted avg     0.4167    0.5000    0.4524         6\n");
  CHECK_STR_CONTAINS(t, "log loss           0.8710\n");
  CHECK_STR_CONTAINS(t, "Brier score        0.4967  (summed over the 3 classes)\n");
  CHECK_STR_CONTAINS(t, "ROC AUC            0.7509 macro, 0.7806 weighted");
  CHECK_STR_CONTAINS(t, "average precision  0.6500 macro, 0.7528 weighted\n");
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
  CHECK_STR_CONTAINS(s, "\"confusion_matrix_labels\":[\"cat\",\"d\\\"og\\n\",\"bird\"]");
  CHECK_STR_CONTAINS(s, "\"brier_score\":0.4966666666666");
  CHECK_STR_CONTAINS(s, "\"roc_auc\":0.6,\"average_precision\":0.25}"); /* bird's */
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
    const cJSON *auc = cJSON_GetObjectItemCaseSensitive(back, "roc_auc");
    CHECK(cJSON_IsNumber(auc) && auc->valuedouble == m.roc_auc_macro);
    const cJSON *mac = cJSON_GetObjectItemCaseSensitive(back, "macro");
    const cJSON *mf1 = cJSON_GetObjectItemCaseSensitive(mac, "f1");
    CHECK(cJSON_IsNumber(mf1) && mf1->valuedouble == m.macro.f1);
    const cJSON *wap = cJSON_GetObjectItemCaseSensitive(w, "average_precision");
    CHECK(cJSON_IsNumber(wap) && wap->valuedouble == m.average_precision_weighted);
    cJSON_Delete(back);
  }
  free(s);
  cJSON_Delete(o);
  logreg_metrics_free(&m);

  /* Two classes, one of them absent: the undefined scores are null, never NaN; the table says
   * n/a and names the positive class. */
  int32_t y[2] = {0, 0};
  double p[4] = {.9, .1, .2, .8};
  CHECK(logreg_metrics_compute(y, p, 2, 2, &m, NULL) == LOGREG_OK);
  const char *two[2] = {"no", "yes"};
  s = report_json_print(o = report_metrics_json(&m, two));
  CHECK_STR_CONTAINS(s, "\"roc_auc\":null,\"average_precision\":null,\"brier_score\":0.325");
  CHECK_STR_CONTAINS(s, "\"yes\":{\"precision\":0,\"recall\":0,\"f1\":0,\"support\":0,"
                        "\"roc_auc\":null,\"average_precision\":null}");
  free(s);
  cJSON_Delete(o);
  char *t = table_text(&m, two);
  CHECK_STR_CONTAINS(t, "Brier score        0.3250\n");
  CHECK_STR_CONTAINS(t, "ROC AUC            n/a  (yes against no)\n");
  CHECK_STR_CONTAINS(t, "average precision  n/a  (yes)\n");
  free(t);
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
  test_binary_scores();
  test_undefined_scores();
  test_errors();
  test_report_table();
  test_report_json();
  test_number_format();
  test_number_arrays();
  return check_report("test_metrics");
}
