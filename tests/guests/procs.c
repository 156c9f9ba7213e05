/* tests/guests/procs.c — processes: fork and wait statuses, vfork and
 * execve (of itself, through /proc/self/exe), a #! script run through
 * execve, waitid, WNOHANG, ECHILD, process groups and sessions, kill
 * between processes (a handled signal, SIGTERM, SIGKILL) and getppid
 * after the parent is gone. Prints only what is the same natively and
 * under deja (pids relative to the parent's). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(1, buf, (size_t)n) != n)
		_exit(100);
}

static int exec_child(int argc, char **argv)
{
	say("exec'd: argc %d argv1 %s argv2 %s\n", argc, argv[1],
	    argc > 2 ? argv[2] : "-");
	return argc > 2 ? atoi(argv[2]) : 0;
}

static volatile sig_atomic_t got;
static void on_usr1(int sig) { got = sig; }

static void statuses(void)
{
	for (int i = 0; i < 3; i++) {
		int st;
		pid_t p = fork();
		if (p == 0)
			_exit(20 + i);
		if (waitpid(p, &st, 0) != p)
			say("waitpid failed\n");
		say("child %d exited %d\n", i, WEXITSTATUS(st));
	}
}

static void vfork_exec(char *self)
{
	int st;
	pid_t p = vfork();

	if (p == 0) {
		execl("/proc/self/exe", self, "exec-child", "33", (char *)NULL);
		_exit(99);
	}
	waitpid(p, &st, 0);
	say("vfork+exec child exited %d\n", WEXITSTATUS(st));
	p = fork();
	if (p == 0) {
		execl("/nonexistent/program", "x", (char *)NULL);
		_exit(errno == ENOENT ? 44 : 45);
	}
	waitpid(p, &st, 0);
	say("exec of a missing file: child exited %d\n", WEXITSTATUS(st));
}

static void kills(void)
{
	siginfo_t si;
	sigset_t usr1, none;
	int st;
	pid_t p;

	sigemptyset(&usr1);
	sigemptyset(&none);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL); /* until the child waits for it */
	p = fork();
	if (p == 0) {
		signal(SIGUSR1, on_usr1);
		while (!got)
			sigsuspend(&none);
		_exit(got == SIGUSR1 ? 50 : 51);
	}
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	while (kill(p, SIGUSR1) != 0)
		;
	waitid(P_PID, (id_t)p, &si, WEXITED);
	say("waitid: code %s status %d pid-ok %d\n",
	    si.si_code == CLD_EXITED ? "exited" : "other", si.si_status, si.si_pid == p);
	p = fork();
	if (p == 0) {
		for (;;)
			pause();
	}
	kill(p, SIGTERM);
	waitpid(p, &st, 0);
	say("SIGTERM: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
	p = fork();
	if (p == 0) {
		for (;;)
			pause();
	}
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
	say("SIGKILL: signaled %d sig %d\n", WIFSIGNALED(st), WTERMSIG(st));
}

static void groups(void)
{
	int st;
	pid_t p = fork();
	int ok;

	if (p == 0) {
		pid_t c = getpid(), parent_group = getpgid(getppid());
		int same = getpgrp() == parent_group, sid = setsid() == c;
		say("child: same group %d, setsid %d, new session %d, own group %d\n",
		    same, sid, getsid(0) == c, getpgrp() == c);
		_exit(0);
	}
	waitpid(p, &st, 0);
	p = fork();
	if (p == 0) {
		pause();
		_exit(0);
	}
	ok = setpgid(p, p) == 0;
	say("setpgid child %d, its group is its own %d\n", ok, getpgid(p) == p);
	kill(-p, SIGKILL); /* the whole group */
	waitpid(-p, &st, 0);
	say("group killed: sig %d\n", WTERMSIG(st));
}

static void orphans(void)
{
	int st, fds[2];
	pid_t p = fork();

	(void)fds;
	if (p == 0) {
		pid_t me = getpid();
		if (fork() == 0) {
			/* orphaned: its parent becomes one outside (it cannot
			 * report without racing main natively) */
			while (getppid() == me)
				sched_yield();
			_exit(0);
		}
		_exit(7);
	}
	waitpid(p, &st, 0);
	say("middle child exited %d\n", WEXITSTATUS(st));
	say("wait with WNOHANG and no child: %d\n", waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);
}

/* prctl: the name shows in /proc/self/comm; a subreaper gets its
 * orphaned grandchild and waits for it. */
static void prctls(void)
{
	char name[16] = "", comm[32] = "";
	int st, fd;
	pid_t mid, g;

	prctl(PR_SET_NAME, "renamed-proc");
	prctl(PR_GET_NAME, name);
	fd = open("/proc/self/comm", O_RDONLY);
	if (fd < 0 || read(fd, comm, sizeof(comm) - 1) < 0)
		comm[0] = 0;
	close(fd);
	say("name %s, comm %s", name, comm);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	mid = fork();
	if (mid == 0) {
		if (fork() == 0) {
			while (getppid() == getpid() - 1)
				sched_yield(); /* until the middle one is gone */
			_exit(5);
		}
		_exit(0);
	}
	waitpid(mid, &st, 0);
	g = wait(&st);
	say("subreaper waited for its orphan: %d, status %d\n", g == mid + 1, WEXITSTATUS(st));
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exec-child"))
		return exec_child(argc, argv);
	statuses();
	vfork_exec(argv[0]);
	kills();
	groups();
	orphans();
	prctls();
	return 3;
}
