/* fuzz_libsvm.c: libFuzzer target for the LIBSVM/svmlight reader (lr_read_libsvm, in memory).
 *
 * The first input byte picks the options: no limit on the feature count (training) or a
 * model's count (predict), and labels free or restricted to a model's classes; the rest is the
 * file. Any input must give a dataset or one error line, never a crash, leak or UB. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/readers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  unsigned v = data[0];
  data++;
  size--;
  static const char *const classes[] = {"-1", "+1", "2"};

  logreg_read_options opt;
  logreg_read_options_init(&opt);
  opt.format = LOGREG_FORMAT_LIBSVM;
  opt.n_features = (v & 1u) ? (v >> 1) % 8u + 1u : 0; /* 1..8 with a model */
  if (v & 16u) {
    opt.class_names = classes;
    opt.n_classes = 3;
  }

  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  /* Fields become C strings in place: a NUL byte must be refused, never cut a value short. */
  int has_nul = memchr(data, 0, size) != NULL;
  logreg_dataset *ds = NULL;
  logreg_error err;
  logreg_status st = lr_read_libsvm("fuzz.svm", buf, size, &opt, &ds, &err);
  if (st == LOGREG_OK) {
    if (has_nul) abort();
    if (!ds || ds->d == 0 || ds->n == 0) abort();
    if (opt.n_features && ds->d != opt.n_features) abort();
    /* CSR: rows in order, indices strictly increasing within a row and below d, values finite
     * (the rows are sparse: any index up to 2^31 - 1 costs its nonzero only). */
    if (!ds->indptr || ds->x || ds->indptr[0] != 0 || (size_t)ds->indptr[ds->n] != ds->nnz) abort();
    for (size_t i = 0; i < ds->n; i++) {
      if (ds->indptr[i + 1] < ds->indptr[i]) abort();
      for (int64_t e = ds->indptr[i]; e < ds->indptr[i + 1]; e++) {
        if (ds->indices[e] < 0 || (size_t)ds->indices[e] >= ds->d || !isfinite(ds->values[e]))
          abort();
        if (e > ds->indptr[i] && ds->indices[e] <= ds->indices[e - 1]) abort();
      }
    }
    for (size_t i = 0; i < ds->n; i++)
      if (ds->y[i] < 0 || (size_t)ds->y[i] >= ds->k) abort();
    logreg_dataset_free(ds);
  } else if (ds || !err.message[0] || strchr(err.message, '\n')) {
    abort();
  }
  free(buf);
  return 0;
}
