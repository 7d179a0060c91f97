/* The limit options (--cgroup, --rlimit, --oom-score-adj) and the limits
 * a container's process gets before execve: rlimits and oom_score_adj. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limits.h"
#include "report.h"

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{ "as", RLIMIT_AS },		 { "core", RLIMIT_CORE },	    { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },	 { "fsize", RLIMIT_FSIZE },	    { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK },	 { "msgqueue", RLIMIT_MSGQUEUE },   { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },	 { "nproc", RLIMIT_NPROC },	    { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO },	 { "rttime", RLIMIT_RTTIME },	    { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
};

static int parse_rlim(const char *text, size_t len, rlim_t *out)
{
	if (len == 9 && strncmp(text, "unlimited", 9) == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (len == 0 || len > 20)
		return -1;
	char buf[24];
	memcpy(buf, text, len);
	buf[len] = '\0';
	char *end;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 10);
	if (errno || *end || buf[0] < '0' || buf[0] > '9' || v >= RLIM_INFINITY)
		return -1;
	*out = (rlim_t)v;
	return 0;
}

/* NAME=SOFT:HARD */
static int parse_rlimit(const char *value, struct rlimit_setting *out)
{
	const char *eq = strchr(value, '=');
	const char *colon = eq ? strchr(eq, ':') : NULL;
	if (!eq || !colon)
		return refuse("args", EINVAL, "--rlimit must be NAME=SOFT:HARD: %s", value);
	size_t i, n = sizeof rlimit_names / sizeof rlimit_names[0];
	for (i = 0; i < n; i++)
		if (strlen(rlimit_names[i].name) == (size_t)(eq - value) &&
		    strncmp(value, rlimit_names[i].name, (size_t)(eq - value)) == 0)
			break;
	if (i == n)
		return refuse("args", EINVAL, "--rlimit: unknown limit '%.*s'", (int)(eq - value), value);
	if (parse_rlim(eq + 1, (size_t)(colon - eq - 1), &out->value.rlim_cur) == -1 ||
	    parse_rlim(colon + 1, strlen(colon + 1), &out->value.rlim_max) == -1)
		return refuse("args", EINVAL, "--rlimit: SOFT and HARD must be numbers or 'unlimited': %s", value);
	if (out->value.rlim_cur > out->value.rlim_max)
		return refuse("args", EINVAL, "--rlimit: the soft limit is above the hard limit: %s", value);
	out->name = rlimit_names[i].name;
	out->resource = rlimit_names[i].resource;
	return 0;
}

static void *grow(void *p, int argc, size_t elem)
{
	if (p)
		return p;
	p = calloc((size_t)argc + 1, elem);
	if (!p)
		abort();
	return p;
}

int parse_limits_option(struct limits_spec *l, int argc, const char *opt, char *value)
{
	if (strcmp(opt, "--cgroup") == 0) {
		if (value[0] != '/')
			return refuse("args", EINVAL, "--cgroup must be an absolute path: %s", value);
		l->cgroups = grow(l->cgroups, argc, sizeof *l->cgroups);
		l->cgroups[l->ncgroups++] = value;
		return 0;
	}
	if (strcmp(opt, "--rlimit") == 0) {
		l->rlimits = grow(l->rlimits, argc, sizeof *l->rlimits);
		if (parse_rlimit(value, &l->rlimits[l->nrlimits]) == -1)
			return -1;
		l->nrlimits++;
		return 0;
	}
	if (strcmp(opt, "--oom-score-adj") == 0) {
		char *end;
		errno = 0;
		long v = strtol(value, &end, 10);
		if (errno || end == value || *end || v < -1000 || v > 1000)
			return refuse("args", EINVAL, "--oom-score-adj must be an integer from -1000 to 1000: %s", value);
		l->oom_score_adj_set = true;
		l->oom_score_adj = (int)v;
		return 0;
	}
	return 1;
}

/* Equivalent to: prlimit --nofile=SOFT:HARD ...; echo N > /proc/self/oom_score_adj */
int apply_process_limits(const struct limits_spec *l)
{
	for (size_t i = 0; i < l->nrlimits; i++)
		if (setrlimit(l->rlimits[i].resource, &l->rlimits[i].value) == -1)
			return fail("setrlimit", errno, "%s", l->rlimits[i].name);
	if (!l->oom_score_adj_set)
		return 0;
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", errno, "/proc/self/oom_score_adj");
	char buf[16];
	int n = snprintf(buf, sizeof buf, "%d", l->oom_score_adj);
	if (write(fd, buf, (size_t)n) != n) {
		int err = errno;
		close(fd);
		return fail("write", err, "/proc/self/oom_score_adj %d", l->oom_score_adj);
	}
	close(fd);
	return 0;
}
