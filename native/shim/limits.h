/* Resource limits of a container: its cgroups (cgroup.c) and the limits
 * of its processes (rlimits and oom_score_adj, process_limits.c).
 *
 *   --cgroup DIR            repeatable: one directory per cgroup hierarchy
 *   --rlimit NAME=SOFT:HARD repeatable: nofile=1024:2048, "unlimited" allowed
 *   --oom-score-adj N       -1000..1000
 *
 * `run`: the container is in every DIR before it runs a single instruction
 * of its own (see cgroup.c); `exec`: the command joins them before it forks. */
#ifndef TSC_LIMITS_H
#define TSC_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

struct rlimit_setting {
	const char *name;	/* as given: "nofile" */
	int resource;		/* RLIMIT_NOFILE */
	struct rlimit value;
};

struct limits_spec {
	const char **cgroups;	/* absolute cgroup directories */
	size_t ncgroups;
	struct rlimit_setting *rlimits;
	size_t nrlimits;
	bool oom_score_adj_set;
	int oom_score_adj;
};

/* options.c hands every option here first: returns 1 if OPT is not one of
 * ours, else 0 (parsed) or -1 (refused, last_failure set). ARGC sizes the
 * arrays (each value is one argv word). */
int parse_limits_option(struct limits_spec *limits, int argc, const char *opt, char *value);

/* --- cgroup.c: `run` ---------------------------------------------------- */

/* Before clone3: opens every --cgroup directory (refusing anything that is
 * not a cgroup), picks the cgroup2 one for CLONE_INTO_CGROUP and reads the
 * OOM kill counter. Removes a stale `oom_kills` file. */
int cgroup_prepare(const struct limits_spec *limits, int state_dirfd);
/* The fd for clone3's CLONE_INTO_CGROUP, or -1. */
int cgroup_clone_fd(void);
/* In the parent after clone3, before the child's "go" (supervise.c): writes
 * the child's pid into the cgroup.procs of every other hierarchy (cgroup
 * v1). On failure the caller kills the child instead of letting it go. */
int cgroup_attach(pid_t pid);
/* First step of the child after "go": with CLONE_NEWCGROUP and hierarchies
 * joined after the clone, start a new cgroup namespace there so that every
 * hierarchy (not only the one joined by clone3) shows its cgroup as "/". */
int cgroup_enter_namespace(int clone_flags);
/* After the container was reaped: writes `oom_kills` ("N\n", the kills by
 * the memory controller during this run) into the state dir. */
int cgroup_record_oom(int state_dirfd);

/* --- cgroup.c: `exec` --------------------------------------------------- */

/* Moves the calling process into every --cgroup directory (before it joins
 * the container's mount namespace, where the paths would mean nothing). */
int cgroup_enter_self(const struct limits_spec *limits);

/* --- process_limits.c --------------------------------------------------- */

/* setrlimit for each --rlimit and /proc/self/oom_score_adj; run as root,
 * before dropping the user (non-dumpable: /proc/self is root's). */
int apply_process_limits(const struct limits_spec *limits);

#endif
