/* Where the container's log records go (compose `logging`): container.log in
 * the state dir, rotated past --log-max-size into container.log.1 ..
 * container.log.<max-files - 1> (the oldest beyond is deleted; with one
 * file, truncated), or nowhere (--log-none). */
#ifndef TSC_LOG_SINK_H
#define TSC_LOG_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

struct log_spec {
	bool none;		/* --log-none: no log kept (driver none) */
	long long max_size;	/* --log-max-size BYTES; 0: unlimited */
	int max_files;		/* --log-max-files N (with max_size); 0 or 1: one file, truncated */
};

struct log_sink {
	const struct log_spec *spec;
	int dir;		/* the state dir */
	int fd;			/* container.log, -1 with --log-none */
	long long size;		/* its size, as we wrote it */
};

/* 1 if opt (and value) is a log option it took, 0 if not one, -1 if refused. */
int parse_log_option(struct log_spec *spec, const char *opt, const char *value);
int log_sink_open(struct log_sink *s, const struct log_spec *spec, int state_dir, const char *state_path);
/* One record, one writev on an O_APPEND file (records never interleave);
 * rotates first when the record would take the file past max-size. Errors
 * (a full disk) are dropped: the container must never block on us. */
void log_sink_write(struct log_sink *s, const struct iovec *iov, int n);

#endif
