/* cli/meta.h — the metadata stored at the head of each trace. */
#ifndef DEJA_CLI_META_H
#define DEJA_CLI_META_H

#include "traces/trace.h"

void meta_collect(struct trace_meta *m, const char *program,
		  char *const *argv, char *const *envp);
/* CPUID leaf 1 eax of this machine (family/model/stepping). */
unsigned meta_host_cpu_signature(void);

#endif
