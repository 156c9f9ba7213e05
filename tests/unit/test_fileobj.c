/* tests/unit/test_fileobj.c — the kernel-internal I/O objects: pipes
 * (data, end of file, EPIPE, Linux's page accounting, atomic writes, a
 * blocked big write resumed on retry, reader/writer counts following
 * struct file references through fd tables), socket pairs (both
 * directions, message boundaries, shutdown, closing one end), eventfd
 * counters, epoll sets (entries gone with their file, one-shot and
 * edge-triggered entries), readiness, the
 * SYS_BLOCK/EAGAIN choice, and checkpoint copies (file_remap) that share
 * one object between the two ends and are independent of the original. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "core/epoll.h"
#include "core/fileobj.h"
#include "core/pipebuf.h"
#include "core/syscall.h"
#include "core/task.h"

static const struct obj_io io1 = { 1, false };

static long rd(struct file *f, void *buf, size_t n)
{
	return f->ops->read(f, &io1, buf, n);
}

static long wr(struct file *f, const void *buf, size_t n)
{
	return f->ops->write(f, &io1, buf, n);
}

/* Hold F as an fd table would; drop it as close() does. */
static struct file *held(struct file *f)
{
	file_get(f);
	return f;
}

static void drop(struct file *f)
{
	if (file_put(f))
		file_free(f);
}

static void test_pipe_data_and_eof(void **state)
{
	struct file *r, *w;
	char buf[16] = { 0 };

	assert_int_equal(pipe_new(0, &r, &w), 0);
	held(r), held(w);
	assert_int_equal(r->flags, O_RDONLY);
	assert_int_equal(w->flags, O_WRONLY);
	assert_int_equal(rd(r, buf, 4), -EAGAIN); /* empty, writer open */
	assert_int_equal(fileobj_poll(r), 0);
	assert_int_equal(fileobj_poll(w), POLLOUT);
	assert_int_equal(wr(w, "abcdef", 6), 6);
	assert_int_equal(fileobj_poll(r), POLLIN);
	assert_int_equal(r->ops->nread(r), 6);
	assert_int_equal(rd(r, buf, 4), 4);
	assert_memory_equal(buf, "abcd", 4);
	drop(w); /* last writer: the rest, then end of file */
	assert_int_equal(fileobj_poll(r), POLLIN | POLLHUP);
	assert_int_equal(rd(r, buf, 16), 2);
	assert_memory_equal(buf, "ef", 2);
	assert_int_equal(rd(r, buf, 16), 0);
	drop(r);
}

static void test_pipe_epipe(void **state)
{
	struct file *r, *w;

	assert_int_equal(pipe_new(O_NONBLOCK, &r, &w), 0);
	held(r), held(w);
	assert_int_equal(w->flags, O_WRONLY | O_NONBLOCK);
	drop(r);
	assert_int_equal(wr(w, "x", 1), -EPIPE);
	assert_int_equal(fileobj_poll(w), POLLOUT | POLLERR);
	drop(w);
}

static void test_pipe_pages(void **state)
{
	struct file *r, *w;
	static char big[PIPE_CAPACITY + 8192 + 10];
	char buf[4096];
	int writes = 0;

	assert_int_equal(pipe_new(O_NONBLOCK, &r, &w), 0);
	held(r), held(w);
	for (int i = 0; i < 100; i++) /* 100 one-byte writes share a page */
		assert_int_equal(wr(w, "y", 1), 1);
	/* its first 10 bytes (size % 4096) top up that page, then 15 pages */
	assert_int_equal(wr(w, big, sizeof(big)), 10 + PIPE_CAPACITY - 4096);
	assert_int_equal(wr(w, "z", 1), -EAGAIN);
	assert_int_equal(fileobj_poll(w), 0);
	/* reading less than a page frees no slot: still full */
	assert_int_equal(rd(r, buf, 100), 100);
	assert_int_equal(wr(w, "z", 1), -EAGAIN);
	assert_int_equal(rd(r, buf, 4096), 4096);
	assert_int_equal(fileobj_poll(w), POLLOUT);
	/* atomic: 4096 bytes fit in the free slot, 4097 would need two */
	assert_int_equal(wr(w, big, 4097), 4096);
	assert_int_equal(wr(w, big, 100), -EAGAIN);
	while (rd(r, buf, sizeof(buf)) > 0)
		writes++;
	assert_int_equal(writes, 16);
	drop(r);
	drop(w);
}

static void test_pipe_blocked_big_write_resumes(void **state)
{
	struct file *r, *w;
	static uint8_t big[PIPE_CAPACITY + 10000], got[sizeof(big)];
	struct obj_io first = { 7, false }, again = { 7, true };
	size_t n = 0;
	long k;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + i / 251);
	assert_int_equal(pipe_new(0, &r, &w), 0);
	held(r), held(w);
	/* blocking: fills the pipe, then would block with progress kept */
	assert_int_equal(w->ops->write(w, &first, big, sizeof(big)), -EAGAIN);
	assert_int_equal(rd(r, got, 10000), 10000);
	n = 10000;
	/* another task's small write goes between (allowed for > PIPE_BUF) */
	assert_int_equal(w->ops->write(w, &(struct obj_io){ 8, false }, "Q", 1), 1);
	k = w->ops->write(w, &again, big, sizeof(big));
	assert_int_equal(k, -EAGAIN); /* one more page went in, not all */
	while ((k = rd(r, got + n, sizeof(got) - n)) > 0)
		n += (size_t)k;
	assert_int_equal(w->ops->write(w, &again, big, sizeof(big)), sizeof(big));
	while ((k = rd(r, got + n, sizeof(got) - n)) > 0)
		n += (size_t)k;
	assert_int_equal(n, sizeof(big)); /* the 'Q' took one byte of got */
	assert_memory_equal(got, big, PIPE_CAPACITY);
	assert_int_equal(got[PIPE_CAPACITY], 'Q');
	assert_memory_equal(got + PIPE_CAPACITY + 1, big + PIPE_CAPACITY,
			    sizeof(big) - PIPE_CAPACITY - 1);
	/* a fresh call (not a retry) never inherits stale progress */
	assert_int_equal(w->ops->write(w, &first, "ab", 2), 2);
	drop(r);
	drop(w);
}

static void test_pipe_counts_follow_refs(void **state)
{
	struct fdtable *ft = fdtable_new();
	struct file *r, *w;
	char c;

	assert_int_equal(pipe_new(0, &r, &w), 0);
	assert_int_equal(fd_install(ft, r, 0, false), 0);
	assert_int_equal(fd_install(ft, w, 0, false), 1);
	assert_int_equal(fd_install(ft, w, 0, false), 2); /* dup */
	drop(fd_remove(ft, 1));
	assert_int_equal(rd(r, &c, 1), -EAGAIN); /* fd 2 still writes */
	drop(fd_remove(ft, 2));
	assert_int_equal(rd(r, &c, 1), 0);
	fdtable_free(ft); /* frees the read end and the pipe */
}

static void test_blocking_choice(void **state)
{
	struct task t = { .tid = 3 };
	struct file *r, *w;
	char c;

	assert_int_equal(pipe_new(0, &r, &w), 0);
	held(r), held(w);
	assert_int_equal(fileobj_read(&t, r, &c, 1), SYS_BLOCK);
	r->flags |= O_NONBLOCK; /* F_SETFL */
	assert_int_equal(fileobj_read(&t, r, &c, 1), -EAGAIN);
	assert_int_equal(fileobj_write(&t, r, "x", 1), -EINVAL);
	assert_int_equal(fileobj_read(&t, w, &c, 1), -EINVAL);
	drop(r);
	drop(w);
}

static void test_socketpair_stream(void **state)
{
	struct file *s[2];
	char buf[16];

	assert_int_equal(unixsock_pair(SOCK_STREAM, 0, s), 0);
	held(s[0]), held(s[1]);
	assert_int_equal(s[0]->flags, O_RDWR);
	assert_int_equal(wr(s[0], "to1", 3), 3);
	assert_int_equal(wr(s[1], "to0!", 4), 4);
	assert_int_equal(rd(s[1], buf, 16), 3);
	assert_memory_equal(buf, "to1", 3);
	assert_int_equal(rd(s[0], buf, 16), 4);
	assert_memory_equal(buf, "to0!", 4);
	assert_int_equal(rd(s[0], buf, 16), -EAGAIN);
	assert_int_equal(s[0]->ops->shutdown(s[0], SHUT_WR), 0);
	assert_int_equal(wr(s[0], "x", 1), -EPIPE);
	assert_int_equal(rd(s[1], buf, 16), 0); /* the peer sees EOF */
	assert_true(fileobj_poll(s[1]) & POLLRDHUP);
	assert_int_equal(wr(s[1], "y", 1), 1); /* the other way still works */
	assert_int_equal(rd(s[0], buf, 16), 1);
	drop(s[1]);
	assert_int_equal(rd(s[0], buf, 16), 0);
	assert_int_equal(fileobj_poll(s[0]) & POLLHUP, POLLHUP);
	drop(s[0]);
}

static void test_socketpair_dgram(void **state)
{
	struct file *s[2];
	char buf[16];

	assert_int_equal(unixsock_pair(SOCK_DGRAM, O_NONBLOCK, s), 0);
	held(s[0]), held(s[1]);
	assert_int_equal(wr(s[0], "hello", 5), 5);
	assert_int_equal(wr(s[0], "", 0), 0);
	assert_int_equal(wr(s[0], "xy", 2), 2);
	assert_int_equal(s[1]->ops->nread(s[1]), 5);
	assert_int_equal(rd(s[1], buf, 3), 3); /* the rest is dropped */
	assert_memory_equal(buf, "hel", 3);
	assert_int_equal(rd(s[1], buf, 16), 0); /* the empty datagram */
	assert_int_equal(rd(s[1], buf, 16), 2);
	assert_int_equal(rd(s[1], buf, 16), -EAGAIN);
	/* no mirrored shutdown on datagrams, but the receiver is checked */
	assert_int_equal(s[1]->ops->shutdown(s[1], SHUT_RD), 0);
	assert_int_equal(wr(s[0], "z", 1), -EPIPE);
	assert_int_equal(wr(s[1], "z", 1), 1);
	drop(s[1]);
	assert_int_equal(wr(s[0], "z", 1), -ECONNREFUSED);
	assert_int_equal(wr(s[0], "z", 1), -ENOTCONN);
	drop(s[0]);
	assert_int_equal(unixsock_pair(SOCK_RAW, 0, s), -EINVAL);
}

static void test_send_recv(void **state)
{
	struct task t = { .tid = 3 };
	struct file *s[2], *r, *w;
	char buf[8];

	assert_int_equal(unixsock_pair(SOCK_STREAM, 0, s), 0);
	assert_int_equal(pipe_new(0, &r, &w), 0);
	held(s[0]), held(s[1]), held(r), held(w);
	assert_int_equal(fileobj_recv(&t, s[0], buf, 8, 0), SYS_BLOCK);
	assert_int_equal(fileobj_recv(&t, s[0], buf, 8, MSG_DONTWAIT), -EAGAIN);
	assert_int_equal(fileobj_recv(&t, s[0], buf, 8, MSG_PEEK), -EOPNOTSUPP);
	assert_int_equal(fileobj_send(&t, s[1], "hi", 2, MSG_DONTWAIT), 2);
	assert_int_equal(fileobj_recv(&t, s[0], buf, 8, 0), 2);
	assert_int_equal(fileobj_send(&t, w, "x", 1, 0), -ENOTSOCK);
	assert_int_equal(fileobj_recv(&t, r, buf, 1, 0), -ENOTSOCK);
	drop(s[0]);
	/* no SIGPIPE asked: t has no platform task to signal */
	assert_int_equal(fileobj_send(&t, s[1], "x", 1, MSG_NOSIGNAL), -EPIPE);
	drop(s[1]);
	drop(r);
	drop(w);
}

static void test_eventfd(void **state)
{
	struct file *e;
	uint64_t v = 0;

	assert_int_equal(eventfd_new(2, true, O_NONBLOCK, &e), 0);
	held(e);
	assert_int_equal(fileobj_poll(e), POLLIN | POLLOUT);
	assert_int_equal(rd(e, &v, 8), 8);
	assert_int_equal(v, 1);
	assert_int_equal(rd(e, &v, 8), 8);
	assert_int_equal(rd(e, &v, 8), -EAGAIN);
	assert_int_equal(fileobj_poll(e), POLLOUT);
	assert_int_equal(rd(e, &v, 7), -EINVAL);
	v = 0xfffffffffffffffeull;
	assert_int_equal(wr(e, &v, 8), 8);
	assert_int_equal(fileobj_poll(e), POLLIN);
	v = 1;
	assert_int_equal(wr(e, &v, 8), -EAGAIN);
	v = UINT64_MAX;
	assert_int_equal(wr(e, &v, 8), -EINVAL);
	drop(e);
}

static void test_epoll_entries(void **state)
{
	struct file *ep, *r, *w;
	struct ready_q q[2];
	struct epoll_report rep[2];

	assert_int_equal(epoll_new(&ep), 0);
	assert_int_equal(pipe_new(0, &r, &w), 0);
	held(ep), held(r), held(w);
	assert_true(file_is_epoll(ep));
	assert_false(file_is_epoll(r));
	assert_int_equal(epoll_ctl_op(ep, EPOLL_CTL_ADD, 3, r, EPOLLIN, 33), 0);
	assert_int_equal(epoll_ctl_op(ep, EPOLL_CTL_ADD, 3, r, EPOLLIN, 33), -EEXIST);
	assert_int_equal(epoll_ctl_op(ep, EPOLL_CTL_ADD, 5, ep, EPOLLIN, 0), -EINVAL);
	assert_int_equal(epoll_ctl_op(ep, EPOLL_CTL_ADD, 4, w,
				      EPOLLOUT | EPOLLONESHOT, 44), 0);
	assert_int_equal(epoll_active(ep), 2);
	epoll_query(ep, q);
	q[0].revents = 0;               /* as ready_scan would answer */
	q[1].revents = POLLOUT;
	assert_int_equal(epoll_collect(ep, q, 2, rep, 2), 1);
	assert_int_equal(rep[0].data, 44);
	assert_int_equal(epoll_active(ep), 1); /* one-shot: disabled */
	assert_int_equal(fileobj_poll(ep), 0);
	assert_int_equal(wr(w, "x", 1), 1);
	assert_int_equal(fileobj_poll(ep), POLLIN);
	drop(r); /* the last reference: the entry goes with it */
	assert_int_equal(epoll_active(ep), 0);
	assert_int_equal(epoll_ctl_op(ep, EPOLL_CTL_MOD, 4, w, EPOLLOUT, 45), 0);
	assert_int_equal(epoll_active(ep), 1);
	drop(ep); /* the set first, then its watched file */
	assert_null(w->watch);
	drop(w);
}

/* One epoll_wait over EP's entries, as sys_epoll.c does it. */
static size_t wait_once(struct file *ep, struct epoll_report *rep)
{
	struct ready_q q[4];
	size_t n = epoll_active(ep);

	assert_true(n <= 4);
	epoll_query(ep, q);
	for (size_t i = 0; i < n; i++)
		q[i].revents = fileobj_poll(q[i].f) & (q[i].events | POLLHUP | POLLERR);
	return epoll_collect(ep, q, n, rep, 4);
}

static void test_epoll_edge_triggered(void **state)
{
	struct file *ep, *r, *w;
	struct epoll_report rep[4];
	char c;

	assert_int_equal(epoll_new(&ep), 0);
	assert_int_equal(pipe_new(0, &r, &w), 0);
	held(ep), held(r), held(w);
	assert_int_equal(epoll_ctl_op(ep, EPOLL_CTL_ADD, 3, r, EPOLLIN | EPOLLET, 1), 0);
	assert_int_equal(epoll_ctl_op(ep, EPOLL_CTL_ADD, 4, w, EPOLLOUT | EPOLLET, 2), 0);
	assert_int_equal(wait_once(ep, rep), 1); /* writable at first */
	assert_int_equal(rep[0].data, 2);
	assert_int_equal(wait_once(ep, rep), 0);
	assert_int_equal(wr(w, "ab", 2), 2);
	assert_int_equal(wait_once(ep, rep), 1); /* data in: only the reader */
	assert_int_equal(rep[0].data, 1);
	assert_int_equal(wait_once(ep, rep), 0); /* still readable: no edge */
	assert_int_equal(rd(r, &c, 1), 1);
	assert_int_equal(wait_once(ep, rep), 1); /* a read wakes the writer */
	assert_int_equal(rep[0].data, 2);
	/* level-triggered entries report while ready */
	assert_int_equal(epoll_ctl_op(ep, EPOLL_CTL_MOD, 3, r, EPOLLIN, 5), 0);
	assert_int_equal(wait_once(ep, rep), 1);
	assert_int_equal(wait_once(ep, rep), 1);
	drop(r);
	drop(w);
	drop(ep);
}

static void test_clone_shares_and_separates(void **state)
{
	struct fdtable *ft = fdtable_new(), *copy;
	struct file_remap *m = file_remap_new();
	struct file *r, *w, *ep, *cr, *cw, *cep;
	char buf[8] = { 0 };

	assert_int_equal(pipe_new(0, &r, &w), 0);
	assert_int_equal(epoll_new(&ep), 0);
	fd_install(ft, r, 0, false);
	fd_install(ft, w, 0, true);
	fd_install(ft, ep, 0, false);
	assert_int_equal(epoll_ctl_op(ep, EPOLL_CTL_ADD, 0, r, EPOLLIN, 9), 0);
	assert_int_equal(wr(w, "old", 3), 3);
	copy = fdtable_clone(ft, m);
	file_remap_free(m);
	assert_non_null(copy);
	cr = fd_get(copy, 0), cw = fd_get(copy, 1), cep = fd_get(copy, 2);
	assert_ptr_not_equal(cr, r);
	assert_ptr_not_equal(cr->obj, r->obj);
	assert_int_equal(fd_get_cloexec(copy, 1), 1);
	/* the copy's two ends share one copied pipe, with the same bytes */
	assert_int_equal(wr(cw, "new", 3), 3);
	assert_int_equal(rd(cr, buf, 8), 6);
	assert_memory_equal(buf, "oldnew", 6);
	assert_int_equal(rd(r, buf, 8), 3); /* the original is untouched */
	assert_memory_equal(buf, "old", 3);
	/* the copied epoll set watches the copied read end */
	assert_int_equal(epoll_active(cep), 1);
	assert_non_null(cr->watch);
	drop(fd_remove(copy, 0));
	assert_int_equal(epoll_active(cep), 0);
	assert_int_equal(epoll_active(ep), 1);
	fdtable_drop(copy);
	fdtable_free(ft);
}

static void test_pipe_packets(void **state)
{
	struct file *r, *w;
	static char big[5000];
	char buf[8192];

	assert_int_equal(pipe_new(O_DIRECT, &r, &w), 0);
	held(r), held(w);
	assert_int_equal(w->flags, O_WRONLY | O_DIRECT);
	assert_int_equal(wr(w, "abc", 3), 3);
	assert_int_equal(wr(w, "de", 2), 2); /* no topping up: a packet */
	assert_int_equal(rd(r, buf, 100), 3);
	assert_int_equal(wr(w, "fgh", 3), 3);
	assert_int_equal(rd(r, buf, 1), 1); /* the "e" is lost */
	assert_int_equal(buf[0], 'd');
	assert_int_equal(rd(r, buf, 100), 3);
	assert_int_equal(wr(w, big, sizeof(big)), sizeof(big));
	assert_int_equal(rd(r, buf, sizeof(buf)), 4096);
	assert_int_equal(rd(r, buf, sizeof(buf)), sizeof(big) - 4096);
	drop(r);
	drop(w);
}

static void test_pipebuf_copy(void **state)
{
	struct pipebuf a, b;
	char buf[8];

	pipebuf_init(&a, 2 * PIPEBUF_PAGE);
	assert_int_equal(pipebuf_write(&a, &io1, "abc", 3, PB_NONBLOCK), 3);
	assert_int_equal(pipebuf_copy(&b, &a), 0);
	assert_int_equal(pipebuf_read(&a, buf, 8), 3);
	assert_int_equal(b.len, 3);
	assert_int_equal(pipebuf_read(&b, buf, 2), 2);
	assert_memory_equal(buf, "ab", 2);
	pipebuf_free(&a);
	pipebuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe_data_and_eof),
		cmocka_unit_test(test_pipe_epipe),
		cmocka_unit_test(test_pipe_pages),
		cmocka_unit_test(test_pipe_blocked_big_write_resumes),
		cmocka_unit_test(test_pipe_counts_follow_refs),
		cmocka_unit_test(test_blocking_choice),
		cmocka_unit_test(test_socketpair_stream),
		cmocka_unit_test(test_socketpair_dgram),
		cmocka_unit_test(test_send_recv),
		cmocka_unit_test(test_eventfd),
		cmocka_unit_test(test_epoll_entries),
		cmocka_unit_test(test_epoll_edge_triggered),
		cmocka_unit_test(test_clone_shares_and_separates),
		cmocka_unit_test(test_pipe_packets),
		cmocka_unit_test(test_pipebuf_copy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
