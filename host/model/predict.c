/* predict.c: logreg_predict_proba, probabilities from a model for new rows.
 *
 * Nothing here restates the training math: each row goes through the model's own
 * preprocessing (lr_transform_row, host/prep/) and its logits through the reference
 * sigmoid and softmax (lr_sigmoid, lr_softmax, host/backend/cpu.c), all in double. */
#include <stdlib.h>

#include "backend/backend.h"
#include "data/dataset.h"
#include "model/model.h"
#include "prep/preprocess.h"
#include "util/util.h"

logreg_status logreg_predict_proba(const logreg_model *m, const logreg_dataset *ds, double *proba,
                                   logreg_error *err) {
  if (ds->d != m->d)
    return lr_fail(err, LOGREG_EINVAL, "data has %zu features; the model expects %zu", ds->d, m->d);
  size_t d = m->d, k = m->k, kw = lr_model_kw(m);
  double *xr = malloc((d ? d : 1) * sizeof *xr);
  double *z = malloc(k * sizeof *z);
  if (!xr || !z) {
    free(xr);
    free(z);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < ds->n; i++) {
    lr_transform_row(m, ds->x + i * d, xr);
    for (size_t c = 0; c < kw; c++) z[c] = m->b[c];
    for (size_t j = 0; j < d; j++)
      for (size_t c = 0; c < kw; c++) z[c] += xr[j] * m->w[j * kw + c];
    double *pr = proba + i * k;
    if (m->binary)
      pr[1] = lr_sigmoid(z[0], &pr[0]); /* p0 = sigma(-z): no cancellation */
    else
      lr_softmax(z, k, pr, NULL);
  }
  free(xr);
  free(z);
  return LOGREG_OK;
}
