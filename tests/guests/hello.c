/* tests/guests/hello.c — the smallest guest: prints hello; an optional
 * argument is the exit status, to test that record/replay pass it on. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	printf("hello, world\n");
	for (int i = 1; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	return argc > 1 ? atoi(argv[1]) : 0;
}
