/* source.c: the readers' shared base (source.h): loading a data file into memory, gzip
 * detected by its magic bytes and inflated with zlib, and parsing feature values.
 *
 * Files are read whole: the text readers then parse the buffer in place in one pass, without a
 * copy or an allocation per field, and every reader sees plain and gzipped files alike.
 */
#include "data/source.h"

#include <ctype.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/file.h"
#include "util/util.h"

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
  char *buf;
  size_t used;
  logreg_status st = lr_read_file(path, 0, NULL, &buf, &used, err);
  if (st != LOGREG_OK) return st;
  if (used >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b) {
    if (used < 18) { /* 10-byte header + 8-byte trailer at least */
      free(buf);
      return lr_fail(err, LOGREG_EIO, "%s: gzip: unexpected end of file (truncated?)", path);
    }
    char *plain = NULL;
    size_t plain_len = 0;
    st = gunzip(path, (const unsigned char *)buf, used, &plain, &plain_len, err);
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

int lr_parse_value_mark(const char *s, char mark, float *out) {
  if (mark != ',') return lr_parse_value(s, out);
  const char *comma = strchr(s, ',');
  if (strchr(s, '.')) return -1;
  if (!comma) return lr_parse_value(s, out);
  char buf[64];
  size_t n = strlen(s);
  if (n >= sizeof buf || strchr(comma + 1, ',')) return -1;
  memcpy(buf, s, n + 1);
  buf[comma - s] = '.';
  return lr_parse_value(buf, out);
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
