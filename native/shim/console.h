/* `attach` (compose `tty`, `stdin_open`): the shim listens on attach.sock
 * in the container's state dir (0700, root's) for the CLI. An attached
 * client gets the container's output as it comes (raw bytes: the pty's, or
 * stdout and stderr interleaved), and, when the container has stdin_open,
 * sends its input in frames:
 *
 *   'd' <u16 big-endian length> <bytes>     input for the container
 *   'w' <u16 length = 4> <u16 rows> <u16 cols>   the terminal's size (tty)
 *
 * The container never sees the client's terminal: only the shim's pty (or
 * pipe) carries the bytes (issue 14 item 3, LXC CVE-2016-10124 class). */
#ifndef TSC_CONSOLE_H
#define TSC_CONSOLE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "spec.h"

/* Clients attached at once (Docker has no limit; each costs a 64 KiB frame
 * buffer, allocated on connect, so an idle shim pays only for the table). */
#define CONSOLE_CLIENTS 32

struct console_client {
	int fd;			/* -1: free */
	size_t len;		/* bytes of an unfinished frame in buf */
	unsigned char *buf;	/* FRAME_MAX bytes while fd >= 0 */
};

struct console {
	int listen_fd;		/* attach.sock, or -1 */
	int state_dir;		/* where attach.sock is */
	int input_fd;		/* where client input goes: the pty master, the stdin pipe, or -1 */
	bool tty;		/* input_fd is a pty master: 'w' resizes it */
	struct console_client clients[CONSOLE_CLIENTS];
};

/* Equivalent to: socat UNIX-LISTEN:STATE_DIR/attach.sock,mode=600 ... */
int console_listen(struct console *c, int state_dir, const char *state_path);
/* Output or stdio of the container's process: a pty (TTY: out = {master,
 * slave}, err = {-1, -1}) or two pipes. */
int console_stdio(bool tty, int out[2], int err[2]);
/* stdin_open without tty: the stdin pipe (READ_END for the container, WRITE_END held). */
int console_stdin(struct console *c, const struct isolation_spec *iso, int *read_end, int *write_end);
/* Fills FDS (up to 1 + CONSOLE_CLIENTS); returns how many. */
int console_poll_fds(struct console *c, struct pollfd *fds);
void console_handle(struct console *c, const struct pollfd *fds, int n);
/* Output for every client (dropped for a client that cannot take it now). */
void console_output(void *console, const char *buf, size_t len);
/* The container exited: clients are told by EOF, attach.sock is removed. */
void console_hangup(struct console *c);

#endif
