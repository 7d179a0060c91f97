#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "pty.h"
#include "report.h"

#define SOCKET_NAME "attach.sock"
#define FRAME_MAX (3 + 65535)

int console_listen(struct console *c, int state_dir, const char *state_path)
{
	for (int i = 0; i < CONSOLE_CLIENTS; i++)
		c->clients[i] = (struct console_client){ .fd = -1 };
	c->listen_fd = -1;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	/* By /proc/self/fd: the state dir's path may not fit sun_path. */
	int n = snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/" SOCKET_NAME, state_dir);
	if (n < 0 || (size_t)n >= sizeof addr.sun_path)
		return refuse("socket", ENAMETOOLONG, "%s/" SOCKET_NAME, state_path);
	unlinkat(state_dir, SOCKET_NAME, 0);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fail("socket", errno, "%s/" SOCKET_NAME, state_path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == -1 || listen(fd, CONSOLE_CLIENTS) == -1) {
		int err = errno;
		close(fd);
		return fail("bind", err, "%s/" SOCKET_NAME, state_path);
	}
	/* Root's only: the shim's umask (077) made it 0700, in a 0700 state dir. */
	c->listen_fd = fd;
	c->state_dir = state_dir;
	return 0;
}

int console_stdio(bool tty, int out[2], int err[2])
{
	if (!tty) {
		if (pipe2(out, O_CLOEXEC) == -1 || pipe2(err, O_CLOEXEC) == -1)
			return fail("pipe2", errno, "container pipes");
		return 0;
	}
	/* The pty from the host's /dev/ptmx, before any namespace: never the
	 * container's /dev, never the caller's terminal (the shim has none). */
	if (open_pty(&out[0], &out[1]) == -1)
		return -1;
	/* Equivalent to: stty rows 24 cols 80 (until a client says its size) */
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	ioctl(out[0], TIOCSWINSZ, &ws);
	err[0] = err[1] = -1;
	return 0;
}

int console_poll_fds(struct console *c, struct pollfd *fds)
{
	int n = 0;
	fds[n++] = (struct pollfd){ .fd = c->listen_fd, .events = POLLIN };
	for (int i = 0; i < CONSOLE_CLIENTS; i++)
		fds[n++] = (struct pollfd){ .fd = c->clients[i].fd, .events = POLLIN };
	return n;
}

static void drop(struct console_client *cl)
{
	close(cl->fd);
	free(cl->buf);
	*cl = (struct console_client){ .fd = -1 };
}

static void accept_client(struct console *c)
{
	int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (int i = 0; i < CONSOLE_CLIENTS; i++) {
		if (c->clients[i].fd < 0) {
			unsigned char *buf = malloc(FRAME_MAX);
			if (!buf)
				break;
			c->clients[i] = (struct console_client){ .fd = fd, .buf = buf };
			return;
		}
	}
	close(fd); /* full (or no memory): the CLI sees EOF at once and says so */
}

/* Frames complete in the client's buffer: input to the container, sizes to the pty. */
static void frames(struct console *c, struct console_client *cl)
{
	size_t start = 0;
	while (cl->len - start >= 3) {
		unsigned char *f = cl->buf + start;
		size_t len = ((size_t)f[1] << 8) | f[2];
		if (cl->len - start < 3 + len)
			break;
		if (f[0] == 'd' && c->input_fd >= 0) {
			write_all(c->input_fd, f + 3, len);
		} else if (f[0] == 'w' && len == 4 && c->tty && c->input_fd >= 0) {
			/* Equivalent to: stty rows R cols C (the pty sends SIGWINCH) */
			struct winsize ws = { .ws_row = (unsigned short)((f[3] << 8) | f[4]), .ws_col = (unsigned short)((f[5] << 8) | f[6]) };
			ioctl(c->input_fd, TIOCSWINSZ, &ws);
		}
		start += 3 + len;
	}
	memmove(cl->buf, cl->buf + start, cl->len - start);
	cl->len -= start;
}

void console_handle(struct console *c, const struct pollfd *fds, int n)
{
	if (n > 0 && fds[0].revents)
		accept_client(c);
	for (int i = 1; i < n; i++) {
		struct console_client *cl = &c->clients[i - 1];
		if (!fds[i].revents || cl->fd < 0 || fds[i].fd != cl->fd)
			continue;
		ssize_t got = read(cl->fd, cl->buf + cl->len, FRAME_MAX - cl->len);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (got <= 0) {
			drop(cl); /* detached */
			continue;
		}
		cl->len += (size_t)got;
		frames(c, cl);
	}
}

void console_output(void *console, const char *buf, size_t len)
{
	struct console *c = console;
	for (int i = 0; i < CONSOLE_CLIENTS; i++) {
		struct console_client *cl = &c->clients[i];
		if (cl->fd < 0)
			continue;
		/* Never block the container on a slow client: what its socket
		 * cannot take now is lost to it (the log keeps everything). */
		ssize_t n = send(cl->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN)
			drop(cl);
	}
}

void console_hangup(struct console *c)
{
	for (int i = 0; i < CONSOLE_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			drop(&c->clients[i]);
	/* Equivalent to: rm attach.sock (nothing to attach to until a restart listens again) */
	if (c->listen_fd >= 0) {
		unlinkat(c->state_dir, SOCKET_NAME, 0);
		close(c->listen_fd);
		c->listen_fd = -1;
	}
}

/* compose `stdin_open: true` (docker run -i): the container's stdin is a
 * pipe whose write end only the shim holds, so a program that stops at EOF
 * on stdin (a dev server, a REPL) keeps running, restarts included; an
 * attached client's input goes into it. With `tty`, stdin is the pty
 * instead. Equivalent to: sleep infinity | COMMAND */
int console_stdin(struct console *c, const struct isolation_spec *iso, int *read_end, int *write_end)
{
	c->input_fd = -1;
	c->tty = iso->tty;
	if (!iso->stdin_open || iso->tty)
		return 0;
	int p[2];
	if (pipe2(p, O_CLOEXEC) == -1)
		return fail("pipe2", errno, "stdin");
	/* A client's input never blocks the shim: what the pipe cannot take is dropped. */
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	*read_end = p[0];
	*write_end = c->input_fd = p[1];
	return 0;
}
