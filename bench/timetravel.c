/* bench/timetravel.c — workload for the time-travel benchmarks: one call
 * of marker() at the start, then about 10 000 syscalls (trace events),
 * each followed by a little computation, so that reverse-continue from
 * the end back to marker() crosses the whole recording. */
#include <stdio.h>
#include <unistd.h>

volatile long sink;

__attribute__((noinline)) void marker(void)
{
	sink++;
}

int main(void)
{
	marker();
	for (int i = 0; i < 10000; i++) {
		sink += getppid();
		for (int j = 0; j < 200; j++)
			sink += j * i;
	}
	printf("%ld\n", sink);
	return 0;
}
