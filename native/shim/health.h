/* Healthchecks, run by the shim (the container's parent for life: no
 * daemon, and the CLI may be long gone). Each check is the shim's own
 * `exec` verb — the same joins, cgroup, user, capabilities and
 * no_new_privs as `tscompose exec` — with --pid of the current container
 * process; its stdout and stderr (first 4 KiB) and exit code are kept.
 * Docker's rules: a check every interval (start_interval during the start
 * period), a timeout kills it and counts as a failure, `retries` failures
 * in a row make the container unhealthy (failures in the start period do
 * not count), one success makes it healthy.
 *
 * State: health.json in the state dir, Docker's shape:
 *   {"status":"starting|healthy|unhealthy","failingStreak":N,
 *    "log":[{"start":T,"end":T,"exitCode":N,"output":"..."}]}   (last 5)
 * and a `health_status` event on each change of status. */
#ifndef TSC_HEALTH_H
#define TSC_HEALTH_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define HEALTH_OUTPUT_MAX 4096	/* Docker keeps this much of a check's output */
#define HEALTH_LOG_MAX 5	/* and this many results */

struct health_spec {
	char **args;		/* `exec` arguments without --pid (the first is "exec") */
	size_t nargs;
	unsigned interval_ms, timeout_ms, retries, start_period_ms, start_interval_ms;
	bool kill_unhealthy;	/* --health-on-unhealthy kill (x-restart-on-unhealthy) */
};

struct health_result {
	struct timespec start, end;
	int exit_code;		/* -1: timed out */
	char output[HEALTH_OUTPUT_MAX + 1];
};

struct health {
	const struct health_spec *spec;
	int state_dir;
	const char *name;
	int timer_fd;		/* -1: no healthcheck */
	pid_t check;		/* the running check, 0: none */
	int out_fd;
	bool timed_out;
	bool was_frozen;	/* the check in flight was caught by a pause */
	struct health_result current;
	size_t out_len;
	struct timespec container_started;	/* CLOCK_MONOTONIC */
	unsigned streak;
	int status;		/* enum in health.c */
	bool active;		/* the container runs: checks are scheduled */
	struct health_result log[HEALTH_LOG_MAX];
	size_t nlog;		/* results so far (the log keeps the last HEALTH_LOG_MAX) */
	bool kill_pending;	/* became unhealthy with kill_unhealthy: the supervisor kills the container */
};

/* --health-arg ARG (repeated), --health-timing INTERVAL,TIMEOUT,RETRIES,START_PERIOD,START_INTERVAL (ms),
 * --health-on-unhealthy kill (SIGKILL the container when it turns unhealthy; its restart policy decides the rest).
 * As parse_limits_option: 0 consumed, 1 not one of them, -1 refused. */
int parse_health_option(struct health_spec *spec, int argc, const char *opt, char *value);

/* No-op without a healthcheck (spec->nargs == 0). */
int health_init(struct health *h, const struct health_spec *spec, int state_dir, const char *name);
/* A run of the container began: status starting, first check scheduled. */
void health_container_started(struct health *h);
/* The container process ended: a running check is killed, none is scheduled. */
void health_container_exited(struct health *h);
/* Adds the timer and a running check's output to FDS; returns how many. */
int health_poll_fds(const struct health *h, struct pollfd *fds);
/* After poll: the fds health_poll_fds added, with their revents. */
void health_handle(struct health *h, const struct pollfd *fds, int n, pid_t container);
/* From the reaper: true if PID was the check (then its result is recorded,
 * and kill_pending set when the container must die for being unhealthy). */
bool health_reaped(struct health *h, pid_t pid, int status);

#endif
