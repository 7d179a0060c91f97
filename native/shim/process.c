#include "process.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Equivalent to: cd DIR, then check that DIR is reachable from our root: a
 * cwd outside it (a leaked directory fd, CVE-2024-21626) makes getcwd fail
 * or start with "(unreachable)". */
int enter_cwd(const char *dir)
{
	char buf[PATH_MAX];
	if (chdir(dir) == -1)
		return fail("chdir", errno, "%s", dir);
	if (!getcwd(buf, sizeof buf))
		return fail("getcwd", errno, "%s", dir);
	if (buf[0] != '/')
		return refuse("getcwd", ENOENT, "%s: working directory is outside the container's root", dir);
	return 0;
}

/* Equivalent to: setpriv --groups G1,G2 (or --clear-groups) --regid GID --reuid UID
 * The supplementary groups (group_add) are set even for root. */
int switch_user(const struct user_ids *user)
{
	if (!user->set && !user->ngroups)
		return 0;
	if (setgroups(user->ngroups, user->ngroups ? user->groups : NULL) == -1)
		return fail("setgroups", errno, "supplementary groups");
	if (!user->set)
		return 0;
	if (setgid(user->gid) == -1)
		return fail("setgid", errno, "%u", (unsigned)user->gid);
	if (setuid(user->uid) == -1)
		return fail("setuid", errno, "%u", (unsigned)user->uid);
	return 0;
}

/* Equivalent to: closing every fd above 2 but KEEP (sorted ascending).
 * CVE-2024-21626 class ("Leaky Vessels"): a directory fd of the host's
 * mount namespace (state dir, cgroup dir) that is still open during execve
 * lets the command path, or its #! interpreter, be
 * /proc/self/fd/N/../../HOST-PATH and run a host binary: close-on-exec
 * closes fds only after the new image has been opened. So they are closed
 * before execve, as runc does since 1.1.12; what is kept (the exec pipe,
 * the shim's image) is not a directory, so no path walks through it. */
int close_fds_except(const int *keep, size_t nkeep)
{
	unsigned int from = 3;
	for (size_t i = 0; i < nkeep; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned int)keep[i] > from && close_range(from, (unsigned int)keep[i] - 1, 0) == -1)
			return fail("close_range", errno, "%u..%d", from, keep[i] - 1);
		from = (unsigned int)keep[i] + 1;
	}
	if (close_range(from, ~0U, 0) == -1)
		return fail("close_range", errno, "%u..", from);
	return 0;
}

/* The command starts clean: default signal dispositions (the shim ignores
 * SIGPIPE; Node ignores it too) and an empty mask (the shim blocks the
 * signals it reads through a signalfd), umask 022, and no fd but 0, 1, 2
 * and KEEP, which are close-on-exec: the exec pipe stays open until execve
 * succeeds. */
int prepare_exec(const int *keep, size_t nkeep)
{
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL); /* EINVAL for glibc's internal ones */
	sigset_t none;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		return fail("sigprocmask", errno, "unblock signals");
	umask(022);
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == -1)
		return fail("close_range", errno, "3..");
	return close_fds_except(keep, nkeep);
}

/* execvpe with the container's PATH: setting environ first makes execvp
 * search the PATH of the environment the command gets, not ours (glibc's
 * execvpe searches the caller's). Without PATH glibc uses /bin:/usr/bin. */
int exec_command(char **argv, char **env)
{
	extern char **environ;
	environ = env;
	execvp(argv[0], argv);
	return fail("execve", errno, "%s", argv[0]);
}

int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}
