/* logreg.cl: the OpenCL kernels of the opencl backend (host/backend/opencl.c).
 *
 * Built once per model shape with -DLR_K=<classes> -DLR_KW=<weight columns: 1 for --binary,
 * else K> -DLR_WG=<work-group size, a power of two> -DLR_FP64=<1 when the device has doubles>
 * -DLR_VW=<8 or 16: the fused kernel's vector width> -DLR_PREFETCH=<1 on CPU devices: software
 * prefetch in the fused kernel where the compiler has __builtin_prefetch>. The
 * math is DESIGN.md §2, the same as the CPU reference (host/backend/reference.c), in float32:
 *
 *   logits      Z = X W                       (lr_logits, or CLBlast SGEMM on the host side)
 *   rows        z += b; loss, residual s_i (p - y), partial sums per work-group
 *               (lr_softmax_rows / lr_sigmoid_rows)
 *   reductions  fixed-order two-stage sums (lr_reduce), never float atomics, so a run
 *               repeats bit for bit
 *   gradient    X^T G per chunk of rows (lr_grad_partial), chunks summed in order, scaled by
 *               1 / sum s and the L2 term added (lr_grad_reduce)
 *   vectors     lincomb, product, dot on the flat parameter vector [W | b] (the optimizers'
 *               own steps are element-wise maps built apart: vec_map.cl)
 *
 * Parameters theta = [W (D x KW, row-major) | b (KW)]; the gradient has the same layout.
 */

#ifndef LR_K
#error "build with -DLR_K=<classes>"
#endif
#ifndef LR_KW
#error "build with -DLR_KW=<weight columns>"
#endif
#ifndef LR_WG
#error "build with -DLR_WG=<work-group size>"
#endif

/* The layout constants the host shares (LR_NQ, LR_KWP, LR_LD, the tile shapes...): one
 * definition for both sides. Built from a string, the host splices the file in here. */
#include "layout.h"

#ifndef LR_FP64
#define LR_FP64 0
#endif
/* Sums across chunks and work-groups accumulate in double where the device has it: the float
 * partials of a 60000-row gradient lose enough in a float sum to slow L-BFGS down measurably
 * (bench/RESULTS.md), while these second stages cost little either way. */
#if LR_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double acc_t;
#else
typedef float acc_t;
#endif

/* The own kernels' logits and residuals (lr_logits, the row kernels, lr_grad_partial) are zval,
 * and the backend's vectors (theta, the gradient, the solvers' vectors: the own kernels, the
 * reduce, dot and vector kernels) vreal: float, or double in the refinement program
 * (-DLR_PRECISE=1, built where the device has fp64: opencl.c, ocl_set_precise). L-BFGS
 * switches to it when float32 evaluations stop making progress: their rounding noise in J and
 * the gradient stops it short of the optimum on ill-conditioned problems (digits unscaled at
 * C = 10: intercept_ 2.8e-5 to 1.4e-4 from scikit-learn's across the four paths in float). */
#if LR_PRECISE
#if !LR_FP64
#error "LR_PRECISE needs LR_FP64"
#endif
typedef double zval;
typedef double vreal;
#else
typedef float zval;
typedef float vreal;
#endif

/* The row sums (weighted loss, loss, correct, sum s) and ||W||^2 reach the host as sum_t, which
 * it reads as a double: a double where the device has one; elsewhere a pair (sum, error) of
 * Neumaier's compensated summation, which the host adds in double. Either is 8 bytes. A float
 * J rounded away the last decreases near the optimum, where L-BFGS then stopped early (issue
 * 10, item 5). */
#if LR_FP64
typedef double sum_t;
static sum_t sum_of(const acc_t v) { return v; }
static sum_t sum_add(const sum_t a, const sum_t b) { return a + b; }
static sum_t sum_max(const sum_t a, const sum_t b) { return fmax(a, b); }
static float sum_float(const sum_t a) { return (float)a; }
#else
typedef float2 sum_t;
static sum_t sum_of(const acc_t v) { return (float2)(v, 0.0f); }
static sum_t sum_add(const sum_t a, const sum_t b) {
  const float t = a.x + b.x;
  const float e = fabs(a.x) >= fabs(b.x) ? (a.x - t) + b.x : (b.x - t) + a.x;
  return (float2)(t, (a.y + b.y) + e);
}
static sum_t sum_max(const sum_t a, const sum_t b) { return a.x + a.y >= b.x + b.y ? a : b; }
static float sum_float(const sum_t a) { return a.x + a.y; }
#endif

/* ---- The row math, written once ----
 *
 * DESIGN.md §2's loss, residual and prediction of a row, for every kernel that evaluates rows
 * (the own path's row kernels, the fused and tiled one-pass kernels, the grid's): in the float
 * type T of the kernel that expands them (zval, float, grid_t) with I the label's integer type,
 * or for 16 rows at once (the fused kernel: T float16, I int16). They are written with ?:,
 * which is select on vectors, so that one text serves both. The parity tests hold them to the
 * reference (backend/reference.c).
 *
 * Multinomial, from the logits z[0 .. LR_K) (bias included), the label y and the weight si:
 * loss = (max z - z_y) + log1p(rest), rest summing e^(z_c - max z) over the classes other than
 * the (first) maximum, so that a confident row's loss is about rest where log(sum) would round
 * it to 0 below float's epsilon; g[c] = si (p_c - [c == y]) with p = e^(z - max z) / (1 +
 * rest), the label's p - 1 written -rest / (1 + rest) when it is the maximum, which keeps a
 * confident row's small residual that 1 / (1 + rest) - 1 would round to 0; cor 1 when the
 * maximum is the label. e[0 .. LR_K) is scratch; g may be e. */
#define LR_SOFTMAX_ROW(T, I, z, y, si, e, g, loss, cor)                                            \
  do {                                                                                             \
    T mx_ = (z)[0];                                                                                \
    I arg_ = (I)0;                                                                                 \
    for (uint c_ = 1; c_ < LR_K; c_++) {                                                           \
      arg_ = (z)[c_] > mx_ ? (I)(int)c_ : arg_;                                                    \
      mx_ = fmax(mx_, (z)[c_]);                                                                    \
    }                                                                                              \
    T rest_ = (T)0, zy_ = (T)0;                                                                    \
    for (uint c_ = 0; c_ < LR_K; c_++) {                                                           \
      (e)[c_] = exp((z)[c_] - mx_);                                                                \
      rest_ += arg_ == (I)(int)c_ ? (T)0 : (e)[c_];                                                \
      zy_ = (y) == (I)(int)c_ ? (z)[c_] : zy_;                                                     \
    }                                                                                              \
    const T inv_ = (T)1 / ((T)1 + rest_);                                                          \
    (loss) = (mx_ - zy_) + log1p(rest_);                                                           \
    for (uint c_ = 0; c_ < LR_K; c_++) {                                                           \
      const T p_ = (e)[c_] * inv_;                                                                 \
      const T py1_ = arg_ == (I)(int)c_ ? -rest_ * inv_ : p_ - (T)1; /* p - 1 */                   \
      (g)[c_] = (si) * ((y) == (I)(int)c_ ? py1_ : p_);                                            \
    }                                                                                              \
    (cor) = arg_ == (y) ? (T)1 : (T)0;                                                             \
  } while (0)

/* Binary, from the logit z (bias included), y (0 or 1), the weight si and pos_weight pw: loss
 * = pw y softplus(-z) + (1 - y) softplus(z) (PyTorch's BCEWithLogitsLoss), uloss the same with
 * pw 1, g = si dl/dz, cor 1 when z > 0 is y == 1. softplus(x) = max(x, 0) + log1p(e^-|x|)
 * keeps log(1 + e^x) down to float's smallest values for x far below 0; 1 - sigma(z) is written
 * so that it stays exact where it is small (sigma - 1 would round to 0). */
#define LR_SIGMOID_ROW(T, I, z, y, si, pw, g, loss, uloss, cor)                                    \
  do {                                                                                             \
    const T e_ = exp(-fabs(z)), lp_ = log1p(e_);                                                   \
    const T sig_ = (z) >= (T)0 ? (T)1 / ((T)1 + e_) : e_ / ((T)1 + e_);                            \
    const T sig_neg_ = (z) >= (T)0 ? e_ / ((T)1 + e_) : (T)1 / ((T)1 + e_);                        \
    const T sp_pos_ = fmax((z), (T)0) + lp_, sp_neg_ = fmax(-(z), (T)0) + lp_;                     \
    const I pos_ = (y) != (I)0;                                                                    \
    (uloss) = pos_ ? sp_neg_ : sp_pos_;                                                            \
    (loss) = pos_ ? (pw)*sp_neg_ : sp_pos_;                                                        \
    (g) = (si) * (pos_ ? -(pw)*sig_neg_ : sig_);                                                   \
    (cor) = ((z) > (T)0) == ((y) == (I)1) ? (T)1 : (T)0;                                           \
  } while (0)

/* Z[r, c] = sum_j X[row0 + r, j] W[j, c] for r < m: one work-item per row, KW sums kept in
 * registers so each X row is read once. */
__kernel void lr_logits(const __global float *X, const uint row0, const uint m, const uint d,
                        const __global vreal *theta, __global zval *Z) {
  const uint r = get_global_id(0);
  if (r >= m) return;
  const __global float *x = X + (size_t)(row0 + r) * d;
  zval acc[LR_KW];
  for (uint c = 0; c < LR_KW; c++) acc[c] = 0.0f;
  for (uint j = 0; j < d; j++) {
    const zval xj = x[j];
    const __global vreal *w = theta + (size_t)j * LR_KW;
    for (uint c = 0; c < LR_KW; c++) acc[c] += xj * w[c];
  }
  __global zval *z = Z + (size_t)r * LR_KW;
  for (uint c = 0; c < LR_KW; c++) z[c] = acc[c];
}

/* Sums LR_NQ values across the work-group in a fixed tree order; work-item 0 writes them to
 * out[0..LR_NQ). */
static void group_sum4(acc_t v0, acc_t v1, acc_t v2, acc_t v3, __local sum_t *scratch,
                       __global sum_t *out) {
  const uint lid = get_local_id(0);
  scratch[lid * LR_NQ + 0] = sum_of(v0);
  scratch[lid * LR_NQ + 1] = sum_of(v1);
  scratch[lid * LR_NQ + 2] = sum_of(v2);
  scratch[lid * LR_NQ + 3] = sum_of(v3);
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint h = LR_WG / 2; h > 0; h >>= 1) {
    if (lid < h)
      for (uint q = 0; q < LR_NQ; q++)
        scratch[lid * LR_NQ + q] =
            sum_add(scratch[lid * LR_NQ + q], scratch[(lid + h) * LR_NQ + q]);
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lid == 0)
    for (uint q = 0; q < LR_NQ; q++) out[q] = scratch[q];
}

/* Multinomial rows: logits Z (m x K, bias not yet added) -> residual G = s_i (p - onehot(y))
 * and the loss (LR_SOFTMAX_ROW). Per work-group partial sums of s l, l, correct and s. Batch
 * row r is data row row0 + r (mini-batches of shuffled data are contiguous ranges of the
 * gathered copy). */
__kernel void lr_softmax_rows(const __global zval *Z, __global zval *G, const __global vreal *theta,
                              const uint b_off, const __global int *y, const __global float *s,
                              const uint row0, const uint m, __global sum_t *partials,
                              __local sum_t *scratch) {
  const uint r = get_global_id(0);
  zval wl = 0.0f, l = 0.0f, cor = 0.0f, sw = 0.0f;
  if (r < m) {
    const __global zval *z = Z + (size_t)r * LR_K;
    const __global vreal *b = theta + b_off;
    const int yi = y[row0 + r];
    const float si = s[row0 + r];
    zval zb[LR_K], e[LR_K], li;
    for (uint c = 0; c < LR_K; c++) zb[c] = z[c] + b[c];
    LR_SOFTMAX_ROW(zval, int, zb, yi, si, e, G + (size_t)r * LR_K, li, cor);
    wl = si * li;
    l = li;
    sw = si;
  }
  group_sum4(wl, l, cor, sw, scratch, partials + (size_t)get_group_id(0) * LR_NQ);
}

/* Binary rows (one logit): the loss, residual s_i dl/dz (LR_SIGMOID_ROW) and the same partial
 * sums (the unweighted loss is the one with pos_weight 1). */
__kernel void lr_sigmoid_rows(const __global zval *Z, __global zval *G, const __global vreal *theta,
                              const uint b_off, const __global int *y, const __global float *s,
                              const uint row0, const uint m, const float pos_weight,
                              __global sum_t *partials, __local sum_t *scratch) {
  const uint r = get_global_id(0);
  zval wl = 0.0f, l = 0.0f, cor = 0.0f, sw = 0.0f;
  if (r < m) {
    const zval z = Z[r] + theta[b_off];
    const int yi = y[row0 + r];
    const float si = s[row0 + r];
    zval li, lu;
    LR_SIGMOID_ROW(zval, int, z, yi, si, pos_weight, G[r], li, lu, cor);
    wl = si * li;
    l = lu;
    sw = si;
  }
  group_sum4(wl, l, cor, sw, scratch, partials + (size_t)get_group_id(0) * LR_NQ);
}

/* The sum (or, with take_max, the maximum) of one value per work-item, combined in a fixed
 * tree order; every work-item gets the result. Ends with a barrier, so `scratch` may be reused
 * at once. */
static acc_t group_tree(const acc_t v, const uint take_max, __local acc_t *scratch) {
  const uint lid = get_local_id(0);
  scratch[lid] = v;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint h = LR_WG / 2; h > 0; h >>= 1) {
    if (lid < h)
      scratch[lid] =
          take_max ? fmax(scratch[lid], scratch[lid + h]) : scratch[lid] + scratch[lid + h];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  const acc_t total = scratch[0];
  barrier(CLK_LOCAL_MEM_FENCE);
  return total;
}

/* group_tree for sum_t values. */
static sum_t group_sum(const sum_t v, const uint take_max, __local sum_t *scratch) {
  const uint lid = get_local_id(0);
  scratch[lid] = v;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint h = LR_WG / 2; h > 0; h >>= 1) {
    if (lid < h)
      scratch[lid] = take_max ? sum_max(scratch[lid], scratch[lid + h])
                              : sum_add(scratch[lid], scratch[lid + h]);
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  const sum_t total = scratch[0];
  barrier(CLK_LOCAL_MEM_FENCE);
  return total;
}

/* Row sum q (of LR_NQ) over `count` blocks' or groups' partials, in a fixed order (each
 * work-item a strided subset, then a tree); every work-item gets it. */
static sum_t rows_total(const __global sum_t *partials, const uint count, const uint q,
                        __local sum_t *scratch) {
  sum_t a = sum_of(0);
  for (uint i = get_local_id(0); i < count; i += LR_WG)
    a = sum_add(a, partials[(size_t)i * LR_NQ + q]);
  return group_sum(a, 0, scratch);
}

/* Second stage: one work-group sums `count` rows of `nq` partials in a fixed order (each
 * work-item a strided subset, then a tree) into out[out_off .. out_off + nq). With `take_max`,
 * the maximum instead (of values >= 0). */
__kernel void lr_reduce(const __global sum_t *partials, const uint count, const uint nq,
                        const uint take_max, __global sum_t *out, const uint out_off,
                        __local sum_t *scratch) {
  const uint lid = get_local_id(0);
  for (uint q = 0; q < nq; q++) {
    sum_t acc = sum_of(0);
    for (uint i = lid; i < count; i += LR_WG) {
      const sum_t v = partials[(size_t)i * nq + q];
      acc = take_max ? sum_max(acc, v) : sum_add(acc, v);
    }
    const sum_t total = group_sum(acc, take_max, scratch);
    if (lid == 0) out[out_off + q] = total;
  }
}

/* First stage of the dot product x.y over [0, n) (with take_max: of max |x|): per work-group
 * partials, accumulated in acc_t. */
__kernel void lr_dot_partial(const __global vreal *x, const __global vreal *y, const uint n,
                             const uint take_max, __global sum_t *partials,
                             __local acc_t *scratch) {
  const uint i = get_global_id(0), lid = get_local_id(0);
  const vreal a = i < n ? x[i] : 0.0f, b = i < n ? y[i] : 0.0f;
  const acc_t total = group_tree(take_max ? fabs(a) : (acc_t)a * b, take_max, scratch);
  if (lid == 0) partials[get_group_id(0)] = sum_of(total);
}

/* Gradient, first stage: for chunk g of `chunk` rows and feature j (j == d is the bias, a
 * column of ones), partial[g, j, c] = sum_r X[row0 + r, j] G[r, c]. Work-items along j read
 * consecutive X entries of a row; the KW sums stay in registers. */
__kernel void lr_grad_partial(const __global float *X, const uint row0, const uint m, const uint d,
                              const __global zval *G, const uint chunk, __global acc_t *partial) {
  const uint j = get_global_id(0), g = get_global_id(1);
  if (j > d) return;
  const uint r0 = g * chunk, r1 = min(m, r0 + chunk);
  /* acc_t: a chunk's float sums lost about chunk x 6e-8 relative, a floor under L-BFGS on
   * ill-conditioned data (digits unscaled, C = 10: intercept_ 3.8e-4 from scikit-learn's). */
  acc_t acc[LR_KW];
  for (uint c = 0; c < LR_KW; c++) acc[c] = 0;
  for (uint r = r0; r < r1; r++) {
    const float x = j < d ? X[(size_t)(row0 + r) * d + j] : 1.0f;
    const __global zval *gr = G + (size_t)r * LR_KW;
    for (uint c = 0; c < LR_KW; c++) acc[c] += (acc_t)(x * gr[c]);
  }
  __global acc_t *out = partial + ((size_t)g * (d + 1) + j) * LR_KW;
  for (uint c = 0; c < LR_KW; c++) out[c] = acc[c];
}

/* Gradient, second stage: the raw gradient sums gsum[t] = sum over chunks, in order, of
 * partial[., t] (the objective layer scales them and adds the L2 term). */
__kernel void lr_grad_reduce(const __global acc_t *partial, const uint nchunks, const uint d,
                             __global vreal *gsum) {
  const uint t = get_global_id(0), n = (d + 1) * LR_KW;
  if (t >= n) return;
  acc_t acc = 0;
  for (uint g = 0; g < nchunks; g++) acc += partial[(size_t)g * n + t];
  gsum[t] = (vreal)acc;
}

/* After a CLBlast X^T G into gsum[0 .. d KW): the bias sums over the m residual rows, in row
 * order. */
__kernel void lr_grad_finish(const __global float *G, const uint m, const uint d,
                             __global float *gsum) {
  const uint t = get_global_id(0), nw = d * LR_KW;
  if (t < nw || t >= nw + LR_KW) return;
  const uint c = t - nw;
  acc_t acc = 0;
  for (uint r = 0; r < m; r++) acc += G[(size_t)r * LR_KW + c];
  gsum[t] = (float)acc;
}

/* Mini-batch shuffling: rows of (X, y, s) in the order `perm` into (Xp, yp, sp), for one
 * (source, destination) pair of X's segments: destination rows dst_row0 .. dst_row0 + dn (Xp
 * is their segment) whose source row lies in [src_begin, src_end) (X is that segment). With
 * ys, also the labels and weights of every destination row. */
__kernel void lr_gather(const __global float *X, const uint src_begin, const uint src_end,
                        const __global int *y, const __global float *s, const __global uint *perm,
                        const uint dst_row0, const uint dn, const uint d, __global float *Xp,
                        __global int *yp, __global float *sp, const uint ys) {
  const uint j = get_global_id(0), r = get_global_id(1);
  if (r >= dn || j >= max(d, 1u)) return;
  const uint src = perm[dst_row0 + r];
  if (j == 0 && ys) {
    yp[dst_row0 + r] = y[src];
    sp[dst_row0 + r] = s[src];
  }
  if (j < d && src >= src_begin && src < src_end)
    Xp[(size_t)r * d + j] = X[(size_t)(src - src_begin) * d + j];
}

/* The vector kernels that write theta also refresh the one-pass paths' transposed weights Wt
 * (KWP x wt_d) when wt_d > 0, so no lr_transpose_w launch is needed between steps (the
 * element-wise maps of the optimizers' steps, vec_map.cl, do the same). */
static void keep_wt(__global float *Wt, const uint wt_d, const uint i, const float v) {
  if (i < wt_d * LR_KW) Wt[LR_WT_AT(i, LR_KW, wt_d)] = v;
}

/* The solvers' vector operation: y[i] = a x[i] + b z[i] for i < zlen, a x[i] beyond (y, x and
 * z may be one buffer: each work-item reads and writes only its own i). With wt_d > 0, y is
 * theta and Wt is kept current too. */
__kernel void lr_vec_lincomb(__global vreal *y, const vreal a, const __global vreal *x,
                             const vreal b, const __global vreal *z, const uint zlen, const uint n,
                             __global float *Wt, const uint wt_d) {
  const uint i = get_global_id(0);
  if (i >= n) return;
  const vreal v = i < zlen ? a * x[i] + b * z[i] : a * x[i];
  y[i] = v;
  keep_wt(Wt, wt_d, i, (float)v);
}

/* y[i] = x[i] z[i] (y, x and z may be one buffer); with wt_d > 0, y is theta and Wt is kept
 * current too. */
__kernel void lr_vec_mul(__global vreal *y, const __global vreal *x, const __global vreal *z,
                         const uint n, __global float *Wt, const uint wt_d) {
  const uint i = get_global_id(0);
  if (i >= n) return;
  const vreal v = x[i] * z[i];
  y[i] = v;
  keep_wt(Wt, wt_d, i, (float)v);
}

/* ---- The fused one-pass path (K up to about 32) ----
 *
 * One work-item owns a block of rows and reads each row of X once per epoch (from memory; the
 * second touch below hits the cache). It walks its block in groups of LR_RB = 16 rows:
 *
 *   logits    two (or more) rows at a time against the transposed weights Wt (KWP x d, both
 *             operands of each dot product contiguous): one vector accumulator per row and
 *             class, so the loop is FMA-bound rather than latency-bound;
 *   softmax   the group's per-row accumulators are folded so that lane r of one float16 holds
 *             row r's logit (lane_sums): the max, exp, log and residual then run on 16 rows at
 *             once, as vector math, instead of one scalar exp per class and row;
 *   gradient  the group's residuals are added into the work-item's own partial gradient
 *             (KWP rows of d weights and the bias, stride LR_LD(d)) while its rows are still in
 * cache, two vectors of j at a time so each residual broadcast feeds two FMAs.
 *
 * No N x K intermediate goes through global memory. A second kernel sums the blocks' partials
 * in block order. Classes are processed in chunks of LR_CB <= 12 (zero rows pad Wt to
 * LR_KWP = a whole number of chunks) so that the accumulators fit in registers at any K.
 *
 * On CPU devices (LR_PREFETCH=1, PoCL's clang) the kernel prefetches the rows 2 groups ahead
 * into L2: the hardware prefetcher runs only a few lines ahead of a loop that spends this long
 * on each line, and without it the kernel waited on memory (the kernel alone, same process,
 * PoCL on 2 cores, Fashion-MNIST's shape: 23.6 ms without, 13.6 ms with).
 * Half of a group's rows are prefetched from the logits loop and half from the gradient loop,
 * so the requests spread over the whole group; distances of 1, 3 and 4 groups measured no
 * better than 2. */

#ifndef LR_VW
#define LR_VW 16
#endif
#if LR_VW == 16
typedef float16 vecf;
#define VLOAD vload16
#else
typedef float8 vecf;
#define VLOAD vload8
#endif
#define HSUM8(v) ((((v).s0 + (v).s1) + ((v).s2 + (v).s3)) + (((v).s4 + (v).s5) + ((v).s6 + (v).s7)))
#define HSUM16(v) (HSUM8((v).lo) + HSUM8((v).hi))

/* LR_RB (rows per group), LR_NCB, LR_CB and LR_KWP (class chunks) and LR_LD(d) (a partial's
 * row stride) come from layout.h. */
#if LR_CB >= 6 /* rows per logits pass: about 20 accumulators */
#define LR_RP 2
#elif LR_CB >= 3
#define LR_RP 4
#else
#define LR_RP 8
#endif
#define LR_PF (2 * LR_RB) /* prefetch distance in rows */

#if defined(LR_PREFETCH) && defined(__has_builtin)
#if LR_PREFETCH && __has_builtin(__builtin_prefetch)
#define PREFETCH(p) __builtin_prefetch((p), 0, 2)
#endif
#endif
#ifndef PREFETCH
#define PREFETCH(p) ((void)0)
#endif

typedef float16 rowv; /* one lane per row of a group */

/* Per-lane running sums of a block's row quantities, as sum_t: double lanes, or compensated
 * float lanes (sum and error). */
#if LR_FP64
typedef double16 rowsum;
static rowsum rowsum_zero(void) { return (double16)0.0; }
static rowsum rowsum_add(const rowsum a, const rowv v) { return a + convert_double16(v); }
static sum_t rowsum_total(const rowsum a) { return HSUM16(a); }
#else
typedef struct rowsum {
  rowv s, e;
} rowsum;
static rowsum rowsum_zero(void) {
  rowsum r;
  r.s = r.e = 0.0f;
  return r;
}
static rowsum rowsum_add(const rowsum a, const rowv v) {
  rowsum r;
  r.s = a.s + v;
  r.e = a.e + select((v - r.s) + a.s, (a.s - r.s) + v, fabs(a.s) >= fabs(v));
  return r;
}
static sum_t rowsum_total(const rowsum a) {
  float s[LR_RB], e[LR_RB];
  vstore16(a.s, 0, s);
  vstore16(a.e, 0, e);
  sum_t t = (float2)(s[0], e[0]);
  for (uint r = 1; r < LR_RB; r++) t = sum_add(t, (float2)(s[r], e[r]));
  return t;
}
#endif

/* Loops over all classes are unrolled (their values then live in registers) up to 32 classes;
 * beyond, unrolling them made PoCL's compile take 21 s at K = 256 and 28 s at K = 1000. */
#if LR_KW <= 32
#define UNROLL_K _Pragma("unroll")
#else
#define UNROLL_K
#endif

/* Wt[c, j] = W[j, c] for c < KW (rows KW .. KWP - 1 stay zero): the layout the fused kernel
 * reads. */
__kernel void lr_transpose_w(const __global float *theta, const uint d, __global float *Wt) {
  const uint t = get_global_id(0);
  if (t >= d * LR_KW) return;
  const uint j = t / LR_KW, c = t % LR_KW;
  Wt[(size_t)c * d + j] = theta[t];
}

/* Lane r of the result is the sum of the lanes of p[r], r < 16: four rounds of pairwise
 * shuffles and adds instead of sixteen horizontal sums. */
static rowv lane_sums(const vecf *p) {
  float16 q[8], r[4], u[2];
#pragma unroll
  for (uint i = 0; i < 8; i++)
#if LR_VW == 16
    q[i] = (float16)(p[2 * i].lo, p[2 * i + 1].lo) + (float16)(p[2 * i].hi, p[2 * i + 1].hi);
#else
    q[i] = (float16)(p[2 * i], p[2 * i + 1]);
#endif
#pragma unroll
  for (uint i = 0; i < 4; i++)
    r[i] = (float16)(q[2 * i].s0123, q[2 * i].s89ab, q[2 * i + 1].s0123, q[2 * i + 1].s89ab) +
           (float16)(q[2 * i].s4567, q[2 * i].scdef, q[2 * i + 1].s4567, q[2 * i + 1].scdef);
#pragma unroll
  for (uint i = 0; i < 2; i++)
    u[i] = (float16)(r[2 * i].s01, r[2 * i].s45, r[2 * i].s89, r[2 * i].scd, r[2 * i + 1].s01,
                     r[2 * i + 1].s45, r[2 * i + 1].s89, r[2 * i + 1].scd) +
           (float16)(r[2 * i].s23, r[2 * i].s67, r[2 * i].sab, r[2 * i].sef, r[2 * i + 1].s23,
                     r[2 * i + 1].s67, r[2 * i + 1].sab, r[2 * i + 1].sef);
  return (float16)(u[0].even, u[1].even) + (float16)(u[0].odd, u[1].odd);
}

/* part[c][r] = the vector partial sums of row r's logit c, for the LR_RB rows at xb (rows past
 * nt repeat row nt - 1; their results are masked later). */
static void group_logits(const __global float *xb, const uint nt, const uint d, const uint m_left,
                         const uint all_rows, const __global float *Wt, vecf part[LR_KWP][LR_RB]) {
  for (uint r = 0; r < LR_RB; r += LR_RP) {
    const __global float *xr[LR_RP];
#pragma unroll
    for (uint q = 0; q < LR_RP; q++) xr[q] = xb + (size_t)min(r + q, nt - 1) * d;
    /* These rows LR_PF rows ahead (clamped to the block's last row): the even ones, or all when
     * there is no gradient loop to prefetch the odd ones (all_rows). */
    const __global float *pf[LR_RP];
#pragma unroll
    for (uint q = 0; q < LR_RP; q++) pf[q] = xb + (size_t)min(r + q + LR_PF, m_left) * d;
    for (uint c0 = 0; c0 < LR_KWP; c0 += LR_CB) {
      vecf a[LR_RP][LR_CB];
#pragma unroll
      for (uint q = 0; q < LR_RP; q++)
#pragma unroll
        for (uint c = 0; c < LR_CB; c++) a[q][c] = 0.0f;
      const __global float *w = Wt + (size_t)c0 * d;
      uint j = 0;
      for (; j + LR_VW <= d; j += LR_VW) {
        vecf xv[LR_RP];
#pragma unroll
        for (uint q = 0; q < LR_RP; q++) xv[q] = VLOAD(0, xr[q] + j);
        if (c0 == 0)
#pragma unroll
          for (uint q = 0; q < LR_RP; q++)
            if (!(q & 1) || all_rows) PREFETCH(pf[q] + j);
#pragma unroll
        for (uint c = 0; c < LR_CB; c++) {
          const vecf wv = VLOAD(0, w + (size_t)c * d + j);
#pragma unroll
          for (uint q = 0; q < LR_RP; q++) a[q][c] += xv[q] * wv;
        }
      }
      for (; j < d; j++)
#pragma unroll
        for (uint c = 0; c < LR_CB; c++)
#pragma unroll
          for (uint q = 0; q < LR_RP; q++) a[q][c].s0 += xr[q][j] * w[(size_t)c * d + j];
#pragma unroll
      for (uint q = 0; q < LR_RP; q++)
#pragma unroll
        for (uint c = 0; c < LR_CB; c++) part[c0 + c][r + q] = a[q][c];
    }
  }
}

/* gp[c, j] += sum_r gb[c][r] x_r[j] over the group's rows (rows past nt have gb = 0). */
static void group_gradient(const __global float *xb, const uint nt, const uint d, const uint m_left,
                           float gb[LR_KWP][LR_RB], __global float *gp) {
  const uint ld = LR_LD(d);
  for (uint c0 = 0; c0 < LR_KWP; c0 += LR_CB) {
    __global float *gc = gp + (size_t)c0 * ld;
    uint j = 0;
    for (; j + 2 * LR_VW <= d; j += 2 * LR_VW) {
      vecf a0[LR_CB], a1[LR_CB];
#pragma unroll
      for (uint c = 0; c < LR_CB; c++) {
        a0[c] = *(__global vecf *)(gc + (size_t)c * ld + j);
        a1[c] = *(__global vecf *)(gc + (size_t)c * ld + j + LR_VW);
      }
      for (uint r = 0; r < LR_RB; r++) {
        const __global float *x = xb + (size_t)min(r, nt - 1) * d + j;
        const vecf x0 = VLOAD(0, x), x1 = VLOAD(0, x + LR_VW);
        if (c0 == 0 && (r & 1)) { /* odd rows of the group LR_PF rows ahead */
          const __global float *pf = xb + (size_t)min(r + LR_PF, m_left) * d + j;
          PREFETCH(pf);
          PREFETCH(pf + LR_VW);
        }
#pragma unroll
        for (uint c = 0; c < LR_CB; c++) {
          const float gs = gb[c0 + c][r];
          a0[c] += gs * x0;
          a1[c] += gs * x1;
        }
      }
#pragma unroll
      for (uint c = 0; c < LR_CB; c++) {
        *(__global vecf *)(gc + (size_t)c * ld + j) = a0[c];
        *(__global vecf *)(gc + (size_t)c * ld + j + LR_VW) = a1[c];
      }
    }
    for (; j + LR_VW <= d; j += LR_VW) {
      vecf a0[LR_CB];
#pragma unroll
      for (uint c = 0; c < LR_CB; c++) a0[c] = *(__global vecf *)(gc + (size_t)c * ld + j);
      for (uint r = 0; r < LR_RB; r++) {
        const vecf x0 = VLOAD(0, xb + (size_t)min(r, nt - 1) * d + j);
#pragma unroll
        for (uint c = 0; c < LR_CB; c++) a0[c] += gb[c0 + c][r] * x0;
      }
#pragma unroll
      for (uint c = 0; c < LR_CB; c++) *(__global vecf *)(gc + (size_t)c * ld + j) = a0[c];
    }
    for (; j < d; j++)
#pragma unroll
      for (uint c = 0; c < LR_CB; c++) {
        float a = gc[(size_t)c * ld + j];
        for (uint r = 0; r < nt; r++) a += gb[c0 + c][r] * xb[(size_t)r * d + j];
        gc[(size_t)c * ld + j] = a;
      }
  }
}

/* Rows [x_row0, x_row0 + m) of this X buffer (a segment) are rows [row0, row0 + m) of y and
 * s; block g writes the partials of block gbase + g. */
__kernel void lr_fused(const __global float *X, const uint x_row0, const uint row0, const uint m,
                       const uint d, const __global float *Wt, const __global float *theta,
                       const uint b_off, const __global int *y, const __global float *s,
                       const uint block, const float pos_weight, const uint want_grad,
                       const uint gbase, __global float *gpart, __global sum_t *partials) {
  const uint g = get_global_id(0);
  const uint r_begin = g * block, r_end = min(m, r_begin + block);
  const uint ld = LR_LD(d);
  __global float *gp = gpart + (size_t)(gbase + g) * LR_KWP * ld;
  rowsum wl = rowsum_zero(), l = rowsum_zero(), cor = rowsum_zero(), sw = rowsum_zero();
  if (want_grad)
    for (uint i = 0; i < LR_KWP * ld; i++) gp[i] = 0.0f;
  const int16 lane = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (uint t0 = r_begin; t0 < r_end; t0 += LR_RB) {
    const uint nt = min((uint)LR_RB, r_end - t0), m_left = r_end - 1 - t0;
    const __global float *xb = X + (size_t)(x_row0 + t0) * d;
    vecf part[LR_KWP][LR_RB];
    group_logits(xb, nt, d, m_left, !want_grad, Wt, part);
    rowv z[LR_KW];
    UNROLL_K
    for (uint c = 0; c < LR_KW; c++) z[c] = lane_sums(part[c]) + theta[b_off + c];
    const int16 valid = lane < (int)nt;
    int16 yv;
    rowv sv;
    if (nt == LR_RB) {
      yv = vload16(0, y + row0 + t0);
      sv = vload16(0, s + row0 + t0);
    } else {
      int yy[LR_RB];
      float ss[LR_RB];
      for (uint r = 0; r < LR_RB; r++) {
        yy[r] = r < nt ? y[row0 + t0 + r] : 0;
        ss[r] = r < nt ? s[row0 + t0 + r] : 0.0f;
      }
      yv = vload16(0, yy);
      sv = vload16(0, ss);
    }
    rowv gv[LR_KW], li, lu, cv;
    /* The row math of every kernel (LR_SOFTMAX_ROW, LR_SIGMOID_ROW), 16 rows at once. */
#if LR_KW == 1
    LR_SIGMOID_ROW(rowv, int16, z[0], yv, sv, pos_weight, gv[0], li, lu, cv);
#else
    LR_SOFTMAX_ROW(rowv, int16, z, yv, sv, gv, gv, li, cv);
    lu = li;
#endif
    wl = rowsum_add(wl, sv * li);
    l = rowsum_add(l, select((rowv)0.0f, lu, valid));
    cor = rowsum_add(cor, select((rowv)0.0f, cv, valid));
    sw = rowsum_add(sw, sv);
    if (!want_grad) continue;
    float gb[LR_KWP][LR_RB];
    UNROLL_K
    for (uint c = 0; c < LR_KWP; c++) vstore16(c < LR_KW ? gv[c] : (rowv)0.0f, 0, gb[c]);
    UNROLL_K
    for (uint c = 0; c < LR_KW; c++) gp[(size_t)c * ld + d] += HSUM16(gv[c]);
    group_gradient(xb, nt, d, m_left, gb, gp);
  }
  __global sum_t *out = partials + (size_t)(gbase + g) * LR_NQ;
  out[0] = rowsum_total(wl);
  out[1] = rowsum_total(l);
  out[2] = rowsum_total(cor);
  out[3] = rowsum_total(sw);
}

/* The fused path's last stage, one work-group of LR_WG: the blocks' row sums (partials, LR_NQ
 * per block) in block order into sums[0 .. 4); with want_grad the raw gradient sums
 * gsum[j KW + c] = sum over blocks, in order, of gpart[g, c, j] (j == d is the bias). */
__kernel void lr_fused_finish(const __global sum_t *partials, const __global float *gpart,
                              const uint nblocks, const uint d, const uint want_grad,
                              __global float *gsum, __global sum_t *sums, __local sum_t *scratch) {
  const uint lid = get_local_id(0), ld = LR_LD(d), nw = d * LR_KW;
  sum_t total[LR_NQ];
  for (uint q = 0; q < LR_NQ; q++) total[q] = rows_total(partials, nblocks, q, scratch);
  if (want_grad) {
    /* u runs class by class, so neighbouring work-items read neighbouring partials. */
    for (uint u = lid; u < nw + LR_KW; u += LR_WG) {
      const uint c = u / (d + 1), j = u % (d + 1), t = j * LR_KW + c;
      acc_t acc = 0;
      for (uint g = 0; g < nblocks; g++) acc += gpart[((size_t)g * LR_KWP + c) * ld + j];
      gsum[t] = (float)acc;
    }
  }
  if (lid == 0)
    for (uint q = 0; q < LR_NQ; q++) sums[q] = total[q];
}

/* ---- The tiled one-pass path (GPUs) ----
 *
 * Built with -DLR_D=<features> -DLR_TR=<rows per tile>. A work-group of LR_WG work-items
 * loops over tiles of LR_TR rows (tile t, t + groups, ...: a persistent grid of a few groups
 * per compute unit), and for each tile:
 *
 *   stage     copies the tile (LR_TR x LR_D floats, contiguous in X) into local memory with
 *             coalesced loads: X is read from global memory exactly once per epoch;
 *   logits    LR_TP = LR_WG / LR_TR lanes per row, each a strided slice of the row's features
 *             (neighbouring lanes read neighbouring floats of the tile and of Wt) for LR_TKC
 *             classes at a time, the lanes' sums then added in lane order;
 *   rows      one work-item per row: stable softmax (or sigmoid), loss, residual, row sums;
 *   gradient  work-item i owns features i, i + LR_WG, ... (LR_TF of them; feature LR_D is the
 *             bias, a column of ones) and adds the tile's rows into its LR_TF x LR_KW
 *             accumulators, which stay in registers across tiles when all classes fit
 *             (LR_TNG == 1); otherwise the classes go in LR_TNG chunks, and the group's
 *             partial in global memory is read, added to and written back per chunk and tile.
 *
 * Each group writes its partial gradient ((LR_D + 1) x LR_KW, the layout of [W | b]) and its
 * four row sums once; lr_tile_finish adds the groups' partials in group order. */
#ifdef LR_TR
/* From layout.h: LR_TN = LR_D + 1 gradient rows (features and the bias; also the tile's row
 * stride), LR_TF of them per work-item, LR_TP lanes per row and LR_TKC classes per pass in the
 * logits, LR_TRED the lane stride of the logit sums. The gradient: LR_TGC classes per pass (-D
 * from the host: all of them when LR_TF x LR_KW sums fit in registers), LR_TNG passes. A
 * group's partial has LR_TJ = LR_TF x LR_WG rows of LR_KWG columns, padded so that no
 * work-item needs a bounds check: the rows past the bias and the columns past LR_KW hold sums
 * of nothing that matters and are never read. (A version with `if (j < LR_TN)` guards was
 * miscompiled by PoCL 3.1: work-items past the last feature ran the guarded body and wrote out
 * of bounds.) */

/* Loss, residual and row sums of one multinomial or binary row whose logits (bias included)
 * are z[0 .. LR_KW); the residual s (p - y) (or s dl/dz) replaces them. */
static void tile_row(__local float *z, const int yi, const float si, const float pos_weight,
                     sum_t *wl, sum_t *l, sum_t *cor, sum_t *sw) {
  float li, lu, ok;
#if LR_KW == 1
  const float zz = z[0];
  LR_SIGMOID_ROW(float, int, zz, yi, si, pos_weight, z[0], li, lu, ok);
#else
  float e[LR_K];
  LR_SOFTMAX_ROW(float, int, z, yi, si, e, z, li, ok);
  lu = li;
#endif
  *wl = sum_add(*wl, sum_of((acc_t)si * (acc_t)li));
  *l = sum_add(*l, sum_of((acc_t)lu));
  *cor = sum_add(*cor, sum_of(ok));
  *sw = sum_add(*sw, sum_of((acc_t)si));
}

/* Rows [x_row0, x_row0 + m) of this X buffer are rows [row0, row0 + m) of y and s. Group g
 * writes gpart[(gbase + g) (LR_D + 1) LR_KW ...] and rsum[(gbase + g) 4 ...]. */
__kernel __attribute__((reqd_work_group_size(LR_WG, 1, 1))) void
lr_tile(const __global float *X, const uint x_row0, const uint row0, const uint m,
        const __global float *Wt, const __global float *theta, const uint b_off,
        const __global int *y, const __global float *s, const float pos_weight,
        const uint want_grad, const uint gbase, __global float *gpart, __global sum_t *rsum) {
  /* Sized by layout.h, which the host's local memory budget counts the same way. */
  __local float xs[LR_TILE_XS(LR_D, LR_TR)]; /* rows of the tile, each followed by a 1 (the bias) */
  __local float red[LR_TILE_RED(LR_KW, LR_WG, LR_TR)];
  __local float zs[LR_TILE_ZS(LR_KW, LR_TR, LR_TGC)]; /* logits, then residuals (see LR_KWG) */
  __local sum_t rs[LR_TILE_RS(LR_TR)];
  const uint lid = get_local_id(0), grp = get_group_id(0), ngrp = get_num_groups(0);
  const uint ntiles = (m + LR_TR - 1) / LR_TR;
  __global float *gp = gpart + (size_t)(gbase + grp) * LR_TJ * LR_KWG;
  sum_t wl = sum_of(0), l = sum_of(0), cor = sum_of(0), sw = sum_of(0);
  float acc[LR_TF][LR_TGC];
  for (uint f = 0; f < LR_TF; f++)
    for (uint c = 0; c < LR_TGC; c++) acc[f][c] = 0.0f;
  const uint r = lid / LR_TP, lane = lid % LR_TP;
  for (uint tile = grp; tile < ntiles; tile += ngrp) {
    const uint t0 = tile * LR_TR, nt = min((uint)LR_TR, m - t0);
    const __global float *xg = X + (size_t)(x_row0 + t0) * LR_D;
    barrier(CLK_LOCAL_MEM_FENCE); /* the previous tile is done with xs and zs */
#if LR_D % 4 == 0
    for (uint i = lid; i < nt * (LR_D / 4); i += LR_WG)
      vstore4(vload4(i, xg), 0, xs + i / (LR_D / 4) * LR_TN + i % (LR_D / 4) * 4);
#else
    for (uint i = lid; i < nt * LR_D; i += LR_WG) xs[i / LR_D * LR_TN + i % LR_D] = xg[i];
#endif
    for (uint i = lid; i < nt; i += LR_WG) xs[i * LR_TN + LR_D] = 1.0f;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint c0 = 0; c0 < LR_KW; c0 += LR_TKC) {
      float a[LR_TKC];
      for (uint c = 0; c < LR_TKC; c++) a[c] = 0.0f;
      if (r < nt) {
        const __local float *xr = xs + r * LR_TN;
        for (uint j = lane; j < LR_D; j += LR_TP) {
          const float xv = xr[j];
          for (uint c = 0; c < LR_TKC; c++)
            if (c0 + c < LR_KW) a[c] += xv * Wt[(size_t)(c0 + c) * LR_D + j];
        }
      }
      if (r < LR_TR)
        for (uint c = 0; c < LR_TKC; c++) red[(r * LR_TKC + c) * LR_TRED + lane] = a[c];
      barrier(CLK_LOCAL_MEM_FENCE);
      for (uint e = lid; e < LR_TR * LR_TKC; e += LR_WG) {
        const uint rr = e / LR_TKC, c = c0 + e % LR_TKC;
        if (rr < nt && c < LR_KW) {
          float z = 0.0f;
          for (uint p = 0; p < LR_TP; p++) z += red[e * LR_TRED + p];
          zs[rr * LR_KW + c] = z + theta[b_off + c];
        }
      }
      barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid < nt)
      tile_row(zs + lid * LR_KW, y[row0 + t0 + lid], s[row0 + t0 + lid], pos_weight, &wl, &l, &cor,
               &sw);
    if (!want_grad) continue;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint cb = 0; cb < LR_KWG; cb += LR_TGC) {
      for (uint f = 0; f < LR_TF; f++) {
        /* Rows past the bias read the bias's column (in bounds) into padding rows. */
        const uint j = lid + f * LR_WG, jx = min(j, (uint)LR_D);
#if LR_TNG > 1
        /* The group's first tile starts the partial; later ones add to it. */
        for (uint c = 0; c < LR_TGC; c++) acc[f][c] = tile == grp ? 0.0f : gp[j * LR_KWG + cb + c];
#endif
        for (uint rr = 0; rr < nt; rr++) {
          const float xv = xs[rr * LR_TN + jx];
          for (uint c = 0; c < LR_TGC; c++) acc[f][c] += xv * zs[rr * LR_KW + cb + c];
        }
#if LR_TNG > 1
        for (uint c = 0; c < LR_TGC; c++) gp[j * LR_KWG + cb + c] = acc[f][c];
#endif
      }
    }
  }
#if LR_TNG == 1
  if (want_grad)
    for (uint f = 0; f < LR_TF; f++)
      for (uint c = 0; c < LR_TGC; c++) gp[(lid + f * LR_WG) * LR_KWG + c] = acc[f][c];
#endif
  /* The row sums of the group's work-items (only the first LR_TR hold any), in order. */
  barrier(CLK_LOCAL_MEM_FENCE);
  if (lid < LR_TR) {
    rs[lid * LR_NQ + 0] = wl;
    rs[lid * LR_NQ + 1] = l;
    rs[lid * LR_NQ + 2] = cor;
    rs[lid * LR_NQ + 3] = sw;
  }
  barrier(CLK_LOCAL_MEM_FENCE);
  if (lid < LR_NQ) {
    sum_t t = sum_of(0);
    for (uint i = 0; i < LR_TR; i++) t = sum_add(t, rs[i * LR_NQ + lid]);
    rsum[(size_t)(gbase + grp) * LR_NQ + lid] = t;
  }
}

/* The tiled path's second stage, one work-item per parameter t of [W | b] (n of them): the raw
 * gradient sums gsum[t] = sum over the ngroups partials, in group order. Every work-group adds
 * the row sums the same way; group 0 writes them to out[0 .. 4). */
__kernel void lr_tile_finish(const __global float *gpart, const uint ngroups,
                             const __global sum_t *rsum, const uint d, const uint want_grad,
                             __global float *gsum, __global sum_t *out, __local sum_t *scratch) {
  const uint t = get_global_id(0), lid = get_local_id(0), n = (d + 1) * LR_KW;
  sum_t tot[LR_NQ];
  for (uint q = 0; q < LR_NQ; q++) tot[q] = rows_total(rsum, ngroups, q, scratch);
  if (want_grad && t < n) {
    const uint j = t / LR_KW, c = t % LR_KW;
    acc_t a = 0;
    for (uint g = 0; g < ngroups; g++) a += gpart[((size_t)g * LR_TJ + j) * LR_KWG + c];
    gsum[t] = (float)a;
  }
  if (lid == 0 && get_group_id(0) == 0)
    for (uint q = 0; q < LR_NQ; q++) out[q] = tot[q];
}
#endif

/* ---- Hessian-vector products (the trust-region Newton solver) ----
 *
 * For a direction v = [V | vb] laid out as theta, the raw product of the summed loss
 * sum_i s_i l_i (no 1 / sum s, no L2: the host's objective layer adds those) is
 *   H v = [sum_i s_i x_i r_i^T | sum_i s_i r_i],
 * with, per row, z = W^T x + b, u = V^T x + vb and
 *   softmax  r_c = p_c (u_c - sum_j p_j u_j),   p = softmax(z)
 *   binary   r = c sigma(z) (1 - sigma(z)) u,   c = pos_weight when y = 1, else 1.
 * The host computes Z = X W and U = X V in one read of X (lr_hv_logits), turns them into the
 * rows s_i r_i with lr_hv_rows, and sums X^T R per chunk with lr_grad_partial (a second read);
 * lr_hv_reduce adds the chunks in order. No barriers: one work-item per row or parameter. */

/* Both logits of rows r < m in one read of X: Z = X W from theta and U = X V from v (no
 * biases), as two lr_logits launches would give them (the same sums in the same order). */
__kernel void lr_hv_logits(const __global float *X, const uint row0, const uint m, const uint d,
                           const __global float *theta, const __global float *v, __global float *Z,
                           __global float *U) {
  const uint r = get_global_id(0);
  if (r >= m) return;
  const __global float *x = X + (size_t)(row0 + r) * d;
  float az[LR_KW], au[LR_KW];
  for (uint c = 0; c < LR_KW; c++) az[c] = au[c] = 0.0f;
  for (uint j = 0; j < d; j++) {
    const float xj = x[j];
    const __global float *w = theta + (size_t)j * LR_KW, *vj = v + (size_t)j * LR_KW;
    for (uint c = 0; c < LR_KW; c++) {
      az[c] += xj * w[c];
      au[c] += xj * vj[c];
    }
  }
  __global float *z = Z + (size_t)r * LR_KW, *u = U + (size_t)r * LR_KW;
  for (uint c = 0; c < LR_KW; c++) {
    z[c] = az[c];
    u[c] = au[c];
  }
}

/* Rows r < m: ZR holds the logits Z (m x KW, bias not yet added) and receives s_i r_i in
 * place; U holds X V (no bias). Batch row r is data row row0 + r of y and s. */
__kernel void lr_hv_rows(__global float *ZR, const __global float *U, const __global float *theta,
                         const __global float *v, const uint b_off, const __global int *y,
                         const __global float *s, const uint row0, const uint m,
                         const float pos_weight) {
  const uint r = get_global_id(0);
  if (r >= m) return;
  __global float *z = ZR + (size_t)r * LR_KW;
  const __global float *u = U + (size_t)r * LR_KW;
  const float si = s[row0 + r];
#if LR_KW == 1
  /* sigma (1 - sigma) = e / (1 + e)^2 with e = exp(-|z|): exact for either sign, no 1 - sigma
   * rounded to 0. */
  const float zz = z[0] + theta[b_off], e = exp(-fabs(zz));
  const float ci = y[row0 + r] == 1 ? pos_weight : 1.0f;
  z[0] = si * ci * (e / ((1.0f + e) * (1.0f + e))) * (u[0] + v[b_off]);
#else
  /* Three passes over the row's KW values instead of private arrays of KW: the max, then the
   * sums of e_c = exp(z_c - max) and of e_c u_c, then the rows. */
  float mx = z[0] + theta[b_off];
  for (uint c = 1; c < LR_KW; c++) mx = fmax(mx, z[c] + theta[b_off + c]);
  float sum = 0.0f, eu = 0.0f;
  for (uint c = 0; c < LR_KW; c++) {
    const float e = exp(z[c] + theta[b_off + c] - mx);
    sum += e;
    eu += e * (u[c] + v[b_off + c]);
  }
  const float inv = 1.0f / sum, pu = eu * inv;
  for (uint c = 0; c < LR_KW; c++) {
    const float p = exp(z[c] + theta[b_off + c] - mx) * inv;
    z[c] = si * p * ((u[c] + v[b_off + c]) - pu);
  }
#endif
}

/* After lr_grad_partial over `nchunks` chunks of R: for each parameter t of [W | b] ((d + 1)
 * KW of them), the chunks' sum in chunk order, added to acc[t] (set, when `first`) in acc_t;
 * with `last`, written as a float to out[t] instead. Several calls (one per block of rows)
 * thus sum a product over any number of rows in a fixed order. */
__kernel void lr_hv_reduce(const __global acc_t *partial, const uint nchunks, const uint d,
                           const uint first, const uint last, __global acc_t *acc,
                           __global float *out) {
  const uint t = get_global_id(0), n = (d + 1) * LR_KW;
  if (t >= n) return;
  acc_t a = first ? 0 : acc[t];
  for (uint g = 0; g < nchunks; g++) a += partial[(size_t)g * n + t];
  if (last)
    out[t] = (float)a;
  else
    acc[t] = a;
}

/* The fused path's Hessian-vector product in one pass over X: lr_fused's walk (a block of rows
 * per work-item, groups of LR_RB rows) with the logits of theta (Wt) and of v (Vt, v's W part
 * transposed the same way), the rows s_i r_i of lr_hv_rows 16 at a time, and their X^T R added
 * into the block's partial (gpart of block gbase + g, lr_fused's layout) while the group's rows
 * are in cache. Rows past the block's end have s = 0, hence r = 0. */
__kernel void lr_fused_hv(const __global float *X, const uint x_row0, const uint row0, const uint m,
                          const uint d, const __global float *Wt, const __global float *Vt,
                          const __global float *theta, const __global float *v, const uint b_off,
                          const __global int *y, const __global float *s, const uint block,
                          const float pos_weight, const uint gbase, __global float *gpart) {
  const uint g = get_global_id(0);
  const uint r_begin = g * block, r_end = min(m, r_begin + block);
  const uint ld = LR_LD(d);
  __global float *gp = gpart + (size_t)(gbase + g) * LR_KWP * ld;
  for (uint i = 0; i < LR_KWP * ld; i++) gp[i] = 0.0f;
  for (uint t0 = r_begin; t0 < r_end; t0 += LR_RB) {
    const uint nt = min((uint)LR_RB, r_end - t0), m_left = r_end - 1 - t0;
    const __global float *xb = X + (size_t)(x_row0 + t0) * d;
    vecf part[LR_KWP][LR_RB];
    rowv z[LR_KW], u[LR_KW], rv[LR_KW];
    group_logits(xb, nt, d, m_left, 0, Wt, part);
    UNROLL_K
    for (uint c = 0; c < LR_KW; c++) z[c] = lane_sums(part[c]) + theta[b_off + c];
    group_logits(xb, nt, d, m_left, 0, Vt, part);
    UNROLL_K
    for (uint c = 0; c < LR_KW; c++) u[c] = lane_sums(part[c]) + v[b_off + c];
    float ss[LR_RB];
    for (uint r = 0; r < LR_RB; r++) ss[r] = r < nt ? s[row0 + t0 + r] : 0.0f;
    const rowv sv = vload16(0, ss);
#if LR_KW == 1
    int yy[LR_RB];
    for (uint r = 0; r < LR_RB; r++) yy[r] = r < nt ? y[row0 + t0 + r] : 0;
    const int16 yv = vload16(0, yy);
    const rowv e = exp(-fabs(z[0]));
    const rowv ci = select((rowv)1.0f, (rowv)pos_weight, yv == 1);
    rv[0] = sv * ci * (e / ((1.0f + e) * (1.0f + e))) * u[0];
#else
    rowv mx = z[0];
    UNROLL_K
    for (uint c = 1; c < LR_KW; c++) mx = fmax(mx, z[c]);
    rowv sum = 0.0f, eu = 0.0f;
    UNROLL_K
    for (uint c = 0; c < LR_KW; c++) {
      z[c] = exp(z[c] - mx);
      sum += z[c];
      eu += z[c] * u[c];
    }
    const rowv inv = 1.0f / sum, pu = eu * inv;
    UNROLL_K
    for (uint c = 0; c < LR_KW; c++) rv[c] = sv * (z[c] * inv) * (u[c] - pu);
#endif
    float gb[LR_KWP][LR_RB];
    UNROLL_K
    for (uint c = 0; c < LR_KWP; c++) vstore16(c < LR_KW ? rv[c] : (rowv)0.0f, 0, gb[c]);
    UNROLL_K
    for (uint c = 0; c < LR_KW; c++) gp[(size_t)c * ld + d] += HSUM16(rv[c]);
    group_gradient(xb, nt, d, m_left, gb, gp);
  }
}

/* After lr_fused_hv: out[j KW + c] = the blocks' partials gpart[., c, j] summed in block order
 * (j == d: the bias), for the (d + 1) KW parameters. */
__kernel void lr_fused_hv_reduce(const __global float *gpart, const uint nblocks, const uint d,
                                 __global float *out) {
  const uint t = get_global_id(0), ld = LR_LD(d);
  if (t >= (d + 1) * LR_KW) return;
  const uint j = t / LR_KW, c = t % LR_KW;
  acc_t a = 0;
  for (uint g = 0; g < nblocks; g++) a += gpart[((size_t)g * LR_KWP + c) * ld + j];
  out[t] = (float)a;
}

/* ---- Cross-validation grids (opencl.c: ocl_grid_sums) ----
 *
 * m models (theta: m rows of [W | b], each (d + 1) KW floats) over a block of rows of the
 * training slot in file order: model j trains on the rows with fold[i] != held[j] and is
 * validated on the others. lr_grid_rows computes, per (row, model), the logits, loss, argmax
 * and the residual s_i dl_i/dz into R (rows x m KW, zero on the model's held-out rows), and
 * per work-group of LR_WG rows and model the LR_GRID_NQ row sums (training rows' LR_NQ, then
 * held-out rows'); lr_grid_grad sums X^T R over the block's rows in row order, one work-item
 * per (column of R, feature or the bias), and adds it to the running sums of the earlier
 * blocks. No float atomics: every sum has a fixed order, whatever the work-group count. */

/* The models' parameters, the row math (logits, softmax or sigmoid, loss) and the residuals R:
 * double where the device has it. Rounded to float, theta moves every row's logits the same
 * way, and the float losses leave J noisy at about eps J / sqrt(N): near the optimum, the
 * grid's L-BFGS (an Armijo test on differences of J far below that) then stalled short of the
 * default tolerance on breast-cancer-wisconsin and ran to --epochs. Float residuals would
 * leave the gradient about eps sqrt(N) / N off (1e-9 on digits), above bench/cv_digits.py's
 * --tol 1e-10. */
#if LR_FP64
typedef double grid_t;
#else
typedef float grid_t;
#endif

/* Row r < rows of the block (X row x_row0 + r of this segment, data row row0 + r of y, s and
 * fold) with model j = get_global_id(1): the math of lr_sigmoid_rows / lr_softmax_rows in
 * grid_t. Work-groups are (LR_WG, 1): group g's sums of model j go to partials[((gbase + g) m
 * + j) LR_GRID_NQ ...]. Guards around the work, no early return (a barrier follows). */
__kernel void lr_grid_rows(const __global float *X, const uint x_row0, const uint row0,
                           const uint rows, const uint d, const __global int *y,
                           const __global float *s, const __global int *fold, const uint m,
                           const __global grid_t *theta, const __global int *held,
                           const grid_t pos_weight, __global grid_t *R, const uint gbase,
                           __global sum_t *partials, __local sum_t *scratch) {
  const uint r = get_global_id(0), j = get_global_id(1);
  grid_t q[LR_GRID_NQ];
  for (uint t = 0; t < LR_GRID_NQ; t++) q[t] = 0;
  if (r < rows) {
    const uint i = row0 + r, np = (d + 1) * LR_KW;
    const __global float *x = X + (size_t)(x_row0 + r) * d;
    const __global grid_t *w = theta + (size_t)j * np;
    const int yi = y[i], out = fold[i] == held[j];
    const grid_t si = s[i];
    __global grid_t *g = R + ((size_t)r * m + j) * LR_KW;
    grid_t z[LR_KW];
    for (uint c = 0; c < LR_KW; c++) z[c] = 0;
    for (uint f = 0; f < d; f++) {
      const grid_t xf = x[f];
      const __global grid_t *wf = w + (size_t)f * LR_KW;
      for (uint c = 0; c < LR_KW; c++) z[c] += xf * wf[c];
    }
    for (uint c = 0; c < LR_KW; c++) z[c] += w[(size_t)d * LR_KW + c];
    grid_t li, lu, cor, gr[LR_KW];
#if LR_KW == 1
    LR_SIGMOID_ROW(grid_t, int, z[0], yi, si, pos_weight, gr[0], li, lu, cor);
#else
    grid_t e[LR_K];
    LR_SOFTMAX_ROW(grid_t, int, z, yi, si, e, gr, li, cor);
    lu = li;
#endif
    for (uint c = 0; c < LR_KW; c++) g[c] = out ? 0 : gr[c];
    const uint o = out ? LR_NQ : 0;
    q[o + 0] = si * li;
    q[o + 1] = lu;
    q[o + 2] = cor;
    q[o + 3] = si;
  }
  __global sum_t *p = partials + ((size_t)(gbase + get_group_id(0)) * m + j) * LR_GRID_NQ;
  group_sum4(q[0], q[1], q[2], q[3], scratch, p);
  barrier(CLK_LOCAL_MEM_FENCE);
  group_sum4(q[4], q[5], q[6], q[7], scratch, p + LR_NQ);
}

/* acc[f cols + c] (+)= sum over the block's rows r < rows, in order, of X[x_row0 + r, f]
 * R[r, c] (f == d: the bias, a column of ones), for the cols = m KW columns of R; `first`
 * starts the running sums. A work-item takes one column and LR_GRID_TF features from
 * get_global_id(1) LR_GRID_TF on (one load of R for LR_GRID_TF sums), accumulated in double
 * where the device has it, else in Neumaier's compensated float sum. No barriers. */
__kernel void lr_grid_grad(const __global float *X, const uint x_row0, const uint rows,
                           const uint d, const __global grid_t *R, const uint cols,
                           const uint first, __global sum_t *acc) {
  const uint c = get_global_id(0), f0 = get_global_id(1) * LR_GRID_TF;
  if (c >= cols || f0 > d) return;
#if LR_FP64
  double a[LR_GRID_TF];
  for (uint t = 0; t < LR_GRID_TF; t++) a[t] = 0.0;
#else
  sum_t a[LR_GRID_TF];
  for (uint t = 0; t < LR_GRID_TF; t++) a[t] = sum_of(0.0f);
#endif
  for (uint r = 0; r < rows; r++) {
    const grid_t rv = R[(size_t)r * cols + c];
    const __global float *x = X + (size_t)(x_row0 + r) * d;
    for (uint t = 0; t < LR_GRID_TF; t++) {
      const uint f = f0 + t;
      const float xv = f < d ? x[f] : 1.0f; /* past d: the bias, then unused sums */
#if LR_FP64
      a[t] += (double)xv * rv;
#else
      a[t] = sum_add(a[t], sum_of(xv * rv));
#endif
    }
  }
  for (uint t = 0; t < LR_GRID_TF && f0 + t <= d; t++) {
    const size_t o = (size_t)(f0 + t) * cols + c;
    const sum_t v = a[t];
    acc[o] = first ? v : sum_add(acc[o], v);
  }
}

/* ---- Sparse rows (CSR) ----
 *
 * A sparse slot is on the device twice: as CSR rows (row pointers, column indices, values) for
 * the logits, and transposed (CSC: column pointers, row indices, values, made once on the host
 * at upload; for a training order, a second CSC with the rows' positions in it, made at each
 * order) for X^T G, which is then a gather per feature: no float atomics, and each sum runs
 * over its column's rows in increasing position, so a run repeats bit for bit. The row kernels
 * (lr_softmax_rows, lr_sigmoid_rows, lr_hv_rows), lr_reduce and lr_grad_finish are the dense
 * path's. */

/* Z[r, c] = sum over row i's nonzeros of x W[col, c] (no bias) for r < m, where i is
 * perm[row0 + r] (use_perm: a range of the training order) or row0 + r. */
__kernel void lr_csr_logits(const __global ulong *indptr, const __global int *indices,
                            const __global float *values, const __global uint *perm,
                            const uint use_perm, const uint row0, const uint m,
                            const __global float *theta, __global float *Z) {
  const uint r = get_global_id(0);
  if (r >= m) return;
  const uint i = use_perm ? perm[row0 + r] : row0 + r;
  const ulong e1 = indptr[i + 1];
  float acc[LR_KW];
  for (uint c = 0; c < LR_KW; c++) acc[c] = 0.0f;
  for (ulong e = indptr[i]; e < e1; e++) {
    const float xj = values[e];
    const __global float *w = theta + (size_t)indices[e] * LR_KW;
    for (uint c = 0; c < LR_KW; c++) acc[c] += xj * w[c];
  }
  __global float *z = Z + (size_t)r * LR_KW;
  for (uint c = 0; c < LR_KW; c++) z[c] = acc[c];
}

/* gsum[j KW + c] = sum of x G[p - row0, c] over feature j's nonzeros x at positions p in
 * [row0, row0 + m), accumulated in acc_t. A column's entries are in increasing position (the
 * slot's CSC: p is the row; the CSC of a training order: p is the row's place in it), so the
 * range starts where a binary search finds it and the sum runs in position order, the order
 * of the cpu reference. One work-item per feature. */
__kernel void lr_csc_grad(const __global ulong *colptr, const __global uint *pos,
                          const __global float *cvals, const uint row0, const uint m, const uint d,
                          const __global float *G, __global float *gsum) {
  const uint j = get_global_id(0);
  if (j >= d) return;
  ulong lo = colptr[j], hi = colptr[j + 1];
  const ulong e1 = hi;
  while (lo < hi) {
    const ulong mid = lo + (hi - lo) / 2;
    if (pos[mid] < row0)
      lo = mid + 1;
    else
      hi = mid;
  }
  acc_t acc[LR_KW];
  for (uint c = 0; c < LR_KW; c++) acc[c] = 0;
  const uint end = row0 + m;
  for (ulong e = lo; e < e1 && pos[e] < end; e++) {
    const float x = cvals[e];
    const __global float *g = G + (size_t)(pos[e] - row0) * LR_KW;
    for (uint c = 0; c < LR_KW; c++) acc[c] += x * g[c];
  }
  __global float *out = gsum + (size_t)j * LR_KW;
  for (uint c = 0; c < LR_KW; c++) out[c] = (float)acc[c];
}
