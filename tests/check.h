/* check.h: the few assertion macros the unit tests share, and the helpers for temp files and
 * reading datasets from them. A failed check prints where and why and makes the test exit 1;
 * SKIP exits 77, which CTest reports as skipped. */
#ifndef LOGREG_TEST_CHECK_H
#define LOGREG_TEST_CHECK_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "logreg.h"

static int check_failures_ = 0;

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                     \
      check_failures_++;                                                                           \
    }                                                                                              \
  } while (0)

/* |a - b| <= tol * max(1, |b|) */
#define CHECK_CLOSE(a, b, tol)                                                                     \
  do {                                                                                             \
    double a_ = (double)(a), b_ = (double)(b);                                                     \
    double s_ = fabs(b_) > 1.0 ? fabs(b_) : 1.0;                                                   \
    if (!(fabs(a_ - b_) <= (tol)*s_)) {                                                            \
      fprintf(stderr, "%s:%d: CHECK_CLOSE failed: %s = %.17g, %s = %.17g, tol %g\n", __FILE__,     \
              __LINE__, #a, a_, #b, b_, (double)(tol));                                            \
      check_failures_++;                                                                           \
    }                                                                                              \
  } while (0)

#define CHECK_STR_CONTAINS(hay, needle)                                                            \
  do {                                                                                             \
    const char *h_ = (hay), *n_ = (needle);                                                        \
    if (!h_ || !strstr(h_, n_)) {                                                                  \
      fprintf(stderr, "%s:%d: expected \"%s\" in \"%s\"\n", __FILE__, __LINE__, n_,                \
              h_ ? h_ : "(null)");                                                                 \
      check_failures_++;                                                                           \
    }                                                                                              \
  } while (0)

#define SKIP(why)                                                                                  \
  do {                                                                                             \
    fprintf(stderr, "SKIP: %s\n", why);                                                            \
    exit(77);                                                                                      \
  } while (0)

static inline int check_report(const char *name) {
  if (check_failures_) {
    fprintf(stderr, "%s: %d check(s) failed\n", name, check_failures_);
    return 1;
  }
  fprintf(stderr, "%s: all checks passed\n", name);
  return 0;
}

/* Path of a file in the shared data folder, or NULL (the caller skips) when absent. */
static inline const char *shared_path(const char *rel, char *buf, size_t cap) {
  const char *dir = getenv("LOGREG_SHARED_DIR");
  if (!dir) dir = "../shared";
  snprintf(buf, cap, "%s/data/%s", dir, rel);
  FILE *f = fopen(buf, "rb");
  if (!f) return NULL;
  fclose(f);
  return buf;
}

/* Whether `got` is a string equal to `want` (NULL never is). */
static inline int name_is(const char *got, const char *want) {
  return got && strcmp(got, want) == 0;
}

/* The tmp dir: $LOGREG_TMP when set and not empty, else /tmp. */
static inline const char *check_tmp_dir(void) {
  const char *dir = getenv("LOGREG_TMP");
  return dir && *dir ? dir : "/tmp";
}

/* Writes "<tmp dir>/<prefix>_<pid>_<name>" (unique per process and name) to buf; returns buf. */
static inline const char *check_tmp_path(char *buf, size_t cap, const char *prefix,
                                         const char *name) {
  snprintf(buf, cap, "%s/%s_%ld_%s", check_tmp_dir(), prefix, (long)getpid(), name);
  return buf;
}

/* Count of "<prefix>_<pid>_<stem>*" files with ".tmp" in the name left in the tmp dir, or -1. */
static inline int check_leftover_tmp(const char *prefix, const char *stem) {
  char start[256];
  int len = snprintf(start, sizeof start, "%s_%ld_%s", prefix, (long)getpid(), stem);
  if (len < 0) return -1;
  DIR *dir = opendir(check_tmp_dir());
  if (!dir) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)))
    if (strncmp(e->d_name, start, (size_t)len) == 0 && strstr(e->d_name, ".tmp")) n++;
  closedir(dir);
  return n;
}

/* Removes this process's "<prefix>_<pid>_*" files from the tmp dir, unless a check failed. */
static inline void check_tmp_cleanup(const char *prefix) {
  char start[256], path[1024];
  int len = snprintf(start, sizeof start, "%s_%ld_", prefix, (long)getpid());
  DIR *dir = check_failures_ || len < 0 ? NULL : opendir(check_tmp_dir());
  if (!dir) return;
  struct dirent *e;
  while ((e = readdir(dir)))
    if (strncmp(e->d_name, start, (size_t)len) == 0) {
      snprintf(path, sizeof path, "%s/%s", check_tmp_dir(), e->d_name);
      unlink(path);
    }
  closedir(dir);
}

/* Writes `len` bytes of `data` to `path`, checking the open, the write and the close. */
static inline void check_write_file(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  if (!f) return;
  CHECK(fwrite(data, 1, len, f) == len);
  CHECK(fclose(f) == 0);
}

/* Writes `len` bytes of `data` gzipped to `path`, checking the open, the write and the close. */
static inline void check_write_gz(const char *path, const void *data, size_t len) {
  gzFile g = gzopen(path, "wb");
  CHECK(g != NULL);
  if (!g) return;
  CHECK(gzwrite(g, data, (unsigned)len) == (int)len);
  CHECK(gzclose(g) == Z_OK);
}

/* The whole file in a malloc'd NUL-terminated buffer (its length in *len if len), or NULL. */
static inline char *check_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0, got;
  char *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n < 2) {
      char *q = realloc(buf, cap * 2);
      if (!q) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = q;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf) buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

/* Whether both files can be read and hold the same bytes. */
static inline int check_same_file(const char *a, const char *b) {
  size_t na, nb;
  char *ta = check_read_file(a, &na), *tb = check_read_file(b, &nb);
  int same = ta && tb && na == nb && memcmp(ta, tb, na) == 0;
  free(ta);
  free(tb);
  return same;
}

/* Writes data (gzipped if gz) to temp file prefix/name, reads it as a dataset, removes it. */
static inline logreg_status check_read_data(const char *prefix, const char *name, const void *data,
                                            size_t len, int gz, const logreg_read_options *opt,
                                            logreg_dataset **ds, logreg_error *err) {
  char path[512];
  check_tmp_path(path, sizeof path, prefix, name);
  if (gz)
    check_write_gz(path, data, len);
  else
    check_write_file(path, data, len);
  *ds = NULL;
  logreg_status st = logreg_dataset_read(path, opt, ds, err);
  unlink(path);
  return st;
}

/* check_read_data for a NUL-terminated `text`, written as it is. */
static inline logreg_status check_read_text(const char *prefix, const char *name, const char *text,
                                            const logreg_read_options *opt, logreg_dataset **ds,
                                            logreg_error *err) {
  return check_read_data(prefix, name, text, strlen(text), 0, opt, ds, err);
}

/* Reading text from temp file name must fail: status, no dataset, needle in the message. */
#define CHECK_READ_ERROR(prefix, name, text, opt, status, needle)                                  \
  do {                                                                                             \
    logreg_error e_;                                                                               \
    logreg_dataset *d_ = NULL;                                                                     \
    logreg_status s_ = check_read_text(prefix, name, text, opt, &d_, &e_);                         \
    CHECK(s_ == (status));                                                                         \
    CHECK(d_ == NULL);                                                                             \
    CHECK_STR_CONTAINS(e_.message, needle);                                                        \
    logreg_dataset_free(d_);                                                                       \
  } while (0)

#endif
