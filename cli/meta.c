/* cli/meta.c — collects the recording's metadata (who, what, where):
 * host name, kernel, CPU model. Descriptive only; replay never uses it
 * to decide anything but compatibility warnings. */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli/meta.h"

static char *cpu_brand(void)
{
	unsigned r[12] = { 0 }, max, a, b, c, d;

	__cpuid(0x80000000, max, b, c, d);
	if (max < 0x80000004)
		return strdup("unknown");
	for (unsigned i = 0; i < 3; i++) {
		__cpuid(0x80000002 + i, a, b, c, d);
		r[i * 4] = a, r[i * 4 + 1] = b, r[i * 4 + 2] = c, r[i * 4 + 3] = d;
	}
	char *s = strndup((const char *)r, sizeof(r));
	while (s && *s == ' ')
		memmove(s, s + 1, strlen(s));
	return s;
}

static int count(char *const *v)
{
	int n = 0;

	while (v[n])
		n++;
	return n;
}

static char **copy_vec(char *const *v, int n)
{
	char **out = calloc((size_t)n + 1, sizeof(char *));

	for (int i = 0; out && i < n; i++)
		out[i] = strdup(v[i]);
	return out;
}

void meta_collect(struct trace_meta *m, const char *program,
		  char *const *argv, char *const *envp)
{
	struct utsname u;
	struct timespec ts;
	char cwd[4096];
	unsigned a, b, c, d;

	memset(m, 0, sizeof(*m));
	m->program = strdup(program);
	m->argc = count(argv);
	m->argv = copy_vec(argv, m->argc);
	m->envc = count(envp);
	m->envp = copy_vec(envp, m->envc);
	m->cwd = strdup(getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	if (uname(&u) == 0) {
		m->hostname = strdup(u.nodename);
		if (asprintf(&m->kernel, "%s %s %s %s", u.sysname, u.release,
			     u.version, u.machine) < 0)
			m->kernel = NULL;
	}
	m->cpu_model = cpu_brand();
	__cpuid(1, a, b, c, d);
	m->cpuid_leaf1_eax = a;
	m->deja_version = strdup(DEJA_VERSION);
	clock_gettime(CLOCK_REALTIME, &ts);
	m->record_time_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

unsigned meta_host_cpu_signature(void)
{
	unsigned a, b, c, d;

	__cpuid(1, a, b, c, d);
	return a;
}
