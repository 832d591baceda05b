/* floor.h: the memory floor of `logreg bench`: how long one pass over an X-sized buffer
 * (N x D x 4 bytes) takes on the machine that holds X, measured in the same run as the epochs.
 * An epoch must read X at least once, so median epoch / floor is how far the epoch is from the
 * memory bound.
 *
 * - Host read (the cpu backend and, by default, CPU OpenCL devices such as PoCL): a plain C sum
 *   over a freshly written float buffer, split over T pthreads (each sums its slice).
 * - Device read (GPU OpenCL devices by default; `bench --floor device` on any OpenCL device):
 *   the kernel of kernels/floor.cl streams the buffer once on the device (coalesced float4
 *   loads, a grid that fills every compute unit, per-group sums written out so that the reads
 *   cannot be dropped), timed with clFinish. A buffer larger than the device's max allocation
 *   is read as several buffers in the same timed pass. This is THE device floor.
 * - Device copy: a device-to-device clEnqueueCopyBuffer of the buffer, timed with clFinish. It
 *   reads and writes `bytes` each, so it takes about twice the read floor; bench reports it as
 *   a second figure only (it was the GPU floor before the read kernel, counted as one read).
 *
 * Each takes the median of LR_FLOOR_PASSES timed passes after 1 warm-up pass. */
#ifndef LOGREG_CLI_FLOOR_H
#define LOGREG_CLI_FLOOR_H

#include <stddef.h>

#include "backend/ocl.h"
#include "logreg.h"

#define LR_FLOOR_PASSES 5

typedef struct lr_floor {
  double ms;       /* median time of one pass over `bytes` */
  double gb_per_s; /* bytes / ms, in 1e9 bytes per second */
  size_t bytes;
  int threads;   /* host floor: threads that read; 0 for the device floors */
  char kind[64]; /* "host read, T threads", "device read" or "device copy" */
} lr_floor;

/* Threads the host floor uses by default: the online processors (at least 1). */
int lr_floor_host_threads(void);

/* Host read floor over `bytes` (rounded down to whole floats, at least one) with `threads`
 * threads (fewer when the system refuses to start more). LOGREG_ENOMEM when the buffer cannot
 * be allocated. */
logreg_status lr_floor_host(size_t bytes, int threads, lr_floor *out, logreg_error *err);

/* Device read floor of `bytes` (rounded down to whole float4s, at least one) on `dev`: the
 * buffer (split into pieces of at most the device's max allocation) plus one float per
 * work-group on the device. Fails with a message when the device cannot hold it or the kernel
 * does not build. */
logreg_status lr_floor_device_read(const lr_ocl_device_info *dev, size_t bytes, lr_floor *out,
                                   logreg_error *err);

/* Device copy figure of `bytes` on `dev` (two buffers of `bytes`, each within the device's max
 * allocation). Fails with a message when the device cannot hold them. */
logreg_status lr_floor_device_copy(const lr_ocl_device_info *dev, size_t bytes, lr_floor *out,
                                   logreg_error *err);

#endif
