/* metrics.c: classification metrics from true labels and predicted probabilities: accuracy,
 * log loss, confusion matrix, per-class and support-weighted precision/recall/F1.
 *
 * Definitions follow scikit-learn so that numbers can be compared with it directly:
 * log_loss clips p to [1e-15, 1]; precision, recall and F1 are 0 where their denominator is 0
 * (zero_division=0); F1 is computed from counts as 2 tp / (support + predicted), as
 * scikit-learn does, which is one rounding instead of three. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logreg.h"
#include "util/util.h"

#define LR_LOG_LOSS_EPS 1e-15

static double ratio(size_t num, size_t den) { return den ? (double)num / (double)den : 0.0; }

logreg_status logreg_metrics_compute(const int32_t *y, const double *proba, size_t n, size_t k,
                                     logreg_metrics *out, logreg_error *err) {
  lr_error_clear(err);
  if (!out) return lr_fail(err, LOGREG_EINVAL, "metrics: output is NULL");
  /* Zeroed first, so that logreg_metrics_free is safe on every failure path. */
  memset(out, 0, sizeof *out);
  if (!y || !proba) return lr_fail(err, LOGREG_EINVAL, "metrics: labels or probabilities are NULL");
  if (n == 0) return lr_fail(err, LOGREG_EINVAL, "metrics: no rows to evaluate");
  if (k < 2) return lr_fail(err, LOGREG_EINVAL, "metrics: need at least 2 classes, got %zu", k);
  if (k > SIZE_MAX / sizeof(size_t) / k || n > SIZE_MAX / k)
    return lr_fail(err, LOGREG_EINVAL, "metrics: %zu classes is too many", k);

  size_t *confusion = calloc(k * k, sizeof *confusion);
  size_t *predicted = calloc(k, sizeof *predicted); /* column sums: rows predicted as c */
  logreg_class_metrics *per_class = calloc(k, sizeof *per_class);
  if (!confusion || !predicted || !per_class) {
    free(confusion);
    free(predicted);
    free(per_class);
    return lr_fail(err, LOGREG_ENOMEM, "metrics: out of memory");
  }

  double loss_sum = 0.0;
  size_t correct = 0;
  for (size_t i = 0; i < n; i++) {
    const double *p = proba + i * k;
    if (y[i] < 0 || (size_t)y[i] >= k) {
      free(confusion);
      free(predicted);
      free(per_class);
      return lr_fail(err, LOGREG_EINVAL, "metrics: row %zu has label %ld, outside 0..%zu", i,
                     (long)y[i], k - 1);
    }
    size_t best = 0;
    for (size_t c = 0; c < k; c++) {
      /* A NaN would make argmax and the loss meaningless; say which row carries it. */
      if (isnan(p[c])) {
        free(confusion);
        free(predicted);
        free(per_class);
        return lr_fail(err, LOGREG_EINVAL, "metrics: row %zu has a NaN probability", i);
      }
      if (p[c] > p[best]) best = c; /* strict: the lowest index wins ties */
    }
    size_t t = (size_t)y[i];
    confusion[t * k + best]++;
    predicted[best]++;
    if (best == t) correct++;
    double pt = p[t];
    if (pt < LR_LOG_LOSS_EPS) pt = LR_LOG_LOSS_EPS;
    if (pt > 1.0) pt = 1.0;
    loss_sum += -log(pt);
  }

  logreg_class_metrics wavg = {0.0, 0.0, 0.0, n};
  for (size_t c = 0; c < k; c++) {
    size_t tp = confusion[c * k + c], support = 0;
    for (size_t j = 0; j < k; j++) support += confusion[c * k + j];
    per_class[c].support = support;
    per_class[c].precision = ratio(tp, predicted[c]);
    per_class[c].recall = ratio(tp, support);
    per_class[c].f1 = ratio(2 * tp, support + predicted[c]);
    wavg.precision += (double)support * per_class[c].precision;
    wavg.recall += (double)support * per_class[c].recall;
    wavg.f1 += (double)support * per_class[c].f1;
  }
  wavg.precision /= (double)n;
  wavg.recall /= (double)n;
  wavg.f1 /= (double)n;
  free(predicted);

  out->n = n;
  out->k = k;
  out->accuracy = (double)correct / (double)n;
  out->log_loss = loss_sum / (double)n;
  out->confusion = confusion;
  out->per_class = per_class;
  out->weighted = wavg;
  return LOGREG_OK;
}

void logreg_metrics_free(logreg_metrics *m) {
  if (!m) return;
  free(m->confusion);
  free(m->per_class);
  m->confusion = NULL;
  m->per_class = NULL;
}
