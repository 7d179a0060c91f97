/* The verbs of tsc-shim and the two long-lived roles a `run` forks into. */
#ifndef TSC_COMMANDS_H
#define TSC_COMMANDS_H

#include "spec.h"

int cmd_run(int argc, char **argv);	/* launch.c */
int cmd_launch(void);			/* launch.c */
int cmd_exec(int argc, char **argv);	/* exec.c */
int pause_main(void);			/* pause.c */
int cmd_probe(int argc, char **argv);	/* probe.c */

/* The shim: daemonizes, starts the container, reports one line on
 * report_fd ("<index> ok ..." / "<index> err ..."), then supervises it. */
_Noreturn void shim_main(const struct container_spec *spec, int index, int report_fd);

/* The container process, between clone3 and execve. Failures go to the
 * shim as a struct failure on exec_fd; success closes exec_fd (CLOEXEC). */
_Noreturn void container_main(const struct container_spec *spec, int exec_fd, int out_fd, int err_fd);

#endif
