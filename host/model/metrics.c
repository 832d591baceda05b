/* metrics.c: classification metrics from true labels and predicted probabilities: accuracy,
 * log loss, confusion matrix, per-class, macro and support-weighted precision/recall/F1, and the
 * scores of the probabilities: ROC AUC, average precision (per class one-vs-rest, and their
 * averages) and the Brier score.
 *
 * Definitions follow scikit-learn so that numbers can be compared with it directly:
 * log_loss clips p to [1e-15, 1]; precision, recall and F1 are 0 where their denominator is 0
 * (zero_division=0); F1 is computed from counts as 2 tp / (support + predicted), as
 * scikit-learn does, which is one rounding instead of three. The curves' scores are computed
 * from integer counts at each distinct score (roc_auc_score, average_precision_score), so tied
 * scores count together as in scikit-learn, with one division at the end. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logreg.h"
#include "util/util.h"

#define LR_LOG_LOSS_EPS 1e-15

static double ratio(size_t num, size_t den) { return den ? (double)num / (double)den : 0.0; }

/* A row's score for one class, and whether the row is of that class. */
typedef struct scored {
  double score;
  int positive;
} scored;

static int by_score_descending(const void *a, const void *b) {
  double x = ((const scored *)a)->score, y = ((const scored *)b)->score;
  return (x < y) - (x > y);
}

/* Class c against the rest, scored by p_c: the ROC AUC and the average precision of that binary
 * problem (roc_auc_score, average_precision_score), NaN where undefined. The rows sorted by
 * score, highest first; each run of equal scores is one point of the curves (a threshold), so
 * ties move the ROC curve diagonally (the trapezoid rule) and share one precision. */
static void one_vs_rest(const int32_t *y, const double *proba, size_t n, size_t k, size_t c,
                        scored *rows, double *auc, double *ap) {
  size_t positives = 0;
  for (size_t i = 0; i < n; i++) {
    rows[i].score = proba[i * k + c];
    rows[i].positive = (size_t)y[i] == c;
    positives += (size_t)rows[i].positive;
  }
  qsort(rows, n, sizeof *rows, by_score_descending);
  /* Counts are exact in double (below 2^53); the area is summed as twice the trapezoids. */
  double tp = 0, fp = 0, tp0 = 0, fp0 = 0, area2 = 0, ap_sum = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    do {
      if (rows[j].positive)
        tp += 1;
      else
        fp += 1;
      j++;
    } while (j < n && rows[j].score == rows[i].score);
    area2 += (fp - fp0) * (tp + tp0);
    if (tp > tp0) ap_sum += (tp - tp0) * (tp / (tp + fp));
    tp0 = tp, fp0 = fp, i = j;
  }
  double pos = (double)positives, neg = (double)(n - positives);
  *auc = positives && positives < n ? area2 / (2.0 * pos * neg) : NAN;
  *ap = positives ? ap_sum / pos : NAN;
}

/* Unweighted and support-weighted means of v over the classes where it is defined (not NaN);
 * NaN when it is defined for none. */
static void class_means(const double *v, const logreg_class_metrics *pc, size_t k, double *macro,
                        double *weighted) {
  double sum = 0, wsum = 0, wtot = 0;
  size_t defined = 0;
  for (size_t c = 0; c < k; c++) {
    if (isnan(v[c])) continue;
    defined++;
    sum += v[c];
    wsum += (double)pc[c].support * v[c];
    wtot += (double)pc[c].support;
  }
  *macro = defined ? sum / (double)defined : NAN;
  *weighted = wtot > 0 ? wsum / wtot : NAN;
}

/* The scores of the probabilities (logreg.h): per class one-vs-rest, their averages, the
 * headline numbers (the positive class's for k = 2, the macro averages beyond) and Brier's. */
static logreg_status probability_scores(const int32_t *y, const double *proba, size_t n, size_t k,
                                        logreg_metrics *out, logreg_error *err) {
  scored *rows = malloc(n * sizeof *rows);
  out->class_roc_auc = malloc(k * sizeof *out->class_roc_auc);
  out->class_average_precision = malloc(k * sizeof *out->class_average_precision);
  if (!rows || !out->class_roc_auc || !out->class_average_precision) {
    free(rows);
    return lr_fail(err, LOGREG_ENOMEM, "metrics: out of memory for %zu rows", n);
  }
  for (size_t c = 0; c < k; c++)
    one_vs_rest(y, proba, n, k, c, rows, &out->class_roc_auc[c], &out->class_average_precision[c]);
  free(rows);
  class_means(out->class_roc_auc, out->per_class, k, &out->roc_auc_macro, &out->roc_auc_weighted);
  class_means(out->class_average_precision, out->per_class, k, &out->average_precision_macro,
              &out->average_precision_weighted);
  out->roc_auc = k == 2 ? out->class_roc_auc[1] : out->roc_auc_macro;
  out->average_precision = k == 2 ? out->class_average_precision[1] : out->average_precision_macro;
  double brier = 0;
  for (size_t i = 0; i < n; i++) {
    const double *p = proba + i * k;
    if (k == 2) {
      double e = p[1] - (y[i] == 1 ? 1.0 : 0.0);
      brier += e * e;
      continue;
    }
    for (size_t c = 0; c < k; c++) {
      double e = p[c] - ((size_t)y[i] == c ? 1.0 : 0.0);
      brier += e * e;
    }
  }
  out->brier = brier / (double)n;
  return LOGREG_OK;
}

/* Checks the rows and counts the confusion matrix (row = true class) and the log loss. */
static logreg_status count_rows(const int32_t *y, const double *proba, size_t n, size_t k,
                                size_t *confusion, double *loss_sum, logreg_error *err) {
  *loss_sum = 0.0;
  for (size_t i = 0; i < n; i++) {
    const double *p = proba + i * k;
    if (y[i] < 0 || (size_t)y[i] >= k)
      return lr_fail(err, LOGREG_EINVAL, "metrics: row %zu has label %ld, outside 0..%zu", i,
                     (long)y[i], k - 1);
    size_t best = 0;
    for (size_t c = 0; c < k; c++) {
      /* A NaN would make argmax and the loss meaningless; say which row carries it. */
      if (isnan(p[c]))
        return lr_fail(err, LOGREG_EINVAL, "metrics: row %zu has a NaN probability", i);
      if (p[c] > p[best]) best = c; /* strict: the lowest index wins ties */
    }
    size_t t = (size_t)y[i];
    confusion[t * k + best]++;
    double pt = p[t];
    if (pt < LR_LOG_LOSS_EPS) pt = LR_LOG_LOSS_EPS;
    if (pt > 1.0) pt = 1.0;
    *loss_sum += -log(pt);
  }
  return LOGREG_OK;
}

/* Per-class precision, recall, F1 and support from the confusion matrix, and their weighted and
 * macro averages; the accuracy. */
static void class_scores(logreg_metrics *out) {
  size_t k = out->k, n = out->n, correct = 0;
  const size_t *confusion = out->confusion;
  logreg_class_metrics wavg = {0.0, 0.0, 0.0, n}, mavg = {0.0, 0.0, 0.0, n};
  for (size_t c = 0; c < k; c++) {
    size_t tp = confusion[c * k + c], support = 0, predicted = 0; /* row and column sums */
    for (size_t j = 0; j < k; j++)
      support += confusion[c * k + j], predicted += confusion[j * k + c];
    logreg_class_metrics *pc = &out->per_class[c];
    pc->support = support;
    pc->precision = ratio(tp, predicted);
    pc->recall = ratio(tp, support);
    pc->f1 = ratio(2 * tp, support + predicted);
    wavg.precision += (double)support * pc->precision;
    wavg.recall += (double)support * pc->recall;
    wavg.f1 += (double)support * pc->f1;
    mavg.precision += pc->precision, mavg.recall += pc->recall, mavg.f1 += pc->f1;
    correct += tp;
  }
  wavg.precision /= (double)n, wavg.recall /= (double)n, wavg.f1 /= (double)n;
  mavg.precision /= (double)k, mavg.recall /= (double)k, mavg.f1 /= (double)k;
  out->weighted = wavg;
  out->macro = mavg;
  out->accuracy = (double)correct / (double)n;
}

logreg_status logreg_metrics_compute(const int32_t *y, const double *proba, size_t n, size_t k,
                                     logreg_metrics *out, logreg_error *err) {
  lr_error_clear(err);
  if (!out) return lr_fail(err, LOGREG_EINVAL, "metrics: output is NULL");
  /* Zeroed first, so that logreg_metrics_free is safe on every failure path. */
  memset(out, 0, sizeof *out);
  if (!y || !proba) return lr_fail(err, LOGREG_EINVAL, "metrics: labels or probabilities are NULL");
  if (n == 0) return lr_fail(err, LOGREG_EINVAL, "metrics: no rows to evaluate");
  if (k < 2) return lr_fail(err, LOGREG_EINVAL, "metrics: need at least 2 classes, got %zu", k);
  if (k > SIZE_MAX / sizeof(size_t) / k || n > SIZE_MAX / k || n > SIZE_MAX / sizeof(scored))
    return lr_fail(err, LOGREG_EINVAL, "metrics: %zu classes is too many", k);
  out->n = n;
  out->k = k;
  out->confusion = calloc(k * k, sizeof *out->confusion);
  out->per_class = calloc(k, sizeof *out->per_class);
  double loss_sum = 0.0;
  logreg_status st = !out->confusion || !out->per_class
                         ? lr_fail(err, LOGREG_ENOMEM, "metrics: out of memory")
                         : count_rows(y, proba, n, k, out->confusion, &loss_sum, err);
  if (!st) {
    out->log_loss = loss_sum / (double)n;
    class_scores(out);
    st = probability_scores(y, proba, n, k, out, err);
  }
  if (st) {
    logreg_metrics_free(out);
    memset(out, 0, sizeof *out);
  }
  return st;
}

void logreg_metrics_free(logreg_metrics *m) {
  if (!m) return;
  free(m->confusion);
  free(m->per_class);
  free(m->class_roc_auc);
  free(m->class_average_precision);
  m->confusion = NULL;
  m->per_class = NULL;
  m->class_roc_auc = NULL;
  m->class_average_precision = NULL;
}
