/* check.h: the few assertion macros the unit tests share. A failed check prints where and
 * why and makes the test exit 1; SKIP exits 77, which CTest reports as skipped. */
#ifndef LOGREG_TEST_CHECK_H
#define LOGREG_TEST_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif
