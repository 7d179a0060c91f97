#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "report.h"

/* Equivalent to: stty -F MASTER rows R cols C   (R, C: `stty size` of stdin) */
static void copy_winsize(int master)
{
	struct winsize ws;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* CVE-2016-10124 class (LXC): a command given the caller's terminal can
 * TIOCSTI ("type") input into it, which the caller's shell runs once the
 * command exits. So the command only ever sees a pty of its own. */
int open_pty(int *master, int *slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return fail("open", errno, "/dev/ptmx");
	if (unlockpt(m) == -1) {
		int err = errno;
		close(m);
		return fail("unlockpt", err, "/dev/ptmx");
	}
	int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) {
		int err = errno;
		close(m);
		return fail("ioctl", err, "TIOCGPTPEER");
	}
	copy_winsize(m);
	*master = m;
	*slave = s;
	return 0;
}

/* Equivalent to: setsid -c (with the pty slave on stdin, stdout, stderr) */
int take_pty(int slave)
{
	if (setsid() == -1)
		return fail("setsid", errno, "exec --tty");
	if (ioctl(slave, TIOCSCTTY, 0) == -1)
		return fail("ioctl", errno, "TIOCSCTTY");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) == -1)
			return fail("dup2", errno, "pty to fd %d", fd);
	if (slave > 2)
		close(slave);
	return 0;
}

/* One read from FROM copied to TO; false at EOF or error (EIO: the pty's
 * last slave is closed). */
static bool copy_once(int from, int to)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	return n > 0 && write_all(to, buf, (size_t)n) == 0;
}

int terminal_raw(struct termios *saved)
{
	if (tcgetattr(STDIN_FILENO, saved) == -1)
		return fail("tcgetattr", errno, "stdin");
	struct termios raw = *saved;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == -1)
		return fail("tcsetattr", errno, "stdin: raw mode");
	return 0;
}

int relay_pty(int master, pid_t child, const sigset_t *set, const struct termios *saved)
{
	sigset_t mask = *set;
	sigaddset(&mask, SIGWINCH);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		tcsetattr(STDIN_FILENO, TCSANOW, saved);
		return fail("signalfd", errno, "exec --tty");
	}
	copy_winsize(master); /* it may have changed since open_pty */
	struct pollfd p[3] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = master, .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	int status = -1;
	while (status == -1) {
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents && !copy_once(master, STDOUT_FILENO))
			p[1].fd = -1;
		if (p[2].revents && !copy_once(STDIN_FILENO, master))
			p[2].fd = -1; /* EOF on stdin: stop reading it */
		if (!p[0].revents)
			continue;
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof si) != sizeof si)
			continue;
		if (si.ssi_signo == SIGCHLD) {
			int st;
			if (waitpid(child, &st, WNOHANG) == child)
				status = st;
		} else if (si.ssi_signo == SIGWINCH) {
			copy_winsize(master);
		} else {
			/* The terminal's own ^C etc. are bytes now (raw mode): a
			 * signal that reaches us was sent to us, or is a hangup. */
			kill(child, (int)si.ssi_signo);
		}
	}
	/* What the command wrote just before exiting. Not until EIO: a
	 * process it left behind may hold the slave open. */
	while (p[1].fd >= 0 && poll(&p[1], 1, 0) > 0 && copy_once(master, STDOUT_FILENO))
		;
	tcsetattr(STDIN_FILENO, TCSANOW, saved);
	close(sfd);
	return status;
}
