/* tests/guests/polling.c — readiness in one process: poll, ppoll,
 * select, pselect6 and epoll on pipes, a socket pair, an eventfd and
 * stdout (a host file: asked of the host, recorded); ready and not
 * ready, timeout 0, infinite timeouts with something ready, POLLHUP,
 * POLLERR, POLLNVAL, EBADF; epoll_ctl errors, EPOLLONESHOT, EPOLLET,
 * entries removed when their file is closed. Deterministic: the same output
 * natively and under deja (when stdout is a file or a terminal). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

#define show guest_show

static void polls(void)
{
	int p[2];
	struct pollfd f[4];
	struct timespec zero = { 0, 0 };

	show("pipe", pipe(p));
	f[0] = (struct pollfd){ p[0], POLLIN, 0 };
	f[1] = (struct pollfd){ p[1], POLLOUT, 0 };
	f[2] = (struct pollfd){ 99, POLLIN, 0 };
	f[3] = (struct pollfd){ -1, POLLIN, 0 };
	show("poll empty pipe, timeout 0", poll(f, 1, 0));
	show("  revents", f[0].revents);
	show("poll both ends", poll(f, 2, 0));
	show("  revents rd", f[0].revents);
	show("  revents wr", f[1].revents);
	show("poll with bad fd and fd -1", poll(f, 4, -1));
	show("  revents bad", f[2].revents);
	show("  revents -1", f[3].revents);
	write(p[1], "x", 1);
	show("poll after write, infinite", poll(f, 1, -1));
	show("  revents", f[0].revents);
	show("ppoll zero timeout", ppoll(f, 2, &zero, NULL));
	show("  revents rd", f[0].revents);
	f[0].events = POLLOUT; /* not asked: only POLLHUP/POLLERR come */
	show("poll rd for POLLOUT", poll(f, 1, 0));
	show("poll stdout POLLOUT (host)", poll(&(struct pollfd){ 1, POLLOUT, 0 }, 1, 0));
	/* stdin is a file or /dev/null in the tests: the host waits, and
	 * answers at once */
	show("poll stdin, infinite (host)", poll(&(struct pollfd){ 0, POLLIN, 0 }, 1, -1));
	close(p[1]);
	f[0].events = POLLIN;
	show("poll rd, writer gone", poll(f, 1, 0));
	show("  revents (IN|HUP)", f[0].revents);
	close(p[0]);
	show("pipe", pipe(p));
	close(p[0]);
	f[1].fd = p[1];
	show("poll wr, reader gone", poll(&f[1], 1, 0));
	show("  revents (OUT|ERR)", f[1].revents);
	close(p[1]);
}

static void selects(void)
{
	int p[2], e = eventfd(0, EFD_NONBLOCK);
	fd_set r, w;
	struct timeval tv = { 0, 0 };
	struct timespec ts = { 0, 0 };
	uint64_t one = 1;

	show("pipe", pipe(p));
	FD_ZERO(&r); FD_ZERO(&w);
	FD_SET(p[0], &r); FD_SET(e, &r); FD_SET(p[1], &w);
	show("select nothing readable", select(p[1] + 1, &r, &w, NULL, &tv));
	show("  rd pipe set", FD_ISSET(p[0], &r));
	show("  eventfd set", FD_ISSET(e, &r));
	show("  wr pipe set", FD_ISSET(p[1], &w));
	write(e, &one, 8);
	write(p[1], "y", 1);
	FD_ZERO(&r); FD_ZERO(&w);
	FD_SET(p[0], &r); FD_SET(e, &r);
	show("select both readable, no timeout", select(p[1] + 1, &r, NULL, NULL, NULL));
	show("  rd pipe set", FD_ISSET(p[0], &r));
	show("  eventfd set", FD_ISSET(e, &r));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	FD_SET(e, &r);
	show("select nfds below the fds", select(p[0], &r, NULL, NULL, &tv));
	show("  rd pipe (beyond nfds) cleared", FD_ISSET(p[0], &r));
	show("  eventfd set", FD_ISSET(e, &r));
	FD_ZERO(&w);
	FD_SET(1, &w);
	show("pselect stdout in write set", pselect(2, NULL, &w, NULL, &ts, NULL));
	show("  set", FD_ISSET(1, &w));
	FD_ZERO(&r);
	/* below 64: Linux ignores set bits beyond its fd table's size */
	FD_SET(20, &r);
	show("select closed fd", select(21, &r, NULL, NULL, &tv));
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 5, 0 };
	show("select 5 s, readable", select(p[0] + 1, &r, NULL, NULL, &tv));
	show("  time left written back: 4.x s", tv.tv_sec == 4 && tv.tv_usec > 0);
	ts = (struct timespec){ 5, 0 };
	/* raw: glibc and musl hand the kernel a copy of the timeout */
	show("ppoll 5 s, readable", syscall(SYS_ppoll, &(struct pollfd){ p[0], POLLIN, 0 }, 1, &ts, NULL, 8));
	show("  time left written back: 4.x s", ts.tv_sec == 4 && ts.tv_nsec > 0);
	tv = (struct timeval){ 0, 0 };
	show("select nfds -1", select(-1, NULL, NULL, NULL, &tv));
	close(p[0]); close(p[1]); close(e);
}

static int cmp_ev(const void *a, const void *b)
{
	const struct epoll_event *x = a, *y = b;
	return x->data.u64 < y->data.u64 ? -1 : x->data.u64 > y->data.u64;
}

static void wait_show(int ep, const char *what, int timeout)
{
	struct epoll_event ev[8];
	int n = epoll_wait(ep, ev, 8, timeout);

	show(what, n);
	if (n > 0)
		qsort(ev, (size_t)n, sizeof(ev[0]), cmp_ev);
	for (int i = 0; i < n; i++)
		printf("  data %llu events %#x\n", (unsigned long long)ev[i].data.u64,
		       ev[i].events);
}

static void epolls(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), p[2], s[2], d;
	struct epoll_event ev = { .events = EPOLLIN };
	struct epoll_event out[1];

	show("epoll_create1 ok", ep >= 0);
	show("F_GETFD", fcntl(ep, F_GETFD));
	show("epoll_create(0)", epoll_create(0));
	show("epoll_create1 bad flag", epoll_create1(1));
	pipe(p);
	socketpair(AF_UNIX, SOCK_STREAM, 0, s);
	ev.data.u64 = 10;
	show("add pipe rd", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	show("add again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	show("add itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
	show("add bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev));
	show("ctl on a non-epoll fd", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev));
	show("mod unknown", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev));
	show("del unknown", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
	ev.data.u64 = 20;
	ev.events = EPOLLIN | EPOLLOUT;
	show("add socket", epoll_ctl(ep, EPOLL_CTL_ADD, s[0], &ev));
	wait_show(ep, "wait: socket writable", 0);
	ev.events = EPOLLIN;
	show("mod socket to EPOLLIN", epoll_ctl(ep, EPOLL_CTL_MOD, s[0], &ev));
	wait_show(ep, "wait: nothing", 0);
	write(p[1], "z", 1);
	write(s[1], "zz", 2);
	wait_show(ep, "wait: both readable", -1);
	show("wait maxevents 0", epoll_wait(ep, out, 0, 0));
	show("wait maxevents 1", epoll_wait(ep, out, 1, 0));
	show("wait maxevents 1 again", epoll_wait(ep, out, 1, 0));
	show("  rotates", out[0].data.u64 == 10 || out[0].data.u64 == 20);
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 30;
	d = dup(p[0]);
	show("add dup of pipe oneshot", epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev));
	show("del socket", epoll_ctl(ep, EPOLL_CTL_DEL, s[0], NULL));
	wait_show(ep, "wait: pipe twice", 0);
	wait_show(ep, "wait: oneshot gone", 0);
	show("mod rearms", epoll_ctl(ep, EPOLL_CTL_MOD, d, &ev));
	wait_show(ep, "wait: rearmed", 0);
	close(p[0]);
	wait_show(ep, "wait: fd closed, dup keeps it", 0);
	close(d);
	wait_show(ep, "wait: all fds closed", 0);
	show("del closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL));
	{ struct pollfd pf = { ep, POLLIN, 0 }; show("poll the epoll fd", poll(&pf, 1, 0)); }
	ev.data.u64 = 40;
	show("add stdout (host) EPOLLOUT", epoll_ctl(ep, EPOLL_CTL_ADD, 1, &(struct epoll_event){ EPOLLOUT, { .u64 = 40 } }));
	wait_show(ep, "wait: stdout", 0);
	show("add stdin (host)", epoll_ctl(ep, EPOLL_CTL_ADD, 0, &(struct epoll_event){ EPOLLIN, { .u64 = 41 } }));
	close(p[1]); close(s[0]); close(s[1]); close(ep);
}

/* EPOLLET: reported when data arrives, not again until more does; a
 * partial read or a read of an eventfd wakes no EPOLLIN entry. */
static void edges(void)
{
	int ep = epoll_create1(0), p[2], e = eventfd(0, EFD_NONBLOCK);
	uint64_t v = 1;
	char c;

	pipe(p);
	show("add pipe EPOLLIN|EPOLLET", epoll_ctl(ep, EPOLL_CTL_ADD, p[0],
		&(struct epoll_event){ EPOLLIN | EPOLLET, { .u64 = 1 } }));
	show("add eventfd EPOLLIN|EPOLLET", epoll_ctl(ep, EPOLL_CTL_ADD, e,
		&(struct epoll_event){ EPOLLIN | EPOLLET, { .u64 = 2 } }));
	wait_show(ep, "ET: nothing yet", 0);
	write(p[1], "ab", 2);
	wait_show(ep, "ET: pipe data arrived", 0);
	wait_show(ep, "ET: no new data", 0);
	read(p[0], &c, 1);
	wait_show(ep, "ET: partial read wakes nothing", 0);
	write(p[1], "c", 1);
	wait_show(ep, "ET: more data fires again", 0);
	show("mod pipe (rearms)", epoll_ctl(ep, EPOLL_CTL_MOD, p[0],
		&(struct epoll_event){ EPOLLIN | EPOLLET, { .u64 = 3 } }));
	wait_show(ep, "ET: after mod", 0);
	write(e, &v, 8);
	write(e, &v, 8);
	wait_show(ep, "ET: eventfd written twice", -1);
	read(e, &v, 8);
	wait_show(ep, "ET: eventfd read wakes nothing", 0);
	close(p[1]);
	wait_show(ep, "ET: writer closed fires (HUP)", 0);
	close(p[0]); close(e); close(ep);
}

int main(void)
{
	guest_close_inherited();
	setvbuf(stdout, NULL, _IONBF, 0);
	polls();
	selects();
	epolls();
	edges();
	return 0;
}
