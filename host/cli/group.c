/* group.c: the processes of one `logreg train` under mpirun (see group.h). */
#include "group.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#ifdef LOGREG_HAVE_MPI
#include <mpi.h>

/* logreg_shard.allgather over MPI_COMM_WORLD: every rank's n doubles, in rank order; the library
 * adds them in that order, so the sum does not depend on how MPI would have reduced them. */
static int group_allgather(void *user, const double *in, size_t n, double *out) {
  (void)user;
  if (n > (size_t)0x7fffffff) return -1;
  return MPI_Allgather(in, (int)n, MPI_DOUBLE, out, (int)n, MPI_DOUBLE, MPI_COMM_WORLD) ==
                 MPI_SUCCESS
             ? 0
             : -1;
}
#endif

int cli_group_start(cli_group *g, int *argc, char ***argv) {
  memset(g, 0, sizeof *g);
  g->size = 1;
#ifdef LOGREG_HAVE_MPI
  /* Outside mpirun, no MPI_Init: a singleton start costs time and may print about a missing
   * launcher. mpirun (Open MPI) sets OMPI_COMM_WORLD_SIZE; other launchers PMI_SIZE. */
  const char *s = getenv("OMPI_COMM_WORLD_SIZE");
  if (!s || !*s) s = getenv("PMI_SIZE");
  if (!s || !*s) return 0;
  if (MPI_Init(argc, argv) != MPI_SUCCESS) return cli_error(CLI_EXIT_ERROR, "MPI_Init failed");
  g->active = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &g->rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g->size);
  MPI_Comm node;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g->rank, MPI_INFO_NULL, &node) ==
      MPI_SUCCESS) {
    MPI_Comm_rank(node, &g->local_rank);
    MPI_Comm_free(&node);
  }
  g->shard = (logreg_shard){
      .rank = g->rank, .size = g->size, .local_rank = g->local_rank, .allgather = group_allgather};
  if (g->rank != 0) cli_error_capture(g->error, sizeof g->error);
#else
  (void)argc;
  (void)argv;
#endif
  return 0;
}

void cli_group_end(cli_group *g) {
#ifdef LOGREG_HAVE_MPI
  if (g->active) MPI_Finalize();
#endif
  g->active = 0;
}

int cli_group_agree(cli_group *g, int rc) {
  g->agreed = 1;
#ifdef LOGREG_HAVE_MPI
  if (!g->active || g->size < 2) return rc;
  int *codes = malloc((size_t)g->size * sizeof *codes);
  if (!codes || MPI_Allgather(&rc, 1, MPI_INT, codes, 1, MPI_INT, MPI_COMM_WORLD) != MPI_SUCCESS) {
    free(codes);
    MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_ERROR); /* cannot agree: stop the whole job */
    return CLI_EXIT_ERROR;
  }
  int first = -1;
  for (int r = 0; r < g->size && first < 0; r++)
    if (codes[r] != 0) first = r;
  int code = first < 0 ? 0 : codes[first];
  g->ready = first < 0;
  free(codes);
  if (first > 0) {
    char line[sizeof g->error];
    if (g->rank == first) memcpy(line, g->error, sizeof line);
    MPI_Bcast(line, (int)sizeof line, MPI_CHAR, first, MPI_COMM_WORLD);
    line[sizeof line - 1] = '\0';
    if (g->rank == 0) {
      cli_error_capture(NULL, 0);
      cli_error(code, "rank %d of %d: %s", first, g->size,
                line[0] ? line : "failed before training (no message)");
    }
  }
  return code;
#else
  (void)g;
  return rc;
#endif
}
