/* cli/run_result.c — what record and replay share about a finished
 * kernel run: its warnings, the exit code for the guest's wait status,
 * and the message and exit code for a kernel error. */
#include <sys/wait.h>

#include "cli/cli.h"
#include "core/kernel.h"

void cli_kernel_warning(const char *msg)
{
	cli_warn("%s", msg);
}

int exit_code_of(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return EXIT_HOST;
}

int kernel_error_exit(int rc, struct nd *nd)
{
	if (rc == KERNEL_E_ND) {
		cli_error("%s", nd->err);
		return nd->failed;
	}
	cli_error("%s", kernel_strerror(rc));
	return rc == KERNEL_E_NOEXEC || rc == KERNEL_E_ELFCLASS ||
	       rc == KERNEL_E_DYNAMIC ? EXIT_BAD_PROGRAM : EXIT_HOST;
}
