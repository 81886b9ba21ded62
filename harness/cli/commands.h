/* Subcommands other than run. Each takes the argv after the subcommand
 * name (argv[0] is the subcommand) and returns the process exit status:
 * 0 ok, 1 failure while working, 2 bad input. */
#ifndef CB_COMMANDS_H
#define CB_COMMANDS_H

int cb_cmd_run(int argc, char **argv);     /* cli_run.c */
int cb_cmd_list(int argc, char **argv);    /* main.c */
int cb_cmd_topo(int argc, char **argv);    /* cli_topo.c */
int cb_cmd_report(int argc, char **argv);  /* cli_report.c */
int cb_cmd_compare(int argc, char **argv); /* cli_compare.c: 1 is
                                              its gate, 3 a failure */
int cb_cmd_probe(int argc, char **argv);   /* cli_probe.c */
int cb_cmd_fmt(int argc, char **argv);     /* cli_lists.c */

/* `corebench run`'s option parser alone (the fuzzer's entry): argv as
 * cb_cmd_run gets it, parsed against topo, with no side effect beyond
 * --help's usage on stdout (no file, lock, workload or output path is
 * touched). 0 parsed, 1 --help, < 0 bad input with e->msg. */
struct cb_topo;
struct cb_error;
int cb_run_parse_only(int argc, char **argv, const struct cb_topo *topo,
                      struct cb_error *e);

#endif
