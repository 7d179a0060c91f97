/* The container's stdout/stderr in the CRI log format (what kubelet and
 * crictl read), one record per line:
 *   <RFC3339 UTC, 9 fraction digits> <stdout|stderr> <F|P> <text>
 * F ends a line; a line longer than LOG_LINE_MAX is cut into P records
 * followed by an F record. */
#ifndef TSC_CRI_LOG_H
#define TSC_CRI_LOG_H

#include <stddef.h>
#include <time.h>

#include "log_sink.h"

#define LOG_LINE_MAX 16384 /* containerd's default max container log line */

struct log_stream {
	const char *name;	/* "stdout" or "stderr" */
	int fd;			/* nonblocking read end; -1 once closed */
	size_t len;		/* bytes of an unfinished line in buf */
	void (*tee)(void *arg, const char *buf, size_t len);	/* also given what is read (attach), or NULL */
	void *tee_arg;
	char buf[LOG_LINE_MAX];
};

/* "2024-05-01T12:00:00.123Z" (digits = 3, exit.json) or ".123456789Z"
 * (digits = 9, log records), always UTC. Returns the length written. */
size_t format_rfc3339(char *buf, size_t size, const struct timespec *ts, int digits);

void log_stream_init(struct log_stream *s, const char *name, int fd);
/* One read of what is available; at end of stream, logs the rest and closes. */
void log_stream_pump(struct log_stream *s, struct log_sink *log);
/* After the container exited: read everything already in the pipe without
 * waiting for writers still alive (orphans holding it), log it, close. */
void log_stream_drain(struct log_stream *s, struct log_sink *log);

#endif
