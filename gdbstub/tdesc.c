/* gdbstub/tdesc.c — builds the target description XML from the register
 * table of regs.c, so numbering, sizes and the document cannot disagree.
 * Types follow gdb's feature conventions (flags for eflags and mxcsr, a
 * vec128 union for xmm); it must not know about packets. */
#include "gdbstub/tdesc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "gdbstub/regs.h"

struct xbuf {
	char *p;
	size_t cap, len;
	bool full;
};

static void put(struct xbuf *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct xbuf *x, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (x->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(x->p + x->len, x->cap - x->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= x->cap - x->len)
		x->full = true;
	else
		x->len += (size_t)n;
}

static const char *const feature_name[GDB_FEAT_COUNT] = {
	"org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse",
	"org.gnu.gdb.i386.linux", "org.gnu.gdb.i386.segments",
	"org.gnu.gdb.i386.avx",
};

struct flag_bit {
	const char *name;
	int bit;
};

static const struct flag_bit eflags_bits[] = {
	{"CF", 0}, {"PF", 2}, {"AF", 4}, {"ZF", 6}, {"SF", 7}, {"TF", 8},
	{"IF", 9}, {"DF", 10}, {"OF", 11}, {"NT", 14}, {"RF", 16}, {"VM", 17},
	{"AC", 18}, {"VIF", 19}, {"VIP", 20}, {"ID", 21}, {NULL, 0},
};

static const struct flag_bit mxcsr_bits[] = {
	{"IE", 0}, {"DE", 1}, {"ZE", 2}, {"OE", 3}, {"UE", 4}, {"PE", 5},
	{"DAZ", 6}, {"IM", 7}, {"DM", 8}, {"ZM", 9}, {"OM", 10}, {"UM", 11},
	{"PM", 12}, {"FZ", 15}, {NULL, 0},
};

static void put_flags(struct xbuf *x, const char *id,
		      const struct flag_bit *bits)
{
	put(x, "<flags id=\"%s\" size=\"4\">\n", id);
	for (; bits->name; bits++)
		put(x, "<field name=\"%s\" start=\"%d\" end=\"%d\"/>\n",
		    bits->name, bits->bit, bits->bit);
	put(x, "</flags>\n");
}

/* vec128: the views of an xmm register gdb users know (v4_float, ...). */
static void put_vec128(struct xbuf *x)
{
	static const struct { const char *id, *elem, *field; int count; } v[] = {
		{"v4f", "ieee_single", "v4_float", 4},
		{"v2d", "ieee_double", "v2_double", 2},
		{"v16i8", "int8", "v16_int8", 16},
		{"v8i16", "int16", "v8_int16", 8},
		{"v4i32", "int32", "v4_int32", 4},
		{"v2i64", "int64", "v2_int64", 2},
	};
	size_t n = sizeof(v) / sizeof(v[0]);

	for (size_t i = 0; i < n; i++)
		put(x, "<vector id=\"%s\" type=\"%s\" count=\"%d\"/>\n",
		    v[i].id, v[i].elem, v[i].count);
	put(x, "<union id=\"vec128\">\n");
	for (size_t i = 0; i < n; i++)
		put(x, "<field name=\"%s\" type=\"%s\"/>\n", v[i].field, v[i].id);
	put(x, "<field name=\"uint128\" type=\"uint128\"/>\n</union>\n");
}

static void put_feature(struct xbuf *x, enum gdb_feature f, int nregs)
{
	put(x, "<feature name=\"%s\">\n", feature_name[f]);
	if (f == GDB_FEAT_CORE)
		put_flags(x, "i386_eflags", eflags_bits);
	if (f == GDB_FEAT_SSE) {
		put_vec128(x);
		put_flags(x, "i386_mxcsr", mxcsr_bits);
	}
	for (int i = 0; i < nregs; i++) {
		const struct gdb_reg_info *r = gdb_reg_info(i);

		if (r->feature != f)
			continue;
		put(x, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%d\"",
		    r->name, r->size * 8, r->type, i);
		if (r->group)
			put(x, " group=\"%s\"", r->group);
		put(x, "/>\n");
	}
	put(x, "</feature>\n");
}

long gdb_tdesc_xml(bool has_ymmh, char *buf, size_t cap)
{
	struct xbuf x = { buf, cap, 0, cap == 0 };
	int nregs = gdb_reg_count(has_ymmh);

	put(&x, "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	    "<target version=\"1.0\">\n"
	    "<architecture>i386:x86-64</architecture>\n"
	    "<osabi>GNU/Linux</osabi>\n");
	for (int f = 0; f < GDB_FEAT_COUNT; f++)
		if (f != GDB_FEAT_AVX || has_ymmh)
			put_feature(&x, (enum gdb_feature)f, nregs);
	put(&x, "</target>\n");
	return x.full ? -ENOSPC : (long)x.len;
}
