/* file.c: lr_read_file, the one whole-file reader (file.h). The data readers add gzip on top
 * of it (data/source.c); the model loader and the OpenCL kernel folder use it as it is. */
#include "util/file.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/util.h"

static logreg_status too_large(const char *path, size_t max, const char *what, logreg_error *err) {
  if (max % ((size_t)1 << 20) == 0)
    return lr_fail(err, LOGREG_EINVAL, "%s: file is too large for %s (over %zu MiB)", path, what,
                   max >> 20);
  return lr_fail(err, LOGREG_EINVAL, "%s: file is too large for %s (over %zu bytes)", path, what,
                 max);
}

static void close_file(FILE *f, int is_stdin) {
  if (!is_stdin) fclose(f);
}

logreg_status lr_read_file(const char *path, size_t max, const char *what, char **data, size_t *len,
                           logreg_error *err) {
  *data = NULL;
  *len = 0;
  if (!what) what = "this use";
  /* "-" is standard input (read to its end, left open). */
  int is_stdin = strcmp(path, "-") == 0;
  FILE *f = is_stdin ? stdin : fopen(path, "rb");
  if (!f) return lr_fail(err, LOGREG_EIO, "%s: cannot open: %s", path, strerror(errno));
  /* Size a regular file exactly (one byte for the NUL, one so fread sees EOF without a second
   * buffer); pipes and the like grow as they come. */
  size_t cap = 1 << 16;
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
    if (max && (uintmax_t)sb.st_size > max) {
      close_file(f, is_stdin);
      return too_large(path, max, what, err);
    }
    if ((uintmax_t)sb.st_size < SIZE_MAX - 2) cap = (size_t)sb.st_size + 2;
  }
  char *buf = malloc(cap);
  if (!buf) {
    close_file(f, is_stdin);
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory for %zu bytes", path, cap);
  }
  size_t used = 0;
  for (;;) {
    errno = 0;
    size_t got = fread(buf + used, 1, cap - 1 - used, f);
    used += got;
    if (max && used > max) {
      free(buf);
      close_file(f, is_stdin);
      return too_large(path, max, what, err);
    }
    if (got == 0 || feof(f) || ferror(f)) break;
    if (used + 1 >= cap) { /* only for streams of unknown size: a regular file hit EOF */
      char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
      if (!bigger) {
        free(buf);
        close_file(f, is_stdin);
        return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory reading the file", path);
      }
      buf = bigger;
      cap *= 2;
    }
  }
  if (ferror(f)) {
    int e = errno;
    free(buf);
    close_file(f, is_stdin);
    return lr_fail(err, LOGREG_EIO, "%s: cannot read: %s", path, e ? strerror(e) : "stream error");
  }
  close_file(f, is_stdin);
  buf[used] = '\0';
  *data = buf;
  *len = used;
  return LOGREG_OK;
}
