/* logreg_util.h: helpers of the library that the programs built on it use (the CLI): number
 * parsing, a monotonic clock, atomic file output, and exact JSON printing of a cJSON tree.
 * Apart from logreg.h because they are not about logistic regression; each is the library's
 * own implementation under a public name, so that a program needs no private header. */
#ifndef LOGREG_LOGREG_UTIL_H
#define LOGREG_LOGREG_UTIL_H

#include <stdio.h>

#include "logreg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses a whole string as a finite double (C locale rules, surrounding blanks allowed).
 * Returns 0 on success, -1 when not a number, -2 when not finite or out of range. */
LOGREG_API int logreg_parse_double(const char *s, double *out);
/* Parses a whole string as a non-negative integer that fits size_t. 0 on success, -1 else. */
LOGREG_API int logreg_parse_size(const char *s, size_t *out);

/* The index of the candidate closest to `word` (a mistyped column name or option), for a "did
 * you mean" in an error: by edit distance (insertions, deletions, substitutions and swaps of two
 * neighbours each cost 1), ignoring case and the blanks around both, and only when the distance
 * is at most a third of word's length (so a case-only difference always counts and "x" is never
 * taken for "y"); the first of equals. n (no candidate is close) when none is; NULL entries are
 * skipped. */
LOGREG_API size_t logreg_closest(const char *word, const char *const *cands, size_t n);

/* Seconds on a monotonic clock (for timing; the origin is arbitrary). */
LOGREG_API double logreg_now(void);

/* Atomic file output, as models are written: logreg_atomic_open creates a temp file beside
 * `path` (tmp_path) open for writing on `f`; logreg_atomic_commit flushes, fsyncs, closes and
 * renames it over `path`; logreg_atomic_abort closes and removes it. The target is untouched
 * until commit succeeds. Either call releases the struct's memory. A writer that needs a file
 * name (a plotting library) may close `f` (set it to NULL), write tmp_path by name, and reopen
 * `f` on it before commit. */
typedef struct logreg_atomic_file {
  FILE *f;
  char *path;     /* the target */
  char *tmp_path; /* the temp file beside it */
} logreg_atomic_file;
LOGREG_API logreg_status logreg_atomic_open(logreg_atomic_file *af, const char *path,
                                            logreg_error *err);
LOGREG_API logreg_status logreg_atomic_commit(logreg_atomic_file *af, logreg_error *err);
LOGREG_API void logreg_atomic_abort(logreg_atomic_file *af);

/* JSON text of a cJSON tree (cJSON.h), with numbers printed so that they read back bit-exact
 * whatever the locale ("null" for NaN and infinities, which JSON lacks). Compact when `pretty`
 * is 0, else indented by two spaces with arrays of scalars on one line. Returns malloc'd text
 * (free with free()), or NULL when out of memory. */
struct cJSON;
LOGREG_API char *logreg_json_print(const struct cJSON *item, int pretty);

#ifdef __cplusplus
}
#endif

#endif /* LOGREG_LOGREG_UTIL_H */
