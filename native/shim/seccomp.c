/* seccomp with libseccomp (the library runc and crun use): the filter is
 * built here from the rules the plan decided and loaded right before the
 * capabilities are dropped. A syscall name this architecture does not have
 * is skipped, as runc skips it. Equivalent to what `docker run
 * --security-opt seccomp=PROFILE` loads. */
#include "seccomp.h"

#include <errno.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static int parse_action(const char *text, uint32_t *out)
{
	if (strcmp(text, "allow") == 0)
		*out = SCMP_ACT_ALLOW;
	else if (strcmp(text, "kill") == 0)
		*out = SCMP_ACT_KILL_THREAD;
	else if (strcmp(text, "kill_process") == 0)
		*out = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(text, "trap") == 0)
		*out = SCMP_ACT_TRAP;
	else if (strcmp(text, "log") == 0)
		*out = SCMP_ACT_LOG;
	else if (strncmp(text, "errno:", 6) == 0) {
		char *end;
		long n = strtol(text + 6, &end, 10);
		if (*end || n < 0 || n > 4095)
			return refuse("args", EINVAL, "seccomp action %s: errno must be 0..4095", text);
		*out = SCMP_ACT_ERRNO((uint16_t)n);
	} else
		return refuse("args", EINVAL, "unknown seccomp action %s", text);
	return 0;
}

int parse_seccomp_option(int argc, char **argv, int *i, struct seccomp_spec *s)
{
	uint32_t check;
	if (strcmp(argv[*i], "--seccomp-default") == 0) {
		if (*i + 1 >= argc)
			return refuse("args", EINVAL, "--seccomp-default needs an action");
		s->default_action = argv[++*i];
		return parse_action(s->default_action, &check) == -1 ? -1 : 1;
	}
	if (strcmp(argv[*i], "--seccomp-rule") != 0)
		return 0;
	if (*i + 3 >= argc)
		return refuse("args", EINVAL, "--seccomp-rule needs ACTION NAMES ARGS");
	struct seccomp_rule_spec *r = realloc(s->rules, (s->nrules + 1) * sizeof *r);
	if (!r)
		return refuse("realloc", ENOMEM, "seccomp rules");
	s->rules = r;
	r[s->nrules] = (struct seccomp_rule_spec){ argv[*i + 1], argv[*i + 2], argv[*i + 3] };
	*i += 3;
	if (parse_action(r[s->nrules].action, &check) == -1)
		return -1;
	s->nrules++;
	return 1;
}

static int parse_op(const char *op, enum scmp_compare *out)
{
	static const struct { const char *name; enum scmp_compare op; } ops[] = {
		{ "ne", SCMP_CMP_NE }, { "lt", SCMP_CMP_LT }, { "le", SCMP_CMP_LE }, { "eq", SCMP_CMP_EQ },
		{ "ge", SCMP_CMP_GE }, { "gt", SCMP_CMP_GT }, { "masked_eq", SCMP_CMP_MASKED_EQ },
	};
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
		if (strcmp(op, ops[k].name) == 0) {
			*out = ops[k].op;
			return 0;
		}
	return refuse("args", EINVAL, "unknown seccomp comparison %s", op);
}

/* "INDEX:OP:VALUE[:VALUE2],..." into at most 6 comparisons. */
static int parse_args(const char *text, struct scmp_arg_cmp *cmps, unsigned int *n)
{
	*n = 0;
	if (strcmp(text, "-") == 0)
		return 0;
	char buf[1024];
	if (strlen(text) >= sizeof buf)
		return refuse("args", E2BIG, "seccomp argument filter too long");
	strcpy(buf, text);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n >= 6)
			return refuse("args", EINVAL, "more than 6 seccomp argument filters");
		char *f[4] = { 0 };
		char *s2 = NULL;
		int k = 0;
		for (char *p = strtok_r(tok, ":", &s2); p && k < 4; p = strtok_r(NULL, ":", &s2))
			f[k++] = p;
		enum scmp_compare op = SCMP_CMP_EQ;
		if (k < 3 || parse_op(f[1], &op) == -1)
			return k < 3 ? refuse("args", EINVAL, "seccomp argument filter needs INDEX:OP:VALUE") : -1;
		unsigned long idx = strtoul(f[0], NULL, 10);
		if (idx > 5)
			return refuse("args", EINVAL, "seccomp argument index %lu is over 5", idx);
		cmps[(*n)++] = (struct scmp_arg_cmp){ (unsigned int)idx, op, strtoull(f[2], NULL, 0), f[3] ? strtoull(f[3], NULL, 0) : 0 };
	}
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t def, const struct seccomp_rule_spec *r)
{
	uint32_t action;
	struct scmp_arg_cmp cmps[6];
	unsigned int ncmp;
	if (parse_action(r->action, &action) == -1 || parse_args(r->args, cmps, &ncmp) == -1)
		return -1;
	if (action == def)
		return 0; /* libseccomp refuses a rule that restates the default */
	char names[8192];
	if (strlen(r->names) >= sizeof names)
		return refuse("args", E2BIG, "seccomp syscall list too long");
	strcpy(names, r->names);
	char *save = NULL;
	for (char *name = strtok_r(names, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not a syscall of this architecture */
		int rc = seccomp_rule_add_array(ctx, action, nr, ncmp, ncmp ? cmps : NULL);
		if (rc < 0)
			return fail("seccomp_rule_add", -rc, "%s (%s)", name, r->action);
	}
	return 0;
}

int install_seccomp(const struct seccomp_spec *s)
{
	if (!s->default_action)
		return 0;
	uint32_t def;
	if (parse_action(s->default_action, &def) == -1)
		return -1;
	scmp_filter_ctx ctx = seccomp_init(def);
	if (!ctx)
		return fail("seccomp_init", ENOMEM, "%s", s->default_action);
	/* no_new_privs is the policy's to set (drop_privileges), not the filter's. */
	int err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	int rc = err < 0 ? fail("seccomp_attr_set", -err, "no_new_privs") : 0;
	for (size_t k = 0; rc == 0 && k < s->nrules; k++)
		if (add_rule(ctx, def, &s->rules[k]) == -1)
			rc = -1;
	if (rc == 0 && (err = seccomp_load(ctx)) < 0)
		rc = fail("seccomp_load", -err, "the container's filter");
	seccomp_release(ctx);
	return rc;
}
