/* bench/compute.c — compute-heavy workload: a few seconds of hashing in
 * registers and a small table, with no syscalls until the final print.
 * argv[1] scales the work (default 1). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long scale = argc > 1 ? atol(argv[1]) : 1;
	static uint64_t table[4096];
	uint64_t h = 0x9e3779b97f4a7c15ull;

	for (long round = 0; round < 2200L * scale; round++) {
		for (uint32_t i = 0; i < 4096 * 64; i++) {
			uint64_t *slot = &table[(h >> 20) & 4095];

			h ^= *slot + i;
			h *= 0xff51afd7ed558ccdull;
			h ^= h >> 33;
			*slot += h;
		}
	}
	printf("hash %016llx\n", (unsigned long long)h);
	return 0;
}
