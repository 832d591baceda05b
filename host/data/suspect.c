/* suspect.c: feature columns that look like an id or a leak (logreg_dataset_suspects).
 *
 * Two signs, judged on a labelled dense CSV table of at least LR_SUSPECT_MIN_ROWS rows, before
 * any split:
 *   - unique: a different value in every row, no value missing, and either every value an
 *     integer (a numeric column) or the column text (a categorical column with one category per
 *     row). A row number, a respondent id, a timestamp in whole seconds.
 *   - separates: a numeric column whose values, class by class, lie in ranges of their own
 *     (each class's [min, max] apart from every other class's, missing values aside): the
 *     column alone classifies every row. An id in a file sorted by the label, or a copy of the
 *     label under another name.
 * Cost: one row-major pass over X for every column's class ranges; the unique test then needs
 * an integer column with no value missing and a range of at least n - 1, and only such a column
 * is sorted (a copy), so counts, codes and years are never sorted.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "util/util.h"

#define LR_SUSPECT_MIN_ROWS 20

static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* Per column, from one row-major pass: each class's lowest and highest value (lo, hi: k x d,
 * missing values aside), and whether every value is a present integer (whole). */
static void column_ranges(const logreg_dataset *ds, float *lo, float *hi, unsigned char *whole) {
  size_t n = ds->n, d = ds->d, k = ds->k;
  for (size_t e = 0; e < k * d; e++) lo[e] = INFINITY, hi[e] = -INFINITY;
  memset(whole, 1, d);
  for (size_t i = 0; i < n; i++) {
    const float *xi = ds->x + i * d;
    float *l = lo + (size_t)ds->y[i] * d, *h = hi + (size_t)ds->y[i] * d;
    for (size_t j = 0; j < d; j++) {
      float v = xi[j];
      whole[j] &= (unsigned char)(v == floorf(v)); /* NaN: 0 */
      l[j] = v < l[j] ? v : l[j];
      h[j] = v > h[j] ? v : h[j];
    }
  }
}

/* Whether column j, all present integers, holds n different ones. tmp: n. */
static int unique_integers(const logreg_dataset *ds, size_t j, const float *lo, const float *hi,
                           float *tmp) {
  size_t n = ds->n, d = ds->d;
  float a = INFINITY, b = -INFINITY;
  for (size_t c = 0; c < ds->k; c++) {
    a = lo[c * d + j] < a ? lo[c * d + j] : a;
    b = hi[c * d + j] > b ? hi[c * d + j] : b;
  }
  if ((double)b - (double)a < (double)(n - 1)) return 0; /* n different integers need it */
  for (size_t i = 0; i < n; i++) tmp[i] = ds->x[i * d + j];
  qsort(tmp, n, sizeof *tmp, cmp_float);
  for (size_t i = 1; i < n; i++)
    if (tmp[i] == tmp[i - 1]) return 0;
  return 1;
}

/* Whether column j's class ranges lie apart from each other. ord: k. */
static int separates(const logreg_dataset *ds, size_t j, const float *lo, const float *hi,
                     size_t *ord) {
  size_t d = ds->d, k = ds->k;
  for (size_t c = 0; c < k; c++) {
    if (lo[c * d + j] > hi[c * d + j]) return 0; /* a class with no value: no evidence */
    ord[c] = c;
  }
  for (size_t a = 1; a < k; a++) { /* classes by their lowest value */
    size_t v = ord[a], q = a;
    for (; q > 0 && lo[ord[q - 1] * d + j] > lo[v * d + j]; q--) ord[q] = ord[q - 1];
    ord[q] = v;
  }
  for (size_t a = 1; a < k; a++)
    if (!(hi[ord[a - 1] * d + j] < lo[ord[a] * d + j])) return 0;
  return 1;
}

/* The line for column [j, ..) with signs `why`. */
static void suspect_message(const logreg_dataset *ds, size_t j, int why, char *buf, size_t cap) {
  const char *name = logreg_dataset_feature_source(ds, j);
  char word[220];
  if (ds->feature_names)
    lr_shell_word(name, word, sizeof word);
  else
    snprintf(word, sizeof word, "%zu", ds->feature_columns[j]);
  int unique = why & LOGREG_SUSPECT_UNIQUE, sep = why & LOGREG_SUSPECT_SEPARATES;
  const char *cat = ds->feature_categories ? ds->feature_categories[j] : NULL;
  snprintf(buf, cap, "column \"%.100s\" %s%s%s: %s? 'drop' %.110s removes it", name,
           unique ? cat ? "holds a different text in every row"
                        : "holds a different integer in every row"
                  : "",
           unique && sep ? " and " : "",
           sep ? "alone separates the classes (each class's values lie in a range of their own)"
               : "",
           sep ? "an id in a file sorted by the label, or a leak" : "an id", word);
}

size_t logreg_dataset_suspects(const logreg_dataset *ds, logreg_suspect *out, size_t cap) {
  if (!ds || !ds->x || !ds->y || !ds->feature_columns || ds->k < 2 || ds->n < LR_SUSPECT_MIN_ROWS)
    return 0;
  size_t n = ds->n, d = ds->d, k = ds->k, found = 0;
  float *tmp = malloc(n * sizeof *tmp), *lo = malloc(k * d * sizeof *lo),
        *hi = malloc(k * d * sizeof *hi);
  size_t *ord = malloc(k * sizeof *ord);
  unsigned char *whole = malloc(d ? d : 1);
  if (tmp && lo && hi && ord && whole) {
    column_ranges(ds, lo, hi, whole);
    char *const *cat = ds->feature_categories;
    for (size_t j = 0; j < d;) {
      size_t e = j + 1; /* the column's features: [j, e) */
      int flags = 0;
      if (cat && cat[j]) {
        while (e < d && cat[e] && ds->feature_columns[e] == ds->feature_columns[j]) e++;
        int missing = 0;
        for (size_t q = j; q < e; q++) missing |= cat[q][0] == '\0';
        if (!missing && e - j == n) flags |= LOGREG_SUSPECT_UNIQUE;
      } else {
        if (whole[j] && unique_integers(ds, j, lo, hi, tmp)) flags |= LOGREG_SUSPECT_UNIQUE;
        if (separates(ds, j, lo, hi, ord)) flags |= LOGREG_SUSPECT_SEPARATES;
      }
      if (flags) {
        if (out && found < cap) {
          out[found].feature = j;
          out[found].why = flags;
          suspect_message(ds, j, flags, out[found].message, sizeof out[found].message);
        }
        found++;
      }
      j = e;
    }
  }
  free(tmp);
  free(lo);
  free(hi);
  free(ord);
  free(whole);
  return found;
}
