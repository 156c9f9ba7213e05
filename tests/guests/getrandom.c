/* tests/guests/getrandom.c — nondeterminism source: the getrandom
 * syscall (raw syscall: old musl lacks <sys/random.h>). */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest.h"

int main(void)
{
	unsigned char buf[32], small[4];
	long n = syscall(SYS_getrandom, buf, sizeof(buf), 0);
	long m = syscall(SYS_getrandom, small, sizeof(small), 1 /* GRND_NONBLOCK */);

	printf("getrandom returned %ld\n", n);
	guest_hex("bytes ", buf, sizeof(buf));
	printf("getrandom nonblock returned %ld\n", m);
	guest_hex("bytes ", small, sizeof(small));
	return 0;
}
