/* floor.c: the memory floors of `logreg bench` (logreg.h, "Memory floors"): the host read, and
 * the device read and copy on an OpenCL device. Here rather than in the CLI because the device
 * floors build and run a kernel (kernels/floor.cl) through the OpenCL plumbing of ocl.c. */

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/ocl.h"
#include "logreg_bench.h"
#include "util/util.h"

#define FLOOR_RUNS (1 + LOGREG_FLOOR_PASSES) /* one warm-up pass, then the timed ones */
#define FLOOR_ACC 32                         /* independent accumulators: enough to vectorize */

/* Where every pass's sum ends up, so the compiler cannot drop the reads. */
static volatile double lr_floor_sink;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, size_t n) {
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* The online processors (at least 1, at most 1024). */
static int online_processors(void) {
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

logreg_status logreg_floor_host(size_t bytes, unsigned nthreads, logreg_floor *out,
                                logreg_error *err) {
  lr_error_clear(err);
  memset(out, 0, sizeof *out);
  size_t n = bytes / sizeof(float);
  if (n < 1) n = 1;
  int threads = nthreads == 0 || nthreads > 1024 ? online_processors() : (int)nthreads;
  if ((size_t)threads > n) threads = (int)n;
  host_shared sh = {.n = n, .threads = threads};
  host_worker *w = calloc((size_t)threads, sizeof *w);
  pthread_t *tid = calloc((size_t)threads, sizeof *tid);
  sh.buf = lr_alloc_floats(n); /* as X is held (huge pages where Linux gives them) */
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
  out->threads = (unsigned)started;
  out->ms = median(sh.times + 1, LOGREG_FLOOR_PASSES);
  out->gb_per_s = (double)out->bytes / (out->ms * 1e-3) / 1e9;
  snprintf(out->kind, sizeof out->kind, "host read, %d thread%s", started, started == 1 ? "" : "s");
  return LOGREG_OK;
}

/* ---- Device floors ---- */

#define CL_TRY(call, what)                                                                         \
  do {                                                                                             \
    cl_int rc_ = (call);                                                                           \
    if (rc_ != CL_SUCCESS) {                                                                       \
      st = lr_fail(err, LOGREG_EBACKEND, "floor: %s on %s failed: %s (%d)", what, dev->name,       \
                   lr_ocl_error_name(rc_), rc_);                                                   \
      goto done;                                                                                   \
    }                                                                                              \
  } while (0)

#define READ_WG 256 /* work-group size of the read kernel, halved to what the device takes */
#define READ_GROUPS_PER_CU 8 /* 8 x 256 work-items: a full NVIDIA SM (2048 threads) per unit */

/* Builds floor.cl for `dev` with the largest power-of-two work-group size up to READ_WG that
 * both the device and the compiled kernel accept. */
static logreg_status build_read_kernel(const lr_ocl_device_info *dev, const char *kernel_dir,
                                       cl_context ctx, cl_program *prog, cl_kernel *kern,
                                       size_t *wg, logreg_error *err) {
  int owned = 0;
  const char *src = lr_ocl_kernel_source("floor.cl", kernel_dir, &owned, err);
  if (!src) return LOGREG_EBACKEND;
  logreg_status st = LOGREG_OK;
  *wg = READ_WG;
  while (*wg > dev->max_wg && *wg > 1) *wg /= 2;
  for (;;) {
    char opts[64];
    snprintf(opts, sizeof opts, "-DLR_FLOOR_WG=%zu -DLR_FLOOR_CHUNKED=%d", *wg,
             (dev->type & CL_DEVICE_TYPE_CPU) != 0);
    if ((st = lr_ocl_build(ctx, dev->did, src, opts, prog, NULL, err))) break;
    cl_int rc;
    *kern = clCreateKernel(*prog, "lr_floor_read", &rc);
    if (rc != CL_SUCCESS) {
      st = lr_fail(err, LOGREG_EBACKEND,
                   "floor: clCreateKernel(lr_floor_read) on %s failed: %s (%d)", dev->name,
                   lr_ocl_error_name(rc), rc);
      break;
    }
    size_t kwg = 0;
    rc = clGetKernelWorkGroupInfo(*kern, dev->did, CL_KERNEL_WORK_GROUP_SIZE, sizeof kwg, &kwg,
                                  NULL);
    if (rc != CL_SUCCESS || kwg >= *wg || *wg == 1) break;
    clReleaseKernel(*kern);
    clReleaseProgram(*prog);
    *kern = NULL, *prog = NULL;
    while (*wg > kwg && *wg > 1) *wg /= 2;
  }
  if (st) {
    if (*kern) clReleaseKernel(*kern);
    if (*prog) clReleaseProgram(*prog);
    *kern = NULL, *prog = NULL;
  }
  if (owned) free((void *)src);
  return st;
}

/* The start of a device floor: `out` cleared, and the OpenCL device behind a public description
 * as its driver describes it (the floors measure the hardware, so options such as max_alloc do
 * not apply to them). */
static logreg_status floor_device(const logreg_device_info *info, lr_ocl_device_info *dev,
                                  logreg_floor *out, logreg_error *err) {
  lr_error_clear(err);
  memset(out, 0, sizeof *out);
  if (info->backend != LOGREG_BACKEND_OPENCL)
    return lr_fail(err, LOGREG_EINVAL, "floor: %s is not an OpenCL device", info->spec);
  return lr_ocl_find(info->platform, info->index, NULL, dev, err);
}

logreg_status logreg_floor_device_read(const logreg_device_info *info,
                                       const logreg_device_options *opt, size_t bytes,
                                       logreg_floor *out, logreg_error *err) {
  lr_ocl_device_info found;
  logreg_status fst = floor_device(info, &found, out, err);
  if (fst) return fst;
  const lr_ocl_device_info *dev = &found;
  const size_t f4 = 4 * sizeof(float);
  size_t n4 = bytes / f4 > 0 ? bytes / f4 : 1; /* whole float4s, at least one */
  size_t per = (size_t)(dev->max_alloc / f4);  /* float4s per buffer */
  if (per < 1)
    return lr_fail(err, LOGREG_EBACKEND, "floor: %s reports no usable max allocation", dev->name);
  if ((unsigned long long)n4 * f4 > dev->global_mem)
    return lr_fail(err, LOGREG_EBACKEND,
                   "floor: a %zu-byte buffer exceeds %s's global memory (%llu bytes)", n4 * f4,
                   dev->name, dev->global_mem);
  /* X larger than one allocation is read as several buffers, one launch each, in one timing. */
  size_t nbuf = (n4 + per - 1) / per;
  logreg_status st = LOGREG_OK;
  cl_context ctx = NULL;
  cl_command_queue q = NULL;
  cl_program prog = NULL;
  cl_kernel kern = NULL;
  cl_mem partial = NULL;
  cl_mem *buf = calloc(nbuf, sizeof *buf);
  float *sums = NULL;
  cl_int rc;
  size_t wg = 0, groups = 0;
  double times[FLOOR_RUNS];
  if (!buf) return lr_fail(err, LOGREG_ENOMEM, "floor: out of memory");
  cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)dev->pid, 0};
  ctx = clCreateContext(props, 1, &dev->did, NULL, NULL, &rc);
  CL_TRY(rc, "clCreateContext");
  q = clCreateCommandQueue(ctx, dev->did, 0, &rc);
  CL_TRY(rc, "clCreateCommandQueue");
  if ((st = build_read_kernel(dev, lr_ocl_hooks(opt)->kernel_dir, ctx, &prog, &kern, &wg, err)))
    goto done;
  /* Enough groups to fill every compute unit, fewer when the buffer has less work. */
  size_t chunk = n4 < per ? n4 : per;
  groups = (size_t)(dev->compute_units > 0 ? dev->compute_units : 1) * READ_GROUPS_PER_CU;
  if (groups > (chunk + wg - 1) / wg) groups = (chunk + wg - 1) / wg;
  if (groups < 1) groups = 1;
  partial = clCreateBuffer(ctx, CL_MEM_READ_WRITE, nbuf * groups * sizeof(float), NULL, &rc);
  CL_TRY(rc, "clCreateBuffer(partial sums)");
  const cl_float4 pattern = {{0.25f, 0.5f, 0.75f, 1.0f}};
  for (size_t b = 0; b < nbuf; b++) {
    size_t nb = b + 1 < nbuf ? per : n4 - per * b;
    buf[b] = clCreateBuffer(ctx, CL_MEM_READ_ONLY, nb * f4, NULL, &rc);
    CL_TRY(rc, "clCreateBuffer");
    CL_TRY(clEnqueueFillBuffer(q, buf[b], &pattern, sizeof pattern, 0, nb * f4, 0, NULL, NULL),
           "clEnqueueFillBuffer");
  }
  CL_TRY(clFinish(q), "clFinish");
  size_t global = groups * wg;
  for (int r = 0; r < FLOOR_RUNS; r++) {
    double t0 = lr_now();
    for (size_t b = 0; b < nbuf; b++) {
      cl_ulong nb = b + 1 < nbuf ? per : n4 - per * b;
      cl_uint slot = (cl_uint)b;
      CL_TRY(clSetKernelArg(kern, 0, sizeof buf[b], &buf[b]), "clSetKernelArg");
      CL_TRY(clSetKernelArg(kern, 1, sizeof nb, &nb), "clSetKernelArg");
      CL_TRY(clSetKernelArg(kern, 2, sizeof partial, &partial), "clSetKernelArg");
      CL_TRY(clSetKernelArg(kern, 3, sizeof slot, &slot), "clSetKernelArg");
      CL_TRY(clEnqueueNDRangeKernel(q, kern, 1, NULL, &global, &wg, 0, NULL, NULL),
             "clEnqueueNDRangeKernel(lr_floor_read)");
    }
    CL_TRY(clFinish(q), "clFinish");
    times[r] = (lr_now() - t0) * 1e3;
  }
  /* The partial sums come back once, after the timing, so that the reads have a consumer. */
  if (!(sums = malloc(nbuf * groups * sizeof *sums))) {
    st = lr_fail(err, LOGREG_ENOMEM, "floor: out of memory");
    goto done;
  }
  CL_TRY(clEnqueueReadBuffer(q, partial, CL_TRUE, 0, nbuf * groups * sizeof *sums, sums, 0, NULL,
                             NULL),
         "clEnqueueReadBuffer(partial sums)");
  /* ... and say whether the kernel read every float4 exactly once (each sums to 2.5). */
  double total = 0, want = 2.5 * (double)n4;
  for (size_t i = 0; i < nbuf * groups; i++) total += sums[i];
  lr_floor_sink = total;
  if (!(fabs(total - want) <= 1e-3 * want)) {
    st = lr_fail(err, LOGREG_EBACKEND,
                 "floor: the read kernel on %s summed the buffer to %.9g, not %.9g: it did not "
                 "read every element once",
                 dev->name, total, want);
    goto done;
  }
  out->bytes = n4 * f4;
  out->threads = 0;
  out->ms = median(times + 1, LOGREG_FLOOR_PASSES);
  out->gb_per_s = (double)out->bytes / (out->ms * 1e-3) / 1e9;
  snprintf(out->kind, sizeof out->kind, "device read");
done:
  free(sums);
  for (size_t b = 0; b < nbuf; b++)
    if (buf[b]) clReleaseMemObject(buf[b]);
  free(buf);
  if (partial) clReleaseMemObject(partial);
  if (kern) clReleaseKernel(kern);
  if (prog) clReleaseProgram(prog);
  if (q) clReleaseCommandQueue(q);
  if (ctx) clReleaseContext(ctx);
  return st;
}

logreg_status logreg_floor_device_copy(const logreg_device_info *info, size_t bytes,
                                       logreg_floor *out, logreg_error *err) {
  lr_ocl_device_info found;
  logreg_status fst = floor_device(info, &found, out, err);
  if (fst) return fst;
  const lr_ocl_device_info *dev = &found;
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
  out->ms = median(times + 1, LOGREG_FLOOR_PASSES);
  out->gb_per_s = (double)bytes / (out->ms * 1e-3) / 1e9;
  snprintf(out->kind, sizeof out->kind, "device copy");
done:
  if (dst) clReleaseMemObject(dst);
  if (src) clReleaseMemObject(src);
  if (q) clReleaseCommandQueue(q);
  if (ctx) clReleaseContext(ctx);
  return st;
}
