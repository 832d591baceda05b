/* test_gen.c: the synthetic dataset generators: same seed, same bytes; class counts as logreg.h
 * documents; argument errors name the option; tumors data shaped like the real file. */
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "logreg.h"

#define TMP_PREFIX "test_gen"

/* Per-class row counts, feature sums and squared sums of a generated CSV whose last column is
 * the label (numeric 0..k-1, or benign/malignant when `tumor`). Returns the row count. */
typedef struct class_stats {
  size_t count;
  double sum[4], sq[4];
} class_stats;

static size_t scan_csv(const char *text, size_t d, int tumor, class_stats *cs, size_t k, int *bad) {
  *bad = 0;
  const char *p = strchr(text, '\n');
  size_t rows = 0;
  while (p && p[1]) {
    p++;
    double v[4] = {0, 0, 0, 0};
    char *end;
    for (size_t j = 0; j < d; j++) {
      v[j] = strtod(p, &end);
      if (end == p || *end != ',') {
        *bad = 1;
        return rows;
      }
      p = end + 1;
    }
    size_t label;
    if (tumor) {
      if (strncmp(p, "malignant\n", 10) == 0)
        label = 1;
      else if (strncmp(p, "benign\n", 7) == 0)
        label = 0;
      else {
        *bad = 1;
        return rows;
      }
    } else {
      label = (size_t)strtoul(p, &end, 10);
      if (end == p || *end != '\n' || label >= k) {
        *bad = 1;
        return rows;
      }
    }
    cs[label].count++;
    for (size_t j = 0; j < d && j < 4; j++) {
      cs[label].sum[j] += v[j];
      cs[label].sq[j] += v[j] * v[j];
    }
    rows++;
    p = strchr(p, '\n');
  }
  return rows;
}

/* scan_csv on the file at `path`, into `k` zeroed stats; 0 rows (and *bad set) when the file
 * cannot be read. */
static size_t scan_file(const char *path, size_t d, int tumor, class_stats *cs, size_t k,
                        int *bad) {
  memset(cs, 0, k * sizeof *cs);
  char *text = check_read_file(path, NULL);
  size_t rows = text ? scan_csv(text, d, tumor, cs, k, bad) : 0;
  if (!text) *bad = 1;
  free(text);
  return rows;
}

static double cs_mean(const class_stats *c, size_t j) { return c->sum[j] / (double)c->count; }
static double cs_std(const class_stats *c, size_t j) {
  double m = cs_mean(c, j);
  return sqrt(c->sq[j] / (double)c->count - m * m);
}

static void test_blobs(void) {
  char a[600], b[600], c[600];
  check_tmp_path(a, sizeof a, TMP_PREFIX, "a.csv");
  check_tmp_path(b, sizeof b, TMP_PREFIX, "b.csv");
  check_tmp_path(c, sizeof c, TMP_PREFIX, "c.csv");
  logreg_error err;
  CHECK(logreg_gen_blobs(a, 101, 3, 4, 1.5, 7, &err) == LOGREG_OK);
  CHECK(logreg_gen_blobs(b, 101, 3, 4, 1.5, 7, &err) == LOGREG_OK);
  CHECK(logreg_gen_blobs(c, 101, 3, 4, 1.5, 8, &err) == LOGREG_OK);
  CHECK(check_same_file(a, b));
  CHECK(!check_same_file(a, c));

  char *text = check_read_file(a, NULL);
  CHECK(text != NULL);
  if (!text) return;
  CHECK(strncmp(text, "x0,x1,x2,label\n", 15) == 0);
  class_stats cs[4];
  memset(cs, 0, sizeof cs);
  int bad;
  CHECK(scan_csv(text, 3, 0, cs, 4, &bad) == 101);
  CHECK(!bad);
  /* 101 = 4 * 25 + 1: the first class gets the extra row. */
  CHECK(cs[0].count == 26 && cs[1].count == 25 && cs[2].count == 25 && cs[3].count == 25);
  /* Rows are shuffled, not grouped by class. */
  const char *second = strchr(text, '\n') + 1;
  size_t first_labels[10], same = 0;
  for (int i = 0; i < 10 && second; i++) {
    const char *eol = strchr(second, '\n');
    const char *comma = eol;
    while (comma > second && comma[-1] != ',') comma--;
    first_labels[i] = (size_t)strtoul(comma, NULL, 10);
    if (i && first_labels[i] == first_labels[0]) same++;
    second = eol + 1;
  }
  CHECK(same < 9);
  free(text);

  /* Within-class spread matches --spread; centres lie in [-10, 10]. */
  CHECK(logreg_gen_blobs(a, 4000, 2, 2, 0.5, 3, &err) == LOGREG_OK);
  CHECK(scan_file(a, 2, 0, cs, 2, &bad) == 4000 && !bad);
  for (size_t k = 0; k < 2; k++) {
    CHECK(cs[k].count == 2000);
    for (size_t j = 0; j < 2; j++) {
      CHECK(cs_std(&cs[k], j) > 0.45 && cs_std(&cs[k], j) < 0.55);
      CHECK(fabs(cs_mean(&cs[k], j)) < 10.1);
    }
  }
  CHECK(check_leftover_tmp(TMP_PREFIX, "") == 0);
}

static void test_blobs_errors(void) {
  char p[600];
  logreg_error err;
  check_tmp_path(p, sizeof p, TMP_PREFIX, "err.csv");
  CHECK(logreg_gen_blobs(p, 0, 2, 2, 1.0, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'n'");
  CHECK(logreg_gen_blobs(p, 10, 0, 2, 1.0, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'d'");
  CHECK(logreg_gen_blobs(p, 10, 2, 1, 1.0, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'k'");
  CHECK(logreg_gen_blobs(p, 3, 2, 4, 1.0, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'n' (3) must be >= 'k' (4)");
  CHECK(logreg_gen_blobs(p, 10, 2, 2, 0.0, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'spread'");
  CHECK(logreg_gen_blobs(p, 10, 2, 2, NAN, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'spread'");
  CHECK(logreg_gen_tumors(p, 0, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'n'");
  FILE *f = fopen(p, "rb");
  CHECK(f == NULL); /* nothing written on failure */
  if (f) fclose(f);

  char bad[700];
  check_tmp_path(bad, sizeof bad, TMP_PREFIX, "no_such_dir/x.csv");
  CHECK(logreg_gen_blobs(bad, 10, 2, 2, 1.0, 1, &err) == LOGREG_EIO);
  CHECK_STR_CONTAINS(err.message, bad);
  CHECK_STR_CONTAINS(err.message, strerror(ENOENT));
  CHECK(logreg_gen_tumors(bad, 10, 1, &err) == LOGREG_EIO);
  CHECK_STR_CONTAINS(err.message, bad);
}

static void test_tumors(void) {
  char a[600], b[600];
  check_tmp_path(a, sizeof a, TMP_PREFIX, "t1.csv");
  check_tmp_path(b, sizeof b, TMP_PREFIX, "t2.csv");
  logreg_error err;
  CHECK(logreg_gen_tumors(a, 2000, 11, &err) == LOGREG_OK);
  CHECK(logreg_gen_tumors(b, 2000, 11, &err) == LOGREG_OK);
  CHECK(check_same_file(a, b));
  char *text = check_read_file(a, NULL);
  CHECK(text != NULL);
  if (!text) return;
  CHECK(strncmp(text, "leukocyte_count,blood_pressure,tumor_class\n", 43) == 0);
  class_stats cs[2];
  memset(cs, 0, sizeof cs);
  int bad;
  CHECK(scan_csv(text, 2, 1, cs, 2, &bad) == 2000);
  CHECK(!bad);
  free(text);
  double frac = (double)cs[1].count / 2000.0;
  CHECK(frac > 0.55 && frac < 0.67);
  /* Per-class means near the constants taken from the real file (see gen.c): malignant has
   * the lower leukocyte count and the higher blood pressure. */
  CHECK_CLOSE(cs_mean(&cs[1], 0), 13.20, 0.02);
  CHECK_CLOSE(cs_mean(&cs[1], 1), 15.74, 0.01);
  CHECK_CLOSE(cs_mean(&cs[0], 0), 17.70, 0.02);
  CHECK_CLOSE(cs_mean(&cs[0], 1), 14.73, 0.01);
  CHECK(cs_std(&cs[1], 0) > 1.8 && cs_std(&cs[1], 0) < 2.4);
  CHECK(cs_std(&cs[0], 1) > 0.85 && cs_std(&cs[0], 1) < 1.1);

  /* The same shape as the real data, when the shared folder is here. */
  char buf[600];
  const char *real = shared_path("tumors.csv", buf, sizeof buf);
  if (!real) {
    fprintf(stderr, "note: ../shared/data/tumors.csv absent, real-data comparison skipped\n");
  } else {
    class_stats rs[2];
    CHECK(scan_file(real, 2, 1, rs, 2, &bad) == 1000 && !bad);
    for (size_t c = 0; c < 2; c++)
      for (size_t j = 0; j < 2; j++) {
        CHECK(fabs(cs_mean(&cs[c], j) - cs_mean(&rs[c], j)) < 0.3);
        CHECK(fabs(cs_std(&cs[c], j) / cs_std(&rs[c], j) - 1.0) < 0.15);
      }
    CHECK(fabs((double)rs[1].count / 1000.0 - frac) < 0.03);
  }

  /* A tiny file still has both classes when n allows it. */
  CHECK(logreg_gen_tumors(a, 3, 5, &err) == LOGREG_OK);
  CHECK(scan_file(a, 2, 1, cs, 2, &bad) == 3 && !bad);
  CHECK(cs[1].count == 2 && cs[0].count == 1);
  CHECK(check_leftover_tmp(TMP_PREFIX, "") == 0);
}

/* logreg_gen_gaussian: the same data at any thread count (blocks of rows have their own
 * streams), another seed other data, labels in range with the per-class signal (+1 on the
 * features j with j % k == label), the documented names, and argument errors naming the
 * option. 10000 x 5 x 3 spans three 4096-row blocks. */
static void test_gaussian(void) {
  size_t n = 10000, d = 5, k = 3;
  logreg_dataset *a = NULL, *b = NULL, *c = NULL;
  logreg_error err;
  CHECK(logreg_gen_gaussian(n, d, k, 42, 1, &a, &err) == LOGREG_OK);
  CHECK(logreg_gen_gaussian(n, d, k, 42, 3, &b, &err) == LOGREG_OK);
  CHECK(logreg_gen_gaussian(n, d, k, 43, 1, &c, &err) == LOGREG_OK);
  if (!a || !b || !c) goto done;
  CHECK(logreg_dataset_rows(a) == n && logreg_dataset_features(a) == d);
  CHECK(logreg_dataset_classes(a) == k);
  CHECK(memcmp(logreg_dataset_x(a), logreg_dataset_x(b), n * d * sizeof(float)) == 0);
  CHECK(memcmp(logreg_dataset_y(a), logreg_dataset_y(b), n * sizeof(int32_t)) == 0);
  CHECK(memcmp(logreg_dataset_x(a), logreg_dataset_x(c), n * d * sizeof(float)) != 0);
  CHECK(strcmp(logreg_dataset_class_name(a, 2), "2") == 0);
  CHECK(strcmp(logreg_dataset_feature_name(a, 4), "x4") == 0);
  const float *x = logreg_dataset_x(a);
  const int32_t *y = logreg_dataset_y(a);
  double on = 0, off = 0;
  size_t n_on = 0, n_off = 0, count[3] = {0, 0, 0};
  for (size_t i = 0; i < n; i++) {
    CHECK(y[i] >= 0 && (size_t)y[i] < k);
    count[y[i]]++;
    for (size_t j = 0; j < d; j++) {
      if (j % k == (size_t)y[i])
        on += x[i * d + j], n_on++;
      else
        off += x[i * d + j], n_off++;
    }
  }
  /* Means 1 and 0 within 0.05 (about 8 standard errors); each class near a third. */
  CHECK(fabs(on / (double)n_on - 1.0) < 0.05 && fabs(off / (double)n_off) < 0.05);
  for (size_t q = 0; q < k; q++) CHECK(count[q] > 3000 && count[q] < 3700);
done:
  logreg_dataset_free(a);
  logreg_dataset_free(b);
  logreg_dataset_free(c);
  logreg_dataset *e = NULL;
  CHECK(logreg_gen_gaussian(0, 2, 2, 1, 0, &e, &err) == LOGREG_EINVAL && e == NULL);
  CHECK_STR_CONTAINS(err.message, "'n'");
  CHECK(logreg_gen_gaussian(10, 0, 2, 1, 0, &e, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'d'");
  CHECK(logreg_gen_gaussian(10, 2, 1, 1, 0, &e, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "'k'");
}

int main(void) {
  test_gaussian();
  test_blobs();
  test_blobs_errors();
  test_tumors();
  check_tmp_cleanup(TMP_PREFIX);
  return check_report("test_gen");
}
