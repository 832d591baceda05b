/* logreg_bench.h: the memory floors of `logreg bench`, for programs that time training (the
 * CLI's bench, the benchmarks): how long one pass over an X-sized buffer takes on the memory
 * that holds X, and which floor a device is held against. Apart from logreg.h because a
 * program that trains and predicts needs none of it. */
#ifndef LOGREG_LOGREG_BENCH_H
#define LOGREG_LOGREG_BENCH_H

#include "logreg.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How long one pass over an X-sized buffer takes on the memory that holds X: an epoch reads X
 * at least once, so median epoch / floor says how far the epoch is from the memory bound. Each
 * takes the median of LOGREG_FLOOR_PASSES timed passes after one warm-up pass.
 * - Host read: a plain C sum over a freshly written float buffer, split over threads (each sums
 *   its slice). The floor of the cpu backend and of CPU OpenCL devices such as PoCL.
 * - Device read: a kernel (kernels/floor.cl) streams the buffer once on the device (coalesced
 *   float4 loads, a grid that fills every compute unit, per-group sums written out so that the
 *   reads cannot be dropped), timed to the end of the queue. A buffer larger than the device's
 *   largest allocation is read as several buffers in the same timed pass. The GPU floor.
 * - Device copy: a device-to-device copy of the buffer. It reads and writes `bytes` each, so it
 *   takes about twice the read: a second figure, not the floor. */
#define LOGREG_FLOOR_PASSES 5

typedef struct logreg_floor {
  double ms;        /* median milliseconds of one pass over `bytes` */
  double gb_per_s;  /* bytes / ms, in 1e9 bytes per second */
  size_t bytes;     /* what was read: the request rounded down to whole floats (float4s on a
                       device), at least one */
  unsigned threads; /* host read: the threads that read; 0 for the device floors */
  char kind[64];    /* "host read, T threads", "device read" or "device copy" */
} logreg_floor;

/* Host read over `bytes` with `threads` threads (0: every online processor; fewer run when the
 * system refuses to start more). LOGREG_ENOMEM when the buffer cannot be allocated. */
LOGREG_API logreg_status logreg_floor_host(size_t bytes, unsigned threads, logreg_floor *out,
                                           logreg_error *err);

/* Device read of `bytes` on OpenCL device `dev` (from logreg_devices_list or
 * logreg_device_choose), split into buffers of at most the device's own largest allocation.
 * opt->kernel_dir is where floor.cl is read from (opt may be NULL). LOGREG_EBACKEND with a
 * message when the device cannot hold the buffer or the kernel does not build; LOGREG_EINVAL
 * when `dev` is not an OpenCL device. */
LOGREG_API logreg_status logreg_floor_device_read(const logreg_device_info *dev,
                                                  const logreg_device_options *opt, size_t bytes,
                                                  logreg_floor *out, logreg_error *err);

/* Device copy of `bytes` on `dev` (two buffers of `bytes`, each within its largest allocation). */
LOGREG_API logreg_status logreg_floor_device_copy(const logreg_device_info *dev, size_t bytes,
                                                  logreg_floor *out, logreg_error *err);

/* Which floor an OpenCL device is held against (`logreg bench --floor`). */
typedef enum logreg_floor_choice {
  LOGREG_FLOOR_AUTO = 0, /* the device read on GPUs, the host read elsewhere: a CPU device
                            (PoCL) or the cpu backend reads X from host memory */
  LOGREG_FLOOR_HOST,     /* the host read for every device */
  LOGREG_FLOOR_DEVICE    /* the device read for every OpenCL device (cpu: the host read) */
} logreg_floor_choice;

/* 1 when `dev` is held against its own device read under `choice`, 0 for the host read. */
LOGREG_API int logreg_floor_is_device(const logreg_device_info *dev, logreg_floor_choice choice);

#ifdef __cplusplus
}
#endif

#endif /* LOGREG_LOGREG_BENCH_H */
