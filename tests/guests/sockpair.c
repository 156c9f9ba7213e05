/* tests/guests/sockpair.c — socketpair(AF_UNIX) in one process: stream
 * sockets in both directions, datagram and seqpacket boundaries (a short
 * read drops the rest of a message), zero-length datagrams, shutdown
 * (SHUT_WR gives the peer end of file, writes after it EPIPE), a closed
 * peer, non-blocking EAGAIN, bad arguments, fstat and shutdown on a
 * pipe. Deterministic: the same output natively and under deja. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"

#define show guest_show

static void stream(void)
{
	int s[2];
	char buf[64] = { 0 };

	show("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	show("write 0->1", write(s[0], "ping", 4));
	show("write 1->0", write(s[1], "pong!", 5));
	show("read on 1", read(s[1], buf, sizeof(buf)));
	printf("  got '%s'\n", buf);
	memset(buf, 0, sizeof(buf));
	show("read on 0", read(s[0], buf, sizeof(buf)));
	printf("  got '%s'\n", buf);
	show("two writes", write(s[0], "ab", 2) + write(s[0], "cd", 2));
	memset(buf, 0, sizeof(buf));
	show("one read joins them", read(s[1], buf, sizeof(buf)));
	printf("  got '%s'\n", buf);
	{ struct stat st; show("fstat", fstat(s[0], &st)); show("  S_ISSOCK", S_ISSOCK(st.st_mode)); }
	show("F_GETFL accmode", fcntl(s[0], F_GETFL) & O_ACCMODE);
	show("set O_NONBLOCK", fcntl(s[1], F_SETFL, O_NONBLOCK));
	show("read empty nonblocking", read(s[1], buf, 1));
	show("shutdown bad how", shutdown(s[0], 7));
	show("shutdown 0 SHUT_WR", shutdown(s[0], SHUT_WR));
	show("read on 1: EOF", read(s[1], buf, 1));
	show("write 1->0 still works", write(s[1], "back", 4));
	show("read on 0", read(s[0], buf, 4));
	show("close 1", close(s[1]));
	show("read on 0 after peer close", read(s[0], buf, 4));
	close(s[0]);
}

static void messages(int type, const char *name)
{
	int s[2];
	char buf[64] = { 0 };

	printf("-- %s\n", name);
	show("socketpair", socketpair(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, s));
	show("F_GETFD", fcntl(s[0], F_GETFD));
	show("send 'first message'", write(s[0], "first message", 13));
	show("send 'second'", write(s[0], "second", 6));
	show("send empty", write(s[0], "", 0));
	show("send back 'reply'", write(s[1], "reply", 5));
	show("read 5 of first", read(s[1], buf, 5));
	printf("  got '%s'\n", buf);
	memset(buf, 0, sizeof(buf));
	show("read next: whole second", read(s[1], buf, sizeof(buf)));
	printf("  got '%s'\n", buf);
	show("read empty message", read(s[1], buf, sizeof(buf)));
	show("read nothing left", read(s[1], buf, sizeof(buf)));
	memset(buf, 0, sizeof(buf));
	show("read on 0", read(s[0], buf, sizeof(buf)));
	printf("  got '%s'\n", buf);
	show("shutdown 1 SHUT_RD", shutdown(s[1], SHUT_RD));
	show("read on 1 after SHUT_RD", read(s[1], buf, 1));
	close(s[1]);
	show("read on 0 after peer close", read(s[0], buf, 1));
	close(s[0]);
}

/* Datagram sockets are not connections: a closed peer is refused once,
 * then not connected (EPIPE cases would raise SIGPIPE: unit tests). */
static void dgram_peer(void)
{
	int s[2];

	show("socketpair dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, s));
	show("peer SHUT_WR", shutdown(s[1], SHUT_WR));
	show("send to it anyway", write(s[0], "x", 1));
	show("close peer", close(s[1]));
	show("send: refused", write(s[0], "x", 1));
	show("send again: not connected", write(s[0], "x", 1));
	close(s[0]);
}

static void errors(void)
{
	int s[2], p[2];

	show("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, s));
	show("socketpair raw", socketpair(AF_UNIX, SOCK_RAW, 0, s));
	show("socketpair proto 5", socketpair(AF_UNIX, SOCK_STREAM, 5, s));
	show("pipe", pipe(p));
	show("shutdown on a pipe", shutdown(p[0], SHUT_RD));
	show("shutdown bad fd", shutdown(99, SHUT_RD));
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	guest_close_inherited();
	stream();
	messages(SOCK_DGRAM, "dgram");
	messages(SOCK_SEQPACKET, "seqpacket");
	dgram_peer();
	errors();
	return 0;
}
