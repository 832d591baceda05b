/* ocl.c: OpenCL device discovery and choice, error names, kernel sources and program builds
 * (see ocl.h). Nothing here keeps state or reads the environment: the backend owns its context
 * and queue, and the caller's logreg_device_options say what to choose and where kernels are. */
#include "backend/ocl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "util/util.h"

typedef struct lr_embedded_kernel {
  const char *name;
  const char *text;
  size_t size;
} lr_embedded_kernel;
extern const lr_embedded_kernel lr_embedded_kernels[]; /* generated: kernels_embedded.c */

const char *lr_ocl_error_name(cl_int code) {
  switch (code) {
#define LR_CL_ERR(x)                                                                               \
  case x:                                                                                          \
    return #x;
    LR_CL_ERR(CL_DEVICE_NOT_FOUND)
    LR_CL_ERR(CL_DEVICE_NOT_AVAILABLE)
    LR_CL_ERR(CL_COMPILER_NOT_AVAILABLE)
    LR_CL_ERR(CL_MEM_OBJECT_ALLOCATION_FAILURE)
    LR_CL_ERR(CL_OUT_OF_RESOURCES)
    LR_CL_ERR(CL_OUT_OF_HOST_MEMORY)
    LR_CL_ERR(CL_BUILD_PROGRAM_FAILURE)
    LR_CL_ERR(CL_INVALID_VALUE)
    LR_CL_ERR(CL_INVALID_DEVICE)
    LR_CL_ERR(CL_INVALID_CONTEXT)
    LR_CL_ERR(CL_INVALID_COMMAND_QUEUE)
    LR_CL_ERR(CL_INVALID_MEM_OBJECT)
    LR_CL_ERR(CL_INVALID_BUILD_OPTIONS)
    LR_CL_ERR(CL_INVALID_PROGRAM)
    LR_CL_ERR(CL_INVALID_PROGRAM_EXECUTABLE)
    LR_CL_ERR(CL_INVALID_KERNEL_NAME)
    LR_CL_ERR(CL_INVALID_KERNEL)
    LR_CL_ERR(CL_INVALID_ARG_INDEX)
    LR_CL_ERR(CL_INVALID_ARG_VALUE)
    LR_CL_ERR(CL_INVALID_ARG_SIZE)
    LR_CL_ERR(CL_INVALID_KERNEL_ARGS)
    LR_CL_ERR(CL_INVALID_WORK_DIMENSION)
    LR_CL_ERR(CL_INVALID_WORK_GROUP_SIZE)
    LR_CL_ERR(CL_INVALID_WORK_ITEM_SIZE)
    LR_CL_ERR(CL_INVALID_GLOBAL_OFFSET)
    LR_CL_ERR(CL_INVALID_EVENT_WAIT_LIST)
    LR_CL_ERR(CL_INVALID_OPERATION)
    LR_CL_ERR(CL_INVALID_BUFFER_SIZE)
    LR_CL_ERR(CL_INVALID_GLOBAL_WORK_SIZE)
    LR_CL_ERR(CL_INVALID_PLATFORM)
#undef LR_CL_ERR
  case -1001:
    return "CL_PLATFORM_NOT_FOUND_KHR";
  default:
    return "unknown OpenCL error";
  }
}

const char *lr_ocl_type_name(cl_device_type t) {
  if (t & CL_DEVICE_TYPE_GPU) return "GPU";
  if (t & CL_DEVICE_TYPE_CPU) return "CPU";
  if (t & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
  return "other";
}

static void trim(char *s) {
  size_t n = strlen(s);
  while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
}

static void fill_info(lr_ocl_device_info *d) {
  clGetPlatformInfo(d->pid, CL_PLATFORM_NAME, sizeof d->platform_name, d->platform_name, NULL);
  clGetPlatformInfo(d->pid, CL_PLATFORM_VERSION, sizeof d->platform_version, d->platform_version,
                    NULL);
  clGetDeviceInfo(d->did, CL_DEVICE_NAME, sizeof d->name, d->name, NULL);
  clGetDeviceInfo(d->did, CL_DEVICE_VENDOR, sizeof d->vendor, d->vendor, NULL);
  clGetDeviceInfo(d->did, CL_DEVICE_OPENCL_C_VERSION, sizeof d->c_version, d->c_version, NULL);
  clGetDeviceInfo(d->did, CL_DRIVER_VERSION, sizeof d->driver, d->driver, NULL);
  trim(d->platform_name);
  trim(d->name);
  trim(d->driver);
  cl_uint cu = 0;
  cl_ulong gm = 0, ma = 0, lm = 0;
  cl_device_fp_config fp = 0;
  clGetDeviceInfo(d->did, CL_DEVICE_TYPE, sizeof d->type, &d->type, NULL);
  clGetDeviceInfo(d->did, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
  clGetDeviceInfo(d->did, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof gm, &gm, NULL);
  clGetDeviceInfo(d->did, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof ma, &ma, NULL);
  clGetDeviceInfo(d->did, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof d->max_wg, &d->max_wg, NULL);
  clGetDeviceInfo(d->did, CL_DEVICE_LOCAL_MEM_SIZE, sizeof lm, &lm, NULL);
  clGetDeviceInfo(d->did, CL_DEVICE_DOUBLE_FP_CONFIG, sizeof fp, &fp, NULL);
  cl_bool unified = CL_FALSE;
  clGetDeviceInfo(d->did, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified, NULL);
  d->compute_units = cu;
  d->global_mem = gm;
  d->max_alloc = ma;
  d->local_mem = lm;
  d->fp64 = fp != 0;
  d->host_unified = unified == CL_TRUE;
}

logreg_status lr_ocl_list(lr_ocl_device_info **out, unsigned *count, logreg_error *err) {
  *out = NULL;
  *count = 0;
  cl_uint np = 0;
  cl_int rc = clGetPlatformIDs(0, NULL, &np);
  if (rc == -1001 || np == 0) return LOGREG_OK; /* no ICD installed: no platform */
  if (rc != CL_SUCCESS)
    return lr_fail(err, LOGREG_EBACKEND, "clGetPlatformIDs failed: %s (%d)", lr_ocl_error_name(rc),
                   rc);
  cl_platform_id *pids = calloc(np, sizeof *pids);
  if (!pids) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  clGetPlatformIDs(np, pids, NULL);
  lr_ocl_device_info *list = NULL;
  unsigned n = 0;
  for (cl_uint p = 0; p < np; p++) {
    cl_uint nd = 0;
    if (clGetDeviceIDs(pids[p], CL_DEVICE_TYPE_ALL, 0, NULL, &nd) != CL_SUCCESS || nd == 0)
      continue;
    cl_device_id *dids = calloc(nd, sizeof *dids);
    lr_ocl_device_info *grown = realloc(list, (n + nd) * sizeof *list);
    if (!dids || !grown) {
      free(dids);
      free(grown ? grown : list);
      free(pids);
      return lr_fail(err, LOGREG_ENOMEM, "out of memory");
    }
    list = grown;
    clGetDeviceIDs(pids[p], CL_DEVICE_TYPE_ALL, nd, dids, NULL);
    for (cl_uint d = 0; d < nd; d++) {
      lr_ocl_device_info *di = &list[n++];
      memset(di, 0, sizeof *di);
      di->platform = p;
      di->device = d;
      di->pid = pids[p];
      di->did = dids[d];
      fill_info(di);
    }
    free(dids);
  }
  free(pids);
  *out = list;
  *count = n;
  return LOGREG_OK;
}

/* Does `want` (an index or a case-insensitive name substring) pick `index`/`name`? */
static int matches(const char *want, unsigned index, const char *name) {
  size_t idx;
  if (lr_parse_size(want, &idx) == 0) return idx == index;
  size_t n = strlen(want), m = strlen(name);
  for (size_t i = 0; i + n <= m; i++) {
    size_t k = 0;
    while (k < n && tolower((unsigned char)name[i + k]) == tolower((unsigned char)want[k])) k++;
    if (k == n) return 1;
  }
  return 0;
}

const logreg_test_hooks *lr_ocl_hooks(const logreg_device_options *opt) {
  static const logreg_test_hooks none = {0, 0, NULL, NULL, 0, 0};
  return opt && opt->hooks ? opt->hooks : &none;
}

void lr_ocl_apply_options(lr_ocl_device_info *info, const logreg_device_options *opt) {
  if (!opt) return;
  const logreg_test_hooks *h = lr_ocl_hooks(opt);
  if (h->max_alloc && h->max_alloc < info->max_alloc) info->max_alloc = h->max_alloc;
  if (h->no_fp64) info->fp64 = 0;
  if (opt->device_memory && opt->device_memory < info->global_mem)
    info->global_mem = opt->device_memory;
  if (info->max_alloc > info->global_mem) info->max_alloc = info->global_mem;
}

logreg_status lr_ocl_select(const logreg_device_selector *sel, const logreg_device_options *opt,
                            lr_ocl_device_info *out, int *found, char *why, size_t cap,
                            logreg_error *err) {
  *found = 0;
  char spec[48];
  if (sel->pick == LOGREG_PICK_INDEX)
    snprintf(spec, sizeof spec, "opencl:%u:%u", sel->platform, sel->device);
  else
    snprintf(spec, sizeof spec, "%s", sel->pick == LOGREG_PICK_AUTO ? "auto" : "opencl");
  if (sel->pick != LOGREG_PICK_AUTO && sel->pick != LOGREG_PICK_OPENCL &&
      sel->pick != LOGREG_PICK_INDEX) /* a host backend: none of these */
    return LOGREG_OK;
  lr_ocl_device_info *list;
  unsigned n;
  logreg_status st = lr_ocl_list(&list, &n, err);
  if (st) return st;
  int is_auto = sel->pick == LOGREG_PICK_AUTO;
  if (n == 0) {
    free(list);
    if (is_auto) {
      snprintf(why, cap, "auto -> cpu: no OpenCL platform or device found");
      return LOGREG_OK;
    }
    return lr_fail(err, LOGREG_EBACKEND,
                   "'device' %s: no OpenCL platform found (is an ICD such as pocl-opencl-icd "
                   "installed?)",
                   spec);
  }
  long pick = -1;
  const char *ep = opt ? opt->opencl_platform : NULL, *ed = opt ? opt->opencl_device : NULL;
  if (sel->pick == LOGREG_PICK_INDEX) {
    for (unsigned i = 0; i < n; i++)
      if (list[i].platform == sel->platform && list[i].device == sel->device) pick = i;
    if (pick < 0) {
      free(list);
      return lr_fail(err, LOGREG_EINVAL,
                     "'device': no device %u on platform %u (see 'logreg "
                     "devices')",
                     sel->device, sel->platform);
    }
    snprintf(why, cap, "%s: %s (as asked)", spec, list[pick].name);
  } else if ((ep && *ep) || (ed && *ed)) {
    for (unsigned i = 0; i < n && pick < 0; i++) {
      if (ep && *ep && !matches(ep, list[i].platform, list[i].platform_name)) continue;
      if (ed && *ed && !matches(ed, list[i].device, list[i].name)) continue;
      pick = i;
    }
    if (pick < 0) {
      free(list);
      int both = ep && *ep && ed && *ed;
      return lr_fail(err, LOGREG_EINVAL,
                     "%s%s%s%s%s%s%s: the device options match no device (see 'logreg devices')",
                     ep && *ep ? "'opencl_platform' \"" : "", ep && *ep ? ep : "",
                     ep && *ep ? "\"" : "", both ? " " : "", ed && *ed ? "'opencl_device' \"" : "",
                     ed && *ed ? ed : "", ed && *ed ? "\"" : "");
    }
    snprintf(why, cap, "%s -> opencl:%u:%u: %s (chosen by 'opencl_platform'/'opencl_device')", spec,
             list[pick].platform, list[pick].device, list[pick].name);
  } else {
    /* The first GPU; under auto, the local_rank-th of several (mod their number): a node's
     * processes of one group (logreg_shard.local_rank) share its GPUs round-robin. */
    unsigned gpus = 0;
    for (unsigned i = 0; i < n; i++) gpus += (list[i].type & CL_DEVICE_TYPE_GPU) != 0;
    unsigned want = is_auto && gpus ? sel->local_rank % gpus : 0, seen = 0;
    for (unsigned i = 0; i < n && pick < 0; i++)
      if ((list[i].type & CL_DEVICE_TYPE_GPU) && seen++ == want) pick = i;
    if (pick < 0) pick = 0;
    char what[160];
    if (!gpus)
      snprintf(what, sizeof what, "no GPU found; the first OpenCL device");
    else if (is_auto && sel->local_rank > 0)
      snprintf(what, sizeof what,
               "GPU %u of %u: node-local rank %u takes this node's GPU %u mod %u, round-robin",
               want + 1, gpus, sel->local_rank, sel->local_rank, gpus);
    else
      snprintf(what, sizeof what, "the first GPU");
    snprintf(why, cap, "%s -> opencl:%u:%u: %s (%s)", spec, list[pick].platform, list[pick].device,
             list[pick].name, what);
  }
  *out = list[pick];
  lr_ocl_apply_options(out, opt);
  *found = 1;
  free(list);
  return LOGREG_OK;
}

logreg_status lr_ocl_find(unsigned platform, unsigned device, const logreg_device_options *opt,
                          lr_ocl_device_info *out, logreg_error *err) {
  lr_ocl_device_info *list;
  unsigned n;
  logreg_status st = lr_ocl_list(&list, &n, err);
  if (st) return st;
  int found = 0;
  for (unsigned i = 0; i < n && !found; i++)
    if (list[i].platform == platform && list[i].device == device) {
      *out = list[i];
      found = 1;
    }
  free(list);
  if (!found)
    return lr_fail(err, LOGREG_EBACKEND, "opencl: no device %u on platform %u", device, platform);
  lr_ocl_apply_options(out, opt);
  return LOGREG_OK;
}

/* One file of the kernels folder `dir` (NULL: the embedded copies), as it is: see
 * lr_ocl_kernel_source. */
static const char *kernel_file(const char *name, const char *dir, int *owned, logreg_error *err) {
  *owned = 0;
  if (dir && *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *buf;
    size_t len;
    logreg_error ferr;
    if (lr_read_file(path, 0, NULL, &buf, &len, &ferr) != LOGREG_OK) {
      lr_fail(err, ferr.status, "'kernel_dir': %s", ferr.message);
      return NULL;
    }
    *owned = 1;
    return buf;
  }
  for (const lr_embedded_kernel *k = lr_embedded_kernels; k->name; k++)
    if (strcmp(k->name, name) == 0) return k->text;
  lr_fail(err, LOGREG_EBACKEND, "kernel source %s is not embedded in this build", name);
  return NULL;
}

/* Appends n bytes of s to the text *out (len bytes, cap allocated); 0 when out of memory. */
static int text_put(char **out, size_t *len, size_t *cap, const char *s, size_t n) {
  if (*len + n + 1 > *cap) {
    size_t c = (*len + n + 1) * 2;
    char *q = realloc(*out, c);
    if (!q) return 0;
    *out = q;
    *cap = c;
  }
  memcpy(*out + *len, s, n);
  *len += n;
  (*out)[*len] = '\0';
  return 1;
}

/* A program is built from one string, where the compiler cannot open the headers a .cl file
 * includes (kernels/layout.h, the layout shared with the host). So each line that starts with
 * #include "NAME" is replaced by the text of NAME, taken from the same place as the .cl file
 * (the folder or the embedded copies), then a #line directive so that the compiler's line
 * numbers stay those of the .cl file. Included text is not scanned again. */
const char *lr_ocl_kernel_source(const char *name, const char *dir, int *owned, logreg_error *err) {
  static const char directive[] = "#include \"";
  const size_t dn = sizeof directive - 1;
  const char *src = kernel_file(name, dir, owned, err);
  if (!src || !strstr(src, directive)) return src;
  char *out = NULL;
  size_t len = 0, cap = 0, line = 1;
  int ok = 1, oom = 0;
  for (const char *p = src; *p && ok; line++) {
    const char *eol = strchr(p, '\n');
    size_t n = eol ? (size_t)(eol - p) + 1 : strlen(p);
    const char *q = p + dn, *end = n > dn ? memchr(q, '"', n - dn) : NULL;
    if (strncmp(p, directive, dn) == 0 && end) {
      char hname[256], resume[40];
      snprintf(hname, sizeof hname, "%.*s", (int)(end - q), q);
      int hown;
      const char *h = kernel_file(hname, dir, &hown, err);
      if (!h) {
        ok = 0;
        break;
      }
      snprintf(resume, sizeof resume, "\n#line %zu\n", line + 1);
      oom = !text_put(&out, &len, &cap, h, strlen(h)) ||
            !text_put(&out, &len, &cap, resume, strlen(resume));
      if (hown) free((void *)h);
    } else {
      oom = !text_put(&out, &len, &cap, p, n);
    }
    ok = !oom;
    p += n;
  }
  if (*owned) free((void *)src);
  *owned = ok;
  if (ok) return out;
  free(out);
  if (oom) lr_fail(err, LOGREG_ENOMEM, "out of memory preparing kernel source %s", name);
  return NULL;
}

logreg_status lr_ocl_build(cl_context ctx, cl_device_id dev, const char *src, const char *options,
                           cl_program *out, char **log_out, logreg_error *err) {
  *out = NULL;
  if (log_out) *log_out = NULL;
  cl_int rc;
  cl_program prog = clCreateProgramWithSource(ctx, 1, &src, NULL, &rc);
  if (rc != CL_SUCCESS)
    return lr_fail(err, LOGREG_EBACKEND, "clCreateProgramWithSource failed: %s (%d)",
                   lr_ocl_error_name(rc), rc);
  /* The diagnostics come back through the build log below, never through the process's stderr,
   * which belongs to the program. Drivers keep quiet on a clean build; PoCL 3.1 (its clang)
   * also prints a count such as "1 error generated." or "2 warnings generated." on stderr when
   * a source has diagnostics, which no build option turns off. The embedded kernels build
   * without any (so only a kernel from options.kernel_dir under development shows it), and the
   * error returned carries the whole log. */
  rc = clBuildProgram(prog, 1, &dev, options, NULL, NULL);
  if (rc == CL_SUCCESS) {
    *out = prog;
    return LOGREG_OK;
  }
  size_t len = 0;
  clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, 0, NULL, &len);
  char *log = malloc(len + 1);
  if (log) {
    clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, len, log, NULL);
    log[len] = '\0';
    trim(log);
  }
  lr_fail(err, LOGREG_EBACKEND, "clBuildProgram failed: %s (%d) with options \"%s\": %s",
          lr_ocl_error_name(rc), rc, options, log && *log ? log : "(no build log)");
  if (log_out)
    *log_out = log;
  else
    free(log);
  clReleaseProgram(prog);
  return LOGREG_EBACKEND;
}
