/* core/sched.h — running the guest system's tasks one at a time: the
 * current task runs until it blocks or ends, then the next runnable one
 * (in creation order, round robin) runs; blocked syscalls are retried
 * when the scheduler looks for work. Every decision depends only on the
 * guest system's own state, so replay makes the same ones. */
#ifndef DEJA_SCHED_H
#define DEJA_SCHED_H

struct kernel;
struct task;

/* Run the handler of the syscall T is stopped in; if it completes, log
 * it and give T its result (else T is TASK_BLOCKED). Returns 1 if the
 * host should run the syscall itself (exit), 0, or -1 on a platform
 * error. */
int syscall_run(struct task *t);
/* Log T's syscall as done with RESULT and make T runnable again. */
int syscall_complete(struct task *t, long result);

/* Make k->cur a runnable task: 0, or 1 when every process has ended, or
 * a kernel error (KERNEL_E_DEADLOCK: all blocked for ever). */
int sched_next(struct kernel *k);

#endif
