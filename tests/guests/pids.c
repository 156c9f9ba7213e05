/* tests/guests/pids.c — nondeterminism source: process and thread ids. */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	long pid = getpid(), ppid = getppid();
	long tid = syscall(SYS_gettid);

	printf("pid %ld\n", pid);
	printf("ppid %ld\n", ppid);
	printf("tid %ld\n", tid);
	printf("tid == pid: %s\n", tid == pid ? "yes" : "no");
	printf("pgid %ld sid %ld\n", (long)getpgid(0), (long)getsid(0));
	return 0;
}
