#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct failure last_failure;

static void set_failure(const char *syscall, int err, const char *fmt, va_list ap, int with_strerror)
{
	struct failure *f = &last_failure;
	snprintf(f->syscall, sizeof f->syscall, "%s", syscall);
	f->err = err;
	int n = vsnprintf(f->message, sizeof f->message, fmt, ap);
	if (n < 0)
		n = 0;
	if (with_strerror && (size_t)n < sizeof f->message)
		snprintf(f->message + n, sizeof f->message - n, "%s%s", n ? ": " : "", strerror(err));
	/* One record is one line. */
	for (char *p = f->message; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int fail(const char *syscall, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_failure(syscall, err, fmt, ap, 1);
	va_end(ap);
	return -1;
}

int refuse(const char *syscall, int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_failure(syscall, err, fmt, ap, 0);
	va_end(ap);
	return -1;
}

const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);
	return name ? name : "EUNKNOWN";
}

int format_failure(char *buf, size_t size, const struct failure *f)
{
	return snprintf(buf, size, "err %s %s %d %s", f->syscall[0] ? f->syscall : "shim",
			errno_name(f->err), f->err, f->message);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}
