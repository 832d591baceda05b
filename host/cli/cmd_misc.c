/* cmd_misc.c: the small commands: `logreg gen` (synthetic datasets) and `logreg devices`. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cmd_gen(int argc, char **argv) {
  size_t rows = 0, features = 2, classes = 3;
  double spread = 1.0, density = 0.01;
  uint64_t seed = 42;
  const char *output = NULL;
  const arg_spec specs[] = {
      {"--rows", ARG_SIZE, &rows, "N", "rows (default 1000)"},
      {"--features", ARG_SIZE, &features, "D", "blobs, sparse: features (default 2)"},
      {"--classes", ARG_SIZE, &classes, "K", "blobs, sparse: classes (default 3)"},
      {"--density", ARG_DOUBLE, &density, "P",
       "sparse: mean fraction of nonzeros per row (default 0.01)"},
      {"--spread", ARG_DOUBLE, &spread, "S", "blobs: std of each blob (default 1)"},
      {"--seed", ARG_U64, &seed, "N", "random seed (default 42)"},
      {"--output", ARG_STR, &output, "FILE",
       "file to write (also -o; default KIND.csv, sparse.svm)"},
      {NULL, ARG_FLAG, NULL, NULL, NULL}};
  const char *pos[1];
  size_t npos;
  int r = cli_parse("gen", "logreg gen blobs|tumors|sparse [options]", specs, argc, argv, pos, 1,
                    &npos);
  if (r >= 0) return r;
  if (npos != 1)
    return cli_error(CLI_EXIT_USAGE,
                     "gen needs a kind: blobs, tumors or sparse (see 'logreg gen --help')");
  if (rows == 0) rows = 1000;
  logreg_error err;
  logreg_status st;
  if (strcmp(pos[0], "blobs") == 0) {
    if (!output) output = "blobs.csv";
    st = logreg_gen_blobs(output, rows, features, classes, spread, seed, &err);
  } else if (strcmp(pos[0], "tumors") == 0) {
    if (!output) output = "tumors.csv";
    st = logreg_gen_tumors(output, rows, seed, &err);
  } else if (strcmp(pos[0], "sparse") == 0) {
    if (!output) output = "sparse.svm";
    st = logreg_gen_sparse(output, rows, features, density, classes, seed, &err);
  } else {
    return cli_error(CLI_EXIT_USAGE, "gen: unknown kind \"%s\" (blobs, tumors or sparse)", pos[0]);
  }
  if (st != LOGREG_OK)
    return cli_error(st == LOGREG_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_ERROR, "%s", err.message);
  fprintf(stderr, "wrote %zu rows to %s\n", rows, output);
  return 0;
}

int cmd_devices(int argc, char **argv) {
  cli_device_opts dv;
  if (cli_device_env(&dv) != 0) return CLI_EXIT_USAGE;
  const arg_spec specs[] = {CLI_DEVICE_SPECS(dv), {NULL, ARG_FLAG, NULL, NULL, NULL}};
  const char *pos[1];
  size_t npos;
  int r = cli_parse("devices", "logreg devices [options]", specs, argc, argv, pos, 0, &npos);
  if (r >= 0) return r;
  logreg_device_options opt;
  cli_device_options(&dv, &opt);
  logreg_device_info *list = NULL, pick;
  size_t n = 0;
  char why[512];
  logreg_error err;
  if (logreg_devices_list(&opt, &list, &n, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "%s", err.message);
  if (logreg_device_choose("auto", &opt, &pick, why, sizeof why, &err) != LOGREG_OK) {
    logreg_devices_free(list);
    return cli_error(err.status == LOGREG_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_ERROR, "%s",
                     err.message);
  }
  int auto_cpu = pick.backend != LOGREG_BACKEND_OPENCL;
  /* An OpenCL device on the host's cores is weighed against cpu when training sets up. */
  int weighed = !auto_cpu && pick.type == LOGREG_DEVICE_CPU && !dv.hooks.auto_keeps_device;
  if (weighed) {
    size_t l = strlen(why);
    snprintf(why + l, sizeof why - l,
             "; or cpu: training weighs them at set-up (data under 10^6 values: cpu, untimed)");
  }
  for (size_t i = 0; i < n; i++) /* the host's backends: cpu, then the reference */
    if (list[i].backend == LOGREG_BACKEND_CPU)
      printf("%-12s native CPU backend: %s, up to %u threads%s\n", list[i].spec, list[i].name,
             list[i].compute_units,
             auto_cpu  ? "   <- auto"
             : weighed ? "   <- auto, or the OpenCL device below"
                       : "");
    else if (list[i].backend == LOGREG_BACKEND_REFERENCE)
      printf("%-12s reference backend: %s (the validator)\n", list[i].spec, list[i].name);
  size_t nocl = 0;
  for (size_t i = 0; i < n; i++) nocl += list[i].backend == LOGREG_BACKEND_OPENCL;
  if (!nocl) printf("\nOpenCL: no platform found (install an ICD, e.g. pocl-opencl-icd)\n");
  unsigned last_platform = (unsigned)-1;
  for (size_t i = 0; i < n; i++) {
    const logreg_device_info *d = &list[i];
    if (d->backend != LOGREG_BACKEND_OPENCL) continue;
    if (d->platform != last_platform) {
      printf("\nplatform %u: %s (%s)\n", d->platform, d->platform_name, d->platform_version);
      last_platform = d->platform;
    }
    int is_pick = !auto_cpu && strcmp(pick.spec, d->spec) == 0;
    printf("%s  %s%s\n", d->spec, d->name, is_pick ? "   <- auto" : "");
    printf("             %s, vendor %s, %u compute units, global memory %.1f GiB, max allocation "
           "%.1f GiB, %s, fp64 %s, local memory %.0f KiB, driver %s\n",
           logreg_device_type_name(d->type), d->vendor, d->compute_units,
           (double)d->global_mem / 1073741824.0, (double)d->max_alloc / 1073741824.0, d->c_version,
           d->fp64 ? "yes" : "no", (double)d->local_mem / 1024.0, d->driver);
  }
  cli_flags(why, sizeof why);
  printf("\n%s\n", why);
  logreg_devices_free(list);
  return 0;
}
