/* Hardware and software counters through perf_event_open, for a whole
 * sample: opened with inherit=1 before the pool starts so every thread and
 * child the pool creates is counted; children's counts are folded in when
 * they exit, so read them after stop().
 *
 * One fd per event (inherit=1 cannot be combined with PERF_FORMAT_GROUP
 * reads), each read with TOTAL_TIME_ENABLED/RUNNING so counts of
 * multiplexed hardware events are scaled to the whole enabled time. Kernel
 * and hypervisor time are counted when perf_event_paranoid allows it, else
 * excluded (user space only); cb_counters_note() says which. */
#ifndef CB_COUNTERS_H
#define CB_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

enum cb_counter_id {
    CB_CTR_CYCLES,
    CB_CTR_INSTRUCTIONS,
    CB_CTR_CONTEXT_SWITCHES,
    CB_CTR_CPU_MIGRATIONS,
    CB_CTR_PAGE_FAULTS,
    CB_CTR_COUNT
};

struct cb_counter_values {
    uint64_t v[CB_CTR_COUNT];
    int valid[CB_CTR_COUNT]; /* 0: that counter could not be opened/read */
};

struct cb_counters;

/* Opens the counters for the calling process (and its future threads and
 * children). Returns NULL when none can be opened, with the reason
 * ("perf_event_paranoid is 3", "perf_event_open: ENOSYS", ...) in reason.
 * Counters that open are enabled by cb_counters_start. reason may be NULL
 * (len 0); on success it is set to "". */
struct cb_counters *cb_counters_open(char *reason, size_t len);
void cb_counters_start(struct cb_counters *c); /* reset+enable */
void cb_counters_stop(struct cb_counters *c, struct cb_counter_values *v);
void cb_counters_close(struct cb_counters *c);      /* accepts NULL */
const char *cb_counter_name(enum cb_counter_id id); /* "cycles", ... */

/* Additions (env.c reports them in context.counters):
 * cb_counters_opened: 1 if that event opened (its values can still be
 * invalid on a read where it was never scheduled).
 * cb_counters_note: "" when every event opened with kernel counting, else
 * one line naming what is missing or restricted and why, e.g.
 * "cycles, instructions: not supported (ENOENT); user space only
 * (perf_event_paranoid is 2)". Valid until cb_counters_close. */
int cb_counters_opened(const struct cb_counters *c, enum cb_counter_id id);
const char *cb_counters_note(const struct cb_counters *c);

#endif
