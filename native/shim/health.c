#include "health.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "cri_log.h"
#include "events.h"
#include "process.h"
#include "report.h"
#include "state.h"

enum { STARTING, HEALTHY, UNHEALTHY };
static const char *const status_names[] = { "starting", "healthy", "unhealthy" };

#define KILL_GRACE_MS 1000 /* after the timeout's SIGTERM, before SIGKILL */

int parse_health_option(struct health_spec *spec, int argc, const char *opt, char *value)
{
	if (strcmp(opt, "--health-arg") == 0) {
		if (!spec->args && !(spec->args = calloc((size_t)argc + 1, sizeof *spec->args)))
			return fail("calloc", ENOMEM, "--health-arg");
		spec->args[spec->nargs++] = value;
		return 0;
	}
	if (strcmp(opt, "--health-on-unhealthy") == 0) {
		if (strcmp(value, "kill") != 0)
			return refuse("args", EINVAL, "--health-on-unhealthy takes kill: %s", value);
		spec->kill_unhealthy = true;
		return 0;
	}
	if (strcmp(opt, "--health-timing") != 0)
		return 1;
	if (sscanf(value, "%u,%u,%u,%u,%u", &spec->interval_ms, &spec->timeout_ms, &spec->retries, &spec->start_period_ms,
		   &spec->start_interval_ms) != 5 ||
	    !spec->interval_ms || !spec->timeout_ms || !spec->retries || !spec->start_interval_ms)
		return refuse("args", EINVAL, "--health-timing must be INTERVAL,TIMEOUT,RETRIES,START_PERIOD,START_INTERVAL (ms, not 0 but the period): %s", value);
	return 0;
}

/* Equivalent to: a one-shot timer MS from now (0: disarmed). */
static void arm(struct health *h, unsigned ms)
{
	struct itimerspec t = { .it_value = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L } };
	timerfd_settime(h->timer_fd, 0, &t, NULL);
}

static long long ms_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1000LL + (now.tv_nsec - t->tv_nsec) / 1000000;
}

static bool in_start_period(const struct health *h)
{
	return ms_since(&h->container_started) < (long long)h->spec->start_period_ms;
}

/* The next check: start_interval while starting within the start period. */
static void schedule(struct health *h)
{
	if (!h->active)
		return;
	arm(h, h->status == STARTING && in_start_period(h) ? h->spec->start_interval_ms : h->spec->interval_ms);
}

int health_init(struct health *h, const struct health_spec *spec, int state_dir, const char *name)
{
	memset(h, 0, sizeof *h);
	h->timer_fd = -1;
	h->out_fd = -1;
	if (!spec->nargs)
		return 0;
	h->spec = spec;
	h->state_dir = state_dir;
	h->name = name;
	h->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	return h->timer_fd < 0 ? fail("timerfd_create", errno, "healthcheck timer") : 0;
}

/* JSON string body of S (no quotes), into OUT of SIZE. */
static size_t json_escape(char *out, size_t size, const char *s)
{
	size_t n = 0;
	for (; *s && n + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			n += (size_t)snprintf(out + n, size - n, "\\%c", c);
		else if (c < 0x20)
			n += (size_t)snprintf(out + n, size - n, "\\u%04x", c);
		else
			out[n++] = (char)c;
	}
	out[n] = '\0';
	return n;
}

static void write_state(struct health *h)
{
	static char json[HEALTH_LOG_MAX * (HEALTH_OUTPUT_MAX * 6 + 160) + 128];
	size_t n = (size_t)snprintf(json, sizeof json, "{\"status\":\"%s\",\"failingStreak\":%u,\"log\":[",
				    status_names[h->status], h->streak);
	size_t kept = h->nlog < HEALTH_LOG_MAX ? h->nlog : HEALTH_LOG_MAX;
	for (size_t i = 0; i < kept; i++) {
		const struct health_result *r = &h->log[(h->nlog - kept + i) % HEALTH_LOG_MAX];
		char start[40], end[40];
		format_rfc3339(start, sizeof start, &r->start, 9);
		format_rfc3339(end, sizeof end, &r->end, 9);
		n += (size_t)snprintf(json + n, sizeof json - n, "%s{\"start\":\"%s\",\"end\":\"%s\",\"exitCode\":%d,\"output\":\"",
				      i ? "," : "", start, end, r->exit_code);
		n += json_escape(json + n, sizeof json - n - 8, r->output);
		n += (size_t)snprintf(json + n, sizeof json - n, "\"}");
	}
	n += (size_t)snprintf(json + n, sizeof json - n, "]}\n");
	write_file_atomic(h->state_dir, "health.json", json, n);
}

static void set_status(struct health *h, int status)
{
	bool changed = h->status != status;
	h->status = status;
	write_state(h);
	if (changed && status == UNHEALTHY && h->spec->kill_unhealthy)
		h->kill_pending = true;
	if (changed) {
		char attrs[48];
		snprintf(attrs, sizeof attrs, ",\"status\":\"%s\"", status_names[status]);
		shim_event(h->name, "health_status", attrs);
	}
}

void health_container_started(struct health *h)
{
	if (h->timer_fd < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &h->container_started);
	h->active = true;
	h->streak = 0;
	h->status = STARTING;
	write_state(h);
	schedule(h);
}

void health_container_exited(struct health *h)
{
	if (h->timer_fd < 0)
		return;
	h->active = false;
	arm(h, 0);
	if (h->check > 0)
		kill(h->check, SIGKILL); /* the exec helper; health_reaped records it */
}

/* `tscompose pause` writes "paused" in the state dir (src/apply/pause.ts). */
static bool is_paused(const struct health *h)
{
	return faccessat(h->state_dir, "paused", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Equivalent to: tsc-shim exec --pid PID ARGS...  >OUT 2>&1 </dev/null */
static void start_check(struct health *h, pid_t container)
{
	int pipefd[2];
	int image = open_own_image();
	if (image < 0 || pipe2(pipefd, O_CLOEXEC) == -1) {
		if (image >= 0)
			close(image);
		schedule(h);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		char pidtext[16];
		snprintf(pidtext, sizeof pidtext, "%d", (int)container);
		char **argv = calloc(h->spec->nargs + 4, sizeof *argv);
		char *env[] = { NULL };
		int null = open("/dev/null", O_RDONLY);
		if (!argv || null < 0 || dup2(null, 0) == -1 || dup2(pipefd[1], 1) == -1 || dup2(pipefd[1], 2) == -1)
			_exit(125);
		argv[0] = "tsc-shim";
		argv[1] = "exec";
		argv[2] = "--pid";
		argv[3] = pidtext;
		for (size_t i = 1; i < h->spec->nargs; i++) /* args[0] is "exec" */
			argv[3 + i] = h->spec->args[i];
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* Nothing of the shim's but stdio reaches the check. */
		close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
		execveat(image, "", argv, env, AT_EMPTY_PATH);
		_exit(125);
	}
	close(image);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		schedule(h);
		return;
	}
	h->check = pid;
	h->out_fd = pipefd[0];
	fcntl(h->out_fd, F_SETFL, O_NONBLOCK);
	h->out_len = 0;
	h->timed_out = false;
	h->was_frozen = false;
	clock_gettime(CLOCK_REALTIME, &h->current.start);
	arm(h, h->spec->timeout_ms);
}

int health_poll_fds(const struct health *h, struct pollfd *fds)
{
	if (h->timer_fd < 0)
		return 0;
	fds[0] = (struct pollfd){ .fd = h->timer_fd, .events = POLLIN };
	fds[1] = (struct pollfd){ .fd = h->out_fd, .events = POLLIN }; /* -1 is ignored by poll */
	return 2;
}

static void read_output(struct health *h)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(h->out_fd, buf, sizeof buf)) > 0) {
		size_t take = (size_t)n;
		if (take > HEALTH_OUTPUT_MAX - h->out_len)
			take = HEALTH_OUTPUT_MAX - h->out_len;
		memcpy(h->current.output + h->out_len, buf, take);
		h->out_len += take;
	}
	if (n == 0) {
		close(h->out_fd);
		h->out_fd = -1;
	}
}

void health_handle(struct health *h, const struct pollfd *fds, int n, pid_t container)
{
	if (n < 2)
		return;
	if (fds[1].revents && h->out_fd >= 0)
		read_output(h);
	if (!fds[0].revents)
		return;
	uint64_t expirations;
	if (read(h->timer_fd, &expirations, sizeof expirations) != (ssize_t)sizeof expirations)
		return;
	if (!h->check) {
		/* `tscompose pause` wrote "paused" (src/apply/pause.ts): a frozen
		 * container cannot answer, and a check run now would only time out
		 * and count against it. Skipped until it is thawed. */
		if (is_paused(h))
			schedule(h);
		else
			start_check(h, container);
	} else if (is_paused(h)) {
		/* A check caught by the freeze is frozen with the container: its
		 * timeout starts again once thawed, instead of failing it. */
		h->was_frozen = true;
		arm(h, h->spec->timeout_ms);
	} else if (h->was_frozen) {
		/* Thawed since the timer was armed: the check gets a whole timeout
		 * of running time, not what was left when the pause ended. */
		h->was_frozen = false;
		arm(h, h->spec->timeout_ms);
	} else if (!h->timed_out) {
		/* The helper passes it on to the command (not PID 1: it dies). */
		h->timed_out = true;
		kill(h->check, SIGTERM);
		arm(h, KILL_GRACE_MS);
	} else {
		kill(h->check, SIGKILL);
	}
}

bool health_reaped(struct health *h, pid_t pid, int wait_status)
{
	if (h->timer_fd < 0 || pid != h->check)
		return false;
	h->check = 0;
	if (h->out_fd >= 0) {
		read_output(h); /* what is already in the pipe */
		if (h->out_fd >= 0)
			close(h->out_fd);
		h->out_fd = -1;
	}
	struct health_result *r = &h->current;
	clock_gettime(CLOCK_REALTIME, &r->end);
	r->output[h->out_len] = '\0';
	if (h->timed_out) {
		r->exit_code = -1;
		snprintf(r->output, sizeof r->output, "Health check exceeded timeout (%ums)", h->spec->timeout_ms);
	} else {
		r->exit_code = exit_code_of(wait_status);
	}
	h->log[h->nlog++ % HEALTH_LOG_MAX] = *r;
	int status = h->status;
	if (r->exit_code == 0) {
		h->streak = 0;
		status = HEALTHY;
	} else if (!(status == STARTING && in_start_period(h)) && ++h->streak >= h->spec->retries) {
		status = UNHEALTHY;
	}
	set_status(h, status);
	schedule(h);
	return true;
}
