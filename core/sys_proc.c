/* core/sys_proc.c — the process's view of itself and of the machine:
 * virtual ids, identity, uname/sysinfo, resource limits, random bytes,
 * thread-pointer setup and exit. Host facts come through the logging
 * layer; ids are virtual and deterministic. */
#include <asm/prctl.h>
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>

#include "core/syscall.h"
#include "core/task.h"

#define RANDOM_MAX (32UL << 20) /* bytes per getrandom call */

long sys_getpid(struct task *t, const uint64_t a[6]) { return t->pid; }
long sys_gettid(struct task *t, const uint64_t a[6]) { return t->tid; }
long sys_getppid(struct task *t, const uint64_t a[6]) { return t->ppid; }
long sys_getuid(struct task *t, const uint64_t a[6]) { return t->id.uid; }
long sys_geteuid(struct task *t, const uint64_t a[6]) { return t->id.euid; }
long sys_getgid(struct task *t, const uint64_t a[6]) { return t->id.gid; }
long sys_getegid(struct task *t, const uint64_t a[6]) { return t->id.egid; }

/* Fixed-size host facts copied to the guest. */
static long fact_to_guest(struct task *t, enum nd_op op, long arg,
			  uint64_t dst, void *buf, size_t size)
{
	struct nd_call c = { .op = op, .a = { arg }, .out = buf, .out_cap = size };

	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result;
	if (c.out_len != size)
		return -EIO;
	return task_write(t, dst, buf, size) < 0 ? -EFAULT : 0;
}

long sys_uname(struct task *t, const uint64_t a[6])
{
	struct utsname u;

	return fact_to_guest(t, ND_UNAME, 0, a[0], &u, sizeof(u));
}

long sys_sysinfo(struct task *t, const uint64_t a[6])
{
	struct sysinfo si;

	return fact_to_guest(t, ND_SYSINFO, 0, a[0], &si, sizeof(si));
}

/* The guest's limits start as the host's (logged) and are then kept by
 * the kernel: setting one never touches the host. */
static long rlimit_slot(struct task *t, unsigned res, struct rlimit_slot **out)
{
	struct rlimit_slot *s;

	if (res >= sizeof(t->k->rlim) / sizeof(t->k->rlim[0]))
		return -EINVAL;
	s = &t->k->rlim[res];
	if (!s->known) {
		struct rlimit rl;
		struct nd_call c = { .op = ND_RLIMIT, .a = { (long)res },
				     .out = &rl, .out_cap = sizeof(rl) };
		nd_call(t->k->nd, &c);
		if (c.result < 0)
			return c.result;
		if (c.out_len != sizeof(rl))
			return -EIO;
		s->cur = rl.rlim_cur;
		s->max = rl.rlim_max;
		s->known = true;
	}
	*out = s;
	return 0;
}

static long do_prlimit(struct task *t, unsigned res, uint64_t newp,
		       uint64_t oldp)
{
	struct rlimit_slot *s;
	struct rlimit rl;
	long r = rlimit_slot(t, res, &s);

	if (r < 0)
		return r;
	if (newp) {
		if (task_read(t, newp, &rl, sizeof(rl)) < 0)
			return -EFAULT;
		if (rl.rlim_cur > rl.rlim_max || rl.rlim_max > s->max)
			return rl.rlim_cur > rl.rlim_max ? -EINVAL : -EPERM;
	}
	if (oldp) {
		struct rlimit old = { s->cur, s->max };
		if (task_write(t, oldp, &old, sizeof(old)) < 0)
			return -EFAULT;
	}
	if (newp) {
		s->cur = rl.rlim_cur;
		s->max = rl.rlim_max;
	}
	return 0;
}

long sys_prlimit64(struct task *t, const uint64_t a[6])
{
	if (a[0] && a[0] != t->pid)
		return -ESRCH;
	return do_prlimit(t, (unsigned)a[1], a[2], a[3]);
}

long sys_getrlimit(struct task *t, const uint64_t a[6])
{
	return do_prlimit(t, (unsigned)a[0], 0, a[1]);
}

long sys_setrlimit(struct task *t, const uint64_t a[6])
{
	return do_prlimit(t, (unsigned)a[0], a[1], 0);
}

long sys_getrandom(struct task *t, const uint64_t a[6])
{
	size_t n = a[1] > RANDOM_MAX ? RANDOM_MAX : a[1];
	struct nd_call c = { .op = ND_RANDOM, .a = { (long)a[2] } };

	c.out = kernel_scratch(t->k, n ? n : 1);
	if (!c.out)
		return -ENOMEM;
	c.out_cap = n;
	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result;
	if (c.out_len != (size_t)c.result)
		return -EIO;
	return task_write(t, a[0], c.out, c.out_len) < 0 ? -EFAULT : c.result;
}

long sys_arch_prctl(struct task *t, const uint64_t a[6])
{
	if ((a[0] == ARCH_SET_FS || a[0] == ARCH_SET_GS) && a[1] >= PLAT_TASK_SIZE)
		return -EPERM; /* not a user address: Linux refuses it too */
	switch (a[0]) {
	case ARCH_SET_FS:
		t->regs.fs_base = a[1];
		return 0;
	case ARCH_SET_GS:
		t->regs.gs_base = a[1];
		return 0;
	case ARCH_GET_FS:
		return task_write(t, a[1], &t->regs.fs_base, 8) < 0 ? -EFAULT : 0;
	case ARCH_GET_GS:
		return task_write(t, a[1], &t->regs.gs_base, 8) < 0 ? -EFAULT : 0;
	default:
		return -EINVAL;
	}
}

long sys_set_tid_address(struct task *t, const uint64_t a[6])
{
	t->clear_child_tid = a[0];
	return t->tid;
}

long sys_set_robust_list(struct task *t, const uint64_t a[6])
{
	return a[1] == 24 ? 0 : -EINVAL; /* sizeof(struct robust_list_head) */
}

/* Restartable sequences are not offered: libcs fall back without them. */
long sys_rseq(struct task *t, const uint64_t a[6])
{
	return -ENOSYS;
}

/* The process ends: its shared file mappings reach their files first. */
long sys_exit(struct task *t, const uint64_t a[6])
{
	shmap_writeback(t, 0, UINT64_MAX, 1);
	return SYS_HOST_RUNS;
}

long sys_exit_group(struct task *t, const uint64_t a[6])
{
	shmap_writeback(t, 0, UINT64_MAX, 1);
	return SYS_HOST_RUNS;
}

/* Resource usage is not measured for guests: all zeros, the same in
 * record and replay (a program that times itself sees no CPU time). */
long sys_getrusage(struct task *t, const uint64_t a[6])
{
	struct rusage ru;
	int who = (int)a[0];

	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	memset(&ru, 0, sizeof(ru));
	return task_write(t, a[1], &ru, sizeof(ru)) < 0 ? -EFAULT : 0;
}

/* CPU times are zeros as for getrusage; the result is the guest's
 * monotonic clock in ticks of 1/100 s. */
long sys_times(struct task *t, const uint64_t a[6])
{
	struct tms tm;

	memset(&tm, 0, sizeof(tm));
	if (a[0] && task_write(t, a[0], &tm, sizeof(tm)) < 0)
		return -EFAULT;
	return (long)(kernel_now(t->k) / 10000000ULL);
}
