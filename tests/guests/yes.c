/* tests/guests/yes.c — writes "y" lines until writing fails: run with its
 * output piped into a reader that stops early, it must die of SIGPIPE
 * (exit 141), natively, recorded and replayed alike. */
#include <unistd.h>

int main(void)
{
	for (;;)
		if (write(1, "y\n", 2) < 0)
			return 1;
}
