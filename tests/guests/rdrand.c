/* tests/guests/rdrand.c — nondeterminism source: the rdrand and rdseed
 * instructions, after checking cpuid that they exist. Prints "no rdrand"
 * when the (possibly virtual) CPU does not offer it. */
#include <stdint.h>
#include <stdio.h>

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static int rdrand64(uint64_t *v)
{
	unsigned char ok;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

static int rdseed64(uint64_t *v)
{
	unsigned char ok;

	__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

int main(void)
{
	uint32_t r[4];
	uint64_t v = 0;
	int ok;

	cpuid(1, 0, r);
	if (!(r[2] & (1u << 30))) {
		printf("no rdrand\n");
		return 0;
	}
	for (int i = 0; i < 3; i++) {
		for (int tries = 0; tries < 10 && !(ok = rdrand64(&v)); tries++)
			;
		printf("rdrand %d %016llx\n", ok, (unsigned long long)v);
	}
	cpuid(0, 0, r);
	if (r[0] >= 7) {
		cpuid(7, 0, r);
		if (r[1] & (1u << 18)) {
			for (int tries = 0; tries < 10 && !(ok = rdseed64(&v)); tries++)
				;
			printf("rdseed %d %016llx\n", ok, (unsigned long long)v);
		}
	}
	return 0;
}
