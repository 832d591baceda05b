/* opencl_impl.h: the opencl backend's private header, shared by its files and by nothing else.
 *
 * The backend (opencl.h creates it) is one object, ocl_backend, whose parts are split by
 * concern over host/backend/opencl*.c: creating and destroying it with the helpers every part
 * uses (opencl.c), the evaluation paths and their choice (opencl_paths.c), X in segments and
 * streamed from host memory (opencl_stream.c), sparse rows (opencl_csr.c), the vector ops and
 * element-wise maps (opencl_vec.c), Hessian-vector products (opencl_hv.c) and cross-validation
 * grids (opencl_grid.c). Here: the object and its parts' types, the macros of checked calls and
 * kernel arguments, and the functions one file gives another (named lr_ocl_*: the ops of the
 * ocl_ops table do what backend.h says of their entry, the others are described where they are
 * defined). Every opencl*.c includes this header, and it includes no opencl*.h (only opencl.c
 * includes opencl.h, the public part): the files form no include cycle.
 */
#ifndef LOGREG_OPENCL_IMPL_H
#define LOGREG_OPENCL_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "backend/ocl.h"

/* The sums buffer: an evaluation's LR_NQ row sums, then one slot for a vector reduction. */
enum { SUM_WLOSS, SUM_LOSS, SUM_CORRECT, SUM_S, SUM_VEC, SUM_COUNT };

/* X on the device: rows in segments of seg_rows rows, each its own buffer, so that X may be
 * larger than the device's largest allocation (the one-pass paths read it segment by segment;
 * the own and CLBlast paths need one segment). */
#define LR_MAX_SEG 64
typedef struct ocl_xbuf {
  cl_mem seg[LR_MAX_SEG];
  size_t nseg, seg_rows;
  float *host; /* owned host rows the segments are made over (lr_ocl_xbuf_wrap), else NULL */
} ocl_xbuf;

/* One sum as the kernels write it (sum_t in logreg.cl), in the sums buffer and in the row
 * kernels' partials: a double where the device has fp64, else a float pair (sum, error) of a
 * compensated sum. */
typedef union ocl_sum {
  cl_double d;
  cl_float f[2];
} ocl_sum;

/* A dense slot streamed from host memory (its X does not fit what the device has left, or the
 * device_memory option): X in a pinned host buffer (CL_MEM_ALLOC_HOST_PTR, mapped for the life
 * of the slot), and host copies of the labels and weights for gathering a training order. */
typedef struct ocl_host_x {
  cl_mem buf;
  float *x;
  int32_t *y;
  float *s;
} ocl_host_x;

typedef struct ocl_slot {
  ocl_xbuf x;
  cl_mem y, s;
  size_t n;
  int streamed; /* X is in hx, not in x: evaluations upload it chunk by chunk (ring) */
  ocl_host_x hx;
  /* Sparse rows (csr set): CSR (row pointers as ulong, column indices, values) and the
   * transposed copy (CSC: column pointers as ulong, row indices, values) for X^T G. */
  int csr;
  cl_mem indptr, indices, values, colptr, rowidx, cvals;
} ocl_slot;

/* The own path's kernels and scratch (logits, residuals, X^T G partials) and the vector
 * kernels: the main program's (float logits, residuals and vectors; with clblast, CLBlast's SGEMM
 * in place of the logits and X^T G kernels), or the refinement program's (double:
 * ocl_set_precise). */
typedef struct ocl_own {
  cl_kernel logits, softmax, sigmoid, gpart, greduce, lincomb, mul, dot;
  cl_mem z, g, part;
  int clblast;
} ocl_own;

/* One element-wise map's program and kernel (backend.h: lr_vec_map). */
typedef struct ocl_map {
  char *name;
  cl_program prog;
  cl_kernel k;
} ocl_map;

typedef struct ocl_backend {
  lr_backend base;
  lr_ocl_device_info info;
  cl_context ctx;
  cl_command_queue q;
  cl_program prog;
  cl_kernel k_logits, k_softmax, k_sigmoid, k_reduce, k_dot, k_gpart, k_greduce, k_gfinish,
      k_gather, k_lincomb, k_mul, k_transpose, k_fused, k_ffinish, k_tile, k_tfinish, k_csr_logits,
      k_csc_grad;
  ocl_slot slot[LR_SLOT_COUNT];
  int sparse; /* the slots hold CSR rows: evaluations run the sparse kernels (lr_ocl_csr_sums) */
  /* Sparse training data in a training order: the CSC whose entries are the rows' positions in
   * the order (increasing within each column), made on the host from a copy of the CSR rows
   * and the column pointers kept for it. */
  cl_mem prow, pval;
  int64_t *h_indptr;
  int32_t *h_indices;
  float *h_values;
  uint64_t *h_colptr;
  ocl_xbuf xp;         /* the training slot's X in shuffled order... */
  cl_mem yp, sp, perm; /* ...its labels and weights, and the order */
  int ordered;         /* training evaluations read xp/yp/sp */
  float *adopt;        /* during ocl_adopt_data: rows the slot's X may be made over (then NULL) */
  cl_mem vec[LR_VEC_MAX]; /* the backend's vectors (backend.h): theta, raw gradient sums, ... */
  cl_mem z, g;            /* logits and residuals of the last evaluation (rows x KW) */
  size_t zg_rows;         /* capacity of z and g in rows */
  cl_mem partials, gpart; /* reduction partials */
  size_t partials_cap, gpart_cap; /* partials in elements, gpart in bytes */
  cl_mem sums;                    /* SUM_COUNT lr_ocl_sums */
  size_t wg, chunk;
  lr_path gemm; /* how logits and X^T G are computed */
  cl_mem wt;    /* W transposed (kwp x d, zero rows past KW), for the fused kernel */
  size_t kwp;   /* the fused kernel's padded class count (LR_KWP_OF, layout.h) */
  int wt_stale; /* theta was written from the host since wt was last made from it */
  unsigned long long max_alloc, global_mem, used;
  size_t last_rows; /* rows of the last evaluation (for lr_ocl_read_rows) */
  /* The tiled path: rows per tile (0 when a tile of one row does not fit in local memory),
   * the groups' partial gradients and row sums, and the finish kernel's output. */
  size_t tr, tgroups_cap, tout_cap, acc_size;
  size_t tgc, tstride; /* gradient classes per pass (LR_TGC); floats of one group's partial */
  cl_mem tpart, trsum, tout;
  int auto_gemm;       /* the path is to be measured when the training data is set */
  lr_path_store cache; /* where auto's measurements are kept (device.h); lookup NULL: nowhere */
  /* Hessian-vector products (lr_ocl_hv), on every path: kernels made at first use; the own
   * kernels' scratch for blocks of up to hv_rows rows (logits of theta, then s_i r_i; logits of
   * v; the chunks' X^T R partials; the running sum of the blocks). */
  cl_kernel k_hv_logits, k_hv_rows, k_hv_reduce, k_fused_hv, k_fused_hv_reduce;
  cl_mem hz, hu, hpart, hacc;
  size_t hv_rows;
  cl_mem hwt, hvt, hfpart; /* the fused path's: W and V transposed, the blocks' partials */
  size_t hfpart_cap;
  /* Cross-validation grids (lr_ocl_grid_sums): kernels made at first use; the folds, the models'
   * held folds and parameters (float), the residuals of a block of rows (rows x m KW), the
   * groups' row sums and the running X^T R sums, each with its capacity in elements. */
  cl_kernel k_grid_rows, k_grid_grad;
  cl_mem gfold, gheld, gtheta, gres, gpart_rows, gacc;
  size_t gfold_cap, gheld_cap, gtheta_cap, gres_cap, gpart_rows_cap, gacc_cap;
  /* The element-wise maps (lr_ocl_vec_map): a program and kernel per map, made at its first use
   * and found by the map's name. */
  ocl_map *maps;
  size_t nmaps;
  /* Refinement (ocl_set_precise): from then on every dense evaluation runs the own kernels of a
   * second program built with -DLR_PRECISE=1 (double logits and residuals) on pown's buffers,
   * sized for prows rows; the main program's options and kernel folder, to build it. */
  int precise;
  cl_program pprog;
  ocl_own pown;
  size_t prows;
  char *bopts, *kernel_dir;
  long fail_call, calls; /* the fault-injection hook (CL_CHECKED) and the calls checked so far */
  /* Streaming (a slot's streamed): two device segments of ring_rows rows each, refilled from
   * host memory on a second queue (qc) while the compute queue reads the other one; per ring
   * slot the event of its last upload and of the last kernel that read it. A shuffled training
   * order is gathered on the host into two pinned staging buffers (order: its host copy). */
  cl_command_queue qc;
  cl_mem ring[2], stage[2];
  float *hstage[2];
  cl_event ring_up[2], ring_free[2];
  size_t ring_rows;
  uint32_t *order;
} ocl_backend;

/* One piece of an evaluation over rows [begin, begin + m): the rows [row0, row0 + rows) of
 * the slot, which are rows [x_row0, x_row0 + rows) of segment X. */
typedef struct xpiece {
  cl_mem X;
  size_t x_row0, row0, rows;
} xpiece;

/* Where an evaluation's rows come from: the segments of a resident X (pc), or a streamed slot. */
typedef struct xfeed {
  const ocl_slot *sl; /* streamed: the slot, else NULL */
  int shuffled;
  size_t begin, m, np;
  xpiece pc[LR_MAX_SEG];
} xfeed;

/* A kernel handle of the backend and the kernel's name in the program. */
typedef struct kernel_ref {
  cl_kernel *k;
  const char *name;
} kernel_ref;

/* The test hook logreg_test_hooks.fail_call, logreg_hooks.h: the backend's fail_call-th checked
 * OpenCL call (counted from its creation) reports CL_OUT_OF_RESOURCES after it has run, as a device
 * that fails in the middle of training would. */
static inline cl_int injected(ocl_backend *ob, cl_int rc) {
  if (ob->fail_call > 0 && ++ob->calls == ob->fail_call && rc == CL_SUCCESS)
    return CL_OUT_OF_RESOURCES;
  return rc;
}
#define CL_CHECKED(ob, call) injected((ob), (call))

/* Checks an OpenCL call in a function that has the backend as `ob`. */
#define CL_TRY(call, what)                                                                         \
  do {                                                                                             \
    cl_int rc_ = CL_CHECKED(ob, call);                                                             \
    if (rc_ != CL_SUCCESS) return lr_ocl_fail(err, what, rc_);                                     \
  } while (0)

/* Kernel arguments for lr_ocl_set_args: a value's (size, pointer), a __local buffer's. */
#define A(v) sizeof(v), (const void *)&(v)
#define LOCAL(bytes) (size_t)(bytes), (const void *)NULL

static inline size_t round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }

/* ---- opencl.c: the helpers every part uses ---- */
logreg_status lr_ocl_fail(logreg_error *err, const char *what, cl_int rc);
cl_int lr_ocl_set_args(cl_kernel k, int n, ...);
logreg_status lr_ocl_run1(ocl_backend *ob, cl_kernel k, size_t global, size_t local,
                          const char *what, logreg_error *err);
const char *lr_ocl_human_bytes(unsigned long long n, char *buf, size_t cap);
void lr_ocl_release(cl_mem *m);
void lr_ocl_drop(ocl_backend *ob, cl_mem *m);
logreg_status lr_ocl_alloc(ocl_backend *ob, cl_mem *m, size_t bytes, const char *what,
                           logreg_error *err);
logreg_status lr_ocl_alloc_over(ocl_backend *ob, cl_mem *m, size_t bytes, void *host,
                                const char *what, logreg_error *err);
logreg_status lr_ocl_upload(ocl_backend *ob, cl_mem *m, const void *src, size_t bytes,
                            const char *what, logreg_error *err);
logreg_status lr_ocl_create_kernels(ocl_backend *ob, const kernel_ref *list, size_t n,
                                    logreg_error *err);

/* ---- opencl_paths.c: the dense evaluation paths and their choice ---- */
size_t lr_ocl_fused_block(const ocl_backend *ob, size_t m);
void lr_ocl_tile_grad_shape(size_t d, size_t kw, size_t wg, size_t *tgc, size_t *stride);
size_t lr_ocl_tile_rows(const lr_ocl_device_info *info, size_t d, size_t kw, size_t wg, size_t acc);
logreg_status lr_ocl_ensure_rows(ocl_backend *ob, size_t rows, logreg_error *err);
logreg_status lr_ocl_requested_path(const ocl_backend *ob, lr_path path, logreg_error *err);
void lr_ocl_set_device_name(ocl_backend *ob);
logreg_status lr_ocl_choose_path(ocl_backend *ob, size_t n, logreg_error *err);
logreg_status lr_ocl_set_path(lr_backend *be, lr_path g, const char *how, logreg_error *err);
logreg_status lr_ocl_row_sums(ocl_backend *ob, const ocl_own *o, cl_mem Y, cl_mem S, size_t begin,
                              size_t m, logreg_error *err);
ocl_own lr_ocl_own_main(const ocl_backend *ob);
logreg_status lr_ocl_sums(lr_backend *be, lr_slot slot, size_t begin, size_t count, int want,
                          lr_sums *out, logreg_error *err);

/* ---- opencl_stream.c: X in segments, and streamed from host memory ---- */
void lr_ocl_xbuf_release(ocl_backend *ob, ocl_xbuf *xb);
logreg_status lr_ocl_xbuf_alloc(ocl_backend *ob, ocl_xbuf *xb, size_t n, const char *what,
                                logreg_error *err);
logreg_status lr_ocl_xbuf_upload(ocl_backend *ob, ocl_xbuf *xb, const float *x, size_t n,
                                 const char *what, logreg_error *err);
logreg_status lr_ocl_xbuf_wrap(ocl_backend *ob, ocl_xbuf *xb, float *x, size_t n, const char *what,
                               logreg_error *err);
size_t lr_ocl_xbuf_pieces(const ocl_xbuf *xb, size_t begin, size_t m, xpiece *out);
void lr_ocl_feed_init(const ocl_backend *ob, xfeed *f, const ocl_slot *sl, const ocl_xbuf *xb,
                      int shuffled, size_t begin, size_t m);
size_t lr_ocl_feed_rows(const ocl_backend *ob, const xfeed *f, size_t i);
logreg_status lr_ocl_feed_piece(ocl_backend *ob, xfeed *f, size_t i, xpiece *p, cl_event *wait,
                                logreg_error *err);
logreg_status lr_ocl_feed_run(ocl_backend *ob, const xfeed *f, size_t i, cl_event wait, cl_kernel k,
                              size_t global, size_t local, const char *what, logreg_error *err);
void lr_ocl_host_x_release(ocl_backend *ob, ocl_slot *sl);
void lr_ocl_ring_release(ocl_backend *ob);
logreg_status lr_ocl_ring_alloc(ocl_backend *ob, size_t n, unsigned long long keep,
                                logreg_error *err);
logreg_status lr_ocl_stream_set(ocl_backend *ob, ocl_slot *sl, const float *x, const int32_t *y,
                                const float *s, size_t n, logreg_error *err);
int lr_ocl_any_streamed(const ocl_backend *ob);

/* ---- opencl_csr.c: sparse rows ---- */
void lr_ocl_free_host_csr(ocl_backend *ob);
void lr_ocl_csr_release(ocl_backend *ob, ocl_slot *sl);
logreg_status lr_ocl_set_data_csr(lr_backend *be, lr_slot slot, const int64_t *indptr,
                                  const int32_t *indices, const float *values, const int32_t *y,
                                  const float *s, size_t n, logreg_error *err);
logreg_status lr_ocl_csr_set_order(ocl_backend *ob, const uint32_t *order, logreg_error *err);
logreg_status lr_ocl_csr_sums(ocl_backend *ob, const ocl_slot *sl, int shuffled, size_t begin,
                              size_t m, int want_grad, logreg_error *err);
logreg_status lr_ocl_hv_csr(ocl_backend *ob, cl_mem v, cl_mem out, logreg_error *err);

/* ---- opencl_vec.c: the vector ops and the element-wise maps ---- */
void lr_ocl_maps_release(ocl_backend *ob);
logreg_status lr_ocl_vec_map(lr_backend *be, const lr_vec_map *m, const int *vecs, const double *c,
                             logreg_error *err);
logreg_status lr_ocl_vec_alloc(lr_backend *be, int count, int *first, logreg_error *err);
logreg_status lr_ocl_vec_read(lr_backend *be, int v, double *out, logreg_error *err);
logreg_status lr_ocl_vec_write(lr_backend *be, int v, const double *in, logreg_error *err);
logreg_status lr_ocl_vec_lincomb(lr_backend *be, int y, double a, int x, double b, int z,
                                 size_t zlen, logreg_error *err);
logreg_status lr_ocl_vec_mul(lr_backend *be, int y, int x, int z, logreg_error *err);
logreg_status lr_ocl_vec_dot(lr_backend *be, int x, int y, size_t len, double *out,
                             logreg_error *err);
logreg_status lr_ocl_vec_amax(lr_backend *be, int x, double *out, logreg_error *err);

/* ---- opencl_hv.c: Hessian-vector products ---- */
void lr_ocl_hv_release(ocl_backend *ob);
logreg_status lr_ocl_hv(ocl_backend *ob, cl_mem v, cl_mem out, logreg_error *err);
logreg_status lr_ocl_hv_op(lr_backend *be, int v, int out, logreg_error *err);

/* ---- opencl_grid.c: cross-validation grids ---- */
void lr_ocl_grid_release(ocl_backend *ob);
logreg_status lr_ocl_grid_sums(lr_backend *be, const int32_t *fold, size_t m, const int32_t *held,
                               const double *theta, lr_sums *train, lr_sums *val, double *gsum,
                               logreg_error *err);

#endif
