/* test_csv_values.c: how the CSV reader reads values (issue 26): the missing markers (pandas'
 * default set and "?", na_values adding to it or "none" dropping it, a model's recorded set as
 * the base), rows without a label (skipped and counted, refused, or the label column not read
 * at all), a numeric column with a stray word (the error naming the line, the value and both ways
 * on, and the 5% rule's edges), and decimal marks (a decimal comma given, detected with ';', a
 * file that mixes both, a quoted decimal comma in a ',' file, the hint when reading for a model).
 * Exact messages, with their FILE:LINE:FIELD. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/dataset.h"
#include "data/na.h"
#include "logreg.h"

#define TMP_PREFIX "test_csv_values"

static logreg_status read_text(const char *name, const char *text, const logreg_read_options *opt,
                               logreg_dataset **ds, logreg_error *err) {
  return check_read_text(TMP_PREFIX, name, text, opt, ds, err);
}

#define EXPECT_ERROR(name, text, opt, status, needle)                                              \
  CHECK_READ_ERROR(TMP_PREFIX, name, text, opt, status, needle)

static logreg_read_options defaults(void) {
  logreg_read_options o;
  logreg_read_options_init(&o);
  return o;
}

/* A CSV "a,y" whose column a holds `values` (comma-free texts, one per row), labels alternating
 * x and y, into buf. */
static void column_file(char *buf, size_t cap, const char *const *values, size_t n) {
  size_t len = (size_t)snprintf(buf, cap, "a,y\n");
  for (size_t i = 0; i < n && len < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, "%s,%c\n", values[i], "xy"[i % 2]);
}

static void test_markers(void) {
  logreg_read_options o = defaults();
  logreg_dataset *ds = NULL;
  logreg_error err;
  /* Every default marker is missing in a numeric column (blanks around it trimmed); other case
   * spellings are not ("NONE" makes the column categorical). */
  char text[4096];
  size_t len = (size_t)snprintf(text, sizeof text, "a,b,y\n");
  for (size_t i = 0; i < lr_na_default_n; i++)
    len += (size_t)snprintf(text + len, sizeof text - len, "%zu, %s ,%c\n", i, lr_na_default[i],
                            "xy"[i % 2]);
  CHECK(lr_na_default_n == 20 && !strcmp(lr_na_default[0], "") && !strcmp(lr_na_default[19], "?"));
  CHECK(read_text("markers.csv", text, &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->n == 20 && ds->d == 2 && ds->missing == 20 && ds->n_categorical == 0);
    CHECK(ds->n_na == 20 && !strcmp(ds->na_values[0], "") && !strcmp(ds->na_values[5], "-1.#QNAN"));
    CHECK(ds->decimal == '.');
  }
  logreg_dataset_free(ds);
  CHECK(read_text("case.csv", "a,y\n1,x\nNONE,y\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n_categorical == 1 && ds->missing == 0);
  logreg_dataset_free(ds);

  /* na_values adds (a marker that is a number, "-999", is matched before parsing); "none" drops
   * the default set: only the empty field, and NaN is then a non-finite value again. */
  o.na_values = " -999 , unknown,,";
  CHECK(read_text("add.csv", "a,b,y\n-999,unknown,x\n-9990,n/a,y\n,3,x\n", &o, &ds, &err) ==
        LOGREG_OK);
  if (ds) {
    CHECK(ds->missing == 4 && isnan(ds->x[0]) && isnan(ds->x[1]) && ds->x[2] == -9990.0f);
    CHECK(ds->n_na == 22 && !strcmp(ds->na_values[20], "-999") &&
          !strcmp(ds->na_values[21], "unknown"));
  }
  logreg_dataset_free(ds);
  o.na_values = "none";
  EXPECT_ERROR("none.csv", "a,b,c\n1,NaN,x\n", &o, LOGREG_EPARSE,
               "none.csv:2:2: non-finite value \"NaN\" (column \"b\")");
  CHECK(read_text("none2.csv", "a,y\n1,x\nNA,y\n,x\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n_categorical == 1 && ds->n_na == 1 && ds->d == 3); /* a=, a=1, a=NA */
  logreg_dataset_free(ds);
  o.na_values = "none,-1";
  CHECK(read_text("none3.csv", "a,y\n1,x\n-1,y\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->missing == 1 && ds->n_na == 2 && !strcmp(ds->na_values[1], "-1"));
  logreg_dataset_free(ds);

  /* A model's set as the base (one saved before the sets were kept: "", "?", "NA"): "n/a" is a
   * category there, as it was; na_values still adds. */
  o = defaults();
  const char *src[2] = {"s", "s"}, *cat[2] = {"", "n/a"};
  o.feature_names = src;
  o.feature_categories = cat;
  o.n_features = 2;
  o.target_optional = 1;
  o.na_base = lr_na_legacy;
  o.n_na_base = lr_na_legacy_n;
  CHECK(read_text("base.csv", "s\nn/a\nNA\nnull\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    static const float x[6] = {0, 1, 1, 0, 0, 0}; /* null: unseen */
    for (size_t i = 0; i < 6 && ds->d == 2 && ds->n == 3; i++) CHECK(ds->x[i] == x[i]);
    CHECK(ds->unseen_rows == 1 && ds->n_na == 3);
  }
  logreg_dataset_free(ds);
  o.na_values = "null";
  CHECK(read_text("base2.csv", "s\nnull\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->x[0] == 1.0f && ds->x[1] == 0.0f && ds->unseen_rows == 0);
  logreg_dataset_free(ds);
}

static void test_missing_labels(void) {
  logreg_read_options o = defaults();
  logreg_dataset *ds = NULL;
  logreg_error err;
  const char *text = "a,vote\n1,yes\n2,\n3,no\n4,n/a\nbad,?\n5,yes\n";
  /* The default refuses; SKIP leaves the rows out whole (their fields unread: "bad" does not make
   * a categorical) and counts them. */
  EXPECT_ERROR("lab.csv", text, &o, LOGREG_EPARSE, "lab.csv:3:2: missing label (column \"vote\")");
  o.missing_label = LOGREG_MISSING_LABEL_SKIP;
  CHECK(read_text("lab2.csv", text, &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->n == 3 && ds->skipped == 3 && ds->k == 2 && ds->n_categorical == 0);
    CHECK(ds->x[0] == 1.0f && ds->x[1] == 3.0f && ds->x[2] == 5.0f);
    CHECK(ds->y[0] == 1 && ds->y[1] == 0 && ds->y[2] == 1);
    CHECK(logreg_dataset_skipped_rows(ds) == 3);
  }
  logreg_dataset_free(ds);
  EXPECT_ERROR("lab3.csv", "a,vote\n1,\n2,NA\n", &o, LOGREG_EPARSE,
               "lab3.csv: no data rows with a label: all 2 lack one (column \"vote\")");
  /* IGNORE (prediction): the label column is not read, empty or not. */
  const char *feat[1] = {"a"};
  o = defaults();
  o.feature_names = feat;
  o.n_features = 1;
  o.target_optional = 1;
  o.missing_label = LOGREG_MISSING_LABEL_IGNORE;
  CHECK(read_text("lab4.csv", "a,vote\n1,\n2,\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n == 2 && ds->y == NULL && ds->k == 0 && ds->skipped == 0);
  logreg_dataset_free(ds);
  /* Reading for a model's classes, SKIP too (eval). */
  const char *classes[2] = {"no", "yes"};
  o.missing_label = LOGREG_MISSING_LABEL_SKIP;
  o.target_optional = 0;
  o.class_names = classes;
  o.n_classes = 2;
  o.target = "vote";
  CHECK(read_text("lab5.csv", "vote,a\nyes,1\n,2\nno,3\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n == 2 && ds->skipped == 1 && ds->y[0] == 1 && ds->y[1] == 0);
  logreg_dataset_free(ds);
}

static void test_stray_words(void) {
  logreg_read_options o = defaults();
  logreg_dataset *ds = NULL;
  logreg_error err;
  const char *v[48];
  char num[48][8], buf[2048];
  for (int i = 0; i < 48; i++) {
    snprintf(num[i], sizeof num[i], "%d", 20 + i);
    v[i] = num[i];
  }
  /* 10 distinct numbers and one word: the error, at the word's line and field. */
  v[4] = "unknown";
  column_file(buf, sizeof buf, v, 11);
  EXPECT_ERROR("stray.csv", buf, &o, LOGREG_EPARSE,
               "stray.csv:6:1: column \"a\" holds numbers except \"unknown\" (1 of its 11 distinct "
               "values): if it means missing, pass 'na_values' unknown; if the column is "
               "categorical, pass 'categorical' a");
  /* 9 numbers and a word: too few numbers to judge, categorical as before. */
  column_file(buf, sizeof buf, v, 10);
  CHECK(read_text("stray2.csv", buf, &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n_categorical == 1 && ds->d == 10);
  logreg_dataset_free(ds);
  /* Either way on works. */
  column_file(buf, sizeof buf, v, 11);
  o.na_values = "unknown";
  CHECK(read_text("stray3.csv", buf, &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n_categorical == 0 && ds->missing == 1);
  logreg_dataset_free(ds);
  o.na_values = NULL;
  o.categorical = "a";
  CHECK(read_text("stray4.csv", buf, &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n_categorical == 1 && ds->d == 11);
  logreg_dataset_free(ds);
  o.categorical = NULL;
  /* Two odd values among 40 numbers (2 <= 5% of 42): the error lists both (sorted, shell-quoted
   * as one word) and names the first in the file. */
  v[4] = "-";
  v[30] = "n a";
  column_file(buf, sizeof buf, v, 42);
  EXPECT_ERROR("stray5.csv", buf, &o, LOGREG_EPARSE,
               "stray5.csv:6:1: column \"a\" holds numbers except 2 of its 42 distinct values, "
               "\"-\" here first: if they mean missing, pass 'na_values' '-,n a'; if the column "
               "is categorical, pass 'categorical' a");
  /* Two among 20 (over 5%): categorical. */
  v[15] = "n a";
  column_file(buf, sizeof buf, v, 22);
  CHECK(read_text("stray6.csv", buf, &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n_categorical == 1);
  logreg_dataset_free(ds);
  /* A column of words stays categorical. */
  CHECK(read_text("words.csv", "a,y\nred,x\nblue,y\n3,x\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n_categorical == 1 && ds->d == 3);
  logreg_dataset_free(ds);
  /* Without a header the column is named by index. */
  o.header = 0;
  v[4] = "oops";
  column_file(buf, sizeof buf, v, 11);
  EXPECT_ERROR("stray7.csv", buf + 4, &o, LOGREG_EPARSE,
               "stray7.csv:5:1: column 0 holds numbers except \"oops\" (1 of its 11 distinct "
               "values): if it means missing, pass 'na_values' oops; if the column is "
               "categorical, pass 'categorical' 0");
}

static void test_decimal(void) {
  logreg_read_options o = defaults();
  logreg_dataset *ds = NULL;
  logreg_error err;
  /* ';' file: decimal commas detected in numeric columns, read as numbers. */
  CHECK(read_text("dc.csv", "a;b;y\n32,5;1;x\n7;-0,25;y\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->decimal == ',' && ds->n_categorical == 0 && logreg_dataset_decimal(ds) == ',');
    CHECK(ds->x[0] == 32.5f && ds->x[1] == 1.0f && ds->x[2] == 7.0f && ds->x[3] == -0.25f);
  }
  logreg_dataset_free(ds);
  /* Integers only: '.'. */
  CHECK(read_text("dc2.csv", "a;y\n3;x\n4;y\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->decimal == '.');
  logreg_dataset_free(ds);
  /* Both marks in numeric columns: an error naming a field of each. */
  EXPECT_ERROR("dc3.csv", "a;b;y\n1;2,5;x\n1.5;3;y\n", &o, LOGREG_EPARSE,
               "dc3.csv:3:1: \"1.5\" (column \"a\") has a decimal point, but \"2,5\" at line 2 "
               "(column \"b\") a decimal comma: pass 'decimal' . or 'decimal' , to say which the "
               "file uses");
  /* In one column too (read comma-first once it has shown a comma). */
  EXPECT_ERROR("dc3b.csv", "a;y\n2,5;x\n7;x\n1.5;y\n", &o, LOGREG_EPARSE,
               "dc3b.csv:4:1: \"1.5\" (column \"a\") has a decimal point, but \"2,5\" at line 2 "
               "(column \"a\") a decimal comma");
  /* A text column with dots does not count against the commas. */
  CHECK(read_text("dc4.csv", "v;a;y\nv1.5;2,5;x\nbeta;3;y\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->decimal == ',' && ds->n_categorical == 1);
  logreg_dataset_free(ds);
  /* A stray word among decimal-comma numbers is a stray word. */
  char buf[1024];
  size_t len = (size_t)snprintf(buf, sizeof buf, "a;y\n");
  for (int i = 0; i < 12; i++)
    len += (size_t)snprintf(buf + len, sizeof buf - len, "%s;x\n", i == 3 ? "n.a." : "1,5");
  for (int i = 0; i < 12; i++) len += (size_t)snprintf(buf + len, sizeof buf - len, "%d,5;y\n", i);
  EXPECT_ERROR("dc5.csv", buf, &o, LOGREG_EPARSE,
               "dc5.csv:5:1: column \"a\" holds numbers except \"n.a.\" (1 of its 13 distinct "
               "values)");
  /* ',' delimiter: a quoted decimal comma is not read, and a column of them is an error naming
   * 'decimal' (never a silent one-hot encoding of numbers); with 'decimal' ',' they are numbers. */
  const char *quoted = "a,y\n\"1,5\",x\n2,y\n\"3,25\",x\n";
  EXPECT_ERROR("dc6.csv", quoted, &o, LOGREG_EPARSE,
               "dc6.csv:2:1: column \"a\" holds numbers written with a decimal comma (\"1,5\"): "
               "pass 'decimal' , to read them as numbers, or 'categorical' a to keep them as "
               "categories");
  o.decimal = ',';
  CHECK(read_text("dc7.csv", quoted, &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->decimal == ',' && ds->x[0] == 1.5f && ds->x[2] == 3.25f);
  logreg_dataset_free(ds);
  /* 'decimal' ',' given: a decimal point is no number, so a column of them is the mirror error. */
  EXPECT_ERROR("dc8.csv", "a;y\n1.5;x\n2;y\n", &o, LOGREG_EPARSE,
               "dc8.csv:2:1: column \"a\" holds numbers written with a decimal point (\"1.5\"): "
               "pass 'decimal' . to read them");
  /* 'decimal' '.' given on a ';' file: no detection. */
  o.decimal = '.';
  EXPECT_ERROR("dc9.csv", "a;y\n1,5;x\n2;y\n", &o, LOGREG_EPARSE,
               "dc9.csv:2:1: column \"a\" holds numbers written with a decimal comma");
  o.decimal = '?';
  EXPECT_ERROR("dc10.csv", "a;y\n1;x\n", &o, LOGREG_EINVAL,
               "dc10.csv: decimal mark 0x3F is not '.' or ','");
  /* Reading for a model: its mark; a number in the other mark gets a hint. */
  const char *feat[1] = {"a"};
  o = defaults();
  o.feature_names = feat;
  o.n_features = 1;
  o.target_optional = 1;
  o.decimal = ',';
  CHECK(read_text("dc11.csv", "a;y\n1,5;x\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->x[0] == 1.5f);
  logreg_dataset_free(ds);
  o.decimal = 0;
  EXPECT_ERROR("dc12.csv", "a;y\n1,5;x\n", &o, LOGREG_EPARSE,
               "dc12.csv:2:1: not a number: \"1,5\" (column \"a\"): numbers are read with a "
               "decimal point here; pass 'decimal' , if the file writes decimal commas");
  /* Not a CSV: no decimal mark to give. */
  o = defaults();
  o.decimal = ',';
  o.format = LOGREG_FORMAT_LIBSVM;
  EXPECT_ERROR("dc13.svm", "1 1:2\n", &o, LOGREG_EINVAL,
               "dc13.svm: 'decimal' needs CSV data (this file is read as LIBSVM)");
}

int main(void) {
  test_markers();
  test_missing_labels();
  test_stray_words();
  test_decimal();
  return check_report("test_csv_values");
}
