/* Command-line parsing for `run` and `exec`. Pure: it only checks the shape
 * of the arguments (absolute paths, K=V pairs, numeric ids); which values
 * are allowed is the caller's policy. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "namespaces.h"
#include "report.h"
#include "spec.h"

static int need_value(int argc, char **argv, int i)
{
	if (i + 1 >= argc)
		return refuse("args", EINVAL, "%s needs a value", argv[i]);
	return 0;
}

static int need_absolute(const char *option, const char *path)
{
	if (path[0] != '/')
		return refuse("args", EINVAL, "%s must be an absolute path: %s", option, path);
	return 0;
}

static int parse_id(const char *text, unsigned long *out)
{
	char *end;
	if (*text < '0' || *text > '9')
		return -1;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno || end == text || v > UINT_MAX - 1)
		return -1;
	*out = v;
	return (int)(end - text);
}

/* UID[:GID]; GID defaults to 0 like docker's --user UID without a passwd entry. */
static int parse_user(const char *text, struct user_ids *user)
{
	unsigned long uid, gid = 0;
	int n = parse_id(text, &uid);
	if (n < 0 || (text[n] != '\0' && text[n] != ':'))
		return refuse("args", EINVAL, "--user must be UID[:GID], numeric: %s", text);
	if (text[n] == ':') {
		int m = parse_id(text + n + 1, &gid);
		if (m < 0 || text[n + 1 + m] != '\0')
			return refuse("args", EINVAL, "--user must be UID[:GID], numeric: %s", text);
	}
	user->set = true;
	user->uid = (uid_t)uid;
	user->gid = (gid_t)gid;
	return 0;
}

/* G1,G2,...: numeric gids (names are resolved by the caller, in the container's /etc/group). */
int parse_groups(const char *text, struct user_ids *user)
{
	const char *p = text;
	user->ngroups = 0;
	while (*p) {
		unsigned long g;
		int n = parse_id(p, &g);
		if (n < 0 || (p[n] != ',' && p[n] != '\0') || user->ngroups == MAX_GROUPS)
			return refuse("args", EINVAL, "--groups must be at most %d numeric gids, comma-separated: %s", MAX_GROUPS, text);
		user->groups[user->ngroups++] = (gid_t)g;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* NS=PID, NS pid or ipc. */
static int parse_join(const char *text, struct container_spec *spec)
{
	const char *eq = strchr(text, '=');
	unsigned long pid;
	int n = eq ? parse_id(eq + 1, &pid) : -1;
	int flag = !eq ? 0 : (eq - text == 3 && strncmp(text, "pid", 3) == 0) ? CLONE_NEWPID
			 : (eq - text == 3 && strncmp(text, "ipc", 3) == 0) ? CLONE_NEWIPC : 0;
	if (!flag || n < 0 || eq[1 + n] != '\0' || pid == 0 || pid > INT_MAX || spec->njoin == 2)
		return refuse("args", EINVAL, "--join-ns must be pid=PID or ipc=PID: %s", text);
	spec->join[spec->njoin].flag = flag;
	spec->join[spec->njoin++].pid = (pid_t)pid;
	return 0;
}

static int is_key_value(const char *s)
{
	const char *eq = strchr(s, '=');
	return eq && eq != s;
}

/* Arrays sized by argc: every option value is one argv word. */
static void *array_for(int argc, size_t elem)
{
	void *p = calloc((size_t)argc + 1, elem);
	if (!p)
		abort();
	return p;
}

int parse_run_args(int argc, char **argv, struct container_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	spec->binds = array_for(argc, sizeof *spec->binds);
	spec->sysctls = array_for(argc, sizeof *spec->sysctls);
	spec->ipc_sysctls = array_for(argc, sizeof *spec->ipc_sysctls);
	spec->env = array_for(argc, sizeof *spec->env);
	size_t nenv = 0;
	static char *no_argv[] = { NULL };
	spec->argv = no_argv;

	for (int i = 0; i < argc; i++) {
		const char *opt = argv[i];
		if (strcmp(opt, "--") == 0) {
			spec->argv = &argv[i + 1];
			break;
		}
		if (strncmp(opt, "--", 2) != 0)
			return refuse("args", EINVAL, "unexpected '%s': put the command after --", opt);
		int iso = parse_isolation_option(argc, argv, &i, spec);
		if (iso == -1)
			return -1;
		if (iso == 1)
			continue;
		if (strcmp(opt, "--log-none") == 0) {
			spec->log.none = true;
			continue;
		}
		if (need_value(argc, argv, i) == -1)
			return -1;
		char *value = argv[++i];

		int limit = parse_limits_option(&spec->limits, argc, opt, value);
		if (limit == -1)
			return -1;
		if (limit == 0)
			continue;
		int logopt = parse_log_option(&spec->log, opt, value);
		if (logopt == -1)
			return -1;
		if (logopt == 1)
			continue;
		int health = parse_health_option(&spec->health, argc, opt, value);
		if (health == -1)
			return -1;
		if (health == 0)
			continue;

		if (strcmp(opt, "--name") == 0) {
			spec->name = value;
		} else if (strcmp(opt, "--state-dir") == 0) {
			if (need_absolute(opt, value) == -1)
				return -1;
			spec->state_dir = value;
		} else if (strcmp(opt, "--restart") == 0 || strcmp(opt, "--restart-delay") == 0) {
			if (parse_restart_option(&spec->restart, opt, value) == -1)
				return -1;
		} else if (strcmp(opt, "--events") == 0) {
			if (need_absolute(opt, value) == -1)
				return -1;
			spec->events_path = value;
		} else if (strcmp(opt, "--netns") == 0) {
			if (need_absolute(opt, value) == -1)
				return -1;
			spec->netns_path = value;
		} else if (strcmp(opt, "--ns") == 0) {
			if (parse_ns_list(value, 0, &spec->clone_flags) == -1)
				return -1;
		} else if (strcmp(opt, "--hostname") == 0) {
			spec->hostname = value;
		} else if (strcmp(opt, "--domainname") == 0) {
			spec->domainname = value;
		} else if (strcmp(opt, "--bind-ro") == 0) {
			/* SRC:DST, split at the first ':' (sources never contain one). */
			char *colon = strchr(value, ':');
			if (!colon)
				return refuse("args", EINVAL, "--bind-ro must be SRC:DST: %s", value);
			*colon = '\0';
			if (need_absolute(opt, value) == -1 || need_absolute(opt, colon + 1) == -1)
				return -1;
			spec->binds[spec->nbinds].source = value;
			spec->binds[spec->nbinds++].target = colon + 1;
		} else if (strcmp(opt, "--env") == 0) {
			if (!is_key_value(value))
				return refuse("args", EINVAL, "--env must be KEY=VALUE: %s", value);
			spec->env[nenv++] = value;
		} else if (strcmp(opt, "--cwd") == 0) {
			if (need_absolute(opt, value) == -1)
				return -1;
			spec->cwd = value;
		} else if (strcmp(opt, "--user") == 0) {
			if (parse_user(value, &spec->user) == -1)
				return -1;
		} else if (strcmp(opt, "--sysctl") == 0) {
			if (!is_key_value(value))
				return refuse("args", EINVAL, "--sysctl must be KEY=VALUE: %s", value);
			spec->sysctls[spec->nsysctls++] = value;
		} else if (strcmp(opt, "--ipc-sysctl") == 0) {
			if (!is_key_value(value))
				return refuse("args", EINVAL, "--ipc-sysctl must be KEY=VALUE: %s", value);
			spec->ipc_sysctls[spec->nipc_sysctls++] = value;
		} else if (strcmp(opt, "--groups") == 0) {
			if (parse_groups(value, &spec->user) == -1)
				return -1;
		} else if (strcmp(opt, "--join-ns") == 0) {
			if (parse_join(value, spec) == -1)
				return -1;
		} else {
			return refuse("args", EINVAL, "unknown option %s", opt);
		}
	}

	if (!spec->state_dir)
		return refuse("args", EINVAL, "--state-dir is required");
	if (!spec->name)
		spec->name = spec->state_dir;
	if ((spec->hostname || spec->domainname) && !(spec->clone_flags & CLONE_NEWUTS))
		return refuse("args", EINVAL, "--hostname/--domainname need --ns uts");
	if (spec->nbinds && !(spec->clone_flags & CLONE_NEWNS))
		return refuse("args", EINVAL, "--bind-ro needs --ns mount");
	if (spec->nsysctls && !spec->netns_path)
		return refuse("args", EINVAL, "--sysctl needs --netns (it would change the host's network namespace)");
	if ((spec->clone_flags & CLONE_NEWPID) && !(spec->clone_flags & CLONE_NEWNS))
		return refuse("args", EINVAL, "--ns pid needs mount too (to mount the container's /proc)");
	if (spec->nipc_sysctls && !(spec->clone_flags & CLONE_NEWIPC))
		return refuse("args", EINVAL, "--ipc-sysctl needs --ns ipc (it would change the host's, or another container's, ipc namespace)");
	for (size_t i = 0; i < spec->njoin; i++) {
		if (spec->clone_flags & spec->join[i].flag)
			return refuse("args", EINVAL, "--join-ns %s: the namespace is also in --ns", spec->join[i].flag == CLONE_NEWPID ? "pid" : "ipc");
		if (spec->join[i].flag == CLONE_NEWPID && !(spec->clone_flags & CLONE_NEWNS))
			return refuse("args", EINVAL, "--join-ns pid needs --ns mount (to mount the container's /proc)");
	}
	return check_isolation(spec);
}

int parse_exec_args(int argc, char **argv, struct exec_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	spec->env = array_for(argc, sizeof *spec->env);
	size_t nenv = 0;
	spec->argv = NULL;

	for (int i = 0; i < argc; i++) {
		const char *opt = argv[i];
		if (strcmp(opt, "--") == 0) {
			spec->argv = &argv[i + 1];
			break;
		}
		if (strcmp(opt, "--tty") == 0) {
			spec->tty = true;
			continue;
		}
		if (strcmp(opt, "--no-new-privs") == 0) {
			spec->no_new_privs = true;
			continue;
		}
		if (strcmp(opt, "--caps") == 0) {
			if (need_value(argc, argv, i) == -1 || parse_caps_mask(argv[i + 1], &spec->caps) == -1)
				return -1;
			spec->caps_set = true;
			i++;
			continue;
		}
		int sc = parse_seccomp_option(argc, argv, &i, &spec->seccomp);
		if (sc == 0)
			sc = parse_lsm_option(argc, argv, &i, &spec->lsm);
		if (sc == -1)
			return -1;
		if (sc == 1)
			continue;
		if (strncmp(opt, "--", 2) != 0)
			return refuse("args", EINVAL, "unexpected '%s': put the command after --", opt);
		if (need_value(argc, argv, i) == -1)
			return -1;
		char *value = argv[++i];

		int limit = parse_limits_option(&spec->limits, argc, opt, value);
		if (limit == -1)
			return -1;
		if (limit == 0)
			continue;

		if (strcmp(opt, "--pid") == 0) {
			unsigned long pid;
			int n = parse_id(value, &pid);
			if (n < 0 || value[n] != '\0' || pid == 0 || pid > INT_MAX)
				return refuse("args", EINVAL, "--pid must be a process id: %s", value);
			spec->pid = (pid_t)pid;
		} else if (strcmp(opt, "--ns") == 0) {
			if (parse_ns_list(value, 1, &spec->ns_flags) == -1)
				return -1;
		} else if (strcmp(opt, "--cwd") == 0) {
			if (need_absolute(opt, value) == -1)
				return -1;
			spec->cwd = value;
		} else if (strcmp(opt, "--user") == 0) {
			if (parse_user(value, &spec->user) == -1)
				return -1;
		} else if (strcmp(opt, "--groups") == 0) {
			if (parse_groups(value, &spec->user) == -1)
				return -1;
		} else if (strcmp(opt, "--env") == 0) {
			if (!is_key_value(value))
				return refuse("args", EINVAL, "--env must be KEY=VALUE: %s", value);
			spec->env[nenv++] = value;
		} else {
			return refuse("args", EINVAL, "unknown option %s", opt);
		}
	}
	if (!spec->argv || !spec->argv[0])
		return refuse("args", EINVAL, "exec needs a command after --");
	if (spec->ns_flags && !spec->pid)
		return refuse("args", EINVAL, "--ns needs --pid");
	return 0;
}
