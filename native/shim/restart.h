/* Restart policies (`restart:`), carried out by the shim, the container's
 * parent for life: no daemon, and the CLI may be long gone. Docker's rules:
 *   always, unless-stopped   restart whatever the exit
 *   on-failure[:N]           restart after a non-zero exit, at most N times
 * never after a stop by the user (the CLI writes <state dir>/stopped before
 * it signals; see src/apply/handlers/container.ts), with a back-off doubling
 * from 100 ms (or --restart-delay) to at most 1 min, back to the start once
 * a run lasted 10 s. State for `ps`: restart.json in the state dir. */
#ifndef TSC_RESTART_H
#define TSC_RESTART_H

#include <stdbool.h>
#include <time.h>

enum restart_policy { RESTART_NO = 0, RESTART_ALWAYS, RESTART_ON_FAILURE, RESTART_UNLESS_STOPPED };

struct restart_spec {
	enum restart_policy policy;
	unsigned max_retries;	/* 0: no limit */
	unsigned delay_ms;	/* first back-off; 0: Docker's 100 ms */
};

struct restart_state {
	unsigned count;		/* restarts so far */
	unsigned next_delay_ms;	/* the back-off before the next one */
};

/* --restart always|on-failure[:N]|unless-stopped|no, --restart-delay MS */
int parse_restart_option(struct restart_spec *spec, const char *opt, const char *value);

/* Whether the process that ended with `wait_status` after running since
 * `started` is to be started again; if so, *delay_ms is how long to wait
 * first (and the state moves on). */
/* The CLI stopped the container (stop, down, kill): never restart it. */
bool restart_stopped_by_user(int state_dir);

bool restart_wanted(const struct restart_spec *spec, struct restart_state *st, int state_dir, int wait_status,
		    const struct timespec *started, unsigned *delay_ms);

/* restart.json: {"restartCount":N,"restarting":true|false} */
void restart_record(int state_dir, const struct restart_state *st, bool restarting);

#endif
