/* logreg_hooks.h: settings of the OpenCL devices for tests and kernel development, apart from
 * logreg.h because a program that trains and predicts needs none of them: a limit on the
 * device's largest allocation, summing without doubles on a device that has them, extra build
 * options, a folder of kernel sources, and fault injection. logreg_device_options.hooks points
 * to one (NULL: none of them). */
#ifndef LOGREG_LOGREG_HOOKS_H
#define LOGREG_LOGREG_HOOKS_H

#include <stdint.h>

#include "logreg.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct logreg_test_hooks {
  /* Bytes: treat the device's largest allocation as at most this (0 = what the driver says).
   * Tests use it to split X over several buffers and to reach the "too large" errors. */
  uint64_t max_alloc;
  /* 1: sum as a device without double precision does (compensated float pairs), to test that
   * path on a device that has fp64. */
  int no_fp64;
  /* Appended to the OpenCL C build options of the training kernels (e.g. "-cl-mad-enable");
   * NULL = none. */
  const char *build_options;
  /* A folder to read the kernel sources (logreg.cl, vec_map.cl, floor.cl) from instead of the
   * copies embedded at build time (kernel development); NULL = the embedded copies. */
  const char *kernel_dir;
  /* Fault injection: the fail_call-th checked OpenCL call of a backend, counted from its
   * creation, reports CL_OUT_OF_RESOURCES after it has run, as a device that fails in the
   * middle of a run would; 0 (default) = never. */
  long fail_call;
  /* 1: "auto" keeps the OpenCL device it found, without weighing the cpu backend against it at
   * set-up (small data goes to cpu untimed otherwise), for tests of auto's device paths on
   * small data: the fall back after a fault, the path cache. */
  int auto_keeps_device;
} logreg_test_hooks;

#ifdef __cplusplus
}
#endif

#endif /* LOGREG_LOGREG_HOOKS_H */
