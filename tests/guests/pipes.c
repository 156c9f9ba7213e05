/* tests/guests/pipes.c — pipes, eventfds and the fd operations around
 * them, in one process: write/read, partial reads, end of file,
 * O_NONBLOCK and EAGAIN, the 64 KiB capacity, writes bigger than the
 * room left (EPIPE: sigpipe.c); fcntl (F_GETFL/F_SETFL,
 * F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD/F_SETFD), dup family, close_range,
 * fstat, FIONREAD, FIONBIO, readv and writev on pipes; O_DIRECT
 * packets; eventfd counters. Deterministic: the
 * same output natively and under deja. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "guest.h"

#define show guest_show

static void basic(void)
{
	int p[2];
	char buf[64] = { 0 };

	show("pipe", pipe(p));
	show("fds consecutive", p[1] == p[0] + 1);
	show("write hello", write(p[1], "hello world", 11));
	show("read 5", read(p[0], buf, 5));
	printf("  got '%s'\n", buf);
	show("FIONREAD", ioctl(p[0], FIONREAD, &(int){ 0 }) == 0);
	{ int n = -1; ioctl(p[0], FIONREAD, &n); show("  bytes left", n); }
	memset(buf, 0, sizeof(buf));
	show("read rest (asks 64)", read(p[0], buf, sizeof(buf)));
	printf("  got '%s'\n", buf);
	show("write on read end", write(p[0], "x", 1));
	show("read on write end", read(p[1], buf, 1));
	show("lseek on pipe", lseek(p[0], 0, SEEK_SET));
	show("pread on pipe", pread(p[0], buf, 1, 0));
	{ struct stat st; show("fstat", fstat(p[0], &st)); show("  S_ISFIFO", S_ISFIFO(st.st_mode)); }
	show("isatty(pipe)", isatty(p[0]));
	show("close write end", close(p[1]));
	show("read at EOF", read(p[0], buf, 1));
	show("close read end", close(p[0]));
}

static void nonblock(void)
{
	int p[2], total = 0;
	char big[8192];
	long r;

	memset(big, 'z', sizeof(big));
	show("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK));
	show("F_GETFL rd & O_NONBLOCK", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
	show("F_GETFL wr accmode", fcntl(p[1], F_GETFL) & O_ACCMODE);
	show("read empty", read(p[0], big, 1));
	while ((r = write(p[1], big, 4096)) > 0)
		total += r;
	show("filled with 4096-byte writes", total);
	show("write when full", r);
	show("read 100", read(p[0], big, 100));
	show("atomic write 4096 (no room)", write(p[1], big, 4096));
	show("write 1", write(p[1], big, 1));
	show("drain", read(p[0], big, 4096));
	show("write 8192 (room 4195)", write(p[1], big, 8192));
	show("F_SETFL clear O_NONBLOCK", fcntl(p[0], F_SETFL, 0));
	show("F_GETFL rd now", fcntl(p[0], F_GETFL) & O_NONBLOCK);
	show("F_SETFL O_NONBLOCK again", fcntl(p[0], F_SETFL, O_NONBLOCK));
	total = 0;
	while ((r = read(p[0], big, sizeof(big))) > 0)
		total += r;
	show("drained bytes", total);
	show("then", r);
	close(p[0]);
	close(p[1]);
}

static void fdops(void)
{
	int p[2], d;

	show("pipe2 O_CLOEXEC", pipe2(p, O_CLOEXEC));
	show("F_GETFD", fcntl(p[0], F_GETFD));
	show("F_SETFD 0", fcntl(p[0], F_SETFD, 0));
	show("F_GETFD after", fcntl(p[0], F_GETFD));
	d = fcntl(p[1], F_DUPFD, 50);
	show("F_DUPFD 50", d);
	show("F_GETFD dup", fcntl(d, F_GETFD));
	show("F_DUPFD_CLOEXEC 50", fcntl(p[1], F_DUPFD_CLOEXEC, 50));
	show("F_GETFD 51", fcntl(51, F_GETFD));
	show("dup3 same fd", dup3(d, d, 0));
	show("dup3 bad flags", dup3(d, 60, 12345));
	show("dup2 same fd", dup2(d, d));
	show("dup2 to 60", dup2(d, 60));
	show("dup3 cloexec to 61", dup3(d, 61, O_CLOEXEC));
	show("F_GETFD 61", fcntl(61, F_GETFD));
	show("F_DUPFD -1", fcntl(d, F_DUPFD, -1));
	show("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
	show("close write end p[1]", close(p[1]));
	show("write via dup 50", write(50, "ab", 2));
	show("close_range 50..59 CLOEXEC", syscall(SYS_close_range, 50, 59, 4 /* CLOSE_RANGE_CLOEXEC */));
	show("F_GETFD 50", fcntl(50, F_GETFD));
	show("close_range bad flags", syscall(SYS_close_range, 50, 59, 0x80));
	show("close_range first > last", syscall(SYS_close_range, 59, 50, 0));
	show("close_range 50..~0", syscall(SYS_close_range, 50, ~0U, 0));
	show("F_GETFD 50 after", fcntl(50, F_GETFD));
	show("F_GETFD 61 after", fcntl(61, F_GETFD));
	{ char b[4] = { 0 }; show("read 2 (writers gone after)", read(p[0], b, 4)); }
	{ char b[4]; show("then EOF", read(p[0], b, 4)); }
	close(p[0]);
}

static void efd(void)
{
	int e = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
	uint64_t v = 0;

	show("eventfd(3) fd ok", e >= 0);
	show("F_GETFD", fcntl(e, F_GETFD));
	show("read", read(e, &v, 8));
	show("  value", (long)v);
	show("read at 0", read(e, &v, 8));
	show("read 4 bytes", read(e, &v, 4));
	v = 5;
	show("write 5", write(e, &v, 8));
	v = 7;
	show("write 7", write(e, &v, 8));
	show("read", read(e, &v, 8));
	show("  value", (long)v);
	v = UINT64_MAX;
	show("write ~0", write(e, &v, 8));
	v = UINT64_MAX - 1;
	show("write max", write(e, &v, 8));
	v = 1;
	show("write 1 more", write(e, &v, 8));
	close(e);
	e = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	show("semaphore read", read(e, &v, 8));
	show("  value", (long)v);
	show("semaphore read", read(e, &v, 8));
	show("  value", (long)v);
	show("semaphore read at 0", read(e, &v, 8));
	show("eventfd bad flags", eventfd(0, 0x40));
	close(e);
}

/* Vectors, FIONBIO and dup2 over the last write end. */
static void vectors(void)
{
	int p[2], d;
	char a[4] = { 0 }, b[8] = { 0 };
	struct iovec out[3] = { { "one", 3 }, { "", 0 }, { "twothree", 8 } };
	struct iovec in[2] = { { a, 3 }, { b, 8 } };

	show("pipe", pipe(p));
	show("writev 3 vectors", writev(p[1], out, 3));
	show("readv 2 vectors", readv(p[0], in, 2));
	printf("  got '%s' '%.8s'\n", a, b);
	show("FIONBIO on", ioctl(p[0], FIONBIO, &(int){ 1 }));
	show("F_GETFL O_NONBLOCK", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
	show("readv empty, non-blocking", readv(p[0], in, 2));
	d = open("/dev/null", O_RDONLY);
	show("dup2 /dev/null over write end", dup2(d, p[1]));
	show("read: EOF, last writer gone", read(p[0], a, 1));
	close(d);
	close(p[0]);
	close(p[1]);
}

static void packets(void)
{
	int p[2];
	char buf[8192];
	static char big[5000];

	show("pipe2 O_DIRECT", pipe2(p, O_DIRECT));
	show("F_GETFL has O_DIRECT", (fcntl(p[1], F_GETFL) & O_DIRECT) != 0);
	show("write 3", write(p[1], "abc", 3));
	show("write 2", write(p[1], "de", 2));
	show("read 100: one packet", read(p[0], buf, 100));
	show("read 1 of a packet of 2", read(p[0], buf, 1));
	show("write 5000", write(p[1], big, sizeof(big)));
	show("read 8192: one page", read(p[0], buf, sizeof(buf)));
	show("read 8192: the rest", read(p[0], buf, sizeof(buf)));
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	guest_close_inherited();
	basic();
	nonblock();
	fdops();
	efd();
	packets();
	vectors();
	return 0;
}
