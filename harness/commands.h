/* Subcommands other than run. Each takes the argv after the subcommand
 * name (argv[0] is the subcommand) and returns the process exit status:
 * 0 ok, 1 failure while working, 2 bad input. */
#ifndef CB_COMMANDS_H
#define CB_COMMANDS_H

int cb_cmd_run(int argc, char **argv);     /* harness/run.c */
int cb_cmd_list(int argc, char **argv);    /* harness/main.c */
int cb_cmd_topo(int argc, char **argv);    /* harness/topo.c */
int cb_cmd_report(int argc, char **argv);  /* harness/report.c */
int cb_cmd_compare(int argc, char **argv); /* harness/compare.c */
int cb_cmd_probe(int argc, char **argv);   /* harness/probe.c */

#endif
