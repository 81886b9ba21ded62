/* The sweep lock: one corebench sweep at a time on a machine.
 *
 * Two sweeps running at once disturb each other's timings whoever started
 * them, so the lock is machine-wide, shared by every user: a file
 * (/tmp/corebench.lock, or $CB_LOCK_FILE) that every sweep holds flock()ed
 * while it runs. See lock.c for how it is opened safely. */
#ifndef CB_LOCK_H
#define CB_LOCK_H

#include "common.h"

#define CB_LOCK_DEFAULT "/tmp/corebench.lock"

/* $CB_LOCK_FILE when set and non-empty, else CB_LOCK_DEFAULT. */
const char *cb_lock_path(void);

/* Takes the lock without waiting. 0: *fd holds it until closed (forked
 * children share it; exec closes it). CB_EUSAGE: another sweep holds it
 * ("another corebench sweep (pid N) holds PATH ..."), or PATH is a symbolic
 * link, not a regular file, or has more than one hard link (refused, never
 * followed or touched). CB_ESYS: it cannot be opened or created. The
 * message always names PATH and says what to do. */
int cb_lock_take(int *fd, struct cb_error *e);

#endif
