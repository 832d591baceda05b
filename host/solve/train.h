/* train.h: what the trainer (train.c) shares with the rest of the solver layer. */
#ifndef LOGREG_SOLVE_TRAIN_H
#define LOGREG_SOLVE_TRAIN_H

#include "data/dataset.h"
#include "solve/objective.h"
#include "solve/optim.h"

/* The checks every training entry point makes on its data and parameters: usable parameters
 * (logreg_params_check), labelled rows, at least 2 classes (exactly 2 with binary), row
 * indices that fit 32 bits. LOGREG_OK, or the error filled in. */
logreg_status lr_train_check(const logreg_dataset *train, const logreg_params *p,
                             logreg_error *err);

/* The trainer behind logreg_trainer_* (train.c); checkpoint.c saves and restores it. */
struct logreg_trainer {
  const logreg_params *p;
  logreg_params params; /* a copy: the caller's may go away */
  const lr_solver_def *def;
  lr_backend *be;
  lr_objective obj;
  lr_solver sol;
  logreg_model *m;
  float *s_train; /* training row weights (for mini-batch sums) */
  size_t n, nv, imputed;
  double t0, j0, best_val;
  double *best; /* [W | b] of the best validation epoch (--patience) */
  double *diag; /* L-BFGS's diagonal initial matrix with a raw-weight penalty, or NULL */
  /* Sparse data: the columns that some training row uses, increasing (the backend's feature j
   * is the model's cols[j]; dc of them), or NULL when all are (dc = d). The others' weights
   * stay 0 under every solver: their loss gradient is 0 and the penalty keeps 0 at 0. */
  uint32_t *cols;
  size_t dc;
  int best_epoch, since_best, epochs_run;
  lr_eval_out evv;  /* the last validation evaluation */
  const char *stop; /* set once training has stopped */
  /* Long runs (checkpoint.c): the fingerprint of the data as uploaded (with a checkpoint or
   * resume only), and every epoch's progress so far, which a checkpoint keeps. */
  uint64_t data_hash;
  logreg_epoch_info *hist;
  size_t n_hist, cap_hist;
};

/* A checkpoint file read whole and checked (magic, version, checksum, option fingerprint). */
typedef struct lr_ckpt_file {
  unsigned char *data;
  int version;        /* the format's: 2 can hold a position inside an epoch */
  size_t len, pos;    /* the state starts at pos */
  uint64_t data_hash; /* the data the run was trained on */
  char path[16];      /* the OpenCL path it ran ("" for cpu) */
} lr_ckpt_file;

/* The fingerprint of the options that shape the result (not the device, not where files go). */
uint64_t lr_options_hash(const logreg_params *p);
/* Reads and checks `path`; one-line errors name the file (LOGREG_EIO, LOGREG_EPARSE for a
 * damaged or foreign file, LOGREG_EINVAL for other options). free(f->data) afterwards. */
logreg_status lr_checkpoint_open(const char *path, const logreg_params *p, lr_ckpt_file *f,
                                 logreg_error *err);
/* Puts the state of `f` into the freshly created trainer `t` (LOGREG_EINVAL for other data). */
logreg_status lr_checkpoint_restore(logreg_trainer *t, const char *path, const lr_ckpt_file *f,
                                    logreg_error *err);
/* Writes t's state to `path` atomically (temp file, fsync, rename). */
logreg_status lr_checkpoint_save(logreg_trainer *t, const char *path, logreg_error *err);
/* The same in two steps: t's checkpoint (the file's bytes but the checksum: header and
 * payload) into `state` (writing; its buffer is reused, free(state->buf) at the end), then
 * those bytes and their checksum to `path` atomically. A state kept in memory is what
 * --device auto goes on from on cpu. */
struct lr_ckpt_io;
logreg_status lr_checkpoint_state(logreg_trainer *t, struct lr_ckpt_io *state, logreg_error *err);
logreg_status lr_checkpoint_write(const logreg_trainer *t, const struct lr_ckpt_io *state,
                                  const char *path, logreg_error *err);
/* A state from lr_checkpoint_state as the file lr_checkpoint_restore reads; f->data points
 * into state's buffer (not to be freed). */
void lr_checkpoint_in_memory(const struct lr_ckpt_io *state, lr_ckpt_file *f);
/* Adds `bytes` of the uploaded data to t->data_hash (the data's fingerprint). */
void lr_checkpoint_hash_data(logreg_trainer *t, const void *p, size_t bytes);

#endif
