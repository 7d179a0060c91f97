/* One reachability probe (see main.c for the protocol) and the steps the
 * poll loop of main.c drives it through. */
#ifndef TSC_PROBE_H
#define TSC_PROBE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

enum kind { K_ICMP, K_TCP, K_TRACE };
enum state { S_PENDING, S_ACTIVE, S_DONE };

struct probe {
	char id[64];
	char ns[256];
	enum kind kind;
	int family;
	struct sockaddr_storage dst;
	socklen_t dstlen;
	char dsttext[INET6_ADDRSTRLEN];
	int port;
	int maxhops;
	int fd;
	enum state state;
	uint16_t ident;
	uint16_t seq;
	int ttl;
	uint64_t deadline;	/* whole probe (icmp, tcp) or current hop (trace) */
	uint64_t next_send;	/* icmp: resend time */
	char last_error[96];	/* icmp: the last unreachable seen, reported if no reply comes */
};

/* The thread's own network namespace (every socket_in returns to it) and
 * how long an echo or connect probe waits. */
void probe_setup(int home_netns_fd, uint64_t timeout_us);
uint64_t now_us(void);
/* "ID NETNS_PATH icmp|tcp|trace DST [PORT|MAXHOPS]"; -1 if malformed. */
int parse_probe(char *line, struct probe *p);
/* Open its socket in its namespace and send (or connect): S_ACTIVE, or S_DONE with a result printed. */
void probe_start(struct probe *p, uint32_t index);
/* poll said: a TCP connect finished, an ICMP error is queued, a packet is readable. */
void probe_on_tcp(struct probe *p, uint64_t started);
void probe_on_error(struct probe *p);
void probe_on_readable(struct probe *p, uint32_t index);
/* Deadlines and resends. */
void probe_on_timer(struct probe *p, uint32_t index, uint64_t now);

#endif
