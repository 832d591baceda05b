/* read.c: logreg_dataset_read, which only dispatches: it picks the format (by the options or
 * the file name), loads the file through the readers' base (source.h) and hands the buffer to
 * the reader of that format (readers.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/readers.h"
#include "data/source.h"
#include "util/util.h"

/* ---- Format by name ---- */

static int ends_with_ci(const char *s, size_t n, const char *suffix) {
  size_t m = strlen(suffix);
  if (m > n) return 0;
  for (size_t i = 0; i < m; i++)
    if (tolower((unsigned char)s[n - m + i]) != tolower((unsigned char)suffix[i])) return 0;
  return 1;
}

static int contains_ci(const char *s, size_t n, const char *needle) {
  size_t m = strlen(needle);
  for (size_t i = 0; i + m <= n; i++)
    if (ends_with_ci(s, i + m, needle)) return 1;
  return 0;
}

logreg_format lr_format_from_path(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  if (ends_with_ci(base, n, ".gz")) n -= 3;
  if (ends_with_ci(base, n, ".svm") || ends_with_ci(base, n, ".libsvm") ||
      ends_with_ci(base, n, ".svmlight"))
    return LOGREG_FORMAT_LIBSVM;
  if (ends_with_ci(base, n, ".idx") || contains_ci(base, n, "-ubyte")) return LOGREG_FORMAT_IDX;
  /* .txt is used for both CSV and LIBSVM files; CSV is the safer guess (its errors are clear). */
  return LOGREG_FORMAT_CSV;
}

/* ---- Dispatch ---- */

logreg_status logreg_dataset_read(const char *path, const logreg_read_options *opt,
                                  logreg_dataset **out, logreg_error *err) {
  lr_error_clear(err);
  if (!out) return lr_fail(err, LOGREG_EINVAL, "logreg_dataset_read: out is NULL");
  *out = NULL;
  if (!path) return lr_fail(err, LOGREG_EINVAL, "logreg_dataset_read: path is NULL");
  logreg_read_options defaults;
  if (!opt) {
    logreg_read_options_init(&defaults);
    opt = &defaults;
  }
  logreg_format fmt = opt->format == LOGREG_FORMAT_AUTO ? lr_format_from_path(path) : opt->format;
  if (fmt != LOGREG_FORMAT_CSV && fmt != LOGREG_FORMAT_LIBSVM && fmt != LOGREG_FORMAT_IDX)
    return lr_fail(err, LOGREG_EINVAL, "%s: unknown format %d", path, (int)opt->format);
  /* Sample weights come from a CSV column; LIBSVM and IDX files have no place for them. */
  if (opt->weight && fmt != LOGREG_FORMAT_CSV)
    return lr_fail(err, LOGREG_EINVAL, "%s: 'weight' needs CSV data (this file is read as %s)",
                   path, fmt == LOGREG_FORMAT_LIBSVM ? "LIBSVM" : "IDX");
  if (opt->folds && fmt != LOGREG_FORMAT_CSV)
    return lr_fail(err, LOGREG_EINVAL, "%s: 'folds' needs CSV data (this file is read as %s)", path,
                   fmt == LOGREG_FORMAT_LIBSVM ? "LIBSVM" : "IDX");

  if (opt->categorical && fmt != LOGREG_FORMAT_CSV)
    return lr_fail(err, LOGREG_EINVAL, "%s: 'categorical' needs CSV data (this file is read as %s)",
                   path, fmt == LOGREG_FORMAT_LIBSVM ? "LIBSVM" : "IDX");
  if ((opt->na_values || opt->decimal) && fmt != LOGREG_FORMAT_CSV)
    return lr_fail(err, LOGREG_EINVAL, "%s: '%s' needs CSV data (this file is read as %s)", path,
                   opt->na_values ? "na_values" : "decimal",
                   fmt == LOGREG_FORMAT_LIBSVM ? "LIBSVM" : "IDX");

  char *buf;
  size_t len;
  logreg_status st = lr_load_file(path, &buf, &len, err);
  if (st != LOGREG_OK) return st;
  if (len == 0) {
    free(buf);
    return lr_fail(err, LOGREG_EPARSE, "%s: empty file", path);
  }
  switch (fmt) {
  case LOGREG_FORMAT_LIBSVM:
    st = lr_read_libsvm(path, buf, len, opt, out, err);
    break;
  case LOGREG_FORMAT_IDX:
    st = lr_read_idx(path, (const unsigned char *)buf, len, opt, out, err);
    break;
  default:
    st = lr_read_csv(path, buf, len, opt, out, err);
    break;
  }
  free(buf);
  if (st == LOGREG_OK) {
    (*out)->format = fmt;
    (*out)->header = fmt == LOGREG_FORMAT_CSV && opt->header;
  }
  return st;
}

/* ---- Reading like an earlier table ---- */

logreg_status lr_read_like(const char *path, const lr_layout *lay,
                           const logreg_read_options *options, logreg_dataset **out,
                           logreg_error *err) {
  logreg_read_options ro;
  if (options)
    ro = *options;
  else
    logreg_read_options_init(&ro);
  ro.drop = ro.categorical = NULL;
  char target[32];
  if (!ro.target && ro.header && lay->target_name) {
    ro.target = lay->target_name;
  } else if (!ro.target && lay->target_column >= 0) {
    snprintf(target, sizeof target, "%ld", lay->target_column);
    ro.target = target;
  }
  ro.feature_names = lay->sources;
  ro.feature_categories = lay->categories;
  ro.n_features = lay->d;
  ro.feature_columns = lay->columns;
  ro.n_columns = lay->n_columns;
  /* A file like the other: its delimiter breaks a detection tie, and whether it had a header
   * makes the errors of a header mix-up say so. */
  ro.delimiter_default = lay->delimiter;
  ro.model_header = lay->header;
  /* Values read as the other table's were: its missing markers (the caller's na_values add to
   * them) and its decimal mark unless the caller gives one. */
  if (lay->delimiter && lay->na_values) { /* the other was a CSV */
    ro.na_base = lay->na_values;
    ro.n_na_base = lay->n_na;
  }
  if (lay->delimiter && !ro.decimal) ro.decimal = lay->decimal;
  return logreg_dataset_read(path, &ro, out, err);
}

logreg_status logreg_dataset_read_like(const char *path, const logreg_dataset *like,
                                       const logreg_read_options *options, logreg_dataset **out,
                                       logreg_error *err) {
  lr_error_clear(err);
  *out = NULL;
  size_t d = like->d;
  if (!like->feature_names) { /* LIBSVM, IDX: the features by count only */
    lr_layout lay = {d, NULL, NULL, NULL, 0, NULL, -1, 0, -1, NULL, 0, 0};
    return lr_read_like(path, &lay, options, out, err);
  }
  const char **src = malloc((d ? d : 1) * sizeof *src), **cat = NULL;
  if (like->feature_categories) cat = malloc((d ? d : 1) * sizeof *cat);
  if (!src || (like->feature_categories && !cat)) {
    free(src);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  }
  for (size_t j = 0; j < d; j++) {
    src[j] = logreg_dataset_feature_source(like, j);
    if (cat) cat[j] = like->feature_categories[j];
  }
  lr_layout lay = {d,
                   src,
                   cat,
                   like->feature_columns,
                   like->n_columns,
                   like->target_name,
                   like->target_column,
                   like->delimiter,
                   like->format == LOGREG_FORMAT_CSV ? like->header : -1,
                   (const char *const *)like->na_values,
                   like->n_na,
                   like->decimal};
  logreg_status st = lr_read_like(path, &lay, options, out, err);
  free(src);
  free(cat);
  return st;
}
