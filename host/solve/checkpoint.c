/* checkpoint.c: the checkpoint file (--checkpoint, --resume): the serializer that the trainer's
 * state walk (train_state.c) and the optimizers' (their state_io) write and read through, the
 * fingerprints, and the file around the state: header, version, the device that ran it,
 * checksum, atomic writing. It knows nothing of the trainer, so that the trainer and the
 * optimizers depend on it and not the other way round. The file layout is in
 * host/solve/README.md. */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/device.h"
#include "solve/checkpoint.h"
#include "util/file.h"
#include "util/util.h"

#define CKPT_MAGIC "LRCKPT\r\n" /* 8 bytes; the CR LF catches text-mode damage */
/* Version 2 added the position inside an epoch (a run paused after a mini-batch step; version
 * 1 had none); version 3 stores the device that ran the state as two fields, its kind and
 * path (lr_device_kind, lr_path), where 1 and 2 had the OpenCL path's name. Every state is
 * written as version 3; all three are read. */
#define CKPT_VERSION 3u
#define CKPT_HEADER 24 /* magic, version (u32), reserved (u32), payload length (u64) */
#define CKPT_MAX ((size_t)1 << 32)

/* ---- The serializer ---- */

void lr_ckpt_bytes(lr_ckpt_io *io, void *p, size_t n) {
  if (io->bad) return;
  if (io->reading) {
    if (n > io->len - io->pos) {
      io->bad = 1;
      return;
    }
    memcpy(p, io->buf + io->pos, n);
    io->pos += n;
    return;
  }
  if (n > io->cap - io->len) {
    size_t cap = io->cap ? io->cap : 4096;
    while (cap - io->len < n) cap *= 2;
    unsigned char *b = realloc(io->buf, cap);
    if (!b) {
      io->bad = 1;
      return;
    }
    io->buf = b;
    io->cap = cap;
  }
  memcpy(io->buf + io->len, p, n);
  io->len += n;
}

void lr_ckpt_u64(lr_ckpt_io *io, uint64_t *v) {
  unsigned char b[8];
  if (!io->reading)
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(*v >> (8 * i));
  lr_ckpt_bytes(io, b, 8);
  if (io->reading && !io->bad) {
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) x |= (uint64_t)b[i] << (8 * i);
    *v = x;
  }
}

void lr_ckpt_int(lr_ckpt_io *io, int *v) {
  uint64_t x = (uint64_t)(int64_t)*v;
  lr_ckpt_u64(io, &x);
  if (io->reading) *v = (int)(int64_t)x;
}

void lr_ckpt_long(lr_ckpt_io *io, long *v) {
  uint64_t x = (uint64_t)(int64_t)*v;
  lr_ckpt_u64(io, &x);
  if (io->reading) *v = (long)(int64_t)x;
}

void lr_ckpt_f64(lr_ckpt_io *io, double *v) {
  uint64_t x;
  memcpy(&x, v, 8);
  lr_ckpt_u64(io, &x);
  if (io->reading) memcpy(v, &x, 8);
}

/* Arrays are stored little-endian like every value; on a little-endian host that is their
 * memory as it is, copied in one piece (a state in memory after every epoch: Fashion-MNIST's
 * L-BFGS state is 2.2 MB). */
static int little_endian(void) {
  const uint32_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 1;
}

void lr_ckpt_f64s(lr_ckpt_io *io, double *v, size_t n) {
  if (sizeof(double) == 8 && little_endian()) {
    if (n <= SIZE_MAX / 8)
      lr_ckpt_bytes(io, v, n * 8);
    else
      io->bad = 1;
    return;
  }
  for (size_t i = 0; i < n && !io->bad; i++) lr_ckpt_f64(io, &v[i]);
}

void lr_ckpt_u32s(lr_ckpt_io *io, uint32_t *v, size_t n) {
  if (little_endian()) {
    if (n <= SIZE_MAX / 4)
      lr_ckpt_bytes(io, v, n * 4);
    else
      io->bad = 1;
    return;
  }
  for (size_t i = 0; i < n && !io->bad; i++) {
    unsigned char b[4];
    if (!io->reading)
      for (int j = 0; j < 4; j++) b[j] = (unsigned char)(v[i] >> (8 * j));
    lr_ckpt_bytes(io, b, 4);
    if (io->reading && !io->bad)
      v[i] = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
  }
}

/* A multiply-xorshift over 8-byte words (not cryptographic: it tells other data, other options
 * and damaged files from the right ones), fast enough to fingerprint Fashion-MNIST's 188 MB in
 * a fraction of a second. */
uint64_t lr_hash_bytes(uint64_t h, const void *p, size_t n) {
  const unsigned char *c = p;
  const uint64_t mul = 0xff51afd7ed558ccdULL;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, c + i, 8);
    h = (h ^ w) * mul;
    h ^= h >> 32;
  }
  for (; i < n; i++) {
    h = (h ^ c[i]) * mul;
    h ^= h >> 29;
  }
  h ^= (uint64_t)n;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

static uint64_t hash_f64(uint64_t h, double v) { return lr_hash_bytes(h, &v, sizeof v); }
static uint64_t hash_int(uint64_t h, long long v) { return lr_hash_bytes(h, &v, sizeof v); }

uint64_t lr_options_hash(const logreg_params *given) {
  /* The parameters as they train (the defaults concrete: the same hash as from a caller that
   * set them), but tol as given (0 for the optimizer's own: as earlier builds hashed it). */
  logreg_params r;
  if (logreg_params_resolve(given, &r, NULL) != LOGREG_OK) r = *given;
  r.tol = given->tol;
  const logreg_params *p = &r;
  uint64_t h = LR_HASH_SEED;
  h = hash_int(h, p->optimizer);
  h = hash_f64(h, p->lr > 0 ? p->lr : logreg_default_lr(p->optimizer));
  h = hash_int(h, p->epochs);
  h = hash_int(h, (long long)p->batch_size);
  h = hash_f64(h, p->l2);
  h = hash_f64(h, p->C);
  h = hash_int(h, p->raw_penalty ? 1 : 0);
  h = hash_int(h, p->no_intercept ? 1 : 0);
  h = hash_f64(h, p->tol);
  h = hash_int(h, p->patience);
  h = hash_int(h, p->binary ? 1 : 0);
  h = hash_int(h, p->class_weight_balanced ? 1 : 0);
  h = hash_f64(h, p->pos_weight);
  h = hash_int(h, (long long)p->seed);
  h = hash_f64(h, p->momentum);
  h = hash_int(h, p->nesterov ? 1 : 0);
  h = hash_f64(h, p->beta1);
  h = hash_f64(h, p->beta2);
  h = hash_f64(h, p->eps);
  h = hash_int(h, p->scale);
  /* Hashed only when set, so that checkpoints written before the L1 term still resume. */
  return p->l1_ratio != 0 ? hash_f64(h, p->l1_ratio) : h;
}

/* ---- The file around the state ---- */

static void put_u32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void put_u64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get_u64(const unsigned char *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

void lr_ckpt_start(lr_ckpt_io *io, uint64_t options_hash, uint64_t data_hash,
                   logreg_backend_kind kind, lr_path path) {
  io->reading = 0;
  io->len = io->pos = 0;
  io->bad = 0;
  io->version = CKPT_VERSION;
  unsigned char head[CKPT_HEADER] = {0};
  lr_ckpt_bytes(io, head, sizeof head); /* filled in by lr_ckpt_finish */
  int k = (int)kind, pa = (int)path;
  lr_ckpt_u64(io, &options_hash);
  lr_ckpt_u64(io, &data_hash);
  lr_ckpt_int(io, &k);
  lr_ckpt_int(io, &pa);
}

logreg_status lr_ckpt_finish(lr_ckpt_io *io, logreg_error *err) {
  if (io->bad) return lr_fail(err, LOGREG_ENOMEM, "out of memory for the checkpoint");
  memcpy(io->buf, CKPT_MAGIC, 8);
  put_u32(io->buf + 8, (uint32_t)io->version);
  put_u32(io->buf + 12, 0);
  put_u64(io->buf + 16, (uint64_t)(io->len - CKPT_HEADER));
  return LOGREG_OK;
}

logreg_status lr_checkpoint_write(const lr_ckpt_io *state, const char *path, int block_signals,
                                  logreg_error *err) {
  /* A second SIGINT or SIGTERM (the caller's handler exits at once) waits until the file is
   * whole and renamed: a checkpoint is either the old one or the new one. */
  sigset_t block, old;
  int masked = 0;
  if (block_signals) {
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    masked = pthread_sigmask(SIG_BLOCK, &block, &old) == 0;
  }
  unsigned char sum[8]; /* the checksum is the file's only: a state in memory goes without */
  put_u64(sum, lr_hash_bytes(LR_HASH_SEED, state->buf, state->len));
  lr_atomic_file af;
  logreg_status st = lr_atomic_open(&af, path, err);
  if (!st) {
    if (fwrite(state->buf, 1, state->len, af.f) != state->len ||
        fwrite(sum, 1, sizeof sum, af.f) != sizeof sum) {
      /* lr_atomic_commit sees the stream's error and reports it */
    }
    st = lr_atomic_commit(&af, err);
  }
  if (masked) pthread_sigmask(SIG_SETMASK, &old, NULL);
  return st;
}

/* The fingerprint of the data and the device after the header of `b` (a whole state). */
static void read_ids(const unsigned char *b, int version, lr_ckpt_file *f) {
  f->data_hash = get_u64(b + CKPT_HEADER + 8);
  if (version >= 3) {
    f->kind = (logreg_backend_kind)(int64_t)get_u64(b + CKPT_HEADER + 16);
    f->path = (lr_path)(int64_t)get_u64(b + CKPT_HEADER + 24);
  } else { /* the name of the OpenCL path that ran it, "" for cpu */
    char name[16];
    memcpy(name, b + CKPT_HEADER + 16, sizeof name);
    name[sizeof name - 1] = '\0';
    lr_device_from_path_name(name, &f->kind, &f->path);
  }
  f->pos = CKPT_HEADER + 32;
}

void lr_checkpoint_in_memory(const lr_ckpt_io *state, lr_ckpt_file *f) {
  memset(f, 0, sizeof *f);
  f->data = state->buf;
  f->version = state->version;
  f->len = state->len;
  read_ids(state->buf, state->version, f);
}

lr_ckpt_io lr_ckpt_reader(const lr_ckpt_file *f) {
  lr_ckpt_io io = {
      .reading = 1, .buf = f->data, .len = f->len, .pos = f->pos, .version = f->version};
  return io;
}

logreg_status lr_checkpoint_open(const char *path, const logreg_params *p, lr_ckpt_file *f,
                                 logreg_error *err) {
  memset(f, 0, sizeof *f);
  char *data;
  size_t len;
  logreg_status st = lr_read_file(path, CKPT_MAX, "a checkpoint", &data, &len, err);
  if (st) return st;
  unsigned char *b = (unsigned char *)data;
  if (len < 8 || memcmp(b, CKPT_MAGIC, 8) != 0) {
    free(data);
    return lr_fail(err, LOGREG_EPARSE, "%s: not a logreg checkpoint", path);
  }
  uint32_t version = len >= CKPT_HEADER ? get_u32(b + 8) : CKPT_VERSION;
  if (len < CKPT_HEADER + 8 + 32 || version < 1 || version > CKPT_VERSION ||
      get_u64(b + 16) != len - CKPT_HEADER - 8 ||
      get_u64(b + len - 8) != lr_hash_bytes(LR_HASH_SEED, b, len - 8)) {
    free(data);
    if (version < 1 || version > CKPT_VERSION)
      return lr_fail(err, LOGREG_EPARSE,
                     "%s: checkpoint format version %u, this logreg reads 1 to %u", path, version,
                     CKPT_VERSION);
    return lr_fail(err, LOGREG_EPARSE, "%s: damaged checkpoint (length or checksum wrong)", path);
  }
  uint64_t oh = get_u64(b + CKPT_HEADER);
  if (oh != lr_options_hash(p)) {
    free(data);
    return lr_fail(err, LOGREG_EINVAL,
                   "%s: the checkpoint was written with other training options (optimizer, "
                   "'lr', 'epochs', 'batch_size', 'l2'/'C', 'tol', 'patience', 'seed', ... must "
                   "be those of the run that wrote it)",
                   path);
  }
  f->data = b;
  f->version = (int)version;
  f->len = len - 8;
  read_ids(b, (int)version, f);
  if (!lr_device_known(f->kind, f->path)) {
    free(data);
    memset(f, 0, sizeof *f);
    return lr_fail(err, LOGREG_EPARSE, "%s: the checkpoint names an unknown device", path);
  }
  return LOGREG_OK;
}
