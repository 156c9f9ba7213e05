/* tests/guests/signals.c — signals with Linux semantics: a SIGSEGV
 * handler that recovers with siglongjmp (twice: the mask comes back),
 * SIGFPE and SIGTRAP (int3) handlers, SA_RESETHAND, SA_NODEFER,
 * SA_SIGINFO fields, sigaltstack with SA_ONSTACK, blocking and
 * sigpending, sigtimedwait, SIGCHLD with its status, setitimer ticks and
 * alarm with pause, and at the end abort(): exit status 134. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
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

static sigjmp_buf jb;
static volatile sig_atomic_t hits, depth, maxdepth, ticks, chld_status;
static volatile uintptr_t fault_addr, handler_sp;
static char altstack[65536];

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	fault_addr = (uintptr_t)si->si_addr;
	siglongjmp(jb, sig);
}

static void on_count(int sig) { (void)sig; hits++; }

static void on_nested(int sig)
{
	depth++;
	if (depth > maxdepth)
		maxdepth = depth;
	if (depth < 3)
		raise(sig);
	depth--;
}

static void on_alt(int sig)
{
	(void)sig;
	int local;
	handler_sp = (uintptr_t)&local;
}

static void on_tick(int sig) { (void)sig; ticks++; }

static volatile int rtvals[4];
static volatile sig_atomic_t nrt;

static void on_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	if (nrt < 4)
		rtvals[nrt++] = si->si_value.sival_int;
}

/* Real-time signals queue: three sigqueue()s while blocked are three
 * deliveries, in order, each with its value. */
static void realtime(void)
{
	struct sigaction sa;
	sigset_t m;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_rt;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGRTMIN, &sa, NULL);
	sigemptyset(&m);
	sigaddset(&m, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &m, NULL);
	for (int i = 1; i <= 3; i++)
		sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = i * 10 });
	sigprocmask(SIG_UNBLOCK, &m, NULL);
	say("real-time: %d delivered, values %d %d %d\n", nrt, rtvals[0], rtvals[1], rtvals[2]);
}

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	chld_status = si->si_status;
}

static void set(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

static void faults(void)
{
	struct sigaction sa;
	int zero = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	for (volatile int i = 1; i <= 2; i++) {
		int sig = sigsetjmp(jb, 1);
		if (!sig)
			*(volatile int *)(uintptr_t)(16 * i) = 1;
		say("SIGSEGV %d recovered: sig %d addr %#lx\n", i, sig, (unsigned long)fault_addr);
	}
	if (!sigsetjmp(jb, 1)) {
		int q = 7;
		__asm__ volatile("cltd; idivl %2" : "+a"(q) : "d"(0), "r"(zero));
		say("no SIGFPE? %d\n", q);
	}
	say("SIGFPE recovered\n");
	if (!sigsetjmp(jb, 1))
		__asm__ volatile("int3");
	say("SIGTRAP recovered\n");
}

static void flags(void)
{
	sigset_t m, p;

	set(SIGUSR1, on_count, SA_RESETHAND);
	raise(SIGUSR1);
	struct sigaction now;
	sigaction(SIGUSR1, NULL, &now);
	say("SA_RESETHAND: hits %d, now default %d\n", hits, now.sa_handler == SIG_DFL);
	set(SIGUSR2, on_nested, SA_NODEFER);
	raise(SIGUSR2);
	say("SA_NODEFER: nested depth %d\n", maxdepth);
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	sigaltstack(&ss, NULL);
	set(SIGWINCH, on_alt, SA_ONSTACK);
	raise(SIGWINCH);
	say("SA_ONSTACK: on the alternate stack %d\n",
	    handler_sp >= (uintptr_t)altstack && handler_sp < (uintptr_t)altstack + sizeof(altstack));
	set(SIGUSR1, on_count, 0);
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	hits = 0;
	raise(SIGUSR1);
	sigpending(&p);
	say("blocked: pending %d, hits %d\n", sigismember(&p, SIGUSR1), hits);
	sigprocmask(SIG_UNBLOCK, &m, NULL);
	say("unblocked: hits %d\n", hits);
	sigprocmask(SIG_BLOCK, &m, NULL);
	kill(getpid(), SIGUSR1);
	siginfo_t si;
	int got = sigwaitinfo(&m, &si);
	say("sigwaitinfo: %d, from self %d, code user %d\n", got == SIGUSR1,
	    si.si_pid == getpid(), si.si_code == SI_USER);
	struct timespec ts = { 0, 1000000 };
	say("sigtimedwait timeout: %d\n", sigtimedwait(&m, &si, &ts));
	sigprocmask(SIG_UNBLOCK, &m, NULL);
}

static void timers(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	int st;

	set(SIGALRM, on_tick, 0);
	setitimer(ITIMER_REAL, &it, NULL);
	while (ticks < 5)
		pause();
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	say("itimer: %s\n", ticks >= 5 ? "at least 5 ticks" : "too few ticks"); /* natively a 6th may come before the check */
	ticks = 0;
	alarm(1);
	say("alarm pending: %u s left\n", alarm(1));
	pause();
	say("alarm: %d\n", ticks);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	pid_t p = fork();
	if (p == 0)
		_exit(42);
	waitpid(p, &st, 0);
	say("SIGCHLD: status %d, wait %d\n", chld_status, WEXITSTATUS(st));
}

int main(void)
{
	faults();
	flags();
	realtime();
	timers();
	say("abort\n");
	abort();
}
