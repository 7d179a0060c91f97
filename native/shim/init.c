/* `tsc-init -- argv...`: the tiny init of `init: true` (what tini is to
 * Docker's --init). As PID 1 of the container it starts the command as its
 * child, forwards the signals it gets to it (a pid namespace's init only
 * receives the signals it handles, so the command itself, not being PID 1,
 * gets the default actions: SIGTERM stops a `sleep`), reaps every orphan,
 * and exits with the command's status (128 + n if killed by signal n). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "process.h"

static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGCONT, SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG,
};

int init_main(int argc, char **argv)
{
	if (argc > 0 && strcmp(argv[0], "--") == 0) {
		argc--;
		argv++;
	}
	if (argc == 0) {
		fputs("tsc-init: usage: tsc-init -- COMMAND [ARGS...]\n", stderr);
		return 2;
	}
	/* Our image is the host's tsc-shim (through a read-only mount): keep
	 * /proc/1/{exe,mem} away from the container's other processes. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, &old);

	pid_t child = fork();
	if (child < 0) {
		fprintf(stderr, "tsc-init: fork: %s\n", strerror(errno));
		return 125;
	}
	if (child == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		/* Nothing but stdio into the command (CVE-2024-21626 class:
		 * no fd for a /proc/self/fd/N/.. path to climb from). */
		close_fds_except(NULL, 0);
		execvp(argv[0], argv); /* environ is the container's: its PATH */
		fprintf(stderr, "tsc-init: exec %s: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		if (sig == SIGCHLD) {
			int status;
			pid_t pid;
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
				if (pid == child)
					return exit_code_of(status);
		} else if (sig > 0) {
			kill(child, sig);
		}
	}
}
