/* Failures: every step that can fail records which syscall failed, its
 * errno and a message, so the caller always gets
 *   err <syscall> <ERRNO_NAME> <errno> <message>
 * and never a silent exit. */
#ifndef TSC_REPORT_H
#define TSC_REPORT_H

#include <stddef.h>

struct failure {
	char syscall[32];
	int err;
	char message[480];
};

/* The failure of this process. Each process (launcher, shim, container
 * child) has its own copy after fork; the child sends its copy to the shim
 * over the exec pipe as raw bytes (same binary on both ends). */
extern struct failure last_failure;

/* Record "<context>: <strerror(err)>"; returns -1 for `return fail(...)`. */
int fail(const char *syscall, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Record a failure whose message is ours alone (a refused argument). */
int refuse(const char *syscall, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "err <syscall> <ERRNO_NAME> <errno> <message>" without a newline. */
int format_failure(char *buf, size_t size, const struct failure *f);
const char *errno_name(int err);

/* write(2) until done; returns 0 or -1 with errno. */
int write_all(int fd, const void *buf, size_t len);

#endif
