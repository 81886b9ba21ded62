/* The one gnuplot runner: every figure is drawn by
 *
 *   gnuplot -d PLOTS/common.gp -c PLOTS/SCRIPT DATA OUT TITLE FOOTER
 *
 * started with fork + execvp and an argument vector, never a shell. -d:
 * no ~/.gnuplot, the same figure for everyone; common.gp (colours by
 * executor, fonts, the footer) is loaded first. Every path starts with
 * '/' or "./", so gnuplot can never read one as its "<command" /
 * "|command" pipe syntax; TITLE and FOOTER are cleaned text, which the
 * scripts use as string values only (never as commands or macros). The
 * figure is drawn into a temporary file and renamed into place only when
 * gnuplot succeeded and drew something. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "text.h"

/* A path gnuplot cannot read as "<command", "|command" or "-". */
static void safe_path(const char *p, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", p[0] == '/' ? "" : "./", p);
}

/* gnuplot on PATH, as execvp will look for it. */
static int have_gnuplot(void)
{
    const char *path = getenv("PATH");
    char buf[CB_RP_PATH];
    struct stat st;
    while (path && *path) {
        const char *end = strchr(path, ':');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        if (n > 0 && n < sizeof buf - 16) {
            snprintf(buf, sizeof buf, "%.*s/gnuplot", (int)n, path);
            if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
                access(buf, X_OK) == 0)
                return 1;
        }
        path += n + (end != NULL);
    }
    return 0;
}

/* The report's drawing budget: seconds of gnuplot for all figures
 * together; past it, figures are tables only (report.c says so on each)
 * and the report ends in bounded time whatever the file's size.
 * CB_REPORT_MAX_TIME sets it. */
#define CB_REPORT_MAX_TIME_S 300
static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double cb_report_time_left(const struct cb_report *rp)
{
    return rp->deadline - mono_s();
}

void cb_report_plot_init(struct cb_report *rp)
{
    struct cb_error e = {0};
    char shown[300];
    const char *v = getenv("CB_REPORT_MAX_TIME");
    double b = v && *v ? strtod(v, NULL) : 0;
    rp->budget_s = b > 0 && b < 1e6 ? b : CB_REPORT_MAX_TIME_S;
    rp->deadline = mono_s() + rp->budget_s;
    rp->draw = 0;
    if (!have_gnuplot()) {
        cb_text_clean(rp->outdir, shown, sizeof shown, 200);
        snprintf(rp->why_not, sizeof rp->why_not, "gnuplot not found in "
                 "PATH: figures not drawn (the tables and pages are in %s)",
                 shown);
        return;
    }
    if (cb_find_data_dir("plots", "common.gp", "CB_PLOTS_DIR", rp->plots,
                         sizeof rp->plots, &e)) {
        snprintf(rp->why_not, sizeof rp->why_not, "%s", e.msg);
        return;
    }
    rp->draw = 1;
}

/* The last line of gnuplot's stderr that says something: why it failed. */
static void last_line(char *err, char *line, size_t len)
{
    char *p = err, *nl;
    snprintf(line, len, "no output");
    while (*p) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (*p && strspn(p, " ^\t") != strlen(p))
            cb_text_clean(p, line, len, 160);
        if (!nl)
            break;
        p = nl + 1;
    }
}

/* Seconds one gnuplot may draw a figure before SIGALRM ends it (a figure
 * of a huge file: report is bounded, the figure skipped with its line);
 * CB_GNUPLOT_TIMEOUT overrides it (tests). */
#define CB_GNUPLOT_TIMEOUT_S 120
static unsigned gnuplot_timeout(void)
{
    const char *v = getenv("CB_GNUPLOT_TIMEOUT");
    long t = v && *v ? strtol(v, NULL, 10) : 0;
    return t > 0 && t < 86400 ? (unsigned)t : CB_GNUPLOT_TIMEOUT_S;
}

/* Runs argv, collecting its stderr into err, for at most limit seconds.
 * The wait status, or -1. */
static int spawn(const char *const *argv, char *err, size_t elen,
                 unsigned limit)
{
    int pfd[2], status;
    size_t used = 0;
    pid_t pid;
    if (pipe(pfd) != 0)
        return -1;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
        }
        dup2(pfd[1], 2);
        close(pfd[0]);
        close(pfd[1]);
        signal(SIGALRM, SIG_DFL);
        alarm(limit); /* survives exec: SIGALRM ends a gnuplot past it */
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(pfd[1]);
    for (;;) {
        char chunk[512];
        ssize_t n = read(pfd[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (used + 1 < elen) {
            size_t k = (size_t)n < elen - 1 - used ? (size_t)n
                                                   : elen - 1 - used;
            memcpy(err + used, chunk, k);
            used += k;
        }
    }
    err[used] = '\0';
    close(pfd[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

int cb_report_plot(struct cb_report *rp, const char *script,
                   const char *data, const char *png, const char *title,
                   const char *footer, struct cb_error *e)
{
    char p[CB_RP_PATH + 128], common[CB_RP_PATH + 136],
        sarg[CB_RP_PATH + 136], darg[CB_RP_PATH + 136],
        tmp[CB_RP_PATH + 128], targ[CB_RP_PATH + 136], final[CB_RP_PATH + 128];
    char err[2048] = "", line[200], t[300], f[400];
    const char *argv[10];
    struct stat st;
    int fd, status, by_budget = 0;
    unsigned limit;
    double left;

    snprintf(p, sizeof p, "%s/common.gp", rp->plots);
    safe_path(p, common, sizeof common);
    snprintf(p, sizeof p, "%s/%s", rp->plots, script);
    safe_path(p, sarg, sizeof sarg);
    snprintf(p, sizeof p, "%s/%s", rp->outdir, data);
    safe_path(p, darg, sizeof darg);
    snprintf(final, sizeof final, "%s/%s", rp->outdir, png);
    snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", rp->outdir, png);
    fd = mkstemp(tmp);
    if (fd < 0)
        return CB_FAIL(e, CB_ESYS, "%s: cannot create a temporary file: %s",
                       png, strerror(errno));
    close(fd);
    safe_path(tmp, targ, sizeof targ);
    cb_text_clean(title, t, sizeof t, 120);
    cb_text_clean(footer, f, sizeof f, 160);
    argv[0] = "gnuplot";
    argv[1] = "-d";
    argv[2] = common;
    argv[3] = "-c";
    argv[4] = sarg;
    argv[5] = darg;
    argv[6] = targ;
    argv[7] = t;
    argv[8] = f;
    argv[9] = NULL;

    /* the figure's limit, or what is left of the report's budget */
    limit = gnuplot_timeout();
    left = cb_report_time_left(rp);
    if (left + 1 < limit)
        limit = left > 0 ? (unsigned)left + 1 : 1, by_budget = 1;
    status = spawn(argv, err, sizeof err, limit);
    if (status == -1) {
        int err0 = errno;
        unlink(tmp);
        return CB_FAIL(e, CB_ESYS, "gnuplot for %s: %s", png, strerror(err0));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        stat(tmp, &st) != 0 || st.st_size == 0) {
        last_line(err, line, sizeof line);
        unlink(tmp);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
            snprintf(line, sizeof line, "cannot execute gnuplot");
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
            snprintf(line, sizeof line, "still drawing after %u s (%s), "
                     "figure skipped", limit, by_budget
                     ? "the end of the report's drawing budget, "
                       "CB_REPORT_MAX_TIME" : "CB_GNUPLOT_TIMEOUT");
        return CB_FAIL(e, CB_ESYS, "gnuplot %s for %s failed (%s %d): %s",
                       script, png, WIFEXITED(status) ? "exit" : "signal",
                       WIFEXITED(status) ? WEXITSTATUS(status)
                                         : WTERMSIG(status),
                       line);
    }
    if (chmod(tmp, 0644) != 0 || rename(tmp, final) != 0) {
        int err0 = errno;
        unlink(tmp);
        return CB_FAIL(e, CB_ESYS, "%s: %s", png, strerror(err0));
    }
    return cb_report_remember(rp, png, e);
}
