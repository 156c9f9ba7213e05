/* bench/mixed.c — mixed workload: checksums the file named by argv[1]
 * (50 MB made by the driver beforehand), reading 64 KiB at a time and
 * doing real work on every byte. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static unsigned char buf[65536];
	uint64_t h = 0xcbf29ce484222325ull, total = 0;
	ssize_t n;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: mixed FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			h ^= buf[i];
			h *= 0x100000001b3ull;
		}
		total += n;
	}
	close(fd);
	printf("%llu bytes, fnv1a %016llx\n", (unsigned long long)total,
	       (unsigned long long)h);
	return 0;
}
