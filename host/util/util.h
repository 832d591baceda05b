/* util.h: small shared helpers for host code: error reporting, strings, a seeded RNG, and
 * atomic file writes. Kept in one place so that every module reports errors the same way. */
#ifndef LOGREG_UTIL_H
#define LOGREG_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "logreg.h"
#include "logreg_util.h"

#if defined(__GNUC__)
#define LR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LR_PREFETCH(p) __builtin_prefetch(p)
#else
#define LR_PRINTF(f, a)
#define LR_PREFETCH(p) ((void)(p))
#endif

/* Sets err (when not NULL) to `status` with a printf-style message; returns `status`. */
logreg_status lr_fail(logreg_error *err, logreg_status status, const char *fmt, ...)
    LR_PRINTF(3, 4);
void lr_error_clear(logreg_error *err);

char *lr_strdup(const char *s); /* NULL when s is NULL or out of memory */
/* `s` as one shell word into buf (cap bytes): as it is when it is made of characters a shell
 * takes literally (or holds a single quote), else in single quotes. */
void lr_shell_word(const char *s, char *buf, size_t cap);
/* n floats (at least one) on a page boundary, for rows a device may read in place (an OpenCL
 * buffer over host memory); free() releases them. NULL when out of memory. Large ones are
 * advised onto huge pages (lr_advise_huge). */
float *lr_alloc_floats(size_t n);
/* Asks Linux to back the 2 MiB-aligned part of [p, p + bytes) with transparent huge pages, for
 * buffers of 8 MiB or more not yet touched (fresh from malloc, calloc or aligned_alloc, which
 * take such sizes straight from mmap): where the kernel gives huge pages only on request (the
 * "madvise" setting, Debian's default) a pass over X then reads 1.1-1.3x faster (bench/RESULTS.md,
 * "Huge pages for X"). A no-op elsewhere, and where the kernel says no. */
void lr_advise_huge(void *p, size_t bytes);
void lr_free_strings(char **v, size_t n);

/* Parses a whole string as a finite double (C locale rules, surrounding blanks allowed).
 * Returns 0 on success, -1 when not a number, -2 when not finite or out of range. */
int lr_parse_double(const char *s, double *out);
/* Parses a whole string as a non-negative integer that fits size_t. 0 on success, -1 else. */
int lr_parse_size(const char *s, size_t *out);
/* The closest of cands[0..n) to `word` for a "did you mean" (public as logreg_closest). */
size_t lr_closest(const char *word, const char *const *cands, size_t n);

/* Deterministic RNG (xoshiro256** seeded through splitmix64); identical on every platform. */
typedef struct lr_rng {
  uint64_t s[4];
} lr_rng;
void lr_rng_seed(lr_rng *r, uint64_t seed);
uint64_t lr_rng_next(lr_rng *r);
double lr_rng_uniform(lr_rng *r);                     /* [0, 1) with 53 random bits */
uint64_t lr_rng_below(lr_rng *r, uint64_t n);         /* uniform in [0, n), n > 0, unbiased */
double lr_rng_normal(lr_rng *r);                      /* standard normal (Box-Muller) */
void lr_shuffle_size(lr_rng *r, size_t *v, size_t n); /* Fisher-Yates */

/* Atomic file output: write to a temp file beside `path`, then lr_atomic_commit fsyncs and
 * renames it over `path`; lr_atomic_abort removes the temp file. The target is untouched
 * until commit succeeds. The struct is public (logreg_atomic_file, logreg_util.h), and so are these
 * calls under logreg_atomic_* names (util/public.c). */
typedef logreg_atomic_file lr_atomic_file;
logreg_status lr_atomic_open(lr_atomic_file *af, const char *path, logreg_error *err);
logreg_status lr_atomic_commit(lr_atomic_file *af, logreg_error *err);
void lr_atomic_abort(lr_atomic_file *af);

/* Monotonic seconds. */
double lr_now(void);

/* Runs fn(ctx, t, nt) for t = 0 .. nt - 1, each on its own thread (t = 0 on the caller's); a
 * thread that cannot be started runs its part on the caller's thread afterwards. Each part
 * must write only its own outputs, so that results do not depend on nt. */
typedef void (*lr_part_fn)(void *ctx, unsigned t, unsigned nt);
void lr_parallel(unsigned nt, lr_part_fn fn, void *ctx);

/* Threads for a host pass over `work` values: `requested` (at most 16) when it is not 0 (the
 * caller's logreg_params.threads), else 1 below about a million values (a thread costs more
 * than it saves there) and the online processors, at most 16, from there on. */
unsigned lr_threads_for(size_t work, unsigned requested);

#endif
