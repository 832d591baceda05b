/* test_gen.c: the synthetic dataset generators: same seed, same bytes; class counts as gen.h
 * documents; argument errors name the option; tumors data shaped like the real file. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "gen.h"
#include "logreg.h"

static char tmpdir[512];

static const char *tmp(const char *name, char *buf, size_t cap) {
  snprintf(buf, cap, "%s/test_gen_%s", tmpdir, name);
  return buf;
}

static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0, got;
  char *buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n < 2) {
      char *q = realloc(buf, cap * 2);
      if (!q) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = q;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf) buf[n] = '\0';
  if (len) *len = n;
  return buf;
}

static int same_file(const char *a, const char *b) {
  size_t na, nb;
  char *ta = read_all(a, &na), *tb = read_all(b, &nb);
  int same = ta && tb && na == nb && memcmp(ta, tb, na) == 0;
  free(ta);
  free(tb);
  return same;
}

static int temp_files(void) {
  DIR *dir = opendir(tmpdir);
  if (!dir) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)))
    if (strncmp(e->d_name, "test_gen_", 9) == 0 && strstr(e->d_name, ".tmp")) n++;
  closedir(dir);
  return n;
}

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

static double cs_mean(const class_stats *c, size_t j) { return c->sum[j] / (double)c->count; }
static double cs_std(const class_stats *c, size_t j) {
  double m = cs_mean(c, j);
  return sqrt(c->sq[j] / (double)c->count - m * m);
}

static void test_blobs(void) {
  char a[600], b[600], c[600];
  logreg_error err;
  CHECK(lr_gen_blobs(tmp("a.csv", a, sizeof a), 101, 3, 4, 1.5, 7, &err) == LOGREG_OK);
  CHECK(lr_gen_blobs(tmp("b.csv", b, sizeof b), 101, 3, 4, 1.5, 7, &err) == LOGREG_OK);
  CHECK(lr_gen_blobs(tmp("c.csv", c, sizeof c), 101, 3, 4, 1.5, 8, &err) == LOGREG_OK);
  CHECK(same_file(a, b));
  CHECK(!same_file(a, c));

  char *text = read_all(a, NULL);
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
  CHECK(lr_gen_blobs(a, 4000, 2, 2, 0.5, 3, &err) == LOGREG_OK);
  text = read_all(a, NULL);
  memset(cs, 0, sizeof cs);
  CHECK(text && scan_csv(text, 2, 0, cs, 2, &bad) == 4000 && !bad);
  for (size_t k = 0; k < 2; k++) {
    CHECK(cs[k].count == 2000);
    for (size_t j = 0; j < 2; j++) {
      CHECK(cs_std(&cs[k], j) > 0.45 && cs_std(&cs[k], j) < 0.55);
      CHECK(fabs(cs_mean(&cs[k], j)) < 10.1);
    }
  }
  free(text);
  CHECK(temp_files() == 0);
}

static void test_blobs_errors(void) {
  char p[600];
  logreg_error err;
  tmp("err.csv", p, sizeof p);
  CHECK(lr_gen_blobs(p, 0, 2, 2, 1.0, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "--rows");
  CHECK(lr_gen_blobs(p, 10, 0, 2, 1.0, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "--features");
  CHECK(lr_gen_blobs(p, 10, 2, 1, 1.0, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "--classes");
  CHECK(lr_gen_blobs(p, 3, 2, 4, 1.0, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "--rows (3) must be >= --classes (4)");
  CHECK(lr_gen_blobs(p, 10, 2, 2, 0.0, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "--spread");
  CHECK(lr_gen_blobs(p, 10, 2, 2, NAN, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "--spread");
  CHECK(lr_gen_tumors(p, 0, 1, &err) == LOGREG_EINVAL);
  CHECK_STR_CONTAINS(err.message, "--rows");
  FILE *f = fopen(p, "rb");
  CHECK(f == NULL); /* nothing written on failure */
  if (f) fclose(f);

  char bad[700];
  snprintf(bad, sizeof bad, "%s/test_gen_no_such_dir/x.csv", tmpdir);
  CHECK(lr_gen_blobs(bad, 10, 2, 2, 1.0, 1, &err) == LOGREG_EIO);
  CHECK_STR_CONTAINS(err.message, bad);
  CHECK_STR_CONTAINS(err.message, strerror(ENOENT));
  CHECK(lr_gen_tumors(bad, 10, 1, &err) == LOGREG_EIO);
  CHECK_STR_CONTAINS(err.message, bad);
}

static void test_tumors(void) {
  char a[600], b[600];
  logreg_error err;
  CHECK(lr_gen_tumors(tmp("t1.csv", a, sizeof a), 2000, 11, &err) == LOGREG_OK);
  CHECK(lr_gen_tumors(tmp("t2.csv", b, sizeof b), 2000, 11, &err) == LOGREG_OK);
  CHECK(same_file(a, b));
  char *text = read_all(a, NULL);
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
    char *rt = read_all(real, NULL);
    class_stats rs[2];
    memset(rs, 0, sizeof rs);
    CHECK(rt && scan_csv(rt, 2, 1, rs, 2, &bad) == 1000 && !bad);
    free(rt);
    for (size_t c = 0; c < 2; c++)
      for (size_t j = 0; j < 2; j++) {
        CHECK(fabs(cs_mean(&cs[c], j) - cs_mean(&rs[c], j)) < 0.3);
        CHECK(fabs(cs_std(&cs[c], j) / cs_std(&rs[c], j) - 1.0) < 0.15);
      }
    CHECK(fabs((double)rs[1].count / 1000.0 - frac) < 0.03);
  }

  /* A tiny file still has both classes when n allows it. */
  CHECK(lr_gen_tumors(a, 3, 5, &err) == LOGREG_OK);
  text = read_all(a, NULL);
  memset(cs, 0, sizeof cs);
  CHECK(text && scan_csv(text, 2, 1, cs, 2, &bad) == 3 && !bad);
  CHECK(cs[1].count == 2 && cs[0].count == 1);
  free(text);
  CHECK(temp_files() == 0);
}

int main(void) {
  const char *t = getenv("LOGREG_TMP");
  snprintf(tmpdir, sizeof tmpdir, "%s", t && *t ? t : ".");
  test_blobs();
  test_blobs_errors();
  test_tumors();
  return check_report("test_gen");
}
