/* show.h: the inference statistics as `logreg show --stats` and `train --stats` print them
 * (cmd_show.c): computed by logreg_model_stats, laid out like statsmodels' summary() table, or
 * as a JSON object for --json. */
#ifndef LOGREG_CLI_SHOW_H
#define LOGREG_CLI_SHOW_H

#include <stdio.h>

#include <cJSON.h>

#include "logreg.h"

/* Model m's statistics on the rows of `ds` (read from `data`) into *s; 0, or the exit status
 * after printing the error. *s is to be freed with logreg_stats_free either way. */
int show_stats_compute(const logreg_model *m, const logreg_dataset *ds, logreg_stats *s);

/* The statistics as text: a header naming `data` and the rows, then the verdict's message
 * (nothing else) when they are not valid, else the log-likelihoods and one table per
 * coefficient vector. */
void show_stats_text(FILE *f, const logreg_model *m, const logreg_stats *s, const char *data);

/* {"data", "rows", "rows_used", "valid", "verdict", "message", "involved", "reference_class",
 * "reference_categories", "log_likelihood", "ll_null", "pseudo_r2", "llr_p_value", "df_model",
 * "max_gradient", "table": [{"class", "term", "coef", "std_err", "z", "p_value", "ci_low",
 * "ci_high" (, "odds_ratio" for a binary model)}] or null}; NULL when out of memory. */
cJSON *show_stats_json(const logreg_model *m, const logreg_stats *s, const char *data);

#endif
