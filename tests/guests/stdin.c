/* tests/guests/stdin.c — nondeterminism source: standard input. Reads it
 * all with small reads and prints its length and hash. */
#include <stdio.h>
#include <unistd.h>

#include "guest.h"

int main(void)
{
	char buf[1000];
	uint64_t h = 0;
	size_t total = 0, reads = 0;
	ssize_t n;

	while ((n = read(0, buf, sizeof(buf))) > 0) {
		h = guest_hash(buf, n, h);
		total += n;
		reads++;
	}
	printf("stdin bytes %zu hash %016llx eof %s\n", total,
	       (unsigned long long)h, n == 0 ? "yes" : "error");
	(void)reads; /* how input splits into reads depends on the pipe */
	return 0;
}
