/* model.c: allocation, release and accessors of the trained model, and its weights in original
 * feature units (DESIGN.md §2). The file format lives in model_io.c; training in train.c. */
#include "model/model.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/na.h"
#include "util/util.h"

/* calloc that never asks for 0 bytes, so that an empty array is still a valid non-NULL
 * pointer and "NULL means out of memory" holds everywhere. */
static void *calloc_n(size_t n, size_t size) { return calloc(n ? n : 1, size); }

logreg_model *lr_model_alloc(size_t d, size_t k, int binary) {
  size_t kw = binary ? 1 : k;
  /* d x kw doubles must be addressable; refuse sizes whose byte count would overflow. */
  if (kw != 0 && d > SIZE_MAX / sizeof(double) / kw) return NULL;
  logreg_model *m = calloc(1, sizeof *m);
  if (!m) return NULL;
  m->d = d;
  m->k = k;
  m->binary = binary ? 1 : 0;
  m->options.target_column = -1;
  m->class_names = calloc_n(k, sizeof *m->class_names);
  m->feature_names = calloc_n(d, sizeof *m->feature_names);
  m->median = calloc_n(d, sizeof *m->median);
  m->mean = calloc_n(d, sizeof *m->mean);
  m->std = calloc_n(d, sizeof *m->std);
  m->w = calloc_n(d * kw, sizeof *m->w);
  m->b = calloc_n(kw, sizeof *m->b);
  if (!m->class_names || !m->feature_names || !m->median || !m->mean || !m->std || !m->w || !m->b) {
    logreg_model_free(m);
    return NULL;
  }
  /* An identity scaler until training fits one: a fresh model then predicts in raw units. */
  for (size_t j = 0; j < d; j++) m->std[j] = 1.0;
  return m;
}

int lr_model_name_features(logreg_model *m) {
  /* "f" + up to 20 digits + NUL per name; the exact total is counted first. */
  size_t total = 0;
  char buf[32];
  for (size_t j = 0; j < m->d; j++) total += (size_t)snprintf(buf, sizeof buf, "f%zu", j + 1) + 1;
  char *block = malloc(total ? total : 1);
  if (!block) return -1;
  for (size_t j = 0; j < m->d; j++) free(m->feature_names[j]);
  free(m->feature_name_block);
  m->feature_name_block = block;
  for (size_t j = 0, o = 0; j < m->d; j++) {
    m->feature_names[j] = block + o;
    o += (size_t)snprintf(block + o, total - o, "f%zu", j + 1) + 1;
  }
  return 0;
}

int lr_model_category_starts(const logreg_model *m, size_t j) {
  if (!m->feature_categories || !m->feature_categories[j]) return 0;
  if (j == 0 || !m->feature_categories[j - 1]) return 1;
  if (strcmp(m->feature_sources[j], m->feature_sources[j - 1]) != 0) return 1;
  const size_t *fc = m->options.feature_columns;
  return fc && fc[j] != fc[j - 1];
}

void lr_model_raw_weights(const logreg_model *m, double *w_raw, double *b_raw) {
  size_t kw = lr_model_kw(m);
  for (size_t c = 0; c < kw; c++) b_raw[c] = m->b[c];
  /* z = ((x - mu) / sigma) W + b = x (W / sigma) + (b - sum_j mu_j W_j / sigma_j). */
  for (size_t j = 0; j < m->d; j++) {
    for (size_t c = 0; c < kw; c++) {
      double wr = m->w[j * kw + c] / m->std[j];
      w_raw[j * kw + c] = wr;
      b_raw[c] -= wr * m->mean[j];
    }
  }
}

void lr_model_set_raw_weights(logreg_model *m, const double *w_raw, const double *b_raw) {
  size_t kw = lr_model_kw(m);
  for (size_t c = 0; c < kw; c++) m->b[c] = b_raw ? b_raw[c] : 0.0;
  for (size_t j = 0; j < m->d; j++)
    for (size_t c = 0; c < kw; c++) {
      m->w[j * kw + c] = w_raw[j * kw + c] * m->std[j];
      m->b[c] += w_raw[j * kw + c] * m->mean[j];
    }
}

void logreg_model_free(logreg_model *m) {
  if (!m) return;
  lr_free_strings(m->class_names, m->k);
  if (m->feature_name_block) {
    free(m->feature_name_block);
    free(m->feature_names);
  } else {
    lr_free_strings(m->feature_names, m->d);
  }
  if (m->feature_categories) lr_free_strings(m->feature_categories, m->d);
  if (m->feature_sources) lr_free_strings(m->feature_sources, m->d);
  free(m->median);
  free(m->mean);
  free(m->std);
  free(m->w);
  free(m->b);
  free(m->options.optimizer);
  free(m->options.device);
  free(m->options.format);
  free(m->options.target_name);
  free(m->options.feature_columns);
  lr_free_strings(m->options.na_values, m->options.n_na);
  free(m);
}

size_t logreg_model_features(const logreg_model *m) { return m ? m->d : 0; }
size_t logreg_model_classes(const logreg_model *m) { return m ? m->k : 0; }
int logreg_model_binary(const logreg_model *m) { return m ? m->binary : 0; }
int logreg_model_iterations(const logreg_model *m) { return m ? m->options.epochs_run : 0; }
size_t logreg_model_weight_columns(const logreg_model *m) { return m ? lr_model_kw(m) : 0; }

void logreg_model_raw_weights(const logreg_model *m, double *w_raw, double *b_raw) {
  if (m && w_raw && b_raw) lr_model_raw_weights(m, w_raw, b_raw);
}

void logreg_model_weights(const logreg_model *m, double *w, double *b) {
  if (!m || !w || !b) return;
  size_t kw = lr_model_kw(m);
  memcpy(w, m->w, m->d * kw * sizeof *w);
  memcpy(b, m->b, kw * sizeof *b);
}

const char *logreg_model_class_name(const logreg_model *m, size_t k) {
  if (!m || k >= m->k || !m->class_names) return NULL;
  return m->class_names[k];
}

const char *logreg_model_feature_name(const logreg_model *m, size_t j) {
  if (!m || j >= m->d || !m->feature_names) return NULL;
  return m->feature_names[j];
}

const char *const *logreg_model_class_names(const logreg_model *m) {
  return m ? (const char *const *)m->class_names : NULL;
}

const char *const *logreg_model_feature_names(const logreg_model *m) {
  return m ? (const char *const *)m->feature_names : NULL;
}

size_t logreg_model_source_columns(const logreg_model *m) { return m ? m->options.n_columns : 0; }
const size_t *logreg_model_feature_columns(const logreg_model *m) {
  return m ? m->options.feature_columns : NULL;
}
long logreg_model_target_column(const logreg_model *m) { return m ? m->options.target_column : -1; }
const char *logreg_model_target_name(const logreg_model *m) {
  return m ? m->options.target_name : NULL;
}
int logreg_model_delimiter(const logreg_model *m) { return m ? m->options.delimiter : 0; }
int logreg_model_header(const logreg_model *m) { return m ? m->options.header : 0; }

const char *const *logreg_model_na_values(const logreg_model *m, size_t *n) {
  if (m && m->options.na_values) {
    if (n) *n = m->options.n_na;
    return (const char *const *)m->options.na_values;
  }
  /* Models saved before the markers were kept read with the set of that time. */
  if (n) *n = lr_na_legacy_n;
  return lr_na_legacy;
}
int logreg_model_decimal(const logreg_model *m) {
  return m && m->options.decimal ? m->options.decimal : '.';
}

const char *const *logreg_model_feature_sources(const logreg_model *m) {
  if (!m) return NULL;
  return (const char *const *)(m->feature_sources ? m->feature_sources : m->feature_names);
}
const char *const *logreg_model_feature_categories(const logreg_model *m) {
  return m ? (const char *const *)m->feature_categories : NULL;
}

logreg_status logreg_model_set_metrics(logreg_model *m, const char *split, double loss,
                                       double accuracy, size_t rows, logreg_error *err) {
  lr_error_clear(err);
  if (!m || !split)
    return lr_fail(err, LOGREG_EINVAL, "logreg_model_set_metrics: no %s", m ? "split" : "model");
  lr_split_metrics *s;
  if (strcmp(split, "train") == 0)
    s = &m->train;
  else if (strcmp(split, "val") == 0)
    s = &m->val;
  else if (strcmp(split, "test") == 0)
    s = &m->test;
  else
    return lr_fail(err, LOGREG_EINVAL, "'split' \"%s\" is not train, val or test", split);
  s->present = 1;
  s->loss = loss;
  s->accuracy = accuracy;
  s->rows = rows;
  return LOGREG_OK;
}

const char *lr_scale_name(logreg_scale s) {
  return s == LOGREG_SCALE_MAXABS ? "maxabs" : s == LOGREG_SCALE_NONE ? "none" : "std";
}

int lr_scale_parse(const char *name, logreg_scale *out) {
  static const logreg_scale all[] = {LOGREG_SCALE_STD, LOGREG_SCALE_MAXABS, LOGREG_SCALE_NONE};
  for (size_t i = 0; i < 3; i++)
    if (strcmp(name, lr_scale_name(all[i])) == 0) {
      *out = all[i];
      return 0;
    }
  return -1;
}
