/* idx.c: the IDX reader (the MNIST family's binary format, e.g. Fashion-MNIST).
 *
 * An IDX file is a 4-byte big-endian magic 00 00 TT DD (TT the element type, DD the number of
 * dimensions), DD big-endian 32-bit sizes, then the elements. Only unsigned bytes (TT = 0x08)
 * are supported, as every MNIST-style dataset uses them. The images file (usually magic
 * 0x00000803: count, rows, cols) gives one row per item and one feature per remaining element
 * ("pixel0".."pixel{D-1}", values 0..255 as floats); any 1 to 4 dimensions are accepted. The
 * labels file (opt->labels, magic 0x00000801) must hold one byte per image; its classes are the
 * distinct values present, in numeric order, named by their decimal value. Without a labels
 * file the dataset is unlabelled.
 *
 * Gzip is detected by content in lr_load_file, so names need not end in .gz. Payload sizes are
 * checked exactly: a short file and trailing bytes are both errors, since either means the
 * wrong or a damaged file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/readers.h"
#include "data/source.h"
#include "util/util.h"

typedef struct idx_info {
  size_t count;  /* first dimension: items */
  size_t item;   /* product of the other dimensions: elements per item */
  size_t offset; /* where the data starts */
} idx_info;

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Checks the header and the payload size. `labels`: the file must be a 1-D labels file. */
static logreg_status idx_parse(const char *path, const unsigned char *b, size_t len, int labels,
                               idx_info *info, logreg_error *err) {
  const char *expected =
      labels ? "0x00000801 (labels)" : "0x00000803 (images) or 0x00000801 (labels)";
  if (len < 4)
    return lr_fail(err, LOGREG_EPARSE, "%s: not an IDX file: %zu bytes, too short for the magic",
                   path, len);
  uint32_t magic = be32(b);
  unsigned ndims = b[3];
  if (b[0] != 0 || b[1] != 0 || ndims < 1 || ndims > 4)
    return lr_fail(err, LOGREG_EPARSE, "%s: not an IDX file: magic 0x%08X, expected %s", path,
                   (unsigned)magic, expected);
  if (b[2] != 0x08)
    return lr_fail(err, LOGREG_EPARSE,
                   "%s: unsupported IDX element type 0x%02X (magic 0x%08X): only 0x08, unsigned "
                   "bytes, is supported",
                   path, (unsigned)b[2], (unsigned)magic);
  if (labels && ndims != 1)
    return lr_fail(err, LOGREG_EPARSE,
                   "%s: not an IDX labels file: magic 0x%08X has %u dimensions, expected %s", path,
                   (unsigned)magic, ndims, expected);
  size_t header = 4 + 4 * (size_t)ndims;
  if (len < header)
    return lr_fail(err, LOGREG_EPARSE, "%s: truncated IDX header: %zu bytes, expected %zu", path,
                   len, header);
  size_t count = be32(b + 4), item = 1;
  for (unsigned i = 1; i < ndims; i++) {
    size_t dim = be32(b + 4 + 4 * i);
    if (dim && item > SIZE_MAX / dim)
      return lr_fail(err, LOGREG_EPARSE, "%s: IDX dimensions too large", path);
    item *= dim;
  }
  if (item && count > SIZE_MAX / item)
    return lr_fail(err, LOGREG_EPARSE, "%s: IDX dimensions too large", path);
  size_t need = count * item, have = len - header;
  if (have < need)
    return lr_fail(err, LOGREG_EPARSE, "%s: expected %zu bytes of data, found %zu", path, need,
                   have);
  if (have > need)
    return lr_fail(err, LOGREG_EPARSE,
                   "%s: expected %zu bytes of data, found %zu (%zu unexpected bytes at the end)",
                   path, need, have, have - need);
  if (count == 0) return lr_fail(err, LOGREG_EPARSE, "%s: the IDX file holds no items", path);
  if (item == 0) return lr_fail(err, LOGREG_EPARSE, "%s: the IDX items have no elements", path);
  info->count = count;
  info->item = item;
  info->offset = header;
  return LOGREG_OK;
}

/* Labels: one byte per image, encoded through their decimal names so that numeric order and a
 * model's class list work exactly as for the text formats. */
static logreg_status read_labels(const char *images_path, logreg_dataset *ds,
                                 const logreg_read_options *opt, logreg_error *err) {
  const char *path = opt->labels;
  char *buf;
  size_t len;
  logreg_status st = lr_load_file(path, &buf, &len, err);
  if (st != LOGREG_OK) return st;
  idx_info info;
  if (len == 0) {
    st = lr_fail(err, LOGREG_EPARSE, "%s: empty file", path);
  } else {
    st = idx_parse(path, (const unsigned char *)buf, len, 1, &info, err);
  }
  if (st == LOGREG_OK && info.count != ds->n)
    st = lr_fail(err, LOGREG_EPARSE, "%s: %zu labels, but %s holds %zu images", path, info.count,
                 images_path, ds->n);
  char names[256][4];
  char **labels = NULL;
  if (st == LOGREG_OK) {
    for (int v = 0; v < 256; v++) snprintf(names[v], sizeof names[v], "%d", v);
    labels = malloc(ds->n * sizeof *labels);
    if (!labels) st = lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
  }
  if (st == LOGREG_OK) {
    const unsigned char *data = (const unsigned char *)buf + info.offset;
    for (size_t i = 0; i < ds->n; i++) labels[i] = names[data[i]];
    size_t bad = 0;
    int r = lr_encode_labels(ds, labels, opt->class_names, opt->n_classes, &bad);
    if (r < 0)
      st = lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
    else if (r > 0)
      st = lr_fail(err, LOGREG_EPARSE,
                   "%s: label %s of item %zu (0-based) is not one of the model's classes", path,
                   labels[bad], bad);
  }
  free(labels);
  free(buf);
  return st;
}

logreg_status lr_read_idx(const char *path, const unsigned char *buf, size_t len,
                          const logreg_read_options *opt, logreg_dataset **out, logreg_error *err) {
  idx_info info;
  logreg_status st = idx_parse(path, buf, len, 0, &info, err);
  if (st != LOGREG_OK) return st;
  logreg_dataset *ds = lr_dataset_alloc(info.count, info.item, opt->labels != NULL);
  if (!ds)
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory for %zu images x %zu features", path,
                   info.count, info.item);
  const unsigned char *data = buf + info.offset;
  for (size_t i = 0; i < info.count * info.item; i++) ds->x[i] = (float)data[i];
  for (size_t j = 0; j < info.item; j++) {
    char name[32];
    snprintf(name, sizeof name, "pixel%zu", j);
    if (!(ds->feature_names[j] = lr_strdup(name))) {
      logreg_dataset_free(ds);
      return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
    }
  }
  if (opt->labels) {
    st = read_labels(path, ds, opt, err);
    if (st != LOGREG_OK) {
      logreg_dataset_free(ds);
      return st;
    }
  }
  *out = ds;
  return LOGREG_OK;
}
