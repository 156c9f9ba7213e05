/* tests/guests/deadlock.c — a parent and a child each wait for the other
 * to write to a pipe first: Linux would hang for ever; deja stops with
 * a deadlock error naming both processes and their syscalls. */
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int a[2], b[2];
	char c;

	if (pipe(a) || pipe(b))
		return 1;
	if (fork() == 0) {
		if (read(a[0], &c, 1) == 1) /* the parent never writes */
			(void)!write(b[1], &c, 1);
		_exit(0);
	}
	if (read(b[0], &c, 1) == 1)
		(void)!write(a[1], &c, 1);
	wait(NULL);
	return 0;
}
