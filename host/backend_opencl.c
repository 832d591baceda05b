/* backend_opencl.c: the opencl backend: the backend interface (backend.h) on any OpenCL
 * device, with the kernels of kernels/logreg.cl and, where it pays, CLBlast's SGEMM.
 *
 * X, y and s are uploaded once per slot; the parameters [W | b], the gradient and the optimizer
 * state live on the device. An evaluation runs logits -> row kernel (softmax or sigmoid, loss,
 * residual) -> fixed-order reductions (-> gradient), and reads back six sums. Mini-batches are
 * contiguous ranges of a device-side gathered copy of the training slot, so shuffling uploads
 * only the permutation.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "backend_opencl.h"
#include "ocl.h" /* before clblast_c.h: it fixes the OpenCL version the headers target */
#include "util.h"

#include <clblast_c.h>

enum { SUM_WLOSS, SUM_LOSS, SUM_CORRECT, SUM_S, SUM_SQ, SUM_GMAX, SUM_COUNT };

/* One sum as the kernels write it (sum_t in logreg.cl), in the sums buffer and in the row
 * kernels' partials: a double where the device has fp64, else a float pair (sum, error) of a
 * compensated sum. */
typedef union ocl_sum {
  cl_double d;
  cl_float f[2];
} ocl_sum;

typedef struct ocl_slot {
  cl_mem x, y, s;
  size_t n;
} ocl_slot;

typedef struct ocl_backend {
  lr_backend base;
  lr_ocl_device_info info;
  cl_context ctx;
  cl_command_queue q;
  cl_program prog;
  cl_kernel k_logits, k_softmax, k_sigmoid, k_reduce, k_sumsq, k_gpart, k_greduce, k_gfinish,
      k_gather, k_gd, k_mom, k_adam, k_transpose, k_fused, k_ffinish;
  ocl_slot slot[LR_SLOT_COUNT];
  cl_mem xp, yp, sp, perm; /* the training slot in shuffled order, and the order */
  int ordered;             /* training evaluations read xp/yp/sp */
  cl_mem theta, grad, m1, m2;
  cl_mem z, g;            /* logits and residuals of the last evaluation (rows x KW) */
  size_t zg_rows;         /* capacity of z and g in rows */
  cl_mem partials, gpart; /* reduction partials */
  size_t partials_cap, gpart_cap;
  cl_mem sums; /* SUM_COUNT ocl_sums */
  size_t wg, chunk;
  lr_gemm_mode gemm; /* how logits and X^T G are computed */
  cl_mem wt;         /* W transposed (kwp x d, zero rows past KW), for the fused kernel */
  size_t kwp;        /* the fused kernel's padded class count (LR_KWP in logreg.cl) */
  int wt_stale;      /* theta was written from the host since wt was last made from it */
  unsigned long long max_alloc, global_mem, used;
  size_t last_rows; /* rows of the last evaluation (for lr_ocl_read_rows) */
} ocl_backend;

static logreg_status cl_fail(logreg_error *err, const char *what, cl_int rc) {
  const char *hint = "";
  if (rc == CL_MEM_OBJECT_ALLOCATION_FAILURE || rc == CL_OUT_OF_RESOURCES ||
      rc == CL_OUT_OF_HOST_MEMORY)
    hint = " (the device ran out of memory or resources)";
  return lr_fail(err, LOGREG_EBACKEND, "opencl: %s failed: %s (%d)%s", what, lr_ocl_error_name(rc),
                 rc, hint);
}

#define CL_TRY(call, what)                                                                         \
  do {                                                                                             \
    cl_int rc_ = (call);                                                                           \
    if (rc_ != CL_SUCCESS) return cl_fail(err, what, rc_);                                         \
  } while (0)

/* Sets kernel arguments from (size, pointer) pairs; a NULL pointer with a size is __local. */
static cl_int set_args(cl_kernel k, int n, ...) {
  va_list ap;
  va_start(ap, n);
  cl_int rc = CL_SUCCESS;
  for (int i = 0; i < n && rc == CL_SUCCESS; i++) {
    size_t size = va_arg(ap, size_t);
    const void *ptr = va_arg(ap, const void *);
    rc = clSetKernelArg(k, (cl_uint)i, size, ptr);
  }
  va_end(ap);
  return rc;
}
#define A(v) sizeof(v), (const void *)&(v)
#define LOCAL(bytes) (size_t)(bytes), (const void *)NULL

static size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

/* Rows per work-item of the fused kernel for an evaluation of m rows: about 8 blocks per
 * compute unit (enough for the runtime to balance them, few enough that the partial gradients,
 * one KW x (d + 1) matrix per block, stay small), at least 64 rows, a multiple of the kernel's
 * 16-row groups. */
#define FUSED_BLOCKS_PER_CU 8
#define FUSED_MIN_ROWS 64

static size_t fused_want(const ocl_backend *ob) {
  return FUSED_BLOCKS_PER_CU * (size_t)(ob->info.compute_units ? ob->info.compute_units : 1);
}

static size_t fused_block(const ocl_backend *ob, size_t m) {
  size_t want = fused_want(ob), rows = (m + want - 1) / want;
  if (rows < FUSED_MIN_ROWS) rows = FUSED_MIN_ROWS;
  return round_up(rows, 16);
}

/* The most blocks fused_block gives any evaluation of at most `rows` rows: sizes its buffers. */
static size_t fused_max_blocks(const ocl_backend *ob, size_t rows) {
  size_t n = (rows + FUSED_MIN_ROWS - 1) / FUSED_MIN_ROWS, want = fused_want(ob);
  return n < want ? n : want;
}

static logreg_status run1(ocl_backend *ob, cl_kernel k, size_t global, size_t local,
                          const char *what, logreg_error *err) {
  size_t gs = round_up(global ? global : 1, local ? local : 1);
  CL_TRY(clEnqueueNDRangeKernel(ob->q, k, 1, NULL, &gs, local ? &local : NULL, 0, NULL, NULL),
         what);
  return LOGREG_OK;
}

/* "12.5 MiB", "4.0 KiB", "512 bytes": sizes in messages, readable at any scale. */
static const char *human_bytes(unsigned long long n, char *buf, size_t cap) {
  if (n >= 1048576ULL)
    snprintf(buf, cap, "%.1f MiB", (double)n / 1048576.0);
  else if (n >= 1024ULL)
    snprintf(buf, cap, "%.1f KiB", (double)n / 1024.0);
  else
    snprintf(buf, cap, "%llu bytes", n);
  return buf;
}

/* A device buffer of `bytes`, counted against the device's limits (or LOGREG_OPENCL_MAX_ALLOC,
 * a smaller per-allocation limit for tests). */
static logreg_status alloc(ocl_backend *ob, cl_mem *m, size_t bytes, const char *what,
                           logreg_error *err) {
  char a[32], b[32];
  if (bytes == 0) bytes = sizeof(float);
  if (bytes > ob->max_alloc)
    return lr_fail(err, LOGREG_EBACKEND,
                   "opencl: %s needs %s, more than the device's largest allocation (%s) on %s",
                   what, human_bytes(bytes, a, sizeof a), human_bytes(ob->max_alloc, b, sizeof b),
                   ob->info.name);
  if (ob->used + bytes > ob->global_mem)
    return lr_fail(err, LOGREG_EBACKEND, "opencl: %s needs %s more, but %s has %s of global memory",
                   what, human_bytes(bytes, a, sizeof a), ob->info.name,
                   human_bytes(ob->global_mem, b, sizeof b));
  cl_int rc;
  cl_mem buf = clCreateBuffer(ob->ctx, CL_MEM_READ_WRITE, bytes, NULL, &rc);
  if (rc != CL_SUCCESS) return cl_fail(err, "clCreateBuffer", rc);
  if (*m) clReleaseMemObject(*m);
  *m = buf;
  ob->used += bytes;
  return LOGREG_OK;
}

static void release(cl_mem *m) {
  if (*m) clReleaseMemObject(*m);
  *m = NULL;
}

/* Makes sure the scratch buffers hold `rows` rows. */
static logreg_status ensure_rows(ocl_backend *ob, size_t rows, logreg_error *err) {
  size_t kw = ob->base.kw, d = ob->base.d;
  logreg_status st;
  if (rows > ob->zg_rows && ob->gemm != LR_GEMM_FUSED) {
    if ((st = alloc(ob, &ob->z, rows * kw * sizeof(float), "logits", err)) ||
        (st = alloc(ob, &ob->g, rows * kw * sizeof(float), "residuals", err)))
      return st;
    ob->zg_rows = rows;
  }
  size_t fblocks = fused_max_blocks(ob, rows);
  size_t groups = round_up(rows ? rows : 1, ob->wg) / ob->wg;
  size_t nsq = round_up((d + 1) * kw, ob->wg) / ob->wg;
  if (groups < fblocks) groups = fblocks;
  size_t need = 4 * (groups > nsq ? groups : nsq);
  if (need > ob->partials_cap) {
    if ((st = alloc(ob, &ob->partials, need * sizeof(ocl_sum), "partial sums", err))) return st;
    ob->partials_cap = need;
  }
  size_t chunks = (rows + ob->chunk - 1) / ob->chunk, gneed;
  if (ob->gemm == LR_GEMM_FUSED) {
    gneed = (fblocks ? fblocks : 1) * ((d + 16) / 16 * 16) * ob->kwp; /* LR_LD(d) rows */
  } else {
    gneed = (chunks ? chunks : 1) * (d + 1) * kw;
  }
  if (ob->gemm != LR_GEMM_CLBLAST && gneed > ob->gpart_cap) {
    if ((st = alloc(ob, &ob->gpart, gneed * sizeof(float), "gradient partials", err))) return st;
    ob->gpart_cap = gneed;
  }
  return LOGREG_OK;
}

static logreg_status upload(ocl_backend *ob, cl_mem *m, const void *src, size_t bytes,
                            const char *what, logreg_error *err) {
  logreg_status st = alloc(ob, m, bytes, what, err);
  if (st) return st;
  if (bytes) CL_TRY(clEnqueueWriteBuffer(ob->q, *m, CL_TRUE, 0, bytes, src, 0, NULL, NULL), what);
  return LOGREG_OK;
}

static logreg_status ocl_set_data(lr_backend *be, lr_slot slot, const float *x, const int32_t *y,
                                  const float *s, size_t n, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  ocl_slot *sl = &ob->slot[slot];
  size_t d = be->d;
  float *ones = NULL;
  if (!s) {
    ones = malloc((n ? n : 1) * sizeof *ones);
    if (!ones) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) ones[i] = 1.0f;
    s = ones;
  }
  char what[64];
  snprintf(what, sizeof what, "the %s data (%zu x %zu floats)", slot ? "validation" : "training", n,
           d);
  logreg_status st = upload(ob, &sl->x, x, n * d * sizeof(float), what, err);
  if (!st) st = upload(ob, &sl->y, y, n * sizeof(int32_t), "labels", err);
  if (!st) st = upload(ob, &sl->s, s, n * sizeof(float), "row weights", err);
  free(ones);
  if (st) return st;
  sl->n = n;
  be->n[slot] = n;
  if (slot == LR_SLOT_TRAIN) ob->ordered = 0;
  return ensure_rows(ob, n, err);
}

static logreg_status ocl_set_order(lr_backend *be, const uint32_t *order, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  if (!order) {
    ob->ordered = 0;
    return LOGREG_OK;
  }
  ocl_slot *sl = &ob->slot[LR_SLOT_TRAIN];
  size_t n = sl->n, d = be->d;
  logreg_status st;
  if (!ob->xp) {
    if ((st = alloc(ob, &ob->xp, n * d * sizeof(float), "the shuffled training copy", err)) ||
        (st = alloc(ob, &ob->yp, n * sizeof(int32_t), "shuffled labels", err)) ||
        (st = alloc(ob, &ob->sp, n * sizeof(float), "shuffled weights", err)) ||
        (st = alloc(ob, &ob->perm, n * sizeof(uint32_t), "the permutation", err)))
      return st;
  }
  CL_TRY(clEnqueueWriteBuffer(ob->q, ob->perm, CL_FALSE, 0, n * sizeof(uint32_t), order, 0, NULL,
                              NULL),
         "clEnqueueWriteBuffer(permutation)");
  cl_uint un = (cl_uint)n, ud = (cl_uint)d;
  CL_TRY(set_args(ob->k_gather, 9, A(sl->x), A(sl->y), A(sl->s), A(ob->perm), A(un), A(ud),
                  A(ob->xp), A(ob->yp), A(ob->sp)),
         "clSetKernelArg(lr_gather)");
  size_t gs[2] = {round_up(d ? d : 1, 16), n ? n : 1};
  CL_TRY(clEnqueueNDRangeKernel(ob->q, ob->k_gather, 2, NULL, gs, NULL, 0, NULL, NULL),
         "lr_gather");
  ob->ordered = 1;
  return LOGREG_OK;
}

static logreg_status gemm(ocl_backend *ob, int trans_a, size_t m, size_t n, size_t k, cl_mem a,
                          size_t a_off, size_t lda, cl_mem b, size_t ldb, cl_mem c, size_t ldc,
                          logreg_error *err) {
  CLBlastStatusCode rc = CLBlastSgemm(
      CLBlastLayoutRowMajor, trans_a ? CLBlastTransposeYes : CLBlastTransposeNo, CLBlastTransposeNo,
      m, n, k, 1.0f, a, a_off, lda, b, 0, ldb, 0.0f, c, 0, ldc, &ob->q, NULL);
  if (rc != CLBlastSuccess)
    return lr_fail(err, LOGREG_EBACKEND, "opencl: CLBlastSgemm(%s, %zu x %zu x %zu) failed: %d",
                   trans_a ? "X^T G" : "X W", m, n, k, (int)rc);
  return LOGREG_OK;
}

/* Two-stage sum (or max) of theta[0..n) or grad[0..n) into sums[out]. */
static logreg_status vec_reduce(ocl_backend *ob, cl_mem v, size_t n, int take_max, cl_uint out,
                                logreg_error *err) {
  cl_uint un = (cl_uint)n, tm = (cl_uint)take_max, one = 1;
  size_t groups = round_up(n ? n : 1, ob->wg) / ob->wg;
  cl_uint ug = (cl_uint)groups;
  CL_TRY(
      set_args(ob->k_sumsq, 5, A(v), A(un), A(tm), A(ob->partials), LOCAL(ob->wg * sizeof(double))),
      "clSetKernelArg(lr_sumsq_partial)");
  logreg_status st = run1(ob, ob->k_sumsq, groups * ob->wg, ob->wg, "lr_sumsq_partial", err);
  if (st) return st;
  CL_TRY(set_args(ob->k_reduce, 7, A(ob->partials), A(ug), A(one), A(tm), A(ob->sums), A(out),
                  LOCAL(ob->wg * sizeof(ocl_sum))),
         "clSetKernelArg(lr_reduce)");
  return run1(ob, ob->k_reduce, ob->wg, ob->wg, "lr_reduce", err);
}

/* Reads the sums of an evaluation back and turns them into its results, in double. */
static logreg_status finish_eval(ocl_backend *ob, size_t m, int want_grad, lr_eval_out *out,
                                 logreg_error *err) {
  ocl_sum raw[SUM_COUNT];
  double sums[SUM_COUNT];
  CL_TRY(clEnqueueReadBuffer(ob->q, ob->sums, CL_TRUE, 0, sizeof raw, raw, 0, NULL, NULL),
         "clEnqueueReadBuffer(sums)");
  for (int i = 0; i < SUM_COUNT; i++)
    sums[i] = ob->info.fp64 ? raw[i].d : (double)raw[i].f[0] + (double)raw[i].f[1];
  ob->last_rows = m;
  out->objective = sums[SUM_WLOSS] / sums[SUM_S] + 0.5 * ob->base.l2 * sums[SUM_SQ];
  out->loss = sums[SUM_LOSS] / (double)m;
  out->correct = sums[SUM_CORRECT];
  out->grad_max = want_grad ? sums[SUM_GMAX] : 0.0;
  return LOGREG_OK;
}

/* An evaluation for an update step (LR_EVAL_STEP): nothing is read back, so the host does not
 * wait for the device; the measures are NaN. */
static logreg_status step_eval(ocl_backend *ob, size_t m, lr_eval_out *out) {
  ob->last_rows = m;
  out->objective = out->loss = out->correct = NAN;
  out->grad_max = NAN;
  return LOGREG_OK;
}

/* The fused path: one pass over the rows computes the sums and the partial gradients. */
static logreg_status fused_eval(ocl_backend *ob, cl_mem X, cl_mem Y, cl_mem S, cl_uint row0,
                                cl_uint m, int want_grad, lr_eval_out *out, logreg_error *err) {
  lr_backend *be = &ob->base;
  size_t d = be->d, kw = be->kw, nw = d * kw;
  size_t fb = fused_block(ob, m), blocks = (m + fb - 1) / fb;
  cl_uint ud = (cl_uint)d, boff = (cl_uint)nw, block = (cl_uint)fb, wg = want_grad ? 1 : 0;
  int step = want_grad == LR_EVAL_STEP;
  cl_uint ub = (cl_uint)blocks;
  float pw = (float)be->pos_weight, l2 = (float)be->l2;
  logreg_status st;
  /* The updates keep wt current; only parameters set from the host need a transpose. */
  if (ob->wt_stale) {
    CL_TRY(set_args(ob->k_transpose, 3, A(ob->theta), A(ud), A(ob->wt)),
           "clSetKernelArg(lr_transpose_w)");
    if ((st = run1(ob, ob->k_transpose, nw, 0, "lr_transpose_w", err))) return st;
    ob->wt_stale = 0;
  }
  CL_TRY(set_args(ob->k_fused, 14, A(X), A(row0), A(m), A(ud), A(ob->wt), A(ob->theta), A(boff),
                  A(Y), A(S), A(block), A(pw), A(wg), A(ob->gpart), A(ob->partials)),
         "clSetKernelArg(lr_fused)");
  /* One work-item per block: on a CPU device a work-group of one keeps each block's loop a
   * plain loop; elsewhere the driver chooses. */
  size_t local = (ob->info.type & CL_DEVICE_TYPE_CPU) ? 1 : 0;
  if ((st = run1(ob, ob->k_fused, blocks, local, "lr_fused", err))) return st;
  CL_TRY(set_args(ob->k_ffinish, 10, A(ob->partials), A(ob->gpart), A(ub), A(ud), A(ob->theta),
                  A(l2), A(wg), A(ob->grad), A(ob->sums), LOCAL(ob->wg * sizeof(ocl_sum))),
         "clSetKernelArg(lr_fused_finish)");
  if ((st = run1(ob, ob->k_ffinish, ob->wg, ob->wg, "lr_fused_finish", err))) return st;
  return step ? step_eval(ob, m, out) : finish_eval(ob, m, want_grad, out, err);
}

static logreg_status ocl_eval(lr_backend *be, lr_slot slot, size_t begin, size_t count,
                              int want_grad, lr_eval_out *out, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  if (begin > be->n[slot] || count > be->n[slot] - begin)
    return lr_fail(err, LOGREG_EINVAL, "opencl backend: rows %zu..%zu outside %zu rows", begin,
                   begin + count, be->n[slot]);
  ocl_slot *sl = &ob->slot[slot];
  int shuffled = slot == LR_SLOT_TRAIN && ob->ordered;
  cl_mem X = shuffled ? ob->xp : sl->x, Y = shuffled ? ob->yp : sl->y,
         S = shuffled ? ob->sp : sl->s;
  size_t d = be->d, kw = be->kw, m = count, nw = d * kw;
  cl_uint row0 = (cl_uint)begin, um = (cl_uint)m, ud = (cl_uint)d, boff = (cl_uint)nw;
  logreg_status st;
  if (m == 0) return lr_fail(err, LOGREG_EINVAL, "opencl backend: empty evaluation");

  if (ob->gemm == LR_GEMM_FUSED) {
    st = fused_eval(ob, X, Y, S, row0, um, want_grad, out, err);
    if (!st) ob->last_rows = 0; /* no logits or residuals are kept in this mode */
    return st;
  }
  /* Logits Z = X W (no bias). */
  if (ob->gemm == LR_GEMM_CLBLAST) {
    if ((st = gemm(ob, 0, m, kw, d, X, begin * d, d, ob->theta, kw, ob->z, kw, err))) return st;
  } else {
    CL_TRY(set_args(ob->k_logits, 6, A(X), A(row0), A(um), A(ud), A(ob->theta), A(ob->z)),
           "clSetKernelArg(lr_logits)");
    if ((st = run1(ob, ob->k_logits, m, ob->wg, "lr_logits", err))) return st;
  }
  /* Rows: bias, loss, residual, per-group sums. */
  size_t groups = round_up(m, ob->wg) / ob->wg;
  if (be->binary) {
    float pw = (float)be->pos_weight;
    CL_TRY(set_args(ob->k_sigmoid, 11, A(ob->z), A(ob->g), A(ob->theta), A(boff), A(Y), A(S),
                    A(row0), A(um), A(pw), A(ob->partials), LOCAL(ob->wg * 4 * sizeof(ocl_sum))),
           "clSetKernelArg(lr_sigmoid_rows)");
    if ((st = run1(ob, ob->k_sigmoid, m, ob->wg, "lr_sigmoid_rows", err))) return st;
  } else {
    CL_TRY(set_args(ob->k_softmax, 10, A(ob->z), A(ob->g), A(ob->theta), A(boff), A(Y), A(S),
                    A(row0), A(um), A(ob->partials), LOCAL(ob->wg * 4 * sizeof(ocl_sum))),
           "clSetKernelArg(lr_softmax_rows)");
    if ((st = run1(ob, ob->k_softmax, m, ob->wg, "lr_softmax_rows", err))) return st;
  }
  cl_uint ug = (cl_uint)groups, four = 4, zero = 0;
  CL_TRY(set_args(ob->k_reduce, 7, A(ob->partials), A(ug), A(four), A(zero), A(ob->sums), A(zero),
                  LOCAL(ob->wg * sizeof(ocl_sum))),
         "clSetKernelArg(lr_reduce)");
  if ((st = run1(ob, ob->k_reduce, ob->wg, ob->wg, "lr_reduce", err))) return st;
  int step = want_grad == LR_EVAL_STEP;
  if (!step && (st = vec_reduce(ob, ob->theta, nw, 0, SUM_SQ, err))) return st;

  float l2 = (float)be->l2;
  if (want_grad) {
    cl_uint n_all = (cl_uint)(nw + kw);
    if (ob->gemm == LR_GEMM_CLBLAST) {
      if ((st = gemm(ob, 1, d, kw, m, X, begin * d, d, ob->g, kw, ob->grad, kw, err))) return st;
      CL_TRY(set_args(ob->k_gfinish, 7, A(ob->g), A(um), A(ud), A(ob->theta), A(l2), A(ob->sums),
                      A(ob->grad)),
             "clSetKernelArg(lr_grad_finish)");
      if ((st = run1(ob, ob->k_gfinish, n_all, 0, "lr_grad_finish", err))) return st;
    } else {
      size_t chunks = (m + ob->chunk - 1) / ob->chunk;
      cl_uint uc = (cl_uint)ob->chunk, unc = (cl_uint)chunks;
      CL_TRY(set_args(ob->k_gpart, 7, A(X), A(row0), A(um), A(ud), A(ob->g), A(uc), A(ob->gpart)),
             "clSetKernelArg(lr_grad_partial)");
      size_t gs[2] = {round_up(d + 1, 16), chunks};
      CL_TRY(clEnqueueNDRangeKernel(ob->q, ob->k_gpart, 2, NULL, gs, NULL, 0, NULL, NULL),
             "lr_grad_partial");
      CL_TRY(set_args(ob->k_greduce, 7, A(ob->gpart), A(unc), A(ud), A(ob->theta), A(l2),
                      A(ob->sums), A(ob->grad)),
             "clSetKernelArg(lr_grad_reduce)");
      if ((st = run1(ob, ob->k_greduce, n_all, 0, "lr_grad_reduce", err))) return st;
    }
    if (!step && (st = vec_reduce(ob, ob->grad, nw + kw, 1, SUM_GMAX, err))) return st;
  }
  return step ? step_eval(ob, m, out) : finish_eval(ob, m, want_grad, out, err);
}

static logreg_status ocl_update(lr_backend *be, const lr_update *u, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  size_t n = (be->d + 1) * be->kw;
  cl_uint un = (cl_uint)n, wt_d = ob->gemm == LR_GEMM_FUSED ? (cl_uint)be->d : 0;
  float lr = (float)u->lr;
  logreg_status st;
  switch (u->kind) {
  case LOGREG_OPTIMIZER_MOMENTUM: {
    float mu = (float)u->momentum;
    cl_uint nest = (cl_uint)u->nesterov;
    CL_TRY(set_args(ob->k_mom, 9, A(ob->theta), A(ob->grad), A(ob->m1), A(un), A(lr), A(mu),
                    A(nest), A(ob->wt), A(wt_d)),
           "clSetKernelArg(lr_update_momentum)");
    st = run1(ob, ob->k_mom, n, 0, "lr_update_momentum", err);
    break;
  }
  case LOGREG_OPTIMIZER_ADAM: {
    float b1 = (float)u->beta1, b2 = (float)u->beta2, eps = (float)u->eps;
    float c1 = (float)(1.0 - pow(u->beta1, (double)u->t));
    float c2 = (float)(1.0 - pow(u->beta2, (double)u->t));
    CL_TRY(set_args(ob->k_adam, 13, A(ob->theta), A(ob->grad), A(ob->m1), A(ob->m2), A(un), A(lr),
                    A(b1), A(b2), A(eps), A(c1), A(c2), A(ob->wt), A(wt_d)),
           "clSetKernelArg(lr_update_adam)");
    st = run1(ob, ob->k_adam, n, 0, "lr_update_adam", err);
    break;
  }
  default:
    CL_TRY(set_args(ob->k_gd, 6, A(ob->theta), A(ob->grad), A(un), A(lr), A(ob->wt), A(wt_d)),
           "clSetKernelArg(lr_update_gd)");
    st = run1(ob, ob->k_gd, n, 0, "lr_update_gd", err);
    break;
  }
  return st;
}

/* Reads n floats at element offset `off` of `buf` into doubles. */
static logreg_status read_doubles(ocl_backend *ob, cl_mem buf, size_t off, size_t n, double *out,
                                  logreg_error *err) {
  float *tmp = malloc((n ? n : 1) * sizeof *tmp);
  if (!tmp) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  cl_int rc = clEnqueueReadBuffer(ob->q, buf, CL_TRUE, off * sizeof(float), n * sizeof(float), tmp,
                                  0, NULL, NULL);
  for (size_t i = 0; rc == CL_SUCCESS && i < n; i++) out[i] = tmp[i];
  free(tmp);
  if (rc != CL_SUCCESS) return cl_fail(err, "clEnqueueReadBuffer", rc);
  return LOGREG_OK;
}

/* Reads a [W | b] vector of the device (parameters or gradient) into w and b (either NULL). */
static logreg_status read_wb(lr_backend *be, cl_mem buf, double *w, double *b, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  size_t nw = be->d * be->kw;
  logreg_status st = w ? read_doubles(ob, buf, 0, nw, w, err) : LOGREG_OK;
  if (!st && b) st = read_doubles(ob, buf, nw, be->kw, b, err);
  return st;
}

static logreg_status ocl_get_params(lr_backend *be, double *w, double *b, logreg_error *err) {
  return read_wb(be, ((ocl_backend *)be)->theta, w, b, err);
}

static logreg_status ocl_get_grad(lr_backend *be, double *gw, double *gb, logreg_error *err) {
  return read_wb(be, ((ocl_backend *)be)->grad, gw, gb, err);
}

static logreg_status ocl_set_params(lr_backend *be, const double *w, const double *b,
                                    logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  size_t nw = be->d * be->kw, n = nw + be->kw;
  float *tmp = malloc(n * sizeof *tmp);
  double *cur = calloc(n, sizeof *cur);
  if (!tmp || !cur) {
    free(tmp);
    free(cur);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  }
  /* Setting only W or only b keeps the other part as it is on the device. */
  logreg_status st = (!w || !b) ? read_doubles(ob, ob->theta, 0, n, cur, err) : LOGREG_OK;
  for (size_t i = 0; !st && i < n; i++)
    tmp[i] = (float)(i < nw ? (w ? w[i] : cur[i]) : (b ? b[i - nw] : cur[i]));
  cl_int rc = CL_SUCCESS;
  if (!st)
    rc = clEnqueueWriteBuffer(ob->q, ob->theta, CL_TRUE, 0, n * sizeof(float), tmp, 0, NULL, NULL);
  free(tmp);
  free(cur);
  if (st) return st;
  if (rc != CL_SUCCESS) return cl_fail(err, "clEnqueueWriteBuffer(parameters)", rc);
  ob->wt_stale = 1;
  return LOGREG_OK;
}

static logreg_status ocl_finish(lr_backend *be, logreg_error *err) {
  CL_TRY(clFinish(((ocl_backend *)be)->q), "clFinish");
  return LOGREG_OK;
}

static void ocl_destroy(lr_backend *be) {
  ocl_backend *ob = (ocl_backend *)be;
  if (!ob) return;
  if (ob->q) clFinish(ob->q);
  cl_kernel ks[] = {ob->k_logits, ob->k_softmax, ob->k_sigmoid,   ob->k_reduce, ob->k_sumsq,
                    ob->k_gpart,  ob->k_greduce, ob->k_gfinish,   ob->k_gather, ob->k_gd,
                    ob->k_mom,    ob->k_adam,    ob->k_transpose, ob->k_fused,  ob->k_ffinish};
  for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++)
    if (ks[i]) clReleaseKernel(ks[i]);
  for (int s = 0; s < LR_SLOT_COUNT; s++) {
    release(&ob->slot[s].x);
    release(&ob->slot[s].y);
    release(&ob->slot[s].s);
  }
  cl_mem *ms[] = {&ob->wt, &ob->xp, &ob->yp, &ob->sp, &ob->perm, &ob->theta, &ob->grad,
                  &ob->m1, &ob->m2, &ob->z,  &ob->g,  &ob->sums, &ob->gpart, &ob->partials};
  for (size_t i = 0; i < sizeof ms / sizeof ms[0]; i++) release(ms[i]);
  if (ob->prog) clReleaseProgram(ob->prog);
  if (ob->q) clReleaseCommandQueue(ob->q);
  if (ob->ctx) clReleaseContext(ob->ctx);
  free(ob);
}

static const lr_backend_ops ocl_ops = {
    .name = "opencl",
    .set_data = ocl_set_data,
    .set_order = ocl_set_order,
    .eval = ocl_eval,
    .update = ocl_update,
    .get_params = ocl_get_params,
    .get_grad = ocl_get_grad,
    .set_params = ocl_set_params,
    .finish = ocl_finish,
    .destroy = ocl_destroy,
};

static logreg_status make_kernels(ocl_backend *ob, logreg_error *err) {
  struct {
    cl_kernel *k;
    const char *name;
  } list[] = {{&ob->k_logits, "lr_logits"},         {&ob->k_softmax, "lr_softmax_rows"},
              {&ob->k_sigmoid, "lr_sigmoid_rows"},  {&ob->k_reduce, "lr_reduce"},
              {&ob->k_sumsq, "lr_sumsq_partial"},   {&ob->k_gpart, "lr_grad_partial"},
              {&ob->k_greduce, "lr_grad_reduce"},   {&ob->k_gfinish, "lr_grad_finish"},
              {&ob->k_gather, "lr_gather"},         {&ob->k_gd, "lr_update_gd"},
              {&ob->k_mom, "lr_update_momentum"},   {&ob->k_adam, "lr_update_adam"},
              {&ob->k_transpose, "lr_transpose_w"}, {&ob->k_fused, "lr_fused"},
              {&ob->k_ffinish, "lr_fused_finish"}};
  for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
    cl_int rc;
    *list[i].k = clCreateKernel(ob->prog, list[i].name, &rc);
    if (rc != CL_SUCCESS)
      return lr_fail(err, LOGREG_EBACKEND, "opencl: clCreateKernel(%s) failed: %s (%d)",
                     list[i].name, lr_ocl_error_name(rc), rc);
  }
  return LOGREG_OK;
}

/* The GEMM path: LOGREG_GEMM=own|clblast|fused|auto. auto: CLBlast on GPUs (by rule: no GPU
 * has been measured yet); on other devices the fused one-pass kernel, measured on PoCL 4x to 5x
 * faster than the own kernels at K = 33, 64 and 100 (60000 x 784) and 1.4x at K = 1000, and
 * CLBlast's SGEMM far slower than both for these skinny shapes (bench/RESULTS.md). */
static lr_gemm_mode choose_gemm(const lr_ocl_device_info *info) {
  const char *g = getenv("LOGREG_GEMM");
  if (g && strcmp(g, "clblast") == 0) return LR_GEMM_CLBLAST;
  if (g && strcmp(g, "own") == 0) return LR_GEMM_OWN;
  if (g && strcmp(g, "fused") == 0) return LR_GEMM_FUSED;
  if (info->type & CL_DEVICE_TYPE_GPU) return LR_GEMM_CLBLAST;
  return LR_GEMM_FUSED;
}

logreg_status lr_ocl_backend_create(const char *spec, size_t d, size_t k, int binary, double l2,
                                    double pos_weight, lr_backend **out, logreg_error *err) {
  *out = NULL;
  lr_ocl_device_info info;
  int found = 0;
  char why[512];
  logreg_status st = lr_ocl_choose(spec, &info, &found, why, sizeof why, err);
  if (st) return st;
  if (!found) return lr_fail(err, LOGREG_EBACKEND, "--device %s: no OpenCL device found", spec);
  ocl_backend *ob = calloc(1, sizeof *ob);
  if (!ob) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  ob->base.ops = &ocl_ops;
  ob->base.d = d;
  ob->base.k = k;
  ob->base.kw = binary ? 1 : k;
  ob->base.binary = binary;
  ob->base.l2 = l2;
  ob->base.pos_weight = pos_weight;
  ob->info = info;
  ob->max_alloc = info.max_alloc;
  ob->global_mem = info.global_mem;
  const char *lim = getenv("LOGREG_OPENCL_MAX_ALLOC");
  size_t limv;
  if (lim && lr_parse_size(lim, &limv) == 0 && limv < ob->max_alloc) ob->max_alloc = limv;
  /* LOGREG_OPENCL_FP64=0: the sums of a device without doubles (compensated floats), for tests. */
  const char *f64 = getenv("LOGREG_OPENCL_FP64");
  if (f64 && strcmp(f64, "0") == 0) ob->info.fp64 = 0;
  ob->gemm = choose_gemm(&info);
  snprintf(ob->base.device, sizeof ob->base.device, "opencl:%u:%u %s (%s, %s)", info.platform,
           info.device, info.name, lr_ocl_type_name(info.type),
           ob->gemm == LR_GEMM_CLBLAST ? "CLBlast GEMM"
           : ob->gemm == LR_GEMM_FUSED ? "fused one-pass kernel"
                                       : "own GEMM kernels");
  /* Work-group size: 256 where the device allows it (a power of two either way). */
  ob->wg = 256;
  while (ob->wg > info.max_wg && ob->wg > 1) ob->wg /= 2;
  ob->chunk = 256;
  {
    size_t kw = ob->base.kw, ncb = (kw + 11) / 12, cb = (kw + ncb - 1) / ncb;
    ob->kwp = ncb * cb; /* as LR_NCB, LR_CB, LR_KWP in logreg.cl */
  }

  cl_int rc;
  cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)info.pid, 0};
  ob->ctx = clCreateContext(props, 1, &info.did, NULL, NULL, &rc);
  if (rc != CL_SUCCESS) {
    st = cl_fail(err, "clCreateContext", rc);
    goto fail;
  }
  ob->q = clCreateCommandQueue(ob->ctx, info.did, 0, &rc);
  if (rc != CL_SUCCESS) {
    st = cl_fail(err, "clCreateCommandQueue", rc);
    goto fail;
  }
  int owned;
  const char *src = lr_ocl_kernel_source("logreg.cl", &owned, err);
  if (!src) {
    st = err ? err->status : LOGREG_EBACKEND;
    goto fail;
  }
  /* The fused kernel's vector width: 16 floats, 8 for rows shorter than 32 (measured on PoCL:
   * at D = 32 the 16-row groups made 16 faster than 8). Software prefetch on CPU devices. */
  char opts[256];
  snprintf(opts, sizeof opts,
           "-cl-std=CL1.2 -DLR_K=%zu -DLR_KW=%zu -DLR_WG=%zu -DLR_FP64=%d -DLR_VW=%d "
           "-DLR_PREFETCH=%d",
           k, ob->base.kw, ob->wg, ob->info.fp64 ? 1 : 0, d >= 32 ? 16 : 8,
           (info.type & CL_DEVICE_TYPE_CPU) ? 1 : 0);
  const char *xo = getenv("LOGREG_EXTRA_OPTS");
  if (xo) {
    size_t ol = strlen(opts);
    snprintf(opts + ol, sizeof opts - ol, " %s", xo);
  }
  st = lr_ocl_build(ob->ctx, info.did, src, opts, &ob->prog, NULL, err);
  if (owned) free((void *)src);
  if (st) goto fail;
  if ((st = make_kernels(ob, err))) goto fail;
  size_t np = (d + 1) * ob->base.kw;
  if ((st = alloc(ob, &ob->theta, np * sizeof(float), "parameters", err)) ||
      (st = alloc(ob, &ob->grad, np * sizeof(float), "gradient", err)) ||
      (st = alloc(ob, &ob->m1, np * sizeof(float), "optimizer state", err)) ||
      (st = alloc(ob, &ob->m2, np * sizeof(float), "optimizer state", err)) ||
      (st = alloc(ob, &ob->sums, SUM_COUNT * sizeof(ocl_sum), "sums", err)) ||
      (st = alloc(ob, &ob->wt, d * ob->kwp * sizeof(float), "transposed weights", err)))
    goto fail;
  float zero = 0.0f;
  cl_mem zeroed[] = {ob->theta, ob->grad, ob->m1, ob->m2, ob->sums, ob->wt};
  for (size_t i = 0; i < sizeof zeroed / sizeof zeroed[0]; i++) {
    size_t bytes =
        i == 4 ? SUM_COUNT * sizeof(ocl_sum) : (i == 5 ? d * ob->kwp : np) * sizeof(float);
    rc = clEnqueueFillBuffer(ob->q, zeroed[i], &zero, sizeof zero, 0, bytes, 0, NULL, NULL);
    if (rc != CL_SUCCESS) {
      st = cl_fail(err, "clEnqueueFillBuffer", rc);
      goto fail;
    }
  }
  if ((st = ensure_rows(ob, 1, err))) goto fail;
  *out = &ob->base;
  return LOGREG_OK;
fail:
  ocl_destroy(&ob->base);
  return st;
}

logreg_status lr_ocl_read_rows(lr_backend *be, int residuals, float *out, logreg_error *err) {
  ocl_backend *ob = (ocl_backend *)be;
  if (ob->gemm == LR_GEMM_FUSED)
    return lr_fail(err, LOGREG_EUNSUPPORTED,
                   "opencl: the fused path keeps no logits or residuals to read");
  size_t bytes = ob->last_rows * be->kw * sizeof(float);
  CL_TRY(
      clEnqueueReadBuffer(ob->q, residuals ? ob->g : ob->z, CL_TRUE, 0, bytes, out, 0, NULL, NULL),
      "clEnqueueReadBuffer(rows)");
  return LOGREG_OK;
}

lr_gemm_mode lr_ocl_gemm_mode(const lr_backend *be) { return ((const ocl_backend *)be)->gemm; }
