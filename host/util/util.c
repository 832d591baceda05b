/* util.c: error reporting, string helpers, number parsing, the seeded RNG, atomic writes and
 * the clock. Shared by every host module. */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE (lr_alloc_floats) */
#include "util/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const status_messages[] = {
#define LR_STATUS_MSG_(name, msg) msg,
    LOGREG_STATUS_MAP(LR_STATUS_MSG_)
#undef LR_STATUS_MSG_
};

const char *logreg_status_str(logreg_status status) {
  if ((unsigned)status >= (unsigned)LOGREG_STATUS_COUNT_) return "unknown status";
  return status_messages[status];
}

logreg_status lr_fail(logreg_error *err, logreg_status status, const char *fmt, ...) {
  if (err) {
    err->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    /* Keep the message to one line whatever the arguments held. */
    for (char *p = err->message; *p; p++)
      if (*p == '\n' || *p == '\r') *p = ' ';
  }
  return status;
}

void lr_error_clear(logreg_error *err) {
  if (err) {
    err->status = LOGREG_OK;
    err->message[0] = '\0';
  }
}

void lr_advise_huge(void *p, size_t bytes) {
  const uintptr_t huge = (uintptr_t)2 << 20;
  if (!p || bytes < 4 * (size_t)huge) return;
  uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1), b = ((uintptr_t)p + bytes) & ~(huge - 1);
#ifdef MADV_HUGEPAGE
  if (b > a) (void)madvise((void *)a, (size_t)(b - a), MADV_HUGEPAGE);
#else
  (void)a, (void)b;
#endif
}

float *lr_alloc_floats(size_t n) {
  const size_t page = 4096;
  if (n > (SIZE_MAX - page) / sizeof(float)) return NULL;
  size_t bytes = (n ? n : 1) * sizeof(float), len = (bytes + page - 1) / page * page;
  float *p = aligned_alloc(page, len);
  lr_advise_huge(p, len);
  return p;
}

char *lr_strdup(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

void lr_free_strings(char **v, size_t n) {
  if (!v) return;
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

static int is_blank(char c) { return c == ' ' || c == '\t'; }

int lr_parse_double(const char *s, double *out) {
  if (!s) return -1;
  while (is_blank(*s)) s++;
  if (!*s) return -1;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s) return -1;
  while (is_blank(*end)) end++;
  if (*end) return -1;
  if (!isfinite(v)) return -2;
  if (errno == ERANGE && fabs(v) > 1.0) return -2; /* overflow; underflow to 0 is fine */
  *out = v;
  return 0;
}

int lr_parse_size(const char *s, size_t *out) {
  if (!s) return -1;
  while (is_blank(*s)) s++;
  if (*s < '0' || *s > '9') return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  while (is_blank(*end)) end++;
  if (*end || errno == ERANGE || v > (unsigned long long)SIZE_MAX) return -1;
  *out = (size_t)v;
  return 0;
}

/* ---- "Did you mean" ---- */

/* [s, *e) trimmed of blanks: the start, and the end in *e. */
static const char *trim_span(const char *s, const char **e) {
  while (is_blank(*s)) s++;
  const char *t = s + strlen(s);
  while (t > s && is_blank(t[-1])) t--;
  *e = t;
  return s;
}

static int fold_case(char c) { return tolower((unsigned char)c); }

/* The optimal string alignment distance between a[0..na) and b[0..nb) ignoring case (three
 * rows of the dynamic programme; `row` has room for 3 (nb + 1)), at most `cap` + 1: a row whose
 * every entry is over cap ends the count early. */
static size_t osa_distance(const char *a, size_t na, const char *b, size_t nb, size_t cap,
                           size_t *row) {
  size_t *prev2 = row, *prev = row + nb + 1, *cur = row + 2 * (nb + 1);
  for (size_t j = 0; j <= nb; j++) prev[j] = j;
  for (size_t i = 1; i <= na; i++) {
    size_t low = cur[0] = i;
    for (size_t j = 1; j <= nb; j++) {
      int same = fold_case(a[i - 1]) == fold_case(b[j - 1]);
      size_t v = prev[j - 1] + !same;
      if (prev[j] + 1 < v) v = prev[j] + 1;
      if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
      if (i > 1 && j > 1 && fold_case(a[i - 1]) == fold_case(b[j - 2]) &&
          fold_case(a[i - 2]) == fold_case(b[j - 1]) && prev2[j - 2] + 1 < v)
        v = prev2[j - 2] + 1;
      cur[j] = v;
      if (v < low) low = v;
    }
    if (low > cap) return cap + 1;
    size_t *t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[nb];
}

size_t lr_closest(const char *word, const char *const *cands, size_t n) {
  if (!word) return n;
  const char *we, *w = trim_span(word, &we);
  size_t nw = (size_t)(we - w), cap = nw / 3, best = n, best_d = cap + 1;
  for (size_t i = 0; i < n; i++) {
    if (!cands[i]) continue;
    const char *ce, *c = trim_span(cands[i], &ce);
    size_t nc = (size_t)(ce - c);
    if ((nc > nw ? nc - nw : nw - nc) >= best_d) continue; /* the lengths alone are too far */
    size_t *row = malloc(3 * (nc + 1) * sizeof *row);
    if (!row) break;
    size_t dist = osa_distance(w, nw, c, nc, best_d - 1, row);
    free(row);
    if (dist < best_d) {
      best = i;
      best_d = dist;
    }
  }
  return best;
}

/* ---- RNG: splitmix64 seeds xoshiro256** ---- */

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void lr_rng_seed(lr_rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t lr_rng_next(lr_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double lr_rng_uniform(lr_rng *r) { return (double)(lr_rng_next(r) >> 11) * 0x1.0p-53; }

uint64_t lr_rng_below(lr_rng *r, uint64_t n) {
  /* Rejection keeps the result unbiased for any n. */
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t v;
  do v = lr_rng_next(r);
  while (v >= limit);
  return v % n;
}

double lr_rng_normal(lr_rng *r) {
  double u1 = lr_rng_uniform(r), u2 = lr_rng_uniform(r);
  if (u1 < 1e-300) u1 = 1e-300;
  return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

void lr_shuffle_size(lr_rng *r, size_t *v, size_t n) {
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)lr_rng_below(r, (uint64_t)i);
    size_t t = v[i - 1];
    v[i - 1] = v[j];
    v[j] = t;
  }
}

/* ---- Atomic writes ---- */

logreg_status lr_atomic_open(lr_atomic_file *af, const char *path, logreg_error *err) {
  memset(af, 0, sizeof *af);
  /* The rename in lr_atomic_commit replaces whatever the name points at: for a device, FIFO
   * or socket (--model /dev/full, /dev/null, /dev/stdout) that would put a regular file in
   * its place, and report success without the device ever seeing a byte. (A directory makes
   * the rename fail, which lr_atomic_commit reports.) */
  struct stat sb;
  if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode))
    return lr_fail(err, LOGREG_EIO,
                   "%s: not a regular file (a device, FIFO or socket): output files are written "
                   "beside the target and renamed over it",
                   path);
  size_t n = strlen(path);
  af->path = lr_strdup(path);
  af->tmp_path = malloc(n + 16);
  if (!af->path || !af->tmp_path) {
    /* Nothing was created yet: free, but do not unlink (tmp_path holds no name). */
    free(af->path);
    free(af->tmp_path);
    memset(af, 0, sizeof *af);
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
  }
  snprintf(af->tmp_path, n + 16, "%s.tmpXXXXXX", path);
  int fd = mkstemp(af->tmp_path);
  if (fd < 0) {
    int e = errno;
    free(af->tmp_path);
    af->tmp_path = NULL;
    lr_atomic_abort(af);
    return lr_fail(err, LOGREG_EIO, "%s: cannot create file: %s", path, strerror(e));
  }
  fchmod(fd, 0644);
  af->f = fdopen(fd, "w");
  if (!af->f) {
    int e = errno;
    close(fd);
    lr_atomic_abort(af);
    return lr_fail(err, LOGREG_EIO, "%s: cannot open file: %s", path, strerror(e));
  }
  return LOGREG_OK;
}

logreg_status lr_atomic_commit(lr_atomic_file *af, logreg_error *err) {
  int bad = ferror(af->f);
  int e = 0;
  if (fflush(af->f) != 0) bad = 1, e = errno;
  if (!bad && fsync(fileno(af->f)) != 0) bad = 1, e = errno;
  if (fclose(af->f) != 0 && !bad) bad = 1, e = errno;
  af->f = NULL;
  if (bad) {
    logreg_status s = lr_fail(err, LOGREG_EIO, "%s: write failed: %s", af->path,
                              e ? strerror(e) : "stream error");
    lr_atomic_abort(af);
    return s;
  }
  if (rename(af->tmp_path, af->path) != 0) {
    e = errno;
    logreg_status s =
        lr_fail(err, LOGREG_EIO, "%s: cannot replace file: %s", af->path, strerror(e));
    lr_atomic_abort(af);
    return s;
  }
  free(af->tmp_path);
  free(af->path);
  af->tmp_path = af->path = NULL;
  return LOGREG_OK;
}

void lr_atomic_abort(lr_atomic_file *af) {
  if (af->f) fclose(af->f);
  if (af->tmp_path) unlink(af->tmp_path);
  free(af->tmp_path);
  free(af->path);
  memset(af, 0, sizeof *af);
}

double lr_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct part_arg {
  lr_part_fn fn;
  void *ctx;
  unsigned t, nt;
} part_arg;

static void *part_main(void *p) {
  part_arg *a = p;
  a->fn(a->ctx, a->t, a->nt);
  return NULL;
}

void lr_parallel(unsigned nt, lr_part_fn fn, void *ctx) {
  if (nt <= 1) {
    fn(ctx, 0, 1);
    return;
  }
  if (nt > 16) nt = 16;
  pthread_t tid[16];
  part_arg arg[16];
  int started[16] = {0};
  for (unsigned t = 1; t < nt; t++) {
    arg[t] = (part_arg){fn, ctx, t, nt};
    started[t] = pthread_create(&tid[t], NULL, part_main, &arg[t]) == 0;
  }
  fn(ctx, 0, nt);
  for (unsigned t = 1; t < nt; t++) {
    if (started[t])
      pthread_join(tid[t], NULL);
    else
      fn(ctx, t, nt);
  }
}

unsigned lr_threads_for(size_t work, unsigned requested) {
  if (requested) return requested > 16 ? 16 : requested;
  if (work < ((size_t)1 << 20)) return 1;
  long c = sysconf(_SC_NPROCESSORS_ONLN);
  return c < 1 ? 1 : c > 16 ? 16 : (unsigned)c;
}

void lr_shell_word(const char *s, char *buf, size_t cap) {
  int plain = *s != '\0';
  for (const char *p = s; *p && plain; p++)
    plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,:/+-=@%",
                   *p) != NULL;
  if (plain || strchr(s, '\'')) {
    snprintf(buf, cap, "%s", s);
    return;
  }
  snprintf(buf, cap, "'%s'", s);
}
