/* train.h: what the trainer (setup.c builds it, train.c runs it) shares with the rest of the
 * solver layer: the checks of a run's inputs, the trainer's state (which checkpoint.c's state
 * walk reads and writes), and its creation on a device already chosen. */
#ifndef LOGREG_SOLVE_TRAIN_H
#define LOGREG_SOLVE_TRAIN_H

#include "backend/device.h"
#include "data/dataset.h"
#include "solve/checkpoint.h"
#include "solve/objective.h"
#include "solve/optim.h"

/* The checks every training entry point makes on its data and parameters: usable parameters
 * (logreg_params_check), labelled rows, at least 2 classes (exactly 2 with binary), row
 * indices that fit 32 bits. LOGREG_OK, or the error filled in. */
logreg_status lr_train_check(const logreg_dataset *train, const logreg_params *p,
                             logreg_error *err);

/* The trainer behind logreg_trainer_* (setup.c, train.c); checkpoint.c saves and restores it. */
struct logreg_trainer {
  const logreg_params *p;
  logreg_params given;  /* the caller's parameters (a copy: the caller's may go away) */
  logreg_params params; /* the same with their defaults concrete (logreg_params_resolve) */
  const lr_solver_def *def;
  lr_device dev;       /* where it trains (device.h): the kind and path a checkpoint keeps */
  lr_path_store cache; /* the path cache the backend was created with (params.path_cache) */
  lr_backend *be;
  lr_objective obj;
  lr_solver sol;
  logreg_model *m;
  float *s_train; /* training row weights (for mini-batch sums) */
  size_t n, nv, imputed;
  double t0, j0, best_val;
  double setup_seconds; /* before t0: rows prepared, device chosen and set up, data uploaded */
  lr_auto_run run;      /* the run as auto saw it (lr_device_auto_host) */
  int record_run;       /* an OpenCL device on the host's cores: its run's cost is recorded */
  double *best;         /* [W | b] of the best validation epoch (--patience) */
  double *diag;         /* L-BFGS's diagonal initial matrix with a raw-weight penalty, or NULL */
  /* Sparse data: the columns that some training row uses, increasing (the backend's feature j
   * is the model's cols[j]; dc of them), or NULL when all are (dc = d). The others' weights
   * stay 0 under every solver: their loss gradient is 0 and the penalty keeps 0 at 0. */
  uint32_t *cols;
  size_t dc;
  int best_epoch, since_best, epochs_run;
  int refined_epoch;   /* the epoch in which the backend turned to double (0: never) */
  double refined_from; /* lr_now() at that epoch's start */
  lr_eval_out evv;     /* the last validation evaluation */
  const char *stop;    /* set once training has stopped */
  /* Long runs (checkpoint.c): the fingerprint of the data as uploaded (with a checkpoint or
   * resume only), and every epoch's progress so far, which a checkpoint keeps. */
  uint64_t data_hash;
  logreg_epoch_info *hist;
  size_t n_hist, cap_hist;
};

/* ---- The trainer's state as a checkpoint (train_state.c, over checkpoint.h's file) ---- */

/* t's state into `state` (writing; its buffer is reused, free(state->buf) at the end): the
 * file's bytes but the checksum (lr_checkpoint_write adds it). A state kept in memory is what
 * --device auto goes on from on cpu. */
logreg_status lr_checkpoint_state(logreg_trainer *t, lr_ckpt_io *state, logreg_error *err);
/* lr_checkpoint_state and lr_checkpoint_write in one: t's state to `path` atomically. */
logreg_status lr_checkpoint_save(logreg_trainer *t, const char *path, logreg_error *err);
/* Puts the state of `f` into the freshly created trainer `t` (LOGREG_EINVAL for other data). */
logreg_status lr_checkpoint_restore(logreg_trainer *t, const char *path, const lr_ckpt_file *f,
                                    logreg_error *err);
/* Adds `bytes` of the uploaded data to t->data_hash (the data's fingerprint). */
void lr_checkpoint_hash_data(logreg_trainer *t, const void *p, size_t bytes);

/* The device of a run from its parameters (lr_device_from_params); under a group, a failure is
 * agreed on, as set-up's failures are. */
logreg_status lr_trainer_device(const logreg_params *p, lr_device *dev, logreg_error *err);
/* logreg_trainer_create on a device already resolved (logreg_train: a resumed run's, or cpu
 * after a device failure). */
logreg_status lr_trainer_create(const logreg_dataset *train, const logreg_dataset *val,
                                const logreg_params *params, const lr_device *dev,
                                logreg_trainer **out, logreg_error *err);

#endif
