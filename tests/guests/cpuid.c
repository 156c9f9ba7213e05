/* tests/guests/cpuid.c — nondeterminism source: the cpuid instruction
 * (differs between machines; deja records what the recording CPU said). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

int main(void)
{
	uint32_t r[4], brand[12];
	char vendor[13];
	uint32_t max, maxext;

	cpuid(0, 0, r);
	max = r[0];
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = 0;
	printf("max leaf %u vendor %s\n", max, vendor);

	cpuid(1, 0, r);
	/* ebx bits 24..31 are the initial APIC id: which CPU we ran on. */
	printf("leaf1 eax %08x ebx %08x ecx %08x edx %08x\n", r[0], r[1], r[2], r[3]);
	if (max >= 7) {
		cpuid(7, 0, r);
		printf("leaf7 ebx %08x ecx %08x edx %08x\n", r[1], r[2], r[3]);
	}
	cpuid(0x80000000u, 0, r);
	maxext = r[0];
	if (maxext >= 0x80000004u) {
		for (uint32_t i = 0; i < 3; i++)
			cpuid(0x80000002u + i, 0, &brand[i * 4]);
		printf("brand %.48s\n", (char *)brand);
	}
	return 0;
}
