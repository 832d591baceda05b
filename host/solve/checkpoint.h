/* checkpoint.h: the training state as a file (checkpoint.c), for --checkpoint and --resume.
 *
 * One description of the state serves both directions: lr_ckpt_io either appends values to a
 * buffer (writing) or takes them from one (reading), and every piece of state (the trainer's,
 * an optimizer's in opt_*.c) passes through the same calls in the same order, so that what is
 * written and what is read cannot drift apart. Values are stored little-endian, doubles as
 * their 64 bits. The file layout is in host/solve/README.md. */
#ifndef LOGREG_CHECKPOINT_H
#define LOGREG_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "logreg.h"

typedef struct lr_ckpt_io {
  int reading;
  unsigned char *buf;
  size_t len, cap, pos;
  int bad;     /* writing: out of memory; reading: past the end */
  int version; /* the file format's (CKPT_VERSION in checkpoint.c): what the state holds */
} lr_ckpt_io;

void lr_ckpt_bytes(lr_ckpt_io *io, void *p, size_t n);
void lr_ckpt_u64(lr_ckpt_io *io, uint64_t *v);
void lr_ckpt_int(lr_ckpt_io *io, int *v);
void lr_ckpt_long(lr_ckpt_io *io, long *v);
void lr_ckpt_f64(lr_ckpt_io *io, double *v);
void lr_ckpt_f64s(lr_ckpt_io *io, double *v, size_t n);
void lr_ckpt_u32s(lr_ckpt_io *io, uint32_t *v, size_t n);

/* 64-bit hash of n bytes, continuing from h (start with LR_HASH_SEED): the fingerprints. */
#define LR_HASH_SEED 0x9e3779b97f4a7c15ULL
uint64_t lr_hash_bytes(uint64_t h, const void *p, size_t n);

/* ---- The file ---- */

/* A checkpoint read whole and checked (magic, version, checksum, option fingerprint), or a
 * state kept in memory (lr_checkpoint_in_memory). */
typedef struct lr_ckpt_file {
  unsigned char *data;
  int version;              /* the format's (CKPT_VERSION in checkpoint.c) */
  size_t len, pos;          /* the state starts at pos */
  uint64_t data_hash;       /* the data the run was trained on */
  logreg_backend_kind kind; /* the kind of device that ran it */
  lr_path path;             /* and its evaluation path */
} lr_ckpt_file;

/* The fingerprint of the options that shape the result (not the device, not where files go). */
uint64_t lr_options_hash(const logreg_params *p);

/* Starts a state in `io` (writing; its buffer is reused): the header, to be completed by
 * lr_ckpt_finish, then the fingerprints and the device. A state between epochs or in one
 * (`in_epoch`: a mini-batch position follows) sets io->version. */
void lr_ckpt_start(lr_ckpt_io *io, uint64_t options_hash, uint64_t data_hash,
                   logreg_backend_kind kind, lr_path path);
/* Completes the header once the state is written: the file's bytes but the checksum.
 * LOGREG_ENOMEM when a write ran out of memory. */
logreg_status lr_ckpt_finish(lr_ckpt_io *io, logreg_error *err);
/* Those bytes and their checksum to `path` atomically (temp file, fsync, rename); with
 * `block_signals`, SIGINT and SIGTERM wait until the file is whole and renamed. */
logreg_status lr_checkpoint_write(const lr_ckpt_io *state, const char *path, int block_signals,
                                  logreg_error *err);
/* Reads and checks `path`; one-line errors name the file (LOGREG_EIO, LOGREG_EPARSE for a
 * damaged or foreign file, LOGREG_EINVAL for other options). free(f->data) afterwards. */
logreg_status lr_checkpoint_open(const char *path, const logreg_params *p, lr_ckpt_file *f,
                                 logreg_error *err);
/* A state from lr_ckpt_start / lr_ckpt_finish as the file lr_checkpoint_open reads; f->data
 * points into state's buffer (not to be freed). */
void lr_checkpoint_in_memory(const lr_ckpt_io *state, lr_ckpt_file *f);
/* A reader over f's state (after the fingerprints and the device). */
lr_ckpt_io lr_ckpt_reader(const lr_ckpt_file *f);

#endif
