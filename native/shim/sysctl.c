#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report.h"

/* KEY (LEN bytes, dots for slashes as sysctl(8) writes it) = VALUE, in
 * the file beneath DIR: opened with RESOLVE_BENEATH, nothing escapes it. */
static int write_beneath(const char *dirpath, const char *key, size_t len, const char *value)
{
	char rel[256];
	if (len >= sizeof rel)
		return refuse("args", ENAMETOOLONG, "sysctl key too long: %.*s", (int)len, key);
	for (size_t i = 0; i < len; i++) {
		char c = key[i];
		rel[i] = c == '.' ? '/' : c == '/' ? '.' : c;
	}
	rel[len] = '\0';

	int dir = open(dirpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return fail("open", errno, "%s", dirpath);
	struct open_how how = {
		.flags = O_WRONLY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dir, rel, &how, sizeof how);
	int err = errno;
	close(dir);
	if (fd < 0)
		return fail("openat2", err, "%s/%s", dirpath, rel);

	int rc = 0;
	if (write_all(fd, value, strlen(value)) == -1)
		rc = fail("write", errno, "%s/%s = %s", dirpath, rel, value);
	close(fd);
	return rc;
}

/* Equivalent to: sysctl -w net.KEY=VALUE  (i.e. echo VALUE > /proc/sys/net/KEY)
 * /proc/sys/net shows the network namespace of the task that opens it, so
 * this runs after joining the container's netns. The key is translated as
 * sysctl(8) does ('.' <-> '/', so "eth0/100" names interface eth0.100) and
 * opened with RESOLVE_BENEATH under /proc/sys/net: nothing can escape it. */
int apply_net_sysctl(const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	size_t keylen = eq ? (size_t)(eq - assignment) : 0;
	if (!eq || keylen <= 4 || strncmp(assignment, "net.", 4) != 0)
		return refuse("args", EINVAL, "--sysctl: only net.* keys are per network namespace: %s", assignment);

	return write_beneath("/proc/sys/net", assignment + 4, keylen - 4, eq + 1);
}

/* The IPC sysctls Docker allows (moby's ValidateSysctl): per ipc namespace. */
static const char *const ipc_keys[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall",
	"kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

/* Equivalent to: sysctl -w kernel.shmmax=VALUE (or fs.mqueue.KEY=VALUE)
 * /proc/sys/kernel/{shm*,msg*,sem} and /proc/sys/fs/mqueue show the ipc
 * namespace of the task that opens them, so this runs in the container
 * process, in its new ipc namespace, before it pivots. */
int apply_ipc_sysctl(const char *assignment)
{
	const char *eq = strchr(assignment, '=');
	size_t keylen = eq ? (size_t)(eq - assignment) : 0;
	bool allowed = keylen > 10 && strncmp(assignment, "fs.mqueue.", 10) == 0 && !memchr(assignment + 10, '/', keylen - 10);
	for (size_t i = 0; !allowed && eq && i < sizeof ipc_keys / sizeof ipc_keys[0]; i++)
		allowed = strlen(ipc_keys[i]) == keylen && strncmp(assignment, ipc_keys[i], keylen) == 0;
	if (!allowed)
		return refuse("args", EINVAL, "--ipc-sysctl: not an ipc namespace sysctl: %s", assignment);
	if (assignment[0] == 'f')
		return write_beneath("/proc/sys/fs/mqueue", assignment + 10, keylen - 10, eq + 1);
	return write_beneath("/proc/sys/kernel", assignment + 7, keylen - 7, eq + 1);
}
