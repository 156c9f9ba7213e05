/* bench/syscalls.c — syscall-heavy workload: reads the file named by
 * argv[1] in 64-byte records and writes each to /dev/null: two small
 * syscalls per record (>= 100k of each for the default input). */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char rec[64];
	unsigned long records = 0, sum = 0;
	int in, out;
	ssize_t n;

	if (argc < 2) {
		fprintf(stderr, "usage: syscalls FILE\n");
		return 2;
	}
	in = open(argv[1], O_RDONLY);
	out = open("/dev/null", O_WRONLY);
	if (in < 0 || out < 0) {
		perror("open");
		return 1;
	}
	while ((n = read(in, rec, sizeof(rec))) > 0) {
		sum += (unsigned char)rec[0];
		if (write(out, rec, n) != n) {
			perror("write");
			return 1;
		}
		records++;
	}
	printf("%lu records, sum %lu\n", records, sum);
	return 0;
}
