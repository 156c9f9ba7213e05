/* tests/guests/bug.c — the demo's buggy program. It reads up to
 * NSAMPLES numbers from a file with read() and prints their average.
 * The loading loop has an off-by-one (<= instead of <): a ninth number
 * in the input is written one past samples[], into the global 'divisor'
 * right after it. With the bundled input that number is 0, so the
 * average divides by zero and the program dies of SIGFPE; with a
 * non-zero ninth number it just prints a wrong average.
 *
 * Debugging backwards: from the crash in average(), watch stats.divisor
 * and reverse-continue to the single bad write in load_samples(). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NSAMPLES 8

/* One struct so that divisor is laid out right after samples[]. */
static struct {
	long samples[NSAMPLES];
	long divisor; /* how many samples the average is taken over */
} stats = { .divisor = NSAMPLES };

static char text[4096];

static int load_samples(const char *path)
{
	char *p = text;
	ssize_t len;
	int fd = open(path, O_RDONLY), i;

	if (fd < 0) {
		perror(path);
		return -1;
	}
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (len < 0)
		return -1;
	text[len] = 0;
	for (i = 0; i <= NSAMPLES && *p; i++) { /* BUG: should be i < NSAMPLES */
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		stats.samples[i] = v;
		p = end;
	}
	return i;
}

static long average(void)
{
	long sum = 0;

	for (int i = 0; i < NSAMPLES; i++)
		sum += stats.samples[i];
	return sum / stats.divisor;
}

int main(int argc, char **argv)
{
	int n = load_samples(argc > 1 ? argv[1] : "bug-input.txt");

	if (n < 0)
		return 1;
	printf("loaded %d samples\n", n);
	fflush(stdout);
	printf("average %ld\n", average());
	return 0;
}
