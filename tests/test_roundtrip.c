/* test_roundtrip.c: a trained model saved and loaded again predicts bit-identical
 * probabilities (multinomial and binary, with missing values filled from the model). */
#include <stdlib.h>

#include "check.h"
#include "data/dataset.h"
#include "model/model.h"
#include "util/util.h"

static void roundtrip(int binary) {
  enum { N = 300, D = 6 };
  size_t k = binary ? 2 : 4;
  float *x = malloc(N * D * sizeof *x);
  int32_t *y = malloc(N * sizeof *y);
  lr_rng rng;
  lr_rng_seed(&rng, 11);
  for (int i = 0; i < N; i++) {
    y[i] = (int32_t)lr_rng_below(&rng, k);
    for (int j = 0; j < D; j++)
      x[i * D + j] = (float)(3.0 * lr_rng_normal(&rng) + (j % (int)k == y[i] ? 2.0 : 0.0) + 50);
  }
  x[5 * D + 2] = NAN; /* a missing value: filled with the model's median on both sides */
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_from_arrays(N, D, x, y, k, NULL, NULL, &ds, &err) == LOGREG_OK);
  logreg_params p;
  logreg_params_init(&p);
  p.binary = binary;
  p.epochs = 30;
  p.l2 = 1e-3;
  logreg_model *m = NULL, *m2 = NULL;
  CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_OK);
  char path[512];
  check_tmp_path(path, sizeof path, "test_roundtrip", binary ? "binary.json" : "multi.json");
  CHECK(logreg_model_save(m, path, &err) == LOGREG_OK);
  CHECK(logreg_model_load(path, &m2, &err) == LOGREG_OK);
  double *p1 = malloc(N * k * sizeof *p1), *p2 = malloc(N * k * sizeof *p2);
  CHECK(logreg_predict_proba(m, ds, p1, &err) == LOGREG_OK);
  if (m2) CHECK(logreg_predict_proba(m2, ds, p2, &err) == LOGREG_OK);
  CHECK(m2 && memcmp(p1, p2, N * k * sizeof *p1) == 0);
  /* And the probabilities are real: rows sum to 1, and they are not all the same. */
  double s = 0;
  for (size_t c = 0; c < k; c++) s += p1[c];
  CHECK_CLOSE(s, 1.0, 1e-12);
  CHECK(p1[0] != p1[k]);
  remove(path);
  free(p1);
  free(p2);
  free(x);
  free(y);
  logreg_model_free(m);
  logreg_model_free(m2);
  logreg_dataset_free(ds);
}

int main(void) {
  roundtrip(0);
  roundtrip(1);
  return check_report("test_roundtrip");
}
