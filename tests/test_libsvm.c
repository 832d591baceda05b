/* test_libsvm.c: the LIBSVM/svmlight reader: dense layout, comments and blank lines, label
 * encoding (+1/-1, 1/2/3), a model's feature count and classes, gzip, and every error message
 * with its file:line:column (byte column). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "dataset.h"
#include "logreg.h"

static int tmp_counter;

static void tmp_path(char *buf, size_t cap, const char *name) {
  const char *dir = getenv("LOGREG_TMP");
  if (!dir) dir = "/tmp";
  snprintf(buf, cap, "%s/test_libsvm_%ld_%d_%s", dir, (long)getpid(), tmp_counter++, name);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  if (!f) return;
  CHECK(fwrite(text, 1, strlen(text), f) == strlen(text));
  CHECK(fclose(f) == 0);
}

/* Writes `text` to a temp file called `name` (the name picks the format), reads it, removes it. */
static logreg_status read_text(const char *name, const char *text, const logreg_read_options *opt,
                               logreg_dataset **ds, logreg_error *err) {
  char path[512];
  tmp_path(path, sizeof path, name);
  write_file(path, text);
  *ds = NULL;
  logreg_status st = logreg_dataset_read(path, opt, ds, err);
  unlink(path);
  return st;
}

#define EXPECT_ERROR(name, text, opt, status, needle)                                              \
  do {                                                                                             \
    logreg_error e_;                                                                               \
    logreg_dataset *d_ = NULL;                                                                     \
    logreg_status s_ = read_text(name, text, opt, &d_, &e_);                                       \
    CHECK(s_ == (status));                                                                         \
    CHECK(d_ == NULL);                                                                             \
    CHECK_STR_CONTAINS(e_.message, needle);                                                        \
    logreg_dataset_free(d_);                                                                       \
  } while (0)

static int name_is(const char *got, const char *want) { return got && strcmp(got, want) == 0; }

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
    for (int i = 0; i < 9; i++) CHECK(ds->x[i] == want[i]);
    /* Numeric order: -1 before +1; the names are the labels as written. */
    CHECK(name_is(ds->class_names[0], "-1") && name_is(ds->class_names[1], "+1"));
    CHECK(ds->y[0] == 1 && ds->y[1] == 0 && ds->y[2] == 1);
    CHECK(name_is(ds->feature_names[0], "f1") && name_is(ds->feature_names[2], "f3"));
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
    CHECK(ds->x[4 + 1] == 2.0f && ds->x[8 + 3] == 4.0f && ds->x[12] == 5.0f);
  }
  logreg_dataset_free(ds);

  /* String labels work too. */
  CHECK(read_text("str.libsvm", "cat 1:1\ndog 1:2\ncat 2:1\n", NULL, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->k == 2 && name_is(ds->class_names[1], "dog") && ds->y[2] == 0 && ds->d == 2);
  logreg_dataset_free(ds);

  /* A row without features is all zeros. */
  CHECK(read_text("zero.svm", "1 2:1\n0\n", NULL, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n == 2 && ds->d == 2 && ds->x[2] == 0.0f && ds->x[3] == 0.0f);
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
    CHECK(ds->d == 5 && ds->k == 2 && name_is(ds->feature_names[4], "f5"));
    CHECK(ds->y[0] == 1 && ds->y[1] == 0 && name_is(ds->class_names[1], "1"));
  }
  logreg_dataset_free(ds);
  EXPECT_ERROR("model2.svm", "1 2:1\n1 6:1\n", &o, LOGREG_EPARSE,
               "model2.svm:2:3: feature index 6 is beyond the model's 5 features");
  EXPECT_ERROR("model3.svm", "1 2:1\n  3 1:1\n", &o, LOGREG_EPARSE,
               "model3.svm:2:3: label \"3\" is not one of the model's classes");
}

static void test_errors(void) {
  logreg_read_options o;
  logreg_read_options_init(&o);
  EXPECT_ERROR("empty.svm", "", &o, LOGREG_EPARSE, "empty.svm: empty file");
  EXPECT_ERROR("comments.svm", "# nothing\n\n", &o, LOGREG_EPARSE, "comments.svm: no data rows");
  EXPECT_ERROR("nofeat.svm", "1\n2\n", &o, LOGREG_EPARSE,
               "nofeat.svm: no features: no line has an INDEX:VALUE pair");
  EXPECT_ERROR("zero.svm", "1 1:1\n1 0:1\n", &o, LOGREG_EPARSE,
               "zero.svm:2:3: feature index 0: indices start at 1");
  EXPECT_ERROR("order.svm", "1 1:1 3:1 2:1\n", &o, LOGREG_EPARSE,
               "order.svm:1:11: feature index 2 after index 3: indices must increase");
  EXPECT_ERROR("same.svm", "1 3:1  3:1\n", &o, LOGREG_EPARSE,
               "same.svm:1:8: feature index 3 after index 3");
  EXPECT_ERROR("badidx.svm", "1 a:1\n", &o, LOGREG_EPARSE,
               "badidx.svm:1:3: bad feature index \"a\"");
  EXPECT_ERROR("badidx2.svm", "1 -2:1\n", &o, LOGREG_EPARSE,
               "badidx2.svm:1:3: bad feature index \"-2\"");
  EXPECT_ERROR("noidx.svm", "1 :1\n", &o, LOGREG_EPARSE, "noidx.svm:1:3: bad feature index \"\"");
  EXPECT_ERROR("huge.svm", "1 99999999999999999999999:1\n", &o, LOGREG_EPARSE,
               "huge.svm:1:3: bad feature index");
  EXPECT_ERROR("nocolon.svm", "1 1:1\n1 1:2 5\n", &o, LOGREG_EPARSE,
               "nocolon.svm:2:7: expected INDEX:VALUE, found \"5\"");
  EXPECT_ERROR("nolabel.svm", "1 1:1\n\t1:2 3:4\n", &o, LOGREG_EPARSE,
               "nolabel.svm:2:2: missing label: the line starts with \"1:2\"");
  EXPECT_ERROR("badval.svm", "1 1:abc\n", &o, LOGREG_EPARSE,
               "badval.svm:1:5: not a number: \"abc\"");
  EXPECT_ERROR("noval.svm", "1 1: 2:3\n", &o, LOGREG_EPARSE, "noval.svm:1:5: not a number: \"\"");
  EXPECT_ERROR("nanval.svm", "1 1:1 2:nan\n", &o, LOGREG_EPARSE,
               "nanval.svm:1:9: non-finite value \"nan\"");
  EXPECT_ERROR("range.svm", "1 10:1e39\n", &o, LOGREG_EPARSE,
               "range.svm:1:6: value \"1e39\" is out of float32 range");
  EXPECT_ERROR("missing.svm", "1 1:?\n", &o, LOGREG_EPARSE, "missing.svm:1:5: not a number: \"?\"");
}

static void test_gzip(void) {
  char path[512];
  tmp_path(path, sizeof path, "data.svm.gz");
  gzFile g = gzopen(path, "wb");
  CHECK(g != NULL);
  if (!g) return;
  const char *text = "1 1:1 2:2\n-1 2:3\n";
  CHECK(gzwrite(g, text, (unsigned)strlen(text)) == (int)strlen(text));
  CHECK(gzclose(g) == Z_OK);
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_read(path, NULL, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n == 2 && ds->d == 2 && ds->x[3] == 3.0f && ds->y[0] == 1);
  logreg_dataset_free(ds);
  unlink(path);
}

int main(void) {
  test_basic();
  test_model();
  test_errors();
  test_gzip();
  return check_report("test_libsvm");
}
