/* group.h: `logreg train` under mpirun: the processes of one training run (MPI ranks), for
 * the CLI only. The library takes the exchange of sums as a function (logreg_shard); this is
 * where that function meets MPI, where the ranks agree that every one of them read its data,
 * and where rank 0 alone is made to speak. Built without MPI (LOGREG_HAVE_MPI unset), or
 * started without mpirun, a group is one process and every call here is a no-op. */
#ifndef LOGREG_CLI_GROUP_H
#define LOGREG_CLI_GROUP_H

#include "logreg.h"

typedef struct cli_group {
  int rank, size;     /* 0 and 1 outside mpirun */
  int local_rank;     /* the rank among the processes of this node (--device auto) */
  int active;         /* MPI was initialized here (and is finalized by cli_group_end) */
  int agreed;         /* cli_group_agree was called */
  int ready;          /* ... and every rank was ready to train */
  logreg_shard shard; /* what logreg_params.shard points to when size > 1 */
  char error[512];    /* a rank other than 0: its first error line, kept for the agreement */
} cli_group;

/* Starts MPI when the process was launched by mpirun (OMPI_COMM_WORLD_SIZE or PMI_SIZE set)
 * and the CLI was built with MPI. A rank other than 0 then keeps its error lines (cli_error)
 * for cli_group_agree and prints no warnings. Returns 0, or a CLI exit code after an error. */
int cli_group_start(cli_group *g, int *argc, char ***argv);
/* Finalizes MPI if cli_group_start started it. */
void cli_group_end(cli_group *g);
/* Collective: every rank calls it once (g->agreed then says so), with its exit code so far
 * (0: ready to train). Returns
 * 0 when every rank is ready; else the first failing rank's code on every rank, rank 0 having
 * printed that rank's error line (its own line was printed already when it is rank 0). */
int cli_group_agree(cli_group *g, int rc);

#endif
