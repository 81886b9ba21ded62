/* Subcommands other than run. Each takes the argv after the subcommand
 * name (argv[0] is the subcommand) and returns the process exit status:
 * 0 ok, 1 failure while working, 2 bad input. */
#ifndef CB_COMMANDS_H
#define CB_COMMANDS_H

int cb_cmd_run(int argc, char **argv);     /* harness/cli_run.c */
int cb_cmd_list(int argc, char **argv);    /* harness/main.c */
int cb_cmd_topo(int argc, char **argv);    /* harness/cli_topo.c */
int cb_cmd_report(int argc, char **argv);  /* harness/cli_report.c */
int cb_cmd_compare(int argc, char **argv); /* harness/cli_compare.c: 1 is
                                              its gate, 3 a failure */
int cb_cmd_probe(int argc, char **argv);   /* harness/cli_probe.c */
int cb_cmd_fmt(int argc, char **argv);     /* harness/cli_lists.c */

/* main() first, in every corebench process: a fatal signal (SIGSEGV,
 * SIGBUS, SIGFPE, SIGILL) in a running sweep's own process prints which
 * configuration's map crashed and where its finished rounds are, then the
 * process dies of it (harness/watchdog.c). */
void cb_crash_handler_install(void);

/* `corebench run`'s option parser alone (the fuzzer's entry): argv as
 * cb_cmd_run gets it, parsed against topo, with no side effect beyond
 * --help's usage on stdout (no file, lock, workload or output path is
 * touched). 0 parsed, 1 --help, < 0 bad input with e->msg. */
struct cb_topo;
struct cb_error;
int cb_run_parse_only(int argc, char **argv, const struct cb_topo *topo,
                      struct cb_error *e);

#endif
