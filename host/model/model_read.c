/* model_read.c: reading data for a model (logreg_dataset_read_for_model): the model keeps where
 * its features came from (their source columns, categories, the label column, the training
 * file's delimiter and header, how its values were read: the missing markers and the decimal
 * mark), and hands that to the reader, so that a caller does not copy
 * the model's accessors into the read options. */
#include "data/dataset.h"
#include "logreg.h"
#include "model/model.h"
#include "util/util.h"

logreg_status logreg_dataset_read_for_model(const char *path, const logreg_model *m,
                                            const logreg_read_options *options,
                                            logreg_dataset **out, logreg_error *err) {
  lr_error_clear(err);
  *out = NULL;
  logreg_read_options ro;
  if (options)
    ro = *options;
  else
    logreg_read_options_init(&ro);
  size_t d = logreg_model_features(m);
  /* The labels: optional for prediction; when they are to be read, in the model's classes. */
  if (!ro.target_optional) {
    ro.class_names = logreg_model_class_names(m);
    ro.n_classes = logreg_model_classes(m);
  }
  int delimiter = logreg_model_delimiter(m);
  size_t n_na;
  const char *const *na = logreg_model_na_values(m, &n_na);
  const lr_layout lay = {d,
                         logreg_model_feature_sources(m),
                         logreg_model_feature_categories(m),
                         logreg_model_feature_columns(m),
                         logreg_model_source_columns(m),
                         logreg_model_target_name(m),
                         logreg_model_target_column(m),
                         (char)delimiter,
                         logreg_model_header(m),
                         na,
                         n_na,
                         (char)logreg_model_decimal(m)};
  logreg_dataset *ds;
  logreg_status st = lr_read_like(path, &lay, &ro, &ds, err);
  if (st) return st;
  if (ds->d != d) {
    logreg_status bad =
        lr_fail(err, LOGREG_EINVAL, "%s: %zu features, but the model expects %zu", path, ds->d, d);
    logreg_dataset_free(ds);
    return bad;
  }
  if (!ro.target_optional && !ds->y) {
    logreg_dataset_free(ds);
    return lr_fail(err, LOGREG_EINVAL,
                   "%s: no labels to evaluate against (see the target and labels read options)",
                   path);
  }
  *out = ds;
  return LOGREG_OK;
}
