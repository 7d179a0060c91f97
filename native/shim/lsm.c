/* AppArmor and SELinux labels for the next execve, written where runc
 * (libcontainer/apparmor) and go-selinux (SetExecLabel) write them. */
#include "lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "report.h"

static char context_param[512];

int parse_lsm_option(int argc, char **argv, int *i, struct lsm_spec *s)
{
	const char *opt = argv[*i];
	const char **slot = strcmp(opt, "--apparmor") == 0	 ? &s->apparmor
			    : strcmp(opt, "--exec-label") == 0	 ? &s->exec_label
			    : strcmp(opt, "--mount-label") == 0 ? &s->mount_label
								 : NULL;
	if (!slot)
		return 0;
	if (*i + 1 >= argc || !argv[*i + 1][0])
		return refuse("args", EINVAL, "%s needs a value", opt);
	*slot = argv[++*i];
	if (strlen(*slot) > 400)
		return refuse("args", EINVAL, "%s: too long", opt);
	return 1;
}

void use_mount_label(const char *label)
{
	if (label)
		snprintf(context_param, sizeof context_param, "context=%s", label);
	else
		context_param[0] = '\0';
}

const char *mount_context_param(void)
{
	return context_param[0] ? context_param : NULL;
}

/* Write TEXT to ATTR (one write, as the kernel takes it whole). */
static int write_attr(const char *attr, const char *text, const char *what, const char *name)
{
	int fd = open(attr, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return fail("open", errno, "%s %s: %s", what, name, attr);
	/* In `exec`, /proc is the container's: a file it mounted over the attr
	 * would take the label and leave the process unconfined (runc
	 * CVE-2019-16884). Only procfs's own file will do. */
	struct statfs fs;
	if (fstatfs(fd, &fs) == -1 || fs.f_type != PROC_SUPER_MAGIC) {
		close(fd);
		return refuse("open", EPERM, "%s %s: %s is not on procfs (something is mounted over it)", what, name, attr);
	}
	ssize_t n = write(fd, text, strlen(text));
	int err = errno;
	close(fd);
	if (n < 0)
		return fail("write", err, "%s %s refused by the kernel: %s", what, name, attr);
	return 0;
}

int apply_exec_labels(const struct lsm_spec *s)
{
	if (s->apparmor) {
		/* Equivalent to: echo "exec PROFILE" > /proc/thread-self/attr/apparmor/exec
		 * (kernels before 5.8 have only the shared attr/exec: runc's fallback). */
		const char *attr = "/proc/thread-self/attr/apparmor/exec";
		if (access(attr, F_OK) == -1 && errno == ENOENT)
			attr = "/proc/thread-self/attr/exec";
		char text[512];
		if ((size_t)snprintf(text, sizeof text, "exec %s", s->apparmor) >= sizeof text)
			return refuse("args", EINVAL, "apparmor profile %s: too long", s->apparmor);
		if (write_attr(attr, text, "apparmor profile", s->apparmor) == -1)
			return -1;
	}
	/* Equivalent to: runcon LABEL (go-selinux SetExecLabel):
	 * echo -n LABEL > /proc/thread-self/attr/exec */
	if (s->exec_label && write_attr("/proc/thread-self/attr/exec", s->exec_label, "selinux label", s->exec_label) == -1)
		return -1;
	return 0;
}
