/* core/signal.h — guest signals: sending a signal to a guest task (from
 * another task, the kernel itself, a timer) and what the scheduler needs
 * to know about pending signals. */
#ifndef DEJA_SIGNAL_H
#define DEJA_SIGNAL_H

#include <stdbool.h>
#include <stdint.h>

struct task;

/* Make SIG pending for T (sent by guest pid SENDER, 0 = the kernel, with
 * si_code CODE). Returns 0 or -errno. */
int signal_send(struct task *t, int sig, int code, uint32_t sender);

/* True if T has a pending signal it does not block: a blocked syscall of
 * T must then be interrupted (signal_interrupt). */
bool signal_wakes(struct task *t);

/* T execs a new program: handled signals go back to their default
 * action (ignored ones stay ignored), the alternate stack goes. */
void signal_exec(struct task *t);

#endif
