#include "log_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

#define LOG_NAME "container.log"
#define MAX_LOG_FILES 1000

static int parse_count(const char *opt, const char *text, long long max, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || end == text || *end || v < 1 || v > max)
		return refuse("args", EINVAL, "%s must be a number from 1 to %lld: %s", opt, max, text);
	*out = v;
	return 0;
}

int parse_log_option(struct log_spec *spec, const char *opt, const char *value)
{
	long long v;
	if (strcmp(opt, "--log-max-size") == 0) {
		if (parse_count(opt, value, LLONG_MAX, &v) == -1)
			return -1;
		spec->max_size = v;
		return 1;
	}
	if (strcmp(opt, "--log-max-files") == 0) {
		if (parse_count(opt, value, MAX_LOG_FILES, &v) == -1)
			return -1;
		spec->max_files = (int)v;
		return 1;
	}
	return 0;
}

static int open_log(struct log_sink *s, int extra_flags)
{
	s->fd = openat(s->dir, LOG_NAME, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | extra_flags, 0600);
	if (s->fd < 0)
		return -1;
	off_t end = lseek(s->fd, 0, SEEK_END);
	s->size = end < 0 ? 0 : (long long)end;
	return 0;
}

int log_sink_open(struct log_sink *s, const struct log_spec *spec, int state_dir, const char *state_path)
{
	s->spec = spec;
	s->dir = state_dir;
	s->fd = -1;
	s->size = 0;
	if (spec->none) {
		/* Equivalent to: rm -f container.log (a log of an earlier driver would mislead `logs`). */
		unlinkat(state_dir, LOG_NAME, 0);
		return 0;
	}
	if (open_log(s, 0) == -1)
		return fail("open", errno, "%s/" LOG_NAME, state_path);
	return 0;
}

/* Equivalent to: mv container.log.(N-2) container.log.(N-1); ...;
 * mv container.log container.log.1 (container.log.(N-1) replaced);
 * then a new, empty container.log. One file: truncate -s 0 container.log. */
static void rotate(struct log_sink *s)
{
	int files = s->spec->max_files;
	if (files <= 1) {
		if (ftruncate(s->fd, 0) == 0)
			s->size = 0;
		return;
	}
	char from[32], to[32];
	for (int i = files - 1; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof from, LOG_NAME);
		else
			snprintf(from, sizeof from, LOG_NAME ".%d", i - 1);
		snprintf(to, sizeof to, LOG_NAME ".%d", i);
		renameat(s->dir, from, s->dir, to); /* ENOENT: fewer files so far */
	}
	close(s->fd);
	if (open_log(s, O_EXCL) == -1 && open_log(s, 0) == -1)
		s->fd = -1; /* no log until the next start rather than a blocked container */
}

void log_sink_write(struct log_sink *s, const struct iovec *iov, int n)
{
	if (s->fd < 0)
		return;
	long long len = 0;
	for (int i = 0; i < n; i++)
		len += (long long)iov[i].iov_len;
	if (s->spec->max_size > 0 && s->size > 0 && s->size + len > s->spec->max_size)
		rotate(s);
	if (s->fd < 0)
		return;
	ssize_t rc = writev(s->fd, iov, n);
	if (rc > 0)
		s->size += rc;
}
