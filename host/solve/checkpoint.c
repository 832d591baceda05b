/* checkpoint.c: the trainer's whole state in a file, and back (--checkpoint, --resume).
 *
 * A checkpoint is taken between epochs, or after a mini-batch step when a stop request paused
 * the epoch there (version 2: the position is then part of the state): the
 * backend's vectors (parameters, gradient, Adam's moments or the momentum velocity, L-BFGS's
 * pairs and diagonal, Newton's iterate, the penalty factors), the optimizer's scalars
 * (opt_*.c), the counters, the shuffler's RNG and row order, the best weights for --patience
 * and the history. Everything is stored exactly (doubles as their 64 bits; a float32 device's
 * vectors read back as doubles hold their floats exactly and write back to the same floats),
 * so that a resumed run repeats the uninterrupted run's arithmetic bit for bit. The file
 * layout is in host/solve/README.md. */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "solve/checkpoint.h"
#include "solve/train.h"
#include "util/file.h"
#include "util/util.h"

#define CKPT_MAGIC "LRCKPT\r\n" /* 8 bytes; the CR LF catches text-mode damage */
/* Version 2 adds the position inside an epoch (a run paused after a mini-batch step); a
 * checkpoint between epochs is still written as version 1, which earlier builds read. */
#define CKPT_VERSION 2u
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

uint64_t lr_options_hash(const logreg_params *p) {
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
  return hash_int(h, p->scale);
}

void lr_checkpoint_hash_data(logreg_trainer *t, const void *p, size_t bytes) {
  if (!t->data_hash) t->data_hash = LR_HASH_SEED;
  t->data_hash = lr_hash_bytes(t->data_hash, p, bytes);
}

/* ---- The state ---- */

static const char *const stop_names[] = {"tol", "converged", "patience", "epochs", "max_iter"};

/* The row order read back indexes rows: each of 0..n-1 once. */
static int is_permutation(const uint32_t *order, size_t n) {
  unsigned char *seen = calloc(n ? n : 1, 1);
  int ok = seen != NULL;
  for (size_t i = 0; ok && i < n; i++) {
    if (order[i] >= n || seen[order[i]]) ok = 0;
    if (ok) seen[order[i]] = 1;
  }
  free(seen);
  return ok;
}

/* Everything on the host, in one order for both directions. */
static void trainer_io(logreg_trainer *t, lr_ckpt_io *io) {
  lr_solver *sol = &t->sol;
  uint64_t n = t->n, nparam = t->be->nparam;
  lr_ckpt_u64(io, &n);
  lr_ckpt_u64(io, &nparam);
  if (io->reading && (n != t->n || nparam != t->be->nparam)) io->bad = 1;
  if (io->bad) return;
  lr_ckpt_int(io, &t->epochs_run);
  lr_ckpt_int(io, &t->best_epoch);
  lr_ckpt_int(io, &t->since_best);
  lr_ckpt_f64(io, &t->j0);
  lr_ckpt_f64(io, &t->best_val);
  double elapsed = lr_now() - t->t0;
  lr_ckpt_f64(io, &elapsed);
  if (io->reading) t->t0 = lr_now() - elapsed;
  lr_eval_out *evs[] = {&t->evv, &sol->ev};
  for (int i = 0; i < 2; i++) {
    lr_ckpt_f64(io, &evs[i]->objective);
    lr_ckpt_f64(io, &evs[i]->loss);
    lr_ckpt_f64(io, &evs[i]->correct);
    lr_ckpt_f64(io, &evs[i]->grad_max);
  }
  lr_ckpt_long(io, &sol->t);
  lr_ckpt_int(io, &sol->epoch);
  lr_ckpt_f64(io, &sol->step);
  uint64_t done = sol->batch_done; /* version 2 only: 0 in version 1 */
  if (io->version >= 2) lr_ckpt_u64(io, &done);
  if (io->reading) sol->batch_done = done < t->n ? (size_t)done : 0;
  if (io->reading && done >= t->n) io->bad = 1;
  for (int i = 0; i < 4; i++) lr_ckpt_u64(io, &sol->rng.s[i]);
  lr_ckpt_f64(io, &t->obj.s_train);
  lr_ckpt_long(io, &t->obj.evals);
  lr_ckpt_long(io, &t->obj.hv_products);
  int stop = 0;
  for (int i = 0; t->stop && i < (int)(sizeof stop_names / sizeof *stop_names); i++)
    if (strcmp(t->stop, stop_names[i]) == 0) stop = i + 1;
  lr_ckpt_int(io, &stop);
  if (io->reading)
    t->stop = stop > 0 && stop <= (int)(sizeof stop_names / sizeof *stop_names)
                  ? stop_names[stop - 1]
                  : NULL;
  lr_ckpt_u32s(io, sol->order, t->n);
  if (io->reading && !io->bad && !is_permutation(sol->order, t->n)) io->bad = 1;
  lr_ckpt_f64s(io, t->best, t->be->nparam);
  lr_solver_state_io(sol, t->def, io);
  uint64_t nh = t->n_hist;
  lr_ckpt_u64(io, &nh);
  if (io->bad) return;
  if (io->reading) {
    if (nh > (io->len - io->pos) / 88) { /* 11 values of 8 bytes each */
      io->bad = 1;
      return;
    }
    free(t->hist);
    t->hist = calloc(nh ? (size_t)nh : 1, sizeof *t->hist);
    if (!t->hist) {
      io->bad = 1;
      return;
    }
    t->n_hist = t->cap_hist = (size_t)nh;
  }
  for (size_t i = 0; i < t->n_hist && !io->bad; i++) {
    logreg_epoch_info *e = &t->hist[i];
    lr_ckpt_int(io, &e->epoch);
    lr_ckpt_int(io, &e->epochs);
    lr_ckpt_f64(io, &e->objective);
    lr_ckpt_f64(io, &e->train_loss);
    lr_ckpt_f64(io, &e->train_accuracy);
    lr_ckpt_f64(io, &e->val_loss);
    lr_ckpt_f64(io, &e->val_accuracy);
    lr_ckpt_f64(io, &e->lr);
    lr_ckpt_f64(io, &e->seconds);
    lr_ckpt_long(io, &e->evaluations);
    lr_ckpt_long(io, &e->hv_products);
  }
}

/* The backend's vectors, after the host state. */
static logreg_status vectors_io(logreg_trainer *t, lr_ckpt_io *io, logreg_error *err) {
  lr_backend *be = t->be;
  int nvec = be->nvec;
  lr_ckpt_int(io, &nvec);
  if (io->bad || nvec != be->nvec) {
    io->bad = 1;
    return LOGREG_OK;
  }
  /* A float32 backend that L-BFGS switched to double (set_precise) holds its vectors in
   * double: switched again before they are written back. A backend without the mode (cpu)
   * computes in double anyway. */
  int precise = be->ops->set_precise && !be->float32;
  lr_ckpt_int(io, &precise);
  if (io->bad) return LOGREG_OK;
  if (io->reading && precise && be->ops->set_precise && be->float32) {
    logreg_status pst = be->ops->set_precise(be, err);
    if (pst) return pst;
  }
  double *v = malloc(be->nparam * sizeof *v);
  if (!v) return lr_fail(err, LOGREG_ENOMEM, "out of memory");
  logreg_status st = LOGREG_OK;
  for (int i = 0; i < nvec && !st && !io->bad; i++) {
    if (!io->reading) st = be->ops->vec_read(be, i, v, err);
    if (!st) lr_ckpt_f64s(io, v, be->nparam);
    if (!st && io->reading && !io->bad) st = be->ops->vec_write(be, i, v, err);
  }
  free(v);
  return st;
}

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

logreg_status lr_checkpoint_state(logreg_trainer *t, lr_ckpt_io *io, logreg_error *err) {
  io->reading = 0;
  io->len = io->pos = 0;
  io->bad = 0;
  io->version = t->sol.batch_done ? 2 : 1;
  unsigned char head[CKPT_HEADER] = {0};
  lr_ckpt_bytes(io, head, sizeof head); /* filled in below */
  uint64_t oh = lr_options_hash(t->p), dh = t->data_hash;
  char pathname[16] = {0};
  snprintf(pathname, sizeof pathname, "%s", t->be->path.path);
  lr_ckpt_u64(io, &oh);
  lr_ckpt_u64(io, &dh);
  lr_ckpt_bytes(io, pathname, sizeof pathname);
  trainer_io(t, io);
  logreg_status st = vectors_io(t, io, err);
  if (st) return st;
  if (io->bad) return lr_fail(err, LOGREG_ENOMEM, "out of memory for the checkpoint");
  memcpy(io->buf, CKPT_MAGIC, 8);
  put_u32(io->buf + 8, (uint32_t)io->version);
  put_u32(io->buf + 12, 0);
  put_u64(io->buf + 16, (uint64_t)(io->len - CKPT_HEADER));
  return LOGREG_OK;
}

logreg_status lr_checkpoint_write(const logreg_trainer *t, const lr_ckpt_io *state,
                                  const char *path, logreg_error *err) {
  /* A second SIGINT or SIGTERM (the caller's handler exits at once) waits until the file is
   * whole and renamed: a checkpoint is either the old one or the new one. */
  sigset_t block, old;
  int masked = 0;
  if (t->p->stop_request) {
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

logreg_status lr_checkpoint_save(logreg_trainer *t, const char *path, logreg_error *err) {
  lr_ckpt_io io = {0};
  logreg_status st = lr_checkpoint_state(t, &io, err);
  if (!st) st = lr_checkpoint_write(t, &io, path, err);
  free(io.buf);
  return st;
}

void lr_checkpoint_in_memory(const lr_ckpt_io *state, lr_ckpt_file *f) {
  memset(f, 0, sizeof *f);
  f->data = state->buf;
  f->version = state->version;
  f->len = state->len;
  f->data_hash = get_u64(state->buf + CKPT_HEADER + 8);
  memcpy(f->path, state->buf + CKPT_HEADER + 16, sizeof f->path);
  f->path[sizeof f->path - 1] = '\0';
  f->pos = CKPT_HEADER + 32;
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
                   "--lr, --epochs, --batch-size, --l2/--C, --tol, --patience, --seed, ... must "
                   "be those of the run that wrote it)",
                   path);
  }
  f->data = b;
  f->version = (int)version;
  f->len = len - 8;
  f->data_hash = get_u64(b + CKPT_HEADER + 8);
  memcpy(f->path, b + CKPT_HEADER + 16, sizeof f->path);
  f->path[sizeof f->path - 1] = '\0';
  f->pos = CKPT_HEADER + 32;
  return LOGREG_OK;
}

logreg_status lr_checkpoint_restore(logreg_trainer *t, const char *path, const lr_ckpt_file *f,
                                    logreg_error *err) {
  if (f->data_hash != t->data_hash)
    return lr_fail(err, LOGREG_EINVAL,
                   "%s: the checkpoint was written for other data (the training and validation "
                   "rows, their weights and scaling must be the same)",
                   path);
  lr_ckpt_io io = {
      .reading = 1, .buf = f->data, .len = f->len, .pos = f->pos, .version = f->version};
  trainer_io(t, &io);
  logreg_status st = vectors_io(t, &io, err);
  if (st) return st;
  if (io.bad || io.pos != io.len)
    return lr_fail(err, LOGREG_EPARSE,
                   "%s: the checkpoint's state does not fit this run (another logreg build?)",
                   path);
  return LOGREG_OK;
}
