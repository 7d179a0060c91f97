/* `run` and `launch`: start shims and relay their one-line reports.
 *
 * All shims of one launch share a single report pipe. Each writes
 * "<index> ok ..." or "<index> err ..." in one write(2) shorter than
 * PIPE_BUF, so lines never interleave, then closes it; the pipe reaches EOF
 * once every shim has reported (or died, which is then reported for it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "report.h"

struct launch {
	size_t n;
	struct container_spec *specs;
	pid_t *shims;		/* 0: not started (refused arguments) */
	bool *reported;
	bool any_failed;
	bool with_index;	/* launch: "<i> ok ..."; run: "ok ..." */
};

static void emit(struct launch *l, size_t index, const char *line)
{
	char buf[700];
	int n = l->with_index ? snprintf(buf, sizeof buf, "%zu %s\n", index, line)
			      : snprintf(buf, sizeof buf, "%s\n", line);
	if (n >= (int)sizeof buf) {
		n = sizeof buf - 1;
		buf[n - 1] = '\n';
	}
	write_all(STDOUT_FILENO, buf, (size_t)n);
	l->reported[index] = true;
	if (strncmp(line, "ok ", 3) != 0)
		l->any_failed = true;
}

static void emit_failure(struct launch *l, size_t index)
{
	char line[600];
	format_failure(line, sizeof line, &last_failure);
	emit(l, index, line);
}

/* A line from a shim: "<index> <rest>". */
static void relay(struct launch *l, char *line)
{
	char *end;
	unsigned long index = strtoul(line, &end, 10);
	if (end == line || *end != ' ' || index >= l->n || l->reported[index])
		return; /* not from one of our shims: cannot happen */
	emit(l, index, end + 1);
}

static void relay_reports(struct launch *l, int fd)
{
	char buf[8192];
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof buf - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		char *start = buf, *nl;
		while ((nl = strchr(start, '\n')) != NULL) {
			*nl = '\0';
			relay(l, start);
			start = nl + 1;
		}
		len -= (size_t)(start - buf);
		memmove(buf, start, len);
		if (len == sizeof buf - 1)
			len = 0; /* an overlong line: cannot happen */
	}
}

/* A shim that closed the pipe without a line died before reporting. */
static void report_silent_shims(struct launch *l)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->reported[i] || l->shims[i] <= 0)
			continue;
		int status = 0;
		const char *name = l->specs[i].name;
		bool gone = waitpid(l->shims[i], &status, WNOHANG) == l->shims[i];
		if (gone && WIFSIGNALED(status))
			refuse("shim", EIO, "shim for %s killed by signal %d before reporting", name, WTERMSIG(status));
		else if (gone && WIFEXITED(status))
			refuse("shim", EIO, "shim for %s exited %d before reporting", name, WEXITSTATUS(status));
		else
			refuse("shim", EIO, "shim for %s closed its report pipe without reporting", name);
		emit_failure(l, i);
	}
}

static int launch_all(struct launch *l)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) == -1) {
		fail("pipe2", errno, "report pipe");
		for (size_t i = 0; i < l->n; i++)
			if (!l->reported[i])
				emit_failure(l, i);
		return 1;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (l->reported[i])
			continue;
		pid_t pid = fork();
		if (pid == 0) {
			close(pipefd[0]);
			shim_main(&l->specs[i], (int)i, pipefd[1]);
		}
		if (pid < 0) {
			fail("fork", errno, "shim for %s", l->specs[i].name);
			emit_failure(l, i);
			continue;
		}
		l->shims[i] = pid;
	}
	close(pipefd[1]);
	relay_reports(l, pipefd[0]);
	close(pipefd[0]);
	report_silent_shims(l);
	/* Shims that already exited (failures) are ours to reap; the others
	 * are reparented when we exit. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return l->any_failed ? 1 : 0;
}

static void launch_alloc(struct launch *l, size_t n, bool with_index)
{
	l->n = n;
	l->with_index = with_index;
	l->any_failed = false;
	l->specs = calloc(n ? n : 1, sizeof *l->specs);
	l->shims = calloc(n ? n : 1, sizeof *l->shims);
	l->reported = calloc(n ? n : 1, sizeof *l->reported);
	if (!l->specs || !l->shims || !l->reported)
		abort();
}

int cmd_run(int argc, char **argv)
{
	struct launch l;
	launch_alloc(&l, 1, false);
	if (parse_run_args(argc, argv, &l.specs[0]) == -1) {
		emit_failure(&l, 0);
		return 1;
	}
	return launch_all(&l);
}

static char *read_stdin(size_t *len)
{
	size_t cap = 65536, used = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			abort();
		ssize_t n = read(STDIN_FILENO, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail("read", errno, "stdin");
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used == cap)
			buf = realloc(buf, cap *= 2);
	}
	*len = used;
	return buf;
}

/* stdin: records of NUL-terminated words, each record ended by an empty
 * word. The words are turned in place into NULL-terminated argv arrays. */
int cmd_launch(void)
{
	size_t len;
	char *input = read_stdin(&len);
	if (!input) {
		char line[600];
		format_failure(line, sizeof line, &last_failure);
		fprintf(stderr, "%s\n", line);
		return 2;
	}
	if (len > 0 && input[len - 1] != '\0') {
		fprintf(stderr, "err args EINVAL %d launch: stdin does not end with a NUL\n", EINVAL);
		return 2;
	}
	size_t nwords = 0, nrecords = 0;
	for (size_t i = 0; i < len; i++) {
		if (input[i] != '\0')
			continue;
		nwords++;
		if (i == 0 || input[i - 1] == '\0')
			nrecords++; /* an empty word ends a record */
	}
	char **words = calloc(nwords + 1, sizeof *words);
	size_t *starts = calloc(nrecords + 1, sizeof *starts);
	size_t *counts = calloc(nrecords + 1, sizeof *counts);
	if (!words || !starts || !counts)
		abort();
	size_t w = 0, r = 0, pos = 0;
	starts[0] = 0;
	while (pos < len) {
		size_t wl = strlen(input + pos);
		if (wl == 0) {
			words[w++] = NULL;
			counts[r] = w - 1 - starts[r];
			starts[++r] = w;
		} else {
			words[w++] = input + pos;
		}
		pos += wl + 1;
	}
	if (w > 0 && words[w - 1] != NULL) {
		fprintf(stderr, "err args EINVAL %d launch: the last record has no terminating empty word\n", EINVAL);
		return 2;
	}

	struct launch l;
	launch_alloc(&l, nrecords, true);
	for (size_t i = 0; i < nrecords; i++)
		if (parse_run_args((int)counts[i], &words[starts[i]], &l.specs[i]) == -1)
			emit_failure(&l, i);
	if (nrecords == 0)
		return 0;
	return launch_all(&l);
}
