/* core/signal.c — guest signals. Placeholder until signal delivery is
 * built (issue 4): sending reports ENOSYS and nothing ever wakes a
 * blocked task. */
#include "core/signal.h"

#include <errno.h>

int signal_send(struct task *t, int sig, int code, uint32_t sender)
{
	return -ENOSYS;
}

bool signal_wakes(struct task *t)
{
	return false;
}

void signal_exec(struct task *t)
{
}
