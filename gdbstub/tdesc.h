/* gdbstub/tdesc.h — the XML target description (target.xml) gdb reads
 * through qXfer:features:read: amd64 GNU/Linux with the core, sse, linux
 * and segments features, plus avx when the target has ymm registers. */
#ifndef DEJA_GDB_TDESC_H
#define DEJA_GDB_TDESC_H

#include <stdbool.h>
#include <stddef.h>

/* Annex under which the single document is served. */
#define GDB_TDESC_ANNEX "target.xml"

/**
 * gdb_tdesc_xml() - write target.xml into BUF (CAP bytes, NUL-terminated).
 * @has_ymmh: include org.gnu.gdb.i386.avx (ymm0h..ymm15h).
 * Return: the document's length (without the NUL), or -ENOSPC.
 */
long gdb_tdesc_xml(bool has_ymmh, char *buf, size_t cap);

#endif
