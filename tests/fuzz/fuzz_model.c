/* fuzz_model.c: libFuzzer target for the model loader (lr_model_parse, the in-memory half of
 * logreg_model_load).
 *
 * Whatever the text, the loader must give a model or one error line. A model that loads must
 * hold only finite numbers and positive scales ("never pretend a NaN is a weight"), predict
 * without trouble, and survive a save and a load bit for bit: the file is written to a
 * per-process folder under /dev/shm (memory) when it exists. The loader's pre-pass (lifting the
 * large arrays out before cJSON, model_lift.h) is checked against cJSON alone on every input. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/dataset.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char save_path[128];

static void check_finite(const double *v, size_t n, int positive) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i]) || (positive && !(v[i] > 0))) abort();
}

static void check_same(const double *a, const double *b, size_t n) {
  if (n && memcmp(a, b, n * sizeof *a) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  logreg_model *m = NULL;
  logreg_error err;
  logreg_status st = lr_model_parse("fuzz.json", text, size, &m, &err);
  /* The pre-pass that lifts the large arrays out (model_lift.h) must not change the answer:
   * cJSON alone gives the same status and message, and the same model bit for bit. */
  logreg_model *mt = NULL;
  logreg_error err_t;
  logreg_status st_t = lr_model_parse_with("fuzz.json", text, size, 0, &mt, &err_t);
  free(text);
  /* (Out of memory may strike one reader and not the other: they allocate differently.) */
  int oom = st == LOGREG_ENOMEM || st_t == LOGREG_ENOMEM;
  if (!oom && (st_t != st || (st != LOGREG_OK && strcmp(err.message, err_t.message) != 0))) abort();
  if (mt && m) {
    if (mt->d != m->d || mt->k != m->k || mt->binary != m->binary) abort();
    check_same(mt->w, m->w, m->d * lr_model_kw(m));
    check_same(mt->b, m->b, lr_model_kw(m));
    check_same(mt->mean, m->mean, m->d);
    check_same(mt->std, m->std, m->d);
    check_same(mt->median, m->median, m->d);
    for (size_t j = 0; j < m->d; j++)
      if (strcmp(m->feature_names[j], mt->feature_names[j]) != 0) abort();
  }
  logreg_model_free(mt);
  if (st != LOGREG_OK) {
    if (m || !err.message[0] || strchr(err.message, '\n')) abort();
    return 0;
  }
  size_t d = m->d, k = m->k, kw = lr_model_kw(m);
  if (k < 2 || d < 1 || (m->binary && k != 2)) abort();
  check_finite(m->w, d * kw, 0);
  check_finite(m->b, kw, 0);
  check_finite(m->mean, d, 0);
  check_finite(m->std, d, 1);
  check_finite(m->median, d, 0);

  /* Predict one row of zeros and one of missing values. */
  if (d <= 4096) {
    float *x = calloc(2 * d, sizeof *x);
    logreg_dataset *ds = NULL;
    if (x) {
      for (size_t j = 0; j < d; j++) x[d + j] = NAN;
      if (logreg_dataset_from_arrays(2, d, x, NULL, 0, NULL, NULL, &ds, &err) == LOGREG_OK) {
        double *p = malloc(2 * k * sizeof *p);
        if (p && logreg_predict_proba(m, ds, p, &err) != LOGREG_OK) abort();
        free(p);
        logreg_dataset_free(ds);
      }
      free(x);
    }
  }

  /* Save and load again: the same model, bit for bit. */
  if (!save_path[0])
    snprintf(save_path, sizeof save_path, "%s/logreg-fuzz-%ld.json",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (long)getpid());
  logreg_model *m2 = NULL;
  if (logreg_model_save(m, save_path, &err) != LOGREG_OK) abort();
  if (logreg_model_load(save_path, &m2, &err) != LOGREG_OK) abort();
  unlink(save_path);
  if (m2->d != d || m2->k != k || m2->binary != m->binary) abort();
  check_same(m->w, m2->w, d * kw);
  check_same(m->b, m2->b, kw);
  check_same(m->mean, m2->mean, d);
  check_same(m->std, m2->std, d);
  check_same(m->median, m2->median, d);
  for (size_t c = 0; c < k; c++)
    if (strcmp(m->class_names[c], m2->class_names[c]) != 0) abort();
  for (size_t j = 0; j < d; j++)
    if (strcmp(m->feature_names[j], m2->feature_names[j]) != 0) abort();
  logreg_model_free(m2);
  logreg_model_free(m);
  return 0;
}
