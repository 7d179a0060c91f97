/* The container's seccomp filter (policy from plan/seccomp.ts), installed
 * with libseccomp just before privileges are dropped, for `run` and `exec`
 * (and so the healthcheck) alike. */
#ifndef TSC_SECCOMP_H
#define TSC_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>

struct seccomp_rule_spec {
	const char *action;	/* allow | errno:N | kill | kill_process | trap | log */
	const char *names;	/* comma-separated syscall names */
	const char *args;	/* "-" or INDEX:OP:VALUE[:VALUE2] joined by ',' */
};

struct seccomp_spec {
	const char *default_action;	/* NULL: no filter */
	struct seccomp_rule_spec *rules;
	size_t nrules;
};

/* `--seccomp-default ACTION` and `--seccomp-rule ACTION NAMES ARGS`:
 * returns 1 if argv[*i] was one of them (consumed), 0 if not, -1 if refused. */
int parse_seccomp_option(int argc, char **argv, int *i, struct seccomp_spec *s);

/* Load the filter (no-op without one). While the caller still has
 * CAP_SYS_ADMIN, so no_new_privs is not required (as runc does). */
int install_seccomp(const struct seccomp_spec *s);

#endif
