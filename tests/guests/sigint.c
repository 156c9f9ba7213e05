/* tests/guests/sigint.c — waits for SIGINT from outside while making
 * syscalls, then prints how many it made before the handler ran: a
 * replay must print the same number (the signal is delivered at the
 * same syscall). Run natively it prints whatever count it reached. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_int(int sig)
{
	got = sig;
}

int main(void)
{
	long n = 0;

	signal(SIGINT, on_int);
	printf("ready\n");
	fflush(stdout);
	while (!got) {
		getppid();
		n++;
	}
	printf("SIGINT after %ld syscalls\n", n);
	return 0;
}
