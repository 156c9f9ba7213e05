/* tests/guests/debugme.c — a small, deterministic program for the gdb
 * tests (tests/integration/test_gdb.c). Built with -O0 so that every
 * local is visible to the debugger. It has:
 *   - globals: a counter (ticks), a byte array, a read() buffer;
 *   - tick(), called NTICKS times from main (breakpoints hit >= 1000 times);
 *   - outer() -> middle() -> leaf(), three nested calls with arguments
 *     and locals (bt, step, next, finish, until and their reverse forms);
 *   - a read() of the file named by argv[1] into inbuf (a watchpoint on a
 *     buffer that the kernel fills), then two write()s.
 * The test finds lines by the "@name" markers in comments: keep each
 * marker on the line it names. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NTICKS 1500

long ticks;                     /* how many times tick() ran */
unsigned char global_array[8] = { 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04 };
char inbuf[64];                 /* filled by read() from argv[1] */
long total;                     /* result of outer() */

static long tick(long x)
{
	ticks++; /* @tick_body */
	return x * 2 + 1; /* @tick_ret */
}

static long leaf(long a, long b)
{
	long prod = a * b; /* @leaf_prod */
	long sum = prod + 7; /* @leaf_sum */

	return sum; /* @leaf_ret */
}

static long middle(long n)
{
	long local = n + 10; /* @middle_local */
	long r = leaf(local, 3); /* @middle_call */

	r += 1; /* @middle_after */
	return r; /* @middle_ret */
}

static long outer(long seed)
{
	long base = seed * 2; /* @outer_base */
	long got = 0;

	for (int k = 0; k < 3; k++) /* @outer_loop */
		got += middle(base + k); /* @outer_call */
	return got + base; /* @outer_ret */
}

int main(int argc, char **argv)
{
	long acc = 0;
	char line[128];
	ssize_t n;
	int fd, len;

	for (long i = 0; i < NTICKS; i++)
		acc += tick(i); /* @main_tick */
	total = outer(acc % 97); /* @main_outer */
	fd = open(argc > 1 ? argv[1] : "/dev/null", O_RDONLY); /* @main_open */
	n = read(fd, inbuf, sizeof(inbuf) - 1); /* @main_read */
	if (fd >= 0) /* @main_after_read */
		close(fd);
	len = snprintf(line, sizeof(line), "ticks=%ld total=%ld acc=%ld\n", ticks, /* @main_fmt_call */
		       total, acc); /* @main_fmt */
	if (write(1, line, len) != len) /* @main_write1 */
		return 1;
	if (n > 0 && write(1, inbuf, n) != n) /* @main_write2 */
		return 1;
	return 0; /* @main_ret */
}
