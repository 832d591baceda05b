/* floor.h: the memory floor of `logreg bench`: how long one pass over an X-sized buffer
 * (N x D x 4 bytes) takes on the machine that holds X, measured in the same run as the epochs.
 * An epoch must read X at least once, so median epoch / floor is how far the epoch is from the
 * memory bound.
 *
 * - Host (the cpu backend and CPU OpenCL devices such as PoCL): a plain C sum over a freshly
 *   written float buffer, split over T pthreads (each sums its slice).
 * - GPU OpenCL devices: a device-to-device clEnqueueCopyBuffer of the buffer, timed with
 *   clFinish; counted as read bandwidth = size / time (the copy also writes size bytes, so this
 *   floor is conservative: the device reads faster than it copies).
 *
 * Both take the median of 5 timed passes after 1 warm-up pass. */
#ifndef LOGREG_CLI_FLOOR_H
#define LOGREG_CLI_FLOOR_H

#include <stddef.h>

#include "logreg.h"
#include "ocl.h"

#define LR_FLOOR_PASSES 5

typedef struct lr_floor {
  double ms;       /* median time of one pass over `bytes` */
  double gb_per_s; /* bytes / ms, in 1e9 bytes per second */
  size_t bytes;
  int threads;   /* host floor: threads that read; 0 for a device copy */
  char kind[64]; /* "host read, T threads" or "device copy" */
} lr_floor;

/* Threads the host floor uses by default: the online processors (at least 1). */
int lr_floor_host_threads(void);

/* Host read floor over `bytes` (rounded down to whole floats, at least one) with `threads`
 * threads (fewer when the system refuses to start more). LOGREG_ENOMEM when the buffer cannot
 * be allocated. */
logreg_status lr_floor_host(size_t bytes, int threads, lr_floor *out, logreg_error *err);

/* Device copy floor of `bytes` on `dev` (two buffers of `bytes` on the device). Fails with a
 * message when the device cannot hold them. */
logreg_status lr_floor_device(const lr_ocl_device_info *dev, size_t bytes, lr_floor *out,
                              logreg_error *err);

#endif
