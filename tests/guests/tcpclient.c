/* tests/guests/tcpclient.c — nondeterminism source: a server outside the
 * guest system, reached through host sockets on 127.0.0.1.
 *   tcpclient tcp PORT: connect, send with write/send/sendmsg, check that
 *     a MSG_DONTWAIT recv says EAGAIN before the server answers, shut
 *     down writing, read the answer with read/recv/recvmsg until EOF.
 *   tcpclient unix PATH [DIR]: the same over an AF_UNIX stream socket
 *     bound to a host path (relative: to the working directory, DIR if
 *     given).
 *   tcpclient udp PORT: sendto/recvfrom, then connect and sendmsg/recvmsg,
 *     then sendmmsg/recvmmsg.
 *   tcpclient server PORT: listen on 127.0.0.1:PORT, accept one client
 *     from outside, answer its bytes reversed.
 * Prints what it sent, received and the addresses; exit 3 if connect
 * fails (with the errno name). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "guest.h"

static const char *errname(int e)
{
	switch (e) {
	case ECONNREFUSED: return "ECONNREFUSED";
	case EAGAIN: return "EAGAIN";
	case ENOTSOCK: return "ENOTSOCK";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "other";
	}
}

static void die(const char *what)
{
	printf("%s failed: %s\n", what, errname(errno));
	exit(1);
}

static void print_addr(const char *label, const struct sockaddr_in *a,
		       socklen_t len, int show_port)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
	if (show_port)
		printf("%s %s:%d (len %u)\n", label, ip, ntohs(a->sin_port), len);
	else
		printf("%s %s, port %s (len %u)\n", label, ip,
		       a->sin_port ? "set" : "zero", len);
}

static void show_unix(const char *label, const struct sockaddr_un *a,
		      socklen_t len)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);

	printf("%s unix \"%.*s\" (len %u)\n", label,
	       len > off ? (int)strnlen(a->sun_path, len - off) : 0, a->sun_path, len);
}

static void show_names(int s, int domain)
{
	union { struct sockaddr_in in; struct sockaddr_un un; } a;
	socklen_t len = sizeof(a);

	if (getpeername(s, (struct sockaddr *)&a, &len) < 0)
		die("getpeername");
	if (domain == AF_UNIX)
		show_unix("peer", &a.un, len);
	else
		print_addr("peer", &a.in, len, 1);
	len = sizeof(a);
	if (getsockname(s, (struct sockaddr *)&a, &len) < 0)
		die("getsockname");
	if (domain == AF_UNIX) {
		show_unix("local", &a.un, len);
		return;
	}
	print_addr("local", &a.in, len, 0);
	/* ephemeral: differs from run to run */
	printf("local port %d\n", ntohs(a.in.sin_port));
}

static int tcp_send(int s)
{
	char a[] = "the ", b[] = "guest\n";
	struct iovec iov[2] = { { a, 4 }, { b, 6 } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	char buf[16];

	if (write(s, "hello ", 6) != 6 || send(s, "from ", 5, 0) != 5 ||
	    sendmsg(s, &m, 0) != 10)
		die("send");
	if (recv(s, buf, sizeof(buf), MSG_DONTWAIT) < 0)
		printf("recv before the answer: %s\n", errname(errno));
	else
		printf("recv before the answer: data\n");
	return shutdown(s, SHUT_WR);
}

static void tcp_receive(int s)
{
	char got[4096], x[8], y[4096];
	size_t n = 0;
	long r;
	int round = 0;

	do {
		struct iovec iov[2] = { { x, sizeof(x) }, { y, sizeof(y) } };
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

		if (round % 3 == 0)
			r = read(s, got + n, 5 < sizeof(got) - n ? 5 : sizeof(got) - n);
		else if (round % 3 == 1)
			r = recv(s, got + n, sizeof(got) - n, 0);
		else {
			r = recvmsg(s, &m, 0);
			if (r > 0 && n + (size_t)r <= sizeof(got)) {
				size_t k = r < (long)sizeof(x) ? (size_t)r : sizeof(x);
				memcpy(got + n, x, k);
				memcpy(got + n + k, y, (size_t)r - k);
			}
		}
		if (r < 0)
			die("receive");
		n += (size_t)r;
		round++;
	} while (r > 0 && n < sizeof(got));
	printf("received %zu bytes, hash %016llx:\n%.*s", n,
	       (unsigned long long)guest_hash(got, n, 0), (int)n, got);
}

/* Passing a descriptor over a host socket: refused, nothing sent. */
static void send_fd(int s)
{
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } ctl;
	struct iovec iov = { "!", 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	int fd = 1;

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	if (sendmsg(s, &m, 0) < 0)
		printf("sendmsg with a descriptor: %s\n", errname(errno));
	else
		printf("sendmsg with a descriptor: sent\n");
}

/* A stream socket of DOMAIN connected to A: send, then read the answer. */
static int stream(int domain, const struct sockaddr *a, socklen_t alen)
{
	int s = socket(domain, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, type = 0;
	socklen_t len = sizeof(type);

	if (s < 0)
		die("socket");
	if (domain == AF_INET &&
	    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		die("setsockopt");
	if (getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		die("getsockopt");
	printf("socket type %d, option length %u\n", type, len);
	if (connect(s, a, alen) < 0) {
		printf("connect: %s\n", errname(errno));
		return 3;
	}
	show_names(s, domain);
	if (domain == AF_UNIX)
		send_fd(s);
	if (tcp_send(s) < 0)
		die("shutdown");
	tcp_receive(s);
	return close(s) < 0;
}

static int tcp(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return stream(AF_INET, (struct sockaddr *)&a, sizeof(a));
}

static int unix_stream(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	return stream(AF_UNIX, (struct sockaddr *)&a,
		      offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static void udp_second(int s, const struct sockaddr_in *srv)
{
	char a[] = "second ", b[] = "datagram", x[4], y[64];
	struct iovec out[2] = { { a, 7 }, { b, 8 } }, in[2] = { { x, 4 }, { y, 64 } };
	struct sockaddr_in from;
	struct msghdr m = { .msg_iov = out, .msg_iovlen = 2 };
	long r;

	if (connect(s, (const struct sockaddr *)srv, sizeof(*srv)) < 0)
		die("connect");
	if (sendmsg(s, &m, 0) != 15)
		die("sendmsg");
	m = (struct msghdr){ .msg_name = &from, .msg_namelen = sizeof(from),
			     .msg_iov = in, .msg_iovlen = 2 };
	r = recvmsg(s, &m, 0);
	if (r < 4)
		die("recvmsg");
	printf("recvmsg %ld bytes, flags %d: %.4s%.*s\n", r, m.msg_flags, x,
	       (int)r - 4, y);
	print_addr("from", &from, m.msg_namelen, 1);
}

/* Two datagrams in one sendmmsg, both answers in one recvmmsg. */
static void udp_batch(int s)
{
	char a[] = "third", b[] = "fourth", x[16] = { 0 }, y[16] = { 0 };
	struct iovec io[4] = { { a, 5 }, { b, 6 }, { x, 15 }, { y, 15 } };
	struct mmsghdr m[2] = { { .msg_hdr = { .msg_iov = &io[0], .msg_iovlen = 1 } },
				{ .msg_hdr = { .msg_iov = &io[1], .msg_iovlen = 1 } } };
	int r = sendmmsg(s, m, 2, 0);

	printf("sendmmsg %d: %u + %u bytes\n", r, m[0].msg_len, m[1].msg_len);
	m[0].msg_hdr.msg_iov = &io[2];
	m[1].msg_hdr.msg_iov = &io[3];
	r = recvmmsg(s, m, 2, 0, NULL);
	printf("recvmmsg %d: \"%s\" (%u) \"%s\" (%u)\n", r, x, m[0].msg_len,
	       y, m[1].msg_len);
}

static int udp(int port)
{
	struct sockaddr_in srv = { .sin_family = AF_INET, .sin_port = htons(port) }, from;
	socklen_t len = sizeof(from);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	char buf[64];
	long r;

	if (s < 0)
		die("socket");
	srv.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sendto(s, "ping over udp", 13, 0, (struct sockaddr *)&srv, sizeof(srv)) != 13)
		die("sendto");
	r = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
	if (r < 0)
		die("recvfrom");
	printf("recvfrom %ld bytes: %.*s\n", r, (int)r, buf);
	print_addr("from", &from, len, 1);
	udp_second(s, &srv);
	udp_batch(s);
	return close(s) < 0;
}

/* A fresh non-blocking listener nobody knows the port of: EAGAIN. */
static void idle_accept(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (s < 0 || listen(s, 1) < 0)
		die("idle listen");
	if (accept4(s, NULL, NULL, SOCK_CLOEXEC) < 0)
		printf("accept on an idle non-blocking listener: %s\n", errname(errno));
	else
		printf("accept on an idle non-blocking listener: a connection\n");
	close(s);
}

/* Serve one client on 127.0.0.1:PORT: read until EOF, answer the bytes
 * reversed. */
static int server(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) }, peer;
	socklen_t len = sizeof(peer);
	int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0), c;
	char buf[512], out[512];
	size_t n = 0;
	long r;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 4) < 0)
		die("listen");
	idle_accept();
	c = accept(ls, (struct sockaddr *)&peer, &len);
	if (c < 0)
		die("accept");
	print_addr("accepted from", &peer, len, 0);
	while (n < sizeof(buf) && (r = recv(c, buf + n, sizeof(buf) - n, 0)) > 0)
		n += (size_t)r;
	for (size_t i = 0; i < n; i++)
		out[i] = buf[n - 1 - i];
	if (write(c, out, n) != (long)n)
		die("write");
	printf("request of %zu bytes: %.*s", n, (int)n, buf);
	return close(c) < 0 || close(ls) < 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: tcpclient tcp|udp|server PORT | unix PATH [DIR]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "tcp"))
		return tcp(atoi(argv[2]));
	if (!strcmp(argv[1], "udp"))
		return udp(atoi(argv[2]));
	if (!strcmp(argv[1], "server"))
		return server(atoi(argv[2]));
	if (!strcmp(argv[1], "unix")) {
		if (argc > 3 && chdir(argv[3]) != 0)
			die("chdir");
		return unix_stream(argv[2]);
	}
	return 2;
}
