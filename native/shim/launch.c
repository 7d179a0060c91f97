/* `run` and `launch`: start shims and relay their one-line reports.
 *
 * `launch` streams: each record is started as soon as it has been read
 * from stdin (stdin and the report pipe are polled together), so a caller
 * that keeps stdin open can start containers one by one, each when its
 * dependencies are ready, with a single launcher process.
 *
 * All shims share a single report pipe. Each writes "<index> ok ..." or
 * "<index> err ..." in one write(2) shorter than PIPE_BUF, so lines never
 * interleave, then closes it. A shim that exits without a line (SIGCHLD:
 * the shims are our children until we exit) is reported for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "mounts.h"
#include "report.h"

struct record {
	char *name;	/* for messages about a shim that said nothing */
	pid_t shim;	/* 0: not started (refused arguments, fork failed) */
	bool reported;
};

struct launcher {
	struct record *recs;
	size_t n, cap;
	bool with_index;	/* launch: "<i> ok ..."; run: "ok ..." */
	bool any_failed;
	int report_r, report_w;	/* the shared report pipe (read end nonblocking) */
	bool report_eof;
	char lines[8192];	/* an unfinished line from the pipe */
	size_t lines_len;
};

static void emit(struct launcher *l, size_t index, const char *line)
{
	char buf[700];
	int n = l->with_index ? snprintf(buf, sizeof buf, "%zu %s\n", index, line)
			      : snprintf(buf, sizeof buf, "%s\n", line);
	if (n >= (int)sizeof buf) {
		n = sizeof buf - 1;
		buf[n - 1] = '\n';
	}
	write_all(STDOUT_FILENO, buf, (size_t)n);
	l->recs[index].reported = true;
	if (strncmp(line, "ok ", 3) != 0)
		l->any_failed = true;
}

static void emit_failure(struct launcher *l, size_t index)
{
	char line[600];
	format_failure(line, sizeof line, &last_failure);
	emit(l, index, line);
}

/* A line from a shim: "<index> <rest>". */
static void relay(struct launcher *l, char *line)
{
	char *end;
	unsigned long index = strtoul(line, &end, 10);
	if (end == line || *end != ' ' || index >= l->n || l->recs[index].reported)
		return; /* not from one of our shims: cannot happen */
	emit(l, index, end + 1);
}

/* Everything the pipe holds now (nonblocking). */
static void read_reports(struct launcher *l)
{
	for (;;) {
		ssize_t n = read(l->report_r, l->lines + l->lines_len, sizeof l->lines - l->lines_len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			l->report_eof = true;
		if (n <= 0)
			return;
		l->lines_len += (size_t)n;
		l->lines[l->lines_len] = '\0';
		char *start = l->lines, *nl;
		while ((nl = strchr(start, '\n')) != NULL) {
			*nl = '\0';
			relay(l, start);
			start = nl + 1;
		}
		l->lines_len -= (size_t)(start - l->lines);
		memmove(l->lines, start, l->lines_len);
		if (l->lines_len == sizeof l->lines - 1)
			l->lines_len = 0; /* an overlong line: cannot happen */
	}
}

static void report_silent(struct launcher *l, size_t i, int status, bool gone)
{
	const char *name = l->recs[i].name;
	if (gone && WIFSIGNALED(status))
		refuse("shim", EIO, "shim for %s killed by signal %d before reporting", name, WTERMSIG(status));
	else if (gone && WIFEXITED(status))
		refuse("shim", EIO, "shim for %s exited %d before reporting", name, WEXITSTATUS(status));
	else
		refuse("shim", EIO, "shim for %s closed its report pipe without reporting", name);
	emit_failure(l, i);
}

/* Shims that exited: one that said nothing is reported for (its line, if
 * any, was written before it exited: read the pipe first). */
static void reap_shims(struct launcher *l)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < l->n; i++) {
			if (l->recs[i].shim != pid)
				continue;
			if (!l->recs[i].reported)
				read_reports(l);
			if (!l->recs[i].reported)
				report_silent(l, i, status, true);
			break;
		}
	}
}

static void free_spec(struct container_spec *spec)
{
	free(spec->binds);
	free(spec->sysctls);
	free(spec->env);
	free(spec->iso.mounts);
	free(spec->iso.masks);
	free(spec->iso.ro_paths);
}

static size_t new_record(struct launcher *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->recs = realloc(l->recs, l->cap * sizeof *l->recs);
		if (!l->recs)
			abort();
	}
	memset(&l->recs[l->n], 0, sizeof l->recs[0]);
	return l->n++;
}

/*
 * Containers copy the mount table of the process that clones them, and a
 * pivot_root detaches the whole copy again: with the caller's /run/netns
 * mounts (one per container) both grow with the size of the project, so a
 * thousand-node lab pays for them a million times. `launch` therefore gives
 * its shims a mount namespace of their own without /run/netns, and has them
 * reach each namespace through the caller's root instead
 * (/proc/CALLER/root/run/netns/NAME: the caller waits for our reports, so it
 * is alive while the shims open them). On any failure nothing changes but
 * the speed.
 */
// Equivalent to: unshare --mount --propagation slave sh -c 'while umount -l /run/netns; do :; done; …'
static char caller_root[32];

static void leave_netns_mounts(void)
{
	char root[32];
	snprintf(root, sizeof root, "/proc/%d/root", (int)getppid());
	if (unshare(CLONE_NEWNS) == -1)
		return;
	/* Every mount stacked on /run/netns goes (iproute2 bind-mounts it onto
	 * itself, once per `ip netns add` that found it unmounted), not just the
	 * top one. */
	if (make_mounts_rslave() == -1 || detach_netns_mounts("/run/netns") == -1)
		return;
	memcpy(caller_root, root, sizeof root);
}

/* Parse one record's words and fork its shim. */
static void start_record(struct launcher *l, int argc, char **argv)
{
	size_t index = new_record(l);
	struct container_spec spec;
	if (parse_run_args(argc, argv, &spec) == -1) {
		l->recs[index].name = strdup("?");
		emit_failure(l, index);
		free_spec(&spec);
		return;
	}
	l->recs[index].name = strdup(spec.name);
	char *netns = NULL;
	if (caller_root[0] && spec.netns_path && spec.netns_path[0] == '/') {
		if (asprintf(&netns, "%s%s", caller_root, spec.netns_path) == -1)
			abort();
		spec.netns_path = netns;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(l->report_r);
		shim_main(&spec, (int)index, l->report_w);
	}
	if (pid < 0) {
		fail("fork", errno, "shim for %s", spec.name);
		emit_failure(l, index);
	} else {
		l->recs[index].shim = pid;
	}
	free(netns);
	free_spec(&spec);
}

static bool all_reported(const struct launcher *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->recs[i].reported)
			return false;
	return true;
}

static int open_launcher(struct launcher *l, bool with_index, int *signal_fd)
{
	memset(l, 0, sizeof *l);
	l->with_index = with_index;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) == -1)
		return fail("pipe2", errno, "report pipe");
	l->report_r = pipefd[0];
	l->report_w = pipefd[1];
	fcntl(l->report_r, F_SETFL, O_NONBLOCK);
	/* A caller that went away must not kill us before the shims reported. */
	signal(SIGPIPE, SIG_IGN);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	*signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (*signal_fd < 0)
		return fail("signalfd", errno, "SIGCHLD");
	return 0;
}

/* Until every started shim has reported (and, for launch, stdin is done). */
static void wait_reports(struct launcher *l, int signal_fd, int input_fd, void (*on_input)(struct launcher *, bool *))
{
	bool input_done = input_fd < 0;
	if (input_done && l->report_w >= 0) {
		close(l->report_w);
		l->report_w = -1;
	}
	while (!(input_done && all_reported(l))) {
		struct pollfd fds[3] = {
			{ .fd = l->report_eof ? -1 : l->report_r, .events = POLLIN },
			{ .fd = signal_fd, .events = POLLIN },
			{ .fd = input_done ? -1 : input_fd, .events = POLLIN },
		};
		if (poll(fds, 3, -1) < 0)
			continue;
		if (fds[0].revents)
			read_reports(l);
		if (fds[1].revents) {
			struct signalfd_siginfo si;
			while (read(signal_fd, &si, sizeof si) == (ssize_t)sizeof si)
				;
			reap_shims(l);
		}
		if (fds[2].revents) {
			on_input(l, &input_done);
			if (input_done) {
				close(l->report_w);
				l->report_w = -1;
			}
		}
		if (l->report_eof && input_done)
			for (size_t i = 0; i < l->n; i++)
				if (!l->recs[i].reported)
					report_silent(l, i, 0, false);
	}
}

int cmd_run(int argc, char **argv)
{
	struct launcher l;
	int signal_fd;
	if (open_launcher(&l, false, &signal_fd) == -1) {
		char line[600];
		format_failure(line, sizeof line, &last_failure);
		printf("%s\n", line);
		return 1;
	}
	start_record(&l, argc, argv);
	wait_reports(&l, signal_fd, -1, NULL);
	return l.any_failed ? 1 : 0;
}

/* stdin of `launch`: records of NUL-terminated words, each record ended by
 * an empty word. */
static struct {
	char *buf;
	size_t len, cap;
	bool malformed;
} input;

/* Start every complete record in the buffer; keep the rest. */
static void start_complete_records(struct launcher *l)
{
	size_t start = 0;
	for (;;) {
		size_t pos = start, words = 0;
		bool complete = false;
		while (pos < input.len) {
			char *nul = memchr(input.buf + pos, '\0', input.len - pos);
			if (!nul)
				break;
			size_t wl = (size_t)(nul - (input.buf + pos));
			pos += wl + 1;
			if (wl == 0) {
				complete = true;
				break;
			}
			words++;
		}
		if (!complete)
			break;
		char **argv = calloc(words + 1, sizeof *argv);
		if (!argv)
			abort();
		size_t w = 0;
		for (size_t p = start; w < words; p += strlen(input.buf + p) + 1)
			argv[w++] = input.buf + p;
		start_record(l, (int)words, argv);
		free(argv);
		start = pos;
	}
	input.len -= start;
	memmove(input.buf, input.buf + start, input.len);
}

static void on_stdin(struct launcher *l, bool *done)
{
	if (input.cap - input.len < 65536) {
		input.cap = input.cap ? input.cap * 2 : 131072;
		input.buf = realloc(input.buf, input.cap);
		if (!input.buf)
			abort();
	}
	ssize_t n = read(STDIN_FILENO, input.buf + input.len, input.cap - input.len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		if (n < 0)
			fprintf(stderr, "err read %s %d stdin: %s\n", errno_name(errno), errno, strerror(errno));
		if (n < 0 || input.len > 0) {
			if (n == 0)
				fprintf(stderr, "err args EINVAL %d launch: stdin ends inside a record (no terminating empty word)\n",
					EINVAL);
			input.malformed = true;
		}
		*done = true;
		return;
	}
	input.len += (size_t)n;
	start_complete_records(l);
}

int cmd_launch(void)
{
	struct launcher l;
	int signal_fd;
	if (open_launcher(&l, true, &signal_fd) == -1) {
		char line[600];
		format_failure(line, sizeof line, &last_failure);
		fprintf(stderr, "%s\n", line);
		return 2;
	}
	leave_netns_mounts();
	wait_reports(&l, signal_fd, STDIN_FILENO, on_stdin);
	if (input.malformed)
		return 2;
	return l.any_failed ? 1 : 0;
}
