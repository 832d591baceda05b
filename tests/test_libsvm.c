/* test_libsvm.c: the LIBSVM/svmlight reader: sparse (CSR) layout, comments and blank lines, label
 * encoding (+1/-1, 1/2/3), a model's feature count and classes, gzip, and every error message
 * with its file:line:column (byte column). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "data/dataset.h"
#include "logreg.h"

#define TMP_PREFIX "test_libsvm"

/* Writes `text` to a temp file called `name` (the name picks the format), reads it, removes it. */
static logreg_status read_text(const char *name, const char *text, const logreg_read_options *opt,
                               logreg_dataset **ds, logreg_error *err) {
  return check_read_text(TMP_PREFIX, name, text, opt, ds, err);
}

/* Reading must fail with `status` and a message containing `needle`. */
#define EXPECT_ERROR(name, text, opt, status, needle)                                              \
  CHECK_READ_ERROR(TMP_PREFIX, name, text, opt, status, needle)

static void test_basic(void) {
  logreg_dataset *ds;
  logreg_error err;
  const char *text = "# a comment line\n"
                     "+1 1:0.5 3:2\n"
                     "-1 2:1.5   # trailing comment\n"
                     "\n"
                     "   \n"
                     "+1\t3:-1\n";
  CHECK(read_text("basic.svm", text, NULL, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->n == 3 && ds->d == 3 && ds->k == 2 && ds->missing == 0);
    const float want[9] = {0.5f, 0, 2, 0, 1.5f, 0, 0, 0, -1};
    float *x = lr_dataset_dense(ds);
    CHECK(x != NULL);
    for (int i = 0; x && i < 9; i++) CHECK(x[i] == want[i]);
    free(x);
    /* Stored as CSR: the nonzeros as written, row pointers, no dense matrix. */
    CHECK(ds->x == NULL && lr_dataset_sparse(ds) && ds->nnz == 4);
    CHECK(ds->indptr[0] == 0 && ds->indptr[1] == 2 && ds->indptr[2] == 3 && ds->indptr[3] == 4);
    CHECK(ds->indices[0] == 0 && ds->indices[1] == 2 && ds->indices[2] == 1 && ds->indices[3] == 2);
    CHECK(ds->values[0] == 0.5f && ds->values[3] == -1.0f);
    CHECK(logreg_dataset_is_sparse(ds) && logreg_dataset_nnz(ds) == 4 && !logreg_dataset_x(ds));
    /* Numeric order: -1 before +1; the names are the labels as written. */
    CHECK(name_is(ds->class_names[0], "-1") && name_is(ds->class_names[1], "+1"));
    CHECK(ds->y[0] == 1 && ds->y[1] == 0 && ds->y[2] == 1);
    CHECK(name_is(logreg_dataset_feature_name(ds, 0), "f1") &&
          name_is(logreg_dataset_feature_name(ds, 2), "f3"));
    CHECK(ds->target_column == -1 && ds->feature_columns == NULL && ds->n_columns == 3);
  }
  logreg_dataset_free(ds);

  /* Multiclass 1/2/10 with CRLF, tabs, "2" and "2.0" one class, qid ignored, no final
   * newline. Read as --format libsvm whatever the name. */
  logreg_read_options o;
  logreg_read_options_init(&o);
  o.format = LOGREG_FORMAT_LIBSVM;
  CHECK(read_text("multi.txt", "10 qid:3 1:1\r\n2\t2:2\r\n1 1:3 4:4\r\n2.0 1:5", &o, &ds, &err) ==
        LOGREG_OK);
  if (ds) {
    CHECK(ds->n == 4 && ds->d == 4 && ds->k == 3);
    CHECK(name_is(ds->class_names[0], "1") && name_is(ds->class_names[1], "2"));
    CHECK(name_is(ds->class_names[2], "10"));
    CHECK(ds->y[0] == 2 && ds->y[1] == 1 && ds->y[2] == 0 && ds->y[3] == 1);
    float *x = lr_dataset_dense(ds);
    CHECK(x && x[4 + 1] == 2.0f && x[8 + 3] == 4.0f && x[12] == 5.0f);
    free(x);
  }
  logreg_dataset_free(ds);

  /* String labels work too. */
  CHECK(read_text("str.libsvm", "cat 1:1\ndog 1:2\ncat 2:1\n", NULL, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->k == 2 && name_is(ds->class_names[1], "dog") && ds->y[2] == 0 && ds->d == 2);
  logreg_dataset_free(ds);

  /* A row without features is all zeros. */
  CHECK(read_text("zero.svm", "1 2:1\n0\n", NULL, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n == 2 && ds->d == 2 && ds->nnz == 1 && ds->indptr[2] == 1);
  logreg_dataset_free(ds);

  /* Indices past 2^22 up to 2^31 - 1: memory follows the nonzeros, not D. */
  CHECK(read_text("wide.svm", "1 3:1 2000000000:2\n0 2147483647:-1\n", NULL, &ds, &err) ==
        LOGREG_OK);
  if (ds) {
    CHECK(ds->n == 2 && ds->d == 2147483647u && ds->nnz == 3);
    CHECK(ds->indices[1] == 1999999999 && ds->indices[2] == 2147483646 && ds->values[1] == 2.0f);
    CHECK(name_is(logreg_dataset_feature_name(ds, 1999999999), "f2000000000"));
  }
  logreg_dataset_free(ds);
}

static void test_model(void) {
  logreg_dataset *ds;
  logreg_error err;
  logreg_read_options o;
  logreg_read_options_init(&o);
  o.n_features = 5;
  const char *classes[2] = {"-1", "1"};
  o.class_names = classes;
  o.n_classes = 2;
  CHECK(read_text("model.svm", "+1 2:1\n-1 1:1\n", &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->d == 5 && ds->k == 2 && name_is(logreg_dataset_feature_name(ds, 4), "f5"));
    CHECK(ds->y[0] == 1 && ds->y[1] == 0 && name_is(ds->class_names[1], "1"));
  }
  logreg_dataset_free(ds);
  EXPECT_ERROR("model2.svm", "1 2:1\n1 6:1\n", &o, LOGREG_EPARSE,
               "model2.svm:2:3: feature index 6 is beyond the model's 5 features");
  EXPECT_ERROR("model3.svm", "1 2:1\n  3 1:1\n", &o, LOGREG_EPARSE,
               "model3.svm:2:3: label \"3\" is not one of the model's classes");
}

static void test_errors(void) {
  /* Each bad file, read with the default options, fails to parse with this message. */
  static const struct {
    const char *name, *text, *needle;
  } parse_errors[] = {
      {"empty.svm", "", "empty.svm: empty file"},
      {"comments.svm", "# nothing\n\n", "comments.svm: no data rows"},
      {"nofeat.svm", "1\n2\n", "nofeat.svm: no features: no line has an INDEX:VALUE pair"},
      {"zero.svm", "1 1:1\n1 0:1\n", "zero.svm:2:3: feature index 0: indices start at 1"},
      {"order.svm", "1 1:1 3:1 2:1\n",
       "order.svm:1:11: feature index 2 after index 3: indices must increase"},
      {"same.svm", "1 3:1  3:1\n", "same.svm:1:8: feature index 3 after index 3"},
      {"badidx.svm", "1 a:1\n", "badidx.svm:1:3: bad feature index \"a\""},
      {"badidx2.svm", "1 -2:1\n", "badidx2.svm:1:3: bad feature index \"-2\""},
      {"noidx.svm", "1 :1\n", "noidx.svm:1:3: bad feature index \"\""},
      {"huge.svm", "1 99999999999999999999999:1\n",
       "huge.svm:1:3: feature index 99999999999999999999999 is too large: at most 2147483647"},
      {"big.svm", "1 1:1\n0 2147483648:1\n",
       "big.svm:2:3: feature index 2147483648 is too large: at most 2147483647 features"},
      {"badval2.svm", "1 1:1 2:1.5x\n", "badval2.svm:1:9: not a number: \"1.5x\""},
      {"nocolon.svm", "1 1:1\n1 1:2 5\n", "nocolon.svm:2:7: expected INDEX:VALUE, found \"5\""},
      {"nolabel.svm", "1 1:1\n\t1:2 3:4\n",
       "nolabel.svm:2:2: missing label: the line starts with \"1:2\""},
      {"badval.svm", "1 1:abc\n", "badval.svm:1:5: not a number: \"abc\""},
      {"noval.svm", "1 1: 2:3\n", "noval.svm:1:5: not a number: \"\""},
      {"nanval.svm", "1 1:1 2:nan\n", "nanval.svm:1:9: non-finite value \"nan\""},
      {"range.svm", "1 10:1e39\n", "range.svm:1:6: value \"1e39\" is out of float32 range"},
      {"missing.svm", "1 1:?\n", "missing.svm:1:5: not a number: \"?\""},
  };
  logreg_read_options o;
  logreg_read_options_init(&o);
  for (size_t i = 0; i < sizeof parse_errors / sizeof parse_errors[0]; i++)
    EXPECT_ERROR(parse_errors[i].name, parse_errors[i].text, &o, LOGREG_EPARSE,
                 parse_errors[i].needle);
}

/* A file gzipped with zlib (check_read_data's `gz` flag) reads like a plain one. */
static void test_gzip(void) {
  const char *text = "1 1:1 2:2\n-1 2:3\n";
  logreg_dataset *ds;
  logreg_error err;
  CHECK(check_read_data(TMP_PREFIX, "data.svm.gz", text, strlen(text), 1, NULL, &ds, &err) ==
        LOGREG_OK);
  if (ds) CHECK(ds->n == 2 && ds->d == 2 && ds->values[2] == 3.0f && ds->y[0] == 1);
  logreg_dataset_free(ds);
}

int main(void) {
  test_basic();
  test_model();
  test_errors();
  test_gzip();
  return check_report("test_libsvm");
}
