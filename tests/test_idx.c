/* test_idx.c: the IDX reader on small files written here (plain and gzipped with zlib's gzopen):
 * values, names, labels and their classes, gzip detected by content, every error message; and
 * the real Fashion-MNIST files when the Debian package is installed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "data/dataset.h"
#include "logreg.h"

#define TMP_PREFIX "test_idx"

/* An IDX file in buf: magic 00 00 type ndims, the sizes big-endian, then `n` data bytes. */
static size_t make_idx(unsigned char *buf, unsigned type, unsigned ndims, const uint32_t *dims,
                       const unsigned char *data, size_t n) {
  size_t p = 0;
  buf[p++] = 0;
  buf[p++] = 0;
  buf[p++] = (unsigned char)type;
  buf[p++] = (unsigned char)ndims;
  for (unsigned i = 0; i < ndims; i++)
    for (int s = 24; s >= 0; s -= 8) buf[p++] = (unsigned char)(dims[i] >> s);
  memcpy(buf + p, data, n);
  return p + n;
}

/* Paths of the shared fixture: 3 images of 2x2 and their labels 7, 2, 7. */
static char images_path[512], labels_path[512];
static unsigned char pixels[12];

static void make_fixture(void) {
  unsigned char buf[256];
  for (int i = 0; i < 12; i++) pixels[i] = (unsigned char)(i * 20 + 15);
  const uint32_t dims[3] = {3, 2, 2};
  check_tmp_path(images_path, sizeof images_path, TMP_PREFIX, "imgs-idx3-ubyte");
  check_write_file(images_path, buf, make_idx(buf, 0x08, 3, dims, pixels, 12));
  const uint32_t ldims[1] = {3};
  const unsigned char labels[3] = {7, 2, 7};
  check_tmp_path(labels_path, sizeof labels_path, TMP_PREFIX, "lbls-idx1-ubyte");
  check_write_file(labels_path, buf, make_idx(buf, 0x08, 1, ldims, labels, 3));
}

static void check_fixture(const logreg_dataset *ds, int labelled) {
  CHECK(ds->n == 3 && ds->d == 4 && ds->missing == 0);
  for (int i = 0; i < 12; i++) CHECK(ds->x[i] == (float)pixels[i]);
  CHECK(name_is(ds->feature_names[0], "pixel0") && name_is(ds->feature_names[3], "pixel3"));
  CHECK(ds->n_columns == 4 && ds->target_column == -1 && ds->feature_columns == NULL);
  if (labelled) {
    CHECK(ds->y && ds->k == 2);
    CHECK(name_is(ds->class_names[0], "2") && name_is(ds->class_names[1], "7"));
    CHECK(ds->y && ds->y[0] == 1 && ds->y[1] == 0 && ds->y[2] == 1);
  } else {
    CHECK(ds->y == NULL && ds->k == 0);
  }
}

/* Reading `path` with `opt` must succeed and give the fixture, with its labels or without. */
static void expect_fixture(const char *path, const logreg_read_options *opt, int labelled) {
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_read(path, opt, &ds, &err) == LOGREG_OK);
  if (ds) check_fixture(ds, labelled);
  logreg_dataset_free(ds);
}

static void test_plain(void) {
  logreg_read_options o;
  logreg_read_options_init(&o);
  o.labels = labels_path;
  expect_fixture(images_path, &o, 1);
  expect_fixture(images_path, NULL, 0);
}

static void test_gzip(void) {
  unsigned char buf[256];
  const uint32_t dims[3] = {3, 2, 2}, ldims[1] = {3};
  const unsigned char labels[3] = {7, 2, 7};
  char img[512], lab[512], noext[512];
  check_tmp_path(img, sizeof img, TMP_PREFIX, "imgs.idx.gz");
  check_write_gz(img, buf, make_idx(buf, 0x08, 3, dims, pixels, 12));
  /* gzipped, but the name does not say so */
  check_tmp_path(lab, sizeof lab, TMP_PREFIX, "labels.bin");
  check_write_gz(lab, buf, make_idx(buf, 0x08, 1, ldims, labels, 3));
  check_tmp_path(noext, sizeof noext, TMP_PREFIX, "plain-ubyte");
  check_write_gz(noext, buf, make_idx(buf, 0x08, 3, dims, pixels, 12));

  logreg_read_options o;
  logreg_read_options_init(&o);
  o.labels = lab;
  expect_fixture(img, &o, 1);
  expect_fixture(noext, &o, 1);

  /* A plain file named .gz is read by its content. */
  char plain_gz[512];
  check_tmp_path(plain_gz, sizeof plain_gz, TMP_PREFIX, "really-plain-ubyte.gz");
  check_write_file(plain_gz, buf, make_idx(buf, 0x08, 3, dims, pixels, 12));
  expect_fixture(plain_gz, &o, 1);

  /* Damaged gzip: cut short, and a wrong CRC. */
  size_t gz_len = 0;
  unsigned char gz[512];
  FILE *f = fopen(img, "rb");
  CHECK(f != NULL);
  if (f) {
    gz_len = fread(gz, 1, sizeof gz, f);
    fclose(f);
  }
  CHECK(gz_len > 20);
  char bad[512];
  check_tmp_path(bad, sizeof bad, TMP_PREFIX, "cut-ubyte.gz");
  check_write_file(bad, gz, gz_len - 4);
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_read(bad, NULL, &ds, &err) == LOGREG_EIO);
  CHECK(ds == NULL);
  CHECK_STR_CONTAINS(err.message, "cut-ubyte.gz: gzip: unexpected end of file");
  check_write_file(bad, gz, gz_len / 2);
  CHECK(logreg_dataset_read(bad, NULL, &ds, &err) == LOGREG_EIO);
  CHECK_STR_CONTAINS(err.message, "cut-ubyte.gz: gzip: unexpected end of file");
  check_write_file(bad, gz, 12);
  CHECK(logreg_dataset_read(bad, NULL, &ds, &err) == LOGREG_EIO);
  CHECK_STR_CONTAINS(err.message, "cut-ubyte.gz: gzip: unexpected end of file");
  gz[gz_len - 8] ^= 0xff;
  check_write_file(bad, gz, gz_len);
  CHECK(logreg_dataset_read(bad, NULL, &ds, &err) == LOGREG_EIO);
  CHECK_STR_CONTAINS(err.message, "cut-ubyte.gz: gzip: corrupt data: incorrect data check");
  unlink(bad);
  unlink(img);
  unlink(lab);
  unlink(noext);
  unlink(plain_gz);
}

static void test_shapes(void) {
  unsigned char buf[256];
  char path[512];
  logreg_dataset *ds = NULL;
  logreg_error err;
  logreg_read_options o;
  logreg_read_options_init(&o);
  o.format = LOGREG_FORMAT_IDX; /* the name does not say IDX */
  /* One dimension: one feature per item. */
  const uint32_t d1[1] = {3};
  check_tmp_path(path, sizeof path, TMP_PREFIX, "one.bin");
  check_write_file(path, buf, make_idx(buf, 0x08, 1, d1, pixels, 3));
  CHECK(logreg_dataset_read(path, &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n == 3 && ds->d == 1 && ds->x[2] == (float)pixels[2]);
  logreg_dataset_free(ds);
  /* Four dimensions: 2 items of 1 x 2 x 3. */
  const uint32_t d4[4] = {2, 1, 2, 3};
  check_write_file(path, buf, make_idx(buf, 0x08, 4, d4, pixels, 12));
  ds = NULL;
  CHECK(logreg_dataset_read(path, &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n == 2 && ds->d == 6 && ds->x[11] == (float)pixels[11]);
  logreg_dataset_free(ds);
  unlink(path);
}

/* Writes `len` bytes to a temp file called `name` and reads it as IDX with `labels`; the read
 * must fail with `status` and a message containing `needle`. */
static void expect_error(int line, const char *name, const unsigned char *data, size_t len,
                         const char *labels, logreg_status status, const char *needle) {
  logreg_read_options o;
  logreg_read_options_init(&o);
  o.format = LOGREG_FORMAT_IDX;
  o.labels = labels;
  logreg_dataset *ds = NULL;
  logreg_error err;
  logreg_status st = check_read_data(TMP_PREFIX, name, data, len, 0, &o, &ds, &err);
  if (st != status || !strstr(err.message, needle))
    fprintf(stderr, "test_idx.c:%d: expected status %d and \"%s\", got %d \"%s\"\n", line,
            (int)status, needle, (int)st, err.message);
  CHECK(st == status);
  CHECK(ds == NULL);
  CHECK_STR_CONTAINS(err.message, needle);
  logreg_dataset_free(ds);
}

static void test_errors(void) {
  unsigned char buf[256] = {0};
  const uint32_t dims[3] = {3, 2, 2};
  size_t len;
  expect_error(__LINE__, "empty.idx", buf, 0, NULL, LOGREG_EPARSE, "empty.idx: empty file");
  expect_error(__LINE__, "tiny.idx", (const unsigned char *)"abc", 3, NULL, LOGREG_EPARSE,
               "tiny.idx: not an IDX file: 3 bytes, too short for the magic");
  expect_error(__LINE__, "text.idx", (const unsigned char *)"ABCDEFGHIJKL", 12, NULL, LOGREG_EPARSE,
               "text.idx: not an IDX file: magic 0x41424344, expected 0x00000803 (images) or "
               "0x00000801 (labels)");
  len = make_idx(buf, 0x08, 0, dims, pixels, 0);
  expect_error(__LINE__, "nodims.idx", buf, len, NULL, LOGREG_EPARSE,
               "nodims.idx: not an IDX file: magic 0x00000800");
  len = make_idx(buf, 0x0D, 3, dims, pixels, 12);
  expect_error(__LINE__, "float.idx", buf, len, NULL, LOGREG_EPARSE,
               "float.idx: unsupported IDX element type 0x0D (magic 0x00000D03): only 0x08");
  len = make_idx(buf, 0x08, 3, dims, pixels, 11);
  expect_error(__LINE__, "short.idx", buf, len, NULL, LOGREG_EPARSE,
               "short.idx: expected 12 bytes of data, found 11");
  len = make_idx(buf, 0x08, 3, dims, pixels, 12);
  buf[len++] = 0;
  expect_error(__LINE__, "long.idx", buf, len, NULL, LOGREG_EPARSE,
               "long.idx: expected 12 bytes of data, found 13 (1 unexpected bytes at the end)");
  len = make_idx(buf, 0x08, 3, dims, pixels, 0);
  expect_error(__LINE__, "hdr.idx", buf, 10, NULL, LOGREG_EPARSE,
               "hdr.idx: truncated IDX header: 10 bytes, expected 16");
  const uint32_t zero[3] = {0, 2, 2};
  len = make_idx(buf, 0x08, 3, zero, pixels, 0);
  expect_error(__LINE__, "zero.idx", buf, len, NULL, LOGREG_EPARSE,
               "zero.idx: the IDX file holds no items");
  const uint32_t huge[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu};
  len = make_idx(buf, 0x08, 4, huge, pixels, 0);
  expect_error(__LINE__, "huge.idx", buf, len, NULL, LOGREG_EPARSE,
               "huge.idx: IDX dimensions too large");

  /* Labels file problems. */
  len = make_idx(buf, 0x08, 3, dims, pixels, 12);
  expect_error(__LINE__, "imgs1.idx", buf, len, images_path, LOGREG_EPARSE,
               "imgs-idx3-ubyte: not an IDX labels file: magic 0x00000803 has 3 dimensions, "
               "expected 0x00000801 (labels)");
  char lab2[512];
  check_tmp_path(lab2, sizeof lab2, TMP_PREFIX, "lbl2-idx1-ubyte");
  unsigned char lbuf[64];
  const uint32_t two[1] = {2};
  check_write_file(lab2, lbuf, make_idx(lbuf, 0x08, 1, two, pixels, 2));
  expect_error(__LINE__, "imgs2.idx", buf, len, lab2, LOGREG_EPARSE, "imgs2.idx holds 3 images");
  expect_error(__LINE__, "imgs3.idx", buf, len, lab2, LOGREG_EPARSE,
               "lbl2-idx1-ubyte: 2 labels, but ");
  check_write_file(lab2, lbuf, 0);
  expect_error(__LINE__, "imgs4.idx", buf, len, lab2, LOGREG_EPARSE, "lbl2-idx1-ubyte: empty file");
  unlink(lab2);
  expect_error(__LINE__, "imgs5.idx", buf, len, lab2, LOGREG_EIO,
               "lbl2-idx1-ubyte: cannot open: No such file or directory");

  /* A model's classes. */
  const char *classes[3] = {"0", "2", "5"};
  logreg_read_options o;
  logreg_read_options_init(&o);
  o.labels = labels_path;
  o.class_names = classes;
  o.n_classes = 3;
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_read(images_path, &o, &ds, &err) == LOGREG_EPARSE);
  CHECK(ds == NULL);
  CHECK_STR_CONTAINS(err.message,
                     "lbls-idx1-ubyte: label 7 of item 0 (0-based) is not one of the model's "
                     "classes");
  const char *classes2[3] = {"2", "7", "9"};
  o.class_names = classes2;
  CHECK(logreg_dataset_read(images_path, &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->k == 3 && ds->y[0] == 1 && ds->y[1] == 0 && name_is(ds->class_names[2], "9"));
  logreg_dataset_free(ds);
}

static void test_fashion_mnist(void) {
  const char *dir = "/usr/share/datasets/fashion-mnist";
  char img[256], lab[256];
  snprintf(img, sizeof img, "%s/train-images-idx3-ubyte.gz", dir);
  snprintf(lab, sizeof lab, "%s/train-labels-idx1-ubyte.gz", dir);
  FILE *f = fopen(img, "rb");
  if (!f) {
    fprintf(stderr, "note: %s not found (package dataset-fashion-mnist); skipping its checks\n",
            img);
    return;
  }
  fclose(f);
  logreg_read_options o;
  logreg_read_options_init(&o);
  o.labels = lab;
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_dataset_read(img, &o, &ds, &err) == LOGREG_OK);
  if (ds) {
    CHECK(ds->n == 60000 && ds->d == 784 && ds->k == 10);
    size_t counts[10] = {0};
    for (size_t i = 0; i < ds->n; i++) counts[ds->y[i]]++;
    for (int c = 0; c < 10; c++) {
      char want[4];
      snprintf(want, sizeof want, "%d", c);
      CHECK(counts[c] == 6000);
      CHECK(name_is(ds->class_names[c], want));
    }
    float lo = 255, hi = 0;
    for (size_t i = 0; i < ds->n * ds->d; i++) {
      if (ds->x[i] < lo) lo = ds->x[i];
      if (ds->x[i] > hi) hi = ds->x[i];
    }
    CHECK(lo == 0.0f && hi == 255.0f);
    CHECK(name_is(ds->feature_names[783], "pixel783"));
  }
  logreg_dataset_free(ds);
  snprintf(img, sizeof img, "%s/t10k-images-idx3-ubyte.gz", dir);
  snprintf(lab, sizeof lab, "%s/t10k-labels-idx1-ubyte.gz", dir);
  ds = NULL;
  CHECK(logreg_dataset_read(img, &o, &ds, &err) == LOGREG_OK);
  if (ds) CHECK(ds->n == 10000 && ds->d == 784 && ds->k == 10);
  logreg_dataset_free(ds);
}

int main(void) {
  make_fixture();
  test_plain();
  test_gzip();
  test_shapes();
  test_errors();
  test_fashion_mnist();
  unlink(images_path);
  unlink(labels_path);
  return check_report("test_idx");
}
