/* predict.c: probabilities and logits from a model for new rows: logreg_predict_proba (a
 * dataset) and the *_buffer variants (a caller's float32 or float64 array with a row stride).
 *
 * Nothing here restates the training math: each row goes through the model's own
 * preprocessing (lr_transform_row, host/prep/) and its logits through the reference
 * sigmoid and softmax (lr_sigmoid, lr_softmax, host/backend/reference.c), all in double. A buffer's
 * rows are rounded to float32 first, as a dataset holds them, so both ways give the same bits. */
#include <stdlib.h>

#include "backend/backend.h"
#include "data/dataset.h"
#include "model/model.h"
#include "prep/preprocess.h"
#include "util/util.h"

/* What predict_rows writes per row: K probabilities or KW logits. */
typedef enum { OUT_PROBA, OUT_LOGITS } predict_out;

/* Rows of a checked buffer (a dataset's x is one: float32, stride d) through the model. */
static logreg_status predict_rows(const logreg_model *m, size_t n, const void *x, logreg_dtype type,
                                  size_t stride, predict_out what, double *out, logreg_error *err) {
  size_t d = m->d, k = m->k, kw = lr_model_kw(m);
  double *xr = malloc((d ? d : 1) * sizeof *xr);
  double *z = malloc(k * sizeof *z);
  float *row = malloc((d ? d : 1) * sizeof *row);
  if (!xr || !z || !row) {
    free(xr);
    free(z);
    free(row);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    lr_transform_row(m, lr_buffer_row(x, type, stride, d, i, row), xr);
    for (size_t c = 0; c < kw; c++) z[c] = m->b[c];
    for (size_t j = 0; j < d; j++)
      for (size_t c = 0; c < kw; c++) z[c] += xr[j] * m->w[j * kw + c];
    if (what == OUT_LOGITS) {
      for (size_t c = 0; c < kw; c++) out[i * kw + c] = z[c];
      continue;
    }
    double *pr = out + i * k;
    if (m->binary)
      pr[1] = lr_sigmoid(z[0], &pr[0]); /* p0 = sigma(-z): no cancellation */
    else
      lr_softmax(z, k, pr, NULL);
  }
  free(xr);
  free(z);
  free(row);
  return LOGREG_OK;
}

/* Sparse rows (CSR) through the model, never densified: with x_j' = (x_j - mean_j) / std_j,
 * z = b + sum_j x_j' W_j = [b - sum_j (mean_j / std_j) W_j] + sum over the nonzeros of
 * (x_j / std_j) W_j; the bracket (b itself for a sparse model, whose means are 0) is computed
 * once. Probabilities as predict_rows. */
static logreg_status predict_csr(const logreg_model *m, const logreg_dataset *ds, double *out,
                                 logreg_error *err) {
  size_t d = m->d, k = m->k, kw = lr_model_kw(m);
  double *z = malloc(2 * k * sizeof *z), *z0 = z ? z + k : NULL;
  if (!z) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  for (size_t c = 0; c < kw; c++) z0[c] = m->b[c];
  for (size_t j = 0; j < d; j++)
    if (m->mean[j] != 0)
      for (size_t c = 0; c < kw; c++) z0[c] -= m->mean[j] / m->std[j] * m->w[j * kw + c];
  for (size_t i = 0; i < ds->n; i++) {
    for (size_t c = 0; c < kw; c++) z[c] = z0[c];
    for (int64_t e = ds->indptr[i]; e < ds->indptr[i + 1]; e++) {
      size_t j = (size_t)ds->indices[e];
      double xj = (double)ds->values[e] / m->std[j];
      for (size_t c = 0; c < kw; c++) z[c] += xj * m->w[j * kw + c];
    }
    double *pr = out + i * k;
    if (m->binary)
      pr[1] = lr_sigmoid(z[0], &pr[0]);
    else
      lr_softmax(z, k, pr, NULL);
  }
  free(z);
  return LOGREG_OK;
}

logreg_status logreg_predict_proba(const logreg_model *m, const logreg_dataset *ds, double *proba,
                                   logreg_error *err) {
  logreg_status st = lr_dataset_check_x(ds, "data", err);
  if (st) return st;
  if (ds->d != m->d)
    return lr_fail(err, LOGREG_EINVAL, "data has %zu features; the model expects %zu", ds->d, m->d);
  if (lr_dataset_sparse(ds)) return predict_csr(m, ds, proba, err);
  return predict_rows(m, ds->n, ds->x, LOGREG_FLOAT32, m->d, OUT_PROBA, proba, err);
}

static logreg_status predict_buffer(const char *fn, const logreg_model *m, size_t n, size_t d,
                                    const void *x, logreg_dtype type, size_t stride,
                                    predict_out what, double *out, logreg_error *err) {
  lr_error_clear(err);
  if (!m) return lr_fail(err, LOGREG_EINVAL, "%s: model is NULL", fn);
  if (d != m->d)
    return lr_fail(err, LOGREG_EINVAL, "%s: X has %zu features; the model expects %zu", fn, d,
                   m->d);
  if (n && !out) return lr_fail(err, LOGREG_EINVAL, "%s: the output buffer is NULL", fn);
  if (stride == 0) stride = d;
  logreg_status st = lr_check_buffer(fn, n, d, x, type, stride, err);
  if (st != LOGREG_OK) return st;
  return predict_rows(m, n, x, type, stride, what, out, err);
}

logreg_status logreg_model_predict_proba_buffer(const logreg_model *m, size_t n, size_t d,
                                                const void *x, logreg_dtype x_type,
                                                size_t row_stride, double *proba,
                                                logreg_error *err) {
  return predict_buffer("logreg_model_predict_proba_buffer", m, n, d, x, x_type, row_stride,
                        OUT_PROBA, proba, err);
}

logreg_status logreg_model_decision_function_buffer(const logreg_model *m, size_t n, size_t d,
                                                    const void *x, logreg_dtype x_type,
                                                    size_t row_stride, double *decision,
                                                    logreg_error *err) {
  return predict_buffer("logreg_model_decision_function_buffer", m, n, d, x, x_type, row_stride,
                        OUT_LOGITS, decision, err);
}
