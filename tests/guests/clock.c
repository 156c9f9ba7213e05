/* tests/guests/clock.c — nondeterminism source: the clocks
 * (clock_gettime REALTIME and MONOTONIC, gettimeofday, time). Most of
 * these are vDSO calls natively, so deja must intercept them anyway. */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

int main(void)
{
	struct timespec rt, mono, mono2;
	struct timeval tv;
	time_t t;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	gettimeofday(&tv, NULL);
	t = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &mono2);

	printf("realtime %lld.%09ld\n", (long long)rt.tv_sec, rt.tv_nsec);
	printf("monotonic %lld.%09ld\n", (long long)mono.tv_sec, mono.tv_nsec);
	printf("gettimeofday %lld.%06ld\n", (long long)tv.tv_sec, (long)tv.tv_usec);
	printf("time %lld\n", (long long)t);
	printf("monotonic is monotonic: %s\n",
	       (mono2.tv_sec > mono.tv_sec ||
		(mono2.tv_sec == mono.tv_sec && mono2.tv_nsec >= mono.tv_nsec))
	       ? "yes" : "no");
	return 0;
}
