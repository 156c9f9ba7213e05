/* tests/guests/urandom.c — nondeterminism source: reading /dev/urandom
 * with open + read, in two reads of different sizes. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "guest.h"

int main(void)
{
	unsigned char a[16], b[1000];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n, m;

	if (fd < 0) {
		perror("open /dev/urandom");
		return 1;
	}
	n = read(fd, a, sizeof(a));
	m = read(fd, b, sizeof(b));
	close(fd);
	printf("read %zd and %zd bytes\n", n, m);
	guest_hex("first ", a, sizeof(a));
	printf("hash of second %016llx\n",
	       (unsigned long long)guest_hash(b, sizeof(b), 0));
	return 0;
}
