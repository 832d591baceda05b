/* test_dataset.c: the dataset handle without files: read options defaults, construction from
 * arrays, accessors, label encoding (sorted string / numeric order, a model's classes), row
 * subsets, and the helpers the readers share (format by name, value parsing). */
#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/dataset.h"
#include "data/readers.h"
#include "data/source.h"
#include "logreg.h"

static void test_options_init(void) {
  logreg_read_options o;
  memset(&o, 0x5a, sizeof o);
  logreg_read_options_init(&o);
  CHECK(o.format == LOGREG_FORMAT_AUTO);
  CHECK(o.header == 1);
  CHECK(o.target == NULL && o.drop == NULL && o.labels == NULL);
  CHECK(o.target_optional == 0);
  CHECK(o.feature_names == NULL && o.feature_columns == NULL && o.class_names == NULL);
  CHECK(o.n_features == 0 && o.n_columns == 0 && o.n_classes == 0);
}

static void test_from_arrays(void) {
  const float x[6] = {1, 2, 3, NAN, 5, 6};
  const int32_t y[3] = {0, 1, 0};
  const char *classes[2] = {"no", "yes"};
  const char *features[2] = {"a", "b"};
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_from_arrays(3, 2, x, y, 2, classes, features, &ds, &err) == LOGREG_OK);
  CHECK(ds != NULL);
  if (ds) {
    CHECK(logreg_dataset_rows(ds) == 3);
    CHECK(logreg_dataset_features(ds) == 2);
    CHECK(logreg_dataset_classes(ds) == 2);
    CHECK(logreg_dataset_x(ds) != x); /* copied */
    CHECK(logreg_dataset_x(ds)[4] == 5.0f);
    CHECK(isnan(logreg_dataset_x(ds)[3]));
    CHECK(logreg_dataset_missing(ds) == 1);
    CHECK(logreg_dataset_y(ds)[1] == 1);
    CHECK(strcmp(logreg_dataset_class_name(ds, 1), "yes") == 0);
    CHECK(strcmp(logreg_dataset_feature_name(ds, 0), "a") == 0);
    CHECK(logreg_dataset_class_name(ds, 2) == NULL);
    CHECK(logreg_dataset_feature_name(ds, 2) == NULL);
    CHECK(ds->target_column == -1 && ds->feature_columns == NULL && ds->n_columns == 2);
  }
  logreg_dataset_free(ds);

  /* Default names; unlabelled. */
  ds = NULL;
  CHECK(logreg_dataset_from_arrays(3, 2, x, NULL, 0, NULL, NULL, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(logreg_dataset_y(ds) == NULL);
    CHECK(logreg_dataset_classes(ds) == 0);
    CHECK(logreg_dataset_class_name(ds, 0) == NULL);
    CHECK(strcmp(logreg_dataset_feature_name(ds, 1), "x1") == 0);
  }
  logreg_dataset_free(ds);
  ds = NULL;
  CHECK(logreg_dataset_from_arrays(3, 2, x, y, 2, NULL, NULL, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(strcmp(logreg_dataset_class_name(ds, 0), "0") == 0);
    CHECK(strcmp(logreg_dataset_class_name(ds, 1), "1") == 0);
  }
  logreg_dataset_free(ds);

  /* Bad arguments. */
  const int32_t bad_y[3] = {0, 2, 0};
  ds = (logreg_dataset *)1;
  CHECK(logreg_dataset_from_arrays(3, 2, x, bad_y, 2, NULL, NULL, &ds, &err) == LOGREG_EINVAL);
  CHECK(ds == NULL);
  CHECK_STR_CONTAINS(err.message, "label 2 of row 1 is outside 0..1");
  CHECK(logreg_dataset_from_arrays(3, 2, x, y, 0, NULL, NULL, &ds, &err) == LOGREG_EINVAL);
  CHECK(logreg_dataset_from_arrays(3, 2, NULL, y, 2, NULL, NULL, &ds, &err) == LOGREG_EINVAL);
  CHECK(logreg_dataset_from_arrays(3, 0, x, y, 2, NULL, NULL, &ds, &err) == LOGREG_EINVAL);

  /* NULL handles are harmless. */
  logreg_dataset_free(NULL);
  CHECK(logreg_dataset_rows(NULL) == 0);
  CHECK(logreg_dataset_class_name(NULL, 0) == NULL);
}

/* A dataset of n rows with the given labels encoded. */
static logreg_dataset *encoded(char **labels, size_t n, const char *const *classes, size_t nc,
                               int *rc, size_t *bad) {
  logreg_dataset *ds = lr_dataset_alloc(n, 1, 1);
  CHECK(ds != NULL);
  if (!ds) return NULL;
  *rc = lr_encode_labels(ds, labels, classes, nc, bad);
  return ds;
}

static void test_encode_labels(void) {
  int rc;
  size_t bad = 99;
  /* Strings: bytewise order, whatever order they come in. */
  char *s[] = {"malignant", "benign", "malignant", "Benign"};
  logreg_dataset *ds = encoded(s, 4, NULL, 0, &rc, &bad);
  CHECK(rc == 0);
  if (ds) {
    CHECK(ds->k == 3);
    CHECK(strcmp(ds->class_names[0], "Benign") == 0);
    CHECK(strcmp(ds->class_names[1], "benign") == 0);
    CHECK(strcmp(ds->class_names[2], "malignant") == 0);
    CHECK(ds->y[0] == 2 && ds->y[1] == 1 && ds->y[2] == 2 && ds->y[3] == 0);
  }
  logreg_dataset_free(ds);

  /* Numbers: numeric order ("10" after "9"); "2" and "2.0" are one class named as first seen. */
  char *num[] = {"10", "9", "2.0", "-1", "2", "9"};
  ds = encoded(num, 6, NULL, 0, &rc, &bad);
  CHECK(rc == 0);
  if (ds) {
    CHECK(ds->k == 4);
    CHECK(strcmp(ds->class_names[0], "-1") == 0);
    CHECK(strcmp(ds->class_names[1], "2.0") == 0);
    CHECK(strcmp(ds->class_names[2], "9") == 0);
    CHECK(strcmp(ds->class_names[3], "10") == 0);
    CHECK(ds->y[0] == 3 && ds->y[1] == 2 && ds->y[2] == 1 && ds->y[3] == 0 && ds->y[4] == 1);
  }
  logreg_dataset_free(ds);

  /* One non-number makes the whole set strings: "10" < "9" < "x" bytewise. */
  char *mixed[] = {"9", "x", "10"};
  ds = encoded(mixed, 3, NULL, 0, &rc, &bad);
  CHECK(rc == 0);
  if (ds) {
    CHECK(ds->k == 3);
    CHECK(strcmp(ds->class_names[0], "10") == 0 && strcmp(ds->class_names[2], "x") == 0);
  }
  logreg_dataset_free(ds);

  /* A model's classes: same string, or same number; the model's order and names are kept,
   * also for classes absent from the data. */
  const char *model[] = {"4", "2", "unused"};
  char *lab[] = {"2", "4.0", "2", "4"};
  ds = encoded(lab, 4, model, 3, &rc, &bad);
  CHECK(rc == 0);
  if (ds) {
    CHECK(ds->k == 3);
    CHECK(ds->y[0] == 1 && ds->y[1] == 0 && ds->y[2] == 1 && ds->y[3] == 0);
    CHECK(strcmp(ds->class_names[0], "4") == 0 && strcmp(ds->class_names[2], "unused") == 0);
  }
  logreg_dataset_free(ds);

  /* Unknown labels: the first such row is reported. */
  char *unk[] = {"2", "zz", "3", "zz"};
  ds = encoded(unk, 4, model, 3, &rc, &bad);
  CHECK(rc == 1);
  CHECK(bad == 1);
  logreg_dataset_free(ds);

  /* No rows: no classes. */
  ds = encoded(NULL, 0, NULL, 0, &rc, &bad);
  CHECK(rc == 0);
  if (ds) CHECK(ds->k == 0);
  logreg_dataset_free(ds);
}

static void test_subset(void) {
  const float x[8] = {0, 1, 10, NAN, 20, 21, NAN, 31};
  const int32_t y[4] = {0, 1, 0, 1};
  const char *features[2] = {"a", "b"};
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_from_arrays(4, 2, x, y, 2, NULL, features, &ds, &err) == LOGREG_OK);
  if (!ds) return;
  CHECK(ds->missing == 2);
  ds->w = malloc(4 * sizeof(float));
  ds->feature_columns = malloc(2 * sizeof(size_t));
  CHECK(ds->w && ds->feature_columns);
  if (!ds->w || !ds->feature_columns) {
    logreg_dataset_free(ds);
    return;
  }
  for (int i = 0; i < 4; i++) ds->w[i] = (float)(i + 1);
  ds->feature_columns[0] = 3;
  ds->feature_columns[1] = 1;
  ds->n_columns = 5;
  ds->target_column = 4;

  const size_t idx[3] = {3, 0, 3};
  logreg_dataset *sub = lr_dataset_subset(ds, idx, 3);
  CHECK(sub != NULL);
  if (sub) {
    CHECK(sub->n == 3 && sub->d == 2 && sub->k == 2);
    CHECK(isnan(sub->x[0]) && sub->x[1] == 31.0f && sub->x[2] == 0.0f && sub->x[3] == 1.0f);
    CHECK(sub->y[0] == 1 && sub->y[1] == 0 && sub->y[2] == 1);
    CHECK(sub->w && sub->w[0] == 4.0f && sub->w[1] == 1.0f);
    CHECK(sub->missing == 2); /* recounted: row 3 twice */
    CHECK(strcmp(sub->feature_names[1], "b") == 0);
    CHECK(strcmp(sub->class_names[1], "1") == 0);
    CHECK(sub->n_columns == 5 && sub->target_column == 4);
    CHECK(sub->feature_columns && sub->feature_columns[0] == 3 && sub->feature_columns[1] == 1);
    CHECK(sub->feature_columns != ds->feature_columns);
  }
  logreg_dataset_free(sub);

  /* An empty subset is a valid dataset. */
  sub = lr_dataset_subset(ds, idx, 0);
  CHECK(sub != NULL);
  if (sub) CHECK(sub->n == 0 && sub->d == 2 && sub->missing == 0);
  logreg_dataset_free(sub);

  const char *names[2] = {"neg", "pos"};
  CHECK(lr_dataset_set_classes(ds, 2, names) == 0);
  CHECK(strcmp(logreg_dataset_class_name(ds, 1), "pos") == 0);
  logreg_dataset_free(ds);
}

static void test_format_from_path(void) {
  CHECK(lr_format_from_path("a/b/data.csv") == LOGREG_FORMAT_CSV);
  CHECK(lr_format_from_path("data.csv.gz") == LOGREG_FORMAT_CSV);
  CHECK(lr_format_from_path("data.txt") == LOGREG_FORMAT_CSV);
  CHECK(lr_format_from_path("breast-cancer-wisconsin.data") == LOGREG_FORMAT_CSV);
  CHECK(lr_format_from_path("a9a.svm") == LOGREG_FORMAT_LIBSVM);
  CHECK(lr_format_from_path("x.LIBSVM") == LOGREG_FORMAT_LIBSVM);
  CHECK(lr_format_from_path("x.svmlight.gz") == LOGREG_FORMAT_LIBSVM);
  CHECK(lr_format_from_path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") ==
        LOGREG_FORMAT_IDX);
  CHECK(lr_format_from_path("train-labels-idx1-ubyte") == LOGREG_FORMAT_IDX);
  CHECK(lr_format_from_path("train-images.idx3-ubyte") == LOGREG_FORMAT_IDX);
  CHECK(lr_format_from_path("images.idx") == LOGREG_FORMAT_IDX);
  CHECK(lr_format_from_path("images.idx.gz") == LOGREG_FORMAT_IDX);
  /* Only the base name counts. */
  CHECK(lr_format_from_path("x-ubyte/data.csv") == LOGREG_FORMAT_CSV);
  CHECK(lr_format_from_path("data.svm/data.csv") == LOGREG_FORMAT_CSV);
}

static void test_parse_value(void) {
  /* The fast path must agree with strtod rounded to float. */
  const char *ok[] = {"0",
                      "-0",
                      "1",
                      "255",
                      "3.14159",
                      "-2.5",
                      "+7",
                      "0.1",
                      ".5",
                      "5.",
                      "1e3",
                      "1.5E-3",
                      "  42  ",
                      "123456789012345",
                      "1234567890123456789",
                      "0.30000000000000004",
                      "13.472968615888936",
                      "3.4028234e38",
                      "1e-50",
                      "0x10"};
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    float v = -1;
    int r = lr_parse_value(ok[i], &v);
    CHECK(r == 0);
    float want = (float)strtod(ok[i], NULL);
    if (v != want) fprintf(stderr, "value %s: got %.9g want %.9g\n", ok[i], v, want);
    CHECK(v == want);
  }
  float v;
  CHECK(lr_parse_value("", &v) == -1);
  CHECK(lr_parse_value("abc", &v) == -1);
  CHECK(lr_parse_value("1.2.3", &v) == -1);
  CHECK(lr_parse_value("-", &v) == -1);
  CHECK(lr_parse_value("1,5", &v) == -1);
  CHECK(lr_parse_value("nan", &v) == -2);
  CHECK(lr_parse_value("NaN", &v) == -2);
  CHECK(lr_parse_value("-Infinity", &v) == -2);
  CHECK(lr_parse_value("inf", &v) == -2);
  CHECK(lr_parse_value("1e39", &v) == -3);
  CHECK(lr_parse_value("-1e400", &v) == -3);
  /* A decimal comma: the one ',' is the point; a '.' is then no part of a number. */
  CHECK(lr_parse_value_mark("32,5", ',', &v) == 0 && v == 32.5f);
  CHECK(lr_parse_value_mark("-1,5e3", ',', &v) == 0 && v == -1500.0f);
  CHECK(lr_parse_value_mark("7", ',', &v) == 0 && v == 7.0f);
  CHECK(lr_parse_value_mark("1.5", ',', &v) == -1);
  CHECK(lr_parse_value_mark("1,2,3", ',', &v) == -1);
  CHECK(lr_parse_value_mark("1,5", '.', &v) == -1);
  CHECK(lr_parse_value_mark("1.5", '.', &v) == 0 && v == 1.5f);
}

static void test_read_args(void) {
  logreg_error err;
  logreg_dataset *ds = (logreg_dataset *)1;
  CHECK(logreg_dataset_read("/nonexistent/dir/x.csv", NULL, &ds, &err) == LOGREG_EIO);
  CHECK(ds == NULL);
  CHECK_STR_CONTAINS(err.message, "/nonexistent/dir/x.csv: cannot open: No such file or directory");
  CHECK(logreg_dataset_read("x.csv", NULL, NULL, &err) == LOGREG_EINVAL);
  CHECK(logreg_dataset_read(NULL, NULL, &ds, &err) == LOGREG_EINVAL);
  logreg_read_options o;
  logreg_read_options_init(&o);
  o.format = (logreg_format)42;
  CHECK(logreg_dataset_read("x.csv", &o, &ds, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "unknown format 42");
  /* A directory opens but cannot be read. */
  CHECK(logreg_dataset_read("/", NULL, &ds, &err) == LOGREG_EIO);
  CHECK_STR_CONTAINS(err.message, "/: cannot read: Is a directory");
}

int main(void) {
  test_options_init();
  test_from_arrays();
  test_encode_labels();
  test_subset();
  test_format_from_path();
  test_parse_value();
  test_read_args();
  return check_report("test_dataset");
}
