#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int open_process_namespaces(pid_t pid, int flags, struct process_namespaces *ns)
{
	ns->count = 0;
	for (size_t i = 0; i < NKNOWN; i++) {
		if (!(flags & known[i].flag))
			continue;
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, known[i].proc);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int err = errno;
			while (ns->count > 0)
				close(ns->fd[--ns->count]);
			return fail("open", err, "%s", path);
		}
		ns->fd[ns->count] = fd;
		ns->type[ns->count] = known[i].flag;
		ns->name[ns->count++] = known[i].name;
	}
	return 0;
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
