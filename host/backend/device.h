/* device.h: the device a run trains on: one object, resolved once, with one owner (device.c).
 *
 * `--device` (logreg_params.device) and `--gemm` (.gemm) are parsed here, once, into an
 * lr_device: the kind of backend (the cpu reference, an OpenCL device P:D), the evaluation path,
 * and how both were chosen. Every rule about devices lives in this module: what auto picks (a
 * GPU, else any OpenCL device, else cpu; in a group of processes, the node-local rank's GPU),
 * auto's weighing at set-up of an OpenCL device on the host's cores against cpu,
 * sparse data's timed choice between cpu and the device, which device a resumed checkpoint
 * runs on, the cross-validation grid's device, the way back to cpu after a device fault, the
 * kind of device a group's processes must share, and the table that creates a backend of each
 * kind. The trainer, the grid, the checkpoint and the bench hold the handle and its enums;
 * nothing else parses or compares device or path names.
 *
 * Adding a kind of backend: its value of logreg_backend_kind and of logreg_device_pick (logreg.h)
 * with its spec word in lr_device_parse's table, its row in device.c's `kinds` table (its name
 * and create function), its entry in the devices list, its files. */
#ifndef LOGREG_BACKEND_DEVICE_H
#define LOGREG_BACKEND_DEVICE_H

#include <stddef.h>

#include "backend/backend.h"

/* A path store over the file `path` (logreg_params.path_cache); NULL when path is NULL. The
 * store keeps the pointer: the file name must outlive it. */
const lr_path_store *lr_path_cache_file(const char *path, lr_path_store *store);

/* The device a run trains on. */
typedef struct lr_device {
  logreg_backend_kind kind;
  logreg_device_info info; /* the device (for cpu, the reference's description) */
  lr_path path;            /* the path asked for; LR_PATH_AUTO: measured at set-up */
  int is_auto;             /* the spec was "auto": sparse rows time cpu against the device */
  int weighed;             /* auto weighed cpu against the device at set-up (why says how) */
  const logreg_device_options *options; /* the caller's (borrowed), for the backend */
  char why[512];                        /* one line: what was chosen, and why */
} lr_device;

/* "reference", "opencl", "cpu" (the kinds' names, as logreg_train_result.backend has them). */
const char *lr_device_kind_name(logreg_backend_kind kind);

/* Whether a kind and a path (read back from a file) are ones this build has. */
int lr_device_known(logreg_backend_kind kind, lr_path path);
/* The kind and path that the path's name of a version 1 or 2 checkpoint means: "" (cpu wrote
 * it) and "cpu" (sparse data's timed choice) the cpu reference, else the named OpenCL path. */
void lr_device_from_path_name(const char *name, logreg_backend_kind *kind, lr_path *path);

/* Parses a device spec: "auto", "cpu", "reference", "opencl" or "opencl:P:D". LOGREG_EINVAL, naming
 * --device, for anything else. */
logreg_status lr_device_parse(const char *spec, logreg_device_selector *out, logreg_error *err);
/* Parses an evaluation path as params.gemm takes it: NULL or "auto" (LR_PATH_AUTO), "tiled",
 * "fused", "own", "clblast". LOGREG_EINVAL, naming --gemm, for anything else. */
logreg_status lr_path_parse(const char *name, lr_path *out, logreg_error *err);

/* Resolves `sel` to one device now (OpenCL enumeration): its description and why it was
 * chosen (see logreg_device_select). */
logreg_status lr_device_select(const logreg_device_selector *sel, const logreg_device_options *opt,
                               logreg_device_info *out, char *why, size_t why_cap,
                               logreg_error *err);

/* The device of a training run from its parameters: device, gemm, device_options and, under a
 * group (shard->size > 1), the node-local rank's GPU for auto. */
logreg_status lr_device_from_params(const logreg_params *p, lr_device *out, logreg_error *err);

/* The device on which a run resumed from a checkpoint goes on, from the kind and path that
 * checkpoint recorded. Under auto: the checkpoint's kind (a run that trained on cpu, sparse
 * data's timed choice among them, resumes on cpu) and its path, without timing again; when that
 * kind is not available here, the device auto found, and *note (note_cap bytes) says so. A
 * device named explicitly keeps its kind (*note says so when the checkpoint's differs); it
 * takes the checkpoint's path when it is of the same kind and no path was asked for. *note is
 * "" when the run goes on where its checkpoint ran. */
void lr_device_resume(lr_device *dev, logreg_backend_kind kind, lr_path path, char *note,
                      size_t note_cap);

/* Whether a device failure on `dev` may go on on cpu: params.cpu_fallback, a device that is
 * not cpu, one process (a group's processes must stay on one kind). */
int lr_device_can_fall_back(const lr_device *dev, const logreg_params *p);
/* The cpu reference, as a fall back or a grid's choice: `why` says why. */
void lr_device_cpu(lr_device *out, const logreg_device_options *opt, const char *why);

/* The backend table: creates the backend of dev's kind for this shape (parameters at zero),
 * on dev's path, the path cache `cache` (may be NULL) serving LR_PATH_AUTO. `follow`: a group's
 * process after the first, which takes the first one's path (lr_device_agree_group) instead of
 * timing its own. */
logreg_status lr_device_backend(const lr_device *dev, size_t d, size_t k, int binary,
                                double pos_weight, const lr_path_store *cache, int follow,
                                lr_backend **out, logreg_error *err);

/* Sparse rows under auto (dev->is_auto, not cpu): *be (dev's backend, its train slot set to
 * `rows`) and a cpu backend each time one evaluation at W = 0; the faster one is kept in *be
 * (the other destroyed), dev says which, and be->path holds the timings. */
logreg_status lr_device_time_sparse(lr_device *dev, lr_backend **be, const lr_rows *rows,
                                    unsigned threads, logreg_error *err);

/* The run auto chooses a device for: the model's shape, the training data's size (values: n x d
 * dense, or the stored entries), and about how many evaluations it takes (the epoch cap). */
typedef struct lr_auto_run {
  size_t d, k;
  int binary;
  double pos_weight;
  unsigned threads;
  double values;
  double evals;
} lr_auto_run;

/* Auto between the cpu backend and the OpenCL device it found when that device runs on the
 * host's cores (type CPU: PoCL), before the device is set up. Under 10^6 values: cpu, untimed.
 * Dense rows above that: cpu's evaluation is timed on `rows` (the train slot; on its first 64
 * MiB of X, scaled to all rows, when X is larger) and held against
 * what the path store knows of the device on this shape (a whole run's ms per evaluation, else
 * its paths' timing) plus its set-up; where the store knows nothing, the device is set up and
 * timed only when its set-up (the store's last, else a first build's guess) fits the budget:
 * 5% of the run at cpu's speed, or 0.2 s. dev becomes cpu when cpu is chosen; *be is the chosen
 * backend with its train slot set when it was built here with all the rows, else NULL (the
 * caller builds dev's).
 * A device that is not auto's, not an OpenCL CPU device, or sparse rows above the threshold
 * (timed after set-up: lr_device_time_sparse) are left as they are. */
logreg_status lr_device_auto_host(lr_device *dev, const lr_auto_run *run, const lr_rows *rows,
                                  const lr_path_store *cache, lr_backend **be, logreg_error *err);
/* Keeps `ms` per evaluation of a run on n rows on dev (an OpenCL device) in the path store,
 * `how` "run" (a whole run's seconds over its evaluations) or "timed", for auto's next choice. */
void lr_device_auto_record(const lr_device *dev, const lr_auto_run *run, size_t n,
                           const lr_path_store *cache, const char *how, double ms);

/* The backend of a cross-validation grid on `dev`, its train slot set to `rows`: sparse rows
 * and a backend without grid sums run on cpu; with `choose_faster` (auto) one pass of the
 * whole grid (m models at theta, held, fold) is timed on the device and on cpu and the faster
 * kept. `why` (cap bytes) says why when not "" . */
logreg_status lr_device_grid_backend(const lr_device *dev, size_t d, size_t k, int binary,
                                     double pos_weight, unsigned threads, const lr_rows *rows,
                                     int choose_faster, const int32_t *fold, size_t m,
                                     const int32_t *held, lr_backend **out, char *why, size_t cap,
                                     logreg_error *err);

/* Collective over a group's processes (shard->size > 1), after set-up: they must train on one
 * kind of device (each keeps its own solver vectors and takes decisions from its own dot
 * products: vectors that round differently would part them), and they evaluate on the path of
 * the first (whose choice the others, created with `follow`, take): LOGREG_EUNSUPPORTED with
 * one line naming both kinds when they differ, LOGREG_EBACKEND when the exchange fails. A
 * process whose data the first one's path cannot run keeps its default. */
logreg_status lr_device_agree_group(lr_backend *be, const logreg_shard *sh, logreg_error *err);

#endif
