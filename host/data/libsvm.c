/* libsvm.c: the LIBSVM / svmlight reader.
 *
 * One row per line: `label index:value index:value ...`, separated by blanks (spaces, tabs; a
 * CR before the newline counts as a blank). Indices are 1-based and strictly increasing within
 * a line; `#` starts a comment to the end of the line; empty lines are skipped; svmlight's
 * `qid:N` tokens carry no feature and are ignored. The rows are stored sparse (CSR: 64-bit row
 * pointers, 32-bit column indices, float32 values), so memory is O(nnz) whatever D is: D is the
 * largest index in the file (or opt->n_features when a model fixes it; a larger index is then an
 * error), and the features are named "f1".."fD" as the file numbers them, generated on demand
 * (lr_dataset_feature_name) rather than stored. A line with a label and no pair is a row of
 * zeros. Labels are kept as text and encoded by lr_encode_labels, so +1/-1 and 1/2/3 both work
 * and the class names are the labels as written.
 *
 * The file is parsed once, keeping the nonzeros (index, value) in growing arrays that become
 * the dataset's CSR arrays as they are.
 *
 * Errors are FILE:LINE:COLUMN with a 1-based byte column. A NUL byte is an error (binary data).
 *
 * Feature indices are capped at LR_LIBSVM_MAX_INDEX = 2^31 - 1, the largest 32-bit column index.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/readers.h"
#include "data/source.h"
#include "util/util.h"

#define LR_LIBSVM_MAX_INDEX ((size_t)INT32_MAX) /* 2147483647 features */

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* realloc for `cap` elements of `size` bytes; NULL on overflow or ENOMEM (p is then kept). */
static void *grow(void *p, size_t cap, size_t size) {
  if (cap > SIZE_MAX / size) return NULL;
  return realloc(p, cap * size);
}

typedef struct svm_data {
  size_t n, row_cap;
  char **labels;     /* n, pointing into the buffer */
  size_t *row_line;  /* n physical lines */
  size_t *label_col; /* n byte columns of the labels */
  size_t *row_start; /* n + 1 offsets into the nonzeros */
  size_t nnz, nz_cap;
  int32_t *nz_col; /* 0-based feature index */
  float *nz_val;
  size_t max_index; /* the largest 1-based feature index seen */
} svm_data;

static void svm_data_free(svm_data *s) {
  free(s->labels);
  free(s->row_line);
  free(s->label_col);
  free(s->row_start);
  free(s->nz_col);
  free(s->nz_val);
}

static int add_row(svm_data *s, char *label, size_t line, size_t col) {
  if (s->n + 1 >= s->row_cap) {
    size_t cap = s->row_cap ? s->row_cap * 2 : 1024;
    char **labels = grow(s->labels, cap, sizeof *labels);
    if (!labels) return -1;
    s->labels = labels;
    size_t *v = grow(s->row_line, cap, sizeof *v);
    if (!v) return -1;
    s->row_line = v;
    if (!(v = grow(s->label_col, cap, sizeof *v))) return -1;
    s->label_col = v;
    if (!(v = grow(s->row_start, cap, sizeof *v))) return -1;
    s->row_start = v;
    s->row_cap = cap;
  }
  s->labels[s->n] = label;
  s->row_line[s->n] = line;
  s->label_col[s->n] = col;
  s->row_start[s->n] = s->nnz;
  s->n++;
  s->row_start[s->n] = s->nnz;
  return 0;
}

static int add_nonzero(svm_data *s, size_t j, float v) {
  if (s->nnz == s->nz_cap) {
    size_t cap = s->nz_cap ? s->nz_cap * 2 : 4096;
    int32_t *c = grow(s->nz_col, cap, sizeof *c);
    if (!c) return -1;
    s->nz_col = c;
    float *vals = grow(s->nz_val, cap, sizeof *vals);
    if (!vals) return -1;
    s->nz_val = vals;
    s->nz_cap = cap;
  }
  s->nz_col[s->nnz] = (int32_t)j;
  s->nz_val[s->nnz] = v;
  s->nnz++;
  s->row_start[s->n] = s->nnz;
  return 0;
}

/* Parses the INDEX:VALUE token [tok, tend) of line `line` (whose text starts at ls, for byte
 * columns) into a 1-based index *idx, which must be above `prev` and within `limit` (0: any),
 * and its value *v. svmlight's qid:N carries no feature: *idx = 0. */
static logreg_status svm_pair(const char *path, size_t line, const char *ls, char *tok, char *tend,
                              size_t prev, size_t limit, size_t *idx, float *v, logreg_error *err) {
  size_t col = (size_t)(tok - ls) + 1;
  char *colon = memchr(tok, ':', (size_t)(tend - tok));
  if (!colon)
    return lr_fail(err, LOGREG_EPARSE, "%s:%zu:%zu: expected INDEX:VALUE, found \"%.*s\"", path,
                   line, col, (int)(tend - tok < 40 ? tend - tok : 40), tok);
  *idx = 0;
  if (colon - tok == 3 && memcmp(tok, "qid", 3) == 0) return LOGREG_OK;
  size_t i = 0;
  int ok = colon > tok;
  for (const char *c = tok; ok && c < colon; c++) {
    if (*c < '0' || *c > '9')
      ok = 0;
    else if (i <= LR_LIBSVM_MAX_INDEX) /* beyond it: saturate, reported below */
      i = i * 10 + (size_t)(*c - '0');
  }
  if (!ok)
    return lr_fail(err, LOGREG_EPARSE, "%s:%zu:%zu: bad feature index \"%.*s\"", path, line, col,
                   (int)(colon - tok < 40 ? colon - tok : 40), tok);
  if (i == 0)
    return lr_fail(err, LOGREG_EPARSE, "%s:%zu:%zu: feature index 0: indices start at 1", path,
                   line, col);
  if (i <= prev)
    return lr_fail(err, LOGREG_EPARSE,
                   "%s:%zu:%zu: feature index %zu after index %zu: indices must increase "
                   "within a line",
                   path, line, col, i, prev);
  if (i > LR_LIBSVM_MAX_INDEX)
    return lr_fail(err, LOGREG_EPARSE,
                   "%s:%zu:%zu: feature index %.*s is too large: at most %zu features "
                   "are supported",
                   path, line, col, (int)(colon - tok < 40 ? colon - tok : 40), tok,
                   LR_LIBSVM_MAX_INDEX);
  if (limit && i > limit)
    return lr_fail(err, LOGREG_EPARSE,
                   "%s:%zu:%zu: feature index %zu is beyond the model's %zu features", path, line,
                   col, i, limit);
  *tend = '\0';
  const char *val = colon + 1;
  int r = *val ? lr_parse_value(val, v) : -1;
  if (r != 0) {
    char where[600];
    snprintf(where, sizeof where, "%s:%zu:%zu", path, line, (size_t)(val - ls) + 1);
    return lr_value_error(err, where, val, r, "");
  }
  *idx = i;
  return LOGREG_OK;
}

/* One line [ls, eol) into s: nothing when it is blank or a comment, else a row (its label and
 * its INDEX:VALUE pairs; features beyond `limit`, when not 0, are an error). */
static logreg_status svm_line(svm_data *s, const char *path, size_t limit, size_t line, char *ls,
                              char *eol, logreg_error *err) {
  /* Tokens become C strings in place, so a NUL byte would silently cut one short. */
  const char *nul = memchr(ls, '\0', (size_t)(eol - ls));
  if (nul)
    return lr_fail(err, LOGREG_EPARSE, "%s:%zu:%zu: NUL byte: not a text file", path, line,
                   (size_t)(nul - ls) + 1);
  char *le = memchr(ls, '#', (size_t)(eol - ls));
  if (!le) le = eol;

  char *q = ls;
  while (q < le && is_blank(*q)) q++;
  if (q == le) return LOGREG_OK; /* empty or comment-only line */

  /* The label: the first token. NUL-terminating it overwrites a blank, the '#' or the
   * newline, all of which are behind us (le and eol are already known). */
  char *tok = q;
  while (q < le && !is_blank(*q)) q++;
  if (memchr(tok, ':', (size_t)(q - tok)))
    return lr_fail(err, LOGREG_EPARSE, "%s:%zu:%zu: missing label: the line starts with \"%.*s\"",
                   path, line, (size_t)(tok - ls) + 1, (int)(q - tok < 40 ? q - tok : 40), tok);
  *q = '\0';
  if (add_row(s, tok, line, (size_t)(tok - ls) + 1))
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
  if (q < le) q++;

  size_t prev = 0;
  for (;;) {
    while (q < le && is_blank(*q)) q++;
    if (q >= le) break;
    tok = q;
    while (q < le && !is_blank(*q)) q++;
    char *tend = q;
    if (q < le) q++; /* past the blank that svm_pair's NUL replaces */
    size_t idx = 0;
    float v;
    logreg_status st = svm_pair(path, line, ls, tok, tend, prev, limit, &idx, &v, err);
    if (st != LOGREG_OK) return st;
    if (idx == 0) continue; /* qid */
    if (add_nonzero(s, idx - 1, v)) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
    prev = idx;
    if (idx > s->max_index) s->max_index = idx;
  }
  return LOGREG_OK;
}

/* The dataset of the rows in s: D features (opt->n_features, or the largest index), the
 * nonzeros as collected (taken from s) for its CSR arrays, and the labels encoded. */
static logreg_status svm_dataset(svm_data *s, const char *path, const logreg_read_options *opt,
                                 logreg_dataset **out, logreg_error *err) {
  if (s->n == 0) return lr_fail(err, LOGREG_EPARSE, "%s: no data rows", path);
  size_t d = opt->n_features ? opt->n_features : s->max_index;
  if (d == 0)
    return lr_fail(err, LOGREG_EPARSE, "%s: no features: no line has an INDEX:VALUE pair", path);
  /* The CSR arrays: the nonzeros as collected (trimmed), row pointers widened to 64 bits. */
  logreg_dataset *ds = lr_dataset_alloc_csr(s->n, d, 0, 1);
  if (!ds) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory for %zu rows", path, s->n);
  for (size_t i = 0; i <= s->n; i++) ds->indptr[i] = (int64_t)s->row_start[i];
  if (s->nnz) {
    free(ds->indices);
    free(ds->values);
    int32_t *c = realloc(s->nz_col, s->nnz * sizeof *c);
    float *v = realloc(s->nz_val, s->nnz * sizeof *v);
    ds->indices = c ? c : s->nz_col; /* a failed shrink keeps the larger block */
    ds->values = v ? v : s->nz_val;
    s->nz_col = NULL;
    s->nz_val = NULL;
    ds->nnz = s->nnz;
  }
  logreg_status st = LOGREG_OK;
  size_t bad = 0;
  int r = lr_encode_labels(ds, s->labels, opt->class_names, opt->n_classes, &bad);
  if (r < 0) {
    st = lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
  } else if (r > 0) {
    st =
        lr_fail(err, LOGREG_EPARSE, "%s:%zu:%zu: label \"%.60s\" is not one of the model's classes",
                path, s->row_line[bad], s->label_col[bad], s->labels[bad]);
  }
  if (st == LOGREG_OK)
    *out = ds;
  else
    logreg_dataset_free(ds);
  return st;
}

logreg_status lr_read_libsvm(const char *path, char *buf, size_t len,
                             const logreg_read_options *opt, logreg_dataset **out,
                             logreg_error *err) {
  svm_data s = {0};
  logreg_status st = LOGREG_OK;
  char *p = buf, *end = buf + len;
  for (size_t line = 1; p < end && st == LOGREG_OK; line++) {
    char *ls = p;
    char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    p = eol < end ? eol + 1 : end;
    st = svm_line(&s, path, opt->n_features, line, ls, eol, err);
  }
  if (st == LOGREG_OK) st = svm_dataset(&s, path, opt, out, err);
  svm_data_free(&s);
  return st;
}
