/* gdbstub/server.c — the session loop of the gdb stub: reading the
 * connection, acks and retransmits, the no-ack switch, polling for Ctrl-C
 * during resumes, and the listening socket. Command meaning lives in
 * dispatch.c and cmd_*.c; frame decoding in packet.c. It must never raise
 * SIGPIPE, block forever after gdb leaves, or print. */
#include "gdbstub/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gdbstub/session.h"

/* Undecodable frames in a row before the session is given up. */
#define MAX_BAD_FRAMES 64
/* Interrupt polls closer together than this are skipped (ns). */
#define POLL_INTERVAL_NS 1000000L

/* A failed send or receive: gdb going away is a disconnect, the rest
 * is an I/O error. Returns ERR. */
static int session_fail(struct gdb_session *s, int err)
{
	if (s->err == 0) {
		s->err = err;
		s->end = (err == -EPIPE || err == -ECONNRESET ||
			  err == -ENOTCONN || err == 0) ? GDB_END_DISCONNECT
							: GDB_END_IO;
	}
	return err ? err : -ECONNRESET;
}

static int send_all(struct gdb_session *s, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(s->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == ENOTSOCK)
			n = write(s->fd, p, len);   /* a pipe or tty */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return session_fail(s, -errno);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int gdb_session_send(struct gdb_session *s, const void *payload, size_t len)
{
	long n;

	if (s->err)
		return s->err;
	n = gdb_frame(s->frame, sizeof(s->frame), payload, len);
	if (n < 0)
		return (int)n;
	s->flen = (size_t)n;
	return send_all(s, s->frame, s->flen);
}

/* Append received bytes to s->in (moving unread bytes to its start).
 * 0, -EAGAIN (nothing there, or no room) or -errno; EOF sets s->eof. */
static int fill_input(struct gdb_session *s, bool block)
{
	size_t room;
	ssize_t n;

	memmove(s->in, s->in + s->in_pos, s->in_len - s->in_pos);
	s->in_len -= s->in_pos;
	s->in_pos = 0;
	room = sizeof(s->in) - s->in_len;
	if (room == 0)
		return -EAGAIN;
	do {
		n = recv(s->fd, s->in + s->in_len, room,
			 block ? 0 : MSG_DONTWAIT);
		if (n < 0 && errno == ENOTSOCK)
			n = read(s->fd, s->in + s->in_len, room);
	} while (n < 0 && errno == EINTR);
	if (n == 0) {
		s->eof = true;
		return session_fail(s, 0);
	}
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK)
			? -EAGAIN : session_fail(s, -errno);
	s->in_len += (size_t)n;
	return 0;
}

static bool poll_due(struct gdb_session *s)
{
	struct timespec now;
	long ns;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	ns = (now.tv_sec - s->last_poll.tv_sec) * 1000000000L +
	     (now.tv_nsec - s->last_poll.tv_nsec);
	if (s->last_poll.tv_sec != 0 && ns >= 0 && ns < POLL_INTERVAL_NS)
		return false;
	s->last_poll = now;
	return true;
}

/* While the target runs gdb sends nothing but 0x03; anything read here
 * stays in s->in for the session loop. EOF also stops the run. */
bool gdb_session_interrupted(void *sink)
{
	struct gdb_session *s = sink;
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN };

	if (s->eof || s->err)
		return true;
	if (poll_due(s) && poll(&pfd, 1, 0) > 0 &&
	    fill_input(s, false) < 0 && (s->eof || s->err))
		return true;
	return memchr(s->in + s->in_pos, 0x03, s->in_len - s->in_pos) != NULL;
}

/* Answer one good packet: ack, dispatch, reply. 0 to go on, 1 to end. */
static int handle_packet(struct gdb_session *s)
{
	size_t len;
	const char *pkt = gdb_rx_payload(&s->rx, &len);
	int rc;

	s->packets++;
	s->bad_frames = 0;
	if (!s->noack && send_all(s, "+", 1) < 0)
		return 1;
	rc = gdb_dispatch(s, pkt, len);
	if (rc < 0 && s->err)
		return 1;
	if (!s->no_reply && gdb_session_send(s, s->reply, s->rlen) < 0)
		return 1;
	if (s->noack_next) {
		s->noack = true;
		s->noack_next = false;
	}
	return s->end_now ? 1 : 0;
}

/* React to one receiver event. 0 to go on, 1 to end the session. */
static int handle_event(struct gdb_session *s, enum gdb_rx_event ev)
{
	switch (ev) {
	case GDB_RX_PACKET:
		return handle_packet(s);
	case GDB_RX_BAD_CHECKSUM:
	case GDB_RX_BAD_PACKET:
		if (++s->bad_frames > MAX_BAD_FRAMES) {
			s->end = GDB_END_PROTOCOL;
			return 1;
		}
		if (!s->noack && send_all(s, "-", 1) < 0)
			return 1;
		return 0;
	case GDB_RX_NAK:
		if (!s->noack && s->flen && send_all(s, s->frame, s->flen) < 0)
			return 1;
		return 0;
	default:
		return 0;   /* acks; Ctrl-C while stopped is ignored */
	}
}

static void session_run(struct gdb_session *s)
{
	for (;;) {
		enum gdb_rx_event ev;
		size_t used;

		if (s->in_pos == s->in_len && fill_input(s, true) < 0)
			return;
		used = gdb_rx_feed(&s->rx, s->in + s->in_pos,
				   s->in_len - s->in_pos, &ev);
		s->in_pos += used;
		if (handle_event(s, ev))
			return;
	}
}

int gdb_serve(int fd, const struct gdb_target_ops *ops, void *target,
	      struct gdb_serve_result *res)
{
	struct gdb_session *s;
	int end;

	if (fd < 0 || !ops || !ops->get_regs || !ops->resume ||
	    !ops->last_stop || !ops->read_mem)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = fd;
	s->ops = ops;
	s->t = target;
	s->end = GDB_END_DISCONNECT;
	gdb_rx_init(&s->rx);
	session_run(s);
	if (s->killed && s->end == GDB_END_DISCONNECT)
		s->end = GDB_END_KILL;   /* gdb leaves after vKill */
	if (res) {
		res->end = s->end;
		res->err = s->err;
		res->packets = s->packets;
		res->killed = s->killed;
	}
	end = (int)s->end;
	free(s);
	return end;
}

int gdb_listen(const char *bind_addr, int port, int *out_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	int one = 1, fd, err;

	if (port < 0 || port > 65535)
		return -EINVAL;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, bind_addr ? bind_addr : "127.0.0.1",
		      &sa.sin_addr) != 1)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) < 0)
		goto fail;
	if (out_port)
		*out_port = ntohs(sa.sin_port);
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

int gdb_accept(int lfd)
{
	int one = 1, fd;

	do {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	/* Packets are small and answered one by one: no Nagle delays. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}
