/* floor.cl: the device read floor of `logreg bench` (host/cli/floor.c): one pass that reads an
 * X-sized buffer and does as little else as it can, so that its time is what reading X once
 * costs on the device. Kept apart from logreg.cl: it has nothing to do with the model, and
 * builds without the model's -D options.
 *
 * Built with -DLR_FLOOR_WG=<work-group size, a power of two> (the host chooses it from the
 * device's limits; the kernel requires it, so the two cannot disagree) and -DLR_FLOOR_CHUNKED=<1
 * on CPU devices, else 0>.
 *
 * GPUs (LR_FLOOR_CHUNKED 0): each work-item reads float4s at a stride of the whole grid
 * (consecutive work-items read consecutive float4s: coalesced), so a grid sized to fill the
 * device once streams the buffer from start to end. CPU devices (1): each work-item reads one
 * contiguous range, which is what a CPU core's prefetcher streams; the strided loop, which runs
 * one work-item after another there, read 2x slower than the epoch on PoCL. Either way the
 * sums are folded per work-group and written to `partial`: the reads feed a stored result and
 * cannot be dropped by the compiler. */

#ifndef LR_FLOOR_WG
#error "build with -DLR_FLOOR_WG=<work-group size>"
#endif
#ifndef LR_FLOOR_CHUNKED
#error "build with -DLR_FLOOR_CHUNKED=<0 or 1>"
#endif

/* Sums x[0 .. n4) into partial[slot * get_num_groups(0) + group]. */
__kernel __attribute__((reqd_work_group_size(LR_FLOOR_WG, 1, 1))) void
lr_floor_read(__global const float4 *restrict x, const ulong n4, __global float *restrict partial,
              const uint slot) {
  float4 acc = (float4)(0.0f);
#if LR_FLOOR_CHUNKED
  const ulong items = get_global_size(0), id = get_global_id(0);
  const ulong lo = n4 / items * id + min(id, n4 % items);
  const ulong hi = lo + n4 / items + (id < n4 % items ? 1 : 0);
  for (ulong i = lo; i < hi; i++) acc += x[i];
#else
  const ulong stride = get_global_size(0);
  for (ulong i = get_global_id(0); i < n4; i += stride) acc += x[i];
#endif

  __local float sums[LR_FLOOR_WG];
  const uint lid = (uint)get_local_id(0);
  sums[lid] = (acc.x + acc.y) + (acc.z + acc.w);
  barrier(CLK_LOCAL_MEM_FENCE);
  for (uint h = LR_FLOOR_WG / 2; h > 0; h >>= 1) {
    if (lid < h) sums[lid] += sums[lid + h];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lid == 0) partial[(size_t)slot * get_num_groups(0) + get_group_id(0)] = sums[0];
}
