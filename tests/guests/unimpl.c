/* tests/guests/unimpl.c — calls a real syscall deja does not implement
 * (io_uring_setup). Under deja it must get -1/ENOSYS and deja warns. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_io_uring_setup
#define SYS_io_uring_setup 425
#endif

int main(void)
{
	unsigned char params[120];
	long r;

	memset(params, 0, sizeof(params));
	errno = 0;
	r = syscall(SYS_io_uring_setup, 1, params);
	printf("io_uring_setup returned %ld errno %d%s\n", r, r < 0 ? errno : 0,
	       r < 0 && errno == ENOSYS ? " ENOSYS" : "");
	if (r >= 0)
		close((int)r);
	printf("still running\n");
	return 0;
}
