/* test_shard.c: data-parallel training through logreg_params.shard without MPI: R threads
 * play R processes, their allgather a barrier over shared slots. Every thread must end with
 * the same model, bit for bit, and that model's objective must equal one process's within
 * rounding (the same sums added in another order), for full-batch L-BFGS and GD, Newton
 * (Hessian-vector products are exchanged too), and Adam on shuffled mini-batches, including
 * batches of one row, where all but one process hold none of the batch's rows. Fewer rows than
 * processes is an error, and so is a set-up that fails on one process (on every process). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model/model.h"
#include "util/util.h"

enum { MAX_RANKS = 4 };

typedef struct group {
  pthread_barrier_t bar;
  const double *in[MAX_RANKS];
  int size;
} group;

typedef struct rank_ctx {
  group *g;
  logreg_shard shard;
  const logreg_dataset *ds;
  logreg_params p;
  logreg_model *m;
  logreg_train_result res;
  logreg_status st;
  logreg_error err;
} rank_ctx;

static int thread_allgather(void *user, const double *in, size_t n, double *out) {
  rank_ctx *c = user;
  group *g = c->g;
  g->in[c->shard.rank] = in;
  pthread_barrier_wait(&g->bar);
  for (int r = 0; r < g->size; r++) memcpy(out + (size_t)r * n, g->in[r], n * sizeof *out);
  pthread_barrier_wait(&g->bar); /* nobody reuses `in` before every copy is done */
  return 0;
}

static void *run_rank(void *arg) {
  rank_ctx *c = arg;
  c->p.shard = &c->shard;
  c->st = logreg_train(c->ds, NULL, &c->p, &c->m, &c->res, &c->err);
  if (c->st) fprintf(stderr, "rank %d: %s\n", c->shard.rank, c->err.message);
  return NULL;
}

/* A small noisy problem: n rows, d features, k classes. */
static logreg_dataset *noisy(size_t n, size_t d, size_t k, uint64_t seed) {
  float *x = malloc(n * d * sizeof *x);
  int32_t *y = malloc(n * sizeof *y);
  lr_rng r;
  lr_rng_seed(&r, seed);
  for (size_t i = 0; i < n; i++) {
    double z = 0;
    for (size_t j = 0; j < d; j++) {
      x[i * d + j] = (float)(lr_rng_normal(&r) + (double)j);
      z += x[i * d + j] * (double)(j % 3) - (double)j;
    }
    y[i] = (int32_t)((z > 0) + (z > 2) + (lr_rng_uniform(&r) < 0.2)) % (int32_t)k;
  }
  logreg_dataset *ds = NULL;
  logreg_dataset_from_arrays(n, d, x, y, k, NULL, NULL, &ds, NULL);
  free(x);
  free(y);
  return ds;
}

/* Trains with `size` threads; checks agreement among them and against one process. */
static void check_group(const logreg_dataset *ds, const logreg_params *p, int size,
                        const char *what) {
  logreg_model *one = NULL;
  logreg_train_result r1;
  logreg_error err;
  CHECK(logreg_train(ds, NULL, p, &one, &r1, &err) == LOGREG_OK);
  group g;
  g.size = size;
  pthread_barrier_init(&g.bar, NULL, (unsigned)size);
  rank_ctx c[MAX_RANKS];
  pthread_t th[MAX_RANKS];
  for (int r = 0; r < size; r++) {
    c[r] = (rank_ctx){
        &g, {r, size, thread_allgather, &c[r], 0}, ds, *p, NULL, {0}, LOGREG_OK, {LOGREG_OK, ""}};
    CHECK(pthread_create(&th[r], NULL, run_rank, &c[r]) == 0);
  }
  for (int r = 0; r < size; r++) pthread_join(th[r], NULL);
  pthread_barrier_destroy(&g.bar);
  for (int r = 0; r < size; r++) CHECK(c[r].st == LOGREG_OK);
  if (c[0].st == LOGREG_OK && one) {
    size_t nw = one->d * lr_model_kw(one);
    fprintf(stderr, "%s, R = %d: J %.17g, one process %.17g (%d and %d epochs)\n", what, size,
            c[0].res.objective, r1.objective, c[0].res.epochs_run, r1.epochs_run);
    CHECK_CLOSE(c[0].res.objective, r1.objective, 1e-12);
    CHECK(c[0].res.epochs_run == r1.epochs_run);
    for (int r = 1; r < size; r++) {
      if (c[r].st != LOGREG_OK) continue;
      CHECK(memcmp(c[r].m->w, c[0].m->w, nw * sizeof *c[0].m->w) == 0);
      CHECK(memcmp(c[r].m->b, c[0].m->b, lr_model_kw(one) * sizeof *c[0].m->b) == 0);
      CHECK(c[r].res.objective == c[0].res.objective);
    }
    for (size_t q = 0; q < nw; q++) CHECK_CLOSE(c[0].m->w[q], one->w[q], 1e-8);
  }
  for (int r = 0; r < size; r++) logreg_model_free(c[r].m);
  logreg_model_free(one);
}

int main(void) {
  logreg_dataset *ds = noisy(203, 5, 3, 7);
  logreg_params p;
  logreg_params_init(&p);
  p.device = "cpu";
  p.C = 1.0;
  p.optimizer = LOGREG_OPTIMIZER_LBFGS;
  p.epochs = 50;
  check_group(ds, &p, 2, "lbfgs");
  check_group(ds, &p, 3, "lbfgs");
  p.optimizer = LOGREG_OPTIMIZER_NEWTON;
  check_group(ds, &p, 3, "newton");
  p.optimizer = LOGREG_OPTIMIZER_GD;
  p.lr = 0.5;
  p.epochs = 40;
  check_group(ds, &p, 2, "gd");
  p.optimizer = LOGREG_OPTIMIZER_ADAM;
  p.lr = 0.01;
  p.epochs = 5;
  p.batch_size = 16;
  check_group(ds, &p, 2, "adam, batch 16");
  p.batch_size = 1; /* most batches have no row on two of the three */
  p.epochs = 2;
  check_group(ds, &p, 3, "adam, batch 1");

  /* A set-up that fails on one process only (rank 1's device does not exist): every process
   * stops with an error instead of waiting in an exchange, and the others name rank 1. The
   * OpenCL platforms are listed here first, in the main thread: PoCL's LLVM installs its own
   * alternate signal stack (a heap block) in the first thread that initializes it, and under
   * AddressSanitizer a worker thread that exits with it fails in ASan's thread teardown
   * ("failed to deallocate ... unable to unmap"), which is not this test's subject. */
  {
    logreg_device_info *list = NULL;
    size_t count = 0;
    logreg_error derr;
    if (logreg_devices_list(NULL, &list, &count, &derr) == LOGREG_OK) logreg_devices_free(list);
    group g;
    g.size = 2;
    pthread_barrier_init(&g.bar, NULL, 2);
    rank_ctx c[2];
    pthread_t th[2];
    p.optimizer = LOGREG_OPTIMIZER_LBFGS;
    p.batch_size = 0;
    for (int r = 0; r < 2; r++) {
      c[r] = (rank_ctx){
          &g, {r, 2, thread_allgather, &c[r], 0}, ds, p, NULL, {0}, LOGREG_OK, {LOGREG_OK, ""}};
      c[r].p.device = r == 1 ? "opencl:9:9" : "cpu";
      CHECK(pthread_create(&th[r], NULL, run_rank, &c[r]) == 0);
    }
    for (int r = 0; r < 2; r++) pthread_join(th[r], NULL);
    pthread_barrier_destroy(&g.bar);
    CHECK(c[0].st != LOGREG_OK && c[1].st != LOGREG_OK && c[0].st == c[1].st);
    CHECK(!c[0].m && !c[1].m);
    CHECK_STR_CONTAINS(c[0].err.message, "rank 1 of 2: ");
  }
  logreg_dataset_free(ds);

  /* Fewer rows than processes: an error on every one, no model. */
  ds = noisy(3, 2, 2, 1);
  {
    group g;
    g.size = 4;
    pthread_barrier_init(&g.bar, NULL, 4);
    rank_ctx c[4];
    pthread_t th[4];
    for (int r = 0; r < 4; r++) {
      c[r] = (rank_ctx){
          &g, {r, 4, thread_allgather, &c[r], 0}, ds, p, NULL, {0}, LOGREG_OK, {LOGREG_OK, ""}};
      CHECK(pthread_create(&th[r], NULL, run_rank, &c[r]) == 0);
    }
    for (int r = 0; r < 4; r++) pthread_join(th[r], NULL);
    pthread_barrier_destroy(&g.bar);
    for (int r = 0; r < 4; r++) {
      CHECK(c[r].st == LOGREG_EINVAL && !c[r].m);
      CHECK_STR_CONTAINS(c[r].err.message, "cannot be shared by 4 processes");
    }
  }
  logreg_dataset_free(ds);
  return check_failures_ ? 1 : 0;
}
