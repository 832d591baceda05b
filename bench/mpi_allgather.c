/* mpi_allgather.c: the cost of one exchange of `logreg train` under mpirun: MPI_Allgather of
 * n doubles from every rank (the 5 scalar sums and a gradient of (d + 1) k numbers), then the
 * sum in rank order, as host/solve/objective.c does it. Prints the median and the minimum over
 * the repetitions, after a warm-up. For bench/RESULTS.md's weak-scaling projection.
 * usage: mpirun -np R logreg_mpi_allgather [n (default 7855: Fashion-MNIST's 785 x 10 + 5)]
 *        [repetitions (default 2000)] */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 7855, reps = argc > 2 ? atoi(argv[2]) : 2000;
  if (n < 1 || reps < 1) {
    if (rank == 0) fprintf(stderr, "usage: mpi_allgather [n] [repetitions]\n");
    MPI_Finalize();
    return 2;
  }
  double *in = malloc((size_t)n * sizeof *in),
         *all = malloc((size_t)n * (size_t)size * sizeof *all);
  double *t = malloc((size_t)reps * sizeof *t);
  if (!in || !all || !t) MPI_Abort(MPI_COMM_WORLD, 1);
  for (int i = 0; i < n; i++) in[i] = rank + i * 1e-3;
  double check = 0;
  for (int r = -reps / 10; r < reps; r++) { /* the first tenth warms up */
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    MPI_Allgather(in, n, MPI_DOUBLE, all, n, MPI_DOUBLE, MPI_COMM_WORLD);
    for (int i = 0; i < n; i++) {
      double s = all[i];
      for (int q = 1; q < size; q++) s += all[(size_t)q * (size_t)n + (size_t)i];
      in[i] = s * 1e-9 + rank; /* keep the sum live */
    }
    double dt = MPI_Wtime() - t0;
    if (r >= 0) t[r] = dt;
    check += in[0];
  }
  qsort(t, (size_t)reps, sizeof *t, cmp);
  if (rank == 0)
    printf("ranks %d  doubles %d  allgather+sum: median %.1f us  min %.1f us  (check %g)\n", size,
           n, t[reps / 2] * 1e6, t[0] * 1e6, check);
  free(in);
  free(all);
  free(t);
  MPI_Finalize();
  return 0;
}
