/* fuzz_libsvm.c: libFuzzer target for the LIBSVM/svmlight reader (lr_read_libsvm, in memory).
 *
 * The first input byte picks the options: no limit on the feature count (training) or a
 * model's count (predict), and labels free or restricted to a model's classes; the rest is the
 * file. Any input must give a dataset or one error line, never a crash, leak or UB. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/readers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The largest "DIGITS:" index anywhere in the input (saturating), a cheap over-estimate of D. */
static size_t max_index(const uint8_t *p, size_t n) {
  size_t best = 0, cur = 0;
  int digits = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] >= '0' && p[i] <= '9') {
      cur = cur > SIZE_MAX / 10 - 10 ? SIZE_MAX / 10 : cur * 10 + (size_t)(p[i] - '0');
      digits = 1;
      continue;
    }
    if (p[i] == ':' && digits && cur > best) best = cur;
    cur = 0;
    digits = 0;
  }
  return best;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0;
  unsigned v = data[0];
  data++;
  size--;
  /* Rows are stored dense and each feature gets a name, so an index near the reader's cap
   * (2^22) costs seconds per input under ASan while taking the same code path as a small one:
   * such inputs run only when bit 6 of the first byte asks for them, to keep the fuzzer fast. */
  size_t big = max_index(data, size);
  if (big > 65536 && big <= ((size_t)1 << 22) && !(v & 64u)) return 0;
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
    for (size_t i = 0; i < ds->n; i++)
      if (ds->y[i] < 0 || (size_t)ds->y[i] >= ds->k) abort();
    logreg_dataset_free(ds);
  } else if (ds || !err.message[0] || strchr(err.message, '\n')) {
    abort();
  }
  free(buf);
  return 0;
}
