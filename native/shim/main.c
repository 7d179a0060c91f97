/* tsc-shim: the per-container helper of tscompose (see native/README.md). */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "report.h"
#include "selfexec.h"

static void usage(FILE *out)
{
	fputs("usage:\n"
	      "  tsc-shim run [--name N] --state-dir DIR [--events FILE] [--restart POLICY [--restart-delay MS]] [--netns PATH] [--ns mount,uts,ipc,pid,cgroup]\n"
	      "               [--hostname H] [--domainname D] [--bind-ro SRC:DST]... [--env K=V]...\n"
	      "               [--cwd DIR] [--user UID[:GID]] [--sysctl net.K=V]... [--cgroup DIR]...\n"
	      "               [--rlimit NAME=SOFT:HARD]... [--oom-score-adj N]\n"
	      "               [--rootfs DIR --rootfs-rw DIR [--read-only] [--bind SRC DST OPTS]...\n"
	      "                [--tmpfs DST OPTS]... [--mask PATH]... [--ro-path PATH]... [--sys-rw]\n"
	      "                [--all-devices] [--root-dev]] [--caps 0xHEX] [--no-new-privs] [--apparmor P] [--exec-label L] [--mount-label L] [--init] -- [argv...]\n"
	      "  tsc-shim launch    (records on stdin: run's words, each NUL-terminated, then a NUL)\n"
	      "  tsc-shim exec [--pid PID] [--ns LIST] [--cwd DIR] [--user UID[:GID]] [--env K=V]...\n"
	      "                [--cgroup DIR]... [--rlimit NAME=SOFT:HARD]... [--oom-score-adj N]\n"
	      "                [--caps 0xHEX] [--no-new-privs] [--apparmor P] [--exec-label L] [--tty] -- argv...\n"
	      "  tsc-shim pause     (the built-in command of a container without one)\n",
	      out);
}

int main(int argc, char **argv)
{
	/* The built-in init is exec'd as "tsc-init -- argv..." (what the
	 * container's `ps` shows). */
	if (argc > 0 && strcmp(argv[0], "tsc-init") == 0)
		return init_main(argc - 1, argv + 1);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *verb = argv[1];
	/* What may start container processes runs from a read-only image of
	 * itself (CVE-2019-5736 class, see selfexec.c). */
	if ((strcmp(verb, "run") == 0 || strcmp(verb, "launch") == 0 || strcmp(verb, "exec") == 0) &&
	    reexec_read_only(argv) == -1) {
		char line[600];
		format_failure(line, sizeof line, &last_failure);
		fprintf(stderr, "tsc-shim: %s\n", line);
		return 125;
	}
	if (strcmp(verb, "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	if (strcmp(verb, "launch") == 0)
		return cmd_launch();
	if (strcmp(verb, "exec") == 0)
		return cmd_exec(argc - 2, argv + 2);
	if (strcmp(verb, "pause") == 0)
		return pause_main();
	if (strcmp(verb, "help") == 0 || strcmp(verb, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "tsc-shim: unknown command '%s'\n", verb);
	usage(stderr);
	return 2;
}
