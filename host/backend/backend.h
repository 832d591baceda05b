/* backend.h: the internal interface between the solver layer and the compute backends.
 *
 * A backend holds the (already standardized) data of up to two slots (train, val) and a table
 * of parameter-sized vectors ((d + 1) kw numbers in the [W | b] layout: W is d x kw row-major,
 * then b): the parameters, the raw gradient sums of the last evaluation, the gradient, the
 * optimizer state, and whatever the solvers allocate. It computes RAW SUMS over a set of rows
 * (sums of several shards or devices add up; the objective layer, host/solve/objective.c,
 * turns them into J and its gradient) and a handful of vector operations on its vectors, so
 * that solvers never see where the numbers live and a device keeps its state resident. The
 * reference backend (backend/reference.c) holds the others to plain loops in double; the cpu
 * backend (native.c) is the fast one on the host.
 */
#ifndef LOGREG_BACKEND_H
#define LOGREG_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "logreg.h"

typedef enum lr_slot { LR_SLOT_TRAIN = 0, LR_SLOT_VAL = 1, LR_SLOT_COUNT } lr_slot;

/* Raw sums of one evaluation over a set of rows (DESIGN.md §2): what a shard contributes.
 * Adding two shards' sums gives the sums over the union of their rows. */
typedef struct lr_sums {
  double wloss;   /* sum s_i l_i (pos_weight included) */
  double loss;    /* sum l_i, unweighted and without pos_weight */
  double correct; /* rows whose argmax (or sigmoid > 0.5) equals the label */
  double s;       /* sum s_i */
  double rows;    /* rows evaluated */
} lr_sums;

/* The backend's vectors. The first LR_VEC_FIXED always exist; vec_alloc adds more. */
enum {
  LR_VEC_THETA = 0, /* the parameters [W | b] that evaluations use */
  LR_VEC_GSUM,      /* sums' raw gradient sums: sum_i s_i dl_i/dtheta (no 1/sum s, no L2) */
  LR_VEC_GRAD,      /* the gradient of J the optimizer steps use (the objective layer's) */
  LR_VEC_M1,        /* first-order optimizer state (momentum's velocity, Adam's first moment) */
  LR_VEC_M2,        /* the same (Adam's second moment) */
  LR_VEC_FIXED
};
#define LR_VEC_MAX 64

/* sums' `want`: LR_WANT_SUMS reads the scalar sums back (for a device: waits for it);
 * LR_WANT_GRAD leaves the raw gradient sums in LR_VEC_GSUM. A mini-batch step asks for the
 * gradient alone and need not wait. */
#define LR_WANT_SUMS 1
#define LR_WANT_GRAD 2

/* An element-wise map over some of a backend's vectors, owned by the code that needs it (a
 * first-order optimizer's step, host/solve/), so that no backend knows any optimizer.
 * For every element i < nparam, with v0..v{nvec-1} the vectors given at the call and
 * c0..c{nscalar-1} the scalars: the cpu backend runs `cpu` (the whole loop, in double), an
 * OpenCL device the statements `cl` (OpenCL C for element i over __global float *v0.. and float
 * c0..; scalars are rounded to float on the host), each map built into a kernel `name` of its
 * own at its first use. The two must compute the same formula. A map may write any of its
 * vectors; when v0 is LR_VEC_THETA a device keeps what it derives from theta current (the
 * one-pass paths' transposed weights), as every other vector operation does. */
#define LR_MAP_MAX_VEC 8
#define LR_MAP_MAX_SCALAR 8
typedef struct lr_vec_map {
  const char *name;  /* unique among maps: the kernel's name ("lr_step_adam") */
  int nvec, nscalar; /* at most LR_MAP_MAX_VEC and LR_MAP_MAX_SCALAR */
  const char *cl;
  void (*cpu)(double *const *v, const double *c, size_t n);
} lr_vec_map;

typedef struct lr_backend lr_backend;

/* How a backend evaluates a full batch (the logits X W, the rows, X^T G). */
typedef enum lr_path {
  LR_PATH_AUTO = 0,  /* not chosen yet: measured at set-up (or from the path cache) */
  LR_PATH_REFERENCE, /* the cpu backend's loops */
  LR_PATH_TILED,     /* opencl: one pass over X in work-group tiles, shaped for GPUs */
  LR_PATH_FUSED,     /* opencl: one pass over X per work-item block, shaped for CPU vectors */
  LR_PATH_OWN,       /* opencl: logits, rows, X^T G as three kernels (two passes over X) */
  LR_PATH_CLBLAST,   /* opencl: CLBlast SGEMM for both products */
  LR_PATH_CSR,       /* opencl: sparse rows (CSR logits, CSC gradient) */
  LR_PATHS
} lr_path;

/* "auto", "cpu" (the reference), "tiled", "fused", "own", "clblast", "csr". */
const char *lr_path_name(lr_path path);

/* Where the paths' measurements are kept between runs (path_cache.c: a file); the opencl
 * backend asks it for its device and shape before timing, and hands it what it measured. */
typedef struct lr_path_store {
  /* 1 and *out filled (how "cached") when `key` has an entry, else 0. */
  int (*lookup)(const void *user, const char *key, logreg_path_choice *out);
  void (*save)(const void *user, const char *key, const logreg_path_choice *pc);
  const void *user;
} lr_path_store;

/* A store's key (path_cache.c): the OpenCL device (its platform, name and driver) and the
 * shape class (kw logit columns, d features, the power of two of the row count n), then `tail`
 * ("" for the paths' timings; "|streamed", "|run" for other entries of the same shape). n = 0
 * and d = 0: the device's own entries (tail "|setup"). */
void lr_path_key(const char *platform, const char *name, const char *driver, size_t kw, size_t d,
                 size_t n, const char *tail, char *key, size_t cap);

/* Options of a backend's creation beyond the model's shape (NULL: the defaults). */
typedef struct lr_backend_opts {
  lr_path path; /* opencl: AUTO (measured when the training data is set) or the one to run */
  const lr_path_store *cache;          /* opencl, AUTO: earlier measurements; NULL = none */
  const logreg_device_options *device; /* device settings; NULL = the defaults */
  /* opencl with AUTO: no timing at set-up; the path stays the default (tiled where it
   * applies, else fused) until set_path names another: a group's processes after the first,
   * which take the first one's choice (lr_device_agree_group). */
  int follow;
} lr_backend_opts;

/* A slot's rows as set_data or set_data_csr take them (x dense, else the CSR arrays). */
typedef struct lr_rows {
  const float *x;         /* n x d standardized, or NULL for sparse rows: */
  const int64_t *indptr;  /* CSR row pointers (n + 1), */
  const int32_t *indices; /* column indices and */
  const float *values;    /* values */
  const int32_t *y;
  const float *s;
  size_t n;
} lr_rows;

typedef struct lr_backend_ops {
  const char *name;
  /* Copies n rows of x (n x d standardized), y and s (row weights, class weights included). */
  logreg_status (*set_data)(lr_backend *be, lr_slot slot, const float *x, const int32_t *y,
                            const float *s, size_t n, logreg_error *err);
  /* set_data that keeps x itself (malloc'd; the backend frees it, on failure too) instead of a
   * copy: the host backends, whose copy would be X's second in host memory. NULL elsewhere. */
  logreg_status (*adopt_data)(lr_backend *be, lr_slot slot, float *x, const int32_t *y,
                              const float *s, size_t n, logreg_error *err);
  /* The same for sparse rows (CSR: row i's values[indptr[i] .. indptr[i+1]) at the 0-based
   * columns indices[...], increasing within a row; indptr[0] = 0). Copied like set_data. NULL
   * when the backend has no sparse path (the trainer then fails with one line). */
  logreg_status (*set_data_csr)(lr_backend *be, lr_slot slot, const int64_t *indptr,
                                const int32_t *indices, const float *values, const int32_t *y,
                                const float *s, size_t n, logreg_error *err);
  /* Row order of the train slot for ranged evaluations (a permutation of 0..n-1), or NULL for
   * the identity. */
  logreg_status (*set_order)(lr_backend *be, const uint32_t *order, logreg_error *err);
  /* Raw sums at LR_VEC_THETA over rows [begin, begin+count) of `slot` in the current order (the
   * train slot's order; the val slot is always in file order). `want` is LR_WANT_SUMS and/or
   * LR_WANT_GRAD; `out` is filled with LR_WANT_SUMS only. */
  logreg_status (*sums)(lr_backend *be, lr_slot slot, size_t begin, size_t count, int want,
                        lr_sums *out, logreg_error *err);
  /* Raw Hessian-vector sums at LR_VEC_THETA over the whole train slot: vector `out` =
   * sum_i s_i [x_i; 1] r_i^T with r_i the row's Hessian of l_i applied to [x_i; 1]^T V
   * (backend/reference.c's lr_reference_hv). NULL when the backend has none. */
  logreg_status (*hv)(lr_backend *be, int v, int out, logreg_error *err);
  /* The diagonal of those raw Hessian sums at LR_VEC_THETA into vector `out`: entry (j, c)
   * sum_i s_i x_ij^2 h_ic (the bias: x_ij = 1) with h_ic = p_c (1 - p_c), or c sigma (1 -
   * sigma) when binary (c = pos_weight when y = 1, else 1): Newton-CG's preconditioner. NULL
   * when the backend has none (Newton-CG then runs unpreconditioned). */
  logreg_status (*hdiag)(lr_backend *be, int out, logreg_error *err);
  /* From now on, evaluations in double precision (float32 becomes 0): the refinement L-BFGS
   * asks of a float32 backend when its evaluations stop making progress (opt_lbfgs). NULL when the
   * backend has no such mode; LOGREG_EUNSUPPORTED, with the reason, where the device or the
   * data does not allow it (no fp64, sparse rows, X in several allocations). */
  logreg_status (*set_precise)(lr_backend *be, logreg_error *err);
  /* Evaluations from now on on `path` (an opencl dense path; be->path says so, chosen by
   * `how`), both slots' data already set: a group's processes evaluate the way the first one
   * does. LOGREG_EUNSUPPORTED where that path cannot run this data here (the path is then
   * unchanged). NULL when the backend has no paths. */
  logreg_status (*set_path)(lr_backend *be, lr_path path, const char *how, logreg_error *err);
  /* Cross-validation grids (host/solve/grid.c): m models evaluated over the train slot in one
   * pass. Model j's parameters are theta[j nparam .. (j + 1) nparam) ([W | b] each); it trains
   * on the rows i with fold[i] != held[j] and is validated on the rows with fold[i] == held[j].
   * Fills train[j] (raw sums over its training rows, weighted by the slot's s), val[j] (over
   * its held-out rows: loss, correct and rows; wloss and s weighted as train's) and gsum[j
   * nparam ...] (the raw gradient sums over its training rows). The sums do not depend on the
   * number of threads. NULL when the backend has none (the grid then runs on cpu). CSR rows: on
   * the host backends only (cpu: one pass over the rows for up to 64 models, as dense rows; the
   * reference: two passes per model); the OpenCL backend returns LOGREG_EUNSUPPORTED. */
  logreg_status (*grid_sums)(lr_backend *be, const int32_t *fold, size_t m, const int32_t *held,
                             const double *theta, lr_sums *train, lr_sums *val, double *gsum,
                             logreg_error *err);
  /* Adds `count` zeroed vectors; *first receives the id of the first. */
  logreg_status (*vec_alloc)(lr_backend *be, int count, int *first, logreg_error *err);
  logreg_status (*vec_read)(lr_backend *be, int v, double *out, logreg_error *err);
  logreg_status (*vec_write)(lr_backend *be, int v, const double *in, logreg_error *err);
  /* y[i] = a x[i] + b z[i] for i < zlen, a x[i] beyond (y, x and z may be the same vector). */
  logreg_status (*vec_lincomb)(lr_backend *be, int y, double a, int x, double b, int z, size_t zlen,
                               logreg_error *err);
  /* y[i] = x[i] z[i] over the whole vector (y, x and z may be the same vector). */
  logreg_status (*vec_mul)(lr_backend *be, int y, int x, int z, logreg_error *err);
  /* sum_{i < len} x[i] y[i], accumulated in double in a fixed order. */
  logreg_status (*vec_dot)(lr_backend *be, int x, int y, size_t len, double *out,
                           logreg_error *err);
  /* max_i |x[i]| over the whole vector. */
  logreg_status (*vec_amax)(lr_backend *be, int x, double *out, logreg_error *err);
  /* Runs map m (lr_vec_map) with v_j = vector vecs[j] and c_j = c[j]. LOGREG_EUNSUPPORTED
   * where the backend cannot run maps now (opencl after set_precise: its vectors are double). */
  logreg_status (*vec_map)(lr_backend *be, const lr_vec_map *m, const int *vecs, const double *c,
                           logreg_error *err);
  /* Host threads for the passes over the rows from now on: 0 (the default) by the pass's size,
   * else this many (at most 16); logreg_params.threads. NULL when the backend has no host
   * threads (lr_backend_threads then does nothing). */
  void (*set_threads)(lr_backend *be, unsigned threads);
  /* Waits until queued work is done (timing); NULL when every call is synchronous. */
  logreg_status (*finish)(lr_backend *be, logreg_error *err);
  void (*destroy)(lr_backend *be);
} lr_backend_ops;

/* The part every backend shares; each backend embeds it first in its own struct. */
struct lr_backend {
  const lr_backend_ops *ops;
  size_t d, k, kw; /* features, classes, weight columns (1 when binary) */
  size_t nparam;   /* (d + 1) kw: the length of every vector */
  int binary;
  double pos_weight;
  int float32; /* evaluations carry float32 rounding (J relative noise ~1e-7): OpenCL */
  int nvec;    /* vectors in use (LR_VEC_FIXED + allocated) */
  size_t n[LR_SLOT_COUNT];
  char device[200];         /* what runs it, for people: "cpu (reference, ...)", "opencl:0:0 ..." */
  logreg_backend_kind kind; /* device.h owns the kinds: their names, the table creating them */
  lr_path path_id;          /* how evaluations run (AUTO until the train slot's set_data) */
  logreg_path_choice path;  /* the same for people and results, with the timings that chose it */
};

/* A backend that computes on the host (cpu, reference) starts with this struct: its rows, its
 * vectors and the state both keep, and the ops on them written once (backend.c), which its ops
 * table takes through LR_HOST_OPS. */
typedef struct lr_host_backend {
  lr_backend base;
  double *vec[LR_VEC_MAX]; /* nparam each: LR_VEC_THETA, LR_VEC_GSUM, ... */
  /* Each slot's rows, copied by set_data or set_data_csr: dense x (n x d; NULL when the slot
   * holds CSR rows) or indptr, indices, values; labels; weights (1 where none were given). */
  float *x[LR_SLOT_COUNT];
  int64_t *indptr[LR_SLOT_COUNT];
  int32_t *indices[LR_SLOT_COUNT];
  float *values[LR_SLOT_COUNT];
  int32_t *y[LR_SLOT_COUNT];
  float *s[LR_SLOT_COUNT];
  uint32_t *order; /* the train slot's order (set_order), NULL = identity */
  /* The train rows' Hessian factors at THETA (n kw numbers), valid while hv_fresh: every op that
   * writes THETA or the train rows clears it, so that Newton-CG's products along many directions
   * at one THETA skip the logits. The backend allocates and fills it. */
  double *hv_cache;
  int hv_fresh;
  unsigned threads; /* set_threads: for the passes over the rows; 0: by size */
  /* Optional: called after an op wrote THETA (hv_fresh is cleared already), and after a slot's
   * rows were set (a failure is the set_data's). */
  void (*theta_changed)(struct lr_host_backend *hb);
  logreg_status (*rows_set)(struct lr_host_backend *hb, lr_slot slot, logreg_error *err);
} lr_host_backend;

logreg_status lr_host_adopt_data(lr_backend *be, lr_slot slot, float *x, const int32_t *y,
                                 const float *s, size_t n, logreg_error *err);
logreg_status lr_host_set_data(lr_backend *be, lr_slot slot, const float *x, const int32_t *y,
                               const float *s, size_t n, logreg_error *err);
logreg_status lr_host_set_data_csr(lr_backend *be, lr_slot slot, const int64_t *indptr,
                                   const int32_t *indices, const float *values, const int32_t *y,
                                   const float *s, size_t n, logreg_error *err);
logreg_status lr_host_set_order(lr_backend *be, const uint32_t *order, logreg_error *err);
void lr_host_set_threads(lr_backend *be, unsigned threads);
logreg_status lr_host_vec_alloc(lr_backend *be, int count, int *first, logreg_error *err);
logreg_status lr_host_vec_read(lr_backend *be, int v, double *out, logreg_error *err);
logreg_status lr_host_vec_write(lr_backend *be, int v, const double *in, logreg_error *err);
logreg_status lr_host_vec_lincomb(lr_backend *be, int y, double a, int x, double b, int z,
                                  size_t zlen, logreg_error *err);
logreg_status lr_host_vec_mul(lr_backend *be, int y, int x, int z, logreg_error *err);
logreg_status lr_host_vec_dot(lr_backend *be, int x, int y, size_t len, double *out,
                              logreg_error *err);
logreg_status lr_host_vec_amax(lr_backend *be, int x, double *out, logreg_error *err);
logreg_status lr_host_vec_map(lr_backend *be, const lr_vec_map *m, const int *vecs, const double *c,
                              logreg_error *err);
/* Frees the rows, the order, the cache and the vectors (the backend's destroy calls it). */
void lr_host_free(lr_host_backend *hb);
/* The shared ops of an lr_backend_ops table for a host backend. */
#define LR_HOST_OPS                                                                                \
  .set_data = lr_host_set_data, .adopt_data = lr_host_adopt_data,                                  \
  .set_data_csr = lr_host_set_data_csr, .set_order = lr_host_set_order,                            \
  .set_threads = lr_host_set_threads, .vec_alloc = lr_host_vec_alloc,                              \
  .vec_read = lr_host_vec_read, .vec_write = lr_host_vec_write,                                    \
  .vec_lincomb = lr_host_vec_lincomb, .vec_mul = lr_host_vec_mul, .vec_dot = lr_host_vec_dot,      \
  .vec_amax = lr_host_vec_amax, .vec_map = lr_host_vec_map

/* Backends are created by the device module's table (device.h: lr_device_backend). */
void lr_backend_destroy(lr_backend *be);
/* set_data or set_data_csr, as `rows` holds them. */
logreg_status lr_backend_set_rows(lr_backend *be, lr_slot slot, const lr_rows *rows,
                                  logreg_error *err);

/* The backend's host threads (ops->set_threads; nothing when it has none). The reference's and
 * the cpu backend's passes (sums, Hessian-vector products) give the same bits at every count:
 * their blocks (reference.c) and parts (native.c) do not depend on it. */
void lr_backend_threads(lr_backend *be, unsigned threads);

logreg_status lr_reference_backend_create(size_t d, size_t k, int binary, double pos_weight,
                                          lr_backend **out, logreg_error *err);

/* ---- The reference math (backend/reference.c), in double, shared with the tests. ---- */

/* softplus(x) = log(1 + e^x), stable for any finite x. */
double lr_softplus(double x);
/* Stable softmax of z[0..k): p = exp(z - max z) / sum (p may be NULL). Returns
 * log(sum exp(z - max z)) and sets *zmax (may be NULL) to max z: logsumexp(z) = *zmax + return. */
double lr_softmax(const double *z, size_t k, double *p, double *zmax);
/* sigma(z) = 1 / (1 + e^-z), stable for any finite z; *complement (may be NULL) receives
 * 1 - sigma(z) = sigma(-z), computed without cancellation. */
double lr_sigmoid(double z, double *complement);
/* Binary loss with pos_weight: pw*y*softplus(-z) + (1-y)*softplus(z); *dz = its derivative. */
double lr_binary_loss(double z, int y, double pos_weight, double *dz);

/* Raw sums of DESIGN.md §2 over rows rows[0..m) (or 0..m-1 when rows is NULL) at W (d x kw)
 * and b (kw): *out, and with gw/gb (either may be NULL) the raw gradient sums
 * sum_i s_i dl_i/dW and sum_i s_i dl_i/db. s may be NULL (all 1). Returns 0, or -1 when out of
 * memory. */
int lr_reference_sums(const float *x, const int32_t *y, const float *s, const uint32_t *rows,
                      size_t m, size_t d, size_t k, int binary, double pos_weight, const double *w,
                      const double *b, lr_sums *out, double *gw, double *gb);

/* Sparse rows (CSR, as set_data_csr takes them) in lr_reference_sums and lr_reference_hv. */
typedef struct lr_csr {
  const int64_t *indptr;
  const int32_t *indices;
  const float *values;
} lr_csr;

/* lr_reference_sums over CSR rows: the same sums in the same order of additions (the absent
 * zeros contribute nothing), so the results equal the dense ones on the densified rows. */
int lr_reference_sums_csr(const lr_csr *x, const int32_t *y, const float *s, const uint32_t *rows,
                          size_t m, size_t d, size_t k, int binary, double pos_weight,
                          const double *w, const double *b, lr_sums *out, double *gw, double *gb);

/* The raw Hessian-vector product of the summed loss sum_i s_i l_i (no 1 / sum s, no L2: the
 * objective layer adds those) at theta = [w | b] along v = [V | vb], over rows rows[0..m) (or
 * 0..m-1 when rows is NULL). v and hv are [(d + 1) kw] vectors laid out [W part | b part]. Per
 * row, z = W^T x + b and u = V^T x + vb; softmax p of z gives r_c = p_c (u_c - sum_j p_j u_j),
 * the binary model r = c sigma(z) (1 - sigma(z)) u with c = pos_weight when y = 1, else 1. Then
 * hv = [sum_i s_i x_i r_i^T | sum_i s_i r_i]. s may be NULL (all 1). Returns 0, or -1 when out
 * of memory. */
int lr_reference_hv(const float *x, const int32_t *y, const float *s, const uint32_t *rows,
                    size_t m, size_t d, size_t k, int binary, double pos_weight, const double *w,
                    const double *b, const double *v, double *hv);
/* The diagonal of that Hessian of the summed loss at theta (backend op hdiag): entry t is
 * e_t . H e_t. Returns 0, or -1 when out of memory. */
int lr_reference_hdiag(const float *x, const int32_t *y, const float *s, const uint32_t *rows,
                       size_t m, size_t d, size_t k, int binary, double pos_weight, const double *w,
                       const double *b, double *diag);
/* lr_reference_hv over CSR rows. */
int lr_reference_hv_csr(const lr_csr *x, const int32_t *y, const float *s, const uint32_t *rows,
                        size_t m, size_t d, size_t k, int binary, double pos_weight,
                        const double *w, const double *b, const double *v, double *hv);

#endif
