/* fuzz_csv.c: libFuzzer target for the CSV reader (lr_read_csv, in memory).
 *
 * The first input byte picks the reader options, so one corpus covers header and --no-header
 * files, target/drop/weight columns by name and by index, and reading for a model (features
 * by name, by position, labels restricted to a model's classes), and an odd length adds
 * categorical columns (forced ones, or a model's one-hot features), and the length modulo 3, 5
 * and 7 sets how values are read (skipped labels, missing markers, a decimal comma), modulo 11
 * whether rare categories are grouped (in training, or a model's group); the rest
 * is the file, its delimiter detected (',', ';' or tab). The reader must return a status for
 * anything: a crash, a leak or undefined behaviour is a bug. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/readers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2) return 0; /* logreg_dataset_read refuses an empty file before the reader */
  unsigned v = data[0];
  data++;
  size--;

  static const char *const targets[] = {NULL, "0", "y", "1"};
  static const char *const drops[] = {NULL, "0", "a,1", " 1 ,,zz"};
  static const char *const names[] = {"a", "b"};
  static const size_t columns[] = {0, 1};
  static const char *const classes[] = {"x", "y"};

  logreg_read_options opt;
  logreg_read_options_init(&opt);
  opt.format = LOGREG_FORMAT_CSV;
  opt.header = (v & 1u) != 0;
  opt.target = targets[(v >> 1) & 3u];
  opt.drop = drops[(v >> 3) & 3u];
  opt.weight = (v & 32u) ? "w" : NULL;
  switch (v >> 6) {
  case 1: /* predict/eval with a header: the model's features by name */
    opt.feature_names = names;
    opt.n_features = 2;
    opt.target_optional = 1;
    opt.model_header = !opt.header;
    break;
  case 2: /* predict/eval without a header: by the training file's positions */
    opt.feature_columns = columns;
    opt.n_features = 2;
    opt.n_columns = 3;
    opt.target_optional = 1;
    opt.model_header = !opt.header; /* the --no-header mix-up hints */
    break;
  case 3: /* eval: labels must be the model's classes */
    opt.class_names = classes;
    opt.n_classes = 2;
    break;
  default:
    break;
  }
  /* An odd length adds categorical columns: forced ones and a small --max-categories in
   * training, a model's one-hot features (by name, by position) when reading for one. */
  static const char *const cat_src[] = {"a", "a", "b"};
  static const char *const cat_of[] = {"x", "", NULL};
  static const char *const cat_grouped[] = {"x", LOGREG_INFREQUENT, NULL};
  const char *const *cats = size % 11 == 0 ? cat_grouped : cat_of;
  static const size_t cat_cols[] = {0, 0, 1};
  if (size % 2) {
    if (opt.feature_names) {
      opt.feature_names = cat_src;
      opt.feature_categories = cats;
      opt.n_features = 3;
    } else if (opt.feature_columns) {
      opt.feature_columns = cat_cols;
      opt.feature_categories = cats;
      opt.n_features = 3;
    } else {
      opt.categorical = (v & 8u) ? "0" : "a";
      opt.max_categories = 3;
      if (size % 11 < 3) opt.min_frequency = 2; /* rare categories grouped */
      if (size % 11 == 1) opt.infrequent = 1;   /* max_categories a cap */
    }
  }

  /* How values are read (issue 26): rows without a label skipped (or, for a model, the label
   * column not read), missing markers dropped or added (one that is a number), a decimal comma
   * given; with none of them, ';' or tab data detects decimal commas. */
  if (size % 3 == 0)
    opt.missing_label =
        opt.target_optional ? LOGREG_MISSING_LABEL_IGNORE : LOGREG_MISSING_LABEL_SKIP;
  if (size % 5 == 0) opt.na_values = "none,-1";
  if (size % 5 == 1) opt.na_values = "x, 7,,";
  if (size % 7 == 0) opt.decimal = ',';

  /* The reader parses in place and expects the NUL that lr_load_file appends. */
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  /* Fields become C strings in place: a NUL byte must be refused, never cut a value short. */
  int has_nul = memchr(data, 0, size) != NULL;
  logreg_dataset *ds = NULL;
  logreg_error err;
  logreg_status st = lr_read_csv("fuzz.csv", buf, size, &opt, &ds, &err);
  if (st == LOGREG_OK) {
    if (has_nul) abort();
    /* A dataset that reads must be consistent: every label within its classes. */
    if (!ds || (ds->y && ds->k == 0)) abort();
    for (size_t i = 0; ds->y && i < ds->n; i++)
      if (ds->y[i] < 0 || (size_t)ds->y[i] >= ds->k) abort();
    /* One-hot values are 0 or 1; the split keeps the categories of its training part. */
    for (size_t j = 0; ds->feature_categories && j < ds->d; j++)
      for (size_t i = 0; ds->feature_categories[j] && i < ds->n; i++)
        if (ds->x[i * ds->d + j] != 0 && ds->x[i * ds->d + j] != 1) abort();
    /* A column with the group of rare categories has exactly one 1 per row. */
    for (size_t j = 0; ds->feature_categories && j < ds->d; j++) {
      const char *c = ds->feature_categories[j];
      if (!c || strcmp(c, LOGREG_INFREQUENT) != 0) continue;
      size_t first = j;
      while (first > 0 && ds->feature_categories[first - 1] &&
             ds->feature_columns[first - 1] == ds->feature_columns[j])
        first--;
      for (size_t i = 0; i < ds->n; i++) {
        float ones = 0;
        for (size_t q = first; q <= j; q++) ones += ds->x[i * ds->d + q];
        if (ones != 1) abort();
      }
    }
    /* The suspect columns' lines are one line each. */
    logreg_suspect sus[4];
    size_t ns = logreg_dataset_suspects(ds, sus, 4);
    for (size_t e = 0; e < ns && e < 4; e++)
      if (!sus[e].message[0] || strchr(sus[e].message, '\n')) abort();
    if (ds->y && ds->feature_categories) {
      logreg_dataset *tr = NULL, *va = NULL, *te = NULL;
      if (logreg_dataset_split(ds, 0.5, 0.5, 0, 1, &tr, &va, &te, &err) == LOGREG_OK) {
        for (size_t j = 0; j < tr->d; j++) {
          int any = !tr->feature_categories[j];
          for (size_t i = 0; i < tr->n && !any; i++) any = tr->x[i * tr->d + j] != 0;
          if (!any || (va && va->d != tr->d)) abort();
        }
      }
      logreg_dataset_free(tr);
      logreg_dataset_free(va);
      logreg_dataset_free(te);
    }
    logreg_dataset_free(ds);
  } else if (ds || !err.message[0] || strchr(err.message, '\n')) {
    abort(); /* a failure leaves no dataset and gives one line */
  }
  free(buf);
  return 0;
}
