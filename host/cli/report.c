/* report.c: the CLI's presentation of classification metrics: a table laid out like
 * scikit-learn's classification_report followed by the confusion matrix, and the `eval --json`
 * object. CLI code, so it may print, but only to the stream it is given. */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Widest class-name column in the table, and in the confusion matrix's columns: longer names
 * are cut so that one long name cannot push every number off screen. */
#define REPORT_NAME_MAX 24
#define REPORT_CELL_MAX 12
/* Beyond this many classes a confusion matrix is unreadable as text; --json still has it. */
#define REPORT_CONFUSION_MAX_CLASSES 30

/* Characters shown on a terminal for UTF-8 text: bytes that do not continue a sequence. */
static size_t text_width(const char *s) {
  size_t w = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80) w++;
  return w;
}

/* Prints `s` right-aligned in `width` characters, cut to width - 1 characters plus '~' when it
 * is longer (never inside a UTF-8 sequence). */
static void put_cell(FILE *out, const char *s, size_t width) {
  size_t w = text_width(s);
  if (w <= width) {
    fprintf(out, "%*s%s", (int)(width - w), "", s);
    return;
  }
  size_t keep = width ? width - 1 : 0, bytes = 0, chars = 0;
  while (s[bytes]) {
    if (((unsigned char)s[bytes] & 0xC0) != 0x80) {
      if (chars == keep) break;
      chars++;
    }
    bytes++;
  }
  fprintf(out, "%.*s~", (int)bytes, s);
}

/* The name of class c: from `names`, or its index when there are none. */
static const char *class_name(const char *const *names, size_t c, char *buf, size_t cap) {
  if (names && names[c]) return names[c];
  snprintf(buf, cap, "%zu", c);
  return buf;
}

static size_t digits(size_t v) {
  size_t d = 1;
  while (v >= 10) v /= 10, d++;
  return d;
}

/* "0.9812", or why there is no number: a class absent from the data (or the only one present)
 * leaves its one-vs-rest scores undefined. */
static const char *score_text(double v, char *buf, size_t cap) {
  if (isnan(v))
    snprintf(buf, cap, "n/a");
  else
    snprintf(buf, cap, "%.4f", v);
  return buf;
}

/* The scores of the probabilities under the table: log loss, Brier, ROC AUC and average
 * precision (the positive class's for two classes; macro and weighted one-vs-rest beyond). */
static void report_scores(FILE *out, const logreg_metrics *m, const char *const *class_names) {
  char a[32], b[32], n0[32], n1[32];
  fprintf(out, "%-18s %s\n", "log loss", score_text(m->log_loss, a, sizeof a));
  if (m->k == 2) {
    const char *pos = class_name(class_names, 1, n1, sizeof n1);
    fprintf(out, "%-18s %s\n", "Brier score", score_text(m->brier, a, sizeof a));
    fprintf(out, "%-18s %s  (%s against %s)\n", "ROC AUC", score_text(m->roc_auc, a, sizeof a), pos,
            class_name(class_names, 0, n0, sizeof n0));
    fprintf(out, "%-18s %s  (%s)\n", "average precision",
            score_text(m->average_precision, a, sizeof a), pos);
    return;
  }
  fprintf(out, "%-18s %s  (summed over the %zu classes)\n", "Brier score",
          score_text(m->brier, a, sizeof a), m->k);
  fprintf(out, "%-18s %s macro, %s weighted  (each class against the rest)\n", "ROC AUC",
          score_text(m->roc_auc_macro, a, sizeof a), score_text(m->roc_auc_weighted, b, sizeof b));
  fprintf(out, "%-18s %s macro, %s weighted\n", "average precision",
          score_text(m->average_precision_macro, a, sizeof a),
          score_text(m->average_precision_weighted, b, sizeof b));
}

void report_metrics_table(FILE *out, const logreg_metrics *m, const char *const *class_names) {
  if (!out || !m || !m->per_class || !m->confusion) return;
  char buf[32];
  size_t name_w = strlen("weighted avg");
  for (size_t c = 0; c < m->k; c++) {
    size_t w = text_width(class_name(class_names, c, buf, sizeof buf));
    if (w > name_w) name_w = w;
  }
  if (name_w > REPORT_NAME_MAX) name_w = REPORT_NAME_MAX;

  fprintf(out, "%*s  %9s %9s %9s %9s\n\n", (int)name_w, "", "precision", "recall", "f1-score",
          "support");
  for (size_t c = 0; c < m->k; c++) {
    const logreg_class_metrics *pc = &m->per_class[c];
    put_cell(out, class_name(class_names, c, buf, sizeof buf), name_w);
    fprintf(out, "  %9.4f %9.4f %9.4f %9zu\n", pc->precision, pc->recall, pc->f1, pc->support);
  }
  fputc('\n', out);
  put_cell(out, "accuracy", name_w);
  fprintf(out, "  %9s %9s %9.4f %9zu\n", "", "", m->accuracy, m->n);
  put_cell(out, "macro avg", name_w);
  fprintf(out, "  %9.4f %9.4f %9.4f %9zu\n", m->macro.precision, m->macro.recall, m->macro.f1,
          m->macro.support);
  put_cell(out, "weighted avg", name_w);
  fprintf(out, "  %9.4f %9.4f %9.4f %9zu\n", m->weighted.precision, m->weighted.recall,
          m->weighted.f1, m->weighted.support);

  fputc('\n', out);
  report_scores(out, m, class_names);
  fputc('\n', out);
  if (m->k > REPORT_CONFUSION_MAX_CLASSES) {
    fprintf(out, "Confusion matrix: %zu classes, too many to show here (see --json)\n", m->k);
    return;
  }
  /* Column width: the longest count, or the longest (cut) class name when that is wider. */
  size_t maxv = 0;
  for (size_t i = 0; i < m->k * m->k; i++)
    if (m->confusion[i] > maxv) maxv = m->confusion[i];
  size_t cell_w = digits(maxv);
  for (size_t c = 0; c < m->k; c++) {
    size_t w = text_width(class_name(class_names, c, buf, sizeof buf));
    if (w > REPORT_CELL_MAX) w = REPORT_CELL_MAX;
    if (w > cell_w) cell_w = w;
  }
  size_t row_w = name_w > strlen("true \\ pred") ? name_w : strlen("true \\ pred");
  fprintf(out, "Confusion matrix (rows: true class, columns: predicted class)\n");
  put_cell(out, "true \\ pred", row_w);
  for (size_t c = 0; c < m->k; c++) {
    fputs("  ", out);
    put_cell(out, class_name(class_names, c, buf, sizeof buf), cell_w);
  }
  fputc('\n', out);
  for (size_t t = 0; t < m->k; t++) {
    put_cell(out, class_name(class_names, t, buf, sizeof buf), row_w);
    for (size_t c = 0; c < m->k; c++)
      fprintf(out, "  %*zu", (int)cell_w, m->confusion[t * m->k + c]);
    fputc('\n', out);
  }
}

/* Adds `item` to `parent` (under `key`, or appended when `key` is NULL); deletes it when that
 * fails. 0 when `item` is NULL (a failed create) or adding failed. */
static int put(cJSON *parent, const char *key, cJSON *item) {
  if (!item) return 0;
  if (key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item)) return 1;
  cJSON_Delete(item);
  return 0;
}

/* A number, or null where it is undefined (NaN): JSON has no NaN. */
static cJSON *number_or_null(double v) {
  return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v);
}

/* {precision, recall, f1, support, roc_auc, average_precision}: a class's (its scores against
 * the rest) or an average's. */
static cJSON *class_json(const logreg_class_metrics *c, double roc_auc, double average_precision) {
  cJSON *o = cJSON_CreateObject();
  int ok = o && cJSON_AddNumberToObject(o, "precision", c->precision) &&
           cJSON_AddNumberToObject(o, "recall", c->recall) &&
           cJSON_AddNumberToObject(o, "f1", c->f1) &&
           cJSON_AddNumberToObject(o, "support", (double)c->support) &&
           put(o, "roc_auc", number_or_null(roc_auc)) &&
           put(o, "average_precision", number_or_null(average_precision));
  if (!ok) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

cJSON *report_metrics_json(const logreg_metrics *m, const char *const *class_names) {
  if (!m || !m->per_class || !m->confusion || !m->class_roc_auc || !m->class_average_precision)
    return NULL;
  cJSON *root = cJSON_CreateObject();
  if (!root) return NULL;
  cJSON *cm = NULL, *labels = NULL, *per = NULL;
  char buf[32];
  /* Each container goes into root as soon as it exists, so deleting root frees everything. */
  int ok = cJSON_AddNumberToObject(root, "accuracy", m->accuracy) &&
           cJSON_AddNumberToObject(root, "log_loss", m->log_loss) &&
           put(root, "roc_auc", number_or_null(m->roc_auc)) &&
           put(root, "average_precision", number_or_null(m->average_precision)) &&
           cJSON_AddNumberToObject(root, "brier_score", m->brier) &&
           (cm = cJSON_AddArrayToObject(root, "confusion_matrix")) &&
           (labels = cJSON_AddArrayToObject(root, "confusion_matrix_labels")) &&
           (per = cJSON_AddObjectToObject(root, "per_class"));
  for (size_t t = 0; ok && t < m->k; t++) {
    cJSON *row = cJSON_CreateArray();
    ok = put(cm, NULL, row) &&
         put(labels, NULL, cJSON_CreateString(class_name(class_names, t, buf, sizeof buf)));
    for (size_t c = 0; ok && c < m->k; c++)
      ok = put(row, NULL, cJSON_CreateNumber((double)m->confusion[t * m->k + c]));
  }
  for (size_t c = 0; ok && c < m->k; c++)
    ok = put(per, class_name(class_names, c, buf, sizeof buf),
             class_json(&m->per_class[c], m->class_roc_auc[c], m->class_average_precision[c]));
  ok =
      ok && put(root, "macro", class_json(&m->macro, m->roc_auc_macro, m->average_precision_macro));
  ok = ok && put(root, "weighted",
                 class_json(&m->weighted, m->roc_auc_weighted, m->average_precision_weighted));
  if (!ok) {
    cJSON_Delete(root);
    return NULL;
  }
  return root;
}

char *report_json_print(const cJSON *obj) { return logreg_json_print(obj, 0); }

int report_json_puts(cJSON *obj) {
  char *s = obj ? report_json_print(obj) : NULL;
  cJSON_Delete(obj);
  if (!s) return -1;
  puts(s);
  free(s);
  return 0;
}

const char *report_path_text(const logreg_path_choice *pc, char *buf, size_t cap) {
  if (!cap) return buf;
  buf[0] = '\0';
  if (!pc->path[0]) return buf;
  size_t len = (size_t)snprintf(buf, cap, "%s (%s", pc->path, pc->how);
  for (int i = 0; i < pc->count && len < cap; i++) {
    if (isnan(pc->ms[i]))
      len += (size_t)snprintf(buf + len, cap - len, "%s%s fails", i ? ", " : ": ", pc->names[i]);
    else
      len += (size_t)snprintf(buf + len, cap - len, "%s%s %.3g ms", i ? ", " : ": ", pc->names[i],
                              pc->ms[i]);
  }
  if (len < cap) snprintf(buf + len, cap - len, "%s)", pc->count ? " per evaluation" : "");
  return buf;
}

void report_path_json(cJSON *o, const logreg_path_choice *pc) {
  if (!pc->path[0]) {
    cJSON_AddNullToObject(o, "gemm");
    return;
  }
  cJSON *g = cJSON_AddObjectToObject(o, "gemm");
  if (!g) return;
  cJSON_AddStringToObject(g, "path", pc->path);
  cJSON_AddStringToObject(g, "chosen_by", pc->how);
  cJSON *ms = cJSON_AddObjectToObject(g, "ms_per_evaluation");
  for (int i = 0; ms && i < pc->count; i++) {
    if (isnan(pc->ms[i]))
      cJSON_AddNullToObject(ms, pc->names[i]);
    else
      cJSON_AddNumberToObject(ms, pc->names[i], pc->ms[i]);
  }
}
