#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cri_log.h"
#include "process.h"
#include "report.h"

int open_state_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) == -1) {
		int err = errno;
		close(fd);
		return fail("fstat", err, "%s", path);
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		close(fd);
		return refuse("fstat", EPERM, "%s: the state dir must be ours and mode 0700", path);
	}
	return fd;
}

int write_file_atomic(int dirfd, const char *name, const char *data, size_t len)
{
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%s.tmp", name);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fail("open", errno, "%s", tmp);
	if (write_all(fd, data, len) == -1) {
		int err = errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return fail("write", err, "%s", tmp);
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, name) == -1) {
		int err = errno;
		unlinkat(dirfd, tmp, 0);
		return fail("rename", err, "%s -> %s", tmp, name);
	}
	return 0;
}

/* Field 22 of /proc/PID/stat, counted after the ")" that ends the command
 * name (which may itself contain spaces and parentheses). */
static int process_starttime(pid_t pid, unsigned long long *starttime)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", errno, "%s", path);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	int err = errno;
	close(fd);
	if (n <= 0)
		return fail("read", n < 0 ? err : EIO, "%s", path);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	/* Each step moves to the space before the next field: from ")" (ending
	 * field 2) to the one before field 22. */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", starttime) != 1)
		return refuse("read", EIO, "%s: cannot parse starttime", path);
	return 0;
}

int write_process_ref(int dirfd, const char *name, pid_t pid)
{
	unsigned long long starttime;
	if (process_starttime(pid, &starttime) == -1)
		return -1;
	char line[64];
	int n = snprintf(line, sizeof line, "%d %llu\n", (int)pid, starttime);
	return write_file_atomic(dirfd, name, line, (size_t)n);
}

int write_exit_json(int dirfd, int wait_status, const struct timespec *finished)
{
	char when[40], signal[32] = "null";
	format_rfc3339(when, sizeof when, finished, 3);
	if (WIFSIGNALED(wait_status)) {
		int sig = WTERMSIG(wait_status);
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev)
			snprintf(signal, sizeof signal, "\"SIG%s\"", abbrev);
		else
			snprintf(signal, sizeof signal, "\"SIG%d\"", sig);
	}
	char json[160];
	int n = snprintf(json, sizeof json, "{\"exitCode\":%d,\"signal\":%s,\"finishedAt\":\"%s\"}\n",
			 exit_code_of(wait_status), signal, when);
	return write_file_atomic(dirfd, "exit.json", json, (size_t)n);
}
