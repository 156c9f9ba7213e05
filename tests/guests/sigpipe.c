/* tests/guests/sigpipe.c — a write to a pipe whose read end is closed:
 * EPIPE and SIGPIPE, which kills the process (no handler: the exit
 * status says SIGPIPE). Before that, a writer with a reader still open
 * through a dup is fine. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "guest.h"

int main(void)
{
	int p[2], d;

	/* the default action even if our parent ignores SIGPIPE (deja
	 * starts guests with it; the result is not printed: rt_sigaction
	 * is not implemented under deja yet) */
	signal(SIGPIPE, SIG_DFL);
	guest_close_inherited();
	setvbuf(stdout, NULL, _IONBF, 0);
	guest_show("pipe", pipe(p));
	d = dup(p[0]);
	guest_show("close read end", close(p[0]));
	guest_show("write: dup still reads", write(p[1], "a", 1));
	guest_show("close the dup", close(d));
	guest_show("write 0 bytes: no EPIPE", write(p[1], "", 0));
	guest_show("write: no reader", write(p[1], "b", 1));
	printf("not reached: SIGPIPE kills\n");
	return 0;
}
