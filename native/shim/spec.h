/* What to run and how: the parsed form of `tsc-shim run` and `tsc-shim exec`
 * arguments. Strings point into argv (never copied). */
#ifndef TSC_SPEC_H
#define TSC_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "limits.h"

struct bind_mount {
	const char *source;
	const char *target;
};

struct user_ids {
	bool set;
	uid_t uid;
	gid_t gid;
};

struct container_spec {
	const char *name;	/* for messages only */
	const char *state_dir;	/* absolute, existing, 0700 */
	const char *netns_path;	/* NULL: stay in the caller's netns */
	int clone_flags;	/* CLONE_NEW{NS,UTS,IPC,PID,CGROUP} */
	const char *hostname;
	const char *domainname;
	struct bind_mount *binds;
	size_t nbinds;
	char **sysctls;		/* "net.key=value" */
	size_t nsysctls;
	char **env;		/* NULL-terminated: the exact environment */
	const char *cwd;	/* NULL: "/" */
	struct user_ids user;
	char **argv;		/* NULL-terminated; empty: built-in pause */
	struct limits_spec limits;
};

struct exec_spec {
	pid_t pid;		/* 0: no namespaces to join */
	int ns_flags;		/* CLONE_NEW* to join, from /proc/PID/ns */
	const char *cwd;
	struct user_ids user;
	char **env;
	bool tty;
	char **argv;
	struct limits_spec limits;	/* --cgroup, --rlimit, --oom-score-adj */
};

/* Both return 0, or -1 with last_failure set (syscall "args", EINVAL). */
int parse_run_args(int argc, char **argv, struct container_spec *spec);
int parse_exec_args(int argc, char **argv, struct exec_spec *spec);

#endif
