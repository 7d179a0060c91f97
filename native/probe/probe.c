/* The probes themselves: sockets made inside each namespace, echo
 * requests, and what comes back (see main.c for the protocol). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "../shim/report.h"

/* Echo payload: a magic word, our probe number and the send time. */
struct payload {
	char magic[8];
	uint32_t index;
	uint32_t seq;
	uint64_t sent_us;
};

static const char MAGIC[8] = { 't', 's', 'c', 'p', 'r', 'o', 'b', 'e' };
static const uint64_t RESEND_US = 250000;
static const uint64_t HOP_TIMEOUT_US = 1000000;

static int home_fd = -1;
static uint64_t timeout_us;

void probe_setup(int home_netns_fd, uint64_t timeout)
{
	home_fd = home_netns_fd;
	timeout_us = timeout;
}

uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void out(const struct probe *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(const struct probe *p, const char *fmt, ...)
{
	va_list ap;
	printf("%s ", p->id);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void finish(struct probe *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->state = S_DONE;
}

static void finish_failure(struct probe *p)
{
	char line[600];
	format_failure(line, sizeof line, &last_failure);
	out(p, "%s", line);
	finish(p);
}

static uint16_t checksum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)(b[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* A socket created inside the namespace at `path`; the calling thread returns home. */
static int socket_in(const char *path, int domain, int type, int protocol)
{
	int ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return fail("open", errno, "%s", path);
	if (setns(ns, CLONE_NEWNET) < 0) {
		int e = errno;
		close(ns);
		return fail("setns", e, "%s", path);
	}
	close(ns);
	int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	int e = errno;
	if (setns(home_fd, CLONE_NEWNET) < 0) {
		/* Every later socket would be born in the wrong namespace. */
		fprintf(stderr, "tsc-probe: setns back home: %s\n", strerror(errno));
		exit(125);
	}
	if (fd < 0)
		return fail("socket", e, "in %s", path);
	return fd;
}

static const char *why(int err)
{
	switch (err) {
	case ECONNREFUSED:
		return "refused";
	case ETIMEDOUT:
		return "timeout";
	default:
		return errno_name(err);
	}
}

/* Send one echo request (seq = p->seq); false when the probe is finished (blocked). */
static bool send_echo(struct probe *p, uint32_t index)
{
	uint8_t buf[sizeof(struct icmphdr) + sizeof(struct payload)];
	memset(buf, 0, sizeof buf);
	struct payload pl;
	memcpy(pl.magic, MAGIC, sizeof MAGIC);
	pl.index = index;
	pl.seq = p->seq;
	pl.sent_us = now_us();
	if (p->family == AF_INET) {
		struct icmphdr *h = (struct icmphdr *)buf;
		h->type = ICMP_ECHO;
		h->un.echo.id = htons(p->ident);
		h->un.echo.sequence = htons(p->seq);
		memcpy(buf + sizeof *h, &pl, sizeof pl);
		h->checksum = checksum(buf, sizeof buf);
	} else {
		/* The kernel fills in the ICMPv6 checksum. */
		struct icmp6_hdr *h = (struct icmp6_hdr *)buf;
		h->icmp6_type = ICMP6_ECHO_REQUEST;
		h->icmp6_id = htons(p->ident);
		h->icmp6_seq = htons(p->seq);
		memcpy(buf + sizeof *h, &pl, sizeof pl);
	}
	if (p->kind == K_TRACE) {
		int ttl = p->ttl;
		int r = p->family == AF_INET ? setsockopt(p->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl)
					     : setsockopt(p->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
		if (r < 0) {
			fail("setsockopt", errno, "TTL %d", ttl);
			finish_failure(p);
			return false;
		}
	}
	ssize_t n = sendto(p->fd, buf, sizeof buf, 0, (struct sockaddr *)&p->dst, p->dstlen);
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		/* ENOBUFS: dropped on the way out, e.g. the neighbour table is full. */
		if (p->kind == K_ICMP || errno == ENOBUFS) {
			/* Kept until the deadline: a reply to an earlier echo may still come. */
			snprintf(p->last_error, sizeof p->last_error, "%s", why(errno));
			return true;
		}
		out(p, "blocked %s", why(errno));
		finish(p);
		return false;
	}
	return true;
}

int parse_probe(char *line, struct probe *p)
{
	char kind[16], dst[64];
	int extra = 0;
	int n = sscanf(line, "%63s %255s %15s %63s %d", p->id, p->ns, kind, dst, &extra);
	if (n < 4)
		return -1;
	if (strcmp(kind, "icmp") == 0)
		p->kind = K_ICMP;
	else if (strcmp(kind, "tcp") == 0 && n == 5 && extra > 0 && extra < 65536)
		p->kind = K_TCP, p->port = extra;
	else if (strcmp(kind, "trace") == 0 && n == 5 && extra > 0 && extra < 256)
		p->kind = K_TRACE, p->maxhops = extra;
	else
		return -1;
	memset(&p->dst, 0, sizeof p->dst);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&p->dst;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&p->dst;
	if (inet_pton(AF_INET, dst, &v4->sin_addr) == 1) {
		p->family = v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p->port);
		p->dstlen = sizeof *v4;
	} else if (inet_pton(AF_INET6, dst, &v6->sin6_addr) == 1) {
		p->family = v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p->port);
		p->dstlen = sizeof *v6;
	} else
		return -1;
	if (!inet_ntop(p->family, p->family == AF_INET ? (const void *)&v4->sin_addr : (const void *)&v6->sin6_addr, p->dsttext, sizeof p->dsttext))
		return -1;
	p->fd = -1;
	p->state = S_PENDING;
	return 0;
}

void probe_start(struct probe *p, uint32_t index)
{
	uint64_t now = now_us();
	p->state = S_ACTIVE;
	p->ident = (uint16_t)(index * 2654435761u >> 16);
	p->seq = 1;
	p->ttl = 1;
	if (p->kind == K_TCP) {
		p->fd = socket_in(p->ns, p->family, SOCK_STREAM, 0);
		if (p->fd < 0)
			return finish_failure(p);
		p->deadline = now + timeout_us;
		if (connect(p->fd, (struct sockaddr *)&p->dst, p->dstlen) == 0) {
			out(p, "reach %llu", (unsigned long long)(now_us() - now));
			return finish(p);
		}
		if (errno != EINPROGRESS) {
			out(p, "blocked %s", why(errno));
			return finish(p);
		}
		return;
	}
	int proto = p->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	p->fd = socket_in(p->ns, p->family, SOCK_RAW, proto);
	if (p->fd < 0)
		return finish_failure(p);
	if (p->family == AF_INET6) {
		struct icmp6_filter f;
		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		ICMP6_FILTER_SETPASS(ICMP6_DST_UNREACH, &f);
		ICMP6_FILTER_SETPASS(ICMP6_TIME_EXCEEDED, &f);
		if (setsockopt(p->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f) < 0) {
			fail("setsockopt", errno, "ICMP6_FILTER");
			return finish_failure(p);
		}
	}
	if (p->kind == K_ICMP) {
		/* A connected raw socket only sees packets from the destination;
		 * errors about it (unreachable) arrive on the error queue. */
		int on = 1;
		if (connect(p->fd, (struct sockaddr *)&p->dst, p->dstlen) < 0) {
			out(p, "blocked %s", why(errno));
			return finish(p);
		}
		if ((p->family == AF_INET ? setsockopt(p->fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on)
					  : setsockopt(p->fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on)) < 0) {
			fail("setsockopt", errno, "RECVERR");
			return finish_failure(p);
		}
		p->deadline = now + timeout_us;
	} else
		p->deadline = now + HOP_TIMEOUT_US;
	p->next_send = now + RESEND_US;
	send_echo(p, index);
}

/* The echo header an ICMP error quotes, if it is one of ours. */
static bool quoted_is_ours(const struct probe *p, const uint8_t *inner, size_t len)
{
	if (p->family == AF_INET) {
		if (len < sizeof(struct iphdr))
			return false;
		size_t ihl = (size_t)(inner[0] & 0x0f) * 4;
		if (len < ihl + 8)
			return false;
		const struct icmphdr *h = (const struct icmphdr *)(inner + ihl);
		return h->type == ICMP_ECHO && ntohs(h->un.echo.id) == p->ident && ntohs(h->un.echo.sequence) == p->seq;
	}
	if (len < 40 + 8)
		return false;
	const struct icmp6_hdr *h = (const struct icmp6_hdr *)(inner + 40);
	return h->icmp6_type == ICMP6_ECHO_REQUEST && ntohs(h->icmp6_id) == p->ident && ntohs(h->icmp6_seq) == p->seq;
}

static bool same_addr(const struct probe *p, const struct sockaddr_storage *from)
{
	if (p->family == AF_INET)
		return ((const struct sockaddr_in *)from)->sin_addr.s_addr == ((const struct sockaddr_in *)&p->dst)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)from)->sin6_addr, &((const struct sockaddr_in6 *)&p->dst)->sin6_addr, 16) == 0;
}

static void addr_text(int family, const struct sockaddr_storage *sa, char *buf, size_t size)
{
	const void *a = family == AF_INET ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
					  : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (!inet_ntop(family, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
}

/* The next hop of a trace, or its end. */
static void next_hop(struct probe *p, uint32_t index)
{
	if (p->ttl >= p->maxhops) {
		out(p, "blocked timeout");
		return finish(p);
	}
	p->ttl++;
	p->seq++;
	p->deadline = now_us() + HOP_TIMEOUT_US;
	p->next_send = now_us() + RESEND_US;
	send_echo(p, index);
}

void probe_on_readable(struct probe *p, uint32_t index)
{
	uint8_t buf[2048];
	struct sockaddr_storage from;
	for (;;) {
		socklen_t fromlen = sizeof from;
		ssize_t n = recvfrom(p->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fromlen);
		if (n < 0)
			return; /* EAGAIN: nothing more now */
		const uint8_t *icmp = buf;
		size_t len = (size_t)n;
		if (p->family == AF_INET) {
			size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
			if (len < ihl + 8)
				continue;
			icmp += ihl;
			len -= ihl;
		} else if (len < 8)
			continue;
		uint8_t type = icmp[0];
		bool reply = p->family == AF_INET ? type == ICMP_ECHOREPLY : type == ICMP6_ECHO_REPLY;
		bool exceeded = p->family == AF_INET ? type == ICMP_TIME_EXCEEDED : type == ICMP6_TIME_EXCEEDED;
		bool unreach = p->family == AF_INET ? type == ICMP_DEST_UNREACH : type == ICMP6_DST_UNREACH;
		if (reply) {
			uint16_t id = ntohs(*(const uint16_t *)(icmp + 4));
			struct payload pl;
			if (id != p->ident || len < 8 + sizeof pl || !same_addr(p, &from))
				continue;
			memcpy(&pl, icmp + 8, sizeof pl);
			if (memcmp(pl.magic, MAGIC, sizeof MAGIC) != 0 || pl.index != index)
				continue;
			unsigned long long rtt = (unsigned long long)(now_us() - pl.sent_us);
			if (p->kind == K_TRACE)
				out(p, "hop %d %s %llu", p->ttl, p->dsttext, rtt);
			out(p, "reach %llu", rtt);
			return finish(p);
		}
		if ((exceeded || unreach) && p->kind == K_TRACE && quoted_is_ours(p, icmp + 8, len - 8)) {
			char addr[INET6_ADDRSTRLEN];
			addr_text(p->family, &from, addr, sizeof addr);
			if (unreach) {
				out(p, "blocked unreachable from %s", addr);
				return finish(p);
			}
			out(p, "hop %d %s %llu", p->ttl, addr, 0ULL);
			next_hop(p, index);
			if (p->state == S_DONE)
				return;
		}
	}
}

/* ICMP errors about a connected echo socket (unreachable, from a router or the local stack). */
void probe_on_error(struct probe *p)
{
	uint8_t data[512], control[512];
	struct iovec iov = { data, sizeof data };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
	if (recvmsg(p->fd, &msg, MSG_ERRQUEUE) < 0)
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		struct sock_extended_err ee;
		memcpy(&ee, CMSG_DATA(c), sizeof ee);
		struct sockaddr_storage off;
		memset(&off, 0, sizeof off);
		memcpy(&off, SO_EE_OFFENDER((struct sock_extended_err *)CMSG_DATA(c)),
		       p->family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		char addr[INET6_ADDRSTRLEN];
		addr_text(p->family, &off, addr, sizeof addr);
		/* Not final: right after links come up, a router may answer
		 * unreachable once (its neighbour entry is still failing). */
		if (ee.ee_origin == SO_EE_ORIGIN_ICMP || ee.ee_origin == SO_EE_ORIGIN_ICMP6)
			snprintf(p->last_error, sizeof p->last_error, "unreachable from %s", addr);
		else
			snprintf(p->last_error, sizeof p->last_error, "%s", why((int)ee.ee_errno));
	}
}

void probe_on_tcp(struct probe *p, uint64_t started)
{
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0)
		out(p, "reach %llu", (unsigned long long)(now_us() - started));
	else
		out(p, "blocked %s", why(err));
	finish(p);
}

void probe_on_timer(struct probe *p, uint32_t index, uint64_t now)
{
	if (now >= p->deadline) {
		if (p->kind == K_TRACE) {
			out(p, "hop %d * 0", p->ttl);
			return next_hop(p, index);
		}
		out(p, "blocked %s", p->last_error[0] ? p->last_error : "timeout");
		return finish(p);
	}
	if (p->kind != K_TCP && now >= p->next_send) {
		/* Echoes are resent: the first may be lost to neighbour discovery. */
		p->next_send = now + RESEND_US;
		if (p->kind == K_ICMP)
			p->seq++;
		send_echo(p, index);
	}
}
