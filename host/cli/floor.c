/* floor.c: the memory floor of `logreg bench` (see floor.h). */
#include "floor.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define FLOOR_RUNS (1 + LR_FLOOR_PASSES) /* one warm-up pass, then the timed ones */
#define FLOOR_ACC 32                     /* independent accumulators: enough to vectorize */

/* Where every pass's sum ends up, so the compiler cannot drop the reads. */
volatile double lr_floor_sink;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

int lr_floor_host_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 1024 ? 1024 : (int)n;
}

/* ---- Host read ---- */

typedef struct host_shared {
  float *buf;
  size_t n;
  int threads; /* the threads that run, known once all were started */
  int go;      /* set when `threads` is final and the barrier is ready */
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_barrier_t bar;
  double t0, times[FLOOR_RUNS];
} host_shared;

typedef struct host_worker {
  host_shared *sh;
  int id;
  double sum;
} host_worker;

/* Sum of x[0..n) with FLOOR_ACC independent float accumulators, so the loop is one stream of
 * vector loads and adds rather than a chain of dependent scalar adds. */
static double sum_floats(const float *x, size_t n) {
  float acc[FLOOR_ACC] = {0};
  size_t i = 0;
  for (; i + FLOOR_ACC <= n; i += FLOOR_ACC)
    for (size_t j = 0; j < FLOOR_ACC; j++) acc[j] += x[i + j];
  double s = 0;
  for (; i < n; i++) s += x[i];
  for (size_t j = 0; j < FLOOR_ACC; j++) s += acc[j];
  return s;
}

static void *host_work(void *arg) {
  host_worker *w = arg;
  host_shared *sh = w->sh;
  pthread_mutex_lock(&sh->mu);
  while (!sh->go) pthread_cond_wait(&sh->cv, &sh->mu);
  pthread_mutex_unlock(&sh->mu);
  if (w->id >= sh->threads) return NULL; /* started, but a later thread failed to: not used */
  size_t t = (size_t)sh->threads, id = (size_t)w->id;
  size_t lo = sh->n * id / t, hi = sh->n * (id + 1) / t;
  /* Freshly written by the thread that reads it (first touch places the pages near it). */
  for (size_t i = lo; i < hi; i++) sh->buf[i] = (float)(i & 1023) * (1.0f / 1024.0f);
  double total = 0;
  for (int r = 0; r < FLOOR_RUNS; r++) {
    pthread_barrier_wait(&sh->bar);
    if (id == 0) sh->t0 = lr_now();
    total += sum_floats(sh->buf + lo, hi - lo);
    pthread_barrier_wait(&sh->bar);
    if (id == 0) sh->times[r] = (lr_now() - sh->t0) * 1e3;
  }
  w->sum = total;
  return NULL;
}

logreg_status lr_floor_host(size_t bytes, int threads, lr_floor *out, logreg_error *err) {
  memset(out, 0, sizeof *out);
  size_t n = bytes / sizeof(float);
  if (n < 1) n = 1;
  if (threads < 1) threads = 1;
  if ((size_t)threads > n) threads = (int)n;
  host_shared sh = {.n = n, .threads = threads};
  host_worker *w = calloc((size_t)threads, sizeof *w);
  pthread_t *tid = calloc((size_t)threads, sizeof *tid);
  sh.buf = malloc(n * sizeof *sh.buf);
  if (!w || !tid || !sh.buf) {
    free(w), free(tid), free(sh.buf);
    return lr_fail(err, LOGREG_ENOMEM, "floor: out of memory for a %zu-byte buffer", bytes);
  }
  pthread_mutex_init(&sh.mu, NULL);
  pthread_cond_init(&sh.cv, NULL);
  /* Thread 0 is this one; the others are started first and wait for the final count. */
  int started = 1;
  for (int i = 0; i < threads; i++) w[i] = (host_worker){.sh = &sh, .id = i};
  for (int i = 1; i < threads; i++) {
    if (pthread_create(&tid[i], NULL, host_work, &w[i]) != 0) break;
    started++;
  }
  pthread_barrier_init(&sh.bar, NULL, (unsigned)started);
  pthread_mutex_lock(&sh.mu);
  sh.threads = started;
  sh.go = 1;
  pthread_cond_broadcast(&sh.cv);
  pthread_mutex_unlock(&sh.mu);
  host_work(&w[0]);
  double sum = w[0].sum;
  for (int i = 1; i < started; i++) {
    pthread_join(tid[i], NULL);
    sum += w[i].sum;
  }
  lr_floor_sink = sum;
  pthread_barrier_destroy(&sh.bar);
  pthread_cond_destroy(&sh.cv);
  pthread_mutex_destroy(&sh.mu);
  free(sh.buf);
  free(tid);
  free(w);

  out->bytes = n * sizeof(float);
  out->threads = started;
  out->ms = median(sh.times + 1, LR_FLOOR_PASSES);
  out->gb_per_s = (double)out->bytes / (out->ms * 1e-3) / 1e9;
  snprintf(out->kind, sizeof out->kind, "host read, %d thread%s", started, started == 1 ? "" : "s");
  return LOGREG_OK;
}

/* ---- Device copy ---- */

#define CL_TRY(call, what)                                                                         \
  do {                                                                                             \
    cl_int rc_ = (call);                                                                           \
    if (rc_ != CL_SUCCESS) {                                                                       \
      st = lr_fail(err, LOGREG_EBACKEND, "floor: %s on %s failed: %s (%d)", what, dev->name,       \
                   lr_ocl_error_name(rc_), rc_);                                                   \
      goto done;                                                                                   \
    }                                                                                              \
  } while (0)

logreg_status lr_floor_device(const lr_ocl_device_info *dev, size_t bytes, lr_floor *out,
                              logreg_error *err) {
  memset(out, 0, sizeof *out);
  if (bytes < sizeof(float)) bytes = sizeof(float);
  if (bytes > dev->max_alloc)
    return lr_fail(err, LOGREG_EBACKEND,
                   "floor: a %zu-byte buffer exceeds %s's max allocation (%llu bytes)", bytes,
                   dev->name, dev->max_alloc);
  logreg_status st = LOGREG_OK;
  cl_context ctx = NULL;
  cl_command_queue q = NULL;
  cl_mem src = NULL, dst = NULL;
  cl_int rc;
  double times[FLOOR_RUNS];
  cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)dev->pid, 0};
  ctx = clCreateContext(props, 1, &dev->did, NULL, NULL, &rc);
  CL_TRY(rc, "clCreateContext");
  q = clCreateCommandQueue(ctx, dev->did, 0, &rc);
  CL_TRY(rc, "clCreateCommandQueue");
  src = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, NULL, &rc);
  CL_TRY(rc, "clCreateBuffer");
  dst = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, NULL, &rc);
  CL_TRY(rc, "clCreateBuffer");
  const float one = 1.0f;
  CL_TRY(clEnqueueFillBuffer(q, src, &one, sizeof one, 0, bytes / sizeof one * sizeof one, 0, NULL,
                             NULL),
         "clEnqueueFillBuffer");
  CL_TRY(clFinish(q), "clFinish");
  for (int r = 0; r < FLOOR_RUNS; r++) {
    double t0 = lr_now();
    CL_TRY(clEnqueueCopyBuffer(q, src, dst, 0, 0, bytes, 0, NULL, NULL), "clEnqueueCopyBuffer");
    CL_TRY(clFinish(q), "clFinish");
    times[r] = (lr_now() - t0) * 1e3;
  }
  out->bytes = bytes;
  out->threads = 0;
  out->ms = median(times + 1, LR_FLOOR_PASSES);
  out->gb_per_s = (double)bytes / (out->ms * 1e-3) / 1e9;
  snprintf(out->kind, sizeof out->kind, "device copy");
done:
  if (dst) clReleaseMemObject(dst);
  if (src) clReleaseMemObject(src);
  if (q) clReleaseCommandQueue(q);
  if (ctx) clReleaseContext(ctx);
  return st;
}
