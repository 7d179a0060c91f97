/* `tsc-shim pause`: the command of a container that has none. It holds the
 * container's namespaces (like the Kubernetes pause container), sleeps
 * until SIGTERM, SIGINT, SIGHUP or SIGQUIT and then exits 0; as PID 1 of a
 * pid namespace it also reaps the orphans that `exec` leaves behind.
 * The signals are blocked and waited for: blocked signals reach even a
 * pid namespace's init, which would otherwise ignore default-action ones. */
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "commands.h"
#include "process.h"

int pause_main(void)
{
	sigset_t set;
	sigemptyset(&set);
	int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2 };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* The image is the host's tsc-shim: keep /proc/PID/exe and memory away
	 * from other processes in the container. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* Hold no fd but stdio (CVE-2024-21626 class): nothing of the host
	 * for another process of the container to reach through us. */
	close_fds_except(NULL, 0);
	for (;;) {
		int sig = sigwaitinfo(&set, NULL);
		if (sig == SIGCHLD)
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		else if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT)
			return 0;
	}
}
