#include "restart.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"
#include "report.h"
#include "state.h"

#define FIRST_DELAY_MS 100	/* Docker's */
#define MAX_DELAY_MS 60000	/* Docker's cap */
#define RESET_AFTER_MS 10000	/* a run this long resets the back-off (Docker) */

int parse_restart_option(struct restart_spec *spec, const char *opt, const char *value)
{
	char *end;
	if (strcmp(opt, "--restart-delay") == 0) {
		errno = 0;
		unsigned long ms = strtoul(value, &end, 10);
		if (errno || end == value || *end || ms > MAX_DELAY_MS)
			return refuse("args", EINVAL, "--restart-delay must be milliseconds, at most %d: %s", MAX_DELAY_MS, value);
		spec->delay_ms = (unsigned)ms;
		return 0;
	}
	const char *colon = strchr(value, ':');
	size_t len = colon ? (size_t)(colon - value) : strlen(value);
	if (len == 2 && strncmp(value, "no", 2) == 0)
		spec->policy = RESTART_NO;
	else if (len == 6 && strncmp(value, "always", 6) == 0)
		spec->policy = RESTART_ALWAYS;
	else if (len == 10 && strncmp(value, "on-failure", 10) == 0)
		spec->policy = RESTART_ON_FAILURE;
	else if (len == 14 && strncmp(value, "unless-stopped", 14) == 0)
		spec->policy = RESTART_UNLESS_STOPPED;
	else
		return refuse("args", EINVAL, "--restart must be no, always, on-failure[:N] or unless-stopped: %s", value);
	if (colon) {
		errno = 0;
		unsigned long n = strtoul(colon + 1, &end, 10);
		if (spec->policy != RESTART_ON_FAILURE || errno || end == colon + 1 || *end || n > 1000000)
			return refuse("args", EINVAL, "--restart: only on-failure takes a retry count: %s", value);
		spec->max_retries = (unsigned)n;
	}
	return 0;
}

static long long ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000LL + (now.tv_nsec - t->tv_nsec) / 1000000;
}

bool restart_stopped_by_user(int state_dir)
{
	struct stat st;
	return fstatat(state_dir, "stopped", &st, AT_SYMLINK_NOFOLLOW) == 0;
}

bool restart_wanted(const struct restart_spec *spec, struct restart_state *st, int state_dir, int wait_status,
		    const struct timespec *started, unsigned *delay_ms)
{
	if (spec->policy == RESTART_NO || restart_stopped_by_user(state_dir))
		return false;
	if (spec->policy == RESTART_ON_FAILURE && exit_code_of(wait_status) == 0)
		return false;
	if (spec->max_retries && st->count >= spec->max_retries)
		return false;
	unsigned first = spec->delay_ms ? spec->delay_ms : FIRST_DELAY_MS;
	if (st->next_delay_ms == 0 || ms_since(started) >= RESET_AFTER_MS)
		st->next_delay_ms = first;
	*delay_ms = st->next_delay_ms;
	st->next_delay_ms = st->next_delay_ms >= MAX_DELAY_MS / 2 ? MAX_DELAY_MS : st->next_delay_ms * 2;
	st->count++;
	return true;
}

void restart_record(int state_dir, const struct restart_state *st, bool restarting)
{
	char json[64];
	int n = snprintf(json, sizeof json, "{\"restartCount\":%u,\"restarting\":%s}\n", st->count,
			 restarting ? "true" : "false");
	write_file_atomic(state_dir, "restart.json", json, (size_t)n);
}
