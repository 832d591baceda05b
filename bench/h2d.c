/* h2d.c: host-to-device bandwidth of clEnqueueWriteBuffer on one OpenCL device, from pinned
 * host memory (a CL_MEM_ALLOC_HOST_PTR buffer, mapped: what the streaming of X uploads from)
 * and from ordinary malloc'd memory. The transfer floor of a streamed epoch is X's bytes over
 * the pinned figure (bench/RESULTS.md, "Data larger than the device").
 * usage: logreg_h2d [MIB] [REPEATS] [PLATFORM] [DEVICE]  (default 64 MiB, 9, 0, 0)
 * Prints the median and the best GB/s (10^9 bytes/s) of REPEATS blocking writes each. */
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Times `reps` blocking writes of `bytes` from src into dst; the median and best GB/s. */
static int time_writes(cl_command_queue q, cl_mem dst, const void *src, size_t bytes, int reps,
                       double *median, double *best) {
  double *gbs = malloc((size_t)reps * sizeof *gbs);
  if (!gbs) return 1;
  /* One write first: pages touched, the driver's first-use costs paid. */
  if (clEnqueueWriteBuffer(q, dst, CL_TRUE, 0, bytes, src, 0, NULL, NULL) != CL_SUCCESS) {
    free(gbs);
    return 1;
  }
  for (int i = 0; i < reps; i++) {
    double t0 = now();
    if (clEnqueueWriteBuffer(q, dst, CL_TRUE, 0, bytes, src, 0, NULL, NULL) != CL_SUCCESS) {
      free(gbs);
      return 1;
    }
    gbs[i] = (double)bytes / (now() - t0) / 1e9;
  }
  qsort(gbs, (size_t)reps, sizeof *gbs, cmp);
  *median = gbs[reps / 2];
  *best = gbs[reps - 1];
  free(gbs);
  return 0;
}

int main(int argc, char **argv) {
  size_t mib = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 64;
  int reps = argc > 2 ? atoi(argv[2]) : 9;
  cl_uint pi = argc > 3 ? (cl_uint)atoi(argv[3]) : 0, di = argc > 4 ? (cl_uint)atoi(argv[4]) : 0;
  size_t bytes = mib << 20;
  if (bytes == 0 || reps < 1) return 2;
  cl_platform_id plats[16];
  cl_device_id devs[16];
  cl_uint np = 0, nd = 0;
  if (clGetPlatformIDs(16, plats, &np) != CL_SUCCESS || pi >= np ||
      clGetDeviceIDs(plats[pi], CL_DEVICE_TYPE_ALL, 16, devs, &nd) != CL_SUCCESS || di >= nd) {
    fprintf(stderr, "h2d: no OpenCL device %u:%u\n", pi, di);
    return 77;
  }
  char name[256] = "";
  clGetDeviceInfo(devs[di], CL_DEVICE_NAME, sizeof name, name, NULL);
  cl_int rc;
  cl_context ctx = clCreateContext(NULL, 1, &devs[di], NULL, NULL, &rc);
  if (rc != CL_SUCCESS) return 1;
  cl_command_queue q = clCreateCommandQueue(ctx, devs[di], 0, &rc);
  cl_mem dst = clCreateBuffer(ctx, CL_MEM_READ_WRITE, bytes, NULL, &rc);
  cl_mem pin = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, bytes, NULL, &rc);
  if (rc != CL_SUCCESS) return 1;
  void *hp = clEnqueueMapBuffer(q, pin, CL_TRUE, CL_MAP_WRITE, 0, bytes, 0, NULL, NULL, &rc);
  char *hm = malloc(bytes);
  if (rc != CL_SUCCESS || !hm) return 1;
  memset(hp, 1, bytes);
  memset(hm, 1, bytes);
  double pm, pb, mm, mb;
  if (time_writes(q, dst, hp, bytes, reps, &pm, &pb) ||
      time_writes(q, dst, hm, bytes, reps, &mm, &mb)) {
    fprintf(stderr, "h2d: clEnqueueWriteBuffer failed\n");
    return 1;
  }
  printf("device %u:%u %s, %zu MiB x %d writes\n", pi, di, name, mib, reps);
  printf("pinned (CL_MEM_ALLOC_HOST_PTR): median %.2f GB/s, best %.2f GB/s\n", pm, pb);
  printf("malloc: median %.2f GB/s, best %.2f GB/s\n", mm, mb);
  clEnqueueUnmapMemObject(q, pin, hp, 0, NULL, NULL);
  clFinish(q);
  free(hm);
  clReleaseMemObject(pin);
  clReleaseMemObject(dst);
  clReleaseCommandQueue(q);
  clReleaseContext(ctx);
  return 0;
}
