/* env.c: the environment variables of the device settings, mapped into the options the
 * library takes (logreg_device_options, logreg_params.threads). The library reads no
 * environment; tests, scripts and people who set these variables get the same settings as the
 * command line options, which override them. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The value of `name`, or NULL when it is unset or empty. */
static const char *env(const char *name) {
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

int cli_device_env(cli_device_opts *o) {
  memset(o, 0, sizeof *o);
  o->platform = env("LOGREG_OPENCL_PLATFORM");
  o->device = env("LOGREG_OPENCL_DEVICE");
  o->build_options = env("LOGREG_EXTRA_OPTS");
  o->kernel_dir = env("LOGREG_KERNEL_DIR");
  const char *v;
  size_t n;
  if ((v = env("LOGREG_OPENCL_MAX_ALLOC"))) {
    if (logreg_parse_size(v, &n) != 0)
      return cli_error(CLI_EXIT_USAGE, "LOGREG_OPENCL_MAX_ALLOC: \"%s\" is not a whole number >= 0",
                       v);
    o->max_alloc = (uint64_t)n;
  }
  if ((v = env("LOGREG_OPENCL_DEVICE_MEMORY"))) {
    if (logreg_parse_size(v, &n) != 0)
      return cli_error(CLI_EXIT_USAGE,
                       "LOGREG_OPENCL_DEVICE_MEMORY: \"%s\" is not a whole number >= 0", v);
    o->device_memory = (uint64_t)n;
  }
  /* Only "0" means something: a device without doubles. */
  if ((v = env("LOGREG_OPENCL_FP64"))) o->no_fp64 = strcmp(v, "0") == 0;
  if ((v = env("LOGREG_AUTO_KEEPS_DEVICE"))) o->auto_keeps_device = strcmp(v, "1") == 0;
  if ((v = env("LOGREG_THREADS"))) {
    if (logreg_parse_size(v, &n) != 0)
      return cli_error(CLI_EXIT_USAGE, "LOGREG_THREADS: \"%s\" is not a whole number >= 0", v);
    o->threads = n;
  }
  return 0;
}

void cli_device_options(cli_device_opts *o, logreg_device_options *out) {
  logreg_device_options_init(out);
  out->opencl_platform = o->platform;
  out->opencl_device = o->device;
  out->device_memory = o->device_memory;
  o->hooks = (logreg_test_hooks){o->max_alloc,
                                 o->no_fp64,
                                 o->build_options,
                                 o->kernel_dir,
                                 o->fail_call > LONG_MAX ? LONG_MAX : (long)o->fail_call,
                                 o->auto_keeps_device};
  out->hooks = &o->hooks;
}

unsigned cli_threads(const cli_device_opts *o) {
  return o->threads > 1024 ? 1024u : (unsigned)o->threads;
}
