/* model_lift.h: the pre-pass of the model loader that lifts the large arrays (feature names,
 * scaler, imputer, weights) out of a model file's text and reads them straight into flat
 * buffers, so that cJSON only builds a tree for the small rest. A cJSON node per number costs
 * about 64 bytes plus its allocation, 8-20 times the text itself for a million-feature model.
 *
 * The pre-pass never decides whether a file is valid: it lifts an array only where the text
 * around it is plain JSON and the array itself is strictly well formed (numbers in JSON's
 * grammar, strings without escapes), and leaves everything else, and every array it is unsure
 * of, to cJSON. So the loader's answer (the model, or its one error line) is the same as when
 * cJSON parses the whole text; fuzz_model checks exactly that. Implemented in model_lift.c. */
#ifndef LOGREG_MODEL_LIFT_H
#define LOGREG_MODEL_LIFT_H

#include <stddef.h>

/* The arrays that may be lifted, by their place in the file. */
typedef enum lr_lift_id {
  LR_LIFT_FEATURES,    /* "features": strings */
  LR_LIFT_MEAN,        /* "scaler": {"mean"}: numbers */
  LR_LIFT_STD,         /* "scaler": {"std"}: numbers */
  LR_LIFT_MEDIAN,      /* "imputer": {"median"}: numbers */
  LR_LIFT_WEIGHTS,     /* "weights": rows of numbers */
  LR_LIFT_WEIGHTS_RAW, /* "weights_raw": rows of numbers, checked but not kept (never read) */
  LR_LIFT_COUNT
} lr_lift_id;

/* cols of rows that differ in length. */
#define LR_LIFT_RAGGED ((size_t)-1)

typedef struct lr_lifted {
  int found;    /* 1: the first occurrence of this key was lifted; the rest holds null there */
  size_t n;     /* numbers or strings; for rows, the number of rows */
  size_t cols;  /* rows: the length of every row (LR_LIFT_RAGGED when they differ; 0 for none) */
  double *v;    /* the numbers, row-major, bit for bit what strtod reads in the "C" locale */
  char **names; /* strings: n pointers into block */
  char *block;
} lr_lifted;

typedef struct lr_lift {
  char *rest;      /* the text with every lifted array replaced by "null"; NULL: nothing lifted */
  size_t rest_len; /* bytes of rest, which is NUL-terminated */
  lr_lifted a[LR_LIFT_COUNT];
  size_t n_spans; /* lifted spans in text order: where each starts in rest, its original length */
  size_t span_at[LR_LIFT_COUNT], span_len[LR_LIFT_COUNT];
} lr_lift;

/* Lifts what it can out of `text` (`len` bytes, text[len] == '\0'). The buffers in `out` belong
 * to it (lr_lift_free) unless the caller takes them and sets the pointers to NULL. Returns 0, or
 * -1 when out of memory (then `out` holds nothing). */
int lr_lift_run(const char *text, size_t len, lr_lift *out);

/* The offset in the original text of offset `pos` in out->rest (for error positions). */
size_t lr_lift_original_pos(const lr_lift *l, size_t pos);

void lr_lift_free(lr_lift *l);

#endif
