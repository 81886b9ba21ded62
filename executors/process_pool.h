/* Private to process-pool (process_pool.c, the parent; process_pool_worker.c,
 * the worker): the messages on a worker's channel and the worker's entry
 * points. The design is described at the top of process_pool.c. */
#ifndef CB_PROCESS_POOL_H
#define CB_PROCESS_POOL_H

#include <stdint.h>

#include "proc.h"

enum { PP_CALL = 1, PP_RESULT, PP_STATS, PP_HELLO };

struct pp_hdr {
    uint32_t type;  /* PP_* */
    int32_t status; /* hello: 0 or a cb_status */
    uint64_t seq;   /* call/result: chunk index */
    uint64_t lo;    /* call/result: first task of the chunk */
    uint64_t count; /* call/result: tasks in the chunk */
    uint64_t len;   /* payload bytes after the header */
    uint64_t pad_;  /* 48 bytes: keeps call payloads 16-byte aligned */
};

#define PP_HDR ((size_t)sizeof(struct pp_hdr))
#define PP_ALIGN16(x) (((x) + 15) & ~(size_t)15)
/* the fd a spawned worker finds its socket on */
#define PP_SPAWN_FD CB__PROC_CHANNEL_FD
/* sanity bound on one message (a malformed header must not allocate 2^64) */
#define PP_MAX_MSG ((uint64_t)1 << 40)

/* process_pool_worker.c: a forked worker (a cb__proc_child_fn whose arg is
 * the pool's struct cb_exec_config), and `corebench __worker process-pool`
 * (a spawned one). */
void cb__pp_fork_child(const void *arg, int i, int fd);
int cb__pp_worker_main(int argc, char **argv);

#endif
