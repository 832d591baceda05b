/* logreg.cl: the OpenCL kernels of the opencl backend (host/backend_opencl.c).
 *
 * Built once per model shape with -DLR_K=<classes> -DLR_KW=<weight columns: 1 for --binary,
 * else K> -DLR_WG=<work-group size, a power of two> -DLR_FP64=<1 when the device has doubles>
 * -DLR_VW=<8 or 16: the fused kernel's vector width>. The
 * math is DESIGN.md §2, the same as the CPU reference (host/backend_cpu.c), in float32:
 *
 *   logits      Z = X W                       (lr_logits, or CLBlast SGEMM on the host side)
 *   rows        z += b; loss, residual s_i (p - y), partial sums per work-group
 *               (lr_softmax_rows / lr_sigmoid_rows)
 *   reductions  fixed-order two-stage sums (lr_reduce), never float atomics, so a run
 *               repeats bit for bit
 *   gradient    X^T G per chunk of rows (lr_grad_partial), chunks summed in order, scaled by
 *               1 / sum s and the L2 term added (lr_grad_reduce)
 *   updates     GD, momentum (Nesterov) and Adam on the flat parameter vector [W | b]
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

/* Number of sums each row kernel reports per work-group: weighted loss, loss, correct, sum s. */
#define LR_NQ 4

/* Z[r, c] = sum_j X[row0 + r, j] W[j, c] for r < m: one work-item per row, KW sums kept in
 * registers so each X row is read once. */
__kernel void lr_logits(const __global float *X, const uint row0, const uint m, const uint d,
                        const __global float *theta, __global float *Z) {
  const uint r = get_global_id(0);
  if (r >= m) return;
  const __global float *x = X + (size_t)(row0 + r) * d;
  float acc[LR_KW];
  for (uint c = 0; c < LR_KW; c++) acc[c] = 0.0f;
  for (uint j = 0; j < d; j++) {
    const float xj = x[j];
    const __global float *w = theta + (size_t)j * LR_KW;
    for (uint c = 0; c < LR_KW; c++) acc[c] += xj * w[c];
  }
  __global float *z = Z + (size_t)r * LR_KW;
  for (uint c = 0; c < LR_KW; c++) z[c] = acc[c];
}

/* Sums LR_NQ values across the work-group in a fixed tree order; work-item 0 writes them to
 * out[0..LR_NQ). */
static void group_sum4(float v0, float v1, float v2, float v3, __local float *scratch,
                       __global float *out) {
  const uint lid = get_local_id(0);
  scratch[lid * LR_NQ + 0] = v0;
  scratch[lid * LR_NQ + 1] = v1;
  scratch[lid * LR_NQ + 2] = v2;
  scratch[lid * LR_NQ + 3] = v3;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint h = LR_WG / 2; h > 0; h >>= 1) {
    if (lid < h)
      for (uint q = 0; q < LR_NQ; q++) scratch[lid * LR_NQ + q] += scratch[(lid + h) * LR_NQ + q];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lid == 0)
    for (uint q = 0; q < LR_NQ; q++) out[q] = scratch[q];
}

/* Multinomial rows: logits Z (m x K, bias not yet added) -> residual G = s_i (p - onehot(y)),
 * with p = exp(z - max z) / sum and loss l = (max z - z_y) + log(sum); per work-group partial
 * sums of s l, l, correct and s. Batch row r is data row row0 + r (mini-batches of shuffled
 * data are contiguous ranges of the gathered copy). */
__kernel void lr_softmax_rows(const __global float *Z, __global float *G,
                              const __global float *theta, const uint b_off, const __global int *y,
                              const __global float *s, const uint row0, const uint m,
                              __global float *partials, __local float *scratch) {
  const uint r = get_global_id(0);
  float wl = 0.0f, l = 0.0f, cor = 0.0f, sw = 0.0f;
  if (r < m) {
    const __global float *z = Z + (size_t)r * LR_K;
    __global float *g = G + (size_t)r * LR_K;
    const __global float *b = theta + b_off;
    const int yi = y[row0 + r];
    const float si = s[row0 + r];
    float mx = z[0] + b[0];
    uint arg = 0;
    for (uint c = 1; c < LR_K; c++) {
      const float v = z[c] + b[c];
      if (v > mx) mx = v, arg = c;
    }
    float sum = 0.0f;
    for (uint c = 0; c < LR_K; c++) sum += exp(z[c] + b[c] - mx);
    const float lsum = log(sum), inv = 1.0f / sum;
    const float li = (mx - (z[yi] + b[yi])) + lsum;
    for (uint c = 0; c < LR_K; c++) {
      const float p = exp(z[c] + b[c] - mx) * inv;
      g[c] = si * (p - (c == (uint)yi ? 1.0f : 0.0f));
    }
    wl = si * li;
    l = li;
    cor = arg == (uint)yi ? 1.0f : 0.0f;
    sw = si;
  }
  group_sum4(wl, l, cor, sw, scratch, partials + (size_t)get_group_id(0) * LR_NQ);
}

static float softplus(float x) { return fmax(x, 0.0f) + log1p(exp(-fabs(x))); }

/* Binary rows (one logit): loss pos_weight y softplus(-z) + (1 - y) softplus(z) (PyTorch's
 * BCEWithLogitsLoss), residual s_i dl/dz, and the same partial sums (the unweighted loss is
 * the one with pos_weight 1). */
__kernel void lr_sigmoid_rows(const __global float *Z, __global float *G,
                              const __global float *theta, const uint b_off, const __global int *y,
                              const __global float *s, const uint row0, const uint m,
                              const float pos_weight, __global float *partials,
                              __local float *scratch) {
  const uint r = get_global_id(0);
  float wl = 0.0f, l = 0.0f, cor = 0.0f, sw = 0.0f;
  if (r < m) {
    const float z = Z[r] + theta[b_off];
    const int yi = y[row0 + r];
    const float si = s[row0 + r];
    const float e = exp(-fabs(z));
    const float sig = z >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
    float li, lu, dz;
    if (yi) {
      lu = softplus(-z);
      li = pos_weight * lu;
      dz = pos_weight * (sig - 1.0f);
    } else {
      lu = li = softplus(z);
      dz = sig;
    }
    G[r] = si * dz;
    wl = si * li;
    l = lu;
    cor = (z > 0.0f) == (yi == 1) ? 1.0f : 0.0f;
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

/* Second stage: one work-group sums `count` rows of `nq` partials in a fixed order (each
 * work-item a strided subset, then a tree) into out[out_off .. out_off + nq). With `take_max`,
 * the maximum instead (of values >= 0). */
__kernel void lr_reduce(const __global float *partials, const uint count, const uint nq,
                        const uint take_max, __global float *out, const uint out_off,
                        __local acc_t *scratch) {
  const uint lid = get_local_id(0);
  for (uint q = 0; q < nq; q++) {
    acc_t acc = 0;
    for (uint i = lid; i < count; i += LR_WG) {
      const acc_t v = partials[(size_t)i * nq + q];
      acc = take_max ? fmax(acc, v) : acc + v;
    }
    const acc_t total = group_tree(acc, take_max, scratch);
    if (lid == 0) out[out_off + q] = (float)total;
  }
}

/* First stage of ||W||^2 (and of max |v| with take_max): per work-group partial of v[0..n). */
__kernel void lr_sumsq_partial(const __global float *v, const uint n, const uint take_max,
                               __global float *partials, __local acc_t *scratch) {
  const uint i = get_global_id(0), lid = get_local_id(0);
  const float x = i < n ? v[i] : 0.0f;
  const acc_t total = group_tree(take_max ? fabs(x) : x * x, take_max, scratch);
  if (lid == 0) partials[get_group_id(0)] = (float)total;
}

/* Gradient, first stage: for chunk g of `chunk` rows and feature j (j == d is the bias, a
 * column of ones), partial[g, j, c] = sum_r X[row0 + r, j] G[r, c]. Work-items along j read
 * consecutive X entries of a row; the KW sums stay in registers. */
__kernel void lr_grad_partial(const __global float *X, const uint row0, const uint m, const uint d,
                              const __global float *G, const uint chunk, __global float *partial) {
  const uint j = get_global_id(0), g = get_global_id(1);
  if (j > d) return;
  const uint r0 = g * chunk, r1 = min(m, r0 + chunk);
  float acc[LR_KW];
  for (uint c = 0; c < LR_KW; c++) acc[c] = 0.0f;
  for (uint r = r0; r < r1; r++) {
    const float x = j < d ? X[(size_t)(row0 + r) * d + j] : 1.0f;
    const __global float *gr = G + (size_t)r * LR_KW;
    for (uint c = 0; c < LR_KW; c++) acc[c] += x * gr[c];
  }
  __global float *out = partial + ((size_t)g * (d + 1) + j) * LR_KW;
  for (uint c = 0; c < LR_KW; c++) out[c] = acc[c];
}

/* Gradient, second stage: grad[t] = (sum over chunks in order of partial[., t]) / sum s
 * + l2 theta[t] for the weights (t < d KW); the bias (t >= d KW) is not penalized.
 * sums[3] holds sum s from the row kernel's reduction. */
__kernel void lr_grad_reduce(const __global float *partial, const uint nchunks, const uint d,
                             const __global float *theta, const float l2,
                             const __global float *sums, __global float *grad) {
  const uint t = get_global_id(0), n = (d + 1) * LR_KW;
  if (t >= n) return;
  acc_t acc = 0;
  for (uint g = 0; g < nchunks; g++) acc += partial[(size_t)g * n + t];
  const float inv_s = 1.0f / sums[3];
  grad[t] = (float)acc * inv_s + (t < d * LR_KW ? l2 * theta[t] : 0.0f);
}

/* After a CLBlast X^T G into grad[0 .. d KW): bias sums over the m residual rows, in row
 * order, then the same scaling and L2 term as lr_grad_reduce. */
__kernel void lr_grad_finish(const __global float *G, const uint m, const uint d,
                             const __global float *theta, const float l2,
                             const __global float *sums, __global float *grad) {
  const uint t = get_global_id(0), nw = d * LR_KW;
  if (t >= nw + LR_KW) return;
  const float inv_s = 1.0f / sums[3];
  if (t < nw) {
    grad[t] = grad[t] * inv_s + l2 * theta[t];
  } else {
    const uint c = t - nw;
    acc_t acc = 0;
    for (uint r = 0; r < m; r++) acc += G[(size_t)r * LR_KW + c];
    grad[t] = (float)acc * inv_s;
  }
}

/* Mini-batch shuffling: rows of (X, y, s) in the order `perm` into (Xp, yp, sp). */
__kernel void lr_gather(const __global float *X, const __global int *y, const __global float *s,
                        const __global uint *perm, const uint n, const uint d, __global float *Xp,
                        __global int *yp, __global float *sp) {
  const uint j = get_global_id(0), r = get_global_id(1);
  if (r >= n || j >= d) return;
  const uint src = perm[r];
  Xp[(size_t)r * d + j] = X[(size_t)src * d + j];
  if (j == 0) {
    yp[r] = y[src];
    sp[r] = s[src];
  }
}

__kernel void lr_update_gd(__global float *theta, const __global float *grad, const uint n,
                           const float lr) {
  const uint i = get_global_id(0);
  if (i < n) theta[i] -= lr * grad[i];
}

/* v = mu v + g; theta -= lr (nesterov ? g + mu v : v)  (PyTorch's SGD momentum). */
__kernel void lr_update_momentum(__global float *theta, const __global float *grad,
                                 __global float *v, const uint n, const float lr, const float mu,
                                 const uint nesterov) {
  const uint i = get_global_id(0);
  if (i >= n) return;
  const float g = grad[i], vi = mu * v[i] + g;
  v[i] = vi;
  theta[i] -= lr * (nesterov ? g + mu * vi : vi);
}

/* Adam with bias correction; c1 = 1 - beta1^t and c2 = 1 - beta2^t come from the host. */
__kernel void lr_update_adam(__global float *theta, const __global float *grad, __global float *m1,
                             __global float *m2, const uint n, const float lr, const float beta1,
                             const float beta2, const float eps, const float c1, const float c2) {
  const uint i = get_global_id(0);
  if (i >= n) return;
  const float g = grad[i];
  const float a = beta1 * m1[i] + (1.0f - beta1) * g;
  const float v = beta2 * m2[i] + (1.0f - beta2) * g * g;
  m1[i] = a;
  m2[i] = v;
  theta[i] -= lr * (a / c1) / (sqrt(v / c2) + eps);
}

/* ---- The fused one-pass path (K up to about 32) ----
 *
 * One work-item owns a block of rows and reads each row of X once per epoch: it computes the
 * logits against the transposed weights Wt (KW x d, so both operands of each dot product are
 * contiguous), the stable softmax or sigmoid, the loss and the residual in registers, then adds
 * the residuals of a tile of LR_TILE rows into its own partial gradient (KW x (d + 1), the last
 * column the bias) while those rows are still in cache. No N x K intermediate goes through
 * global memory. A second kernel sums the blocks' partials in block order. Vector types make
 * the inner loops SIMD on CPU devices whatever the compiler's auto-vectorizer does, and the
 * loops over classes are unrolled so that their accumulators live in registers (PoCL keeps them
 * on the stack otherwise: 20% slower, measured). */

#ifndef LR_VW
#define LR_VW 16
#endif
#if LR_VW == 16
typedef float16 vecf;
#define VLOAD vload16
#define VSTORE vstore16
#define HSUM(v) (HSUM8((v).lo) + HSUM8((v).hi))
#else
typedef float8 vecf;
#define VLOAD vload8
#define VSTORE vstore8
#define HSUM(v) HSUM8(v)
#endif
#define HSUM8(v) ((((v).s0 + (v).s1) + ((v).s2 + (v).s3)) + (((v).s4 + (v).s5) + ((v).s6 + (v).s7)))
#define LR_TILE 8

/* Wt[c, j] = W[j, c]: the layout the fused kernel reads. */
__kernel void lr_transpose_w(const __global float *theta, const uint d, __global float *Wt) {
  const uint t = get_global_id(0);
  if (t >= d * LR_KW) return;
  const uint j = t / LR_KW, c = t % LR_KW;
  Wt[(size_t)c * d + j] = theta[t];
}

/* z[c] = x . Wt[c] for every c at once: KW independent vector sums, so the loop is bound by
 * throughput rather than by the latency of one chain of additions. */
static void row_logits(const __global float *x, const __global float *Wt, const uint d, float *z) {
  vecf acc[LR_KW];
#pragma unroll
  for (uint c = 0; c < LR_KW; c++) acc[c] = 0.0f;
  uint j = 0;
  for (; j + LR_VW <= d; j += LR_VW) {
    const vecf xv = VLOAD(0, x + j);
#pragma unroll
    for (uint c = 0; c < LR_KW; c++) acc[c] += xv * VLOAD(0, Wt + (size_t)c * d + j);
  }
#pragma unroll
  for (uint c = 0; c < LR_KW; c++) {
    float s = HSUM(acc[c]);
    for (uint jj = j; jj < d; jj++) s += x[jj] * Wt[(size_t)c * d + jj];
    z[c] = s;
  }
}

__kernel void lr_fused(const __global float *X, const uint row0, const uint m, const uint d,
                       const __global float *Wt, const __global float *theta, const uint b_off,
                       const __global int *y, const __global float *s, const uint block,
                       const float pos_weight, const uint want_grad, __global float *gpart,
                       __global float *partials) {
  const uint g = get_global_id(0);
  const uint r_begin = g * block, r_end = min(m, r_begin + block);
  const uint ld = d + 1; /* partial gradient row: d weights, then the bias */
  __global float *gp = gpart + (size_t)g * LR_KW * ld;
  float wl = 0.0f, l = 0.0f, cor = 0.0f, sw = 0.0f;
  if (want_grad)
    for (uint i = 0; i < LR_KW * ld; i++) gp[i] = 0.0f;
  for (uint t0 = r_begin; t0 < r_end; t0 += LR_TILE) {
    const uint nt = min((uint)LR_TILE, r_end - t0);
    float gr[LR_TILE][LR_KW];
    for (uint t = 0; t < LR_TILE; t++) {
#pragma unroll
      for (uint c = 0; c < LR_KW; c++) gr[t][c] = 0.0f;
      if (t >= nt) continue;
      const uint row = row0 + t0 + t;
      const __global float *x = X + (size_t)row * d;
      const int yi = y[row];
      const float si = s[row];
      float z[LR_KW];
      row_logits(x, Wt, d, z);
#pragma unroll
      for (uint c = 0; c < LR_KW; c++) z[c] += theta[b_off + c];
#if LR_KW == 1
      /* Binary: the same loss as lr_sigmoid_rows. */
      const float e = exp(-fabs(z[0]));
      const float sig = z[0] >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
      float li, lu, dz;
      if (yi) {
        lu = softplus(-z[0]);
        li = pos_weight * lu;
        dz = pos_weight * (sig - 1.0f);
      } else {
        lu = li = softplus(z[0]);
        dz = sig;
      }
      gr[t][0] = si * dz;
      l += lu;
      cor += (z[0] > 0.0f) == (yi == 1) ? 1.0f : 0.0f;
#else
      /* Multinomial: the same loss as lr_softmax_rows. */
      float mx = z[0];
      uint arg = 0;
#pragma unroll
      for (uint c = 1; c < LR_K; c++)
        if (z[c] > mx) mx = z[c], arg = c;
      float sum = 0.0f;
#pragma unroll
      for (uint c = 0; c < LR_K; c++) sum += exp(z[c] - mx);
      const float inv = 1.0f / sum;
      const float li = (mx - z[yi]) + log(sum);
#pragma unroll
      for (uint c = 0; c < LR_K; c++)
        gr[t][c] = si * (exp(z[c] - mx) * inv - (c == (uint)yi ? 1.0f : 0.0f));
      l += li;
      cor += arg == (uint)yi ? 1.0f : 0.0f;
#endif
      wl += si * li;
      sw += si;
    }
    if (!want_grad) continue;
    /* gp[c, j] += sum_t gr[t, c] x_t[j], a vector of j at a time, the tile's rows in cache. */
    const __global float *xt = X + (size_t)(row0 + t0) * d;
    uint j = 0;
    for (; j + LR_VW <= d; j += LR_VW) {
      /* KW independent accumulators again; the tile's rows are added in order. */
      vecf a[LR_KW];
#pragma unroll
      for (uint c = 0; c < LR_KW; c++) a[c] = VLOAD(0, gp + (size_t)c * ld + j);
      for (uint t = 0; t < nt; t++) {
        const vecf xv = VLOAD(0, xt + (size_t)t * d + j);
#pragma unroll
        for (uint c = 0; c < LR_KW; c++) a[c] += gr[t][c] * xv;
      }
#pragma unroll
      for (uint c = 0; c < LR_KW; c++) VSTORE(a[c], 0, gp + (size_t)c * ld + j);
    }
    for (; j < d; j++)
#pragma unroll
      for (uint c = 0; c < LR_KW; c++) {
        float a = gp[(size_t)c * ld + j];
        for (uint t = 0; t < nt; t++) a += gr[t][c] * xt[(size_t)t * d + j];
        gp[(size_t)c * ld + j] = a;
      }
#pragma unroll
    for (uint c = 0; c < LR_KW; c++) {
      float a = gp[(size_t)c * ld + d];
      for (uint t = 0; t < LR_TILE; t++) a += gr[t][c];
      gp[(size_t)c * ld + d] = a;
    }
  }
  __global float *out = partials + (size_t)g * LR_NQ;
  out[0] = wl;
  out[1] = l;
  out[2] = cor;
  out[3] = sw;
}

/* Second stage of the fused gradient: grad[j KW + c] = (sum over blocks in order of
 * gpart[g, c, j]) / sum s + l2 theta (weights only); j == d is the bias. */
__kernel void lr_fused_reduce(const __global float *gpart, const uint nblocks, const uint d,
                              const __global float *theta, const float l2,
                              const __global float *sums, __global float *grad) {
  const uint t = get_global_id(0), ld = d + 1;
  if (t >= ld * LR_KW) return;
  const uint j = t / LR_KW, c = t % LR_KW;
  acc_t acc = 0;
  for (uint g = 0; g < nblocks; g++) acc += gpart[((size_t)g * LR_KW + c) * ld + j];
  const float inv_s = 1.0f / sums[3];
  grad[t] = (float)acc * inv_s + (j < d ? l2 * theta[t] : 0.0f);
}
