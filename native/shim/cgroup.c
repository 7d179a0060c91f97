/* Placing the container in its cgroups (`--cgroup DIR`, one per hierarchy)
 * with no window in which it runs outside them:
 *
 *   cgroup2 directory  clone3(CLONE_INTO_CGROUP): born in it
 *   cgroup v1 ones     the shim writes the child's pid into each
 *                      cgroup.procs between clone3 and a one-byte "go" on a
 *                      pipe; the child waits for it before its first step
 *
 * The directories are created and configured by the caller (tscompose);
 * the shim only joins them, and refuses a directory that is not on a
 * cgroup filesystem (it never writes cgroup.procs anywhere else).
 * It also records how many processes the memory controller killed during
 * the run (memory.events on v2, memory.oom_control on v1): the OOMKilled of
 * `ps`. State is per process (the child has its own copy after clone3). */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "limits.h"
#include "report.h"
#include "state.h"

#define MAX_CGROUPS 16

static struct {
	int clone_fd;			/* cgroup2 dir for CLONE_INTO_CGROUP */
	int later[MAX_CGROUPS];		/* joined after clone3 */
	const char *later_path[MAX_CGROUPS];
	size_t nlater;
	int oom_dirfd;			/* the memory controller's directory */
	const char *oom_file;
	unsigned long long oom_before;
} cg = { .clone_fd = -1, .oom_dirfd = -1 };

static int open_cgroup_dir(const char *path, bool *v2)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", errno, "%s", path);
	struct statfs st;
	if (fstatfs(fd, &st) == -1) {
		int err = errno;
		close(fd);
		return fail("fstatfs", err, "%s", path);
	}
	if (st.f_type != CGROUP2_SUPER_MAGIC && st.f_type != CGROUP_SUPER_MAGIC) {
		close(fd);
		return refuse("fstatfs", ENOTDIR, "%s: not a cgroup directory", path);
	}
	*v2 = st.f_type == CGROUP2_SUPER_MAGIC;
	return fd;
}

/* The "oom_kill N" line of memory.events (v2) or memory.oom_control (v1). */
static int read_oom_kills(int dirfd, const char *file, unsigned long long *out)
{
	char buf[1024];
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, "oom_kill ", 9) == 0) {
			*out = strtoull(line + 9, NULL, 10);
			return 0;
		}
	}
	return -1;
}

static void watch_oom(int fd)
{
	static const char *files[] = { "memory.events", "memory.oom_control" };
	for (size_t i = 0; cg.oom_dirfd < 0 && i < 2; i++) {
		if (read_oom_kills(fd, files[i], &cg.oom_before) == 0) {
			cg.oom_dirfd = fd;
			cg.oom_file = files[i];
		}
	}
}

int cgroup_prepare(const struct limits_spec *l, int state_dirfd)
{
	/* Again for each restart: what the last start left is closed (the
	 * joined ones were closed by cgroup_attach). */
	if (cg.oom_dirfd >= 0)
		close(cg.oom_dirfd);
	cg.oom_dirfd = -1;
	cg.clone_fd = -1;
	cg.nlater = 0;
	if (unlinkat(state_dirfd, "oom_kills", 0) == -1 && errno != ENOENT)
		return fail("unlink", errno, "oom_kills");
	if (l->ncgroups > MAX_CGROUPS)
		return refuse("args", E2BIG, "at most %d --cgroup directories", MAX_CGROUPS);
	for (size_t i = 0; i < l->ncgroups; i++) {
		bool v2;
		int fd = open_cgroup_dir(l->cgroups[i], &v2);
		if (fd < 0)
			return -1;
		if (v2 && cg.clone_fd < 0) {
			cg.clone_fd = fd;
		} else {
			cg.later[cg.nlater] = fd;
			cg.later_path[cg.nlater++] = l->cgroups[i];
		}
		watch_oom(fd);
	}
	return 0;
}

int cgroup_clone_fd(void)
{
	return cg.clone_fd;
}

static void close_unless_watched(int fd)
{
	if (fd >= 0 && fd != cg.oom_dirfd)
		close(fd);
}

/* Equivalent to: echo PID > DIR/cgroup.procs (the write names the process
 * in the writer's pid namespace: ours). */
static int write_procs(int dirfd, const char *path, const char *pid)
{
	int fd = openat(dirfd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", errno, "%s/cgroup.procs", path);
	ssize_t n = write(fd, pid, strlen(pid));
	int err = errno;
	close(fd);
	if (n != (ssize_t)strlen(pid))
		return fail("write", n < 0 ? err : EIO, "%s/cgroup.procs", path);
	return 0;
}

int cgroup_attach(pid_t pid)
{
	close_unless_watched(cg.clone_fd);
	char text[24];
	snprintf(text, sizeof text, "%d", (int)pid);
	int rc = 0;
	for (size_t i = 0; i < cg.nlater; i++) {
		if (rc == 0)
			rc = write_procs(cg.later[i], cg.later_path[i], text);
		close_unless_watched(cg.later[i]);
	}
	return rc;
}

int cgroup_enter_namespace(int clone_flags)
{
	/* clone3 made the namespace before the v1 hierarchies were joined:
	 * make a new one here, rooted at the cgroups we are in now. */
	if (cg.nlater > 0 && (clone_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) == -1)
		return fail("unshare", errno, "CLONE_NEWCGROUP");
	return 0;
}

int cgroup_record_oom(int state_dirfd)
{
	unsigned long long now;
	if (cg.oom_dirfd < 0 || read_oom_kills(cg.oom_dirfd, cg.oom_file, &now) == -1)
		return 0; /* no memory controller: nothing to say */
	char line[32];
	int n = snprintf(line, sizeof line, "%llu\n", now >= cg.oom_before ? now - cg.oom_before : 0);
	return write_file_atomic(state_dirfd, "oom_kills", line, (size_t)n);
}

int cgroup_enter_self(const struct limits_spec *l)
{
	for (size_t i = 0; i < l->ncgroups; i++) {
		bool v2;
		int fd = open_cgroup_dir(l->cgroups[i], &v2);
		if (fd < 0)
			return -1;
		int rc = write_procs(fd, l->cgroups[i], "0"); /* 0: the writer itself */
		close(fd);
		if (rc == -1)
			return -1;
	}
	return 0;
}
