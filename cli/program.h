/* cli/program.h — locating and checking the program given to record. */
#ifndef DEJA_CLI_PROGRAM_H
#define DEJA_CLI_PROGRAM_H

/* Absolute path of a loadable program NAME (PATH lookup if no slash),
 * or NULL after printing why not (exit with EXIT_BAD_PROGRAM). */
char *program_resolve(const char *name);

#endif
