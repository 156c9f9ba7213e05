/* tests/guests/atrandom.c — nondeterminism source: the 16 random bytes
 * the kernel puts in the auxiliary vector (AT_RANDOM). libc derives the
 * stack-protector canary from them; this file is built with
 * -fstack-protector-all so every function checks it. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

#include "guest.h"

static uint64_t canary(void)
{
	uint64_t v;

	/* x86-64 glibc and musl both keep the canary at %fs:0x28. */
	__asm__ volatile("mov %%fs:0x28, %0" : "=r"(v));
	return v;
}

int main(void)
{
	const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
	char buf[64];

	if (!r) {
		printf("no AT_RANDOM\n");
		return 1;
	}
	guest_hex("at_random ", r, 16);
	printf("canary %016llx\n", (unsigned long long)canary());
	/* Exercise a protected frame with a local array. */
	snprintf(buf, sizeof(buf), "%s", "canary intact");
	printf("%s\n", buf);
	return 0;
}
