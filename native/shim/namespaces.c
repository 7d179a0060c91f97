#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/nsfs.h>

#include "report.h"

/* In the order they are joined: mount last, because joining a mount
 * namespace also moves the root and cwd into it (as nsenter does). */
static const struct {
	const char *name;
	const char *alias;
	int flag;
	const char *proc;	/* /proc/PID/ns/<proc> */
} known[] = {
	{ "cgroup", NULL, CLONE_NEWCGROUP, "cgroup" },
	{ "ipc", NULL, CLONE_NEWIPC, "ipc" },
	{ "uts", NULL, CLONE_NEWUTS, "uts" },
	{ "net", NULL, CLONE_NEWNET, "net" },
	{ "pid", NULL, CLONE_NEWPID, "pid" },
	{ "mount", "mnt", CLONE_NEWNS, "mnt" },
};
#define NKNOWN (sizeof known / sizeof known[0])

int parse_ns_list(const char *list, int allow_net, int *flags)
{
	int result = 0;
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ",");
		size_t i;
		for (i = 0; i < NKNOWN; i++) {
			if ((strlen(known[i].name) == len && strncmp(p, known[i].name, len) == 0) ||
			    (known[i].alias && strlen(known[i].alias) == len && strncmp(p, known[i].alias, len) == 0))
				break;
		}
		if (i == NKNOWN)
			return refuse("args", EINVAL, "--ns: unknown namespace '%.*s' in '%s'", (int)len, p, list);
		if (known[i].flag == CLONE_NEWNET && !allow_net)
			return refuse("args", EINVAL, "--ns: the network namespace is given by --netns");
		result |= known[i].flag;
		p += len;
		if (*p == ',')
			p++;
	}
	*flags = result;
	return 0;
}

/* Equivalent to: nsenter --net=PATH */
int join_netns_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", errno, "%s", path);
	if (setns(fd, CLONE_NEWNET) == -1) {
		int err = errno;
		close(fd);
		return fail("setns", err, "%s", path);
	}
	close(fd);
	return 0;
}

static int same_inode(int fd, const struct stat *want)
{
	struct stat st;
	return fstat(fd, &st) == 0 && st.st_dev == want->st_dev && st.st_ino == want->st_ino;
}

/* True if FD (a namespace) is owned by the user namespace OURS. */
static int owned_by(int fd, const struct stat *ours)
{
	int owner = ioctl(fd, NS_GET_USERNS);
	if (owner < 0)
		return 0; /* EPERM: owned outside our user namespace */
	int same = same_inode(owner, ours);
	close(owner);
	return same;
}

static void close_all(struct process_namespaces *ns)
{
	while (ns->count > 0)
		close(ns->fd[--ns->count]);
}

/* "exec trusts the container's PID 1": a PID 1 with CAP_SYS_ADMIN can
 * unshare a user namespace and then a mount namespace it owns, with a tree
 * of its making, in which we would run our pre-drop steps as full root.
 * So every namespace we join, and PID's user namespace, must belong to our
 * user namespace (containers get none of their own). The fds are opened
 * through /proc/PID while a pidfd pins PID: if it is still alive after,
 * they are that process's (no pid-reuse race); and we join exactly the
 * namespaces checked here, not whatever PID is in by then. */
int open_process_namespaces(pid_t pid, int flags, struct process_namespaces *ns)
{
	ns->count = 0;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return fail("pidfd_open", errno, "%d", (int)pid);
	struct stat ours;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	int user = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;
	if (stat("/proc/self/ns/user", &ours) == -1)
		rc = fail("stat", errno, "/proc/self/ns/user");
	else if (user < 0)
		rc = fail("open", errno, "%s", path);
	else if (!same_inode(user, &ours))
		rc = refuse("setns", EPERM, "process %d is in a user namespace it made: refusing to join its namespaces", (int)pid);
	for (size_t i = 0; rc == 0 && i < NKNOWN; i++) {
		if (!(flags & known[i].flag))
			continue;
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, known[i].proc);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			rc = fail("open", errno, "%s", path);
			break;
		}
		ns->fd[ns->count] = fd;
		ns->type[ns->count] = known[i].flag;
		ns->name[ns->count++] = known[i].name;
		if (!owned_by(fd, &ours))
			rc = refuse("setns", EPERM, "the %s namespace of process %d belongs to a user namespace it made: refusing to join it", known[i].name, (int)pid);
	}
	if (rc == 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == -1)
		rc = fail("pidfd_send_signal", errno, "process %d exited while its namespaces were opened", (int)pid);
	if (user >= 0)
		close(user);
	close(pidfd);
	if (rc != 0)
		close_all(ns);
	return rc;
}

/* Equivalent to: nsenter -t PID --cgroup --ipc --uts --net --pid --mount
 * (the pid namespace applies to children: the caller forks after this). */
int join_process_namespaces(struct process_namespaces *ns)
{
	int rc = 0;
	for (int i = 0; i < ns->count; i++) {
		if (rc == 0 && setns(ns->fd[i], ns->type[i]) == -1)
			rc = fail("setns", errno, "%s namespace", ns->name[i]);
		close(ns->fd[i]);
	}
	ns->count = 0;
	return rc;
}

/* Equivalent to: hostname NAME; domainname NAME (in the new UTS namespace) */
int set_uts_names(const char *hostname, const char *domainname)
{
	if (hostname && sethostname(hostname, strlen(hostname)) == -1)
		return fail("sethostname", errno, "%s", hostname);
	if (domainname && setdomainname(domainname, strlen(domainname)) == -1)
		return fail("setdomainname", errno, "%s", domainname);
	return 0;
}
