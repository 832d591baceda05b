/* test_file.c: lr_read_file (util/file.h), the one whole-file reader of the data readers, the
 * model loader and the OpenCL kernel folder: exact contents plus a NUL, the empty file, the
 * errors (missing, a folder, over the size limit), and a stream of unknown size (a pipe), which
 * must grow past its first buffer and honour the limit too. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "util/file.h"

#define TMP_PREFIX "lr_test_file"

static void regular_files(void) {
  char p[600];
  char *data;
  size_t len;
  logreg_error err;
  const char text[] = "a,b\n1,2\n";
  check_tmp_path(p, sizeof p, TMP_PREFIX, "small.csv");
  check_write_file(p, text, sizeof text - 1);
  CHECK(lr_read_file(p, 0, NULL, &data, &len, &err) == LOGREG_OK);
  CHECK(len == sizeof text - 1);
  CHECK(data && memcmp(data, text, len) == 0 && data[len] == '\0');
  free(data);
  /* A limit equal to the size reads it; one byte less refuses it, naming the content. */
  CHECK(lr_read_file(p, len, "a test", &data, &len, &err) == LOGREG_OK);
  free(data);
  CHECK(lr_read_file(p, sizeof text - 2, "a test", &data, &len, &err) == LOGREG_EINVAL);
  CHECK(data == NULL && len == 0);
  CHECK_STR_CONTAINS(err.message, "small.csv: file is too large for a test (over 7 bytes)");

  check_tmp_path(p, sizeof p, TMP_PREFIX, "empty.csv");
  check_write_file(p, "", 0);
  CHECK(lr_read_file(p, 0, NULL, &data, &len, &err) == LOGREG_OK);
  CHECK(len == 0 && data && data[0] == '\0');
  free(data);

  check_tmp_path(p, sizeof p, TMP_PREFIX, "missing.csv");
  CHECK(lr_read_file(p, 0, NULL, &data, &len, &err) == LOGREG_EIO);
  CHECK(data == NULL && len == 0);
  CHECK_STR_CONTAINS(err.message, p);
  CHECK_STR_CONTAINS(err.message, ": cannot open: ");
  CHECK_STR_CONTAINS(err.message, strerror(ENOENT));

  CHECK(lr_read_file(check_tmp_dir(), 0, NULL, &data, &len, &err) == LOGREG_EIO);
  CHECK(data == NULL);
  CHECK_STR_CONTAINS(err.message, ": cannot read: ");
}

/* Reads `n` bytes (i % 251) written by a child process into a pipe, with limit `max`. */
static logreg_status read_pipe(size_t n, size_t max, char **data, size_t *len, logreg_error *err) {
  int fd[2];
  CHECK(pipe(fd) == 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    close(fd[0]);
    unsigned char buf[4096];
    for (size_t i = 0; i < n;) {
      size_t m = n - i < sizeof buf ? n - i : sizeof buf;
      for (size_t k = 0; k < m; k++) buf[k] = (unsigned char)((i + k) % 251);
      ssize_t w = write(fd[1], buf, m);
      if (w <= 0) _exit(0); /* the reader stopped early (the limit) */
      i += (size_t)w;
    }
    _exit(0);
  }
  close(fd[1]);
  char path[64];
  snprintf(path, sizeof path, "/dev/fd/%d", fd[0]);
  logreg_status st = lr_read_file(path, max, "a pipe test", data, len, err);
  close(fd[0]);
  int status;
  waitpid(pid, &status, 0);
  return st;
}

static void streams(void) {
  char *data;
  size_t len;
  logreg_error err;
  size_t n = 300000; /* several times the first buffer of a stream (64 KiB) */
  CHECK(read_pipe(n, 0, &data, &len, &err) == LOGREG_OK);
  CHECK(len == n && data && data[n] == '\0');
  int same = data != NULL;
  for (size_t i = 0; same && i < n; i++) same = (unsigned char)data[i] == i % 251;
  CHECK(same);
  free(data);
  CHECK(read_pipe(n, 100000, &data, &len, &err) == LOGREG_EINVAL);
  CHECK(data == NULL && len == 0);
  CHECK_STR_CONTAINS(err.message, "file is too large for a pipe test (over 100000 bytes)");
}

int main(void) {
  regular_files();
  streams();
  check_tmp_cleanup(TMP_PREFIX);
  return check_report("test_file");
}
