/* gdbstub/cmd_data.c — commands on registers and memory: g/p (read), G/P
 * (write, which a replay refuses), m (read, partial reads allowed) and
 * M/X (write). Register encoding is in regs.c. */
#include <errno.h>
#include <string.h>

#include "gdbstub/regs.h"
#include "gdbstub/session.h"

/* Largest m request served at once: the hex reply must fit a packet. */
#define MEM_CHUNK (GDB_PACKET_SIZE / 2)

static int get_regs(struct gdb_session *s, struct gdb_regs *r)
{
	memset(r, 0, sizeof(*r));
	return s->ops->get_regs(s->t, gdb_resolve_tid(s, s->gtid), r);
}

int gdb_cmd_read_regs(struct gdb_session *s, const char *a, size_t n)
{
	struct gdb_regs r;
	uint8_t block[GDB_REGS_BYTES_AVX];
	long len;
	int rc = get_regs(s, &r);

	if (rc < 0) {
		gdb_reply_error(s, rc, NULL);
		return 0;
	}
	len = gdb_regs_block(&r, block, sizeof(block));
	if (len < 0) {
		gdb_reply_error(s, (int)len, NULL);
		return 0;
	}
	gdb_reply_append_hex(s, block, (size_t)len);
	return 0;
}

int gdb_cmd_read_reg(struct gdb_session *s, const char *a, size_t n)
{
	struct gdb_regs r;
	uint8_t val[GDB_REG_MAX_SIZE];
	const char *p = a;
	uint64_t regnum;
	int rc;

	if (gdb_parse_hex(&p, &regnum) < 0 || *p || regnum > 0xffff) {
		gdb_reply_error(s, -EINVAL, NULL);
		return 0;
	}
	rc = get_regs(s, &r);
	if (rc >= 0)
		rc = gdb_reg_get(&r, (int)regnum, val);
	if (rc < 0)
		gdb_reply_error(s, rc, NULL);
	else
		gdb_reply_append_hex(s, val, (size_t)rc);
	return 0;
}

static int set_reg(struct gdb_session *s, int regnum, const uint8_t *val,
		   size_t len)
{
	const char *why = NULL;
	int rc = -EPERM;

	if (s->ops->set_reg)
		rc = s->ops->set_reg(s->t, gdb_resolve_tid(s, s->gtid), regnum,
				     val, len, &why);
	gdb_reply_result(s, rc, why ? why : "registers are read-only");
	return rc;
}

int gdb_cmd_write_reg(struct gdb_session *s, const char *a, size_t n)
{
	uint8_t val[GDB_REG_MAX_SIZE];
	const struct gdb_reg_info *info;
	const char *p = a;
	uint64_t regnum;
	long len;

	if (gdb_parse_hex(&p, &regnum) < 0 || *p++ != '=' || regnum > 0xffff ||
	    !(info = gdb_reg_info((int)regnum))) {
		gdb_reply_error(s, -EINVAL, NULL);
		return 0;
	}
	len = gdb_hex_decode(val, sizeof(val), p, n - (size_t)(p - a));
	if (len != (long)info->size) {
		gdb_reply_error(s, -EINVAL, NULL);
		return 0;
	}
	set_reg(s, (int)regnum, val, (size_t)len);
	return 0;
}

/* G: write every register whose value differs from the current one. */
int gdb_cmd_write_regs(struct gdb_session *s, const char *a, size_t n)
{
	uint8_t block[GDB_REGS_BYTES_AVX], cur[GDB_REG_MAX_SIZE];
	struct gdb_regs r;
	size_t off = 0;
	long len = gdb_hex_decode(block, sizeof(block), a, n);
	int rc = get_regs(s, &r);

	if (rc < 0 || len < 0) {
		gdb_reply_error(s, rc < 0 ? rc : -EINVAL, NULL);
		return 0;
	}
	for (int i = 0; i < gdb_reg_count(r.has_ymmh); i++) {
		int size = gdb_reg_get(&r, i, cur);

		if (off + (size_t)size > (size_t)len)
			break;   /* gdb may send a shorter block */
		if (memcmp(cur, block + off, (size_t)size) != 0 &&
		    set_reg(s, i, block + off, (size_t)size) < 0)
			return 0;
		off += (size_t)size;
	}
	gdb_reply_str(s, "OK");
	return 0;
}

int gdb_cmd_read_mem(struct gdb_session *s, const char *a, size_t n)
{
	uint8_t buf[MEM_CHUNK];
	uint64_t addr, len;
	long got;

	if (gdb_parse_addr_len(a, 0, &addr, &len, NULL) < 0) {
		gdb_reply_error(s, -EINVAL, NULL);
		return 0;
	}
	if (len == 0)
		return 0;   /* the empty hex string */
	if (len > sizeof(buf))
		len = sizeof(buf);   /* gdb accepts a short answer */
	got = s->ops->read_mem(s->t, addr, buf, (size_t)len);
	if (got <= 0)
		gdb_reply_error(s, got < 0 ? (int)got : -EFAULT, NULL);
	else
		gdb_reply_append_hex(s, buf, (size_t)got);
	return 0;
}

static void write_mem(struct gdb_session *s, uint64_t addr, const void *buf,
		      size_t len)
{
	const char *why = NULL;
	int rc = -EPERM;

	if (s->ops->write_mem)
		rc = s->ops->write_mem(s->t, addr, buf, len, &why);
	gdb_reply_result(s, rc, why ? why : "memory is read-only");
}

int gdb_cmd_write_mem(struct gdb_session *s, const char *a, size_t n)
{
	uint8_t *buf = (uint8_t *)s->xfer;   /* scratch, no other use now */
	uint64_t addr, len;
	const char *data;
	long got;

	if (gdb_parse_addr_len(a, ':', &addr, &len, &data) < 0 ||
	    (got = gdb_hex_decode(buf, sizeof(s->xfer), data,
				  n - (size_t)(data - a))) < 0 ||
	    (uint64_t)got != len) {
		gdb_reply_error(s, -EINVAL, NULL);
		return 0;
	}
	write_mem(s, addr, buf, (size_t)len);
	return 0;
}

int gdb_cmd_write_mem_bin(struct gdb_session *s, const char *a, size_t n)
{
	uint8_t *buf = (uint8_t *)s->xfer;
	uint64_t addr, len;
	const char *data;
	long got;

	if (gdb_parse_addr_len(a, ':', &addr, &len, &data) < 0) {
		gdb_reply_error(s, -EINVAL, NULL);
		return 0;
	}
	if (len == 0) {
		gdb_reply_str(s, "OK");   /* gdb probing for X support */
		return 0;
	}
	got = gdb_unescape_binary(buf, sizeof(s->xfer), data, n - (size_t)(data - a));
	if (got < 0 || (uint64_t)got != len) {
		gdb_reply_error(s, -EINVAL, NULL);
		return 0;
	}
	write_mem(s, addr, buf, (size_t)len);
	return 0;
}
