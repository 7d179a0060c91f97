/* What to run and how: the parsed form of `tsc-shim run` and `tsc-shim exec`
 * arguments. Strings point into argv (never copied). */
#ifndef TSC_SPEC_H
#define TSC_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "limits.h"
#include "log_sink.h"
#include "health.h"
#include "restart.h"
#include "lsm.h"
#include "seccomp.h"

struct bind_mount {
	const char *source;
	const char *target;
};

/* A mount made inside the container's root (`--bind`, `--tmpfs`). */
enum mount_kind { MOUNT_BIND, MOUNT_TMPFS };

struct user_mount {
	enum mount_kind kind;
	const char *source;	/* bind: absolute host path; tmpfs: NULL */
	const char *subpath;	/* bind: NULL, or relative, resolved strictly beneath source */
	const char *target;	/* absolute path inside the container's root */
	const char *options;	/* comma list, see isolation_options.c */
	/* Parsed from options: */
	unsigned long long attrs;	/* MOUNT_ATTR_* to set */
	unsigned long propagation;	/* MS_PRIVATE, MS_SLAVE or MS_SHARED */
	bool propagation_recursive;	/* rprivate, rslave, rshared */
	bool recursive;			/* binds: submounts too (rbind) */
	bool populate;			/* binds: an empty volume first gets the image's content at target */
};

/* Full isolation (`--rootfs`): the root filesystem, its mounts and the
 * process's privileges. Absent (rootfs NULL): the container stays on the
 * host's root, as `run` did before. */
struct isolation_spec {
	const char *rootfs;	/* read-only lower layer of the overlay (the top one) */
	char **lowers;		/* --lower: further lower layers, below rootfs, top first */
	size_t nlowers;
	const char *rootfs_rw;	/* holds upper/, work/ and merged/ */
	bool read_only;		/* the root is made read-only after the mounts */
	struct user_mount *mounts;
	size_t nmounts;
	char **masks;		/* paths hidden (/dev/null or an empty ro tmpfs) */
	size_t nmasks;
	char **ro_paths;	/* paths made read-only */
	size_t nro_paths;
	bool caps_set;		/* --caps given: bounding/permitted/effective set */
	unsigned long long caps;
	bool no_new_privs;
	bool sys_rw;		/* privileged: /sys writable */
	bool all_devices;	/* privileged: the host's devices in /dev */
	bool root_dev;		/* the root overlay without nodev (the device cgroup is the lock) */
	bool init;		/* the built-in init is PID 1, the command its child */
	unsigned long long shm_size;	/* --shm-size: /dev/shm's size in bytes; 0: 64 MiB */
	bool stdin_open;	/* --stdin-open: stdin a pipe the shim holds open (compose stdin_open) */
	bool tty;		/* --tty: stdin, stdout, stderr a pty of the shim's (compose tty) */
	struct seccomp_spec seccomp;	/* --seccomp-default/--seccomp-rule */
	struct lsm_spec lsm;	/* --apparmor, --exec-label, --mount-label */
};

#define MAX_GROUPS 64

struct user_ids {
	bool set;
	uid_t uid;
	gid_t gid;
	size_t ngroups;		/* --groups: supplementary groups (group_add), set even without --user */
	gid_t groups[MAX_GROUPS];
};

/* --join-ns NS=PID: a namespace of a running process, joined instead of a new one. */
struct joined_ns {
	int flag;		/* CLONE_NEWPID or CLONE_NEWIPC */
	pid_t pid;
};

struct container_spec {
	const char *name;	/* for messages only */
	const char *state_dir;	/* absolute, existing, 0700 */
	const char *events_path; /* the project's events.jsonl; NULL: no events */
	const char *netns_path;	/* NULL: stay in the caller's netns */
	int clone_flags;	/* CLONE_NEW{NS,UTS,IPC,PID,CGROUP} */
	const char *hostname;
	const char *domainname;
	struct bind_mount *binds;
	size_t nbinds;
	struct isolation_spec iso;
	char **sysctls;		/* "net.key=value" */
	size_t nsysctls;
	char **ipc_sysctls;	/* "kernel.shmmax=value", "fs.mqueue.x=value": in the new ipc namespace */
	size_t nipc_sysctls;
	struct joined_ns join[2];
	size_t njoin;
	char **env;		/* NULL-terminated: the exact environment */
	const char *cwd;	/* NULL: "/" */
	struct user_ids user;
	char **argv;		/* NULL-terminated; empty: built-in pause */
	struct limits_spec limits;
	struct restart_spec restart;
	struct health_spec health;
	struct log_spec log;	/* --log-none, --log-max-size, --log-max-files */
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
	bool caps_set;		/* the container's capability set (--caps) */
	unsigned long long caps;
	bool no_new_privs;
	struct seccomp_spec seccomp;	/* the container's filter */
	struct lsm_spec lsm;	/* the container's AppArmor profile and SELinux label */
};

/* Both return 0, or -1 with last_failure set (syscall "args", EINVAL). */
int parse_run_args(int argc, char **argv, struct container_spec *spec);
/* The isolation options of `run` (isolation_options.c): consumes argv[*i]
 * (and its values) if it is one; returns 1 if consumed, 0 if not one of
 * them, -1 if refused. `check_isolation` runs once all are parsed. */
int parse_isolation_option(int argc, char **argv, int *i, struct container_spec *spec);
int check_isolation(const struct container_spec *spec);
/* `--caps HEX` for `exec` too. */
int parse_caps_mask(const char *text, unsigned long long *caps);
int parse_exec_args(int argc, char **argv, struct exec_spec *spec);
/* `--groups G1,G2` (run and exec, options.c). */
int parse_groups(const char *text, struct user_ids *user);

#endif
