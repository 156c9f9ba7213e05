/* tests/guests/timerfd.c — timerfds: create (clocks, flags, errors),
 * settime (relative, TFD_TIMER_ABSTIME on CLOCK_MONOTONIC and
 * CLOCK_REALTIME, intervals, disarm, the old value), gettime, read
 * (blocking once per expiry, EAGAIN, EINVAL), readiness in poll, select,
 * epoll and of an epoll fd in poll (a waiting poll is woken by the
 * expiry, before its timeout), a child blocked on a read while its
 * parent waits. Prints only what does not depend on timing: the same
 * output natively and under deja. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest.h"

#define show guest_show
#define MS 1000000LL

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct itimerspec spec(int64_t value, int64_t interval)
{
	return (struct itimerspec){
		{ interval / 1000000000, interval % 1000000000 },
		{ value / 1000000000, value % 1000000000 } };
}

static int arm(int fd, int flags, int64_t value, int64_t interval)
{
	struct itimerspec s = spec(value, interval);

	return timerfd_settime(fd, flags, &s, NULL);
}

/* read(2) of the 8-byte count: the count, or -1 with errno. */
static long count(int fd)
{
	uint64_t n;
	long r = read(fd, &n, sizeof(n));

	return r < 0 ? r : (long)n;
}

static void creating(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	char small[4];

	show("create bad flags", timerfd_create(CLOCK_MONOTONIC, 0x40));
	show("create bad clock", timerfd_create(99, 0));
	show("create monotonic", fd);
	show("  FD_CLOEXEC", fcntl(fd, F_GETFD) & FD_CLOEXEC);
	show("  O_NONBLOCK", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
	show("read disarmed (EAGAIN)", count(fd));
	show("read 4 bytes (EINVAL)", read(fd, small, sizeof(small)));
	show("write (EINVAL)", write(fd, "12345678", 8));
	show("settime bad fd", arm(99, 0, MS, 0));
	show("settime stdout", arm(1, 0, MS, 0));
	show("settime bad flags", arm(fd, 0x10, MS, 0));
	show("settime bad nsec", timerfd_settime(fd, 0, &(struct itimerspec){
		{ 0, 0 }, { 0, 1000000000 } }, NULL));
	show("gettime bad fd", timerfd_gettime(99, &(struct itimerspec){ 0 }));
	close(fd);
}

static void setting(void)
{
	int fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	struct itimerspec s = spec(5000 * MS, 10 * MS), old, cur;

	show("create realtime", fd);
	show("settime 5s every 10ms", timerfd_settime(fd, 0, &s, NULL));
	show("gettime", timerfd_gettime(fd, &cur));
	show("  value in (4s, 5s]", cur.it_value.tv_sec == 4 ||
	     (cur.it_value.tv_sec == 5 && cur.it_value.tv_nsec == 0));
	show("  interval ms", cur.it_interval.tv_nsec / MS);
	show("read before expiry", count(fd));
	show("poll before expiry", poll(&(struct pollfd){ fd, POLLIN, 0 }, 1, 0));
	show("poll 20ms, timer later", poll(&(struct pollfd){ fd, POLLIN, 0 }, 1, 20));
	s = spec(0, 0);
	show("disarm, old value", timerfd_settime(fd, 0, &s, &old));
	show("  old value in (4s, 5s]", old.it_value.tv_sec == 4 ||
	     (old.it_value.tv_sec == 5 && old.it_value.tv_nsec == 0));
	show("  old interval ms", old.it_interval.tv_nsec / MS);
	show("gettime disarmed", timerfd_gettime(fd, &cur));
	show("  value", cur.it_value.tv_sec + cur.it_value.tv_nsec);
	show("  interval", cur.it_interval.tv_sec + cur.it_interval.tv_nsec);
	close(fd);
}

static void reading(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	int64_t start = now_ns(CLOCK_MONOTONIC);
	struct itimerspec cur;
	long total = 0, reads = 0, bad = 0, n;

	show("create blocking", fd);
	show("settime 10ms every 10ms", arm(fd, 0, 10 * MS, 10 * MS));
	while (total < 3) {
		n = count(fd);
		bad += n < 1;
		total += n < 1 ? 1 : n;
		reads++;
	}
	show("reads with count < 1", bad);
	show("reads <= 3", reads <= 3);
	show("30ms passed", now_ns(CLOCK_MONOTONIC) - start >= 30 * MS);
	show("one shot 20ms", arm(fd, 0, 20 * MS, 0));
	show("read one shot", count(fd));
	show("gettime after it", timerfd_gettime(fd, &cur));
	show("  value", cur.it_value.tv_sec + cur.it_value.tv_nsec);
	show("one shot 1ms, then rearm 5s", arm(fd, 0, MS, 0));
	poll(&(struct pollfd){ fd, POLLIN, 0 }, 1, -1);
	show("  rearm", arm(fd, 0, 5000 * MS, 0));
	fcntl(fd, F_SETFL, O_NONBLOCK);
	show("  read after rearm (EAGAIN)", count(fd));
	close(fd);
}

static void absolute(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	int rt = timerfd_create(CLOCK_REALTIME, 0);
	int bt = timerfd_create(CLOCK_BOOTTIME, 0);
	int64_t start = now_ns(CLOCK_MONOTONIC);

	show("abs monotonic +20ms", arm(fd, TFD_TIMER_ABSTIME,
					now_ns(CLOCK_MONOTONIC) + 20 * MS, 0));
	show("  poll infinite", poll(&(struct pollfd){ fd, POLLIN, 0 }, 1, -1));
	show("  read", count(fd));
	show("  20ms passed", now_ns(CLOCK_MONOTONIC) - start >= 20 * MS);
	show("abs monotonic -2.5s every 1s", arm(fd, TFD_TIMER_ABSTIME,
		now_ns(CLOCK_MONOTONIC) - 2500 * MS, 1000 * MS));
	show("  read (3 missed)", count(fd));
	show("  read again (EAGAIN)", count(fd));
	start = now_ns(CLOCK_MONOTONIC);
	show("abs realtime +20ms", arm(rt, TFD_TIMER_ABSTIME,
				       now_ns(CLOCK_REALTIME) + 20 * MS, 0));
	show("  read", count(rt));
	show("  15ms passed", now_ns(CLOCK_MONOTONIC) - start >= 15 * MS);
	show("abs realtime in the past", arm(rt, TFD_TIMER_ABSTIME,
					     now_ns(CLOCK_REALTIME) - 1000 * MS, 0));
	show("  read", count(rt));
	show("abs realtime 0 (disarm)", arm(rt, TFD_TIMER_ABSTIME, 0, 0));
	show("boottime 10ms", arm(bt, 0, 10 * MS, 0));
	show("  read", count(bt));
	close(fd);
	close(rt);
	close(bt);
}

static void readiness(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	int ep = epoll_create1(0);
	struct epoll_event ev = { EPOLLIN, { .u64 = 42 } }, got[2];
	struct pollfd p = { fd, POLLIN, 0 };
	fd_set r;

	int64_t start = now_ns(CLOCK_MONOTONIC);

	show("poll 10ms timer, timeout 5s", arm(fd, 0, 10 * MS, 0));
	show("  poll", poll(&p, 1, 5000));
	show("  woken before the timeout", now_ns(CLOCK_MONOTONIC) - start < 4000 * MS);
	show("  revents", p.revents);
	show("  read", count(fd));
	show("select 10ms timer, no timeout", arm(fd, 0, 10 * MS, 0));
	FD_ZERO(&r);
	FD_SET(fd, &r);
	show("  select", select(fd + 1, &r, NULL, NULL, NULL));
	show("  isset", FD_ISSET(fd, &r));
	show("  read", count(fd));
	show("epoll_ctl add", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	show("epoll_wait disarmed", epoll_wait(ep, got, 2, 0));
	show("epoll 10ms timer", arm(fd, 0, 10 * MS, 0));
	show("  epoll_wait infinite", epoll_wait(ep, got, 2, -1));
	show("  events", got[0].events);
	show("  data", (long)got[0].data.u64);
	show("  read", count(fd));
	show("  epoll_wait after read", epoll_wait(ep, got, 2, 0));
	start = now_ns(CLOCK_MONOTONIC);
	show("poll the epoll fd, 10ms timer", arm(fd, 0, 10 * MS, 0));
	p.fd = ep;
	show("  poll, timeout 5s", poll(&p, 1, 5000));
	show("  woken before the timeout", now_ns(CLOCK_MONOTONIC) - start < 4000 * MS);
	show("  epoll_wait", epoll_wait(ep, got, 2, 0));
	show("  read", count(fd));
	close(ep);
	close(fd);
}

/* A child blocks in read while the parent waits for it: only the
 * timer's expiry can wake the guest system. */
static void child_reads(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0), status = 0;
	pid_t pid;

	show("child: 20ms timer", arm(fd, 0, 20 * MS, 0));
	pid = fork();
	if (pid == 0)
		_exit((int)count(fd) == 1 ? 7 : 1);
	show("  waitpid", waitpid(pid, &status, 0) == pid);
	show("  child status", WEXITSTATUS(status));
	show("  parent read (EAGAIN: child took it)",
	     (fcntl(fd, F_SETFL, O_NONBLOCK), count(fd)));
	close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	guest_close_inherited();
	creating();
	setting();
	reading();
	absolute();
	readiness();
	child_reads();
	return 0;
}
