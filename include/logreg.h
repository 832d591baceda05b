/* logreg.h: the public C API of logreg, a logistic-regression trainer.
 *
 * Everything a program needs to read data, train, predict, evaluate and keep a model is here:
 * opaque handles (logreg_dataset, logreg_model), one status enum, a parameter struct with
 * documented defaults, and free functions. The library never calls exit() and never prints;
 * training progress reaches the caller through a callback.
 *
 * Ownership: every function that returns a handle through an out pointer transfers ownership
 * to the caller, who releases it with the matching *_free function. Strings returned by
 * accessors are owned by the handle and live as long as it does.
 *
 * Errors: functions return a logreg_status and, when `err` is not NULL, fill it with a one-line
 * message that names the file, line and column (or the option) at fault.
 */
#ifndef LOGREG_H
#define LOGREG_H

#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* LOGREG_API marks the public functions. liblogreg.so is compiled with -fvisibility=hidden, so
 * these are the only symbols it exports; in the static library the attribute changes nothing. */
#if defined(__GNUC__) || defined(__clang__)
#define LOGREG_API __attribute__((visibility("default")))
#else
#define LOGREG_API
#endif

/* One list generates the enum and the messages, so they cannot drift. */
#define LOGREG_STATUS_MAP(XX)                                                                      \
  XX(OK, "success")                                                                                \
  XX(ENOMEM, "out of memory")                                                                      \
  XX(EIO, "input/output error")                                                                    \
  XX(EPARSE, "malformed input")                                                                    \
  XX(EINVAL, "invalid argument")                                                                   \
  XX(EUNSUPPORTED, "unsupported operation")                                                        \
  XX(EDIVERGED, "training diverged")                                                               \
  XX(EBACKEND, "backend failure")                                                                  \
  XX(EINTERRUPTED, "interrupted")

typedef enum logreg_status {
#define LOGREG_STATUS_ENUM_(name, msg) LOGREG_##name,
  LOGREG_STATUS_MAP(LOGREG_STATUS_ENUM_)
#undef LOGREG_STATUS_ENUM_
      LOGREG_STATUS_COUNT_
} logreg_status;

/* A short fixed description of a status ("out of memory"); never NULL. */
LOGREG_API const char *logreg_status_str(logreg_status status);

/* sizeof of a public struct by its name ("logreg_params", "logreg_train_result",
 * "logreg_path_choice", "logreg_device_options", "logreg_test_hooks" (logreg_hooks.h),
 * "logreg_device_info", "logreg_error", "logreg_epoch_info", "logreg_stats"), 0 for another name:
 * bindings that lay the structs out themselves (the Python package's ctypes) check their layout
 * against the library they loaded. */
LOGREG_API size_t logreg_struct_size(const char *name);

/* Details of the last failure of one call. `message` is one line without a trailing newline,
 * naming file:line:column or the option at fault; "" on success. */
typedef struct logreg_error {
  logreg_status status;
  char message[512];
} logreg_error;

/* ------------------------------------------------------------------------------------------ */
/* Datasets                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* A table of float32 features (row-major, NaN marks a missing value), optional int32 labels
 * 0..K-1 with their class names, and feature names. */
typedef struct logreg_dataset logreg_dataset;
/* A trained model (see Models below). */
typedef struct logreg_model logreg_model;

typedef enum logreg_format {
  LOGREG_FORMAT_AUTO =
      0, /* by extension: .svm/.libsvm/.svmlight -> libsvm, -ubyte(.gz)/.idx -> idx */
  LOGREG_FORMAT_CSV,
  LOGREG_FORMAT_LIBSVM,
  LOGREG_FORMAT_IDX
} logreg_format;

/* CSV: what a row whose label is missing (its field in the label column is a missing marker)
 * does when the labels are read. */
typedef enum logreg_missing_label {
  LOGREG_MISSING_LABEL_ERROR = 0, /* an error naming its line (the default) */
  LOGREG_MISSING_LABEL_SKIP,      /* the row is left out, counted (logreg_dataset_skipped_rows) */
  LOGREG_MISSING_LABEL_IGNORE     /* the label column is not read at all: unlabelled (prediction) */
} logreg_missing_label;

/* How to read a data file. Initialise with logreg_read_options_init(). */
typedef struct logreg_read_options {
  logreg_format format; /* default AUTO */
  int header;           /* CSV: 1 = first row names the columns (default), 0 = no header */
  const char *target;   /* CSV: column name or 0-based file index; NULL = last column */
  const char *drop;     /* CSV: comma list of names or 0-based file indices; NULL = none */
  const char *weight;   /* CSV: column of per-row sample weights (name or 0-based index); NULL =
                           none. Neither a feature nor the target; values finite, >= 0. Ignored
                           when reading for a model (feature_names/feature_columns set). */
  const char *folds;    /* CSV: column of cross-validation fold numbers (integers >= 0; name or
                           0-based index; logreg_dataset_folds); NULL = none. Like `weight`:
                           neither a feature nor the target, ignored when reading for a model. */
  const char *labels;   /* IDX: path of the labels file; NULL = unlabelled */
  const char *id;       /* CSV: a column (name or 0-based index) whose text is kept per row as
                           it is (logreg_dataset_id), e.g. for predictions; NULL = none */
  /* CSV, training: categorical features. A feature column is categorical when any of its
   * non-missing fields is not a number, or when `categorical` (a comma list of names or 0-based
   * file indices, like `drop`) names it. It is one-hot encoded over its distinct values (the
   * text as written, trimmed; an empty field, "?" and "NA" are one more category, ""),
   * sorted numerically when every non-missing value is a number, else bytewise; the expanded
   * features are named "COLUMN=value" ("COLUMN=" for missing). A column with more than
   * `max_categories` distinct non-missing values in the file is an error (default 100, 0 = no
   * limit), unless `infrequent` makes it a cap (min_frequency, below). logreg_dataset_split
   * keeps only the categories that occur in its training part. */
  const char *categorical;
  size_t max_categories;
  /* Reading data for an existing model (predict/eval). All optional. */
  int target_optional;              /* CSV: a missing target column is not an error */
  const char *const *feature_names; /* CSV with header: select these columns in order */
  const size_t *feature_columns;    /* CSV without header: file indices of features... */
  size_t n_features;                /* ...and how many (names or columns) */
  size_t n_columns;                 /* CSV without header: training file's column count */
  const char *const *class_names;   /* encode labels to these classes (in this order); */
  size_t n_classes;                 /* a label outside them is an error */
  /* CSV field delimiter: ',', ';' or '\t'; 0 = detect (default): the one of the three that occurs
   * most often outside quotes in the first record, and on a tie or when none occurs,
   * delimiter_default (0 = ','; predict and eval pass the model's). */
  char delimiter;
  char delimiter_default;
  /* Reading for a model: whether its training CSV had a header row (1) or not (0), -1 unknown
   * (default). Only for hints in error messages (a --no-header mix-up). */
  int model_header;
  /* A model's one-hot encoding (logreg_model_feature_categories): n_features entries, NULL for a
   * numeric feature, else the category that feature encodes, 1 when the row's field is that
   * text and 0 otherwise. feature_names / feature_columns then name each feature's source
   * column (logreg_model_feature_sources). A field that is none of its column's categories
   * encodes as all zeros and is counted (logreg_dataset_unseen). NULL = every feature numeric. */
  const char *const *feature_categories;
  /* CSV: missing values. A field (trimmed) is missing when it is empty or one of the markers: by
   * default pandas' read_csv set, "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN",
   * "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan",
   * "null", and "?" (UCI's); or the n_na_base markers of na_base when it is set (a model's
   * recorded set: logreg_dataset_read_for_model sets it). na_values adds a comma list of markers
   * (each trimmed of blanks); an item "none" in it drops the base set, so "none" leaves the empty
   * field alone. Case matters, as in pandas. This holds in every column: a missing feature value
   * is imputed (numeric) or the category "" (categorical), a missing label is `missing_label`'s
   * business, a missing weight an error. The set read with is kept with the dataset and the
   * model. */
  const char *na_values;
  const char *const *na_base;
  size_t n_na_base;
  /* CSV: the numbers' decimal mark: '.', ',' (then a '.' is no part of a number: "1.5" is not
   * one), or 0 (the default): '.', except that with ';' or tab as the delimiter, numbers written
   * with a decimal comma ("32,0") in numeric columns are detected and read as numbers; a file
   * that mixes both marks is then an error. logreg_dataset_decimal says which mark was read. */
  char decimal;
  logreg_missing_label missing_label; /* default LOGREG_MISSING_LABEL_ERROR */
  /* CSV, training: rare categories (scikit-learn's OneHotEncoder min_frequency and
   * max_categories, counted over the file's rows, missing "" a category like the others). A
   * column's categories seen in fewer than `min_frequency` rows (0 = off) are grouped into one
   * feature "COLUMN=infrequent", after the column's other features; with `infrequent` set,
   * `max_categories` is no error but a cap on the column's features, the infrequent one
   * included: the least frequent categories (ties: the first in category order) join the group
   * until the column has max_categories features (at least 2). Reading for the model, a field
   * that is none of its column's other categories (unseen ones too) is that feature's 1. The
   * group's category text is LOGREG_INFREQUENT, which no value can be (values are trimmed). */
  size_t min_frequency;
  int infrequent;
} logreg_read_options;

/* The category (logreg_model_feature_categories) of a column's group of rare categories
 * (read option min_frequency): a leading blank, which a value never has. */
#define LOGREG_INFREQUENT " infrequent"

LOGREG_API void logreg_read_options_init(logreg_read_options *opt);

/* Reads `path` (CSV, LIBSVM or IDX as opt->format says). */
LOGREG_API logreg_status logreg_dataset_read(const char *path, const logreg_read_options *opt,
                                             logreg_dataset **out, logreg_error *err);

/* Reads `path` as data for model `m` (prediction, evaluation): its features by their training
 * names in any column order (a header-less CSV by the training file's column positions), its
 * categorical columns encoded with the model's categories (a category it does not know encodes
 * as zeros: logreg_dataset_unseen), the label column by the training file's name or position
 * unless options->target names another, the training CSV's delimiter where detection ties, its
 * missing markers (options->na_values adds to them) and its decimal mark (unless
 * options->decimal gives one). `options` (may be NULL: the defaults) give the format, header,
 * target, labels file, delimiter and missing_label; their fields about features, categories and
 * classes are set from the model. With options->target_optional (prediction) a missing label
 * column is no error; without it the labels must be there, in the model's classes. LOGREG_EINVAL,
 * naming the file, when its features are not the model's. */
LOGREG_API logreg_status logreg_dataset_read_for_model(const char *path, const logreg_model *m,
                                                       const logreg_read_options *options,
                                                       logreg_dataset **out, logreg_error *err);

/* Reads `path` like the table `like` was read (a --test file like the training data): its
 * features found by their source columns and encoded with like's categories, its label column
 * by like's name or position unless options->target names another. `options` as for
 * logreg_dataset_read (may be NULL); its drop and categorical are not used. */
LOGREG_API logreg_status logreg_dataset_read_like(const char *path, const logreg_dataset *like,
                                                  const logreg_read_options *options,
                                                  logreg_dataset **out, logreg_error *err);

/* Builds a dataset from arrays (copied). `y` may be NULL (unlabelled); names may be NULL
 * (then "x0".."x{D-1}" and "0".."{K-1}"). */
LOGREG_API logreg_status logreg_dataset_from_arrays(size_t n, size_t d, const float *x,
                                                    const int32_t *y, size_t k,
                                                    const char *const *class_names,
                                                    const char *const *feature_names,
                                                    logreg_dataset **out, logreg_error *err);

/* The element type of a caller's feature buffer (numpy's float32 and float64). */
typedef enum logreg_dtype { LOGREG_FLOAT32 = 0, LOGREG_FLOAT64 } logreg_dtype;

/* logreg_dataset_from_buffer's flags. BORROW: when X is float32 with rows packed (row_stride d,
 * or n = 1) the dataset reads the caller's buffer in place instead of copying it; the caller
 * promises that X stays allocated and unchanged until logreg_dataset_free (logreg_dataset_x then
 * returns x itself). In any other layout the flag is ignored and X is copied. */
#define LOGREG_BUFFER_BORROW 1u
/* CANONICAL_ORDER: the dataset stores the rows in an order of their own, which depends only on
 * the rows as stored (float32 features, label, float32 weight), so that the same rows given in
 * any order make the same dataset, bit for bit, and training on it gives the same model, bit for
 * bit (a float32 device sums over rows in their order). The order sorts the rows by a fixed
 * random projection of their values (a missing value has a term of its own) and rows with equal
 * keys by their bits; it may change between releases. X is then always copied (gathered in that
 * order as it is rounded to float32; BORROW is ignored), and y and the weights go with their
 * rows: logreg_dataset_x, _y and _weights return the rows in the new order. */
#define LOGREG_BUFFER_CANONICAL_ORDER 2u

/* Builds a dataset from a caller's arrays, for bindings (numpy arrays) and embedding programs.
 * X: n rows of d features, row i starting at element i * row_stride of `x` (row_stride counted
 * in elements of x_type, not bytes; >= d; 0 means d), float32 or float64. The dataset holds
 * float32, as the readers do: float64 values are rounded to float32 (the nearest, as a CSV
 * field is read), so a copy is needed then, or when rows are not packed; a packed float32 X can
 * be borrowed (LOGREG_BUFFER_BORROW above) instead. Training standardizes into a buffer of its
 * own in every case, so a borrowed X is only read. NaN is a missing value (imputed with the
 * training medians); an infinity, or a float64 beyond float32's range, is an error.
 * y: n int32 labels in 0..k-1 (k >= 1), or NULL (unlabelled; k is then ignored).
 * sample_weight: n float64 weights, finite and >= 0 (stored as float32, as a CSV's weight
 * column), or NULL (all 1). Names may be NULL ("x0".."x{d-1}", "0".."{k-1}"); they are copied,
 * as are y and the weights. flags: 0 or LOGREG_BUFFER_* above, or-ed; another bit is an error.
 * LOGREG_EINVAL with a message naming the row (and column) at fault for a bad value, or the
 * argument for a bad shape. */
LOGREG_API logreg_status logreg_dataset_from_buffer(
    size_t n, size_t d, const void *x, logreg_dtype x_type, size_t row_stride, const int32_t *y,
    size_t k, const double *sample_weight, const char *const *class_names,
    const char *const *feature_names, unsigned flags, logreg_dataset **out, logreg_error *err);

/* Builds a sparse dataset (CSR, as the LIBSVM reader makes: trained without densifying, see
 * docs/formats.md, "Sparse data") from a caller's arrays, copied: row i holds the values
 * values[indptr[i] .. indptr[i+1]) (float32 or float64: x_type; float64 rounded to float32) at
 * the 0-based columns indices[...], strictly increasing within a row, each < d <= 2^31 - 1;
 * indptr[0] = 0, non-decreasing. Values must be finite (absent entries are 0; nothing is
 * missing). y, k, sample_weight and class_names as for logreg_dataset_from_buffer; features are
 * named "f1".."fD" as in a LIBSVM file. LOGREG_EINVAL with a message naming the row (and entry)
 * at fault. */
LOGREG_API logreg_status logreg_dataset_from_csr(size_t n, size_t d, const int64_t *indptr,
                                                 const int32_t *indices, const void *values,
                                                 logreg_dtype x_type, const int32_t *y, size_t k,
                                                 const double *sample_weight,
                                                 const char *const *class_names,
                                                 logreg_dataset **out, logreg_error *err);

LOGREG_API void logreg_dataset_free(logreg_dataset *ds);

LOGREG_API size_t logreg_dataset_rows(const logreg_dataset *ds);
LOGREG_API size_t logreg_dataset_features(const logreg_dataset *ds);
LOGREG_API size_t logreg_dataset_classes(const logreg_dataset *ds); /* 0 when unlabelled */
LOGREG_API const float *logreg_dataset_x(const logreg_dataset *ds); /* rows x features, row-major */
/* 1 when the rows are stored sparse (CSR; LIBSVM files): logreg_dataset_x is then NULL. */
LOGREG_API int logreg_dataset_is_sparse(const logreg_dataset *ds);
/* Stored nonzeros (sparse), or the nonzero values of x counted (dense). */
LOGREG_API size_t logreg_dataset_nnz(const logreg_dataset *ds);
LOGREG_API const int32_t *logreg_dataset_y(const logreg_dataset *ds); /* NULL when unlabelled */
/* The n per-row sample weights (a CSV's weight column, or from a buffer), NULL when none. */
LOGREG_API const float *logreg_dataset_weights(const logreg_dataset *ds);
LOGREG_API const char *logreg_dataset_class_name(const logreg_dataset *ds, size_t k);
/* Sparse data: "f<j+1>" in a per-thread buffer, valid until the next call on the thread. */
LOGREG_API const char *logreg_dataset_feature_name(const logreg_dataset *ds, size_t j);
LOGREG_API size_t
logreg_dataset_missing(const logreg_dataset *ds); /* number of missing values read */
/* CSV: the label column's header name (NULL without a header or labels), its 0-based file index
 * (-1 when none), and whether every field of the header row reads as a number (a header-less
 * file read as if it had a header, most likely). */
LOGREG_API const char *logreg_dataset_target_name(const logreg_dataset *ds);
LOGREG_API long logreg_dataset_target_column(const logreg_dataset *ds);
/* More precisely: 0 when the header row looks like names, 1 when every field of it reads as a
 * number, 2 when it looks like a data row otherwise (host/data/csv.c's banner has the rule: its
 * numbers follow the first data row's pattern and are not increasing integers, or they decrease
 * over numeric columns, as iris.csv's "150,4,setosa,..."). Nonzero: warn that the file may have
 * no header. */
LOGREG_API int logreg_dataset_header_numeric(const logreg_dataset *ds);
/* The read option `folds`' column: n fold numbers (>= 0), or NULL when none was read. */
LOGREG_API const int32_t *logreg_dataset_folds(const logreg_dataset *ds);
/* CSV: the field delimiter it was read with (',', ';' or '\t'; given or detected); 0 otherwise. */
LOGREG_API int logreg_dataset_delimiter(const logreg_dataset *ds);
/* CSV: the decimal mark its numbers were read with ('.' or ','; given or detected); 0 otherwise. */
LOGREG_API int logreg_dataset_decimal(const logreg_dataset *ds);
/* CSV: the rows left out because their label was missing (LOGREG_MISSING_LABEL_SKIP). */
LOGREG_API size_t logreg_dataset_skipped_rows(const logreg_dataset *ds);
/* Row i's text in the read option `id`'s column; NULL when no id column was read. */
LOGREG_API const char *logreg_dataset_id(const logreg_dataset *ds, size_t i);
/* Categorical features (CSV). Feature j's category: NULL for a numeric feature, else the value
 * its one-hot column encodes ("" for missing). Its source column's name: the header name (or
 * "c<index>" without a header); for a numeric feature, its feature name. */
LOGREG_API const char *logreg_dataset_feature_category(const logreg_dataset *ds, size_t j);
LOGREG_API const char *logreg_dataset_feature_source(const logreg_dataset *ds, size_t j);
/* CSV: the file's column count and the d file indices of the features' source columns (NULL
 * when not a CSV), as logreg_read_options.n_columns and .feature_columns take them. */
LOGREG_API size_t logreg_dataset_source_columns(const logreg_dataset *ds);
LOGREG_API const size_t *logreg_dataset_feature_columns(const logreg_dataset *ds);
/* Source columns that were one-hot encoded, and columns removed by the read option `drop`. */
LOGREG_API size_t logreg_dataset_categorical_columns(const logreg_dataset *ds);
/* Feature columns that look like an id or a leak, in a labelled CSV table of at least 20 rows
 * read for training (before a split): LOGREG_SUSPECT_UNIQUE, a different value in every row
 * and none missing, integers or text (a categorical column with one category per row);
 * LOGREG_SUSPECT_SEPARATES, a numeric column whose values, class by class, lie in ranges apart
 * from each other's (the column alone classifies every row: an id in a file sorted by the
 * label, or the label under another name). */
#define LOGREG_SUSPECT_UNIQUE 1
#define LOGREG_SUSPECT_SEPARATES 2
typedef struct logreg_suspect {
  size_t feature;    /* the column's first feature (its name: logreg_dataset_feature_source) */
  int why;           /* LOGREG_SUSPECT_* mask */
  char message[512]; /* one line: what was seen, and the 'drop' that removes the column */
} logreg_suspect;
/* Fills up to `cap` such columns, in file order; returns how many there are (0 also when out of
 * memory). */
LOGREG_API size_t logreg_dataset_suspects(const logreg_dataset *ds, logreg_suspect *out,
                                          size_t cap);
/* Rare categories grouped into COLUMN=infrequent features (read option min_frequency). */
LOGREG_API size_t logreg_dataset_grouped_categories(const logreg_dataset *ds);
LOGREG_API size_t logreg_dataset_dropped_columns(const logreg_dataset *ds);
/* Read with a model's categories (read option feature_categories): the rows that had at least
 * one category the model does not know, and per feature j the rows whose field in j's source
 * column was unknown (counted at the first feature of each categorical column, 0 elsewhere). */
LOGREG_API size_t logreg_dataset_unseen_rows(const logreg_dataset *ds);
LOGREG_API size_t logreg_dataset_unseen(const logreg_dataset *ds, size_t j);

/* Stratified split into train/val/test by fractions that sum to 1 (within 1e-6). Each class is
 * shuffled with `seed` and cut by the fractions, so per-class proportions hold. Empty parts are
 * returned as NULL. One-hot features whose category has no row in the training part are removed
 * from all three parts, so that a model lists only the training split's categories (in val and
 * test such a row then encodes as all zeros in that column). */
LOGREG_API logreg_status logreg_dataset_split(const logreg_dataset *ds, double train, double val,
                                              double test, uint64_t seed,
                                              logreg_dataset **train_out, logreg_dataset **val_out,
                                              logreg_dataset **test_out, logreg_error *err);
/* logreg_dataset_split that takes ds's features: the training part is made of ds's own rows,
 * moved in place instead of copied (dense X; sparse or borrowed rows are copied), so that the
 * split holds X once plus the validation and test parts. The parts are logreg_dataset_split's,
 * bit for bit. Once the parts are made, ds keeps its row count, labels, names and counts but no
 * features, as after logreg_params.consume_x (logreg_dataset_x returns NULL); the caller still
 * frees it. An error in the fractions or the labels leaves ds as it was; running out of memory
 * while the training part is made leaves it without features too. */
LOGREG_API logreg_status logreg_dataset_split_take(logreg_dataset *ds, double train, double val,
                                                   double test, uint64_t seed,
                                                   logreg_dataset **train_out,
                                                   logreg_dataset **val_out,
                                                   logreg_dataset **test_out, logreg_error *err);

/* The k class names in index order (owned by `ds`), or NULL when unlabelled. */
LOGREG_API const char *const *logreg_dataset_class_names(const logreg_dataset *ds);

/* ---- Synthetic datasets (`logreg gen`) ---- */

/* Gaussian blobs like scikit-learn's make_blobs: k centres drawn uniformly in [-10, 10]^d,
 * rows spread evenly over the classes (the first n % k classes get one more), each row its
 * centre plus N(0, spread^2) noise per feature, rows in shuffled order. Writes a CSV with header
 * x0..x{d-1},label (labels 0..k-1) atomically to `path`. The same seed gives the same bytes on
 * every platform. LOGREG_EINVAL (naming --rows, --features, --classes or --spread) for n < k,
 * d < 1, k < 2 or a spread that is not a finite number > 0. */
LOGREG_API logreg_status logreg_gen_blobs(const char *path, size_t n, size_t d, size_t k,
                                          double spread, uint64_t seed, logreg_error *err);

/* Sparse LIBSVM data (`logreg gen sparse`): n rows, labels 0..k-1 in equal shares and shuffled
 * order; a row has a uniform number of nonzeros in 0..2 round(density d) (at most d) at uniform
 * distinct indices 1..d, each +-1 by a hash of (seed, class, feature) plus N(0, 0.75^2) noise.
 * Written atomically; the same seed gives the same bytes. LOGREG_EINVAL (naming the option)
 * for n < k, k < 2, d outside 1..2^31-1, density outside (0, 1]. */
LOGREG_API logreg_status logreg_gen_sparse(const char *path, size_t n, size_t d, double density,
                                           size_t k, uint64_t seed, logreg_error *err);

/* Two features (leukocyte_count, blood_pressure) and tumor_class benign/malignant, shaped like
 * the tumors teaching data: malignant about 61% with a lower leukocyte count and a higher
 * blood pressure than benign (per-class Gaussians fitted to tumors.csv), overlapping a little.
 * Writes a CSV with that header atomically. */
LOGREG_API logreg_status logreg_gen_tumors(const char *path, size_t n, uint64_t seed,
                                           logreg_error *err);

/* The synthetic data of `logreg bench`, made in memory: n rows, labels uniform over 0..k-1,
 * features standard normal plus 1 on the features j with j % k equal to the row's label (a
 * signal to learn). The same seed gives the same data at any thread count (`threads` as
 * logreg_params.threads: 0 = by size). Class names "0".."k-1", feature names "x0".."x{d-1}". */
LOGREG_API logreg_status logreg_gen_gaussian(size_t n, size_t d, size_t k, uint64_t seed,
                                             unsigned threads, logreg_dataset **out,
                                             logreg_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Devices                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* Where training runs. The backends are enumerated and their capabilities queried here, before
 * anything is trained (nothing is learnt by trying and failing): the cpu backend first, the
 * reference second, then every OpenCL device of every platform. params.device takes a device's
 * `spec`. */

typedef enum logreg_backend_kind {
  /* The values are stored in checkpoints: a kind keeps its number. */
  LOGREG_BACKEND_REFERENCE = 0, /* "reference": plain C loops in double, no cleverness; the
                                   validator every other backend is tested against */
  LOGREG_BACKEND_OPENCL,        /* an OpenCL device: a GPU, a CPU through PoCL, an accelerator */
  LOGREG_BACKEND_CPU            /* "cpu": the native CPU backend, blocked, vectorized (AVX2,
                                   AVX-512 where the CPU has them), threaded; in double */
} logreg_backend_kind;

typedef enum logreg_device_type {
  LOGREG_DEVICE_CPU = 0,
  LOGREG_DEVICE_GPU,
  LOGREG_DEVICE_ACCELERATOR,
  LOGREG_DEVICE_OTHER
} logreg_device_type;

/* "CPU", "GPU", "accelerator" or "other"; never NULL. */
LOGREG_API const char *logreg_device_type_name(logreg_device_type type);

/* Settings of the OpenCL devices, in logreg_params.device_options and the device calls below.
 * All zero (logreg_device_options_init) is the default: the devices as their drivers describe
 * them, the kernels embedded at build time. Strings are borrowed: they must outlive the call
 * (for training, logreg_train or logreg_trainer_create) that reads them. */
typedef struct logreg_device_options {
  /* Which device "opencl" and "auto" pick: only platforms whose index or name (a
   * case-insensitive substring) matches opencl_platform, and devices matching opencl_device;
   * NULL or "" = any. "opencl:P:D" is not affected. CLI: --opencl-platform, --opencl-device. */
  const char *opencl_platform;
  const char *opencl_device;
  /* Bytes: treat the device's global memory as at most this (0 = what the driver says). A
   * dense training set larger than what is left of it stays in host memory and streams to the
   * device in chunks at each evaluation (see docs/devices.md, "Data larger than the device"). CLI:
   * --device-memory (LOGREG_OPENCL_DEVICE_MEMORY). */
  uint64_t device_memory;
  /* Settings for tests and kernel development (logreg_hooks.h: allocation limit, no fp64,
   * build options, kernel folder, fault injection); NULL (default) = none. Borrowed. */
  const struct logreg_test_hooks *hooks;
} logreg_device_options;

LOGREG_API void logreg_device_options_init(logreg_device_options *opt);

/* One device and what it can do. Memory sizes in bytes. */
typedef struct logreg_device_info {
  logreg_backend_kind backend;
  /* What params.device takes to run here: "cpu", "reference", "opencl:0:1". Below, "host"
   * means the cpu and reference backends. */
  char spec[32];
  unsigned platform, index; /* OpenCL platform and device indices (0 and 0 for host) */
  char platform_name[128];  /* OpenCL: "Portable Computing Language"; host: "" */
  char platform_version[128];
  char name[128];     /* OpenCL: the device's name; cpu: "AVX-512 kernels, ..."; "reference" */
  char vendor[128];   /* "" for host */
  char driver[64];    /* driver version; "" for host */
  char c_version[64]; /* "OpenCL C 1.2 ..."; "" for host */
  logreg_device_type type;
  unsigned compute_units; /* cpu: the threads of a large pass; reference: 1 */
  uint64_t global_mem;    /* device memory; 0 for host (it uses host memory) */
  uint64_t max_alloc;     /* largest single buffer (after options.max_alloc); 0 for host */
  uint64_t local_mem;     /* local memory per work-group; 0 for host */
  size_t max_work_group;  /* work-items per work-group; 1 for host */
  int fp64;               /* sums in double on the device (after options.no_fp64); 1 for host */
} logreg_device_info;

/* Every device: the cpu backend first, the reference second, then the OpenCL devices
 * in platform, device order, as training would see them under `opt` (NULL: the defaults). No
 * OpenCL platform installed is not an error (the list then holds cpu and reference alone). *out is
 * freed with logreg_devices_free. */
LOGREG_API logreg_status logreg_devices_list(const logreg_device_options *opt,
                                             logreg_device_info **out, size_t *count,
                                             logreg_error *err);
LOGREG_API void logreg_devices_free(logreg_device_info *list);

/* A device named by kind rather than by text. */
typedef enum logreg_device_pick {
  LOGREG_PICK_AUTO = 0,  /* a GPU, else any OpenCL device, else cpu (options' matches apply);
                            training weighs an OpenCL device on the host's cores against cpu
                            at set-up (logreg_train_result.device_choice) */
  LOGREG_PICK_REFERENCE, /* the reference backend */
  LOGREG_PICK_OPENCL,    /* the options' match, else the first GPU, else the first OpenCL
                            device; an error when there is none */
  LOGREG_PICK_INDEX,     /* OpenCL device `device` of platform `platform` */
  LOGREG_PICK_CPU        /* the cpu backend (native, vectorized, threaded) */
} logreg_device_pick;

typedef struct logreg_device_selector {
  logreg_device_pick pick;
  unsigned platform, device; /* LOGREG_PICK_INDEX only */
  /* LOGREG_PICK_AUTO without device options: the GPU to take among several, local_rank mod
   * their number, so that a node's processes (logreg_shard.local_rank) share its GPUs; 0 = the
   * first GPU. */
  unsigned local_rank;
} logreg_device_selector;

/* Parses a device spec: "auto", "cpu", "reference", "opencl" or "opencl:P:D". LOGREG_EINVAL, with a
 * message naming --device, for anything else. */
LOGREG_API logreg_status logreg_device_parse(const char *spec, logreg_device_selector *out,
                                             logreg_error *err);

/* Resolves a selector to one device (its capabilities as logreg_devices_list gives them).
 * `why` (why_cap bytes; may be NULL) receives one line saying what was chosen and why, e.g.
 * "auto -> opencl:0:0: NAME (the first GPU)". LOGREG_EINVAL names the option at fault (--device,
 * --opencl-platform, --opencl-device); LOGREG_EBACKEND when OpenCL was asked for and there is
 * no platform. */
LOGREG_API logreg_status logreg_device_select(const logreg_device_selector *sel,
                                              const logreg_device_options *opt,
                                              logreg_device_info *out, char *why, size_t why_cap,
                                              logreg_error *err);

/* logreg_device_parse and logreg_device_select in one call: which device `spec` runs on, e.g.
 * which one "auto" picks and why. */
LOGREG_API logreg_status logreg_device_choose(const char *spec, const logreg_device_options *opt,
                                              logreg_device_info *out, char *why, size_t why_cap,
                                              logreg_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Training                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* The optimizers: one list generates the enum LOGREG_OPTIMIZER_<ID> (values in list order,
 * from 0: bindings store them, so an optimizer is appended, never inserted) and the library's
 * table of them (host/solve/solvers.c), where `name` is what logreg_optimizer_parse and
 * --optimizer take. */
#define LOGREG_OPTIMIZER_MAP(XX)                                                                   \
  XX(GD, gd)             /* full-batch gradient descent */                                         \
  XX(SGD, sgd)           /* mini-batch SGD */                                                      \
  XX(MOMENTUM, momentum) /* SGD with momentum (params.nesterov: Nesterov's) */                     \
  XX(ADAM, adam)                                                                                   \
  XX(LBFGS, lbfgs)                                                                                 \
  XX(NEWTON, newton) /* trust-region Newton-CG (LIBLINEAR's TRON): full batch */                   \
  XX(ADAGRAD, adagrad)                                                                             \
  XX(OWLQN, owlqn) /* orthant-wise L-BFGS (Andrew and Gao): L1 and elastic-net */                  \
  /* append here: one line per optimizer, and its file host/solve/opt_<name>.c */

typedef enum logreg_optimizer {
  /* The default (logreg_params_init): lbfgs, or adam with mini-batches (batch_size > 0), as
   * logreg_params_resolve says. */
  LOGREG_OPTIMIZER_AUTO = -1,
#define LOGREG_OPTIMIZER_ENUM_(id, name) LOGREG_OPTIMIZER_##id,
  LOGREG_OPTIMIZER_MAP(LOGREG_OPTIMIZER_ENUM_)
#undef LOGREG_OPTIMIZER_ENUM_
} logreg_optimizer;

/* The optimizer's name ("adam"), or "unknown" for a value not in the list. */
LOGREG_API const char *logreg_optimizer_name(logreg_optimizer opt);
/* Sets *out when `name` is one of LOGREG_OPTIMIZER_MAP's names; LOGREG_EINVAL, with a message
 * that lists them, otherwise. */
LOGREG_API logreg_status logreg_optimizer_parse(const char *name, logreg_optimizer *out,
                                                logreg_error *err);
/* 1 for an optimizer that runs full batch to a tolerance (lbfgs, newton: one iteration an
 * epoch, tol 1e-6 when params.tol is 0, and C = 1 by default), 0 for a first-order method. */
LOGREG_API int logreg_optimizer_second_order(logreg_optimizer opt);

/* What one epoch reached; passed to the progress callback. Losses are mean unweighted
 * cross-entropy; NaN for val_* when there is no validation set. */
typedef struct logreg_epoch_info {
  int epoch; /* 1-based */
  int epochs;
  double objective; /* J on the training split */
  double train_loss, train_accuracy;
  double val_loss, val_accuracy;
  double lr;
  double seconds;   /* since training started */
  long evaluations; /* full-batch evaluations of the training split so far (passes over X) */
  long hv_products; /* Hessian-vector products so far (newton; one pass over X each) */
  /* 1: an epoch of the run that params.resume continues, passed again (before the new epochs)
   * so that a history is complete; 0: an epoch run now. */
  int replayed;
} logreg_epoch_info;

typedef void (*logreg_progress_fn)(void *user, const logreg_epoch_info *info);

/* How an OpenCL device computes a full-batch evaluation (the logits X W, the rows, X^T G). */
#define LOGREG_PATH_MAX 4
typedef struct logreg_path_choice {
  char path[16]; /* "tiled", "fused", "own" or "clblast"; "" on the cpu backend */
  char how[16];  /* "measured" (timed at set-up), "cached" (an earlier run's measurement),
                    "requested" (params.gemm) */
  int count;     /* paths timed when how is "measured" or "cached" */
  char names[LOGREG_PATH_MAX][16];
  double ms[LOGREG_PATH_MAX]; /* median ms of one full-batch evaluation; NaN: it failed */
} logreg_path_choice;

/* How features are scaled before training (--scale); the model records it. */
typedef enum logreg_scale {
  LOGREG_SCALE_STD = 0, /* dense: centre and divide by the std; sparse: divide by the std only
                           (scikit-learn's StandardScaler(with_mean=False)) */
  LOGREG_SCALE_MAXABS,  /* divide by the column's largest |value| (MaxAbsScaler), no centring */
  LOGREG_SCALE_NONE     /* the values as they are */
} logreg_scale;

/* Data-parallel training over a group of processes (MPI ranks; `logreg train` under mpirun).
 * Every process holds the whole training split and calls logreg_train with the same data and
 * parameters; process `rank` of `size` evaluates its contiguous share of the training rows
 * [n rank / size, n (rank + 1) / size), and the raw sums of every evaluation are exchanged
 * with `allgather` and added in rank order, so that every process runs the same solver steps
 * on the same numbers and ends with the same model (the validation split is evaluated whole
 * by each process). The library itself does not link MPI: the caller supplies the exchange. */
typedef struct logreg_shard {
  int rank, size;
  /* Collective: out[r n + i] = in[i] of process r, on every process (n doubles from each).
   * Returns 0, or non-zero when the exchange failed. */
  int (*allgather)(void *user, const double *in, size_t n, double *out);
  void *user;
  /* The process's rank among those of its node (0 when unknown): device "auto" takes that
   * node's GPU local_rank mod (the node's GPUs), so that a node's processes spread over them. */
  int local_rank;
} logreg_shard;

typedef struct logreg_params {
  logreg_optimizer optimizer; /* default LOGREG_OPTIMIZER_AUTO: lbfgs; adam with batch_size */
  double lr;                  /* learning rate; 0 (default) = logreg_default_lr() */
  int epochs;                 /* default 100 */
  size_t batch_size;          /* rows per step, 0 = full batch (default) */
  double l2;                  /* lambda in J; default 0 */
  /* scikit-learn's C (inverse regularization): when > 0, lambda = 1 / (C * sum of the training
   * rows' weights), class and sample weights included, which is LogisticRegression(C)'s
   * optimum; l2 must then be 0. INFINITY: lambda = 0, no penalty (the maximum-likelihood fit,
   * which exists only where the classes are not separable; logreg_model_stats). 0: lambda =
   * l2. NaN (the default, LOGREG_C_DEFAULT): 1 for the second-order optimizers (lbfgs, newton:
   * an unregularized optimum need not exist) when l2 is 0, else lambda = l2 (the first-order
   * methods run a budget of epochs at l2). */
  double C;
  /* What the L2 term penalizes: 0 (default) the standardized weights W (DESIGN.md §2), 1 the
   * weights in the caller's feature units, W_raw = W / sigma, which is scikit-learn's
   * LogisticRegression on unscaled X (standardization is then only a preconditioner: the
   * optimum in raw units does not depend on the scaler). */
  int raw_penalty;
  /* 1: no intercept (scikit-learn's fit_intercept=False): b stays 0 and the scaler does not
   * centre (mean 0, scale by the standard deviation about 0... see lr_column_scaler), so that
   * the raw model is x W_raw with no constant term. Default 0. */
  int no_intercept;
  /* Stop when max|gradient| <= tol (full batch only); 0 (default): 1e-6 for the second-order
   * optimizers, never for the first-order ones. */
  double tol;
  int patience; /* early stopping on val loss after this many epochs; 0 = off (default) */
  int binary;   /* single-logit sigmoid model; requires exactly 2 classes */
  int class_weight_balanced; /* weight_k = N / (K count_k) */
  double pos_weight;         /* --binary: weight of the positive term, default 1 */
  uint64_t seed;             /* shuffling; default 42 */
  double momentum;           /* default 0.9 */
  int nesterov;              /* default 0 */
  double beta1, beta2, eps;  /* Adam: 0.9, 0.999, 1e-8 */
  const char *device;        /* "cpu" (default), "reference", "opencl", "opencl:P:D", "auto" */
  /* OpenCL: "auto" (NULL, default: each applicable path is timed on the data at set-up and
   * the fastest kept), or "tiled", "fused", "own", "clblast" to force one. */
  const char *gemm;
  /* OpenCL: a file where auto's choice is kept per device, driver and shape class, so that
   * later runs skip the timing; NULL (default) = time every run. */
  const char *path_cache;
  /* OpenCL device settings (see logreg_device_options; zeroed by logreg_params_init). */
  logreg_device_options device_options;
  /* Host threads for the preprocessing passes (medians, scaler, standardization) and for the
   * cpu and reference backends' passes over the rows (sums, gradients, Hessian-vector products):
   * 0 (default)
   * = all online processors, at most 16, for a pass large enough to gain (a million values
   * for the preprocessing, about 2^17 for a row pass), else 1. The results are the same bits
   * at any count. */
  unsigned threads;
  logreg_progress_fn progress;
  void *progress_user;
  logreg_scale scale; /* default LOGREG_SCALE_STD */
  /* Long runs (logreg_train; README "Long runs", host/solve/README.md for the file format).
   * checkpoint: a file that receives the whole training state, atomically, every
   * checkpoint_every epochs, or when 0 (default) after the first epoch that ends
   * checkpoint_seconds (default 60) after the last write; NULL (default): none. */
  const char *checkpoint;
  int checkpoint_every;
  double checkpoint_seconds;
  /* A checkpoint to continue from: the run then ends with the model the uninterrupted run
   * would have given, bit for bit, on the same device. The file must have been written for
   * the same data and the same options that shape the result (LOGREG_EINVAL, one line,
   * otherwise); the device may differ. NULL (default): start at W = 0. */
  const char *resume;
  /* When not NULL: read after every epoch and every mini-batch step; once it is not 0,
   * training stops there (logreg_trainer_epoch then returns with the epoch paused: no info,
   * and the next call finishes it), writes the checkpoint (when one was asked for) and
   * logreg_train returns LOGREG_EINTERRUPTED with a message saying where the state went. A signal
   * handler sets it; SIGINT and SIGTERM are blocked in the calling thread while a checkpoint is
   * written. */
  const volatile sig_atomic_t *stop_request;
  /* NULL (default): one process trains alone; else this process's part of a group (see
   * logreg_shard; dense data, no --cv). Not owned. */
  const logreg_shard *shard;
  /* 1: a device failure (LOGREG_EBACKEND) on an OpenCL backend, in set-up or in the middle of
   * training, does not end logreg_train: it goes on on the cpu backend from the last state read
   * back from the device (a copy of the checkpoint state kept in memory after every epoch, or
   * every few where copying it would cost more than about 5 % of the time; at set-up,
   * params.resume or the start) and says so in logreg_train_result.fallback. `logreg
   * train --device auto` sets it. Ignored under a shard. Default 0: the error is returned. */
  int cpu_fallback;
  /* 1: set-up takes the training dataset's features instead of copying them, so that training
   * holds X once: it preprocesses X where it is and hands it to the backend (the cpu backends
   * read it there; an OpenCL device that shares host memory, such as PoCL, reads it through a
   * buffer over it; another device gets a copy and the host's goes). For a dense training
   * dataset that owns its X (not LOGREG_BUFFER_BORROW) and one process; ignored otherwise. The
   * dataset keeps its row count, labels, weights and names but no features: logreg_dataset_x
   * returns NULL, and training, prediction or splitting on it fails with LOGREG_EINVAL (one
   * line), as does cpu_fallback's way back after a device failure, which would read X again.
   * Default 0. */
  int consume_x;
  /* A warm start: training starts from these weights instead of W = 0 (scikit-learn's
   * warm_start, LogisticRegressionCV's refit). init_coef: d x KW values row-major in the caller's
   * feature units, as logreg_model_raw_weights gives them (and logreg_cv_options.weights_out);
   * init_intercept: KW values, or NULL for 0 (ignored with no_intercept). NULL (default): W = 0.
   * The trainer maps them through its scaler (w = w_raw sigma, b = b_raw + sum_j w_raw[j] mu_j).
   * Not with params.resume, whose checkpoint holds the state. Not owned. */
  const double *init_coef;
  const double *init_intercept;
  /* The elastic-net mix (scikit-learn's l1_ratio): J's penalty is lambda (l1_ratio ||W||_1 +
   * (1 - l1_ratio) / 2 ||W||^2) with lambda from C or l2 as above, on the weights
   * `raw_penalty` says (raw: |W_raw| = |W| / sigma). 0 (default): L2 only; 1: L1 (the lasso);
   * between: the elastic net. With an L1 part the optimizer is owlqn (orthant-wise L-BFGS, the
   * default then; others refuse), which stops when the minimum-norm subgradient's largest
   * entry is at most tol, and whose zeros are exact. */
  double l1_ratio;
} logreg_params;

/* C's default: NaN, see logreg_params.C. */
#define LOGREG_C_DEFAULT NAN

/* The defaults, the one place they are set: optimizer AUTO (lbfgs; adam with mini-batches),
 * C at its default (1 for lbfgs and newton), tol 0 (1e-6 for lbfgs and newton), at most 100
 * epochs or iterations, full batch, device "cpu"; every other setting off or as documented. */
LOGREG_API void logreg_params_init(logreg_params *p);
/* The learning rate used when params.lr is 0. */
LOGREG_API double logreg_default_lr(logreg_optimizer opt);
/* LOGREG_OK when the parameters are usable; else LOGREG_EINVAL and a message that names the
 * parameter at fault in quotes ("'lr' must be a finite number > 0"). */
LOGREG_API logreg_status logreg_params_check(const logreg_params *p, logreg_error *err);
/* The parameters as training will use them: p checked, then into *out with its defaults made
 * concrete (the optimizer AUTO picks, C's default, lr 0 as logreg_default_lr, tol 0 as the
 * optimizer's), what a caller shows before it trains. */
LOGREG_API logreg_status logreg_params_resolve(const logreg_params *p, logreg_params *out,
                                               logreg_error *err);

typedef struct logreg_model logreg_model;

typedef struct logreg_train_result {
  int epochs_run;
  int best_epoch; /* epoch whose weights the model holds */
  double seconds;
  double objective;
  double train_loss, train_accuracy;
  double val_loss, val_accuracy; /* NaN without a validation set */
  size_t imputed;                /* missing values filled with training medians (train split) */
  const char *stop_reason;       /* static string: "epochs", "tol", "patience", "converged" (no step
                                    lowers J), "max_iter" (lbfgs, newton: the epoch cap came first) */
  const char *backend;           /* static string: "cpu", "reference" or "opencl" */
  char device[200];              /* the device that ran it, for people */
  logreg_path_choice path;       /* how the device computed it (OpenCL) */
  long evaluations;              /* full-batch evaluations of the training split: passes over its X
                                    (mini-batch steps are not counted) */
  long hv_products;              /* Hessian-vector products (newton): one pass over X each */
  double l2;                     /* the lambda trained with (params.l2, or from params.C) */
  double grad_max;               /* max |dJ/dtheta| at the end (full batch; NaN for mini-batches) */
  double tol; /* the tolerance it stopped at (lbfgs and newton: 1e-6 unless params.tol) */
  /* params.cpu_fallback: "" when the device ran the whole run, else one line: the device's
   * error and where the cpu run went on from. Set as soon as it happens, so that it is there
   * also when the cpu run then fails (a NULL result: not reported). */
  char fallback[768];
  /* "" when the run trained on the device params.device names; else one line saying why not:
   * a run resumed from a checkpoint whose device is not available here. */
  char device_note[256];
  /* Seconds before training (not in `seconds`): the rows prepared (imputed, scaled), the device
   * chosen (auto's timing) and set up (kernel builds, the paths' timing), the data uploaded. */
  double setup_seconds;
  /* "" unless auto weighed the cpu backend against an OpenCL device at set-up (one on the
   * host's cores, or sparse rows): then one line saying what it chose and from which times. */
  char device_choice[512];
  /* L-BFGS on a float32 device that refined in double (the device's name ends in ", refined in
   * double"): the iteration from which it evaluated in double, and the training seconds from its
   * start on (in `seconds`); 0 and 0 when it did not. */
  int refined_epoch;
  double refined_seconds;
} logreg_train_result;

/* Trains on `train` (labelled); `val` (may be NULL) is watched for progress and early stopping.
 * Imputation medians and the scaler are fitted on `train` and kept in the model. `result` may
 * be NULL. */
LOGREG_API logreg_status logreg_train(const logreg_dataset *train, const logreg_dataset *val,
                                      const logreg_params *params, logreg_model **out,
                                      logreg_train_result *result, logreg_error *err);

/* ---- Cross-validation over a grid (logreg train --cv) ----
 *
 * K-fold cross-validation of every value of a grid of C (or lambda) values, scikit-learn's
 * LogisticRegressionCV: model (g, f) trains on the rows outside fold f with value g and is
 * scored on fold f. All G x K models train together: each pass over X evaluates every model
 * that is still running (the folds enter as row masks), so X is read once per pass for the
 * whole grid. The preprocessing (medians, scaler) is fitted once on all of `train`, as when a
 * scaled X is handed to LogisticRegressionCV. Each model is trained by L-BFGS (memory 10,
 * backtracking line search on the Armijo condition) until max |gradient| <= params.tol (1e-6
 * when 0) or params.epochs iterations; params.optimizer, lr and batch_size are not used. */
typedef struct logreg_cv_options {
  const double *values; /* the grid: n_values values of C (values_are_C) or of lambda */
  size_t n_values;
  int values_are_C;
  size_t k_folds;       /* K >= 2 */
  const int32_t *folds; /* train->n fold numbers 0..K-1 (each fold non-empty), or NULL: a
                           stratified assignment drawn with params.seed */
  int choose_faster;    /* params.device is an OpenCL device: time one pass of the grid on it
                           and on the cpu backend, and run the grid on the faster (result->why
                           says) */
  /* 0 (default): along the regularization path, value after value (the most regularized first),
   * each value's K models together, each from its fold's solution at the previous value (warm
   * starts, as LogisticRegressionCV). 1: all the values' models together from W = 0, one pass
   * over X evaluating every running model (the grid before 2026-12-07). */
  int together;
  /* The grid models' tolerance on max |dJ/dtheta| (of the mean objective, as scikit-learn's tol
   * since its 1.4); 0: params.tol (1e-6 when 0), the refit's. The values are compared at it:
   * LogisticRegressionCV's tol (1e-4 by default) is the same screen. A model short of its
   * optimum can misstate its validation loss (bench/RESULTS.md, "Cross-validation along the
   * path"). */
  double tol;
  /* When not NULL: n_values x (d + 1) x KW doubles that receive each value's weights averaged
   * over its folds in the caller's feature units, d x KW (as logreg_model_raw_weights) then KW
   * intercepts: the warm start of a refit with the chosen value (params.init_coef,
   * init_intercept), as LogisticRegressionCV refits. */
  double *weights_out;
  /* Appended (issue 26). When not NULL: n_values x k_folds doubles, value-major as the models,
   * that receive each model's ROC AUC on its held-out fold (unweighted, as logreg_metrics's
   * roc_auc: class 1's probability for two classes, the one-vs-rest macro average beyond; NaN
   * where undefined, a fold of one class), its probabilities computed after training from the
   * rows as the grid read them (standardized, float32). `train --cv --scoring roc_auc`. */
  double *val_roc_auc_out;
} logreg_cv_options;

typedef struct logreg_cv_model {
  double value;                  /* its grid value (C or lambda) */
  int fold;                      /* the held-out fold */
  double l2;                     /* the lambda it trained with (1 / (C * its rows' weight)) */
  double objective;              /* J on its training rows at the end */
  double train_loss;             /* mean unweighted loss on its training rows */
  double val_loss, val_accuracy; /* on the held-out fold (unweighted means) */
  size_t train_rows, val_rows;
  int iterations;          /* L-BFGS iterations */
  long evaluations;        /* passes over X in which it was evaluated */
  double grad_max;         /* max |dJ/dtheta| at the end */
  const char *stop_reason; /* static: "tol", "max_iter" or "converged" (no step lowers J) */
} logreg_cv_model;

typedef struct logreg_cv_result {
  double seconds; /* the grid's training, preprocessing included */
  long passes;    /* passes of the grid (each evaluates every running model; on sparse rows,
                     as two passes over X per model) */
  char device[200];
  char why[200]; /* choose_faster: the timings that chose it, else "" */
} logreg_cv_result;

/* Trains the n_values x k_folds models (value-major: models[g * K + f]) on `train`. The
 * per-row fold numbers used are written to `folds_out` (train->n entries) when not NULL. */
LOGREG_API logreg_status logreg_cv(const logreg_dataset *train, const logreg_params *params,
                                   const logreg_cv_options *opt, logreg_cv_model *models,
                                   int32_t *folds_out, logreg_cv_result *result, logreg_error *err);

/* Training one epoch at a time: what logreg_train does, opened up so that a caller (a
 * benchmark, an interactive tool) can time epochs on data already resident on the device.
 * logreg_trainer_create fits the preprocessing on `train`, creates the backend and uploads the
 * data (the datasets may be freed afterwards); each logreg_trainer_epoch runs one epoch (one
 * iteration of lbfgs and newton), waits for the device and fills `info` (info->epoch is 0
 * when no epoch ran); it sets *stop to a static reason ("epochs", "tol", "converged",
 * "patience") once training has nothing more to do, else NULL. The progress callback of the
 * parameters is called for each epoch too. logreg_trainer_finish hands over the model (the best
 * epoch's weights with --patience) and the result; the trainer must still be freed. */
typedef struct logreg_trainer logreg_trainer;

LOGREG_API logreg_status logreg_trainer_create(const logreg_dataset *train,
                                               const logreg_dataset *val,
                                               const logreg_params *params, logreg_trainer **out,
                                               logreg_error *err);
LOGREG_API logreg_status logreg_trainer_epoch(logreg_trainer *t, logreg_epoch_info *info,
                                              const char **stop, logreg_error *err);
LOGREG_API logreg_status logreg_trainer_finish(logreg_trainer *t, logreg_model **out,
                                               logreg_train_result *result, logreg_error *err);
LOGREG_API void logreg_trainer_free(logreg_trainer *t);

/* Probabilities, n x K row-major (K = number of classes, also 2 for --binary models), for the
 * rows of `ds`, whose features must match the model's. */
LOGREG_API logreg_status logreg_predict_proba(const logreg_model *m, const logreg_dataset *ds,
                                              double *proba, logreg_error *err);

/* Predictions for a caller's feature buffer, without building a dataset: X as in
 * logreg_dataset_from_buffer (n x d, float32 or float64, row_stride in elements, 0 = d; NaN is
 * a missing value, imputed with the model's medians; an infinity is an error naming the row and
 * column), d equal to the model's features. Each row is rounded to float32 as a dataset would
 * hold it, so the results are the same bits as logreg_predict_proba on the dataset built from
 * the same buffer. All of X is checked before anything is written to the output.
 * - proba: n x K probabilities, row-major (as logreg_predict_proba).
 * - decision: n x KW raw logits z = x W + b, row-major, KW = logreg_model_weight_columns (1 for
 *   --binary models: the positive class's logit; else one per class, softmax's input). */
LOGREG_API logreg_status logreg_model_predict_proba_buffer(const logreg_model *m, size_t n,
                                                           size_t d, const void *x,
                                                           logreg_dtype x_type, size_t row_stride,
                                                           double *proba, logreg_error *err);
LOGREG_API logreg_status logreg_model_decision_function_buffer(const logreg_model *m, size_t n,
                                                               size_t d, const void *x,
                                                               logreg_dtype x_type,
                                                               size_t row_stride, double *decision,
                                                               logreg_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Models                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Writes the JSON model atomically (temp file in the same directory, fsync, rename). */
LOGREG_API logreg_status logreg_model_save(const logreg_model *m, const char *path,
                                           logreg_error *err);
LOGREG_API logreg_status logreg_model_load(const char *path, logreg_model **out, logreg_error *err);
LOGREG_API void logreg_model_free(logreg_model *m);

LOGREG_API size_t logreg_model_features(const logreg_model *m);
LOGREG_API size_t logreg_model_classes(const logreg_model *m);
LOGREG_API int logreg_model_binary(const logreg_model *m);
/* Iterations (epochs) the training of this model ran, as its file records (0 when unknown). */
LOGREG_API int logreg_model_iterations(const logreg_model *m);
/* Columns of the weights: 1 for --binary models (one logit), else the number of classes. */
LOGREG_API size_t logreg_model_weight_columns(const logreg_model *m);
/* The weights in the caller's feature units (the model file's weights_raw / bias_raw, and
 * scikit-learn's coef_ transposed / intercept_): w_raw receives d x KW values row-major (feature
 * j's weight for column c at j * KW + c), b_raw KW values, such that the logits are
 * z = x w_raw + b_raw for a row x without missing values (KW = logreg_model_weight_columns).
 * Computed from the standardized weights and the scaler: w_raw = w / std, b_raw = b - sum_j
 * w_raw[j] mean_j. Both pointers must have room for their values. */
LOGREG_API void logreg_model_raw_weights(const logreg_model *m, double *w_raw, double *b_raw);
LOGREG_API const char *logreg_model_class_name(const logreg_model *m, size_t k);
LOGREG_API const char *logreg_model_feature_name(const logreg_model *m, size_t j);
/* The k class names and the d feature names in index order, owned by the model. */
LOGREG_API const char *const *logreg_model_class_names(const logreg_model *m);
LOGREG_API const char *const *logreg_model_feature_names(const logreg_model *m);
/* Where the features came from, so that a header-less CSV is read the same way again (for
 * logreg_read_options.n_columns, .feature_columns and .target): the training file's column
 * count (a CSV's; else the feature count, or 0 when unknown), the d file indices of the feature
 * columns (NULL when not a CSV), and the file index of the target column (-1 when unknown). */
LOGREG_API size_t logreg_model_source_columns(const logreg_model *m);
LOGREG_API const size_t *logreg_model_feature_columns(const logreg_model *m);
LOGREG_API long logreg_model_target_column(const logreg_model *m);
/* The training file's label column by its header name, NULL when it had no header (or the model
 * predates the name): predict and eval find the labels by it. Owned by the model. */
LOGREG_API const char *logreg_model_target_name(const logreg_model *m);
/* The training CSV's delimiter (',', ';' or '\t'; ',' for models saved before it was kept), 0
 * when the model was not trained on a CSV; and whether that CSV had a header row (1) or not (0;
 * also for LIBSVM and IDX). Predict and eval pass them as read options (delimiter_default,
 * model_header). */
LOGREG_API int logreg_model_delimiter(const logreg_model *m);
LOGREG_API int logreg_model_header(const logreg_model *m);
/* How the training CSV's values were read, for reading data for the model the same way: the
 * missing markers (n in *n, the empty field "" first; owned by the model; a model saved before
 * they were recorded has "", "?" and "NA", the set of that time), and the decimal mark ('.' or
 * ','; '.' for models saved before it was recorded). Predict and eval pass them as read options
 * (na_base, decimal). */
LOGREG_API const char *const *logreg_model_na_values(const logreg_model *m, size_t *n);
LOGREG_API int logreg_model_decimal(const logreg_model *m);
/* Categorical features: per feature, the column it is read from (the feature's own name for a
 * numeric one) and the category it one-hot encodes (NULL for a numeric one), d entries owned by
 * the model; categories is NULL when the model has no categorical feature. Pass them as
 * logreg_read_options.feature_names and .feature_categories to read data for the model. */
LOGREG_API const char *const *logreg_model_feature_sources(const logreg_model *m);
LOGREG_API const char *const *logreg_model_feature_categories(const logreg_model *m);

/* Records loss and accuracy on a named split ("train", "val", "test") in the model's metrics. */
LOGREG_API logreg_status logreg_model_set_metrics(logreg_model *m, const char *split, double loss,
                                                  double accuracy, size_t rows, logreg_error *err);

/* The weights as trained, in the units of the scaled features (the model file's weights / bias:
 * per standard deviation of each feature under the default scale "std"): w receives d x KW
 * values row-major, b KW values (KW = logreg_model_weight_columns). */
LOGREG_API void logreg_model_weights(const logreg_model *m, double *w, double *b);

/* One top-level object of the model file as JSON text, as logreg_model_save writes it: "options"
 * (how it was trained and where its features came from), "metrics" (loss, accuracy and rows per
 * split) or "categorical" (the one-hot columns); NULL for another key or when out of memory.
 * malloc'd: free with free(). */
LOGREG_API char *logreg_model_json_section(const logreg_model *m, const char *key);

/* ------------------------------------------------------------------------------------------ */
/* Inference statistics (logreg show --stats)                                                  */
/* ------------------------------------------------------------------------------------------ */

/* Standard errors, z statistics, two-sided p-values and 95% confidence intervals of a model's
 * coefficients, from the observed information matrix of an unpenalized fit: the Hessian of the
 * negative log-likelihood summed over the rows of a dataset, at the model's coefficients, in the
 * data's own units, inverted in double. They are what statsmodels' Logit (binary) and MNLogit
 * (multinomial) summary() give for the same rows at the same coefficients.
 *
 * The coefficients are identified ones, so that they compare with statsmodels':
 * - vectors: m = K - 1 coefficient vectors, vector c for class c + 1 against class 0 (the first
 *   class is the reference, as MNLogit's), w[:, c + 1] - w[:, 0] of the softmax's K; a --binary
 *   model's one logit is vector 0 as it is.
 * - terms: per vector, the intercept first (when the model has one), then the features, except
 *   that with an intercept the first category of each one-hot encoded column is the reference
 *   of its column (treatment coding, as patsy's C(col) in a statsmodels formula): its feature
 *   is left out, the column's other categories are relative to it (w_j - w_ref) and the
 *   intercept takes it in (b + sum of the references' w). Every row with one category per column
 *   gets the same logits, so the fit is the model's; the full one-hot set with an intercept
 *   would be collinear.
 *
 * The statistics are valid only where the model is a maximum-likelihood estimate, else
 * `verdict` says why not and the statistics are absent (their arrays NULL):
 * - PENALIZED: trained with an L2 penalty (its lambda > 0): logreg train --C inf fits without.
 * - WEIGHTED: trained with class weights or pos_weight, or the dataset has row weights: the
 *   fit maximizes a weighted likelihood.
 * - COLLINEAR: in the dataset, a feature is constant, or a linear combination of others (its
 *   residual after them below 1e-10 of its spread): the coefficients are not identified.
 * - SEPARATION: no finite maximum-likelihood estimate exists on the dataset: Newton's method in
 *   double, run from the model's coefficients on the dataset's rows (at most
 *   LOGREG_STATS_NEWTON iterations), does not converge but keeps growing the coefficients along
 *   a direction that predicts the rows it moves with certainty (complete or quasi-complete
 *   separation, statsmodels' PerfectSeparationError). `involved` names the features whose
 *   coefficients grow. */
#define LOGREG_STATS_MAX_COEF 1000 /* coefficients (m x terms) at most */
#define LOGREG_STATS_NEWTON 30

typedef enum logreg_stats_verdict {
  LOGREG_STATS_VALID = 0,
  LOGREG_STATS_PENALIZED,
  LOGREG_STATS_WEIGHTED,
  LOGREG_STATS_COLLINEAR,
  LOGREG_STATS_SEPARATION
} logreg_stats_verdict;

typedef struct logreg_stats {
  logreg_stats_verdict verdict;
  char message[768];  /* not VALID: one line saying why, naming the features; "" when VALID */
  size_t rows;        /* rows of the dataset */
  size_t rows_used;   /* rows the statistics are over: all but those with no category of a
                         reference-coded column (a category the model does not know), which the
                         reference coding cannot represent */
  size_t vectors;     /* m = K - 1 */
  size_t terms;       /* per vector: the intercept (when the model has one) and the features */
  long *term_feature; /* terms entries: the model's feature index of each term, -1 for the
                         intercept */
  /* vectors x terms values, vector-major (vector c's term t at c * terms + t), in the data's
   * units: the coefficients (always), and when VALID the standard errors, z = coef / std_err,
   * two-sided p-values P(|Z| > |z|) and the 95% interval coef -+ 1.959963984540054 std_err. */
  double *coef, *std_err, *z, *p_value, *ci_low, *ci_high;
  double *cov;           /* VALID: the covariance, (vectors terms)^2 in the same order; else NULL */
  double log_likelihood; /* sum of log p(label) over the rows at the coefficients */
  /* The intercept-only model's log-likelihood, McFadden's pseudo R^2 = 1 - ll / ll_null, and the
   * likelihood-ratio test's p-value (chi-squared with df_model degrees of freedom): NaN for a
   * model without an intercept. */
  double ll_null, pseudo_r2, llr_p_value;
  size_t df_model; /* coefficients besides the intercepts: vectors x (terms - 1 or terms) */
  /* max |d log-likelihood / d coef| / rows at the model's coefficients, with each feature
   * centred and scaled to unit variance over the dataset: about 0 (the training's tolerance)
   * when the model is the dataset's maximum-likelihood fit; larger when the model was trained
   * on other rows (a split) or did not reach its tolerance, and the statistics are then those
   * of the model's coefficients, not of the dataset's fit. */
  double max_gradient;
  /* The reference category features (terms leave them out; see above), and for COLLINEAR and
   * SEPARATION the features at fault, as model feature indices (n_references and n_involved
   * entries). */
  size_t *references, n_references;
  size_t *involved, n_involved;
} logreg_stats;

/* Fills `out` for model `m` on the labelled dense dataset `ds` (its features the model's, read
 * as for prediction, e.g. by logreg_dataset_read_for_model; a missing value is imputed with the
 * model's median). LOGREG_OK with out->verdict saying whether the statistics are there;
 * LOGREG_EINVAL for an unlabelled, sparse or mismatched dataset, or a model of more than
 * LOGREG_STATS_MAX_COEF coefficients. Release with logreg_stats_free (also after an error). */
LOGREG_API logreg_status logreg_model_stats(const logreg_model *m, const logreg_dataset *ds,
                                            logreg_stats *out, logreg_error *err);
LOGREG_API void logreg_stats_free(logreg_stats *s);

/* ------------------------------------------------------------------------------------------ */
/* Metrics                                                                                     */
/* ------------------------------------------------------------------------------------------ */

typedef struct logreg_class_metrics {
  double precision, recall, f1;
  size_t support;
} logreg_class_metrics;

typedef struct logreg_metrics {
  size_t n, k;
  double accuracy;
  double log_loss;                 /* mean -log p_y, p clipped to [1e-15, 1] like scikit-learn */
  size_t *confusion;               /* k x k, row = true class, column = predicted */
  logreg_class_metrics *per_class; /* k entries */
  logreg_class_metrics weighted;   /* support-weighted averages; support = n */
  /* Appended (issue 26): what is reported besides the table, scikit-learn's definitions. */
  logreg_class_metrics macro; /* unweighted means over the k classes; support = n */
  /* Scores of the probabilities: ROC AUC (roc_auc_score: the trapezoid under the ROC curve,
   * whose points are the distinct scores, so tied scores make one diagonal step) and average
   * precision (average_precision_score: sum over the distinct scores, highest first, of the
   * recall gained times the precision there). k = 2: of class 1's probability (the positive
   * class); k > 2: the one-vs-rest macro average. NaN where undefined (an AUC needs rows of the
   * class and of the rest, average precision rows of the class). */
  double roc_auc, average_precision;
  /* One-vs-rest averages over the classes where the score is defined (every k, 2 included):
   * unweighted, and weighted by support (roc_auc_score and average_precision_score of the
   * one-hot labels with average="macro" / "weighted"). */
  double roc_auc_macro, roc_auc_weighted, average_precision_macro, average_precision_weighted;
  /* Brier score: k = 2, mean (p_1 - y)^2 (brier_score_loss); k > 2, the mean over the rows of
   * sum_c (p_c - [y = c])^2 (Brier's multi-category score, 0 to 2). */
  double brier;
  double *class_roc_auc;           /* k entries: class c against the rest, scored by p_c; NaN */
  double *class_average_precision; /* where undefined (as above) */
} logreg_metrics;

/* Fills `out` from true labels and n x k probabilities (prediction = argmax, lowest index on
 * ties). Release with logreg_metrics_free. */
LOGREG_API logreg_status logreg_metrics_compute(const int32_t *y, const double *proba, size_t n,
                                                size_t k, logreg_metrics *out, logreg_error *err);
LOGREG_API void logreg_metrics_free(logreg_metrics *m);

#ifdef __cplusplus
}
#endif

#endif /* LOGREG_H */
