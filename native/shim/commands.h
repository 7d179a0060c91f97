/* The verbs of tsc-shim and the two long-lived roles a `run` forks into. */
#ifndef TSC_COMMANDS_H
#define TSC_COMMANDS_H

#include "spec.h"

int cmd_run(int argc, char **argv);	/* launch.c */
int cmd_launch(void);			/* launch.c */
int cmd_exec(int argc, char **argv);	/* exec.c */
int pause_main(void);			/* pause.c */
int init_main(int argc, char **argv);	/* init.c: `tsc-init -- argv...` */

/* The shim: daemonizes, starts the container, reports one line on
 * report_fd ("<index> ok ..." / "<index> err ..."), then supervises it. */
_Noreturn void shim_main(const struct container_spec *spec, int index, int report_fd);

/* What the container process gets from the shim (see container.c). */
struct container_fds {
	int go;		/* read: a byte once the shim is ready for it to start */
	int exec;	/* write: a struct failure if a step fails (CLOEXEC: EOF on execve) */
	int in;		/* its stdin, or -1: /dev/null (the shim's own) */
	int out, err;	/* its stdout and stderr */
	int image;	/* the shim's image, read-only (init/pause), or -1 */
	int tty;	/* a pty slave for stdin, stdout, stderr and the controlling terminal, or -1 */
};

/* The shim's own image for the built-in pause and init: a read-only,
 * detached bind mount of /proc/self/exe (see container.c). */
int open_own_image(void);

/* The container process, between clone3 and execve. */
_Noreturn void container_main(const struct container_spec *spec, const struct container_fds *fds);

#endif
