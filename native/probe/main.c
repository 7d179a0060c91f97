/* tsc-probe: reachability probes made from inside network namespaces,
 * needing nothing in the containers (no ping, no shell): for `tscompose
 * verify`. Its own executable: the shim's image runs in every container
 * (as init or pause) and need not carry raw-socket code.
 *
 * usage: tsc-probe [--timeout-ms N] [--parallel N]   (defaults 2000, 512)
 *
 * stdin, one probe a line (fields without blanks):
 *   ID NETNS_PATH icmp  DST             ICMP/ICMPv6 echo until a reply or the timeout
 *   ID NETNS_PATH tcp   DST PORT        a TCP connect
 *   ID NETNS_PATH trace DST MAXHOPS     echo requests with growing TTL (traceroute)
 * stdout, in completion order:
 *   ID reach RTT_US
 *   ID blocked WHY                      timeout | refused | unreachable | ENETUNREACH …
 *   ID hop TTL ADDR RTT_US              (trace) a router's time exceeded; ADDR '*' if none
 *   ID err SYSCALL ERRNO_NAME ERRNO MESSAGE
 *
 * Each socket is created inside its namespace (setns to it, socket(2),
 * setns back: a socket stays in the namespace it was born in), then every
 * probe runs at once from one poll loop, at most --parallel at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "probe.h"

static char *read_all(FILE *in, size_t *len)
{
	size_t cap = 65536;
	char *buf = malloc(cap);
	*len = 0;
	for (;;) {
		if (!buf)
			return NULL;
		size_t n = fread(buf + *len, 1, cap - *len - 1, in);
		*len += n;
		if (n == 0)
			break;
		if (*len + 1 >= cap) {
			cap *= 2;
			char *more = realloc(buf, cap);
			if (!more)
				free(buf);
			buf = more;
		}
	}
	buf[*len] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	size_t parallel = 512;
	uint64_t timeout_us = 2000000;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--timeout-ms") == 0 && i + 1 < argc)
			timeout_us = strtoull(argv[++i], NULL, 10) * 1000u;
		else if (strcmp(argv[i], "--parallel") == 0 && i + 1 < argc)
			parallel = strtoul(argv[++i], NULL, 10);
		else {
			fprintf(stderr, "tsc-probe: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	if (parallel == 0 || timeout_us == 0) {
		fputs("tsc-probe: --parallel and --timeout-ms must be positive\n", stderr);
		return 2;
	}
	/* One descriptor per probe in flight: use the whole soft limit we are allowed. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && parallel + 16 > rl.rlim_cur)
		parallel = rl.rlim_cur > 32 ? rl.rlim_cur - 16 : 16;

	int home_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home_fd < 0) {
		fprintf(stderr, "tsc-probe: open /proc/thread-self/ns/net: %s\n", strerror(errno));
		return 125;
	}
	probe_setup(home_fd, timeout_us);
	size_t len;
	char *text = read_all(stdin, &len);
	if (!text) {
		fputs("tsc-probe: out of memory\n", stderr);
		return 125;
	}
	size_t count = 0;
	for (size_t i = 0; i < len; i++)
		count += text[i] == '\n';
	struct probe *probes = calloc(count + 1, sizeof *probes);
	uint64_t *started = calloc(count + 1, sizeof *started);
	struct pollfd *fds = calloc(parallel, sizeof *fds);
	uint32_t *which = calloc(parallel, sizeof *which);
	if (!probes || !started || !fds || !which) {
		fputs("tsc-probe: out of memory\n", stderr);
		return 125;
	}
	size_t n = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (parse_probe(line, &probes[n]) < 0) {
			fprintf(stderr, "tsc-probe: malformed line: %s\n", line);
			return 2;
		}
		n++;
	}

	size_t next = 0, active = 0, done = 0;
	while (done < n) {
		while (active < parallel && next < n) {
			started[next] = now_us();
			probe_start(&probes[next], (uint32_t)next);
			if (probes[next].state == S_DONE)
				done++;
			else
				active++;
			next++;
		}
		size_t nfds = 0;
		uint64_t now = now_us(), wake = now + 1000000;
		for (size_t i = 0; i < next; i++) {
			struct probe *p = &probes[i];
			if (p->state != S_ACTIVE)
				continue;
			fds[nfds].fd = p->fd;
			fds[nfds].events = p->kind == K_TCP ? POLLOUT : POLLIN;
			fds[nfds].revents = 0;
			which[nfds++] = (uint32_t)i;
			if (p->deadline < wake)
				wake = p->deadline;
			if (p->kind != K_TCP && p->next_send < wake)
				wake = p->next_send;
		}
		fflush(stdout);
		int ms = wake > now ? (int)((wake - now + 999) / 1000) : 0;
		if (poll(fds, nfds, ms) < 0 && errno != EINTR) {
			fprintf(stderr, "tsc-probe: poll: %s\n", strerror(errno));
			return 125;
		}
		for (size_t k = 0; k < nfds; k++) {
			struct probe *p = &probes[which[k]];
			if (p->state != S_ACTIVE || !fds[k].revents)
				continue;
			if (p->kind == K_TCP)
				probe_on_tcp(p, started[which[k]]);
			else if (fds[k].revents & POLLERR)
				probe_on_error(p);
			if (p->state == S_ACTIVE && (fds[k].revents & POLLIN))
				probe_on_readable(p, which[k]);
		}
		now = now_us();
		for (size_t k = 0; k < nfds; k++) {
			struct probe *p = &probes[which[k]];
			if (p->state == S_ACTIVE)
				probe_on_timer(p, which[k], now);
			if (p->state == S_DONE) {
				done++;
				active--;
			}
		}
	}
	fflush(stdout);
	return 0;
}
