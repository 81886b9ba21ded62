/* mpi: the launch hook. A process an MPI launcher started calls MPI_Init
 * before any command; rank 0 goes on to the command (finalizing at exit),
 * every other rank serves rank 0 (mpi_server.c). The design is described
 * at the top of mpi.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpi_impl.h"

static void cpuset_list(const cpu_set_t *s, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int i = 0; i < CPU_SETSIZE && o + 24 < len; i++) {
        int j = i;
        if (!CPU_ISSET(i, s))
            continue;
        while (j + 1 < CPU_SETSIZE && CPU_ISSET(j + 1, s))
            j++;
        o += (size_t)snprintf(buf + o, len - o, "%s%d", o ? "," : "", i);
        if (j > i)
            o += (size_t)snprintf(buf + o, len - o, "-%d", j);
        i = j;
    }
}

/* gethostname, printable ASCII only (it lands in JSON and on terminals) */
static void host_name(char *buf, size_t len)
{
    if (gethostname(buf, len - 1) != 0)
        snprintf(buf, len, "?");
    buf[len - 1] = '\0';
    for (char *c = buf; *c; c++)
        if (*c < 0x21 || *c > 0x7e)
            *c = '?';
}

/* ---- the launch hook ----------------------------------------------------- */

/* Rank 0, at exit: release the helpers, finalize. Not in forked children
 * (they _exit, and the pid check would stop them anyway). */
static void finish(void)
{
    struct mpi_cmd q;
    if (!cbmpi.active || getpid() != cbmpi.owner)
        return;
    memset(&q, 0, sizeof q);
    q.type = CMD_QUIT;
    for (int r = 1; r < cbmpi.size; r++)
        MPI_Send(&q, MPI_CMD_BYTES(0), MPI_BYTE, r, TAG_CMD, MPI_COMM_WORLD);
    free(cbmpi.about);
    cbmpi.about = NULL;
    cbmpi.active = 0;
    MPI_Finalize();
}

int cbmpi_launched(int argc, char **argv,
                   const struct cb_exec_host *host)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK",
                                       "PMI_RANK"};
    cpu_set_t s;
    int provided = 0, len = 0, v, sv, rc;
    (void)argc;
    (void)argv;

    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *x = getenv(vars[i]);
        cbmpi.launched |= x && *x;
    }
    if (!cbmpi.launched)
        return CB_EXEC_CONTINUE;
    cbmpi.hostsvc = host;
    if (sched_getaffinity(0, sizeof s, &s) == 0)
        cpuset_list(&s, cbmpi.bound, sizeof cbmpi.bound);
    rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (rc != MPI_SUCCESS)
        return CB_EXEC_CONTINUE; /* available() says so */
    cbmpi.active = 1;
    cbmpi.owner = getpid();
    MPI_Comm_rank(MPI_COMM_WORLD, &cbmpi.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &cbmpi.size);
    host_name(cbmpi.host, sizeof cbmpi.host);
    MPI_Get_library_version(cbmpi.library, &len);
    cbmpi.library[len > 0 && len < (int)sizeof cbmpi.library ? len : 0] = '\0';
    cbmpi.library[strcspn(cbmpi.library, "\n")] = '\0';
    MPI_Get_version(&v, &sv);
    snprintf(cbmpi.standard, sizeof cbmpi.standard, "%d.%d", v, sv);
    if (cbmpi.rank == 0) {
        atexit(finish);
        return CB_EXEC_CONTINUE;
    }
    rc = cbmpi_serve();
    cbmpi.active = 0;
    MPI_Finalize();
    return rc;
}
