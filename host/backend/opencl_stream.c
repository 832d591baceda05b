/* opencl_stream.c: where the opencl backend's dense X lives, and how an evaluation reads it.
 *
 * A resident X is in segments (ocl_xbuf: one buffer when it fits the device's largest
 * allocation, else as many whole rows as one allocation holds per buffer), which an evaluation
 * reads piece by piece (xpiece). A slot too large for the device keeps X in pinned host memory
 * and streams it through a ring of two device segments (xfeed: one interface for both, so that
 * the one-pass paths of opencl_paths.c need not know which). Apart because it is the memory
 * layout of X, not any path's arithmetic: the same pieces serve the evaluations, the
 * Hessian-vector products and the grids.
 */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "backend/ocl.h"
#include "backend/opencl_impl.h"
#include "util/util.h"

void lr_ocl_xbuf_release(ocl_backend *ob, ocl_xbuf *xb) {
  for (size_t i = 0; i < LR_MAX_SEG; i++) lr_ocl_drop(ob, &xb->seg[i]);
  xb->nseg = xb->seg_rows = 0;
  free(xb->host); /* after the buffers made over it */
  xb->host = NULL;
}

/* Device buffers for n rows of X: one when it fits the largest allocation, else segments of
 * as many whole rows as one allocation holds; made over host rows x (owned from here) when not
 * NULL, in segments of whole pages of x where they hold 1024 rows or more. */
static logreg_status xbuf_make(ocl_backend *ob, ocl_xbuf *xb, size_t n, float *x, const char *what,
                               logreg_error *err) {
  size_t row = ob->base.d * sizeof(float), per = row ? (size_t)(ob->max_alloc / row) : n;
  char a[32], b[32];
  lr_ocl_xbuf_release(ob, xb);
  if (per == 0)
    return lr_fail(err, LOGREG_EBACKEND,
                   "opencl: one row of %s (%zu features, %s) is larger than the largest "
                   "allocation of %s (%s)",
                   what, ob->base.d, lr_ocl_human_bytes(row, a, sizeof a), ob->info.name,
                   lr_ocl_human_bytes(ob->max_alloc, b, sizeof b));
  if (x && per >= 1024) per -= per % 1024; /* 1024 rows: a whole number of 4 KiB pages */
  if (per > n) per = n ? n : 1;
  size_t nseg = n ? (n + per - 1) / per : 1;
  if (nseg > LR_MAX_SEG)
    return lr_fail(err, LOGREG_EBACKEND,
                   "opencl: %s (%zu x %zu floats) needs %zu allocations of at most %s on %s; "
                   "at most %d are supported",
                   what, n, ob->base.d, nseg, lr_ocl_human_bytes(ob->max_alloc, b, sizeof b),
                   ob->info.name, LR_MAX_SEG);
  for (size_t i = 0; i < nseg; i++) {
    size_t rows = i + 1 < nseg ? per : n - i * per;
    float *over = x ? x + i * per * ob->base.d : NULL;
    logreg_status st = lr_ocl_alloc_over(ob, &xb->seg[i], rows * row, over, what, err);
    if (st) return st;
  }
  xb->nseg = nseg;
  xb->seg_rows = per;
  return LOGREG_OK;
}

logreg_status lr_ocl_xbuf_alloc(ocl_backend *ob, ocl_xbuf *xb, size_t n, const char *what,
                                logreg_error *err) {
  return xbuf_make(ob, xb, n, NULL, what, err);
}

/* Device buffers made over n rows of x (malloc'd; freed with the buffers, on failure too), for
 * a device that shares host memory: X is then held once. */
logreg_status lr_ocl_xbuf_wrap(ocl_backend *ob, ocl_xbuf *xb, float *x, size_t n, const char *what,
                               logreg_error *err) {
  logreg_status st = xbuf_make(ob, xb, n, x, what, err);
  xb->host = x;
  return st;
}

/* Device buffers for n rows of X (lr_ocl_xbuf_alloc), filled from x by blocking writes. */
logreg_status lr_ocl_xbuf_upload(ocl_backend *ob, ocl_xbuf *xb, const float *x, size_t n,
                                 const char *what, logreg_error *err) {
  logreg_status st = lr_ocl_xbuf_alloc(ob, xb, n, what, err);
  size_t d = ob->base.d;
  for (size_t i = 0; !st && i < xb->nseg; i++) {
    size_t r0 = i * xb->seg_rows, rows = n - r0 < xb->seg_rows ? n - r0 : xb->seg_rows;
    if (rows > 0 && d > 0)
      CL_TRY(clEnqueueWriteBuffer(ob->q, xb->seg[i], CL_TRUE, 0, rows * d * sizeof(float),
                                  x + r0 * d, 0, NULL, NULL),
             what);
  }
  return st;
}

/* The pieces of [begin, begin + m) in order; returns their count (at most LR_MAX_SEG). */
size_t lr_ocl_xbuf_pieces(const ocl_xbuf *xb, size_t begin, size_t m, xpiece *out) {
  size_t np = 0, end = begin + m;
  for (size_t r = begin; r < end && np < LR_MAX_SEG; np++) {
    size_t seg = r / xb->seg_rows, s0 = seg * xb->seg_rows, s1 = s0 + xb->seg_rows;
    size_t e = end < s1 ? end : s1;
    out[np] = (xpiece){xb->seg[seg], r - s0, r, e - r};
    r = e;
  }
  return np;
}

/* ---- Streaming X from host memory ----
 *
 * An evaluation over rows [begin, begin + m) of a streamed slot runs in chunks of ring_rows
 * rows: chunk c goes into ring[c % 2] on the copy queue once the kernel that last read that
 * segment is done, and the kernel of chunk c waits for its upload, so the upload of chunk c + 1
 * overlaps the compute on chunk c. An evaluation of at most ring_rows rows (a mini-batch) is
 * one chunk laid out as a resident single-buffer evaluation is: the same kernel launch, the
 * same sums bit for bit. Rows of a shuffled order are gathered on the host into a pinned
 * staging buffer first. */

static void event_drop(cl_event *e) {
  if (*e) clReleaseEvent(*e);
  *e = NULL;
}

/* Sets up f for an evaluation of rows [begin, begin + m): of slot sl's host copy when it is
 * streamed (in the training order when shuffled), else of the segments of xb. */
void lr_ocl_feed_init(const ocl_backend *ob, xfeed *f, const ocl_slot *sl, const ocl_xbuf *xb,
                      int shuffled, size_t begin, size_t m) {
  f->sl = sl->streamed ? sl : NULL;
  f->shuffled = shuffled;
  f->begin = begin;
  f->m = m;
  if (f->sl)
    f->np = (m + ob->ring_rows - 1) / ob->ring_rows;
  else
    f->np = lr_ocl_xbuf_pieces(xb, begin, m, f->pc);
}

/* Rows of piece i. */
size_t lr_ocl_feed_rows(const ocl_backend *ob, const xfeed *f, size_t i) {
  if (!f->sl) return f->pc[i].rows;
  size_t r0 = i * ob->ring_rows;
  return f->m - r0 < ob->ring_rows ? f->m - r0 : ob->ring_rows;
}

/* Piece i for a kernel launch; for a streamed slot, enqueues its upload into the ring first
 * (*wait: the event the kernel must wait for; NULL for a resident piece). */
logreg_status lr_ocl_feed_piece(ocl_backend *ob, xfeed *f, size_t i, xpiece *p, cl_event *wait,
                                logreg_error *err) {
  *wait = NULL;
  if (!f->sl) {
    *p = f->pc[i];
    return LOGREG_OK;
  }
  size_t d = ob->base.d, j = i % 2, rows = lr_ocl_feed_rows(ob, f, i),
         r0 = f->begin + i * ob->ring_rows;
  const float *src = f->sl->hx.x + r0 * d;
  if (f->shuffled) { /* the staging buffer is free once its last upload is done */
    if (ob->ring_up[j]) CL_TRY(clWaitForEvents(1, &ob->ring_up[j]), "clWaitForEvents(upload)");
    float *dst = ob->hstage[j];
    for (size_t r = 0; r < rows; r++)
      memcpy(dst + r * d, f->sl->hx.x + (size_t)ob->order[r0 + r] * d, d * sizeof(float));
    src = dst;
  }
  cl_event up = NULL;
  if (rows > 0 && d > 0) {
    cl_uint nw = ob->ring_free[j] ? 1 : 0;
    CL_TRY(clEnqueueWriteBuffer(ob->qc, ob->ring[j], CL_FALSE, 0, rows * d * sizeof(float), src, nw,
                                nw ? &ob->ring_free[j] : NULL, &up),
           "clEnqueueWriteBuffer(X chunk)");
    clFlush(ob->qc);
  }
  event_drop(&ob->ring_up[j]);
  ob->ring_up[j] = up;
  *wait = up;
  *p = (xpiece){ob->ring[j], 0, r0, rows};
  return LOGREG_OK;
}

/* lr_ocl_run1 for piece i: waits for its upload and, streamed, records the launch as the last
 * reader of its ring segment. */
logreg_status lr_ocl_feed_run(ocl_backend *ob, const xfeed *f, size_t i, cl_event wait, cl_kernel k,
                              size_t global, size_t local, const char *what, logreg_error *err) {
  if (!f->sl) return lr_ocl_run1(ob, k, global, local, what, err);
  size_t gs = round_up(global ? global : 1, local ? local : 1), j = i % 2;
  cl_event done = NULL;
  CL_TRY(clEnqueueNDRangeKernel(ob->q, k, 1, NULL, &gs, local ? &local : NULL, wait ? 1 : 0,
                                wait ? &wait : NULL, &done),
         what);
  event_drop(&ob->ring_free[j]);
  ob->ring_free[j] = done;
  return LOGREG_OK;
}

void lr_ocl_host_x_release(ocl_backend *ob, ocl_slot *sl) {
  if (sl->hx.buf) {
    if (sl->hx.x) clEnqueueUnmapMemObject(ob->q, sl->hx.buf, sl->hx.x, 0, NULL, NULL);
    clFinish(ob->q);
    clReleaseMemObject(sl->hx.buf);
  }
  free(sl->hx.y);
  free(sl->hx.s);
  memset(&sl->hx, 0, sizeof sl->hx);
  sl->streamed = 0;
}

void lr_ocl_ring_release(ocl_backend *ob) {
  if (ob->q) clFinish(ob->q);
  if (ob->qc) clFinish(ob->qc);
  for (int j = 0; j < 2; j++) {
    event_drop(&ob->ring_up[j]);
    event_drop(&ob->ring_free[j]);
    lr_ocl_drop(ob, &ob->ring[j]);
    if (ob->stage[j]) {
      if (ob->hstage[j]) clEnqueueUnmapMemObject(ob->q, ob->stage[j], ob->hstage[j], 0, NULL, NULL);
      clFinish(ob->q);
      lr_ocl_release(&ob->stage[j]);
    }
    ob->hstage[j] = NULL;
  }
  ob->ring_rows = 0;
}

/* A pinned host buffer of `bytes`, mapped for writing and reading (*ptr). */
static logreg_status host_alloc(ocl_backend *ob, cl_mem *m, float **ptr, size_t bytes,
                                const char *what, logreg_error *err) {
  cl_int rc;
  *m = clCreateBuffer(ob->ctx, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, bytes ? bytes : 4, NULL,
                      &rc);
  if (rc != CL_SUCCESS) return lr_ocl_fail(err, what, rc);
  *ptr = clEnqueueMapBuffer(ob->q, *m, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0, bytes ? bytes : 4, 0,
                            NULL, NULL, &rc);
  if (rc != CL_SUCCESS) return lr_ocl_fail(err, what, rc);
  return LOGREG_OK;
}

/* The ring: two segments of the most rows that half of the device memory left (after `keep`
 * more bytes) holds, at most `n` and one allocation each; the copy queue and the staging
 * buffers with it. */
logreg_status lr_ocl_ring_alloc(ocl_backend *ob, size_t n, unsigned long long keep,
                                logreg_error *err) {
  if (ob->ring_rows) return LOGREG_OK;
  size_t row = ob->base.d * sizeof(float);
  unsigned long long left = ob->global_mem > ob->used + keep ? ob->global_mem - ob->used - keep : 0;
  size_t rows = row ? (size_t)(left / 4 / row) : n;
  if (row && rows > ob->max_alloc / row) rows = (size_t)(ob->max_alloc / row);
  if (rows > n) rows = n;
  char a[32];
  if (rows == 0)
    return lr_fail(err, LOGREG_EBACKEND,
                   "opencl: %s has %s of memory left, too little to stream rows of %zu features",
                   ob->info.name, lr_ocl_human_bytes(left, a, sizeof a), ob->base.d);
  cl_int rc;
  if (!ob->qc) {
    ob->qc = clCreateCommandQueue(ob->ctx, ob->info.did, 0, &rc);
    if (rc != CL_SUCCESS) return lr_ocl_fail(err, "clCreateCommandQueue(copies)", rc);
  }
  logreg_status st = LOGREG_OK;
  for (int j = 0; !st && j < 2; j++) {
    st = lr_ocl_alloc(ob, &ob->ring[j], rows * row, "a streaming segment", err);
    if (!st) st = host_alloc(ob, &ob->stage[j], &ob->hstage[j], rows * row, "staging", err);
  }
  if (st) {
    lr_ocl_ring_release(ob);
    return st;
  }
  ob->ring_rows = rows;
  return LOGREG_OK;
}

/* Keeps n rows of X (and copies of y and s) in host memory for streaming. */
logreg_status lr_ocl_stream_set(ocl_backend *ob, ocl_slot *sl, const float *x, const int32_t *y,
                                const float *s, size_t n, logreg_error *err) {
  size_t d = ob->base.d;
  lr_ocl_xbuf_release(ob, &sl->x);
  lr_ocl_host_x_release(ob, sl);
  logreg_status st =
      host_alloc(ob, &sl->hx.buf, &sl->hx.x, n * d * sizeof(float), "the host copy of X", err);
  sl->hx.y = malloc((n ? n : 1) * sizeof *sl->hx.y);
  sl->hx.s = malloc((n ? n : 1) * sizeof *sl->hx.s);
  if (!st && (!sl->hx.y || !sl->hx.s)) st = lr_fail(err, LOGREG_ENOMEM, "out of memory");
  if (st) {
    lr_ocl_host_x_release(ob, sl);
    return st;
  }
  if (n > 0 && d > 0) memcpy(sl->hx.x, x, n * d * sizeof(float));
  if (n) memcpy(sl->hx.y, y, n * sizeof *y);
  if (n) memcpy(sl->hx.s, s, n * sizeof *s);
  sl->streamed = 1;
  return LOGREG_OK;
}

/* Whether a slot with rows keeps its X in host memory (streamed). */
int lr_ocl_any_streamed(const ocl_backend *ob) {
  for (int s = 0; s < LR_SLOT_COUNT; s++)
    if (ob->slot[s].streamed && ob->slot[s].n) return 1;
  return 0;
}
