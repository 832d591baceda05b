/* test_csv.c: the CSV reader: RFC 4180 quoting, line endings, header and target/drop selection,
 * label order, missing values, reading for an existing model, the sample-weight column, every
 * error message (with its file:line:field), header names kept exactly and matched exactly then
 * trimmed (duplicates are errors), ';' and tab delimiters given or detected, a header row that
 * looks like data, the --no-header mix-up hints, gzip input, and the two real datasets in
 * ../shared/data when present. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/dataset.h"
#include "logreg.h"

#define TMP_PREFIX "test_csv"

/* Writes `text` to a temp file called `name`, reads it, removes it. */
static logreg_status read_text(const char *name, const char *text, const logreg_read_options *opt,
                               logreg_dataset **ds, logreg_error *err) {
  return check_read_text(TMP_PREFIX, name, text, opt, ds, err);
}

/* Reading must fail with `status` and a message containing `needle`. */
#define EXPECT_ERROR(name, text, opt, status, needle)                                              \
  CHECK_READ_ERROR(TMP_PREFIX, name, text, opt, status, needle)

static logreg_read_options defaults(void) {
  logreg_read_options o;
  logreg_read_options_init(&o);
  return o;
}

static void test_quoting(void) {
  logreg_read_options o = defaults();
  logreg_dataset *ds;
  logreg_error err;
  const char *text = "\"x, one\",x2,\"the \"\"label\"\"\"\n"
                     "1.5,\"2\",plain\n"
                     "3, -4 ,\"with, comma\"\n"
                     "5,6,\"multi\n"
                     "line\"\n"
                     "7,8,plain\n";
  CHECK(read_text("quote.csv", text, &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->n == 4 && ds->d == 2 && ds->k == 3);
    CHECK(name_is(ds->feature_names[0], "x, one"));
    CHECK(name_is(ds->feature_names[1], "x2"));
    CHECK(ds->x[0] == 1.5f && ds->x[1] == 2.0f && ds->x[2] == 3.0f && ds->x[3] == -4.0f);
    CHECK(ds->x[6] == 7.0f && ds->x[7] == 8.0f);
    /* Bytewise: "multi\nline" < "plain" < "with, comma". */
    CHECK(name_is(ds->class_names[0], "multi\nline"));
    CHECK(name_is(ds->class_names[1], "plain"));
    CHECK(name_is(ds->class_names[2], "with, comma"));
    CHECK(ds->y[0] == 1 && ds->y[1] == 2 && ds->y[2] == 0 && ds->y[3] == 1);
    CHECK(ds->n_columns == 3 && ds->target_column == 2);
    CHECK(ds->feature_columns && ds->feature_columns[0] == 0 && ds->feature_columns[1] == 1);
    CHECK(ds->missing == 0);
  }
  logreg_dataset_free(ds);

  /* Line numbers after a label that spans two lines stay physical: the bad row is line 7. */
  char bad[512];
  snprintf(bad, sizeof bad, "%s9,abc,plain\n", text);
  /* (Read for a model whose features are numeric: in training, "abc" makes x2 categorical.) */
  const char *qnames[2] = {"x, one", "x2"};
  logreg_read_options om = o;
  om.feature_names = qnames;
  om.n_features = 2;
  EXPECT_ERROR("quoteline.csv", bad, &om, LOGREG_EPARSE,
               "quoteline.csv:7:2: not a number: \"abc\" (column \"x2\")");
  /* A doubled quote inside a quoted header name, and a quoted empty field is missing. */
  CHECK(read_text("q2.csv", "\"a\"\"b\",c\n\"\",x\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(name_is(ds->feature_names[0], "a\"b"));
    CHECK(isnan(ds->x[0]) && ds->missing == 1);
  }
  logreg_dataset_free(ds);
}

static void test_line_endings(void) {
  logreg_read_options o = defaults();
  logreg_dataset *ds;
  logreg_error err;
  CHECK(read_text("crlf.csv", "a,b,c\r\n1,2,x\r\n3,4,\"y\"\r\n\r\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->n == 2 && ds->d == 2 && ds->k == 2);
    CHECK(name_is(ds->class_names[0], "x") && name_is(ds->class_names[1], "y"));
    CHECK(name_is(ds->feature_names[1], "b"));
    CHECK(ds->x[3] == 4.0f);
  }
  logreg_dataset_free(ds);
  /* No final newline; blank lines skipped anywhere. */
  CHECK(read_text("nonl.csv", "a,b\n\n1,x\n   \n2,y", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n == 2 && ds->x[1] == 2.0f && ds->y[1] == 1);
  logreg_dataset_free(ds);
  /* A UTF-8 byte-order mark does not become part of the first name. */
  o.target = "a";
  CHECK(read_text("bom.csv",
                  "\xEF\xBB\xBF"
                  "a,b\n"
                  "x,1\n",
                  &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->target_column == 0 && name_is(ds->feature_names[0], "b"));
  logreg_dataset_free(ds);
  o.target = NULL;
  /* Line numbers count the skipped blank lines and CRLF lines. */
  const char *aname[1] = {"a"};
  o.feature_names = aname; /* for a model with a numeric feature a (else a is categorical) */
  o.n_features = 1;
  EXPECT_ERROR("crlfbad.csv", "a,b\r\n\r\n1,x\r\nz,y\r\n", &o, LOGREG_EPARSE,
               "crlfbad.csv:4:1: not a number: \"z\"");
}

static void test_columns(void) {
  logreg_dataset *ds;
  logreg_error err;
  /* No header, target by index: features c0, c2. */
  logreg_read_options o = defaults();
  o.header = 0;
  o.target = "1";
  CHECK(read_text("nohdr.csv", "1,x,2\n3,y,4\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->n == 2 && ds->d == 2 && ds->k == 2);
    CHECK(name_is(ds->feature_names[0], "c0") && name_is(ds->feature_names[1], "c2"));
    CHECK(ds->x[0] == 1.0f && ds->x[1] == 2.0f && ds->x[2] == 3.0f && ds->x[3] == 4.0f);
    CHECK(ds->n_columns == 3 && ds->target_column == 1);
    CHECK(ds->feature_columns[0] == 0 && ds->feature_columns[1] == 2);
  }
  logreg_dataset_free(ds);

  /* No header, default target: the last column. */
  o = defaults();
  o.header = 0;
  CHECK(read_text("nohdr2.csv", "1,2,a\n3,4,b\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n == 2 && ds->d == 2 && ds->target_column == 2);
  logreg_dataset_free(ds);

  const char *text = "id,label,f1,f2\n17,b,1,2\n18,a,3,4\n";
  /* Target by name, drop by name. */
  o = defaults();
  o.target = "label";
  o.drop = "id";
  CHECK(read_text("byname.csv", text, &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->d == 2 && name_is(ds->feature_names[0], "f1") && name_is(ds->feature_names[1], "f2"));
    CHECK(ds->x[2] == 3.0f && ds->y[0] == 1 && ds->y[1] == 0);
    CHECK(ds->target_column == 1 && ds->feature_columns[0] == 2);
  }
  logreg_dataset_free(ds);
  /* Target by index, drop by index and name, blanks and empty items in the list. */
  o.target = "1";
  o.drop = " 0 ,, f2,";
  CHECK(read_text("byidx.csv", text, &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->d == 1 && name_is(ds->feature_names[0], "f1"));
    CHECK(ds->x[0] == 1.0f && ds->x[1] == 3.0f);
  }
  logreg_dataset_free(ds);
  /* Without a drop list the id is a feature. */
  o.drop = NULL;
  CHECK(read_text("nodrop.csv", text, &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->d == 3 && ds->x[0] == 17.0f);
  logreg_dataset_free(ds);

  /* A header column literally named "2" wins over index 2. */
  o = defaults();
  o.target = "2";
  CHECK(read_text("digitname.csv", "a,2,c\n1,x,3\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->target_column == 1 && ds->d == 2 && ds->x[1] == 3.0f);
  logreg_dataset_free(ds);

  /* Duplicate header names are fine until one is used to select. */
  o = defaults();
  CHECK(read_text("dup.csv", "a,a,y\n1,2,x\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->d == 2 && name_is(ds->feature_names[1], "a"));
  logreg_dataset_free(ds);
}

static void test_labels_and_missing(void) {
  logreg_read_options o = defaults();
  logreg_dataset *ds;
  logreg_error err;
  CHECK(read_text("str.csv", "v,c\n1,malignant\n2,benign\n3,malignant\n", &o, &ds, &err) ==
        LOGREG_OK);
  if (ds) {
    CHECK(ds->k == 2 && name_is(ds->class_names[0], "benign"));
    CHECK(name_is(ds->class_names[1], "malignant"));
    CHECK(ds->y[0] == 1 && ds->y[1] == 0 && ds->y[2] == 1);
  }
  logreg_dataset_free(ds);
  /* Numeric labels sort numerically: "10" after "9". */
  CHECK(read_text("num.csv", "v,c\n1,10\n2,9\n3,2\n4, 9 \n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->k == 3);
    CHECK(name_is(ds->class_names[0], "2") && name_is(ds->class_names[1], "9"));
    CHECK(name_is(ds->class_names[2], "10"));
    CHECK(ds->y[0] == 2 && ds->y[1] == 1 && ds->y[2] == 0 && ds->y[3] == 1);
  }
  logreg_dataset_free(ds);
  /* Missing markers: ?, NA, empty (also blanks only); the rest of the default set is in
   * test_csv_values.c. */
  CHECK(read_text("miss.csv", "a,b,c\n?,1,x\nNA,,y\n 3 ,  ,x\n5,6,y\n", &o, &ds, &err) ==
        LOGREG_OK);
  if (ds) {
    CHECK(ds->n == 4 && ds->missing == 4);
    CHECK(isnan(ds->x[0]) && ds->x[1] == 1.0f && isnan(ds->x[2]) && isnan(ds->x[3]));
    CHECK(ds->x[4] == 3.0f && isnan(ds->x[5]) && ds->x[6] == 5.0f);
  }
  logreg_dataset_free(ds);
  /* In training, a column with a field that is not a number is categorical ("na" is a
   * category, NA missing); for a model's numeric feature it is an error. */
  CHECK(read_text("na.csv", "a,b\nna,x\nNA,y\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->d == 2 && ds->missing == 0 && ds->n_categorical == 1);
    CHECK(name_is(ds->feature_names[0], "a=") && name_is(ds->feature_names[1], "a=na"));
    CHECK(ds->x[0] == 0.0f && ds->x[1] == 1.0f && ds->x[2] == 1.0f && ds->x[3] == 0.0f);
  }
  logreg_dataset_free(ds);
  const char *aname[1] = {"a"};
  o.feature_names = aname;
  o.n_features = 1;
  EXPECT_ERROR("na.csv", "a,b\nna,x\n", &o, LOGREG_EPARSE, "na.csv:2:1: not a number: \"na\"");
}

static void test_errors(void) {
  logreg_read_options o = defaults();
  logreg_error err;
  logreg_dataset *ds = NULL;
  char path[512];
  check_tmp_path(path, sizeof path, TMP_PREFIX, "missing.csv");
  CHECK(logreg_dataset_read(path, &o, &ds, &err) == LOGREG_EIO);
  CHECK(ds == NULL);
  CHECK_STR_CONTAINS(err.message, "missing.csv: cannot open: No such file or directory");

  /* Each bad file, read with the default options, fails to parse with this message. */
  static const struct {
    const char *name, *text, *needle;
  } parse_errors[] = {
      {"empty.csv", "", "empty.csv: empty file"},
      {"blank.csv", "\n\n  \n", "blank.csv: no data rows"},
      {"hdronly.csv", "a,b,c\n", "hdronly.csv: no data rows after the header"},
      {"unterm.csv", "a,b\n1,\"x\n2,y\n", "unterm.csv:2:2: unterminated quoted field"},
      {"afterq.csv", "a,b\n1,\"x\"y\n",
       "afterq.csv:2:2: unexpected character 'y' after a closing quote"},
      {"afterq2.csv", "a,b\n\"1\nx\" z,y\n",
       "afterq2.csv:3:1: unexpected character 'z' after a closing quote"},
      {"ragged.csv", "a,b,c\n1,2,x\n1,2\n", "ragged.csv:3: expected 3 fields, found 2"},
      {"ragged2.csv", "a,b,c\n1,2,x\n\n1,2,x,4\n", "ragged2.csv:4: expected 3 fields, found 4"},
      {"inf.csv", "a,b\ninf,x\n",
       "inf.csv:2:1: non-finite value \"inf\" (column \"a\"): use ?, NA or an empty "
       "field for missing values"},
      {"inf2.csv", "a,b,c\n1,-Infinity,x\n", "inf2.csv:2:2: non-finite value \"-Infinity\""},
      {"range.csv", "a,b\n1e39,x\n", "range.csv:2:1: value \"1e39\" is out of float32 range"},
      {"range2.csv", "a,b\n-1e400,x\n", "range2.csv:2:1: value \"-1e400\" is out of float32 range"},
      {"nolabel.csv", "a,b\n1,x\n2,\n", "nolabel.csv:3:2: missing label (column \"b\")"},
      {"nolabel2.csv", "a,b\n1,?\n", "nolabel2.csv:2:2: missing label"},
  };
  for (size_t i = 0; i < sizeof parse_errors / sizeof parse_errors[0]; i++)
    EXPECT_ERROR(parse_errors[i].name, parse_errors[i].text, &o, LOGREG_EPARSE,
                 parse_errors[i].needle);

  o.target = "zzz";
  EXPECT_ERROR("tgt.csv", "a,b\n1,x\n", &o, LOGREG_EINVAL,
               "tgt.csv:1: target column \"zzz\" not found in the header");
  o.target = "5";
  EXPECT_ERROR("tgt2.csv", "a,b\n1,x\n", &o, LOGREG_EINVAL,
               "tgt2.csv:1: target column 5 is out of range: the file has 2 columns");
  o.header = 0;
  EXPECT_ERROR("tgt3.csv", "1,x\n", &o, LOGREG_EINVAL,
               "tgt3.csv:1: target column 5 is out of range");
  o.target = "b";
  EXPECT_ERROR("tgt4.csv", "1,x\n", &o, LOGREG_EINVAL,
               "tgt4.csv: target column \"b\" must be a 0-based column index: the file has no "
               "header row");
  o = defaults();
  o.drop = "zzz";
  EXPECT_ERROR("drop.csv", "a,b\n1,x\n", &o, LOGREG_EINVAL,
               "drop.csv:1: drop column \"zzz\" not found in the header");
  o.drop = "a,7";
  EXPECT_ERROR("drop2.csv", "a,b,c\n1,2,x\n", &o, LOGREG_EINVAL,
               "drop2.csv:1: drop column 7 is out of range");
  o.drop = "b";
  EXPECT_ERROR("dropt.csv", "a,b\n1,x\n", &o, LOGREG_EINVAL,
               "dropt.csv: column \"b\" is both the target and dropped");
  o.drop = "2";
  o.header = 0;
  EXPECT_ERROR("dropt2.csv", "1,2,x\n", &o, LOGREG_EINVAL,
               "dropt2.csv: column 2 is both the target and dropped");
  o = defaults();
  o.drop = "a";
  EXPECT_ERROR("nofeat.csv", "a,b\n1,x\n", &o, LOGREG_EINVAL,
               "nofeat.csv: no feature columns left");
  EXPECT_ERROR("onecol.csv", "b\nx\n", NULL, LOGREG_EINVAL, "onecol.csv: no feature columns left");
  o = defaults();
  o.target = "a";
  EXPECT_ERROR("ambig.csv", "a,b,a\n1,2,x\n", &o, LOGREG_EINVAL,
               "ambig.csv:1: target column \"a\" is ambiguous: header fields 1 and 3");
  o = defaults();
  o.drop = "a";
  EXPECT_ERROR("ambig2.csv", "a,b,a,y\n1,2,3,x\n", &o, LOGREG_EINVAL,
               "ambig2.csv:1: drop column \"a\" is ambiguous");
}

static void test_model_mode(void) {
  logreg_dataset *ds;
  logreg_error err;
  const char *names[2] = {"a", "b"};
  logreg_read_options o = defaults();
  o.feature_names = names;
  o.n_features = 2;
  o.target = "label";
  /* By name, in the model's order, other columns ignored. */
  CHECK(read_text("mname.csv", "b,label,junk,a\n2,x,zz,1\n4,y,zz,3\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->d == 2 && name_is(ds->feature_names[0], "a"));
    CHECK(ds->x[0] == 1.0f && ds->x[1] == 2.0f && ds->x[2] == 3.0f && ds->x[3] == 4.0f);
    CHECK(ds->y && ds->k == 2 && ds->target_column == 1);
    CHECK(ds->feature_columns[0] == 3 && ds->feature_columns[1] == 0);
  }
  logreg_dataset_free(ds);
  EXPECT_ERROR("mname2.csv", "b,label\n2,x\n", &o, LOGREG_EINVAL,
               "mname2.csv:1: model feature column \"a\" not found in the header");
  /* A column named like an index is not taken for one: names only. */
  const char *digit[1] = {"0"};
  o.feature_names = digit;
  o.n_features = 1;
  EXPECT_ERROR("mname3.csv", "a,label\n2,x\n", &o, LOGREG_EINVAL,
               "mname3.csv:1: model feature column \"0\" not found in the header");
  o.feature_names = names;
  o.n_features = 2;
  /* The target is required unless optional. */
  EXPECT_ERROR("mname4.csv", "a,b\n1,2\n", &o, LOGREG_EINVAL,
               "mname4.csv:1: target column \"label\" not found in the header");
  o.target_optional = 1;
  CHECK(read_text("mname5.csv", "a,b\n1,2\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->y == NULL && ds->k == 0 && ds->target_column == -1 && ds->n == 1);
  logreg_dataset_free(ds);
  /* No target given: the last column, unless it is a feature. */
  o.target = NULL;
  CHECK(read_text("mname6.csv", "a,b\n1,2\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->y == NULL);
  logreg_dataset_free(ds);
  CHECK(read_text("mname7.csv", "a,b,c\n1,2,x\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->y != NULL && ds->target_column == 2);
  logreg_dataset_free(ds);
  o.target_optional = 0;
  EXPECT_ERROR("mname8.csv", "a,b\n1,2\n", &o, LOGREG_EINVAL,
               "mname8.csv: no target column: the last column is one of the model's features");
  o.header = 0;
  EXPECT_ERROR("mname9.csv", "1,2\n", &o, LOGREG_EINVAL,
               "mname9.csv: the model selects its features by name, but the file is read "
               "without a header row");

  /* By position (header-less training file of 4 columns: id, f, label, f). */
  const size_t cols[2] = {3, 1};
  o = defaults();
  o.header = 0;
  o.feature_columns = cols;
  o.n_features = 2;
  o.n_columns = 4;
  o.target = "2";
  CHECK(read_text("mcol.csv", "100,1,x,2\n101,3,y,4\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->x[0] == 2.0f && ds->x[1] == 1.0f && ds->y && ds->k == 2);
    CHECK(name_is(ds->feature_names[0], "c3"));
    CHECK(ds->n_columns == 4 && ds->target_column == 2);
  }
  logreg_dataset_free(ds);
  /* Features only: all columns in file order, unlabelled, when the target may be absent. */
  o.target_optional = 1;
  CHECK(read_text("mcol2.csv", "5,6\n7,8\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->y == NULL && ds->x[0] == 5.0f && ds->x[3] == 8.0f && ds->n_columns == 2);
  logreg_dataset_free(ds);
  o.target_optional = 0;
  EXPECT_ERROR("mcol3.csv", "5,6\n", &o, LOGREG_EINVAL,
               "mcol3.csv:1: no target column: the file has only the model's 2 feature columns");
  EXPECT_ERROR("mcol4.csv", "5,6,7\n", &o, LOGREG_EINVAL,
               "mcol4.csv:1: expected 4 fields (as in training) or 2 (the features only), found 3");

  /* The model's classes: numeric equality counts, unknown labels are errors. */
  const char *classes[2] = {"2", "4"};
  o = defaults();
  o.class_names = classes;
  o.n_classes = 2;
  CHECK(read_text("mcls.csv", "a,c\n1,4.0\n2,4\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->k == 2 && ds->y[0] == 1 && ds->y[1] == 1);
    CHECK(name_is(ds->class_names[0], "2"));
  }
  logreg_dataset_free(ds);
  EXPECT_ERROR("mcls2.csv", "a,c\n1,4\n\n2,3\n", &o, LOGREG_EPARSE,
               "mcls2.csv:4:2: label \"3\" is not one of the model's classes");
}

/* --weight: a column of per-row sample weights, neither a feature nor the target; every way it
 * can be wrong; ignored when reading for a model; kept aligned with the rows by subsets. */
static void test_weight_column(void) {
  logreg_dataset *ds;
  logreg_error err;
  logreg_read_options o = defaults();
  /* Without the option a weight-like column is an ordinary feature and there are no weights. */
  const char *text = "a,w,b,label\n1,0.5,2,x\n3,2,4,y\n5,0,6,x\n7,-0,8,y\n9,\" 1e1 \",10,x\n";
  CHECK(read_text("wnone.csv", text, &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->d == 3 && ds->w == NULL);
  logreg_dataset_free(ds);
  /* By name and by index: the weights in ds->w, the other columns unchanged. */
  const char *specs[2] = {"w", "1"};
  for (int s = 0; s < 2; s++) {
    o.weight = specs[s];
    CHECK(read_text("w.csv", text, &o, &ds, &err) == LOGREG_OK);
    if (!ds) continue;
    CHECK(ds->n == 5 && ds->d == 2 && ds->k == 2 && ds->w != NULL);
    CHECK(name_is(ds->feature_names[0], "a") && name_is(ds->feature_names[1], "b"));
    CHECK(ds->x[0] == 1.0f && ds->x[1] == 2.0f && ds->x[8] == 9.0f && ds->x[9] == 10.0f);
    CHECK(ds->y[0] == 0 && ds->y[1] == 1 && ds->y[4] == 0);
    /* Only the features in feature_columns; n_columns counts the weight column. */
    CHECK(ds->n_columns == 4 && ds->target_column == 3);
    CHECK(ds->feature_columns[0] == 0 && ds->feature_columns[1] == 2);
    if (ds->w) {
      CHECK(ds->w[0] == 0.5f && ds->w[1] == 2.0f && ds->w[2] == 0.0f && ds->w[4] == 10.0f);
      CHECK(ds->w[3] == 0.0f && !signbit(ds->w[3])); /* -0 reads as 0 */
    }
    logreg_dataset_free(ds);
  }
  /* Without a header, by index, with the target by index too; drop and weight together. */
  o = defaults();
  o.header = 0;
  o.weight = "0";
  o.target = "1";
  o.drop = "3";
  CHECK(read_text("wnohdr.csv", "2,x,5,99\n0.25,y,6,98\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->d == 1 && ds->x[0] == 5.0f && ds->x[1] == 6.0f &&
          name_is(ds->feature_names[0], "c2"));
    CHECK(ds->w && ds->w[0] == 2.0f && ds->w[1] == 0.25f);
  }
  logreg_dataset_free(ds);

  /* Column errors: FILE:LINE where a column is looked up in the header, FILE otherwise. */
  o = defaults();
  o.weight = "zzz";
  EXPECT_ERROR("wunknown.csv", text, &o, LOGREG_EINVAL,
               "wunknown.csv:1: weight column \"zzz\" not found in the header");
  o.weight = "9";
  EXPECT_ERROR("wrange.csv", text, &o, LOGREG_EINVAL,
               "wrange.csv:1: weight column 9 is out of range: the file has 4 columns");
  o.header = 0;
  o.weight = "w";
  EXPECT_ERROR("wnoidx.csv", "1,2,x\n", &o, LOGREG_EINVAL,
               "wnoidx.csv: weight column \"w\" must be a 0-based column index: the file has no "
               "header row");
  o = defaults();
  o.weight = "a";
  EXPECT_ERROR("wambig.csv", "a,b,a,y\n1,2,3,x\n", &o, LOGREG_EINVAL,
               "wambig.csv:1: weight column \"a\" is ambiguous: header fields 1 and 3");
  o.target = "label";
  o.weight = "label";
  EXPECT_ERROR("wtarget.csv", text, &o, LOGREG_EINVAL,
               "wtarget.csv: column \"label\" is both the target and the weight column");
  /* The default target is the last column: say so when that is the weight column. */
  o = defaults();
  o.weight = "label";
  EXPECT_ERROR("wtarget2.csv", text, &o, LOGREG_EINVAL,
               "wtarget2.csv: column \"label\" is both the target and the weight column (the "
               "target is the last column unless 'target' says)");
  o.header = 0;
  o.weight = "3";
  EXPECT_ERROR("wtarget3.csv", "1,2,3,4\n", &o, LOGREG_EINVAL,
               "wtarget3.csv: column 3 is both the target and the weight column");
  o = defaults();
  o.weight = "w";
  o.drop = "a,w";
  EXPECT_ERROR("wdrop.csv", text, &o, LOGREG_EINVAL,
               "wdrop.csv: column \"w\" is both dropped and the weight column");
  o.header = 0;
  o.weight = "1";
  o.drop = "1";
  EXPECT_ERROR("wdrop2.csv", "1,2,3,x\n", &o, LOGREG_EINVAL,
               "wdrop2.csv: column 1 is both dropped and the weight column");
  o = defaults();
  o.weight = "w";
  EXPECT_ERROR("wnofeat.csv", "w,y\n1,x\n", &o, LOGREG_EINVAL,
               "wnofeat.csv: no feature columns left: the file has 2 column(s) and the target, "
               "weight and dropped columns take them all");

  /* Value errors: FILE:LINE:FIELD, the column named, the rule stated. */
  static const struct {
    const char *name, *text, *needle;
  } value_errors[] = {
      {"wempty.csv", "a,w,y\n1,1,x\n2,,y\n",
       "wempty.csv:3:2: missing weight (weight column \"w\"): every row needs one"},
      {"wq.csv", "a,w,y\n1,?,x\n", "wq.csv:2:2: missing weight (weight column \"w\")"},
      {"wna.csv", "a,w,y\n1,NA,x\n", "wna.csv:2:2: missing weight"},
      {"wnan.csv", "a,w,y\n1,abc,x\n", "wnan.csv:2:2: not a number: \"abc\" (weight column \"w\")"},
      {"wneg.csv", "a,w,y\n1,1,x\n\n2,-0.5,y\n",
       "wneg.csv:4:2: negative weight \"-0.5\" (weight column \"w\"): weights must be >= 0"},
      {"wneg2.csv", "a,w,y\n1,-1e-30,x\n", "wneg2.csv:2:2: negative weight \"-1e-30\""},
      {"winf.csv", "a,w,y\n1,inf,x\n",
       "winf.csv:2:2: weight \"inf\" (weight column \"w\") is not finite: weights must be finite "
       "numbers >= 0"},
      {"wnan2.csv", "a,w,y\n1,NaN,x\n", "wnan2.csv:2:2: missing weight (weight column \"w\")"},
      {"wbig.csv", "a,w,y\n1,1e39,x\n",
       "wbig.csv:2:2: weight \"1e39\" (weight column \"w\") is "
       "not finite"},
      /* Line numbers stay physical after a quoted field spanning lines. */
      {"wline.csv", "a,w,y\n1,1,\"x\ny\"\n2,-1,x\n", "wline.csv:4:2: negative weight \"-1\""},
  };
  o = defaults();
  o.weight = "w";
  for (size_t i = 0; i < sizeof value_errors / sizeof value_errors[0]; i++)
    EXPECT_ERROR(value_errors[i].name, value_errors[i].text, &o, LOGREG_EPARSE,
                 value_errors[i].needle);
  /* Without a header the message names the field and says it is the weight column. */
  o.header = 0;
  o.weight = "0";
  EXPECT_ERROR("wneg3.csv", "-2,3,x\n", &o, LOGREG_EPARSE,
               "wneg3.csv:1:1: negative weight \"-2\" (weight column): weights must be >= 0");

  /* Only CSV has columns: LIBSVM and IDX refuse the option before reading anything. */
  o = defaults();
  o.weight = "0";
  EXPECT_ERROR("w.svm", "1 1:2\n", &o, LOGREG_EINVAL,
               "w.svm: 'weight' needs CSV data (this file is read as LIBSVM)");
  o.format = LOGREG_FORMAT_IDX;
  EXPECT_ERROR("w.idx", "x", &o, LOGREG_EINVAL,
               "w.idx: 'weight' needs CSV data (this file is read as IDX)");
  o.format = LOGREG_FORMAT_CSV;
  CHECK(read_text("w.svm", "a,b,c\n1,2,x\n", &o, &ds, &err) == LOGREG_OK); /* CSV by force: fine */
  if (ds) CHECK(ds->w && ds->w[0] == 1.0f);
  logreg_dataset_free(ds);

  /* Reading for a model (predict/eval): the weight column is ignored, its values unread (this
   * one is not even a number), present or absent. */
  const char *names[2] = {"a", "b"};
  o = defaults();
  o.feature_names = names;
  o.n_features = 2;
  o.weight = "w";
  o.target = "label";
  CHECK(read_text("wmodel.csv", "b,w,label,a\n2,abc,x,1\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->w == NULL && ds->d == 2 && ds->x[0] == 1.0f && ds->y && ds->k == 1);
  logreg_dataset_free(ds);
  CHECK(read_text("wmodel2.csv", "b,label,a\n2,x,1\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->w == NULL && ds->y != NULL);
  logreg_dataset_free(ds);
  /* ...but it is not one of the model's features, nor the target. */
  o.weight = "a";
  EXPECT_ERROR("wmodel3.csv", "b,w,label,a\n2,1,x,1\n", &o, LOGREG_EINVAL,
               "wmodel3.csv: weight column \"a\" is also a feature of the model");
  o.weight = "label";
  EXPECT_ERROR("wmodel4.csv", "b,w,label,a\n2,1,x,1\n", &o, LOGREG_EINVAL,
               "wmodel4.csv: column \"label\" is both the target and the weight column");
  /* The default target (the last column) is never the weight column. */
  o.target = NULL;
  o.weight = "w";
  EXPECT_ERROR("wmodel5.csv", "a,b,w\n1,2,3\n", &o, LOGREG_EINVAL,
               "wmodel5.csv: no target column: the last column is the weight column");
  o.target_optional = 1;
  CHECK(read_text("wmodel6.csv", "a,b,w\n1,2,3\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->y == NULL && ds->w == NULL && ds->target_column == -1);
  logreg_dataset_free(ds);
  /* By position (header-less training file: a, w, label, b), and the features-only file. */
  const size_t cols[2] = {0, 3};
  o = defaults();
  o.header = 0;
  o.feature_columns = cols;
  o.n_features = 2;
  o.n_columns = 4;
  o.weight = "1";
  o.target = "2";
  CHECK(read_text("wmcol.csv", "1,oops,x,2\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->w == NULL && ds->x[0] == 1.0f && ds->x[1] == 2.0f && ds->y);
  logreg_dataset_free(ds);
  o.weight = "3";
  EXPECT_ERROR("wmcol2.csv", "1,2,x,2\n", &o, LOGREG_EINVAL,
               "wmcol2.csv: weight column 3 is also a feature of the model");
  o.weight = "1";
  o.target = NULL;
  o.target_optional = 1;
  CHECK(read_text("wmcol3.csv", "1,2\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->w == NULL && ds->y == NULL && ds->x[1] == 2.0f);
  logreg_dataset_free(ds);

  /* Row subsets (the split) carry each row's weight with it: weight = 10 * a + 1, checked row
   * by row after a stratified shuffle, and in reverse order through lr_dataset_subset. */
  char big[4096];
  size_t len = (size_t)snprintf(big, sizeof big, "a,w,y\n");
  for (int i = 0; i < 40; i++)
    len += (size_t)snprintf(big + len, sizeof big - len, "%d,%d,%c\n", i, 10 * i + 1, "abc"[i % 3]);
  CHECK(len < sizeof big);
  o = defaults();
  o.weight = "w";
  CHECK(read_text("wsplit.csv", big, &o, &ds, &err) == LOGREG_OK);
  if (!ds) return;
  logreg_dataset *part[3] = {NULL, NULL, NULL};
  CHECK(logreg_dataset_split(ds, 0.5, 0.25, 0.25, 7, &part[0], &part[1], &part[2], &err) ==
        LOGREG_OK);
  size_t total = 0;
  for (int p = 0; p < 3; p++) {
    CHECK(part[p] && part[p]->w);
    if (!part[p] || !part[p]->w) continue;
    total += part[p]->n;
    for (size_t r = 0; r < part[p]->n; r++) {
      CHECK(part[p]->w[r] == 10.0f * part[p]->x[r] + 1.0f);
      CHECK(part[p]->y[r] == (int32_t)part[p]->x[r] % 3);
    }
    logreg_dataset_free(part[p]);
  }
  CHECK(total == 40);
  size_t rev[40];
  for (size_t i = 0; i < 40; i++) rev[i] = 39 - i;
  logreg_dataset *sub = lr_dataset_subset(ds, rev, 40);
  CHECK(sub && sub->w && sub->w != ds->w);
  if (sub && sub->w)
    for (size_t r = 0; r < 40; r++) CHECK(sub->w[r] == ds->w[39 - r] && sub->x[r] == ds->x[39 - r]);
  logreg_dataset_free(sub);
  logreg_dataset_free(ds);
}

/* A file gzipped with zlib (check_read_data's `gz` flag) reads like a plain one. */
/* Header names as written; specs matched exactly, then with blanks trimmed, then as an index. */
static void test_exact_names(void) {
  logreg_dataset *ds;
  logreg_error err;
  logreg_read_options o = defaults();
  /* Unquoted names keep their blanks; a quoted one is what the quotes hold; "" is a name. Values
   * are still trimmed (" 3 " is 3, " x" and "x" one class). */
  const char *text = "a , b, \" c \" ,,y\n1,2, 3 ,4,x\n5,6,7,8, x\n";
  CHECK(read_text("exact.csv", text, &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->d == 4 && name_is(ds->feature_names[0], "a ") && name_is(ds->feature_names[1], " b"));
    CHECK(name_is(ds->feature_names[2], " c ") && name_is(ds->feature_names[3], ""));
    CHECK(ds->x[2] == 3.0f && ds->k == 1 && name_is(ds->class_names[0], "x"));
    CHECK(name_is(ds->target_name, "y"));
  }
  logreg_dataset_free(ds);
  /* Exact first: " b" and "b" both find column 1 (the second by trimming); " " finds the empty
   * name (pandas' unnamed index column) by trimming, and "c" finds " c ". */
  o.target = " b";
  o.drop = " ,c,y";
  CHECK(read_text("exact2.csv", text, &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->target_column == 1 && ds->d == 1 && ds->feature_columns[0] == 0);
    CHECK(name_is(ds->feature_names[0], "a ") && name_is(ds->target_name, " b"));
  }
  logreg_dataset_free(ds);
  o.target = "b";
  CHECK(read_text("exact3.csv", text, &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->target_column == 1 && name_is(ds->target_name, " b"));
  logreg_dataset_free(ds);
  /* An exact match wins over a trimmed one: "a" is column 0, " a" column 1. */
  o = defaults();
  o.target = "a";
  CHECK(read_text("exact4.csv", "a, a,z\n1,2,3\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->target_column == 0 && ds->d == 2);
  logreg_dataset_free(ds);
  o.target = " a";
  CHECK(read_text("exact5.csv", "a, a,z\n1,2,3\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->target_column == 1);
  logreg_dataset_free(ds);
  /* Names before indices: "0" is the column named 0 (index 1); "2" has no name, so index 2. */
  o.target = "0";
  CHECK(read_text("exact6.csv", "1,0,z\n5,x,7\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->target_column == 1);
  logreg_dataset_free(ds);
  o.target = "2";
  CHECK(read_text("exact7.csv", "1,0,z\n5,6,x\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->target_column == 2 && ds->d == 2);
  logreg_dataset_free(ds);
  /* A blank --drop item names a column: not silently skipped when there is none. */
  o = defaults();
  o.drop = " ";
  EXPECT_ERROR("exact8.csv", "a,b,y\n1,2,x\n", &o, LOGREG_EINVAL,
               "exact8.csv:1: drop column \" \" not found in the header");

  /* Duplicate names: one error naming the 1-based fields and the 0-based indices to pass. */
  o = defaults();
  o.target = "x";
  EXPECT_ERROR("dup1.csv", "x,x,y\n1,2,z\n", &o, LOGREG_EINVAL,
               "dup1.csv:1: target column \"x\" is ambiguous: header fields 1 and 2 both have "
               "that name; pass 'target' the 0-based index of the one you mean (0 or 1)");
  o = defaults();
  o.drop = "q,x";
  EXPECT_ERROR("dup2.csv", "x,x,q,x,y\n1,2,3,4,z\n", &o, LOGREG_EINVAL,
               "dup2.csv:1: drop column \"x\" is ambiguous: header fields 1, 2 and 4 all have "
               "that name; pass 'drop' the 0-based index of the one you mean (0, 1 or 3)");
  o = defaults();
  o.weight = "x";
  EXPECT_ERROR("dup3.csv", "x , x,y\n1,2,z\n", &o, LOGREG_EINVAL,
               "dup3.csv:1: weight column \"x\" is ambiguous: header fields 1 and 2 match it once "
               "the blanks around them are trimmed; pass 'weight' the 0-based index of the one "
               "you mean (0 or 1)");
  o = defaults();
  o.id = "x";
  EXPECT_ERROR("dup4.csv", "x,a,x,y\n1,2,3,z\n", &o, LOGREG_EINVAL,
               "dup4.csv:1: id column \"x\" is ambiguous: header fields 1 and 3 both have that "
               "name; pass 'id' the 0-based index of the one you mean (0 or 2)");
  /* The index the message suggests works. */
  o = defaults();
  o.target = "1";
  CHECK(read_text("dup5.csv", "x,x,y\n1,a,3\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->target_column == 1 && ds->d == 2);
  logreg_dataset_free(ds);
  /* A model's features are names only: no index to suggest. */
  const char *feat[1] = {"x"};
  o = defaults();
  o.feature_names = feat;
  o.n_features = 1;
  o.target_optional = 1;
  EXPECT_ERROR("dup6.csv", "x,x,y\n1,2,z\n", &o, LOGREG_EINVAL,
               "dup6.csv:1: model feature column \"x\" is ambiguous: header fields 1 and 2 both "
               "have that name (the model finds its features by name: rename all but one)");
  /* A model saved with a trimmed name ("x") finds " x " (files read before names were kept). */
  CHECK(read_text("trimfeat.csv", "a, x ,y\n1,2,z\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->feature_columns[0] == 1 && ds->x[0] == 2.0f);
  logreg_dataset_free(ds);
}

/* ',' ';' tab: given, or detected from the first record outside quotes; quoting with each. */
static void test_delimiters(void) {
  logreg_dataset *ds;
  logreg_error err;
  logreg_read_options o = defaults();
  CHECK(read_text("semi.csv", "a;b;y\n1;2.5;x\n3;4;\"z;w\"\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->delimiter == ';' && ds->n == 2 && ds->d == 2 && ds->k == 2);
    CHECK(ds->x[1] == 2.5f && ds->x[3] == 4.0f && name_is(ds->class_names[1], "z;w"));
  }
  logreg_dataset_free(ds);
  /* Tab: an empty field between two tabs is missing (tabs are not blanks to trim here), spaces
   * around values are still trimmed, and a quoted field may hold a tab. */
  CHECK(read_text("tab.tsv", "a\tb b\ty\n1\t\tx\n 3 \t4\t\"p\tq\"\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->delimiter == '\t' && ds->n == 2 && ds->d == 2 && ds->missing == 1);
    CHECK(name_is(ds->feature_names[1], "b b") && isnan(ds->x[1]) && ds->x[2] == 3.0f);
    CHECK(name_is(ds->class_names[0], "p\tq") && name_is(ds->class_names[1], "x"));
  }
  logreg_dataset_free(ds);
  /* Quoted delimiters do not count: two ';' inside quotes, two ',' outside: comma. */
  CHECK(read_text("qdet.csv", "\"a;b;c\",d,y\n1,2,x\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->delimiter == ',' && ds->d == 2 && name_is(ds->feature_names[0], "a;b;c"));
  logreg_dataset_free(ds);
  /* Blank lines, a byte-order mark and CRLF before the first record do not hide it. */
  CHECK(read_text("semibom.csv",
                  "\xEF\xBB\xBF"
                  "\r\n  \na;y\r\n1;x\r\n",
                  &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->delimiter == ';' && ds->d == 1 && name_is(ds->feature_names[0], "a"));
  logreg_dataset_free(ds);
  /* A tie, or no candidate: comma, or delimiter_default when set. */
  CHECK(read_text("tie.csv", "a;b,y\n1,x\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->delimiter == ',' && ds->d == 1 && name_is(ds->feature_names[0], "a;b"));
  logreg_dataset_free(ds);
  o.delimiter_default = ';';
  CHECK(read_text("tie2.csv", "a;b,y\n1;x\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->delimiter == ';' && ds->d == 1 && name_is(ds->feature_names[0], "a"));
  logreg_dataset_free(ds);
  /* Given, it is used even where detection would choose another. */
  o = defaults();
  o.delimiter = ';';
  /* (The field "1,2,3" is not a number, so the column is categorical: one one-hot feature.) */
  CHECK(read_text("given.csv", "a,b,c;y\n1,2,3;x\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->delimiter == ';' && ds->d == 1 && name_is(ds->feature_names[0], "a,b,c=1,2,3"));
  logreg_dataset_free(ds);
  /* One column: the message says where fields were split. */
  EXPECT_ERROR("onecol2.csv", "a|b|y\n1|2|x\n", &o, LOGREG_EINVAL,
               "onecol2.csv: no feature columns left: the file has 1 column(s) and the target and "
               "dropped columns take them all (fields split at ';'; see 'delimiter')");
  o.delimiter = '|';
  EXPECT_ERROR("badd.csv", "a|y\n1|x\n", &o, LOGREG_EINVAL,
               "badd.csv: delimiter 0x7C is not ',', ';' or tab");
  /* The same data in each delimiter reads to the same numbers. */
  const char *texts[3] = {"p,q,y\n1.5,-2,a\n3,\"4\",b\n", "p;q;y\n1.5;-2;a\n3;\"4\";b\n",
                          "p\tq\ty\n1.5\t-2\ta\n3\t\"4\"\tb\n"};
  float ref[4] = {1.5f, -2.0f, 3.0f, 4.0f};
  for (int i = 0; i < 3; i++) {
    o = defaults();
    CHECK(read_text("same.csv", texts[i], &o, &ds, &err) == LOGREG_OK);
    if (ds) {
      CHECK(ds->delimiter == ",;\t"[i] && ds->n == 2 && ds->d == 2 && ds->k == 2);
      CHECK(memcmp(ds->x, ref, sizeof ref) == 0 && ds->y[0] == 0 && ds->y[1] == 1);
      CHECK(name_is(ds->feature_names[1], "q"));
    }
    logreg_dataset_free(ds);
  }
}

/* header_numeric: 1 for a header row of numbers only, 2 for one that looks like a data row. */
static void test_header_like_data(void) {
  static const struct {
    const char *text;
    int want;
  } cases[] = {
      {"150,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n", 2}, /* scikit-learn's iris.csv */
      {"5.1,3.5,Iris-setosa\n4.9,3.0,Iris-setosa\n", 2},             /* UCI iris.data */
      {"5.1,3.5,b\n4.9,?,a\n", 2},         /* a missing value matches either */
      {"2019,2018,y\n1,2,a\n", 2},         /* numbers that decrease over numbers */
      {"1,2,0\n3,4,1\n", 1},               /* numbers only */
      {"x0,x1,y\n1,2,a\n", 0},             /* names */
      {"1990,1991,label\n1.5,2.5,a\n", 0}, /* years: increasing integers */
      {",0,1,label\n0,1.5,2.5,a\n", 0},    /* pandas' unnamed index and column numbers */
      {"a,2,c\n1,2,x\n", 0},               /* a name over a number: not a data row's pattern */
      {"5,label\n1.5,a\n", 0},             /* one plain integer name */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    logreg_read_options o = defaults();
    logreg_dataset *ds;
    logreg_error err;
    CHECK(read_text("hdrdata.csv", cases[i].text, &o, &ds, &err) == LOGREG_OK);
    if (ds && ds->header_numeric != cases[i].want)
      fprintf(stderr, "case %zu: header_numeric %d, want %d\n", i, ds->header_numeric,
              cases[i].want);
    if (ds) CHECK(ds->header_numeric == cases[i].want);
    logreg_dataset_free(ds);
  }
}

/* Reading for a model with the header setting the other way round: the error says so. */
static void test_header_mixups(void) {
  const char *names[2] = {"c0", "c1"};
  const size_t cols[2] = {0, 1};
  logreg_read_options o = defaults();
  o.feature_names = names;
  o.feature_columns = cols;
  o.n_features = 2;
  o.n_columns = 3;
  o.target = "2";
  o.model_header = 0; /* trained with --no-header; this file is read with a header */
  EXPECT_ERROR("mix1.csv", "5,6,x\n7,8,y\n", &o, LOGREG_EINVAL,
               "mix1.csv:1: model feature column \"c0\" not found in the header: the model was "
               "trained on a file without a header row (its features are columns by position): "
               "if this file has none either, set 'header' to 0");
  o.model_header = -1; /* unknown: no hint */
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(read_text("mix2.csv", "5,6,x\n7,8,y\n", &o, &ds, &err) == LOGREG_EINVAL);
  CHECK(strstr(err.message, "'header'") == NULL);
  logreg_dataset_free(ds);
  /* Trained with a header; this file (which has one) is read with --no-header. */
  o.model_header = 1;
  o.header = 0;
  EXPECT_ERROR("mix3.csv", "a,b,y\n1,2,x\n", &o, LOGREG_EPARSE,
               "mix3.csv:1:1: not a number: \"a\": the model was trained on a file with a header "
               "row: is 'header' = 0 wrong here?");
  EXPECT_ERROR("mix4.csv", "a,b,c,y\n1,2,3,x\n", &o, LOGREG_EINVAL,
               "mix4.csv:1: expected 3 fields (as in training) or 2 (the features only), found 4 "
               "(the model was trained on a file with a header row: is 'header' = 0 wrong here?)");
  /* The hint is about the first row only. */
  EXPECT_ERROR("mix5.csv", "1,2,x\nb,2,x\n", &o, LOGREG_EPARSE,
               "mix5.csv:2:1: not a number: \"b\"");
  CHECK(read_text("mix6.csv", "1,2,x\nb,2,x\n", &o, &ds, &err) == LOGREG_EPARSE);
  CHECK(strstr(err.message, "'header'") == NULL);
  logreg_dataset_free(ds);
}

static void test_gzip(void) {
  const char *text = "a,b\n1,x\n2,y\n";
  logreg_dataset *ds;
  logreg_error err;
  CHECK(check_read_data(TMP_PREFIX, "data.csv.gz", text, strlen(text), 1, NULL, &ds, &err) ==
        LOGREG_OK);
  if (ds) CHECK(ds->n == 2 && ds->x[1] == 2.0f && ds->k == 2);
  logreg_dataset_free(ds);
}

static void test_real_files(void) {
  char buf[1024];
  logreg_dataset *ds = NULL;
  logreg_error err;
  const char *p = shared_path("tumors.csv", buf, sizeof buf);
  if (!p) {
    fprintf(stderr, "note: tumors.csv not found; skipping its checks\n");
  } else {
    CHECK(logreg_dataset_read(p, NULL, &ds, &err) == LOGREG_OK);
    if (ds) {
      CHECK(ds->n == 1000 && ds->d == 2 && ds->k == 2 && ds->missing == 0);
      CHECK(name_is(ds->class_names[0], "benign") && name_is(ds->class_names[1], "malignant"));
      CHECK(name_is(ds->feature_names[0], "leukocyte_count"));
      size_t count1 = 0;
      for (size_t i = 0; i < ds->n; i++) count1 += ds->y[i] == 1;
      CHECK(count1 == 611);
      CHECK(ds->x[0] == (float)13.472968615888936);
    }
    logreg_dataset_free(ds);
    ds = NULL;
  }
  p = shared_path("breast-cancer-wisconsin.data", buf, sizeof buf);
  if (!p) {
    fprintf(stderr, "note: breast-cancer-wisconsin.data not found; skipping its checks\n");
    return;
  }
  logreg_read_options o = defaults();
  o.header = 0;
  o.drop = "0";
  o.target = "10";
  CHECK(logreg_dataset_read(p, &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->n == 699 && ds->d == 9 && ds->k == 2 && ds->missing == 16);
    CHECK(name_is(ds->class_names[0], "2") && name_is(ds->class_names[1], "4"));
    CHECK(name_is(ds->feature_names[0], "c1") && name_is(ds->feature_names[8], "c9"));
    size_t count0 = 0, nan6 = 0;
    for (size_t i = 0; i < ds->n; i++) {
      count0 += ds->y[i] == 0;
      nan6 += isnan(ds->x[i * 9 + 5]) ? 1u : 0u;
    }
    CHECK(count0 == 458);
    CHECK(nan6 == 16); /* all missing values are Bare Nuclei, file column 6 */
    CHECK(ds->n_columns == 11 && ds->target_column == 10 && ds->feature_columns[0] == 1);
  }
  logreg_dataset_free(ds);
}

/* Categorical features: which columns, the sorted categories, the one-hot values, the
 * --max-categories and --categorical errors, reading with a model's categories (unseen ones
 * all zeros and counted), and the split keeping the training part's categories only. */
static void test_categorical(void) {
  logreg_read_options o = defaults();
  logreg_dataset *ds = NULL;
  logreg_error err;
  /* n forced categorical: numeric order 2 < 9 < 10; s text: "" (missing: empty and ?) < a < b;
   * v numeric with a missing value (imputed later, counted). */
  const char *text = "n,s,v,y\n10,b,1.5,0\n9,,,1\n2,a,3,0\n10,?,4,1\n";
  o.categorical = "n";
  CHECK(read_text("cat.csv", text, &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    static const char *const names[] = {"n=2", "n=9", "n=10", "s=", "s=a", "s=b", "v"};
    static const char *const cats[] = {"2", "9", "10", "", "a", "b", NULL};
    static const size_t cols[] = {0, 0, 0, 1, 1, 1, 2};
    static const float x[4][7] = {{0, 0, 1, 0, 0, 1, 1.5f},
                                  {0, 1, 0, 1, 0, 0, NAN},
                                  {1, 0, 0, 0, 1, 0, 3},
                                  {0, 0, 1, 1, 0, 0, 4}};
    CHECK(ds->n == 4 && ds->d == 7 && ds->n_categorical == 2 && ds->missing == 1);
    for (size_t j = 0; j < 7 && ds->d == 7; j++) {
      CHECK(name_is(ds->feature_names[j], names[j]));
      CHECK(cats[j] ? name_is(logreg_dataset_feature_category(ds, j), cats[j])
                    : logreg_dataset_feature_category(ds, j) == NULL);
      CHECK(
          name_is(logreg_dataset_feature_source(ds, j), (const char *[]){"n", "s", "v"}[cols[j]]));
      CHECK(ds->feature_columns[j] == cols[j]);
      for (size_t i = 0; i < 4; i++)
        CHECK(isnan(x[i][j]) ? isnan(ds->x[i * 7 + j]) : ds->x[i * 7 + j] == x[i][j]);
    }
  }
  logreg_dataset_free(ds);
  /* Without --categorical, n is numeric; a header-less file names columns by index. */
  o.categorical = NULL;
  o.header = 0;
  CHECK(read_text("catnh.csv", "10,b,0\n9,,1\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->d == 3 && name_is(ds->feature_names[0], "c0"));
    CHECK(name_is(ds->feature_names[1], "c1=") && name_is(ds->feature_names[2], "c1=b"));
  }
  logreg_dataset_free(ds);
  o.header = 1;
  /* More distinct values than max_categories: one error naming every such column. */
  o.max_categories = 1;
  EXPECT_ERROR("catmax.csv", "id,s,y\nx1,a,0\nx2,a,1\nx3,b,0\n", &o, LOGREG_EINVAL,
               "catmax.csv: columns \"id\" (3), \"s\" (2) have more distinct values than "
               "'max_categories' 1 allows for a categorical column (an id or free text?): 'drop' "
               "id,s, or raise 'max_categories'");
  o.max_categories = 2;
  EXPECT_ERROR("catmax.csv", "id,s,y\nx1,a,0\nx2,a,1\nx3,b,0\n", &o, LOGREG_EINVAL,
               "catmax.csv: column \"id\" (3) has more distinct values than 'max_categories' 2");
  o.max_categories = 0; /* no limit */
  CHECK(read_text("catmax.csv", "id,s,y\nx1,a,0\nx2,a,1\nx3,b,0\n", &o, &ds, &err) == LOGREG_OK);
  CHECK(ds && ds->d == 5);
  logreg_dataset_free(ds);
  o.max_categories = 100;
  o.categorical = "y";
  EXPECT_ERROR("cattgt.csv", "a,y\n1,0\n2,1\n", &o, LOGREG_EINVAL,
               "cattgt.csv: 'categorical': column \"y\" is not a feature (it is the target)");
  o.categorical = "zz";
  EXPECT_ERROR("cattgt.csv", "a,y\n1,0\n2,1\n", &o, LOGREG_EINVAL,
               "cattgt.csv:1: categorical column \"zz\" not found in the header");
  o.categorical = NULL;

  /* Reading for a model: s one-hot over {a, b}, v numeric, any column order; "c" and a
   * missing s are unseen (the model has no "" category). */
  const char *src[3] = {"s", "s", "v"}, *mcat[3] = {"a", "b", NULL};
  logreg_read_options om = defaults();
  om.feature_names = src;
  om.feature_categories = mcat;
  om.n_features = 3;
  om.target_optional = 1;
  CHECK(read_text("catm.csv", "v,s\n1,b\n2,c\n3,\n4,a\n", &om, &ds, &err) == LOGREG_OK);
  if (ds) {
    static const float x[12] = {0, 1, 1, 0, 0, 2, 0, 0, 3, 1, 0, 4};
    CHECK(ds->d == 3 && ds->n == 4 && !ds->y);
    for (size_t i = 0; i < 12 && ds->d == 3; i++) CHECK(ds->x[i] == x[i]);
    CHECK(name_is(ds->feature_names[0], "s=a") && name_is(ds->feature_names[2], "v"));
    CHECK(logreg_dataset_unseen_rows(ds) == 2 && logreg_dataset_unseen(ds, 0) == 2);
    CHECK(logreg_dataset_unseen(ds, 1) == 0 && logreg_dataset_categorical_columns(ds) == 1);
  }
  logreg_dataset_free(ds);

  /* The split keeps the categories of its training part: k is the row number, c its category
   * (k % 7), so the expected categories follow from the training rows' k. */
  char big[4096];
  size_t len = (size_t)snprintf(big, sizeof big, "k,c,y\n");
  for (int i = 0; i < 40; i++)
    len += (size_t)snprintf(big + len, sizeof big - len, "%d,v%d,%d\n", i,
                            i % 7 == 6 && i > 6 ? 5 : i % 7, i % 2);
  CHECK(read_text("catsplit.csv", big, &o, &ds, &err) == LOGREG_OK);
  logreg_dataset *tr = NULL, *va = NULL, *te = NULL;
  if (ds && logreg_dataset_split(ds, 0.5, 0.5, 0, 1, &tr, &va, &te, &err) == LOGREG_OK && tr &&
      va) {
    int seen[7] = {0};
    for (size_t i = 0; i < tr->n; i++) {
      int k = (int)tr->x[i * tr->d];
      seen[k % 7 == 6 && k > 6 ? 5 : k % 7] = 1;
    }
    size_t want = 0;
    for (int c = 0; c < 7; c++) want += (size_t)seen[c];
    /* (seed 1 puts the one row of v6 in the validation part: a category is removed) */
    CHECK(tr->d == 1 + want && want == 6 && !seen[6] && va->d == tr->d && ds->d == 8);
    for (size_t j = 1; j < tr->d; j++) {
      char v[8];
      const char *cat = logreg_dataset_feature_category(tr, j);
      CHECK(cat && cat[0] == 'v' && seen[cat[1] - '0']);
      snprintf(v, sizeof v, "c=%s", cat ? cat : "");
      CHECK(name_is(tr->feature_names[j], v) && name_is(va->feature_names[j], v));
    }
    /* A validation row whose category the training part lacks is all zeros. */
    for (size_t i = 0; i < va->n; i++) {
      int k = (int)va->x[i * va->d], c = k % 7 == 6 && k > 6 ? 5 : k % 7;
      float sum = 0;
      for (size_t j = 1; j < va->d; j++) sum += va->x[i * va->d + j];
      CHECK(sum == (seen[c] ? 1.0f : 0.0f));
    }
  } else {
    CHECK(0);
  }
  logreg_dataset_free(tr);
  logreg_dataset_free(va);
  logreg_dataset_free(te);
  logreg_dataset_free(ds);
}

int main(void) {
  test_quoting();
  test_line_endings();
  test_columns();
  test_labels_and_missing();
  test_errors();
  test_model_mode();
  test_weight_column();
  test_exact_names();
  test_delimiters();
  test_header_like_data();
  test_header_mixups();
  test_gzip();
  test_categorical();
  test_real_files();
  return check_report("test_csv");
}
