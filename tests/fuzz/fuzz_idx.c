/* fuzz_idx.c: libFuzzer target for the IDX reader (images in memory through lr_read_idx, the
 * labels file through lr_load_file, which also inflates gzip).
 *
 * Input layout: byte 0 holds flags (bit 0: a labels file is given; bit 1: labels restricted
 * to a model's classes), bytes 1-2 the big-endian length of the images part (clipped to what
 * is there), then the images file, then the labels file. The labels go to a memfd that the
 * reader opens by its /proc path, so nothing touches the disk. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "data/dataset.h"
#include "data/readers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int labels_fd = -1;
static char labels_path[64];

/* Replaces the memfd's content with data[0..n). */
static int put_labels(const uint8_t *data, size_t n) {
  if (labels_fd < 0) {
    labels_fd = memfd_create("fuzz-labels", 0);
    if (labels_fd < 0) abort();
    snprintf(labels_path, sizeof labels_path, "/proc/self/fd/%d", labels_fd);
  }
  if (ftruncate(labels_fd, 0) != 0) abort();
  return n == 0 || pwrite(labels_fd, data, n, 0) == (ssize_t)n ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 4) return 0;
  unsigned flags = data[0];
  size_t ilen = (size_t)data[1] << 8 | data[2];
  data += 3;
  size -= 3;
  if (ilen > size) ilen = size;
  if (ilen == 0) return 0; /* logreg_dataset_read refuses an empty file before the reader */
  static const char *const classes[] = {"0", "1", "7"};

  logreg_read_options opt;
  logreg_read_options_init(&opt);
  opt.format = LOGREG_FORMAT_IDX;
  if (flags & 1u) {
    if (put_labels(data + ilen, size - ilen) != 0) abort();
    opt.labels = labels_path;
  }
  if (flags & 2u) {
    opt.class_names = classes;
    opt.n_classes = 3;
  }
  /* An exact-size copy, so that ASan sees any read past the images. */
  unsigned char *img = malloc(ilen);
  if (!img) return 0;
  memcpy(img, data, ilen);
  logreg_dataset *ds = NULL;
  logreg_error err;
  logreg_status st = lr_read_idx("fuzz-ubyte", img, ilen, &opt, &ds, &err);
  if (st == LOGREG_OK) {
    if (!ds || ds->n == 0 || ds->d == 0) abort();
    for (size_t i = 0; ds->y && i < ds->n; i++)
      if (ds->y[i] < 0 || (size_t)ds->y[i] >= ds->k) abort();
    logreg_dataset_free(ds);
  } else if (ds || !err.message[0] || strchr(err.message, '\n')) {
    abort();
  }
  free(img);
  return 0;
}
