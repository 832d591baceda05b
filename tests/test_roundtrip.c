/* test_roundtrip.c: a trained model saved and loaded again predicts bit-identical
 * probabilities (multinomial and binary, with missing values filled from the model); data read
 * for a model (logreg_dataset_read_for_model) or like the training data (_read_like) is laid
 * out as the model's features, whatever the order of its columns. */
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
  p.optimizer = LOGREG_OPTIMIZER_ADAM; /* the default before LOGREG_OPTIMIZER_AUTO */
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

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (!f) return;
  fputs(text, f);
  fclose(f);
}

/* logreg_dataset_read_for_model and _read_like: a file whose columns are in another order, one
 * category the model does not know, and no label column (for prediction), reads as the model's
 * features, and its rows predict what the same rows of the training file predict. */
static void read_for_model(void) {
  char tr[512], other[512], nolab[512], missing[512];
  check_tmp_path(tr, sizeof tr, "test_roundtrip", "train.csv");
  check_tmp_path(other, sizeof other, "test_roundtrip", "other.csv");
  check_tmp_path(nolab, sizeof nolab, "test_roundtrip", "nolabel.csv");
  check_tmp_path(missing, sizeof missing, "test_roundtrip", "missing.csv");
  write_text(tr, "age,color,size,label\n30,red,1.5,yes\n40,blue,2.5,no\n35,red,1.0,yes\n"
                 "50,green,3.0,no\n28,blue,1.2,yes\n61,green,2.9,no\n");
  write_text(other, "label,size,color,age\nno,2.5,blue,40\nyes,1.0,red,35\nno,9.0,purple,70\n");
  write_text(nolab, "size,age,color\n2.5,40,blue\n");
  write_text(missing, "label,size,age\nno,2.5,40\n");
  logreg_read_options ro;
  logreg_read_options_init(&ro);
  logreg_dataset *ds = NULL, *o = NULL, *n = NULL, *like = NULL, *bad = NULL;
  logreg_model *m = NULL;
  logreg_error err;
  CHECK(logreg_dataset_read(tr, &ro, &ds, &err) == LOGREG_OK);
  logreg_params p;
  logreg_params_init(&p);
  p.optimizer = LOGREG_OPTIMIZER_ADAM; /* the default before LOGREG_OPTIMIZER_AUTO */
  p.epochs = 20;
  p.l2 = 1e-2;
  if (ds) CHECK(logreg_train(ds, NULL, &p, &m, NULL, &err) == LOGREG_OK);
  if (!m) return;
  size_t d = logreg_model_features(m); /* age, color=blue, color=green, color=red, size */
  CHECK(d == 5);
  CHECK(logreg_dataset_read_for_model(other, m, &ro, &o, &err) == LOGREG_OK);
  CHECK(logreg_dataset_read_like(other, ds, &ro, &like, &err) == LOGREG_OK);
  ro.target_optional = 1;
  CHECK(logreg_dataset_read_for_model(nolab, m, &ro, &n, &err) == LOGREG_OK);
  CHECK(logreg_dataset_read_for_model(missing, m, &ro, &bad, &err) != LOGREG_OK);
  CHECK(bad == NULL && strstr(err.message, "missing.csv") != NULL);
  if (o && n && like) {
    CHECK(logreg_dataset_features(o) == d && logreg_dataset_features(n) == d);
    CHECK(memcmp(logreg_dataset_x(o), logreg_dataset_x(like), 3 * d * sizeof(float)) == 0);
    /* Row 0 of `other` is row 1 of the training file; row 2's purple is unseen: all zeros. */
    CHECK(memcmp(logreg_dataset_x(o), logreg_dataset_x(ds) + d, d * sizeof(float)) == 0);
    CHECK(memcmp(logreg_dataset_x(o) + d, logreg_dataset_x(ds) + 2 * d, d * sizeof(float)) == 0);
    const float *r2 = logreg_dataset_x(o) + 2 * d;
    CHECK(r2[0] == 70.0f && r2[1] == 0.0f && r2[2] == 0.0f && r2[3] == 0.0f && r2[4] == 9.0f);
    CHECK(logreg_dataset_unseen_rows(o) == 1);
    CHECK(logreg_dataset_y(o)[0] == 0 && logreg_dataset_y(o)[1] == 1); /* "no" < "yes" */
    CHECK(logreg_dataset_y(n) == NULL);
    CHECK(memcmp(logreg_dataset_x(n), logreg_dataset_x(ds) + d, d * sizeof(float)) == 0);
    double po[6], pt[12];
    CHECK(logreg_predict_proba(m, o, po, &err) == LOGREG_OK);
    CHECK(logreg_predict_proba(m, ds, pt, &err) == LOGREG_OK);
    CHECK(memcmp(po, pt + 2, 4 * sizeof *po) == 0);
  }
  logreg_dataset_free(ds);
  logreg_dataset_free(o);
  logreg_dataset_free(n);
  logreg_dataset_free(like);
  logreg_model_free(m);
  remove(tr);
  remove(other);
  remove(nolab);
  remove(missing);
}

int main(void) {
  read_for_model();
  roundtrip(0);
  roundtrip(1);
  return check_report("test_roundtrip");
}
