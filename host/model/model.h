/* model.h: the trained model as host code sees it: classes, features, preprocessing (imputer
 * medians and scaler), weights in standardized and original units, options and metrics.
 * Model I/O (model_io.c), training (train.c) and prediction share this one definition. */
#ifndef LOGREG_MODEL_H
#define LOGREG_MODEL_H

#include "logreg.h"

#define LR_MODEL_FORMAT 1 /* the "format" key: bump when the file layout changes */

typedef struct lr_split_metrics {
  int present; /* 0: split absent (written as null) */
  double loss, accuracy;
  size_t rows;
} lr_split_metrics;

/* The options recorded in the model: how it was trained and how to find the features again. */
typedef struct lr_model_options {
  char *optimizer; /* "adam", ... */
  double lr, l2, tol, pos_weight;
  int epochs, epochs_run, patience;
  size_t batch_size;
  uint64_t seed;
  int class_weight_balanced;
  int raw_penalty;    /* the penalty was on the raw weights (logreg_params.raw_penalty) */
  double l1_ratio;    /* the penalty's L1 share (logreg_params.l1_ratio; 0 in older files) */
  int no_intercept;   /* trained without an intercept: b = 0, mean = 0 */
  logreg_scale scale; /* how the scaler was fitted ("scale" in the file; absent: std) */
  char *device;       /* backend that trained it */
  /* Data source (for predict/eval on header-less CSV files). */
  char *format;            /* "csv", "libsvm", "idx" */
  int header;              /* CSV had a header row */
  char delimiter;          /* CSV's field delimiter (',', ';', '\t'), 0 when not a CSV */
  size_t n_columns;        /* columns in the training CSV */
  size_t *feature_columns; /* d file indices, or NULL */
  long target_column;      /* file index of the target, -1 when unknown */
  char *target_name;       /* the target column's header name, NULL when unknown */
  char **na_values;        /* the n_na missing markers read with ("" first); NULL: saved before
                              they were kept (logreg_model_na_values gives that time's set) */
  size_t n_na;
  char decimal; /* the decimal mark read with ('.' or ','); 0: saved before it was kept */
} lr_model_options;

struct logreg_model {
  size_t d, k;              /* features, classes (k = 2 for binary) */
  int binary;               /* 1: one logit, weights d x 1 */
  char **class_names;       /* k */
  char **feature_names;     /* d */
  char *feature_name_block; /* when set, feature_names[j] point into it (lr_model_name_features) */
  /* Categorical features: per feature, the one-hot category (NULL for a numeric feature) and
   * the source column's name; both NULL when the model has no categorical feature. */
  char **feature_categories;
  char **feature_sources;
  double *median;     /* d imputation values (training-split medians) */
  double *mean, *std; /* d scaler statistics; std = 1 where the training std was 0 */
  double *w;          /* d x kw row-major, kw = binary ? 1 : k, standardized space */
  double *b;          /* kw */
  lr_model_options options;
  lr_split_metrics train, val, test;
};

/* Names the features "f1".."fD" (LIBSVM's numbering) in one block of text rather than d
 * allocations (sparse data may have millions of features). 0, or -1 when out of memory. */
int lr_model_name_features(logreg_model *m);

/* "std", "maxabs", "none"; and back (0, or -1 for another name). */
const char *lr_scale_name(logreg_scale s);
int lr_scale_parse(const char *name, logreg_scale *out);

/* Number of weight columns: 1 for binary, else k. */
static inline size_t lr_model_kw(const logreg_model *m) { return m->binary ? 1 : m->k; }

/* Whether feature j starts a one-hot encoded column: a category after a numeric feature or
 * after a category of another source column (0 for a numeric feature). */
int lr_model_category_starts(const logreg_model *m, size_t j);

/* Allocates a zeroed model with all arrays for d features and k classes (names NULL).
 * NULL when out of memory. */
logreg_model *lr_model_alloc(size_t d, size_t k, int binary);

/* Weights in original units: w_raw = w / std (per feature row), b_raw = b - sum_j w_raw[j] mean_j.
 * w_raw has d x kw entries, b_raw kw. */
void lr_model_raw_weights(const logreg_model *m, double *w_raw, double *b_raw);
/* The inverse: m->w and m->b from weights in the caller's units through m's scaler (b_raw NULL:
 * 0). */
void lr_model_set_raw_weights(logreg_model *m, const double *w_raw, const double *b_raw);

/* Parses a model file's text: `len` bytes followed by a NUL (text[len] == '\0'), as
 * logreg_model_load reads it; `name` is the file name used in error messages. The same checks
 * and messages as logreg_model_load, which reads the file and calls this. */
logreg_status lr_model_parse(const char *name, const char *text, size_t len, logreg_model **out,
                             logreg_error *err);

/* lr_model_parse with the pre-pass that reads the large arrays without cJSON (model_lift.h) on
 * (`lift` 1, what lr_model_parse does) or off (cJSON parses the whole text, the loader before
 * the pre-pass). Both give the same model or the same error; fuzz_model compares them. */
logreg_status lr_model_parse_with(const char *name, const char *text, size_t len, int lift,
                                  logreg_model **out, logreg_error *err);

#endif
