/* tests/unit/test_timerfd.c — timerfd objects (core/timerfd.c) driven by
 * hand-made guest times: expirations counted by ops->deadline (one shot,
 * intervals, missed intervals), the 8-byte read that takes the count,
 * readiness and EPOLLET wake-ups, what gettime reports, rearming and
 * disarming, no clock reading while disarmed, epoll sets bringing their
 * entries to the present, and checkpoint copies independent of the
 * original. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <cmocka.h>

#include "core/epoll.h"
#include "core/fileobj.h"
#include "core/timerfd.h"

#define MS 1000000ULL

static const struct obj_io io1 = { 1, false };

static struct file *new_timer(int flags)
{
	struct file *f = NULL;

	assert_int_equal(timerfd_new(CLOCK_MONOTONIC, flags, &f), 0);
	file_get(f);
	return f;
}

static void drop(struct file *f)
{
	if (file_put(f))
		file_free(f);
}

/* ops->deadline at the guest time NOW. */
static uint64_t tick(struct file *f, uint64_t now)
{
	return f->ops->deadline(f, &(struct obj_clock){ .known = true,
						      .now = now });
}

/* The count a read returns at guest time NOW, or -errno. */
static long read_at(struct file *f, uint64_t now)
{
	uint64_t n = 0;
	long r;

	tick(f, now);
	r = f->ops->read(f, &io1, &n, sizeof(n));
	return r < 0 ? r : (long)n;
}

static void test_one_shot(void **state)
{
	struct file *f = new_timer(O_NONBLOCK);
	char small[7];

	(void)state;
	assert_true(file_is_timerfd(f));
	assert_int_equal(f->flags, O_RDWR | O_NONBLOCK);
	assert_int_equal(tick(f, 100 * MS), 0); /* disarmed */
	assert_int_equal(read_at(f, 100 * MS), -EAGAIN);
	timerfd_set(f, 150 * MS, 0);
	assert_int_equal(tick(f, 149 * MS), 150 * MS);
	assert_int_equal(f->ops->poll(f), 0);
	assert_int_equal(tick(f, 150 * MS), 0); /* fired, done */
	assert_int_equal(f->ops->poll(f), POLLIN);
	assert_int_equal(f->ops->read(f, &io1, small, sizeof(small)), -EINVAL);
	assert_int_equal(read_at(f, 500 * MS), 1);
	assert_int_equal(f->ops->poll(f), 0);
	assert_int_equal(read_at(f, 900 * MS), -EAGAIN);
	drop(f);
}

static void test_interval_counts(void **state)
{
	struct file *f = new_timer(0);
	uint64_t g0 = f->ops->gen(f, POLLIN);

	(void)state;
	timerfd_set(f, 10 * MS, 10 * MS);
	assert_int_equal(read_at(f, 10 * MS), 1);
	assert_int_equal(tick(f, 10 * MS), 20 * MS);
	/* 20, 30, 40 and 50 are due at 55: four at once, next at 60 */
	assert_int_equal(tick(f, 55 * MS), 60 * MS);
	assert_int_equal(read_at(f, 55 * MS), 4);
	assert_int_equal(read_at(f, 59 * MS), -EAGAIN);
	assert_true(f->ops->gen(f, POLLIN) > g0 + 1); /* EPOLLET fires again */
	assert_int_equal(f->ops->gen(f, POLLOUT), 0);
	drop(f);
}

static void test_get_and_set(void **state)
{
	struct file *f = new_timer(0);
	struct timerfd_spec s;

	(void)state;
	timerfd_set(f, 1000 * MS, 10 * MS);
	s = timerfd_get(f, 400 * MS);
	assert_int_equal(s.value, 600 * MS);
	assert_int_equal(s.interval, 10 * MS);
	/* gettime counts what expired, as a read would see it */
	s = timerfd_get(f, 1025 * MS);
	assert_int_equal(s.value, 5 * MS);
	assert_int_equal(f->ops->poll(f), POLLIN);
	/* rearming drops the pending expirations */
	timerfd_set(f, 2000 * MS, 0);
	assert_int_equal(f->ops->poll(f), 0);
	assert_int_equal(read_at(f, 1500 * MS), -EAGAIN);
	/* disarmed: no time left; the interval stays as Linux reports it */
	timerfd_set(f, 0, 7 * MS);
	s = timerfd_get(f, 3000 * MS);
	assert_int_equal(s.value, 0);
	assert_int_equal(s.interval, 7 * MS);
	assert_int_equal(read_at(f, 9000 * MS), -EAGAIN);
	/* a one-shot timer that expired reads as disarmed */
	timerfd_set(f, 9100 * MS, 0);
	assert_int_equal(timerfd_get(f, 9200 * MS).value, 0);
	assert_int_equal(read_at(f, 9200 * MS), 1);
	drop(f);
}

/* Only an armed timer asks for the time; an epoll set brings its
 * entries to the present and reports the earliest deadline. */
static void test_clock_and_epoll(void **state)
{
	struct file *a = new_timer(0), *b = new_timer(0), *ep;
	struct obj_clock unread = { 0 };

	(void)state;
	assert_int_equal(a->ops->deadline(a, &unread), 0);
	assert_false(unread.known);
	assert_int_equal(epoll_new(&ep), 0);
	file_get(ep);
	assert_int_equal(epoll_ctl_op(ep, EPOLL_CTL_ADD, 3, a, EPOLLIN, 1), 0);
	assert_int_equal(epoll_ctl_op(ep, EPOLL_CTL_ADD, 4, b, EPOLLIN, 2), 0);
	timerfd_set(a, 30 * MS, 0);
	timerfd_set(b, 20 * MS, 0);
	assert_int_equal(tick(ep, 10 * MS), 20 * MS);
	assert_int_equal(ep->ops->poll(ep), 0);
	assert_int_equal(tick(ep, 25 * MS), 30 * MS); /* b fired */
	assert_int_equal(ep->ops->poll(ep), POLLIN);
	assert_int_equal(read_at(b, 25 * MS), 1);
	assert_int_equal(ep->ops->poll(ep), 0);
	assert_int_equal(tick(ep, 30 * MS), 0);
	assert_int_equal(ep->ops->poll(ep), POLLIN);
	drop(ep);
	drop(a);
	drop(b);
}

static void test_clone_is_independent(void **state)
{
	struct fdtable *ft = fdtable_new(), *copy;
	struct file_remap *m = file_remap_new();
	struct file *f, *c;

	(void)state;
	assert_int_equal(timerfd_new(CLOCK_REALTIME, O_NONBLOCK, &f), 0);
	fd_install(ft, f, 0, false);
	timerfd_set(f, 10 * MS, 10 * MS);
	tick(f, 25 * MS); /* two pending */
	copy = fdtable_clone(ft, m);
	file_remap_free(m);
	assert_non_null(copy);
	c = fd_get(copy, 0);
	assert_ptr_not_equal(c->obj, f->obj);
	assert_true(file_is_timerfd(c));
	assert_int_equal(timerfd_clock(c), CLOCK_REALTIME);
	assert_int_equal(read_at(c, 25 * MS), 2);
	assert_int_equal(read_at(f, 35 * MS), 3); /* the original kept its own */
	assert_int_equal(read_at(c, 35 * MS), 1);
	fdtable_drop(copy);
	fdtable_free(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_shot),
		cmocka_unit_test(test_interval_counts),
		cmocka_unit_test(test_get_and_set),
		cmocka_unit_test(test_clock_and_epoll),
		cmocka_unit_test(test_clone_is_independent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
