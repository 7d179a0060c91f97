/* The container process: runs between clone3 (already in its new
 * namespaces, and in the container's netns inherited from the shim) and
 * execve. It first waits for the shim's "go" (the shim may still have to
 * place it, e.g. in its cgroup). Order matters: mounts before chdir (the
 * cwd may be a bind target), chdir before dropping privileges (like runc:
 * a cwd only root can traverse still works), fds and signals last. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "commands.h"
#include "keyring.h"
#include "lsm.h"
#include "limits.h"
#include "mountfs.h"
#include "mounts.h"
#include "namespaces.h"
#include "process.h"
#include "pty.h"
#include "report.h"
#include "rootfs.h"
#include "selfexec.h"
#include "sysctl.h"

static bool joins(const struct container_spec *spec, int flag)
{
	for (size_t i = 0; i < spec->njoin; i++)
		if (spec->join[i].flag == flag)
			return true;
	return false;
}

/* In the new ipc namespace, before the pivot (any /proc shows our own). */
static int apply_ipc_sysctls(const struct container_spec *spec)
{
	for (size_t i = 0; i < spec->nipc_sysctls; i++)
		if (apply_ipc_sysctl(spec->ipc_sysctls[i]) == -1)
			return -1;
	return 0;
}

static int setup_mounts(const struct container_spec *spec)
{
	if (!(spec->clone_flags & CLONE_NEWNS))
		return 0;
	if (spec->iso.rootfs)
		return setup_rootfs(spec);
	/* The host's root, as before isolation: see native/README.md. */
	if (make_mounts_rslave() == -1 || detach_netns_mounts("/run/netns") == -1)
		return -1;
	if ((spec->clone_flags & CLONE_NEWPID || joins(spec, CLONE_NEWPID)) && mount_fresh_proc() == -1)
		return -1;
	for (size_t i = 0; i < spec->nbinds; i++)
		if (bind_mount_ro(spec->binds[i].source, spec->binds[i].target) == -1)
			return -1;
	return 0;
}

/* Equivalent to: exec <&IN >&OUT 2>&ERR  (without IN, stdin stays the shim's /dev/null) */
static int connect_stdio(int in_fd, int out_fd, int err_fd, int tty)
{
	/* compose `tty`: a new session whose controlling terminal is the shim's pty. */
	if (tty >= 0)
		return take_pty(tty);
	if (in_fd >= 0 && dup2(in_fd, STDIN_FILENO) == -1)
		return fail("dup2", errno, "stdin");
	if (dup2(out_fd, STDOUT_FILENO) == -1)
		return fail("dup2", errno, "stdout");
	if (dup2(err_fd, STDERR_FILENO) == -1)
		return fail("dup2", errno, "stderr");
	return 0;
}

/* The shim's own image, for the built-in pause and init, through a
 * read-only, detached bind mount of it: a process in the container that
 * opens /proc/1/exe for writing gets EROFS, never the host's binary
 * (CVE-2019-5736). Taken by the shim, in the mount namespace its image was
 * exec'd in (open_tree refuses a mount of another namespace). */
/* The shim's own image as a detached mount. /proc/self/exe names it on the
 * mount of the namespace we were exec'd in; in the private mount namespace
 * `launch` gives its shims, that mount is not ours to clone (EINVAL), so
 * the same file is taken by its path there, checked to be the same inode. */
static int clone_own_image(void)
{
	int fd = clone_mount(AT_FDCWD, "/proc/self/exe", false, "/proc/self/exe");
	if (fd >= 0 || last_failure.err != EINVAL)
		return fd;
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	struct stat want, got;
	if (n <= 0 || stat("/proc/self/exe", &want) == -1)
		return fail("readlink", errno, "/proc/self/exe");
	path[n] = '\0';
	if (stat(path, &got) == -1 || got.st_ino != want.st_ino || got.st_dev != want.st_dev)
		return refuse("open_tree", ESTALE, "%s is no longer this shim's image", path);
	return clone_mount(AT_FDCWD, path, false, path);
}

int open_own_image(void)
{
	/* Already exec'd from such a mount (selfexec.c): that image will do. */
	if (own_image_read_only()) {
		int fd = open("/proc/self/exe", O_PATH | O_CLOEXEC);
		return fd >= 0 ? fd : fail("open", errno, "/proc/self/exe");
	}
	int fd = clone_own_image();
	if (fd < 0)
		return -1;
	if (set_mount_attrs(fd, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID, 0, 0, false, "/proc/self/exe") ==
	    -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int exec_own_image(int image, char **argv, char **env)
{
	extern char **environ;
	environ = env;
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	execveat(image, "", argv, env, AT_EMPTY_PATH);
	return fail("execveat", errno, "the shim's image (%s)", argv[0]);
}

/* With init, the command is exec'd by the init after we are gone: look it
 * up now, so that a missing command is still reported as an execve error. */
static int check_command(char **argv, char **env)
{
	const char *cmd = argv[0];
	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0 ? 0 : fail("execve", errno, "%s", cmd);
	const char *path = "/bin:/usr/bin";
	for (char **e = env; *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	int err = ENOENT;
	for (const char *p = path;; p++) {
		size_t len = strcspn(p, ":");
		char file[4096];
		snprintf(file, sizeof file, "%.*s%s%s", (int)len, p, len ? "/" : "", cmd);
		struct stat st;
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(file, X_OK) == 0)
				return 0;
			err = EACCES;
		}
		p += len;
		if (*p == '\0')
			break;
	}
	return fail("execve", err, "%s", cmd);
}

static char **init_argv(char **argv)
{
	size_t n = 0;
	while (argv[n])
		n++;
	char **out = calloc(n + 3, sizeof *out);
	if (!out)
		return NULL;
	out[0] = "tsc-init";
	out[1] = "--";
	memcpy(out + 2, argv, n * sizeof *out);
	return out;
}

/* What stays open up to execve: the exec pipe (to report a failure) and
 * the shim's image (pause, init), ascending for close_fds_except. */
static size_t fds_to_keep(const struct container_fds *fds, int keep[2])
{
	size_t n = 0;
	keep[n++] = fds->exec;
	if (fds->image >= 0)
		keep[n++] = fds->image;
	if (n == 2 && keep[1] < keep[0]) {
		int t = keep[0];
		keep[0] = keep[1];
		keep[1] = t;
	}
	return n;
}

static void start(const struct container_spec *spec, const struct container_fds *fds)
{
	const struct isolation_spec *iso = &spec->iso;
	int keep[2];
	size_t nkeep = fds_to_keep(fds, keep);
	int image = fds->image;
	use_mount_label(iso->lsm.mount_label);
	if (join_new_session_keyring() == -1 || cgroup_enter_namespace(spec->clone_flags) == -1 ||
	    set_uts_names(spec->hostname, spec->domainname) == -1 || apply_ipc_sysctls(spec) == -1 ||
	    setup_mounts(spec) == -1 || connect_stdio(fds->in, fds->out, fds->err, fds->tty) == -1 ||
	    enter_cwd(spec->cwd ? spec->cwd : "/") == -1 || apply_process_limits(&spec->limits) == -1 ||
	    apply_exec_labels(&iso->lsm) == -1 || install_seccomp(&iso->seccomp) == -1 ||
	    drop_privileges(iso->caps_set, iso->caps, &spec->user, iso->no_new_privs) == -1 ||
	    prepare_exec(keep, nkeep) == -1)
		return;
	if (!spec->argv[0]) {
		static char *pause_argv[] = { "tsc-shim", "pause", NULL };
		exec_own_image(image, pause_argv, spec->env);
		return;
	}
	if (iso->init) {
		char **argv = init_argv(spec->argv);
		if (!argv) {
			fail("calloc", ENOMEM, "init argv");
			return;
		}
		if (check_command(spec->argv, spec->env) == 0)
			exec_own_image(image, argv, spec->env);
		return;
	}
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	exec_command(spec->argv, spec->env);
}

_Noreturn void container_main(const struct container_spec *spec, const struct container_fds *fds)
{
	/* Until execve, a dead shim takes us along: nobody else would record
	 * our pid for `down` to find (cleared just before execve: the
	 * container itself outlives a killed shim). A shim that died before
	 * this shows as EOF on the go pipe. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		_exit(1);
	/* Wait for the shim's go; EOF means the shim gave up on us. */
	char go;
	ssize_t n;
	while ((n = read(fds->go, &go, 1)) == -1 && errno == EINTR)
		;
	if (n != 1)
		_exit(1);
	close(fds->go);
	start(spec, fds);
	write_all(fds->exec, &last_failure, sizeof last_failure);
	_exit(1);
}
