/* report.h: how the CLI shows classification metrics (`eval`, and `train` after training):
 * a readable table like scikit-learn's classification_report, or the JSON object of
 * DESIGN.md §4 `eval --json`, printed with numbers that read back bit-exact. */
#ifndef LOGREG_CLI_REPORT_H
#define LOGREG_CLI_REPORT_H

#include <stdio.h>

#include <cJSON.h>

#include "logreg.h"
#include "logreg_util.h"

/* Writes the per-class table (precision, recall, f1-score, support with 4 decimals), accuracy,
 * the macro and weighted averages, the scores of the probabilities (log loss, Brier score, ROC
 * AUC and average precision: the positive class's for two classes, else macro and weighted one
 * class against the rest) and the confusion matrix (rows = true class) to `out`.
 * `class_names` has m->k entries or is NULL (classes are then shown by index). Long names are
 * truncated with '~' to keep the columns aligned. */
void report_metrics_table(FILE *out, const logreg_metrics *m, const char *const *class_names);

/* {"accuracy","log_loss","roc_auc","average_precision","brier_score","confusion_matrix":[[...]],
 * "confusion_matrix_labels":[names of its rows and columns],"per_class":{name:{precision,recall,
 * f1,support,roc_auc,average_precision}},"macro":{...},"weighted":{...}}; an undefined score
 * (logreg_metrics) is null. Caller frees with cJSON_Delete. NULL when out of memory. */
cJSON *report_metrics_json(const logreg_metrics *m, const char *const *class_names);

/* Compact JSON text of `obj`, numbers in their shortest exact form. malloc'd (free with free());
 * NULL when out of memory. */
char *report_json_print(const cJSON *obj);

/* Prints `obj` (compact, one line) on stdout and deletes it. Returns 0, or -1 when `obj` is NULL
 * or printing ran out of memory. */
int report_json_puts(cJSON *obj);

/* The OpenCL evaluation path of a run: "tiled (measured ms per evaluation: tiled 0.41, fused
 * 25.6*, ...)" into buf; "" when there is none (the cpu backend). */
const char *report_path_text(const logreg_path_choice *pc, char *buf, size_t cap);

/* {"path","chosen_by","ms_per_evaluation":{name: ms or null}} added to `o` under "gemm" (null
 * when there is no path: the cpu backend). */
void report_path_json(cJSON *o, const logreg_path_choice *pc);

#endif
