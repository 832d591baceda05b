/* test_native.c: the native CPU backend (backend/native.c) held to the cpu reference.
 *
 * Parity, through the backend interface, for every kernel variant this CPU runs (generic C,
 * AVX2, AVX-512), on random data of several shapes: binary (pos_weight 1 and 2.5) and
 * multinomial, D not a multiple of the vector width (1, 7, 13, 70, 1030: more than a block),
 * N not a multiple of the block, sample weights (some zero), a shuffled row order with ranged
 * evaluations, the sums alone and the gradient alone (the binary one-sweep kernels skip a part),
 * dense and CSR rows. Quantities and their bounds (ggml's test-backend-ops style:
 * NaN/Inf rejected first, then an error bound per quantity):
 *
 *   wloss, loss, s            1e-13 relative   double sums of at most 2500 terms in another
 *                                              order, each term by the same formulas from
 *                                              logits that differ in the last bits (AVX2,
 *                                              AVX-512: exp, log1p within 2 ulp, p = e (1 /
 *                                              sum)): the reordering bound n eps ~ 5e-13 is
 *                                              the worst case, rounding errors add like a
 *                                              random walk (~1e-15)
 *   correct, rows             exact            the counts; the random logits have no near ties
 *   gradient, Hv, hdiag,      1e-12 of the     each entry is a reordered double sum (lanes of
 *   grid gsum                 largest entry    the vector units, blocks, parts) of n terms
 *                                              whose size is about the largest entry's / sqrt(n)
 *
 * Determinism: the same evaluation twice, and at 1, 2 and 3 threads, gives identical bits
 * (memcmp): the rows' parts do not depend on the thread count.
 *
 * End to end: logreg_train with every optimizer on native against cpu on a generated 600 x 6
 * table with 3 classes (and --binary): objective within 1e-9 relative (the per-evaluation
 * differences of ~1e-15 grow over the 30 epochs of a first-order method or the iterations of
 * L-BFGS and Newton, but stay many orders below), and the device and backend named. The
 * optimum on native against scikit-learn is tests/test_optimum.c's. */
#include <stdlib.h>

#include "backend/device.h"
#include "backend/native.h"
#include "check.h"
#include "data/dataset.h"
#include "util/util.h"
#include "vecs.h"

typedef struct shape {
  size_t n, d, k;
  int binary;
  double pos_weight;
} shape;

typedef struct data {
  size_t n, d;
  float *x, *s;
  int32_t *y;
  /* the same rows as CSR (about 60% of x set to zero first) */
  int64_t *indptr;
  int32_t *indices;
  float *values;
  float *xs; /* the densified CSR rows */
} data;

static double worst_rel; /* the largest relative error measured (printed) */
static double worst_vec; /* the largest vector error measured, relative to the largest entry */

static void make_data(const shape *sh, uint64_t seed, data *dt) {
  lr_rng r;
  lr_rng_seed(&r, seed);
  size_t n = sh->n, d = sh->d, nd = n * d;
  dt->n = n, dt->d = d;
  dt->x = malloc((nd ? nd : 1) * sizeof *dt->x);
  dt->xs = malloc((nd ? nd : 1) * sizeof *dt->xs);
  dt->s = malloc(n * sizeof *dt->s);
  dt->y = malloc(n * sizeof *dt->y);
  dt->indptr = malloc((n + 1) * sizeof *dt->indptr);
  dt->indices = malloc((nd ? nd : 1) * sizeof *dt->indices);
  dt->values = malloc((nd ? nd : 1) * sizeof *dt->values);
  for (size_t i = 0; i < nd; i++) dt->x[i] = (float)lr_rng_normal(&r);
  for (size_t i = 0; i < n; i++) {
    dt->y[i] = (int32_t)lr_rng_below(&r, sh->k);
    dt->s[i] = i % 17 == 5 ? 0.0f : (float)(0.5 + 1.5 * lr_rng_uniform(&r));
  }
  size_t e = 0;
  dt->indptr[0] = 0;
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < d; j++) {
      float v = lr_rng_uniform(&r) < 0.6 ? 0.0f : dt->x[i * d + j];
      dt->xs[i * d + j] = v;
      if (v != 0.0f) dt->indices[e] = (int32_t)j, dt->values[e++] = v;
    }
    dt->indptr[i + 1] = (int64_t)e;
  }
}

static void free_data(data *dt) {
  free(dt->x), free(dt->xs), free(dt->s), free(dt->y);
  free(dt->indptr), free(dt->indices), free(dt->values);
}

static int finite_all(const double *v, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i])) return 0;
  return 1;
}

/* max |a - b| / max |b| <= bound (and no NaN or Inf in a). */
static void check_vec(const char *what, const double *a, const double *b, size_t n, double bound) {
  CHECK(finite_all(a, n));
  double num = 0, den = 0;
  for (size_t i = 0; i < n; i++) num = fmax(num, fabs(a[i] - b[i])), den = fmax(den, fabs(b[i]));
  double e = den > 0 ? num / den : num;
  worst_vec = fmax(worst_vec, e);
  if (!(e <= bound)) fprintf(stderr, "%s: error %.3g above %.3g\n", what, e, bound);
  CHECK(e <= bound);
}

static void check_rel(const char *what, double a, double b, double bound) {
  CHECK(isfinite(a));
  double e = fabs(a - b) / fmax(fabs(b), 1e-300);
  if (b == 0 && a == 0) e = 0;
  worst_rel = fmax(worst_rel, e);
  if (!(e <= bound)) fprintf(stderr, "%s: %.17g against %.17g (%.3g)\n", what, a, b, e);
  CHECK(e <= bound);
}

static void check_sums(const char *what, const lr_sums *a, const lr_sums *b) {
  check_rel(what, a->wloss, b->wloss, 1e-13);
  check_rel(what, a->loss, b->loss, 1e-13);
  check_rel(what, a->s, b->s, 1e-13);
  CHECK(a->correct == b->correct);
  CHECK(a->rows == b->rows);
}

static void set_rows(lr_backend *be, const data *dt, int csr) {
  logreg_error err;
  if (csr)
    CHECK(be->ops->set_data_csr(be, LR_SLOT_TRAIN, dt->indptr, dt->indices, dt->values, dt->y,
                                dt->s, dt->n, &err) == LOGREG_OK);
  else
    CHECK(be->ops->set_data(be, LR_SLOT_TRAIN, dt->x, dt->y, dt->s, dt->n, &err) == LOGREG_OK);
}

/* Every quantity of the backend on `nat` (its kernel variant set) against `ref` (cpu), both
 * holding dt's rows (dense or CSR) and the same theta. */
static void compare(lr_backend *nat, lr_backend *ref, const data *dt, lr_rng *r) {
  size_t np = ref->nparam, n = dt->n;
  double *a = malloc(np * sizeof *a), *b = malloc(np * sizeof *b), *v = malloc(np * sizeof *v);
  logreg_error err;
  lr_sums sa, sb;
  /* Whole slot, file order. */
  CHECK(nat->ops->sums(nat, LR_SLOT_TRAIN, 0, n, 3, &sa, &err) == LOGREG_OK);
  CHECK(ref->ops->sums(ref, LR_SLOT_TRAIN, 0, n, 3, &sb, &err) == LOGREG_OK);
  check_sums("sums", &sa, &sb);
  nat->ops->vec_read(nat, LR_VEC_GSUM, a, &err);
  ref->ops->vec_read(ref, LR_VEC_GSUM, b, &err);
  check_vec("gradient sums", a, b, np, 1e-12);
  /* The sums alone, then the gradient alone (the binary one-sweep kernels skip a part). */
  CHECK(nat->ops->sums(nat, LR_SLOT_TRAIN, 0, n, LR_WANT_SUMS, &sa, &err) == LOGREG_OK);
  check_sums("sums alone", &sa, &sb);
  CHECK(nat->ops->sums(nat, LR_SLOT_TRAIN, 0, n, LR_WANT_GRAD, &sa, &err) == LOGREG_OK);
  nat->ops->vec_read(nat, LR_VEC_GSUM, a, &err);
  check_vec("gradient alone", a, b, np, 1e-12);
  /* A ranged evaluation in a shuffled order. */
  uint32_t *order = malloc(n * sizeof *order);
  for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
  for (size_t i = n; i > 1; i--) {
    size_t j = lr_rng_below(r, i);
    uint32_t t = order[i - 1];
    order[i - 1] = order[j], order[j] = t;
  }
  CHECK(nat->ops->set_order(nat, order, &err) == LOGREG_OK);
  CHECK(ref->ops->set_order(ref, order, &err) == LOGREG_OK);
  size_t begin = n / 5, count = n - n / 5 - n / 7;
  CHECK(nat->ops->sums(nat, LR_SLOT_TRAIN, begin, count, 3, &sa, &err) == LOGREG_OK);
  CHECK(ref->ops->sums(ref, LR_SLOT_TRAIN, begin, count, 3, &sb, &err) == LOGREG_OK);
  check_sums("ranged sums", &sa, &sb);
  nat->ops->vec_read(nat, LR_VEC_GSUM, a, &err);
  ref->ops->vec_read(ref, LR_VEC_GSUM, b, &err);
  check_vec("ranged gradient sums", a, b, np, 1e-12);
  /* Out of range: refused. */
  CHECK(nat->ops->sums(nat, LR_SLOT_TRAIN, n - 2, 3, 3, &sa, &err) == LOGREG_EINVAL);
  CHECK(nat->ops->set_order(nat, NULL, &err) == LOGREG_OK);
  CHECK(ref->ops->set_order(ref, NULL, &err) == LOGREG_OK);
  /* Hv along a random direction (twice: the second from the rows' cached factors), the
   * diagonal. */
  int va, vb;
  CHECK(nat->ops->vec_alloc(nat, 2, &va, &err) == LOGREG_OK);
  CHECK(ref->ops->vec_alloc(ref, 2, &vb, &err) == LOGREG_OK);
  for (int rep = 0; rep < 2; rep++) {
    for (size_t t = 0; t < np; t++) v[t] = lr_rng_normal(r);
    nat->ops->vec_write(nat, va, v, &err);
    ref->ops->vec_write(ref, vb, v, &err);
    CHECK(nat->ops->hv(nat, va, va + 1, &err) == LOGREG_OK);
    CHECK(ref->ops->hv(ref, vb, vb + 1, &err) == LOGREG_OK);
    nat->ops->vec_read(nat, va + 1, a, &err);
    ref->ops->vec_read(ref, vb + 1, b, &err);
    check_vec("Hv", a, b, np, 1e-12);
  }
  CHECK(nat->ops->hdiag(nat, va + 1, &err) == LOGREG_OK);
  CHECK(ref->ops->hdiag(ref, vb + 1, &err) == LOGREG_OK);
  nat->ops->vec_read(nat, va + 1, a, &err);
  ref->ops->vec_read(ref, vb + 1, b, &err);
  check_vec("hdiag", a, b, np, 1e-12);
  free(order);
  free(a), free(b), free(v);
}

/* One grid: m models (theta random) with held-out folds held[0..m) over the rows' folds `fold`,
 * on nat against ref; then nat's bits at 1, 2 and 3 threads, and each model's bits alone (a
 * grid of one) against its bits among the m. */
static void grid_case(lr_backend *nat, lr_backend *ref, size_t n, const int32_t *fold, size_t m,
                      const int32_t *held, lr_rng *r) {
  size_t np = ref->nparam;
  double *theta = malloc(m * np * sizeof *theta);
  double *ga = malloc(m * np * sizeof *ga), *gb = malloc(m * np * sizeof *gb);
  double *gt = malloc(m * np * sizeof *gt);
  lr_sums *sa = malloc(2 * m * sizeof *sa), *sb = malloc(2 * m * sizeof *sb);
  lr_sums *st = malloc(2 * m * sizeof *st);
  logreg_error err;
  for (size_t t = 0; t < m * np; t++) theta[t] = 0.3 * lr_rng_normal(r);
  CHECK(nat->ops->grid_sums(nat, fold, m, held, theta, sa, sa + m, ga, &err) == LOGREG_OK);
  CHECK(ref->ops->grid_sums(ref, fold, m, held, theta, sb, sb + m, gb, &err) == LOGREG_OK);
  for (size_t j = 0; j < m; j++) {
    size_t out = 0;
    for (size_t i = 0; i < n; i++) out += fold[i] == held[j];
    check_sums("grid train", &sa[j], &sb[j]);
    check_sums("grid val", &sa[m + j], &sb[m + j]);
    CHECK(sa[j].rows == (double)(n - out) && sa[m + j].rows == (double)out);
  }
  check_vec("grid gradient sums", ga, gb, m * np, 1e-12);
  for (unsigned t = 1; t <= 3; t++) {
    lr_backend_threads(nat, t);
    CHECK(nat->ops->grid_sums(nat, fold, m, held, theta, st, st + m, gt, &err) == LOGREG_OK);
    CHECK(memcmp(sa, st, 2 * m * sizeof *sa) == 0);
    CHECK(memcmp(ga, gt, m * np * sizeof *ga) == 0);
  }
  lr_backend_threads(nat, 0);
  for (size_t j = 0; j < m; j++) {
    CHECK(nat->ops->grid_sums(nat, fold, 1, held + j, theta + j * np, st, st + 1, gt, &err) ==
          LOGREG_OK);
    CHECK(memcmp(&st[0], &sa[j], sizeof *st) == 0 && memcmp(&st[1], &sa[m + j], sizeof *st) == 0);
    CHECK(memcmp(gt, ga + j * np, np * sizeof *gt) == 0);
  }
  free(theta), free(ga), free(gb), free(gt), free(sa), free(sb), free(st);
}

/* grid_sums against the reference's: one model; 3 models (folds 0..2); 7 models over 3 folds
 * (held folds repeated, one with no rows); 70 models over 5 folds (more than one group of
 * models per pass over X); and every row in one fold (a model with no training rows, one with
 * no held-out rows). */
static void compare_grid(lr_backend *nat, lr_backend *ref, size_t n, lr_rng *r) {
  enum { M = 70 };
  int32_t *fold = malloc(n * sizeof *fold), held[M];
  static const int32_t h3[3] = {0, 1, 2}, h7[7] = {2, 0, 1, 9, 1, 0, 2}, h1[2] = {0, 1};
  for (size_t i = 0; i < n; i++) fold[i] = (int32_t)lr_rng_below(r, 3);
  grid_case(nat, ref, n, fold, 1, h3 + 1, r);
  grid_case(nat, ref, n, fold, 3, h3, r);
  grid_case(nat, ref, n, fold, 7, h7, r);
  for (size_t i = 0; i < n; i++) fold[i] = (int32_t)lr_rng_below(r, 5);
  for (int j = 0; j < M; j++) held[j] = j == 33 ? 7 : j % 5;
  grid_case(nat, ref, n, fold, M, held, r);
  for (size_t i = 0; i < n; i++) fold[i] = 0;
  grid_case(nat, ref, n, fold, 2, h1, r);
  free(fold);
}

/* The same bits: twice at one thread count, and at 1, 2 and 3 threads. */
static void same_bits(lr_backend *nat, size_t n) {
  size_t np = nat->nparam;
  double *g0 = malloc(np * sizeof *g0), *g1 = malloc(np * sizeof *g1);
  lr_sums s0, s1;
  logreg_error err;
  lr_backend_threads(nat, 2);
  CHECK(nat->ops->sums(nat, LR_SLOT_TRAIN, 0, n, 3, &s0, &err) == LOGREG_OK);
  nat->ops->vec_read(nat, LR_VEC_GSUM, g0, &err);
  for (unsigned t = 1; t <= 3; t++) {
    for (int rep = 0; rep < 2; rep++) {
      lr_backend_threads(nat, t);
      CHECK(nat->ops->sums(nat, LR_SLOT_TRAIN, 0, n, 3, &s1, &err) == LOGREG_OK);
      nat->ops->vec_read(nat, LR_VEC_GSUM, g1, &err);
      CHECK(memcmp(&s0, &s1, sizeof s0) == 0);
      CHECK(memcmp(g0, g1, np * sizeof *g0) == 0);
    }
  }
  lr_backend_threads(nat, 0);
  free(g0), free(g1);
}

static void parity(const shape *sh, int variant, uint64_t seed) {
  data dt;
  make_data(sh, seed, &dt);
  lr_rng r;
  lr_rng_seed(&r, seed + 1);
  size_t kw = sh->binary ? 1 : sh->k, np = (sh->d + 1) * kw;
  double *theta = malloc(np * sizeof *theta);
  for (size_t t = 0; t < np; t++) theta[t] = 0.4 * lr_rng_normal(&r);
  for (int csr = 0; csr <= 1; csr++) {
    lr_backend *nat = NULL, *ref = NULL;
    logreg_error err;
    CHECK(make_backend("cpu", NULL, sh->d, sh->k, sh->binary, sh->pos_weight, NULL, &nat, &err) ==
          LOGREG_OK);
    CHECK(make_backend("reference", NULL, sh->d, sh->k, sh->binary, sh->pos_weight, NULL, &ref,
                       &err) == LOGREG_OK);
    if (!nat || !ref) return;
    CHECK(nat->kind == LOGREG_BACKEND_CPU && ref->kind == LOGREG_BACKEND_REFERENCE);
    CHECK(lr_native_use_kern(nat, variant, &err) == LOGREG_OK);
    set_rows(nat, &dt, csr);
    set_rows(ref, &dt, csr);
    nat->ops->vec_write(nat, LR_VEC_THETA, theta, &err);
    ref->ops->vec_write(ref, LR_VEC_THETA, theta, &err);
    compare(nat, ref, &dt, &r);
    compare_grid(nat, ref, dt.n, &r);
    same_bits(nat, dt.n);
    lr_backend_destroy(nat);
    lr_backend_destroy(ref);
  }
  free(theta);
  free_data(&dt);
}

/* The kernels' exp and log1p against libm's: within 4e-16 relative (2 ulp) where the result is
 * normal, 1e-320 absolute where it is subnormal; NaN stays NaN. */
static void vector_math(const lr_native_kern *kn) {
  enum { N = 4000 };
  static double v[N + 8], want[N + 8];
  lr_rng r;
  lr_rng_seed(&r, 5);
  static const double xs[] = {0.0,    -0.0,   -1e-300, -0.5,   -0.34657359027997264,
                              -1.0,   -708.3, -708.5,  -744.0, -745.1,
                              -746.0, -800.0};
  size_t n = 0;
  for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) v[n++] = xs[i];
  while (n < N) v[n++] = -800.0 * pow(lr_rng_uniform(&r), 3.0);
  for (size_t i = 0; i < n; i++) want[i] = exp(v[i]);
  kn->vexp(v, n - 3); /* a tail shorter than a vector, too */
  kn->vexp(v + n - 3, 3);
  double worst = 0;
  for (size_t i = 0; i < n; i++) {
    double e = want[i] >= 2.3e-308 ? fabs(v[i] - want[i]) / want[i]
                                   : fabs(v[i] - want[i]) * 4e304; /* 1e-320 absolute */
    worst = fmax(worst, e);
  }
  fprintf(stderr, "%s exp: worst %.3g (relative)\n", kn->isa, worst);
  CHECK(worst <= 4e-16);
  static const double ls[] = {0.0,
                              1e-300,
                              1e-17,
                              1e-8,
                              0.41421356237309492,
                              0.41421356237309503,
                              0.41421356237309515,
                              0.5,
                              1.0,
                              1.0000000000000002,
                              9.0,
                              999.0};
  n = 0;
  for (size_t i = 0; i < sizeof ls / sizeof *ls; i++) v[n++] = ls[i];
  while (n < N) v[n++] = pow(10.0, -30.0 + 33.0 * lr_rng_uniform(&r));
  for (size_t i = 0; i < n; i++) want[i] = log1p(v[i]);
  kn->vlog1p(v, n);
  worst = 0;
  for (size_t i = 0; i < n; i++)
    worst = fmax(worst, want[i] > 0 ? fabs(v[i] - want[i]) / want[i] : fabs(v[i]));
  fprintf(stderr, "%s log1p: worst %.3g (relative)\n", kn->isa, worst);
  CHECK(worst <= 4e-16);
  v[0] = NAN, v[1] = -1.0;
  kn->vexp(v, 2);
  CHECK(isnan(v[0]) && fabs(v[1] - exp(-1.0)) <= 4e-16);
  v[0] = NAN;
  kn->vlog1p(v, 1);
  CHECK(isnan(v[0]));
}

/* One training on `device`: its objective (NAN when it failed). */
static double train_on(const logreg_dataset *ds, const char *device, logreg_optimizer opt,
                       int binary) {
  logreg_params p;
  logreg_params_init(&p);
  p.device = device;
  p.optimizer = opt;
  p.binary = binary;
  p.epochs = 30;
  p.l2 = 1e-3;
  int first_order = opt != LOGREG_OPTIMIZER_LBFGS && opt != LOGREG_OPTIMIZER_NEWTON;
  p.batch_size = first_order && opt != LOGREG_OPTIMIZER_GD ? 32 : 0;
  p.lr = opt == LOGREG_OPTIMIZER_GD ? 0.5 : first_order ? 0.02 : 0;
  logreg_model *m = NULL;
  logreg_train_result res;
  logreg_error err;
  logreg_status st = logreg_train(ds, NULL, &p, &m, &res, &err);
  if (st) fprintf(stderr, "%s on %s: %s\n", logreg_optimizer_name(opt), device, err.message);
  CHECK(st == LOGREG_OK);
  logreg_model_free(m);
  if (st) return NAN;
  CHECK_STR_CONTAINS(res.backend, device);
  CHECK_STR_CONTAINS(res.device, device);
  return res.objective;
}

static void end_to_end(void) {
  logreg_dataset *ds = NULL;
  logreg_error err;
  CHECK(logreg_gen_gaussian(600, 6, 3, 7, 0, &ds, &err) == LOGREG_OK);
  if (!ds) return;
  for (int binary = 0; binary <= 1; binary++) {
    logreg_dataset *use = ds;
    logreg_dataset *two = NULL;
    if (binary) { /* two classes: classes 0 and 1 against 2 */
      size_t n = logreg_dataset_rows(ds), d = logreg_dataset_features(ds);
      int32_t *y = malloc(n * sizeof *y);
      for (size_t i = 0; i < n; i++) y[i] = ds->y[i] == 2;
      CHECK(logreg_dataset_from_arrays(n, d, ds->x, y, 2, NULL, NULL, &two, &err) == LOGREG_OK);
      free(y);
      use = two;
    }
#define OPT_(id, name)                                                                             \
  {                                                                                                \
    double jn = train_on(use, "cpu", LOGREG_OPTIMIZER_##id, binary);                               \
    double jc = train_on(use, "reference", LOGREG_OPTIMIZER_##id, binary);                         \
    fprintf(stderr, "%-8s %s: J cpu %.17g, reference %.17g\n", #name, binary ? "binary" : "multi", \
            jn, jc);                                                                               \
    check_rel(#name, jn, jc, 1e-9);                                                                \
  }
    LOGREG_OPTIMIZER_MAP(OPT_)
#undef OPT_
    logreg_dataset_free(two);
  }
  logreg_dataset_free(ds);
}

int main(void) {
  static const shape shapes[] = {
      {1000, 13, 2, 1, 1.0},  {517, 37, 2, 1, 2.5}, {1000, 21, 10, 0, 1.0},
      {333, 7, 3, 0, 1.0},    {130, 1, 5, 0, 1.0},  {2049, 70, 2, 0, 1.0},
      {300, 1030, 4, 0, 1.0}, {45, 16, 2, 1, 1.0},  {700, 37, 4, 0, 1.0},
  };
  int ran = 0;
  for (int v = 0; v < LR_NATIVE_VARIANTS; v++) {
    const lr_native_kern *k = lr_native_kern_get(v);
    if (!k) {
      fprintf(stderr, "kernel variant %d: not on this CPU\n", v);
      continue;
    }
    ran++;
    vector_math(k);
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++)
      parity(&shapes[i], v, 1000 + 17 * i + (uint64_t)v);
    fprintf(stderr,
            "%s kernels: worst relative error of the scalar sums %.3g, of the vectors %.3g\n",
            k->isa, worst_rel, worst_vec);
  }
  CHECK(ran >= 1);
  end_to_end();
  return check_report("test_native");
}
