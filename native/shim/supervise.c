/* The shim: one per container, for the container's whole life (like
 * containerd-shim and conmon). See the protocol diagram in native/README.md.
 *
 *   detach_from_caller   new session, fds 0-2 on /dev/null, report on fd 3
 *   open_state           state dir, shim.pid, container.log
 *   enter_network        join --netns, write the net.* sysctls there
 *   enter_joined_namespaces  join --join-ns (pid/ipc of another container)
 *   start_container      clone3 into the new namespaces, wait for execve
 *   report               "<i> ok <shim pid> <container pid>", close fd 3
 *   supervise            forward signals, carry logs, reap; exit.json; exit
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sched.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clone3.h"
#include "commands.h"
#include "console.h"
#include "cri_log.h"
#include "events.h"
#include "health.h"
#include "limits.h"
#include "namespaces.h"
#include "process.h"
#include "report.h"
#include "rootfs.h"
#include "shm_share.h"
#include "state.h"
#include "sysctl.h"

#define REPORT_FD 3

struct supervisor {
	const struct container_spec *spec;
	int index;
	int report_fd;		/* to the launcher, until reported */
	int state_dir;
	struct log_sink log;	/* container.log (log_sink.c), or none */
	int signal_fd;
	int stdin_fd;		/* stdin_open: the read end the container gets, or -1 */
	int stdin_keep;		/* and the write end, held for life: the container never reads EOF */
	pid_t pid;		/* the container process, as seen from here */
	int pidfd;
	bool reaped;
	int status;
	struct timespec finished;
	struct timespec started;	/* CLOCK_MONOTONIC: how long a run lasted (restart back-off) */
	struct restart_state restart;
	struct health health;
	struct log_stream out, err;
	struct console console;	/* attach.sock (console.c) */
};

static const int forwarded_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static bool is_forwarded(int sig)
{
	for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
		if (forwarded_signals[i] == sig)
			return true;
	return false;
}

/* Equivalent to: setsid ... </dev/null >/dev/null 2>&1, in /
 * The shim must outlive its caller and hold nothing of it: only the report
 * pipe (moved to fd 3) survives the close_range. */
static int detach_from_caller(struct supervisor *sv)
{
	if (setsid() == -1)
		return fail("setsid", errno, "new session");
	if (sv->report_fd != REPORT_FD) {
		if (dup2(sv->report_fd, REPORT_FD) == -1)
			return fail("dup2", errno, "report pipe");
		sv->report_fd = REPORT_FD;
	}
	if (close_range(REPORT_FD + 1, ~0U, 0) == -1)
		return fail("close_range", errno, "inherited fds");
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return fail("open", errno, "/dev/null");
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(null, fd) == -1)
			return fail("dup2", errno, "/dev/null -> %d", fd);
	close(null);
	if (chdir("/") == -1)
		return fail("chdir", errno, "/");
	umask(077);
	/* Non-dumpable: no ptrace or /proc/PID/{mem,fd} access to a process
	 * that joins container namespaces (CVE-2019-5736 family). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return fail("prctl", errno, "PR_SET_DUMPABLE");
	/* Orphans of the container are reparented to us, not to PID 1. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1)
		return fail("prctl", errno, "PR_SET_CHILD_SUBREAPER");
	/* A launcher that went away must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	/* Blocked before clone3, so nothing is lost between now and the loop;
	 * the container unblocks them before execve. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
		sigaddset(&set, forwarded_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return fail("sigprocmask", errno, "block");
	sv->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sv->signal_fd < 0)
		return fail("signalfd", errno, "shim signals");
	return 0;
}

static int open_state(struct supervisor *sv)
{
	sv->state_dir = open_state_dir(sv->spec->state_dir);
	if (sv->state_dir < 0)
		return -1;
	/* A previous run's exit status is stale once a new container starts
	 * (the log is kept and appended to, as Docker does on restart). */
	if (unlinkat(sv->state_dir, "exit.json", 0) == -1 && errno != ENOENT)
		return fail("unlink", errno, "%s/exit.json", sv->spec->state_dir);
	events_open(sv->spec->events_path);
	if (write_process_ref(sv->state_dir, "shim.pid", getpid()) == -1)
		return -1;
	return log_sink_open(&sv->log, &sv->spec->log, sv->state_dir, sv->spec->state_dir);
}

static int enter_network(struct supervisor *sv)
{
	const struct container_spec *spec = sv->spec;
	if (spec->netns_path && join_netns_path(spec->netns_path) == -1)
		return -1;
	for (size_t i = 0; i < spec->nsysctls; i++)
		if (apply_net_sysctl(spec->sysctls[i]) == -1)
			return -1;
	return 0;
}

/* Equivalent to: nsenter --target PID --pid --ipc (for the children: a
 * joined pid namespace is the one clone3 puts the container in). With
 * open_process_namespaces' checks: a namespace of our own user namespace,
 * of a process that is still alive once its fds are open. */
static int enter_joined_namespaces(struct supervisor *sv)
{
	const struct container_spec *spec = sv->spec;
	for (size_t i = 0; i < spec->njoin; i++) {
		struct process_namespaces ns;
		if (open_process_namespaces(spec->join[i].pid, spec->join[i].flag, &ns) == -1 ||
		    join_process_namespaces(&ns) == -1)
			return -1;
		/* And its /dev/shm (POSIX shared memory), as Docker shares it. */
		if (spec->join[i].flag == CLONE_NEWIPC && spec->iso.rootfs && shm_share_open(spec->join[i].pid) == -1)
			return -1;
	}
	return 0;
}

static void kill_container(struct supervisor *sv)
{
	pidfd_send_signal(sv->pidfd, SIGKILL, NULL, 0);
	waitpid(sv->pid, NULL, 0);
}

/* Equivalent to: unshare --fork --mount --uts ... -- argv  (in the netns
 * joined above), and wait for execve: the exec pipe is close-on-exec, so
 * EOF means execve succeeded and a record means a step failed. */
static int start_container(struct supervisor *sv)
{
	int go_pipe[2], exec_pipe[2], out[2], err[2];
	if (pipe2(go_pipe, O_CLOEXEC) == -1 || pipe2(exec_pipe, O_CLOEXEC) == -1)
		return fail("pipe2", errno, "container pipes");
	if (console_stdio(sv->spec->iso.tty, out, err) == -1)
		return -1;
	if (sv->spec->iso.rootfs && prepare_rootfs_dirs(&sv->spec->iso) == -1)
		return -1;
	int image = -1;
	if ((sv->spec->iso.init || !sv->spec->argv[0]) && (image = open_own_image()) < 0)
		return -1;

	if (cgroup_prepare(&sv->spec->limits, sv->state_dir) == -1)
		return -1;
	pid_t pid = clone3_fork_into((unsigned long long)sv->spec->clone_flags, &sv->pidfd, cgroup_clone_fd());
	if (pid == -1)
		return fail("clone3", errno, "%s", sv->spec->name);
	if (pid == 0) {
		close(go_pipe[1]);
		close(exec_pipe[0]);
		close(out[0]);
		close(err[0]);
		close(sv->signal_fd);
		struct container_fds fds = {
			.go = go_pipe[0], .exec = exec_pipe[1], .in = sv->stdin_fd, .out = out[1], .err = err[1], .image = image,
			.tty = sv->spec->iso.tty ? out[1] : -1,
		};
		container_main(sv->spec, &fds);
	}
	sv->pid = pid;
	if (image >= 0)
		close(image);
	close(go_pipe[0]);
	close(exec_pipe[1]);
	close(out[1]);
	close(err[1]);
	/* The container process waits for "go": whatever must be done to it
	 * from outside before it runs goes here (joining the cgroup v1
	 * hierarchies; uid/gid maps one day); on failure it is killed and
	 * never runs a single instruction of its own. */
	if (cgroup_attach(pid) == -1) {
		close(go_pipe[1]);
		close(exec_pipe[0]);
		close(out[0]);
		close(err[0]);
		kill_container(sv);
		return -1;
	}
	if (write_all(go_pipe[1], "g", 1) == -1) {
		int e = errno;
		close(go_pipe[1]);
		kill_container(sv);
		return fail("write", e, "go pipe");
	}
	close(go_pipe[1]);

	struct failure child;
	size_t got = 0;
	while (got < sizeof child) {
		ssize_t n = read(exec_pipe[0], (char *)&child + got, sizeof child - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(exec_pipe[0]);
	if (got > 0) {
		waitpid(pid, NULL, 0);
		close(out[0]);
		close(err[0]);
		if (got == sizeof child)
			last_failure = child;
		else
			refuse("read", EIO, "exec pipe: short failure record from the container process");
		return -1;
	}

	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	log_stream_init(&sv->out, "stdout", out[0]);
	log_stream_init(&sv->err, "stderr", err[0]);
	sv->out.tee = sv->err.tee = console_output;
	sv->out.tee_arg = sv->err.tee_arg = &sv->console;
	if (sv->spec->iso.tty) /* attached input goes to the pty (with stdin_open) */
		sv->console.input_fd = sv->spec->iso.stdin_open ? out[0] : -1;
	if (write_process_ref(sv->state_dir, "init.pid", pid) == -1) {
		kill_container(sv);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &sv->started);
	return 0;
}

static void report_line(struct supervisor *sv, const char *line)
{
	char buf[640];
	int n = snprintf(buf, sizeof buf, "%d %s\n", sv->index, line);
	if (n >= (int)sizeof buf) {
		n = sizeof buf - 1;
		buf[n - 1] = '\n';
	}
	write_all(sv->report_fd, buf, (size_t)n); /* one write < PIPE_BUF: atomic */
	close(sv->report_fd);
	sv->report_fd = -1;
}

static _Noreturn void report_failure_and_exit(struct supervisor *sv)
{
	char line[600];
	format_failure(line, sizeof line, &last_failure);
	report_line(sv, line);
	_exit(1);
}

/* Reap every child that exited: the container and any orphan of it. */
static void reap(struct supervisor *sv)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == sv->pid) {
			sv->reaped = true;
			sv->status = status;
			clock_gettime(CLOCK_REALTIME, &sv->finished);
		} else if (health_reaped(&sv->health, pid, status) && sv->health.kill_pending) {
			sv->health.kill_pending = false;
			if (!sv->reaped) {
				/* x-restart-on-unhealthy. Equivalent to: kill -KILL <container pid>
				 * (exit 137, then the restart policy as for any crash). */
				shim_event(sv->health.name, "kill", ",\"signal\":\"SIGKILL\",\"reason\":\"unhealthy\"");
				pidfd_send_signal(sv->pidfd, SIGKILL, NULL, 0);
			}
		}
	}
}

static void handle_signals(struct supervisor *sv)
{
	struct signalfd_siginfo si;
	while (read(sv->signal_fd, &si, sizeof si) == (ssize_t)sizeof si) {
		int sig = (int)si.ssi_signo;
		if (sig == SIGCHLD)
			reap(sv);
		else if (is_forwarded(sig) && !sv->reaped)
			/* Equivalent to: kill -SIG <container pid>, without pid reuse races.
			 * A pid namespace's init only gets the signals it handles. */
			pidfd_send_signal(sv->pidfd, sig, NULL, 0);
	}
}

/* "die" with what exit.json says (the CLI adds oomKilled from the state dir). */
static void emit_die(struct supervisor *sv)
{
	char attrs[96];
	int sig = WIFSIGNALED(sv->status) ? WTERMSIG(sv->status) : 0;
	snprintf(attrs, sizeof attrs, ",\"exitCode\":%d,\"signal\":%d", exit_code_of(sv->status), sig);
	shim_event(sv->spec->name, "die", attrs);
}

/* Until the container exits: logs and signals. Then the logs already in
 * the pipes are drained *before* exit.json is written, so that a reader
 * who sees exit.json also sees the complete log; finishedAt is the time of
 * the reap. Orphans still holding the pipes are not waited for. */
static void run_until_exit(struct supervisor *sv)
{
	health_container_started(&sv->health);
	while (!sv->reaped) {
		struct pollfd fds[5 + 1 + CONSOLE_CLIENTS] = {
			{ .fd = sv->signal_fd, .events = POLLIN },
			{ .fd = sv->out.fd, .events = POLLIN },
			{ .fd = sv->err.fd, .events = POLLIN },
		};
		int nhealth = health_poll_fds(&sv->health, &fds[3]);
		int ncons = console_poll_fds(&sv->console, &fds[3 + nhealth]);
		if (poll(fds, (nfds_t)(3 + nhealth + ncons), -1) < 0)
			continue; /* EINTR, or ENOMEM: try again */
		console_handle(&sv->console, &fds[3 + nhealth], ncons);
		if (fds[1].revents)
			log_stream_pump(&sv->out, &sv->log);
		if (fds[2].revents)
			log_stream_pump(&sv->err, &sv->log);
		if (fds[0].revents)
			handle_signals(sv);
		if (!sv->reaped)
			health_handle(&sv->health, &fds[3], nhealth, sv->pid);
	}
	health_container_exited(&sv->health);
	log_stream_drain(&sv->out, &sv->log);
	log_stream_drain(&sv->err, &sv->log);
	console_hangup(&sv->console);
	cgroup_record_oom(sv->state_dir); /* before exit.json: who sees that sees this */
	write_exit_json(sv->state_dir, sv->status, &sv->finished);
	emit_die(sv);
}

/* The back-off before a restart: orphans are reaped meanwhile; a stop
 * signal (the CLI's SIGTERM once it wrote "stopped", or any forwarded
 * one) ends it, and the shim with it. */
static bool back_off(struct supervisor *sv, unsigned delay_ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += delay_ms / 1000;
	until.tv_nsec += (long)(delay_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long long left = (until.tv_sec - now.tv_sec) * 1000LL + (until.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			return !restart_stopped_by_user(sv->state_dir);
		struct pollfd pfd = { .fd = sv->signal_fd, .events = POLLIN };
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		struct signalfd_siginfo si;
		while (read(sv->signal_fd, &si, sizeof si) == (ssize_t)sizeof si) {
			if ((int)si.ssi_signo == SIGCHLD)
				reap(sv);
			else if (is_forwarded((int)si.ssi_signo))
				return false;
		}
	}
}

/* The same container again: new namespaces and process, the same network
 * namespace (the shim's own), writable layer, cgroup and log. */
static bool restart_container(struct supervisor *sv)
{
	close(sv->pidfd);
	sv->pidfd = -1;
	sv->reaped = false;
	if (console_listen(&sv->console, sv->state_dir, sv->spec->state_dir) == -1 || start_container(sv) == -1)
		return false; /* exit.json of the last run stays: ps says exited */
	unlinkat(sv->state_dir, "exit.json", 0);
	restart_record(sv->state_dir, &sv->restart, false);
	char attrs[48];
	snprintf(attrs, sizeof attrs, ",\"restartCount\":%u", sv->restart.count);
	shim_event(sv->spec->name, "restart", attrs);
	return true;
}

static _Noreturn void supervise(struct supervisor *sv)
{
	for (;;) {
		run_until_exit(sv);
		unsigned delay;
		if (!restart_wanted(&sv->spec->restart, &sv->restart, sv->state_dir, sv->status, &sv->started, &delay))
			break;
		restart_record(sv->state_dir, &sv->restart, true);
		if (!back_off(sv, delay) || !restart_container(sv)) {
			restart_record(sv->state_dir, &sv->restart, false);
			break;
		}
	}
	reap(sv);
	_exit(0);
}

_Noreturn void shim_main(const struct container_spec *spec, int index, int report_fd)
{
	static struct supervisor sv; /* static: the log buffers stay off the stack */
	sv.spec = spec;
	sv.index = index;
	sv.report_fd = report_fd;
	sv.pidfd = -1;
	sv.stdin_fd = sv.stdin_keep = -1;
	if (detach_from_caller(&sv) == -1 || open_state(&sv) == -1 || enter_network(&sv) == -1 ||
	    enter_joined_namespaces(&sv) == -1 ||
	    console_stdin(&sv.console, &spec->iso, &sv.stdin_fd, &sv.stdin_keep) == -1 ||
	    console_listen(&sv.console, sv.state_dir, spec->state_dir) == -1 ||
	    health_init(&sv.health, &spec->health, sv.state_dir, spec->name) == -1 || start_container(&sv) == -1)
		report_failure_and_exit(&sv);

	char line[64];
	snprintf(line, sizeof line, "ok %d %d", (int)getpid(), (int)sv.pid);
	report_line(&sv, line);
	shim_event(spec->name, "start", "");
	supervise(&sv);
}
