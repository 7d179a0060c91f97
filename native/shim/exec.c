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
#include <unistd.h>

#include "caps.h"
#include "commands.h"
#include "keyring.h"
#include "lsm.h"
#include "limits.h"
#include "namespaces.h"
#include "process.h"
#include "pty.h"
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

/* In the forked command, in the container's namespaces. Nothing touches
 * the container's filesystem (chdir, exec) before privileges are dropped:
 * its tree is the container's making. */
static _Noreturn void run_command(const struct exec_spec *spec, int pty_slave)
{
	if ((pty_slave >= 0 && take_pty(pty_slave) == -1) || join_new_session_keyring() == -1 ||
	    apply_exec_labels(&spec->lsm) == -1 || install_seccomp(&spec->seccomp) == -1 ||
	    drop_privileges(spec->caps_set, spec->caps, &spec->user, spec->no_new_privs) == -1 ||
	    (spec->cwd && enter_cwd(spec->cwd) == -1) || prepare_exec(NULL, 0) == -1)
		_exit(report(EXIT_SHIM_FAILED));
	exec_command(spec->argv, spec->env);
	_exit(report(last_failure.err == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE));
}

/* Without a terminal: wait for CHILD, forwarding what is sent to us. */
static int wait_forwarding(pid_t child, const sigset_t *set)
{
	int status = 0;
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);
		if (sig == SIGCHLD) {
			if (waitpid(child, &status, WNOHANG) == child)
				return status;
		} else if (sig > 0 && si.si_code != SI_KERNEL) {
			/* Forward what was sent to us; a signal from our terminal
			 * (SI_KERNEL) already reached the command's process group. */
			kill(child, sig);
		}
	}
}

int cmd_exec(int argc, char **argv)
{
	struct exec_spec spec;
	struct process_namespaces ns = { .count = 0 };
	int master = -1, slave = -1;
	if (parse_exec_args(argc, argv, &spec) == -1)
		return report(EXIT_SHIM_FAILED);
	/* CVE-2016-9962 class: until the command's execve, a container process
	 * must not ptrace us or open /proc/OUR-PID/fd (host fds, full
	 * capabilities). Non-dumpable until execve (which resets it for the
	 * command, run as the container's user and capabilities). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		fail("prctl", errno, "PR_SET_DUMPABLE");
		return report(EXIT_SHIM_FAILED);
	}
	if (spec.tty && !isatty(STDIN_FILENO)) {
		refuse("isatty", ENOTTY, "--tty: stdin is not a terminal");
		return report(EXIT_SHIM_FAILED);
	}
	/* Into the container's cgroups while their paths still mean the host's;
	 * rlimits and oom_score_adj through the host's /proc (inherited by the
	 * command); the pty from the host's /dev/ptmx. */
	if (cgroup_enter_self(&spec.limits) == -1 || apply_process_limits(&spec.limits) == -1 ||
	    (spec.tty && open_pty(&master, &slave) == -1))
		return report(EXIT_SHIM_FAILED);
	if (spec.pid && (open_process_namespaces(spec.pid, spec.ns_flags, &ns) == -1 ||
			 join_process_namespaces(&ns) == -1))
		return report(EXIT_SHIM_FAILED);

	/* Blocked (and the child unblocks them before execve): we wait for
	 * them. */
	sigset_t set;
	sigemptyset(&set);
	int sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);

	struct termios saved;
	if (spec.tty && terminal_raw(&saved) == -1)
		return report(EXIT_SHIM_FAILED);
	pid_t child = fork();
	if (child < 0) {
		if (spec.tty)
			tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		fail("fork", errno, "%s", spec.argv[0]);
		return report(EXIT_SHIM_FAILED);
	}
	if (child == 0)
		run_command(&spec, slave);
	if (!spec.tty)
		return exit_code_of(wait_forwarding(child, &set));
	close(slave);
	int status = relay_pty(master, child, &set, &saved);
	if (status == -1)
		return report(EXIT_SHIM_FAILED);
	return exit_code_of(status);
}
