/* gdbstub/signals.c — the host <-> gdb signal number table. The table
 * holds Linux x86-64 numbers explicitly (not <signal.h> macros), because
 * the remote protocol pins both sides; real-time signals map as ranges. */
#include "gdbstub/signals.h"

#include <stddef.h>

/* gdb protocol numbers for Linux signals 1..31 (index = host number). */
static const unsigned char from_linux[32] = {
	[1] = 1,    /* SIGHUP */
	[2] = 2,    /* SIGINT */
	[3] = 3,    /* SIGQUIT */
	[4] = 4,    /* SIGILL */
	[5] = 5,    /* SIGTRAP */
	[6] = 6,    /* SIGABRT */
	[7] = 10,   /* SIGBUS */
	[8] = 8,    /* SIGFPE */
	[9] = 9,    /* SIGKILL */
	[10] = 30,  /* SIGUSR1 */
	[11] = 11,  /* SIGSEGV */
	[12] = 31,  /* SIGUSR2 */
	[13] = 13,  /* SIGPIPE */
	[14] = 14,  /* SIGALRM */
	[15] = 15,  /* SIGTERM */
	[16] = 0,   /* SIGSTKFLT: gdb has no name for it */
	[17] = 20,  /* SIGCHLD */
	[18] = 19,  /* SIGCONT */
	[19] = 17,  /* SIGSTOP */
	[20] = 18,  /* SIGTSTP */
	[21] = 21,  /* SIGTTIN */
	[22] = 22,  /* SIGTTOU */
	[23] = 16,  /* SIGURG */
	[24] = 24,  /* SIGXCPU */
	[25] = 25,  /* SIGXFSZ */
	[26] = 26,  /* SIGVTALRM */
	[27] = 27,  /* SIGPROF */
	[28] = 28,  /* SIGWINCH */
	[29] = 23,  /* SIGIO */
	[30] = 32,  /* SIGPWR */
	[31] = 12,  /* SIGSYS */
};

/* Real-time signals: host 32 is gdb 77, 33..63 are gdb 45..75 and
 * 64 is gdb 78 (gdb numbered them as other systems grew them). */
enum {
	HOST_RT_FIRST = 32, HOST_RT_LAST = 64,
	GDB_RT32 = 77, GDB_RT33 = 45, GDB_RT63 = 75, GDB_RT64 = 78,
};

int gdb_signal_from_host(int hostsig)
{
	if (hostsig == 0)
		return 0;
	if (hostsig > 0 && hostsig < HOST_RT_FIRST)
		return from_linux[hostsig] ? from_linux[hostsig]
					   : GDB_SIGNAL_UNKNOWN;
	if (hostsig == HOST_RT_FIRST)
		return GDB_RT32;
	if (hostsig > HOST_RT_FIRST && hostsig < HOST_RT_LAST)
		return GDB_RT33 + (hostsig - 33);
	if (hostsig == HOST_RT_LAST)
		return GDB_RT64;
	return GDB_SIGNAL_UNKNOWN;
}

int gdb_signal_to_host(int gdbsig)
{
	if (gdbsig == 0)
		return 0;
	for (size_t i = 1; i < sizeof(from_linux); i++)
		if (from_linux[i] == gdbsig)
			return (int)i;
	if (gdbsig == GDB_RT32)
		return HOST_RT_FIRST;
	if (gdbsig >= GDB_RT33 && gdbsig <= GDB_RT63)
		return 33 + (gdbsig - GDB_RT33);
	if (gdbsig == GDB_RT64)
		return HOST_RT_LAST;
	return 0;
}
