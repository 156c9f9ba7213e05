/* tests/guests/sleep.c — nondeterminism source: time passing across
 * nanosleep, clock_nanosleep (relative and absolute) and sched_yield. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <time.h>

static long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

int main(void)
{
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 }, rem, until;
	long long t0, t1, t2, t3, t4;
	int r;

	t0 = now_us();
	r = nanosleep(&ten_ms, &rem);
	t1 = now_us();
	printf("nanosleep %d elapsed %lld us ok %d\n", r, t1 - t0, t1 - t0 >= 10000);

	r = clock_nanosleep(CLOCK_MONOTONIC, 0, &ten_ms, NULL);
	t2 = now_us();
	printf("clock_nanosleep rel %d elapsed %lld us ok %d\n", r, t2 - t1,
	       t2 - t1 >= 10000);

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += 5 * 1000 * 1000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_nsec -= 1000000000;
		until.tv_sec++;
	}
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
	t3 = now_us();
	printf("clock_nanosleep abs %d elapsed %lld us\n", r, t3 - t2);

	for (int i = 0; i < 10; i++)
		sched_yield();
	t4 = now_us();
	printf("sched_yield x10 %d elapsed %lld us\n", sched_yield(), t4 - t3);
	return 0;
}
