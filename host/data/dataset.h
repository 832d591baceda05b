/* dataset.h: the dataset struct shared by the readers, preprocessing and training.
 *
 * Separate from the public header so that host code and tests can reach the arrays directly
 * while users see an opaque handle.
 */
#ifndef LOGREG_DATASET_H
#define LOGREG_DATASET_H

#include "logreg.h"

struct logreg_dataset {
  size_t n, d; /* rows, features */
  float *x;    /* n x d row-major; NaN marks a missing value; NULL when sparse */
  /* Sparse rows (CSR; LIBSVM files): row i holds the values values[indptr[i] .. indptr[i+1])
   * at the 0-based columns indices[...], strictly increasing within a row; absent entries are
   * 0 and nothing is missing. Set (indptr != NULL) exactly when x is NULL. */
  int64_t *indptr;  /* n + 1 */
  int32_t *indices; /* nnz */
  float *values;    /* nnz */
  size_t nnz;
  int x_borrowed;       /* x is the caller's (logreg_dataset_from_buffer, LOGREG_BUFFER_BORROW):
                           never written through, not freed */
  int x_given;          /* x was handed over (logreg_params.consume_x, logreg_dataset_split_take,
                           lr_dataset_subset_take): x is NULL, and
                           every function that reads features fails (lr_dataset_check_x) */
  int32_t *y;           /* n labels in 0..k-1, or NULL when unlabelled */
  float *w;             /* n per-row sample weights, or NULL (all 1) */
  int32_t *folds;       /* n cross-validation fold numbers (read option `folds`), or NULL */
  size_t k;             /* number of classes (0 when unlabelled) */
  char **class_names;   /* k strings */
  char **feature_names; /* d strings; NULL for sparse data, whose features are named "f1".."fD"
                           on demand (lr_dataset_feature_name) */
  size_t missing;       /* missing values seen while reading */
  /* Where the features came from, so a model can find them again in a header-less CSV. */
  size_t n_columns;        /* columns in the source file (CSV), else d */
  size_t *feature_columns; /* d file indices of the feature columns (CSV), or NULL */
  long target_column;      /* file index of the target (CSV), -1 when none */
  char *target_name;       /* CSV with a header: the target column's name, else NULL */
  char **ids;              /* n strings of the read option `id`'s column, or NULL */
  int header_numeric;      /* CSV: every field of the header row reads as a number */
  logreg_format format;    /* the format it was read from (AUTO: built from arrays) */
  int header;              /* CSV: the file had a header row */
  char delimiter;          /* CSV: the field delimiter read with, else 0 */
  char decimal;            /* CSV: the decimal mark read with ('.' or ','), else 0 */
  char **na_values;        /* CSV: the n_na missing markers read with ("" first), or NULL */
  size_t n_na;
  size_t skipped; /* CSV: rows left out for a missing label (read option) */
  /* Categorical features (CSV): one-hot columns, expanded in place of their source column. */
  char **feature_categories; /* d: NULL for a numeric feature, else its category; NULL when none */
  char **feature_sources;    /* d: source column names when feature_categories is set, else NULL */
  size_t n_categorical;      /* source columns one-hot encoded */
  size_t n_grouped;          /* rare categories grouped into COLUMN=infrequent features */
  size_t n_dropped;          /* columns removed by the read option `drop` */
  size_t unseen_rows;        /* rows with a category outside the model's (reading for a model) */
  size_t *unseen;            /* d: rows per categorical column (at its first feature), or NULL */
};

/* Allocates an empty dataset with n x d features (zeroed), labels when `labelled`, and
 * d feature-name slots (NULL). Returns NULL when out of memory. */
logreg_dataset *lr_dataset_alloc(size_t n, size_t d, int labelled);

/* Allocates an empty sparse dataset: n rows, d features, room for nnz nonzeros (indptr zeroed),
 * labels when `labelled`, no feature names (generated "f1".."fD"). NULL when out of memory. */
logreg_dataset *lr_dataset_alloc_csr(size_t n, size_t d, size_t nnz, int labelled);

/* LOGREG_OK when ds still has its features; else LOGREG_EINVAL with one line saying that they
 * were handed over (logreg_params.consume_x, logreg_dataset_split_take), naming `what` (e.g.
 * "training data"). */
logreg_status lr_dataset_check_x(const logreg_dataset *ds, const char *what, logreg_error *err);

/* 1 when ds holds its rows as CSR (x == NULL). */
static inline int lr_dataset_sparse(const logreg_dataset *ds) { return ds->indptr != NULL; }

/* A new n x d row-major copy of ds's rows (dense or sparse; tests and small data only). NULL
 * when out of memory. */
float *lr_dataset_dense(const logreg_dataset *ds);

/* Feature j's name: the stored one, or "f<j+1>" written into buf (cap bytes) for sparse data
 * without stored names. */
const char *lr_dataset_feature_name(const logreg_dataset *ds, size_t j, char *buf, size_t cap);

/* A new dataset holding rows idx[0..m) of `src` (names copied). NULL when out of memory. */
logreg_dataset *lr_dataset_subset(const logreg_dataset *src, const size_t *idx, size_t m);
/* lr_dataset_subset that moves a dense src's X into the subset instead of copying it: rows
 * idx[0..m) (increasing) are moved to the front of src's X, which is shrunk to them and becomes
 * the subset's; src is left without X (x_given), for the caller to free. Sparse or borrowed
 * rows are copied. NULL when out of memory (src's X is gone then too). */
logreg_dataset *lr_dataset_subset_take(logreg_dataset *src, const size_t *idx, size_t m);

/* Keeps the features j with keep[j] set (x, names, categories, file columns), in order.
 * 0 on success, -1 on ENOMEM or for sparse data (the dataset is then unchanged). */
int lr_dataset_keep_features(logreg_dataset *ds, const unsigned char *keep);

/* Replaces the class names with copies of `names` (k entries). 0 on success, -1 on ENOMEM. */
int lr_dataset_set_classes(logreg_dataset *ds, size_t k, const char *const *names);

/* Encodes string labels: the distinct values sorted (numerically when every label parses as a
 * finite number, else bytewise), ds->y[i] = index of labels[i], ds->class_names = the sorted
 * distinct strings. When `classes` is given (n_classes entries), labels map to those names
 * instead; *bad_row receives the first row whose label is not among them (return 1).
 * Returns 0 on success, 1 for an unknown label, -1 when out of memory. */
int lr_encode_labels(logreg_dataset *ds, char *const *labels, const char *const *classes,
                     size_t n_classes, size_t *bad_row);

/* Checks a caller's feature buffer (logreg_dataset_from_buffer, the predictions from buffers):
 * d > 0, a known type, stride >= d, X not NULL when n > 0, and every value NaN (missing) or
 * finite within float32's range; otherwise LOGREG_EINVAL with a message that starts with `fn`
 * and names the row and column. */
logreg_status lr_check_buffer(const char *fn, size_t n, size_t d, const void *x, logreg_dtype type,
                              size_t stride, logreg_error *err);

/* Row i of a checked buffer as float32 values: the caller's row itself when it is float32,
 * else `tmp` (d floats) holding its values rounded to float32. */
const float *lr_buffer_row(const void *x, logreg_dtype type, size_t stride, size_t d, size_t i,
                           float *tmp);

/* Where the features of a table came from, so that another file is read the same way (a test
 * file like the training data, data for a model): the source column of each feature (by name
 * with a header, by file position without), its category when one-hot encoded, the label
 * column, the delimiter and whether there was a header row. */
typedef struct lr_layout {
  size_t d;
  const char *const *sources;    /* d source columns' names */
  const char *const *categories; /* d: NULL for a numeric feature; NULL when none is categorical */
  const size_t *columns;         /* d file indices (CSV), or NULL */
  size_t n_columns;              /* the file's column count (CSV), else 0 */
  const char *target_name;       /* the label column's name, or NULL */
  long target_column;            /* its file index, or -1 */
  char delimiter;                /* a CSV's delimiter, or 0 */
  int header;                    /* a CSV's header row: 1, 0, or -1 unknown */
  const char *const *na_values;  /* the missing markers to read with (n_na), or NULL: default */
  size_t n_na;
  char decimal; /* the decimal mark to read with, or 0: detect */
} lr_layout;

/* Reads `path` with `options` (may be NULL) laid out as `lay` says: its features found by
 * their source columns and encoded with their categories, the label column by its name (when
 * the file has a header) or position unless options->target names it, the delimiter and
 * header as hints, the missing markers as the base that options->na_values adds to, the decimal
 * mark unless options->decimal gives one. options' drop and categorical are not used. */
logreg_status lr_read_like(const char *path, const lr_layout *lay,
                           const logreg_read_options *options, logreg_dataset **out,
                           logreg_error *err);

#endif
