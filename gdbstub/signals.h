/* gdbstub/signals.h — translation between host (Linux x86-64) signal
 * numbers and the numbers of gdb's remote protocol (enum gdb_signal of
 * gdb's include/gdb/signals.def), which differ for most signals. */
#ifndef DEJA_GDB_SIGNALS_H
#define DEJA_GDB_SIGNALS_H

/* gdb's "unknown signal" number, for host signals it has no name for. */
#define GDB_SIGNAL_UNKNOWN 143

/* Host signal -> protocol number (0 -> 0; unknown -> GDB_SIGNAL_UNKNOWN). */
int gdb_signal_from_host(int hostsig);

/* Protocol number -> host signal, or 0 when the host has no such signal. */
int gdb_signal_to_host(int gdbsig);

#endif
