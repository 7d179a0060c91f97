#include "rfc3339.h"

#include <stdio.h>

size_t format_rfc3339(char *buf, size_t size, const struct timespec *ts, int digits)
{
	struct tm tm;
	gmtime_r(&ts->tv_sec, &tm);
	long frac = digits == 3 ? ts->tv_nsec / 1000000 : ts->tv_nsec;
	int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%0*ldZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, digits, frac);
	return n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
}
