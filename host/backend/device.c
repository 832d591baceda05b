/* device.c: the device module (device.h): device and path names, device specs, which device a
 * spec picks and why, the list of devices (the public device API of logreg.h), and every rule
 * that decides where a run trains: auto, a group's GPUs, sparse data's timed choice, a resumed
 * checkpoint's device, the grid's device, the fall back to cpu, a group's agreement, and the
 * table that creates a backend of each kind. The OpenCL enumeration and matching are ocl.c's. */
#include "backend/device.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/native.h"
#include "backend/ocl.h"
#include "backend/opencl.h"
#include "logreg_bench.h"
#include "util/util.h"

/* ---- Names ---- */

static logreg_status reference_create(const logreg_device_info *dev, size_t d, size_t k, int binary,
                                      double pos_weight, const lr_backend_opts *opts,
                                      lr_backend **out, logreg_error *err) {
  (void)dev, (void)opts;
  return lr_reference_backend_create(d, k, binary, pos_weight, out, err);
}

static logreg_status cpu_create(const logreg_device_info *dev, size_t d, size_t k, int binary,
                                double pos_weight, const lr_backend_opts *opts, lr_backend **out,
                                logreg_error *err) {
  (void)dev, (void)opts;
  return lr_native_backend_create(d, k, binary, pos_weight, out, err);
}

/* The backend table: one row per kind, in logreg_backend_kind order. */
static const struct {
  logreg_backend_kind kind;
  const char *name;
  logreg_status (*create)(const logreg_device_info *dev, size_t d, size_t k, int binary,
                          double pos_weight, const lr_backend_opts *opts, lr_backend **out,
                          logreg_error *err);
} kinds[] = {
    {LOGREG_BACKEND_REFERENCE, "reference", reference_create},
    {LOGREG_BACKEND_OPENCL, "opencl", lr_ocl_backend_create},
    {LOGREG_BACKEND_CPU, "cpu", cpu_create},
};
#define KINDS (sizeof kinds / sizeof kinds[0])

const char *lr_device_kind_name(logreg_backend_kind kind) {
  for (size_t i = 0; i < KINDS; i++)
    if (kinds[i].kind == kind) return kinds[i].name;
  return "unknown";
}

int lr_device_known(logreg_backend_kind kind, lr_path path) {
  int found = 0;
  for (size_t i = 0; i < KINDS; i++) found |= kinds[i].kind == kind;
  return found && (unsigned)path < LR_PATHS;
}

void lr_device_from_path_name(const char *name, logreg_backend_kind *kind, lr_path *path) {
  *kind = LOGREG_BACKEND_REFERENCE; /* what "cpu" ran when these checkpoints were written */
  *path = LR_PATH_REFERENCE;
  for (int p = LR_PATH_TILED; p < LR_PATHS; p++)
    if (strcmp(name, lr_path_name((lr_path)p)) == 0) {
      *kind = LOGREG_BACKEND_OPENCL;
      *path = (lr_path)p;
    }
}

logreg_status lr_path_parse(const char *name, lr_path *out, logreg_error *err) {
  /* What params.gemm may name: auto and the dense OpenCL paths. */
  static const lr_path asked[] = {LR_PATH_AUTO, LR_PATH_TILED, LR_PATH_FUSED, LR_PATH_OWN,
                                  LR_PATH_CLBLAST};
  *out = LR_PATH_AUTO;
  if (!name) return LOGREG_OK;
  for (size_t i = 0; i < sizeof asked / sizeof *asked; i++)
    if (strcmp(name, lr_path_name(asked[i])) == 0) {
      *out = asked[i];
      return LOGREG_OK;
    }
  return lr_fail(err, LOGREG_EINVAL, "'gemm': \"%s\" is not auto, tiled, fused, own or clblast",
                 name);
}

/* ---- Specs, selection and the device list ---- */

logreg_status lr_device_parse(const char *spec, logreg_device_selector *out, logreg_error *err) {
  static const struct {
    const char *word;
    logreg_device_pick pick;
  } words[] = {{"auto", LOGREG_PICK_AUTO},
               {"cpu", LOGREG_PICK_CPU},
               {"reference", LOGREG_PICK_REFERENCE},
               {"opencl", LOGREG_PICK_OPENCL}};
  static const char index_prefix[] = "opencl:";
  memset(out, 0, sizeof *out);
  if (!spec) return lr_fail(err, LOGREG_EINVAL, "'device': no device given");
  for (size_t i = 0; i < sizeof words / sizeof *words; i++)
    if (strcmp(spec, words[i].word) == 0) {
      out->pick = words[i].pick;
      return LOGREG_OK;
    }
  if (strncmp(spec, index_prefix, sizeof index_prefix - 1) == 0) {
    unsigned P, D;
    char tail;
    if (sscanf(spec + sizeof index_prefix - 1, "%u:%u%c", &P, &D, &tail) != 2)
      return lr_fail(err, LOGREG_EINVAL,
                     "'device': \"%s\" is not opencl:PLATFORM:DEVICE (indices, see 'logreg "
                     "devices')",
                     spec);
    out->pick = LOGREG_PICK_INDEX;
    out->platform = P;
    out->device = D;
    return LOGREG_OK;
  }
  return lr_fail(err, LOGREG_EINVAL,
                 "'device': unknown device \"%s\" (auto, cpu, reference, opencl, opencl:P:D)",
                 spec);
}

static void reference_info(logreg_device_info *out) {
  memset(out, 0, sizeof *out);
  out->backend = LOGREG_BACKEND_REFERENCE;
  snprintf(out->spec, sizeof out->spec, "%s", lr_device_kind_name(LOGREG_BACKEND_REFERENCE));
  snprintf(out->name, sizeof out->name, "plain C loops, double accumulation");
  out->type = LOGREG_DEVICE_CPU;
  out->compute_units = 1;
  out->max_work_group = 1;
  out->fp64 = 1;
}

static void cpu_info(logreg_device_info *out) {
  memset(out, 0, sizeof *out);
  out->backend = LOGREG_BACKEND_CPU;
  snprintf(out->spec, sizeof out->spec, "%s", lr_device_kind_name(LOGREG_BACKEND_CPU));
  snprintf(out->name, sizeof out->name, "%s kernels, double accumulation",
           lr_native_kern_best()->isa);
  out->type = LOGREG_DEVICE_CPU;
  out->compute_units = lr_threads_for((size_t)-1, 0); /* the threads of a large pass */
  out->max_work_group = 1;
  out->fp64 = 1;
}

static void opencl_info(const lr_ocl_device_info *d, logreg_device_info *out) {
  memset(out, 0, sizeof *out);
  out->backend = LOGREG_BACKEND_OPENCL;
  snprintf(out->spec, sizeof out->spec, "%s:%u:%u", lr_device_kind_name(LOGREG_BACKEND_OPENCL),
           d->platform, d->device);
  out->platform = d->platform;
  out->index = d->device;
  snprintf(out->platform_name, sizeof out->platform_name, "%s", d->platform_name);
  snprintf(out->platform_version, sizeof out->platform_version, "%s", d->platform_version);
  snprintf(out->name, sizeof out->name, "%s", d->name);
  snprintf(out->vendor, sizeof out->vendor, "%s", d->vendor);
  snprintf(out->driver, sizeof out->driver, "%s", d->driver);
  snprintf(out->c_version, sizeof out->c_version, "%s", d->c_version);
  out->type = (d->type & CL_DEVICE_TYPE_GPU)           ? LOGREG_DEVICE_GPU
              : (d->type & CL_DEVICE_TYPE_CPU)         ? LOGREG_DEVICE_CPU
              : (d->type & CL_DEVICE_TYPE_ACCELERATOR) ? LOGREG_DEVICE_ACCELERATOR
                                                       : LOGREG_DEVICE_OTHER;
  out->compute_units = d->compute_units;
  out->global_mem = d->global_mem;
  out->max_alloc = d->max_alloc;
  out->local_mem = d->local_mem;
  out->max_work_group = d->max_wg;
  out->fp64 = d->fp64;
}

logreg_status lr_device_select(const logreg_device_selector *sel, const logreg_device_options *opt,
                               logreg_device_info *out, char *why, size_t why_cap,
                               logreg_error *err) {
  char text[512];
  if ((unsigned)sel->pick > LOGREG_PICK_CPU)
    return lr_fail(err, LOGREG_EINVAL, "'device': unknown selector %d", (int)sel->pick);
  if (sel->pick == LOGREG_PICK_CPU || sel->pick == LOGREG_PICK_REFERENCE) { /* no enumeration */
    if (sel->pick == LOGREG_PICK_CPU)
      cpu_info(out);
    else
      reference_info(out);
    if (why && why_cap)
      snprintf(why, why_cap, "%s: the %s backend, %s (as asked)", out->spec,
               sel->pick == LOGREG_PICK_CPU ? "native CPU" : "reference", out->name);
    return LOGREG_OK;
  }
  lr_ocl_device_info info;
  int found = 0;
  logreg_status st = lr_ocl_select(sel, opt, &info, &found, text, sizeof text, err);
  if (st) return st;
  if (found)
    opencl_info(&info, out);
  else
    cpu_info(out);
  if (why && why_cap) snprintf(why, why_cap, "%s", text);
  return LOGREG_OK;
}

void logreg_device_options_init(logreg_device_options *opt) { memset(opt, 0, sizeof *opt); }

const char *logreg_device_type_name(logreg_device_type type) {
  static const char *const names[] = {[LOGREG_DEVICE_CPU] = "CPU",
                                      [LOGREG_DEVICE_GPU] = "GPU",
                                      [LOGREG_DEVICE_ACCELERATOR] = "accelerator",
                                      [LOGREG_DEVICE_OTHER] = "other"};
  return (unsigned)type <= LOGREG_DEVICE_OTHER ? names[type] : "other";
}

logreg_status logreg_devices_list(const logreg_device_options *opt, logreg_device_info **out,
                                  size_t *count, logreg_error *err) {
  lr_error_clear(err);
  *out = NULL;
  *count = 0;
  lr_ocl_device_info *cl = NULL;
  unsigned n = 0;
  logreg_status st = lr_ocl_list(&cl, &n, err);
  if (st) return st;
  logreg_device_info *list = calloc((size_t)n + 2, sizeof *list);
  if (!list) {
    free(cl);
    return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  }
  cpu_info(&list[0]);
  reference_info(&list[1]);
  for (unsigned i = 0; i < n; i++) {
    lr_ocl_apply_options(&cl[i], opt);
    opencl_info(&cl[i], &list[i + 2]);
  }
  free(cl);
  *out = list;
  *count = (size_t)n + 2;
  return LOGREG_OK;
}

void logreg_devices_free(logreg_device_info *list) { free(list); }

logreg_status logreg_device_parse(const char *spec, logreg_device_selector *out,
                                  logreg_error *err) {
  return lr_device_parse(spec, out, err);
}

logreg_status logreg_device_select(const logreg_device_selector *sel,
                                   const logreg_device_options *opt, logreg_device_info *out,
                                   char *why, size_t why_cap, logreg_error *err) {
  lr_error_clear(err);
  return lr_device_select(sel, opt, out, why, why_cap, err);
}

logreg_status logreg_device_choose(const char *spec, const logreg_device_options *opt,
                                   logreg_device_info *out, char *why, size_t why_cap,
                                   logreg_error *err) {
  logreg_device_selector sel;
  logreg_status st = lr_device_parse(spec, &sel, err);
  return st ? st : logreg_device_select(&sel, opt, out, why, why_cap, err);
}

int logreg_floor_is_device(const logreg_device_info *dev, logreg_floor_choice choice) {
  if (dev->backend != LOGREG_BACKEND_OPENCL) return 0; /* X is in host memory */
  return choice == LOGREG_FLOOR_DEVICE ||
         (choice == LOGREG_FLOOR_AUTO && dev->type == LOGREG_DEVICE_GPU);
}

/* ---- The device of a run ---- */

logreg_status lr_device_from_params(const logreg_params *p, lr_device *out, logreg_error *err) {
  memset(out, 0, sizeof *out);
  logreg_device_selector sel;
  logreg_status st =
      lr_device_parse(p->device ? p->device : lr_device_kind_name(LOGREG_BACKEND_CPU), &sel, err);
  if (!st) st = lr_path_parse(p->gemm, &out->path, err);
  if (st) return st;
  const logreg_shard *sh = p->shard;
  if (sh && sh->size > 1 && sh->local_rank > 0) sel.local_rank = (unsigned)sh->local_rank;
  if ((st = lr_device_select(&sel, &p->device_options, &out->info, out->why, sizeof out->why, err)))
    return st;
  out->kind = out->info.backend;
  if (out->kind != LOGREG_BACKEND_OPENCL) out->path = LR_PATH_REFERENCE; /* its own loops */
  out->is_auto = sel.pick == LOGREG_PICK_AUTO;
  out->options = &p->device_options;
  return LOGREG_OK;
}

/* A host backend's device (cpu or reference: always there). */
static void host_device(lr_device *out, logreg_backend_kind kind, const logreg_device_options *opt,
                        const char *why) {
  memset(out, 0, sizeof *out);
  out->kind = kind;
  if (kind == LOGREG_BACKEND_REFERENCE)
    reference_info(&out->info);
  else
    cpu_info(&out->info);
  out->path = LR_PATH_REFERENCE;
  out->options = opt;
  snprintf(out->why, sizeof out->why, "%s", why);
}

void lr_device_cpu(lr_device *out, const logreg_device_options *opt, const char *why) {
  host_device(out, LOGREG_BACKEND_CPU, opt, why);
}

void lr_device_resume(lr_device *dev, logreg_backend_kind kind, lr_path path, char *note,
                      size_t note_cap) {
  if (note_cap) note[0] = '\0';
  int was_auto = dev->is_auto;
  dev->is_auto = 0; /* a resumed run keeps its checkpoint's device: nothing is timed again */
  if (was_auto && kind != dev->kind) {
    if (kind == LOGREG_BACKEND_CPU || kind == LOGREG_BACKEND_REFERENCE) { /* always there */
      char why[96];
      snprintf(why, sizeof why, "auto -> %s: the checkpoint's run trained on %s",
               lr_device_kind_name(kind), lr_device_kind_name(kind));
      host_device(dev, kind, dev->options, why);
    } else if (note_cap) {
      snprintf(note, note_cap,
               "the checkpoint's run trained on %s (%s path), which is not available here: "
               "resumed on %s (J and the gradient evaluated again there)",
               lr_device_kind_name(kind), lr_path_name(path), dev->info.spec);
    }
    return;
  }
  /* The same kind: the same path (a path timed again could choose differently, and another
   * path rounds differently), unless one was asked for. */
  if (kind == dev->kind && dev->path == LR_PATH_AUTO) dev->path = path;
  if (kind != dev->kind && note_cap) /* named by the caller: said, since it rounds otherwise */
    snprintf(note, note_cap,
             "the checkpoint's run trained on %s: resumed on %s as asked (J and the gradient "
             "evaluated again there; the model can differ from the uninterrupted run's in the "
             "last digits)",
             lr_device_kind_name(kind), dev->info.spec);
}

int lr_device_can_fall_back(const lr_device *dev, const logreg_params *p) {
  return p->cpu_fallback && dev->kind == LOGREG_BACKEND_OPENCL && !(p->shard && p->shard->size > 1);
}

logreg_status lr_device_backend(const lr_device *dev, size_t d, size_t k, int binary,
                                double pos_weight, const lr_path_store *cache, int follow,
                                lr_backend **out, logreg_error *err) {
  *out = NULL;
  const lr_backend_opts bo = {dev->path, cache, dev->options, follow};
  for (size_t i = 0; i < KINDS; i++)
    if (kinds[i].kind == dev->kind)
      return kinds[i].create(&dev->info, d, k, binary, pos_weight, &bo, out, err);
  return lr_fail(err, LOGREG_EINVAL, "no backend of kind %d", (int)dev->kind);
}

/* ---- Timed choices ---- */

/* Milliseconds of one evaluation (sums and gradient) of the train slot at THETA: the best of
 * `reps` after an untimed one (a device's first launches carry set-up). */
static logreg_status time_evals(lr_backend *be, size_t n, int reps, double *ms, logreg_error *err) {
  lr_sums out;
  logreg_status st = be->ops->sums(be, LR_SLOT_TRAIN, 0, n, LR_WANT_SUMS | LR_WANT_GRAD, &out, err);
  *ms = INFINITY;
  for (int rep = 0; rep < reps && !st; rep++) {
    double t0 = lr_now();
    st = be->ops->sums(be, LR_SLOT_TRAIN, 0, n, LR_WANT_SUMS | LR_WANT_GRAD, &out, err);
    *ms = fmin(*ms, (lr_now() - t0) * 1e3);
  }
  return st;
}

static logreg_status time_eval(lr_backend *be, size_t n, double *ms, logreg_error *err) {
  return time_evals(be, n, 3, ms, err);
}

/* The cpu backend for the shape of `like`. */
static logreg_status cpu_backend_like(const lr_backend *like, const logreg_device_options *opt,
                                      lr_backend **out, logreg_error *err) {
  lr_device cpu;
  lr_device_cpu(&cpu, opt, "");
  return lr_device_backend(&cpu, like->d, like->k, like->binary, like->pos_weight, NULL, 0, out,
                           err);
}

logreg_status lr_device_time_sparse(lr_device *dev, lr_backend **be, const lr_rows *rows,
                                    unsigned threads, logreg_error *err) {
  lr_backend *on = *be, *cpu = NULL;
  double ms[2];
  logreg_status st = cpu_backend_like(on, dev->options, &cpu, err);
  if (!st) {
    lr_backend_threads(cpu, threads);
    st = lr_backend_set_rows(cpu, LR_SLOT_TRAIN, rows, err);
  }
  if (!st) st = time_eval(cpu, rows->n, &ms[0], err);
  if (!st) st = time_eval(on, rows->n, &ms[1], err);
  if (st) {
    lr_backend_destroy(cpu);
    return st;
  }
  logreg_path_choice pc;
  memset(&pc, 0, sizeof pc);
  int use_cpu = ms[0] <= ms[1];
  lr_path timed[2] = {LR_PATH_REFERENCE, LR_PATH_CSR};
  snprintf(pc.path, sizeof pc.path, "%s", lr_path_name(timed[use_cpu ? 0 : 1]));
  snprintf(pc.how, sizeof pc.how, "measured");
  pc.count = 2;
  for (int i = 0; i < 2; i++) {
    snprintf(pc.names[i], sizeof pc.names[i], "%s", lr_path_name(timed[i]));
    pc.ms[i] = ms[i];
  }
  lr_backend_destroy(use_cpu ? on : cpu);
  *be = use_cpu ? cpu : on;
  (*be)->path = pc;
  if (use_cpu) {
    char why[sizeof dev->why];
    snprintf(why, sizeof why, "%.400s; sparse data: cpu measured faster (%.3g ms against %.3g ms)",
             dev->why, ms[0], ms[1]);
    lr_device_cpu(dev, dev->options, why);
    dev->is_auto = 1;
  }
  dev->weighed = 1;
  return LOGREG_OK;
}

/* ---- auto: the cpu backend or an OpenCL device on the same cores ---- */

/* Training data under this many values (dense n x d, or stored entries) trains on cpu under
 * auto without timing: a whole run there costs less than setting an OpenCL device up (its
 * context, and on a fresh machine kernel builds of seconds). */
#define AUTO_UNTIMED_VALUES 1e6
/* The set-up of an OpenCL device that auto never set up on this machine (no "|setup" entry in
 * the path cache), first kernel builds included: 8-13 s on PoCL 3.1 on a 2-core VM with empty
 * caches (bench/RESULTS.md, "auto without a GPU"). */
#define AUTO_SETUP_GUESS 10.0
/* Auto may spend this share of the run (estimated at cpu's speed), or AUTO_BUDGET_MIN seconds,
 * whichever is more, setting an untried device up to time it. */
#define AUTO_BUDGET_SHARE 0.05
#define AUTO_BUDGET_MIN 0.2
/* cpu is timed on the first rows, up to this much of X, and its time scaled to all of them (a
 * pass costs the same per row once X is past the caches): so the timing holds no second copy of
 * a large X, and the cpu backend chosen takes the prepared rows themselves (X held once). */
#define AUTO_TIME_BYTES ((double)(64 << 20))

static void auto_key(const lr_device *dev, const lr_auto_run *run, size_t n, const char *tail,
                     char *key, size_t cap) {
  const logreg_device_info *i = &dev->info;
  size_t kw = run->binary ? 1 : run->k;
  lr_path_key(i->platform_name, i->name, i->driver, kw, n ? run->d : 0, n, tail, key, cap);
}

/* The device's ms per evaluation from the store, as runs measured it (refinement included)
 * or else as its paths' timing did (the chosen path's); NAN when neither is there. */
static double stored_ms(const lr_device *dev, const lr_auto_run *run, size_t n,
                        const lr_path_store *cache, const char **how) {
  char key[600];
  logreg_path_choice pc;
  if (!cache) return NAN;
  auto_key(dev, run, n, "|run", key, sizeof key);
  if (cache->lookup(cache->user, key, &pc) && pc.count > 0 && pc.ms[0] > 0) {
    *how = strcmp(pc.path, "run") == 0 ? "a whole run's" : "timed";
    return pc.ms[0];
  }
  auto_key(dev, run, n, "", key, sizeof key);
  if (cache->lookup(cache->user, key, &pc))
    for (int i = 0; i < pc.count; i++)
      if (strcmp(pc.names[i], pc.path) == 0 && pc.ms[i] > 0) {
        *how = "its paths' timing";
        return pc.ms[i];
      }
  return NAN;
}

/* One value kept in the store under dev's key with `tail` (n rows; 0: the device's own entry):
 * the entry's path `what`, its one timing `name`=`value`. */
static void store_value(const lr_device *dev, const lr_auto_run *run, size_t n, const char *tail,
                        const lr_path_store *cache, const char *what, const char *name,
                        double value) {
  char key[600];
  if (!cache) return;
  logreg_path_choice pc;
  memset(&pc, 0, sizeof pc);
  snprintf(pc.path, sizeof pc.path, "%s", what);
  snprintf(pc.names[0], sizeof pc.names[0], "%s", name);
  pc.ms[0] = value;
  pc.count = 1;
  auto_key(dev, run, n, tail, key, sizeof key);
  cache->save(cache->user, key, &pc);
}

void lr_device_auto_record(const lr_device *dev, const lr_auto_run *run, size_t n,
                           const lr_path_store *cache, const char *how, double ms) {
  if (ms > 0 && isfinite(ms)) store_value(dev, run, n, "|run", cache, how, "ms", ms);
}

static void record_setup(const lr_device *dev, const lr_auto_run *run, const lr_path_store *cache,
                         double sec) {
  store_value(dev, run, 0, "|setup", cache, "setup", "s", sec);
}

static double stored_setup(const lr_device *dev, const lr_auto_run *run,
                           const lr_path_store *cache) {
  char key[600];
  logreg_path_choice pc;
  auto_key(dev, run, 0, "|setup", key, sizeof key);
  if (cache && cache->lookup(cache->user, key, &pc) && pc.count > 0 && pc.ms[0] >= 0)
    return pc.ms[0];
  return NAN;
}

/* dev becomes cpu, `why` saying why. */
static void auto_to_cpu(lr_device *dev, const char *why) {
  char line[sizeof dev->why];
  snprintf(line, sizeof line,
           "auto -> cpu, not %s (%.100s, an OpenCL device on the host's cores): %.300s",
           dev->info.spec, dev->info.name, why);
  lr_device_cpu(dev, dev->options, line);
  dev->is_auto = dev->weighed = 1; /* still auto's choice (a resumed run takes the checkpoint's) */
}

logreg_status lr_device_auto_host(lr_device *dev, const lr_auto_run *run, const lr_rows *rows,
                                  const lr_path_store *cache, lr_backend **be, logreg_error *err) {
  *be = NULL;
  if (!dev->is_auto || dev->kind != LOGREG_BACKEND_OPENCL || dev->info.type != LOGREG_DEVICE_CPU ||
      lr_ocl_hooks(dev->options)->auto_keeps_device)
    return LOGREG_OK;
  char why[400];
  if (run->values < AUTO_UNTIMED_VALUES) {
    snprintf(why, sizeof why, "%.0f values of training data (under 10^6), untimed", run->values);
    auto_to_cpu(dev, why);
    return LOGREG_OK;
  }
  if (rows->x == NULL) return LOGREG_OK; /* sparse rows: timed after set-up (time_sparse) */
  /* cpu's evaluation, timed on the training rows (kept if cpu is chosen), or on their first
   * AUTO_TIME_BYTES (dropped if cpu is chosen: the caller gives cpu all of them). */
  lr_rows first = *rows;
  double row_bytes = (double)(run->d ? run->d : 1) * sizeof(float);
  if ((double)rows->n * row_bytes > AUTO_TIME_BYTES)
    first.n = (size_t)(AUTO_TIME_BYTES / row_bytes);
  if (first.n == 0) first.n = 1;
  int whole = first.n == rows->n;
  lr_device cpu;
  lr_device_cpu(&cpu, dev->options, "");
  lr_backend *c = NULL, *o = NULL;
  double cpu_ms, dev_ms, evals = run->evals > 0 ? run->evals : 1;
  logreg_status st =
      lr_device_backend(&cpu, run->d, run->k, run->binary, run->pos_weight, NULL, 0, &c, err);
  if (!st) {
    lr_backend_threads(c, run->threads);
    st = lr_backend_set_rows(c, LR_SLOT_TRAIN, &first, err);
  }
  if (!st) st = time_evals(c, first.n, 2, &cpu_ms, err);
  if (st) {
    lr_backend_destroy(c);
    return st;
  }
  cpu_ms *= (double)rows->n / (double)first.n;
  char part[96] = ""; /* said after the choice when cpu was timed on the first rows */
  if (!whole) {       /* timed on the first rows: the caller builds cpu with all of them */
    snprintf(part, sizeof part, "; cpu timed on the first %zu rows, scaled to all", first.n);
    lr_backend_destroy(c);
    c = NULL;
  }
  const char *how = NULL;
  double setup = stored_setup(dev, run, cache);
  int guessed = !(setup >= 0);
  if (guessed) setup = AUTO_SETUP_GUESS;
  dev_ms = stored_ms(dev, run, rows->n, cache, &how);
  double cpu_run = evals * cpu_ms / 1e3;
  if (isfinite(dev_ms)) { /* known: the device pays its set-up on top of its evaluations */
    double dev_run = setup + evals * dev_ms / 1e3;
    if (dev_run < cpu_run) {
      lr_backend_destroy(c);
      snprintf(why, sizeof why,
               "%.3g ms per evaluation (%s) and %.2g s set-up against cpu's %.3g ms (timed) over "
               "about %.0f evaluations%s",
               dev_ms, how, setup, cpu_ms, evals, part);
      size_t l = strlen(dev->why);
      snprintf(dev->why + l, sizeof dev->why - l, "; %s", why);
      dev->weighed = 1;
      return LOGREG_OK;
    }
    snprintf(why, sizeof why,
             "%.3g ms per evaluation (timed) against its %.3g ms (%s) and %.2g s set-up over "
             "about %.0f evaluations%s",
             cpu_ms, dev_ms, how, setup, evals, part);
    auto_to_cpu(dev, why);
    *be = c;
    return LOGREG_OK;
  }
  double budget = fmax(AUTO_BUDGET_MIN, AUTO_BUDGET_SHARE * cpu_run);
  if (setup > budget) {
    snprintf(why, sizeof why,
             "%.3g ms per evaluation (timed); the device not timed: its set-up (%s %.2g s) is "
             "over the budget for it (%.2g s: 5%% of the run, at least 0.2 s)%s",
             cpu_ms, guessed ? "the first on this machine, about" : "the last", setup, budget,
             part);
    auto_to_cpu(dev, why);
    *be = c;
    return LOGREG_OK;
  }
  /* Within the budget: the device set up and its paths timed, the faster kept. */
  double t0 = lr_now();
  st = lr_device_backend(dev, run->d, run->k, run->binary, run->pos_weight, cache, 0, &o, err);
  if (!st) {
    lr_backend_threads(o, run->threads);
    st = lr_backend_set_rows(o, LR_SLOT_TRAIN, rows, err);
  }
  if (st) { /* a device that cannot take the data here: cpu, which can */
    lr_backend_destroy(o);
    snprintf(why, sizeof why, "the device failed to set up (%.200s)", err ? err->message : "");
    lr_error_clear(err);
    auto_to_cpu(dev, why);
    *be = c;
    return LOGREG_OK;
  }
  record_setup(dev, run, cache, lr_now() - t0);
  dev_ms = NAN;
  for (int i = 0; i < o->path.count; i++)
    if (strcmp(o->path.names[i], o->path.path) == 0) dev_ms = o->path.ms[i];
  if (!isfinite(dev_ms) && (st = time_eval(o, rows->n, &dev_ms, err))) {
    lr_backend_destroy(o);
    lr_backend_destroy(c);
    return st;
  }
  int use_cpu = cpu_ms <= dev_ms;
  if (use_cpu) {
    lr_device_auto_record(dev, run, rows->n, cache, "timed", dev_ms);
    snprintf(why, sizeof why, "%.3g ms per evaluation against the device's %.3g ms (both timed%s)",
             cpu_ms, dev_ms, part);
    lr_backend_destroy(o);
    auto_to_cpu(dev, why);
    *be = c;
  } else {
    snprintf(why, sizeof why, "%.3g ms per evaluation against cpu's %.3g ms (both timed%s)", dev_ms,
             cpu_ms, part);
    lr_backend_destroy(c);
    size_t l = strlen(dev->why);
    snprintf(dev->why + l, sizeof dev->why - l, "; %s", why);
    dev->weighed = 1;
    *be = o;
  }
  return LOGREG_OK;
}

/* The seconds of one grid pass of m models at theta on `be` (after an untimed one when `warm`:
 * a device's first call allocates and uploads). */
static logreg_status time_pass(lr_backend *be, const int32_t *fold, size_t m, const int32_t *held,
                               const double *theta, lr_sums *tr, double *gsum, int warm,
                               double *sec, logreg_error *err) {
  logreg_status st;
  if (warm && (st = be->ops->grid_sums(be, fold, m, held, theta, tr, tr + m, gsum, err))) return st;
  double t0 = lr_now();
  if ((st = be->ops->grid_sums(be, fold, m, held, theta, tr, tr + m, gsum, err))) return st;
  *sec = lr_now() - t0;
  return LOGREG_OK;
}

/* choose_faster for a grid on `*be` (an OpenCL device): one pass of the m models at W = 0 on it and
 * on cpu; the faster stays in *be. */
static logreg_status grid_faster(lr_backend **be, const logreg_device_options *opt,
                                 const lr_rows *rows, unsigned threads, const int32_t *fold,
                                 size_t m, const int32_t *held, char *why, size_t cap,
                                 logreg_error *err) {
  lr_backend *dev = *be, *cpu = NULL;
  size_t np = dev->nparam;
  double *theta = calloc(m * np, sizeof *theta), *gsum = malloc(m * np * sizeof *gsum);
  lr_sums *tr = malloc(2 * m * sizeof *tr);
  double t_dev = 0, t_cpu = 0;
  logreg_status st = !theta || !gsum || !tr
                         ? lr_fail(err, LOGREG_ENOMEM, "cross-validation: out of memory")
                         : LOGREG_OK;
  if (!st) st = cpu_backend_like(dev, opt, &cpu, err);
  if (!st) {
    lr_backend_threads(cpu, threads);
    st = lr_backend_set_rows(cpu, LR_SLOT_TRAIN, rows, err);
  }
  if (!st) st = time_pass(dev, fold, m, held, theta, tr, gsum, 1, &t_dev, err);
  if (!st) st = time_pass(cpu, fold, m, held, theta, tr, gsum, 0, &t_cpu, err);
  free(theta);
  free(gsum);
  free(tr);
  if (st) {
    lr_backend_destroy(cpu);
    return st;
  }
  snprintf(why, cap, "a pass of the grid took %.3g ms on cpu, %.3g ms on %.40s", 1e3 * t_cpu,
           1e3 * t_dev, dev->device);
  lr_backend_destroy(t_cpu < t_dev ? dev : cpu);
  *be = t_cpu < t_dev ? cpu : dev;
  return LOGREG_OK;
}

logreg_status lr_device_grid_backend(const lr_device *dev, size_t d, size_t k, int binary,
                                     double pos_weight, unsigned threads, const lr_rows *rows,
                                     int choose_faster, const int32_t *fold, size_t m,
                                     const int32_t *held, lr_backend **out, char *why, size_t cap,
                                     logreg_error *err) {
  *out = NULL;
  if (cap) why[0] = '\0';
  /* The grid evaluates through grid_sums only: a fixed path spares the device the timing of
   * --gemm auto. The fused one applies on every device and keeps no per-row scratch (nor needs
   * X in one allocation: data streamed from host memory reaches grid_sums, which names what it
   * lacks). Sparse rows for an OpenCL device run on cpu: its grid kernels read dense rows. */
  lr_device grid = *dev;
  if (!rows->x && dev->kind == LOGREG_BACKEND_OPENCL) {
    if (choose_faster)
      snprintf(why, cap,
               "sparse data: the grid runs on cpu (the OpenCL grid kernels read dense rows)");
    lr_device_cpu(&grid, dev->options, "sparse data");
  } else if (grid.kind == LOGREG_BACKEND_OPENCL) {
    grid.path = LR_PATH_FUSED;
  }
  lr_backend *be = NULL;
  logreg_status st = lr_device_backend(&grid, d, k, binary, pos_weight, NULL, 0, &be, err);
  if (!st && !be->ops->grid_sums) {
    lr_backend_destroy(be);
    be = NULL;
    lr_device_cpu(&grid, dev->options, "no grid kernels");
    st = lr_device_backend(&grid, d, k, binary, pos_weight, NULL, 0, &be, err);
  }
  if (!st) {
    lr_backend_threads(be, threads);
    st = lr_backend_set_rows(be, LR_SLOT_TRAIN, rows, err);
  }
  if (!st && choose_faster && be->kind == LOGREG_BACKEND_OPENCL)
    st = grid_faster(&be, dev->options, rows, threads, fold, m, held, why, cap, err);
  if (st) {
    lr_backend_destroy(be);
    return st;
  }
  *out = be;
  return LOGREG_OK;
}

/* ---- A group of processes ---- */

/* What a backend's vector operations round like: "cpu", or "opencl MODEL" with " fp64" when
 * its vectors are double (the device name of be->device without its "opencl:P:D " prefix and
 * the path in brackets). */
static void rounding_kind(const lr_backend *be, char *out, size_t cap) {
  const char *name = strchr(be->device, ' ');
  name = name ? name + 1 : be->device;
  const char *end = strstr(name, " (");
  int len = end ? (int)(end - name) : (int)strlen(name);
  if (be->kind == LOGREG_BACKEND_REFERENCE)
    snprintf(out, cap, "%s", lr_device_kind_name(be->kind));
  else if (be->kind == LOGREG_BACKEND_CPU) /* its kernels' vector units round their own way */
    snprintf(out, cap, "%.120s", be->device);
  else
    snprintf(out, cap, "%s %.*s%s", lr_device_kind_name(be->kind), len, name,
             be->float32 ? "" : " fp64");
}

logreg_status lr_device_agree_group(lr_backend *be, const logreg_shard *sh, logreg_error *err) {
  enum { KIND = 128, LEN = 1 + KIND / sizeof(double) };
  double mine[LEN], *all = malloc((size_t)sh->size * LEN * sizeof *all);
  if (!all) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  char kind[KIND] = {0}, lead_kind[KIND];
  rounding_kind(be, kind, sizeof kind);
  mine[0] = (double)be->path_id;
  memcpy(mine + 1, kind, KIND);
  int bad = sh->allgather(sh->user, mine, LEN, all) != 0;
  lr_path lead = (lr_path)(int)all[0];
  memcpy(lead_kind, all + 1, KIND);
  lead_kind[KIND - 1] = '\0';
  free(all);
  if (bad)
    return lr_fail(err, LOGREG_EBACKEND, "the exchange between the %d processes failed", sh->size);
  if (strcmp(kind, lead_kind) != 0)
    return lr_fail(
        err, LOGREG_EUNSUPPORTED,
        "it trains on %s, rank 0 on %s: the processes of a group need one kind of "
        "device (cpu with one kind of kernels, reference, or OpenCL devices of one model; see "
        "'device')",
        kind, lead_kind);
  if (sh->rank == 0 || !be->ops->set_path || lead < LR_PATH_TILED || lead > LR_PATH_CLBLAST)
    return LOGREG_OK;
  logreg_error why;
  logreg_status st = be->ops->set_path(be, lead, "rank 0", &why);
  if (st == LOGREG_EUNSUPPORTED) return LOGREG_OK;
  if (st && err) *err = why;
  return st;
}
