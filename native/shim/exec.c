/* `exec`: run a command inside a running container.
 *
 * Equivalent to: nsenter -t PID --net --mount ... -- setpriv ... argv
 * The namespaces are opened first and then joined; the command is forked
 * (so that a joined pid namespace applies to it) and we stay its parent,
 * forward signals and exit with its status: the code, or 128 + signal.
 * Our own failures: 125; command not found: 127; not executable: 126. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "caps.h"
#include "commands.h"
#include "keyring.h"
#include "limits.h"
#include "namespaces.h"
#include "process.h"
#include "report.h"

#define EXIT_SHIM_FAILED 125
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_NOT_FOUND 127

static int report(int code)
{
	char line[600];
	format_failure(line, sizeof line, &last_failure);
	fprintf(stderr, "%s\n", line);
	return code;
}

static _Noreturn void run_command(const struct exec_spec *spec)
{
	if (spec->tty) {
		/* Own process group, in the terminal's foreground: ^C reaches the
		 * command, not the caller. (Also done by the parent: no race.) */
		setpgid(0, 0);
		tcsetpgrp(STDIN_FILENO, getpid());
	}
	if (join_new_session_keyring() == -1 || (spec->cwd && enter_cwd(spec->cwd) == -1) || apply_process_limits(&spec->limits) == -1 ||
	    drop_privileges(spec->caps_set, spec->caps, &spec->user, spec->no_new_privs) == -1 || prepare_exec(NULL, 0) == -1)
		_exit(report(EXIT_SHIM_FAILED));
	exec_command(spec->argv, spec->env);
	_exit(report(last_failure.err == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE));
}

int cmd_exec(int argc, char **argv)
{
	struct exec_spec spec;
	struct process_namespaces ns = { .count = 0 };
	if (parse_exec_args(argc, argv, &spec) == -1)
		return report(EXIT_SHIM_FAILED);
	/* We are about to hold fds of, and then join, container namespaces. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		fail("prctl", errno, "PR_SET_DUMPABLE");
		return report(EXIT_SHIM_FAILED);
	}
	if (spec.tty && !isatty(STDIN_FILENO)) {
		refuse("isatty", ENOTTY, "--tty: stdin is not a terminal");
		return report(EXIT_SHIM_FAILED);
	}
	/* Into the container's cgroups while their paths still mean the host's. */
	if (cgroup_enter_self(&spec.limits) == -1)
		return report(EXIT_SHIM_FAILED);
	if (spec.pid && (open_process_namespaces(spec.pid, spec.ns_flags, &ns) == -1 ||
			 join_process_namespaces(&ns) == -1))
		return report(EXIT_SHIM_FAILED);

	/* Blocked (and the child unblocks them before execve): we wait for
	 * them. SIGTTOU too, so that we may take the terminal back. */
	sigset_t set;
	sigemptyset(&set);
	int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&set, sigs[i]);
	sigset_t with_ttou = set;
	sigaddset(&with_ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &with_ttou, NULL);

	pid_t child = fork();
	if (child < 0) {
		fail("fork", errno, "%s", spec.argv[0]);
		return report(EXIT_SHIM_FAILED);
	}
	if (child == 0)
		run_command(&spec);
	if (spec.tty) {
		setpgid(child, child);
		tcsetpgrp(STDIN_FILENO, child);
	}

	int status = 0;
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		if (sig == SIGCHLD) {
			if (waitpid(child, &status, WNOHANG) == child)
				break;
		} else if (sig > 0 && si.si_code != SI_KERNEL) {
			/* Forward what was sent to us; a signal from our terminal
			 * (SI_KERNEL) already reached the command's process group. */
			kill(child, sig);
		}
	}
	if (spec.tty)
		tcsetpgrp(STDIN_FILENO, getpgrp());
	return exit_code_of(status);
}
