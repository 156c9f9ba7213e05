/* cli/program.h — locating and checking the program given to record. */
#ifndef DEJA_CLI_PROGRAM_H
#define DEJA_CLI_PROGRAM_H

/* Absolute path of a loadable program NAME (PATH lookup if no slash),
 * or NULL after printing why not (exit with EXIT_BAD_PROGRAM). */
char *program_resolve(const char *name);

/* If PROGRAM (absolute) is a "#!" script, what Linux would run instead:
 * *PROGRAM becomes its interpreter (resolved and checked) and *ARGV
 * "interp [arg] script args..." (malloc'd vector, strings borrowed or
 * malloc'd, freed with the process). Returns 0 (also when it is no
 * script), or -1 after printing why not. */
int program_script(char **program, char ***argv);

#endif
