/* The sweep lock (lock.h).
 *
 * Shared by every user, not per user: the lock exists because two sweeps on
 * one machine spoil each other's timings, and a sweep of user B spoils user
 * A's numbers exactly as much as A's own second sweep would. A per-user lock
 * would let them overlap silently.
 *
 * So the file must be usable by everyone once anyone has created it, and
 * opening it must never harm anyone, even when the path (in /tmp, writable
 * by all) was prepared by someone else:
 *  - It is only ever opened read-only: flock() works on a read-only
 *    descriptor, so a file created by another user (0644) serves everyone,
 *    and nothing is ever written, truncated or chmod-ed through the path.
 *    The holder's pid for the "busy" message comes from /proc/locks, not
 *    from the file.
 *  - O_NOFOLLOW: a symbolic link at the path is refused, never followed
 *    (it could point at anyone's file). O_NONBLOCK: a FIFO planted there
 *    cannot hang the open. After opening, anything but a regular file with
 *    one link (a device, a directory, a hard link to someone else's file) is
 *    refused too.
 *  - It is created with O_CREAT | O_EXCL, so creation never opens an
 *    existing file, and only after a plain open found nothing: an open with
 *    O_CREAT of another user's file in a sticky directory is refused by
 *    fs.protected_regular, a plain open is not. The creator makes it 0644
 *    whatever its umask, so the next user can read it.
 * A user who holds the lock forever (or plants a file and flocks it) blocks
 * everyone's sweeps: --no-lock and CB_LOCK_FILE are the way around. */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define LOCK_OPEN_FLAGS (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

const char *cb_lock_path(void)
{
    const char *path = getenv("CB_LOCK_FILE");
    return path && *path ? path : CB_LOCK_DEFAULT;
}

/* The pid holding a flock on (dev, ino), from /proc/locks; 0 if unknown
 * (no /proc, or a holder in another pid namespace). */
static long lock_holder(dev_t dev, ino_t ino)
{
    char line[256];
    long pid = 0;
    FILE *f = fopen("/proc/locks", "re");
    if (!f)
        return 0;
    while (!pid && fgets(line, sizeof line, f)) {
        unsigned maj, min;
        unsigned long long inode;
        long p;
        char kind[16], mode[16];
        /* "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; lines of
         * waiters start with "1: -> FLOCK ..." and do not parse */
        if (sscanf(line, "%*d: %15s %*s %15s %ld %x:%x:%llu", kind, mode, &p,
                   &maj, &min, &inode) == 6 &&
            strcmp(kind, "FLOCK") == 0 && maj == major(dev) &&
            min == minor(dev) && inode == (unsigned long long)ino)
            pid = p;
    }
    fclose(f);
    return pid;
}

static int lock_open(const char *path, int *fd, struct cb_error *e)
{
    struct stat st;
    int created = 0, err = 0;

    for (int tries = 0; tries < 8; tries++) {
        *fd = open(path, LOCK_OPEN_FLAGS);
        if (*fd >= 0 || errno != ENOENT)
            break;
        *fd = open(path, LOCK_OPEN_FLAGS | O_CREAT | O_EXCL, 0644);
        if (*fd >= 0) {
            created = 1;
            break;
        }
        if (errno != EEXIST)
            break; /* else another sweep created it meanwhile: open it */
    }
    if (*fd < 0) {
        err = errno;
        if (err == ELOOP)
            return CB_FAIL(e, CB_EUSAGE,
                           "lock file %s is a symbolic link: refused, never "
                           "followed (remove it, set CB_LOCK_FILE to another "
                           "path, or pass --no-lock)",
                           path);
        if (err == EACCES && lstat(path, &st) == 0)
            return CB_FAIL(e, CB_ESYS,
                           "lock file %s (owner uid %ju, mode %03o) is not "
                           "readable by you: its owner can chmod a+r it, or "
                           "set CB_LOCK_FILE to another path, or pass "
                           "--no-lock",
                           path, (uintmax_t)st.st_uid,
                           (unsigned)st.st_mode & 0777);
        return CB_FAIL(e, CB_ESYS, "lock file %s: %s (set CB_LOCK_FILE to "
                       "another path, or pass --no-lock)",
                       path, strerror(err));
    }
    if (fstat(*fd, &st) != 0) {
        err = errno;
        close(*fd);
        *fd = -1;
        return CB_FAIL(e, CB_ESYS, "lock file %s: %s", path, strerror(err));
    }
    if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
        close(*fd);
        *fd = -1;
        return CB_FAIL(e, CB_EUSAGE,
                       "lock file %s is %s: refused (remove it, set "
                       "CB_LOCK_FILE to another path, or pass --no-lock)",
                       path,
                       !S_ISREG(st.st_mode) ? "not a regular file"
                                            : "a file with several hard links");
    }
    /* Ours and new: readable by every user whatever our umask. fchmod on
     * the descriptor, never chmod on the path. */
    if (created && fchmod(*fd, 0644) != 0)
        (void)0; /* others will say they cannot read it, naming the owner */
    return 0;
}

int cb_lock_take(int *fd, struct cb_error *e)
{
    const char *path = cb_lock_path();
    struct stat st;
    int rc;

    if ((rc = lock_open(path, fd, e)) != 0)
        return rc;
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        long pid = 0;
        char who[32] = "?";
        if (fstat(*fd, &st) == 0)
            pid = lock_holder(st.st_dev, st.st_ino);
        close(*fd);
        *fd = -1;
        if (err != EWOULDBLOCK)
            return CB_FAIL(e, CB_ESYS, "lock file %s: flock: %s (or pass "
                           "--no-lock)", path, strerror(err));
        if (pid > 0)
            snprintf(who, sizeof who, "%ld", pid);
        return CB_FAIL(e, CB_EUSAGE,
                       "another corebench sweep (pid %s) holds %s: "
                       "overlapping sweeps disturb each other's timings; "
                       "wait for it or pass --no-lock",
                       who, path);
    }
    return 0;
}
