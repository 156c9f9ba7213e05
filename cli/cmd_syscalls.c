/* cli/cmd_syscalls.c — `deja syscalls`: which x86-64 Linux syscalls the
 * kernel implements (from its own table, core/syscalls.def), or with
 * --missing which ones a guest would get ENOSYS for. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/syscall.h"

static const char syscalls_usage[] =
	"usage: deja syscalls [--missing]\n"
	"  List the syscalls deja implements (number and name), or with\n"
	"  --missing those it answers with ENOSYS (and one warning naming it).\n";

int cmd_syscalls(int argc, char **argv)
{
	bool missing = false;
	int shown = 0, known = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--missing")) {
			missing = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(syscalls_usage, stdout);
			return 0;
		} else {
			cli_error("syscalls: unexpected argument '%s'", argv[i]);
			fputs(syscalls_usage, stderr);
			return EXIT_USAGE;
		}
	}
	for (long nr = 0; nr < 512; nr++) {
		const char *name = syscall_name(nr);
		if (!name)
			continue;
		known++;
		if (syscall_implemented(nr) == missing)
			continue;
		printf("%3ld %s\n", nr, name);
		shown++;
	}
	printf("# %d of %d x86-64 syscalls %s\n", shown, known,
	       missing ? "not implemented (ENOSYS)" : "implemented");
	return 0;
}
