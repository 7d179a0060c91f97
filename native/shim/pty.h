/* `exec --tty`: a pseudo-terminal of the shim's own, relayed to the caller's. */
#ifndef TSC_PTY_H
#define TSC_PTY_H

#include <signal.h>
#include <sys/types.h>
#include <termios.h>

/* A new pty from the host's /dev/ptmx (opened before any namespace is
 * joined: never the container's /dev), the slave through TIOCGPTPEER (no
 * path), sized as the caller's terminal on stdin. */
int open_pty(int *master, int *slave);
/* In the forked command: a new session whose controlling terminal is SLAVE,
 * on fds 0, 1 and 2. */
int take_pty(int slave);
/* Equivalent to: stty raw (on stdin), saving the old mode in SAVED: ^C,
 * ^Z, ^\ pass as bytes to the pty, whose line discipline signals the
 * command's foreground process group. Before the fork: no key is lost. */
int terminal_raw(struct termios *saved);
/* Copy stdin -> MASTER -> stdout and forward the signals of SET (SIGWINCH:
 * resize) until CHILD exits, then restore SAVED on stdin. Returns the wait
 * status or -1. */
int relay_pty(int master, pid_t child, const sigset_t *set, const struct termios *saved);

#endif
