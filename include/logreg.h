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

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
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
  XX(EBACKEND, "backend failure")

typedef enum logreg_status {
#define LOGREG_STATUS_ENUM_(name, msg) LOGREG_##name,
  LOGREG_STATUS_MAP(LOGREG_STATUS_ENUM_)
#undef LOGREG_STATUS_ENUM_
      LOGREG_STATUS_COUNT_
} logreg_status;

/* A short fixed description of a status ("out of memory"); never NULL. */
const char *logreg_status_str(logreg_status status);

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

typedef enum logreg_format {
  LOGREG_FORMAT_AUTO =
      0, /* by extension: .svm/.libsvm/.svmlight -> libsvm, -ubyte(.gz)/.idx -> idx */
  LOGREG_FORMAT_CSV,
  LOGREG_FORMAT_LIBSVM,
  LOGREG_FORMAT_IDX
} logreg_format;

/* How to read a data file. Initialise with logreg_read_options_init(). */
typedef struct logreg_read_options {
  logreg_format format; /* default AUTO */
  int header;           /* CSV: 1 = first row names the columns (default), 0 = no header */
  const char *target;   /* CSV: column name or 0-based file index; NULL = last column */
  const char *drop;     /* CSV: comma list of names or 0-based file indices; NULL = none */
  const char *weight;   /* CSV: column of per-row sample weights (name or 0-based index); NULL =
                           none. Neither a feature nor the target; values finite, >= 0. Ignored
                           when reading for a model (feature_names/feature_columns set). */
  const char *labels;   /* IDX: path of the labels file; NULL = unlabelled */
  /* Reading data for an existing model (predict/eval). All optional. */
  int target_optional;              /* CSV: a missing target column is not an error */
  const char *const *feature_names; /* CSV with header: select these columns in order */
  const size_t *feature_columns;    /* CSV without header: file indices of features... */
  size_t n_features;                /* ...and how many (names or columns) */
  size_t n_columns;                 /* CSV without header: training file's column count */
  const char *const *class_names;   /* encode labels to these classes (in this order); */
  size_t n_classes;                 /* a label outside them is an error */
} logreg_read_options;

void logreg_read_options_init(logreg_read_options *opt);

/* Reads `path` (CSV, LIBSVM or IDX as opt->format says). */
logreg_status logreg_dataset_read(const char *path, const logreg_read_options *opt,
                                  logreg_dataset **out, logreg_error *err);

/* Builds a dataset from arrays (copied). `y` may be NULL (unlabelled); names may be NULL
 * (then "x0".."x{D-1}" and "0".."{K-1}"). */
logreg_status logreg_dataset_from_arrays(size_t n, size_t d, const float *x, const int32_t *y,
                                         size_t k, const char *const *class_names,
                                         const char *const *feature_names, logreg_dataset **out,
                                         logreg_error *err);

void logreg_dataset_free(logreg_dataset *ds);

size_t logreg_dataset_rows(const logreg_dataset *ds);
size_t logreg_dataset_features(const logreg_dataset *ds);
size_t logreg_dataset_classes(const logreg_dataset *ds);   /* 0 when unlabelled */
const float *logreg_dataset_x(const logreg_dataset *ds);   /* rows x features, row-major */
const int32_t *logreg_dataset_y(const logreg_dataset *ds); /* NULL when unlabelled */
const char *logreg_dataset_class_name(const logreg_dataset *ds, size_t k);
const char *logreg_dataset_feature_name(const logreg_dataset *ds, size_t j);
size_t logreg_dataset_missing(const logreg_dataset *ds); /* number of missing values read */

/* Stratified split into train/val/test by fractions that sum to 1 (within 1e-6). Each class is
 * shuffled with `seed` and cut by the fractions, so per-class proportions hold. Empty parts are
 * returned as NULL. */
logreg_status logreg_dataset_split(const logreg_dataset *ds, double train, double val, double test,
                                   uint64_t seed, logreg_dataset **train_out,
                                   logreg_dataset **val_out, logreg_dataset **test_out,
                                   logreg_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Training                                                                                    */
/* ------------------------------------------------------------------------------------------ */

typedef enum logreg_optimizer {
  LOGREG_OPTIMIZER_GD = 0, /* full-batch gradient descent */
  LOGREG_OPTIMIZER_SGD,    /* mini-batch SGD */
  LOGREG_OPTIMIZER_MOMENTUM,
  LOGREG_OPTIMIZER_ADAM,
  LOGREG_OPTIMIZER_LBFGS,
  LOGREG_OPTIMIZER_NEWTON /* trust-region Newton-CG (LIBLINEAR's TRON): full batch */
} logreg_optimizer;

const char *logreg_optimizer_name(logreg_optimizer opt);
/* Returns 0 and sets *out when `name` is one of gd|sgd|momentum|adam|lbfgs|newton, else -1. */
int logreg_optimizer_parse(const char *name, logreg_optimizer *out);

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

typedef struct logreg_params {
  logreg_optimizer optimizer; /* default ADAM */
  double lr;                  /* learning rate; 0 (default) = logreg_default_lr() */
  int epochs;                 /* default 100 */
  size_t batch_size;          /* rows per step, 0 = full batch (default) */
  double l2;                  /* lambda in J; default 0 */
  double tol;   /* stop when max|gradient| <= tol (full-batch only); default 0 = never */
  int patience; /* early stopping on val loss after this many epochs; 0 = off (default) */
  int binary;   /* single-logit sigmoid model; requires exactly 2 classes */
  int class_weight_balanced; /* weight_k = N / (K count_k) */
  double pos_weight;         /* --binary: weight of the positive term, default 1 */
  uint64_t seed;             /* shuffling; default 42 */
  double momentum;           /* default 0.9 */
  int nesterov;              /* default 0 */
  double beta1, beta2, eps;  /* Adam: 0.9, 0.999, 1e-8 */
  const char *device;        /* "cpu" (default), "opencl", "opencl:P:D", or "auto" */
  /* OpenCL: "auto" (NULL, default: each applicable path is timed on the data at set-up and
   * the fastest kept), or "tiled", "fused", "own", "clblast" to force one. */
  const char *gemm;
  /* OpenCL: a file where auto's choice is kept per device, driver and shape class, so that
   * later runs skip the timing; NULL (default) = time every run. */
  const char *path_cache;
  logreg_progress_fn progress;
  void *progress_user;
} logreg_params;

void logreg_params_init(logreg_params *p);
/* The learning rate used when params.lr is 0. */
double logreg_default_lr(logreg_optimizer opt);
/* NULL when the parameters are usable, else a message naming the option ("--lr must be > 0"). */
const char *logreg_params_check(const logreg_params *p);

typedef struct logreg_model logreg_model;

typedef struct logreg_train_result {
  int epochs_run;
  int best_epoch; /* epoch whose weights the model holds */
  double seconds;
  double objective;
  double train_loss, train_accuracy;
  double val_loss, val_accuracy; /* NaN without a validation set */
  size_t imputed;                /* missing values filled with training medians (train split) */
  const char *stop_reason;       /* static string: "epochs", "tol", "patience" */
  const char *backend;           /* static string: "cpu" or "opencl" */
  char device[200];              /* the device that ran it, for people */
  logreg_path_choice path;       /* how the device computed it (OpenCL) */
  long evaluations; /* full-batch evaluations of the training split: passes over its X */
  long hv_products; /* Hessian-vector products (newton): one pass over X each */
} logreg_train_result;

/* Trains on `train` (labelled); `val` (may be NULL) is watched for progress and early stopping.
 * Imputation medians and the scaler are fitted on `train` and kept in the model. `result` may
 * be NULL. */
logreg_status logreg_train(const logreg_dataset *train, const logreg_dataset *val,
                           const logreg_params *params, logreg_model **out,
                           logreg_train_result *result, logreg_error *err);

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

logreg_status logreg_trainer_create(const logreg_dataset *train, const logreg_dataset *val,
                                    const logreg_params *params, logreg_trainer **out,
                                    logreg_error *err);
logreg_status logreg_trainer_epoch(logreg_trainer *t, logreg_epoch_info *info, const char **stop,
                                   logreg_error *err);
logreg_status logreg_trainer_finish(logreg_trainer *t, logreg_model **out,
                                    logreg_train_result *result, logreg_error *err);
void logreg_trainer_free(logreg_trainer *t);

/* Probabilities, n x K row-major (K = number of classes, also 2 for --binary models), for the
 * rows of `ds`, whose features must match the model's. */
logreg_status logreg_predict_proba(const logreg_model *m, const logreg_dataset *ds, double *proba,
                                   logreg_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Models                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Writes the JSON model atomically (temp file in the same directory, fsync, rename). */
logreg_status logreg_model_save(const logreg_model *m, const char *path, logreg_error *err);
logreg_status logreg_model_load(const char *path, logreg_model **out, logreg_error *err);
void logreg_model_free(logreg_model *m);

size_t logreg_model_features(const logreg_model *m);
size_t logreg_model_classes(const logreg_model *m);
int logreg_model_binary(const logreg_model *m);
const char *logreg_model_class_name(const logreg_model *m, size_t k);
const char *logreg_model_feature_name(const logreg_model *m, size_t j);

/* Records loss and accuracy on a named split ("train", "val", "test") in the model's metrics. */
logreg_status logreg_model_set_metrics(logreg_model *m, const char *split, double loss,
                                       double accuracy, size_t rows);

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
} logreg_metrics;

/* Fills `out` from true labels and n x k probabilities (prediction = argmax, lowest index on
 * ties). Release with logreg_metrics_free. */
logreg_status logreg_metrics_compute(const int32_t *y, const double *proba, size_t n, size_t k,
                                     logreg_metrics *out, logreg_error *err);
void logreg_metrics_free(logreg_metrics *m);

#ifdef __cplusplus
}
#endif

#endif /* LOGREG_H */
