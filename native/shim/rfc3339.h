#ifndef TSC_RFC3339_H
#define TSC_RFC3339_H

#include <stddef.h>
#include <time.h>

/* "2024-05-01T12:00:00.123Z" (digits = 3) or ".123456789Z" (digits = 9),
 * always UTC. Returns the length written. */
size_t format_rfc3339(char *buf, size_t size, const struct timespec *ts, int digits);

#endif
