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

#endif
