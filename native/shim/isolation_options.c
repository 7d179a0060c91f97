/* The isolation options of `tsc-shim run` (see native/README.md):
 *
 *   --rootfs DIR          the overlay's read-only lower layer (full isolation)
 *   --lower DIR           a further lower layer below --rootfs (repeatable, top first:
 *                         an image's layers)
 *   --rootfs-rw DIR       where upper/, work/ and merged/ live (needed with --rootfs)
 *   --read-only           the root is read-only once the mounts are made
 *   --bind SRC DST OPTS   OPTS: ro|rw, [r]private|[r]slave|[r]shared,
 *                         nonrecursive, nodev, nosuid, noexec
 *   --subpath REL         the previous --bind mounts SRC/REL, resolved beneath
 *                         SRC without symlinks (volume.subpath, see subpath.c)
 *   --seccomp-default A   the seccomp filter's default action (see seccomp.c)
 *   --seccomp-rule A N X  action A for the syscalls N (comma list), argument filters X or -
 *   --apparmor P, --exec-label L, --mount-label L   AppArmor profile, SELinux labels (see lsm.c)
 *   --populate            the previous --bind, an empty volume, first gets the
 *                         image's content at its target (see populate.c)
 *   --tmpfs DST OPTS      OPTS: ro, nosuid, nodev, noexec, size=, mode=,
 *                         uid=, gid=, nr_inodes=
 *   --mask PATH           hidden: /dev/null over a file, an empty ro tmpfs over a dir
 *   --ro-path PATH        made read-only (bound onto itself)
 *   --caps HEX            the capability set (bounding, permitted, effective)
 *   --no-new-privs        PR_SET_NO_NEW_PRIVS before execve
 *   --sys-rw              /sys read-write (privileged)
 *   --all-devices         the host's device nodes in /dev (privileged)
 *   --root-dev            the root overlay without nodev (device_cgroup_rules:
 *                         the device cgroup decides what opens)
 *   --init                the built-in init runs the command as its child
 *   --shm-size BYTES      /dev/shm's size (shm_size; default 64 MiB)
 *
 * Pure: only the shape of the words is checked; the policy (which caps,
 * which masks) is the caller's. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "report.h"
#include "spec.h"

static void *grow(void *array, size_t count, size_t elem)
{
	void *p = realloc(array, (count + 1) * elem);
	if (!p)
		abort();
	return p;
}

static int absolute(const char *option, const char *path)
{
	if (path[0] != '/')
		return refuse("args", EINVAL, "%s must be an absolute path: %s", option, path);
	return 0;
}

int parse_caps_mask(const char *text, unsigned long long *caps)
{
	char *end;
	if (strncmp(text, "0x", 2) != 0 || text[2] == '\0')
		return refuse("args", EINVAL, "--caps must be a hexadecimal mask like 0xa80425fb: %s", text);
	errno = 0;
	unsigned long long v = strtoull(text + 2, &end, 16);
	if (errno || *end != '\0')
		return refuse("args", EINVAL, "--caps must be a hexadecimal mask like 0xa80425fb: %s", text);
	*caps = v;
	return 0;
}

/* One comma-separated word of OPTS; tmpfs key=value words are kept for
 * fsconfig (checked here, passed on by mount code). */
static int parse_mount_word(struct user_mount *m, const char *w, size_t len)
{
	static const struct {
		const char *name;
		unsigned long long attr;
	} attrs[] = {
		{ "ro", MOUNT_ATTR_RDONLY }, { "nodev", MOUNT_ATTR_NODEV },
		{ "nosuid", MOUNT_ATTR_NOSUID }, { "noexec", MOUNT_ATTR_NOEXEC },
	};
	static const struct {
		const char *name;
		unsigned long propagation;
		bool recursive;
	} props[] = {
		{ "private", MS_PRIVATE, false }, { "rprivate", MS_PRIVATE, true },
		{ "slave", MS_SLAVE, false },	  { "rslave", MS_SLAVE, true },
		{ "shared", MS_SHARED, false },	  { "rshared", MS_SHARED, true },
	};
	static const char *const tmpfs_keys[] = { "size=", "mode=", "uid=", "gid=", "nr_inodes=" };

	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		if (strlen(attrs[i].name) == len && strncmp(w, attrs[i].name, len) == 0) {
			m->attrs |= attrs[i].attr;
			return 0;
		}
	}
	if (len == 2 && strncmp(w, "rw", 2) == 0)
		return 0;
	if (m->kind == MOUNT_BIND) {
		for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
			if (strlen(props[i].name) == len && strncmp(w, props[i].name, len) == 0) {
				m->propagation = props[i].propagation;
				m->propagation_recursive = props[i].recursive;
				return 0;
			}
		}
		if (len == 12 && strncmp(w, "nonrecursive", 12) == 0) {
			m->recursive = false;
			return 0;
		}
	} else {
		for (size_t i = 0; i < sizeof tmpfs_keys / sizeof tmpfs_keys[0]; i++) {
			size_t kl = strlen(tmpfs_keys[i]);
			if (len > kl && strncmp(w, tmpfs_keys[i], kl) == 0)
				return 0;
		}
	}
	return refuse("args", EINVAL, "%s %s: unknown mount option '%.*s'",
		      m->kind == MOUNT_BIND ? "--bind" : "--tmpfs", m->target, (int)len, w);
}

static int parse_mount_options(struct user_mount *m)
{
	m->attrs = 0;
	m->propagation = MS_PRIVATE;
	m->propagation_recursive = true;
	m->recursive = m->kind == MOUNT_BIND;
	for (const char *p = m->options; *p;) {
		size_t len = strcspn(p, ",");
		if (len == 0)
			return refuse("args", EINVAL, "%s: empty mount option in '%s'", m->target, m->options);
		if (parse_mount_word(m, p, len) == -1)
			return -1;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int need(int argc, int i, int n, const char *opt)
{
	if (i + n >= argc)
		return refuse("args", EINVAL, "%s needs %d value%s", opt, n, n > 1 ? "s" : "");
	return 0;
}

static int add_mount(struct isolation_spec *iso, enum mount_kind kind, const char *source, const char *target,
		     const char *options)
{
	iso->mounts = grow(iso->mounts, iso->nmounts, sizeof *iso->mounts);
	struct user_mount *m = &iso->mounts[iso->nmounts++];
	memset(m, 0, sizeof *m);
	m->kind = kind;
	m->source = source;
	m->target = target;
	m->options = options;
	return parse_mount_options(m);
}

int parse_isolation_option(int argc, char **argv, int *i, struct container_spec *spec)
{
	struct isolation_spec *iso = &spec->iso;
	const char *opt = argv[*i];
	bool *flag = strcmp(opt, "--read-only") == 0	   ? &iso->read_only
		     : strcmp(opt, "--no-new-privs") == 0 ? &iso->no_new_privs
		     : strcmp(opt, "--sys-rw") == 0	   ? &iso->sys_rw
		     : strcmp(opt, "--all-devices") == 0   ? &iso->all_devices
		     : strcmp(opt, "--root-dev") == 0	   ? &iso->root_dev
		     : strcmp(opt, "--init") == 0	   ? &iso->init
		     : strcmp(opt, "--stdin-open") == 0   ? &iso->stdin_open
		     : strcmp(opt, "--tty") == 0	   ? &iso->tty
							   : NULL;
	int sc = parse_seccomp_option(argc, argv, i, &iso->seccomp);
	if (sc == 0)
		sc = parse_lsm_option(argc, argv, i, &iso->lsm);
	if (sc != 0)
		return sc;
	if (flag) {
		*flag = true;
		return 1;
	}
	if (strcmp(opt, "--rootfs") == 0 || strcmp(opt, "--rootfs-rw") == 0 || strcmp(opt, "--mask") == 0 ||
	    strcmp(opt, "--lower") == 0 ||
	    strcmp(opt, "--ro-path") == 0 || strcmp(opt, "--caps") == 0) {
		if (need(argc, *i, 1, opt) == -1)
			return -1;
		char *value = argv[++*i];
		if (strcmp(opt, "--caps") == 0) {
			if (parse_caps_mask(value, &iso->caps) == -1)
				return -1;
			iso->caps_set = true;
			return 1;
		}
		if (absolute(opt, value) == -1)
			return -1;
		if (strcmp(opt, "--rootfs") == 0) {
			iso->rootfs = value;
		} else if (strcmp(opt, "--rootfs-rw") == 0) {
			iso->rootfs_rw = value;
		} else if (strcmp(opt, "--lower") == 0) {
			iso->lowers = grow(iso->lowers, iso->nlowers, sizeof *iso->lowers);
			iso->lowers[iso->nlowers++] = value;
		} else if (strcmp(opt, "--mask") == 0) {
			iso->masks = grow(iso->masks, iso->nmasks, sizeof *iso->masks);
			iso->masks[iso->nmasks++] = value;
		} else {
			iso->ro_paths = grow(iso->ro_paths, iso->nro_paths, sizeof *iso->ro_paths);
			iso->ro_paths[iso->nro_paths++] = value;
		}
		return 1;
	}
	if (strcmp(opt, "--bind") == 0) {
		if (need(argc, *i, 3, opt) == -1)
			return -1;
		char *src = argv[*i + 1], *dst = argv[*i + 2], *opts = argv[*i + 3];
		*i += 3;
		if (absolute("--bind source", src) == -1 || absolute("--bind target", dst) == -1)
			return -1;
		return add_mount(iso, MOUNT_BIND, src, dst, opts) == -1 ? -1 : 1;
	}
	if (strcmp(opt, "--shm-size") == 0) {
		if (need(argc, *i, 1, opt) == -1)
			return -1;
		const char *value = argv[++*i];
		char *end;
		errno = 0;
		unsigned long long v = strtoull(value, &end, 10);
		if (value[0] < '0' || value[0] > '9' || errno || *end != '\0' || v == 0)
			return refuse("args", EINVAL, "--shm-size must be a positive number of bytes: %s", value);
		iso->shm_size = v;
		return 1;
	}
	if (strcmp(opt, "--subpath") == 0) {
		if (need(argc, *i, 1, opt) == -1)
			return -1;
		struct user_mount *last = iso->nmounts ? &iso->mounts[iso->nmounts - 1] : NULL;
		if (!last || last->kind != MOUNT_BIND || last->subpath)
			return refuse("args", EINVAL, "--subpath must follow a --bind");
		last->subpath = argv[++*i];
		if (last->subpath[0] == '\0' || last->subpath[0] == '/')
			return refuse("args", EINVAL, "--subpath must be a relative path: %s", last->subpath);
		return 1;
	}
	if (strcmp(opt, "--populate") == 0) {
		struct user_mount *last = iso->nmounts ? &iso->mounts[iso->nmounts - 1] : NULL;
		if (!last || last->kind != MOUNT_BIND)
			return refuse("args", EINVAL, "--populate must follow a --bind");
		last->populate = true;
		return 1;
	}
	if (strcmp(opt, "--tmpfs") == 0) {
		if (need(argc, *i, 2, opt) == -1)
			return -1;
		char *dst = argv[*i + 1], *opts = argv[*i + 2];
		*i += 2;
		if (absolute("--tmpfs target", dst) == -1)
			return -1;
		return add_mount(iso, MOUNT_TMPFS, NULL, dst, opts) == -1 ? -1 : 1;
	}
	return 0;
}

int check_isolation(const struct container_spec *spec)
{
	const struct isolation_spec *iso = &spec->iso;
	if (iso->rootfs && !iso->rootfs_rw)
		return refuse("args", EINVAL, "--rootfs needs --rootfs-rw (where the writable layer lives)");
	if (iso->rootfs && !(spec->clone_flags & CLONE_NEWNS))
		return refuse("args", EINVAL, "--rootfs needs --ns mount");
	if (!iso->rootfs && (iso->rootfs_rw || iso->read_only || iso->nmounts || iso->nmasks || iso->nro_paths ||
			     iso->sys_rw || iso->all_devices || iso->root_dev || iso->shm_size))
		return refuse("args", EINVAL, "--rootfs-rw, --read-only, --bind, --tmpfs, --mask, --ro-path, "
					      "--sys-rw, --all-devices, --root-dev and --shm-size need --rootfs");
	return 0;
}
