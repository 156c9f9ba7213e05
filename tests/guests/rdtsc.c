/* tests/guests/rdtsc.c — nondeterminism source: the time-stamp counter,
 * read with rdtsc and rdtscp (inline asm, so no libc is involved). */
#include <stdint.h>
#include <stdio.h>

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t rdtscp(uint32_t *aux)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(*aux));
	return (uint64_t)hi << 32 | lo;
}

int main(void)
{
	uint32_t aux;
	uint64_t a = rdtsc();
	uint64_t b = rdtscp(&aux);
	uint64_t c = rdtsc();

	printf("rdtsc %llu\n", (unsigned long long)a);
	printf("rdtscp %llu aux %u\n", (unsigned long long)b, aux);
	printf("rdtsc %llu\n", (unsigned long long)c);
	printf("increasing: %s\n", a <= b && b <= c ? "yes" : "no");
	return 0;
}
