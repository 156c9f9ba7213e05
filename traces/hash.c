/* traces/hash.c — the blob content hash and the error names. */
#include <xxhash.h>

#include "traces/trace.h"

#define STR(x) #x
#define XSTR(x) STR(x)

void trace_hash(const void *data, size_t len, uint8_t out[16])
{
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, XXH3_128bits(data, len));
	for (int i = 0; i < 16; i++)
		out[i] = c.digest[i];
}

const char *trace_strerror(int err)
{
	switch (err) {
	case TRACE_OK:
		return "success";
	case TRACE_E_IO:
		return "input/output error";
	case TRACE_E_MAGIC:
		return "not a deja trace";
	case TRACE_E_VERSION:
		return "unsupported trace format version (this deja reads "
		       "version " XSTR(TRACE_VERSION) ")";
	case TRACE_E_CORRUPT:
		return "trace is corrupt (checksum or structure mismatch)";
	case TRACE_E_TRUNCATED:
		return "trace is truncated";
	case TRACE_E_NOMEM:
		return "out of memory";
	case TRACE_E_END:
		return "end of trace";
	case TRACE_E_NOBLOB:
		return "blob not found in trace";
	case TRACE_E_INVAL:
		return "invalid argument";
	}
	return "unknown trace error";
}
