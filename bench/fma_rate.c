/* fma_rate.c: the host's peak rate of fused multiply-adds, in double and in float, on 1 thread
 * and on all online processors at once (bench/RESULTS.md, "The arithmetic floor"). With the
 * epoch's count of multiply-adds (2 N D K: X W, then X^T R) it gives the floor the arithmetic
 * sets beside the memory floor of `logreg bench`: a shape whose floor is its arithmetic cannot
 * come within 1.5x of its read floor however X is read.
 *
 * Each thread runs 12 independent chains of 512-bit FMAs (AVX-512F; 256-bit AVX2 + FMA
 * otherwise, where the build or the CPU lacks it) for about 0.3 s; the rate is the best of 3
 * runs. Prints one line per precision and thread count. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86 1
#else
#define HAVE_X86 0
#endif

enum { CHAINS = 12 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static volatile double sink;

#if HAVE_X86
/* n rounds of CHAINS FMAs of W-lane vectors; returns the lanes' multiply-adds done. */
__attribute__((target("avx512f,fma"))) static double run512d(long n) {
  __m512d a[CHAINS], x = _mm512_set1_pd(0.999999), y = _mm512_set1_pd(1e-7);
  for (int i = 0; i < CHAINS; i++) a[i] = _mm512_set1_pd((double)i);
  for (long k = 0; k < n; k++)
    for (int i = 0; i < CHAINS; i++) a[i] = _mm512_fmadd_pd(a[i], x, y);
  double s = 0;
  for (int i = 0; i < CHAINS; i++) s += _mm512_reduce_add_pd(a[i]);
  sink = s;
  return (double)n * CHAINS * 8;
}

__attribute__((target("avx512f,fma"))) static double run512f(long n) {
  __m512 a[CHAINS], x = _mm512_set1_ps(0.9999f), y = _mm512_set1_ps(1e-4f);
  for (int i = 0; i < CHAINS; i++) a[i] = _mm512_set1_ps((float)i);
  for (long k = 0; k < n; k++)
    for (int i = 0; i < CHAINS; i++) a[i] = _mm512_fmadd_ps(a[i], x, y);
  float s = 0;
  for (int i = 0; i < CHAINS; i++) s += _mm512_reduce_add_ps(a[i]);
  sink = s;
  return (double)n * CHAINS * 16;
}

__attribute__((target("avx2,fma"))) static double run256d(long n) {
  __m256d a[CHAINS], x = _mm256_set1_pd(0.999999), y = _mm256_set1_pd(1e-7);
  for (int i = 0; i < CHAINS; i++) a[i] = _mm256_set1_pd((double)i);
  for (long k = 0; k < n; k++)
    for (int i = 0; i < CHAINS; i++) a[i] = _mm256_fmadd_pd(a[i], x, y);
  double s[4], t = 0;
  for (int i = 0; i < CHAINS; i++) {
    _mm256_storeu_pd(s, a[i]);
    t += s[0] + s[1] + s[2] + s[3];
  }
  sink = t;
  return (double)n * CHAINS * 4;
}

__attribute__((target("avx2,fma"))) static double run256f(long n) {
  __m256 a[CHAINS], x = _mm256_set1_ps(0.9999f), y = _mm256_set1_ps(1e-4f);
  for (int i = 0; i < CHAINS; i++) a[i] = _mm256_set1_ps((float)i);
  for (long k = 0; k < n; k++)
    for (int i = 0; i < CHAINS; i++) a[i] = _mm256_fmadd_ps(a[i], x, y);
  float s[8], t = 0;
  for (int i = 0; i < CHAINS; i++) {
    _mm256_storeu_ps(s, a[i]);
    for (int j = 0; j < 8; j++) t += s[j];
  }
  sink = t;
  return (double)n * CHAINS * 8;
}
#endif

typedef double (*run_fn)(long);

typedef struct job {
  run_fn fn;
  long n;
  pthread_barrier_t *bar;
  double fmas, seconds;
} job;

static void *worker(void *p) {
  job *j = p;
  pthread_barrier_wait(j->bar);
  double t = now();
  j->fmas = j->fn(j->n);
  j->seconds = now() - t;
  return NULL;
}

/* Multiply-adds per second of `threads` threads running fn together, the best of 3. */
static double rate(run_fn fn, long n, int threads) {
  double best = 0;
  for (int r = 0; r < 3; r++) {
    pthread_t th[256];
    job jobs[256];
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, (unsigned)threads);
    for (int i = 0; i < threads; i++) {
      jobs[i] = (job){.fn = fn, .n = n, .bar = &bar};
      pthread_create(&th[i], NULL, worker, &jobs[i]);
    }
    double fmas = 0, slowest = 0;
    for (int i = 0; i < threads; i++) {
      pthread_join(th[i], NULL);
      fmas += jobs[i].fmas;
      if (jobs[i].seconds > slowest) slowest = jobs[i].seconds;
    }
    pthread_barrier_destroy(&bar);
    if (fmas / slowest > best) best = fmas / slowest;
  }
  return best;
}

int main(void) {
#if HAVE_X86
  __builtin_cpu_init();
  int avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (!avx512 && !avx2) {
    fprintf(stderr, "fma_rate: this CPU has neither AVX-512F nor AVX2 + FMA\n");
    return 77;
  }
  long procs = sysconf(_SC_NPROCESSORS_ONLN);
  int all = procs < 1 ? 1 : procs > 256 ? 256 : (int)procs;
  struct {
    const char *name;
    run_fn fn;
  } kinds[2] = {{"double", avx512 ? run512d : run256d}, {"float", avx512 ? run512f : run256f}};
  const char *isa = avx512 ? "AVX-512" : "AVX2";
  /* About 0.3 s a run at 10^11 multiply-adds per second. */
  long n = avx512 ? 20000000 : 40000000;
  for (int k = 0; k < 2; k++) {
    double one = rate(kinds[k].fn, n, 1), many = all > 1 ? rate(kinds[k].fn, n, all) : one;
    printf("%-6s %s FMA: %.1f G/s on 1 thread, %.1f G/s on %d threads\n", kinds[k].name, isa,
           one / 1e9, many / 1e9, all);
  }
  return 0;
#else
  fprintf(stderr, "fma_rate: x86-64 only\n");
  return 77;
#endif
}
