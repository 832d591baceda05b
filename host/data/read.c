/* read.c: logreg_dataset_read and what the readers share: loading a file into memory (gzip
 * detected by its magic bytes and inflated with zlib), choosing the format from the file name,
 * and parsing feature values.
 *
 * Files are read whole: the text readers then parse the buffer in place in one pass, without a
 * copy or an allocation per field, and every reader sees plain and gzipped files alike.
 */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "data/dataset.h"
#include "data/readers.h"
#include "util/util.h"

/* ---- Format by name ---- */

static int ends_with_ci(const char *s, size_t n, const char *suffix) {
  size_t m = strlen(suffix);
  if (m > n) return 0;
  for (size_t i = 0; i < m; i++)
    if (tolower((unsigned char)s[n - m + i]) != tolower((unsigned char)suffix[i])) return 0;
  return 1;
}

static int contains_ci(const char *s, size_t n, const char *needle) {
  size_t m = strlen(needle);
  for (size_t i = 0; i + m <= n; i++)
    if (ends_with_ci(s, i + m, needle)) return 1;
  return 0;
}

logreg_format lr_format_from_path(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  if (ends_with_ci(base, n, ".gz")) n -= 3;
  if (ends_with_ci(base, n, ".svm") || ends_with_ci(base, n, ".libsvm") ||
      ends_with_ci(base, n, ".svmlight"))
    return LOGREG_FORMAT_LIBSVM;
  if (ends_with_ci(base, n, ".idx") || contains_ci(base, n, "-ubyte")) return LOGREG_FORMAT_IDX;
  /* .txt is used for both CSV and LIBSVM files; CSV is the safer guess (its errors are clear). */
  return LOGREG_FORMAT_CSV;
}

/* ---- Loading ---- */

/* Inflates a gzip buffer (one or more members, as gzip itself writes when files are
 * concatenated) into a new NUL-terminated buffer. */
static logreg_status gunzip(const char *path, const unsigned char *in, size_t len, char **data,
                            size_t *out_len, logreg_error *err) {
  /* The trailer holds the size mod 2^32 of the last member: a good first guess, bounded by
   * deflate's best ratio (about 1032:1) so a corrupt trailer cannot ask for absurd memory. */
  size_t isize = (size_t)in[len - 4] | (size_t)in[len - 3] << 8 | (size_t)in[len - 2] << 16 |
                 (size_t)in[len - 1] << 24;
  size_t cap = len < SIZE_MAX / 1032 && isize > len * 1032 ? len * 1032 : isize;
  if (cap < 4096) cap = 4096;
  if (cap < SIZE_MAX) cap++; /* room for the NUL */
  char *out = malloc(cap);
  if (!out) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory for %zu bytes", path, cap);

  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    free(out);
    return lr_fail(err, LOGREG_ENOMEM, "%s: gzip: cannot initialise zlib", path);
  }
  size_t used = 0, consumed = 0;
  logreg_status st = LOGREG_OK;
  for (;;) {
    if (zs.avail_in == 0 && consumed < len) {
      size_t chunk = len - consumed < UINT_MAX ? len - consumed : UINT_MAX;
      zs.next_in = (Bytef *)(uintptr_t)(in + consumed); /* zlib does not write through it */
      zs.avail_in = (uInt)chunk;
      consumed += chunk;
    }
    if (used + 1 >= cap) {
      if (cap > SIZE_MAX / 2) {
        st = lr_fail(err, LOGREG_ENOMEM, "%s: gzip: decompressed data too large", path);
        break;
      }
      char *bigger = realloc(out, cap * 2);
      if (!bigger) {
        st = lr_fail(err, LOGREG_ENOMEM, "%s: out of memory for %zu bytes", path, cap * 2);
        break;
      }
      out = bigger;
      cap *= 2;
    }
    size_t room = cap - 1 - used;
    zs.next_out = (Bytef *)out + used;
    zs.avail_out = (uInt)(room < UINT_MAX ? room : UINT_MAX);
    uInt before = zs.avail_out;
    int ret = inflate(&zs, Z_NO_FLUSH);
    used += before - zs.avail_out;
    if (ret == Z_STREAM_END) {
      /* Another member follows? Anything else after the data (padding) is ignored, as gzip
       * does. */
      size_t left = zs.avail_in + (len - consumed);
      const unsigned char *next = (const unsigned char *)zs.next_in;
      if (left >= 2 && next[0] == 0x1f && next[1] == 0x8b) {
        inflateReset(&zs);
        continue;
      }
      break;
    }
    if (ret == Z_OK) continue;
    if (ret == Z_BUF_ERROR) {
      if (zs.avail_in == 0 && consumed == len) {
        st = lr_fail(err, LOGREG_EIO, "%s: gzip: unexpected end of file (truncated?)", path);
        break;
      }
      continue; /* output full: the top of the loop grows it */
    }
    if (ret == Z_MEM_ERROR) {
      st = lr_fail(err, LOGREG_ENOMEM, "%s: gzip: out of memory", path);
      break;
    }
    st = lr_fail(err, LOGREG_EIO, "%s: gzip: corrupt data: %s", path,
                 zs.msg ? zs.msg : "inflate failed");
    break;
  }
  inflateEnd(&zs);
  if (st != LOGREG_OK) {
    free(out);
    return st;
  }
  out[used] = '\0';
  *data = out;
  *out_len = used;
  return LOGREG_OK;
}

logreg_status lr_load_file(const char *path, char **data, size_t *len, logreg_error *err) {
  *data = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return lr_fail(err, LOGREG_EIO, "%s: cannot open: %s", path, strerror(errno));
  /* Size a regular file exactly (one byte for the NUL, one so fread sees EOF without a second
   * buffer); pipes and the like grow as they come. */
  size_t cap = 1 << 16;
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
      (uintmax_t)sb.st_size < SIZE_MAX - 2)
    cap = (size_t)sb.st_size + 2;
  char *buf = malloc(cap);
  if (!buf) {
    fclose(f);
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory for %zu bytes", path, cap);
  }
  size_t used = 0;
  for (;;) {
    size_t got = fread(buf + used, 1, cap - 1 - used, f);
    used += got;
    if (got == 0 || feof(f) || ferror(f)) break;
    if (used + 1 >= cap) { /* only for streams of unknown size: a regular file hit EOF */
      char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
      if (!bigger) {
        free(buf);
        fclose(f);
        return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory reading the file", path);
      }
      buf = bigger;
      cap *= 2;
    }
  }
  if (ferror(f)) {
    int e = errno;
    free(buf);
    fclose(f);
    return lr_fail(err, LOGREG_EIO, "%s: cannot read: %s", path, strerror(e));
  }
  fclose(f);
  buf[used] = '\0';
  if (used >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b) {
    if (used < 18) { /* 10-byte header + 8-byte trailer at least */
      free(buf);
      return lr_fail(err, LOGREG_EIO, "%s: gzip: unexpected end of file (truncated?)", path);
    }
    char *plain = NULL;
    size_t plain_len = 0;
    logreg_status st = gunzip(path, (const unsigned char *)buf, used, &plain, &plain_len, err);
    free(buf);
    if (st != LOGREG_OK) return st;
    buf = plain;
    used = plain_len;
  }
  *data = buf;
  *len = used;
  return LOGREG_OK;
}

/* ---- Values ---- */

int lr_is_missing(const char *s) { return !s[0] || strcmp(s, "?") == 0 || strcmp(s, "NA") == 0; }

/* nan, inf, infinity (any case, signed): strtod accepts them, but they are never data. */
static int looks_nonfinite(const char *s) {
  while (*s == ' ' || *s == '\t') s++;
  if (*s == '+' || *s == '-') s++;
  int c = tolower((unsigned char)*s);
  return c == 'i' || c == 'n';
}

static const double pow10_exact[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

int lr_parse_value(const char *s, float *out) {
  /* Fast path for plain decimals with at most 15 significant digits: the digits and the power
   * of ten are exact doubles, so one division gives the correctly rounded value, the same as
   * strtod (Clinger's fast path). Tens of millions of fields (Fashion-MNIST as CSV) make this
   * matter. */
  const char *p = s;
  int neg = 0;
  if (*p == '-' || *p == '+') neg = *p++ == '-';
  uint64_t m = 0;
  int digits = 0, frac = 0;
  for (; (unsigned)(*p - '0') < 10u; p++) {
    if (++digits > 15) goto slow;
    m = m * 10u + (uint64_t)(*p - '0');
  }
  if (*p == '.') {
    for (p++; (unsigned)(*p - '0') < 10u; p++) {
      if (++digits > 15) goto slow;
      m = m * 10u + (uint64_t)(*p - '0');
      frac++;
    }
  }
  if (*p || digits == 0) goto slow;
  double v = (double)m / pow10_exact[frac];
  *out = (float)(neg ? -v : v);
  return 0;
slow:;
  double d;
  int r = lr_parse_double(s, &d);
  if (r == -1) return -1;
  if (r == -2) return looks_nonfinite(s) ? -2 : -3;
  if (fabs(d) > FLT_MAX) return -3;
  *out = (float)d;
  return 0;
}

logreg_status lr_value_error(logreg_error *err, const char *where, const char *s, int r,
                             const char *suffix) {
  if (r == -2)
    return lr_fail(err, LOGREG_EPARSE,
                   "%s: non-finite value \"%.40s\"%s: use ?, NA or an empty field for missing "
                   "values",
                   where, s, suffix);
  if (r == -3)
    return lr_fail(err, LOGREG_EPARSE, "%s: value \"%.40s\" is out of float32 range%s", where, s,
                   suffix);
  return lr_fail(err, LOGREG_EPARSE, "%s: not a number: \"%.40s\"%s", where, s, suffix);
}

/* ---- Dispatch ---- */

logreg_status logreg_dataset_read(const char *path, const logreg_read_options *opt,
                                  logreg_dataset **out, logreg_error *err) {
  lr_error_clear(err);
  if (!out) return lr_fail(err, LOGREG_EINVAL, "logreg_dataset_read: out is NULL");
  *out = NULL;
  if (!path) return lr_fail(err, LOGREG_EINVAL, "logreg_dataset_read: path is NULL");
  logreg_read_options defaults;
  if (!opt) {
    logreg_read_options_init(&defaults);
    opt = &defaults;
  }
  logreg_format fmt = opt->format == LOGREG_FORMAT_AUTO ? lr_format_from_path(path) : opt->format;
  if (fmt != LOGREG_FORMAT_CSV && fmt != LOGREG_FORMAT_LIBSVM && fmt != LOGREG_FORMAT_IDX)
    return lr_fail(err, LOGREG_EINVAL, "%s: unknown format %d", path, (int)opt->format);
  /* Sample weights come from a CSV column; LIBSVM and IDX files have no place for them. */
  if (opt->weight && fmt != LOGREG_FORMAT_CSV)
    return lr_fail(err, LOGREG_EINVAL, "%s: --weight needs CSV data (this file is read as %s)",
                   path, fmt == LOGREG_FORMAT_LIBSVM ? "LIBSVM" : "IDX");

  char *buf;
  size_t len;
  logreg_status st = lr_load_file(path, &buf, &len, err);
  if (st != LOGREG_OK) return st;
  if (len == 0) {
    free(buf);
    return lr_fail(err, LOGREG_EPARSE, "%s: empty file", path);
  }
  switch (fmt) {
  case LOGREG_FORMAT_LIBSVM:
    st = lr_read_libsvm(path, buf, len, opt, out, err);
    break;
  case LOGREG_FORMAT_IDX:
    st = lr_read_idx(path, (const unsigned char *)buf, len, opt, out, err);
    break;
  default:
    st = lr_read_csv(path, buf, len, opt, out, err);
    break;
  }
  free(buf);
  if (st == LOGREG_OK) {
    (*out)->format = fmt;
    (*out)->header = fmt == LOGREG_FORMAT_CSV && opt->header;
  }
  return st;
}
