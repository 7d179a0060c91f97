#include "cri_log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

size_t format_rfc3339(char *buf, size_t size, const struct timespec *ts, int digits)
{
	struct tm tm;
	gmtime_r(&ts->tv_sec, &tm);
	long frac = digits == 3 ? ts->tv_nsec / 1000000 : ts->tv_nsec;
	int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%0*ldZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, digits, frac);
	return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}

void log_stream_init(struct log_stream *s, const char *name, int fd)
{
	s->name = name;
	s->fd = fd;
	s->len = 0;
	s->tee = NULL;
	s->tee_arg = NULL;
}

/* One record (log_sink.c: one writev, rotation, or nothing with driver none). */
static void write_record(struct log_sink *log, const char *stream, char tag, const char *text, size_t len)
{
	struct timespec now;
	char head[64];
	clock_gettime(CLOCK_REALTIME, &now);
	size_t n = format_rfc3339(head, sizeof head, &now, 9);
	n += (size_t)snprintf(head + n, sizeof head - n, " %s %c ", stream, tag);
	struct iovec iov[3] = {
		{ head, n },
		{ (void *)text, len },
		{ "\n", 1 },
	};
	log_sink_write(log, iov, 3);
}

/* Log each complete line, keep the unfinished rest; a full buffer without
 * a newline is logged as a partial record. */
static void log_lines(struct log_stream *s, struct log_sink *log)
{
	size_t start = 0;
	char *nl;
	while ((nl = memchr(s->buf + start, '\n', s->len - start)) != NULL) {
		size_t end = (size_t)(nl - s->buf);
		write_record(log, s->name, 'F', s->buf + start, end - start);
		start = end + 1;
	}
	if (start > 0) {
		memmove(s->buf, s->buf + start, s->len - start);
		s->len -= start;
	}
	if (s->len == sizeof s->buf) {
		write_record(log, s->name, 'P', s->buf, s->len);
		s->len = 0;
	}
}

static void log_close(struct log_stream *s, struct log_sink *log)
{
	if (s->len > 0)
		write_record(log, s->name, 'F', s->buf, s->len);
	s->len = 0;
	close(s->fd);
	s->fd = -1;
}

/* Returns 1 after reading data, 0 when nothing is available, -1 at EOF. */
static int read_once(struct log_stream *s, struct log_sink *log)
{
	if (s->fd < 0)
		return -1;
	ssize_t n = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
	if (n > 0) {
		if (s->tee)
			s->tee(s->tee_arg, s->buf + s->len, (size_t)n);
		s->len += (size_t)n;
		log_lines(s, log);
		return 1;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	log_close(s, log);
	return -1;
}

void log_stream_pump(struct log_stream *s, struct log_sink *log)
{
	read_once(s, log);
}

void log_stream_drain(struct log_stream *s, struct log_sink *log)
{
	while (read_once(s, log) == 1)
		;
	if (s->fd >= 0)
		log_close(s, log);
}
