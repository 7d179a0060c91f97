#include "events.h"

#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cri_log.h"
#include "report.h"

static int events_fd = -1;

void events_open(const char *path)
{
	if (path)
		events_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
}

/* Container names are [a-zA-Z0-9_.-] (compose names): no escaping needed. */
void shim_event(const char *container, const char *type, const char *attrs)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char when[40], line[1024];
	format_rfc3339(when, sizeof when, &now, 9);
	int n = snprintf(line, sizeof line, "{\"time\":\"%s\",\"type\":\"%s\",\"container\":\"%s\"%s}\n", when, type,
			 container, attrs ? attrs : "");
	if (n <= 0 || n >= (int)sizeof line)
		return;
	if (events_fd >= 0)
		write_all(events_fd, line, (size_t)n);
}
