/* The container process: runs between clone3 (already in its new
 * namespaces, and in the container's netns inherited from the shim) and
 * execve. Order matters: mounts before chdir (the cwd may be a bind
 * target), chdir before dropping the user (like runc: a cwd only root can
 * traverse still works), fds and signals last. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "commands.h"
#include "limits.h"
#include "mounts.h"
#include "namespaces.h"
#include "process.h"
#include "report.h"

static int setup_mounts(const struct container_spec *spec)
{
	if (!(spec->clone_flags & CLONE_NEWNS))
		return 0;
	if (make_mounts_rslave() == -1 || detach_netns_mounts("/run/netns") == -1)
		return -1;
	if ((spec->clone_flags & CLONE_NEWPID) && mount_fresh_proc() == -1)
		return -1;
	for (size_t i = 0; i < spec->nbinds; i++)
		if (bind_mount_ro(spec->binds[i].source, spec->binds[i].target) == -1)
			return -1;
	return 0;
}

/* Equivalent to: exec >&OUT 2>&ERR  (stdin is already /dev/null) */
static int connect_output(int out_fd, int err_fd)
{
	if (dup2(out_fd, STDOUT_FILENO) == -1)
		return fail("dup2", errno, "stdout");
	if (dup2(err_fd, STDERR_FILENO) == -1)
		return fail("dup2", errno, "stderr");
	return 0;
}

/* No command: run our own `pause`, exec'd so that the caller sees the same
 * "execve succeeded" as for any command. */
static int exec_pause(char **env)
{
	static char *pause_argv[] = { "tsc-shim", "pause", NULL };
	execve("/proc/self/exe", pause_argv, env);
	return fail("execve", errno, "/proc/self/exe (built-in pause)");
}

_Noreturn void container_main(const struct container_spec *spec, int exec_fd, int out_fd, int err_fd)
{
	if (cgroup_wait_placed(spec->clone_flags) == 0 &&
	    set_uts_names(spec->hostname, spec->domainname) == 0 &&
	    setup_mounts(spec) == 0 &&
	    connect_output(out_fd, err_fd) == 0 &&
	    enter_cwd(spec->cwd ? spec->cwd : "/") == 0 &&
	    apply_process_limits(&spec->limits) == 0 &&
	    switch_user(&spec->user) == 0 &&
	    prepare_exec() == 0) {
		if (spec->argv[0])
			exec_command(spec->argv, spec->env);
		else
			exec_pause(spec->env);
	}
	write_all(exec_fd, &last_failure, sizeof last_failure);
	_exit(1);
}
