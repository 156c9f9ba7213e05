/* replay/debug_target.h — a time-travelling replay as a gdb target: the
 * gdbstub's target operations implemented over replay/timeline.h. */
#ifndef DEJA_DEBUG_TARGET_H
#define DEJA_DEBUG_TARGET_H

#include "gdbstub/target.h"
#include "replay/timeline.h"

struct debug_target {
	struct timeline *tl;
	const char *exec_path;   /* the program's file for gdb */
	struct gdb_stop last;
	void (*report)(const char *msg); /* errors (replay divergence) */
};

extern const struct gdb_target_ops debug_target_ops;

#endif
