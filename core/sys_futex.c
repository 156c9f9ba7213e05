/* core/sys_futex.c — futex for a process with one thread: no other
 * thread can wake a waiter, so WAKE wakes nobody, a WAIT whose value
 * already changed returns EAGAIN as in Linux, and a WAIT that would
 * sleep with a timeout reports the timeout at once; one that would sleep
 * forever is refused (-EDEADLK) rather than hanging the guest. Threads
 * replace this with real wait queues. */
#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>

#include "core/syscall.h"
#include "core/task.h"

static long futex_wait(struct task *t, uint64_t uaddr, uint32_t val,
		       uint64_t timeout)
{
	uint32_t now;

	if (uaddr & 3)
		return -EINVAL;
	if (task_read(t, uaddr, &now, sizeof(now)) < 0)
		return -EFAULT;
	if (now != val)
		return -EAGAIN;
	return timeout ? -ETIMEDOUT : -EDEADLK;
}

long sys_futex(struct task *t, const uint64_t a[6])
{
	int op = (int)a[1] & FUTEX_CMD_MASK;

	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, a[0], (uint32_t)a[2], a[3]);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return a[0] & 3 ? -EINVAL : 0;
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
	case FUTEX_WAKE_OP:
		return 0;
	default:
		return -ENOSYS;
	}
}
