/* traces/event.c — encode and decode one event of an EVENTS chunk.
 * Only the fields that apply are stored (a flags byte says which); tid,
 * args and rip are delta-coded against the previous event (of the same
 * type for args and rip) so that syscall-heavy traces stay small.
 * Decoding never reads out of bounds: malformed input is CORRUPT. */
#include "traces/format.h"

#define F_TID 0x01   /* tid differs from the previous event's */
#define F_ARGS 0x02  /* nargs > 0: nargs, delta mask, args */
#define F_RIP 0x04   /* rip != 0 */
#define F_DATA 0x08  /* data_len > 0 */
#define F_BLOB 0x10  /* blob hash */
#define F_ALL 0x1f

void trace_ev_state_reset(struct ev_state *s)
{
	memset(s, 0, sizeof(*s));
}

int trace_ev_check(const struct trace_event *ev)
{
	if (ev->type < EV_SYSCALL || ev->type > EV_EXIT)
		return TRACE_E_INVAL;
	if (ev->nargs > 6 || ev->data_len > EVENT_DATA_MAX)
		return TRACE_E_INVAL;
	if (ev->data_len && !ev->data)
		return TRACE_E_INVAL;
	return TRACE_OK;
}

/* Bytes of the LEB128 form of v. */
static int varint_len(uint64_t v)
{
	int n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Each arg is stored either as a delta against the same slot of the
 * previous event of this type or as itself, whichever is shorter;
 * mask bit i set means slot i is a delta. */
static void encode_args(struct obuf *b, uint64_t *prev,
			const struct trace_event *ev)
{
	uint64_t v[6];
	uint8_t mask = 0;

	for (int i = 0; i < ev->nargs; i++) {
		uint64_t d = zigzag_enc((int64_t)(ev->args[i] - prev[i]));
		uint64_t a = zigzag_enc((int64_t)ev->args[i]);

		if (varint_len(d) < varint_len(a)) {
			mask |= 1u << i;
			v[i] = d;
		} else {
			v[i] = a;
		}
		prev[i] = ev->args[i];
	}
	trace_put_u8(b, ev->nargs);
	trace_put_u8(b, mask);
	for (int i = 0; i < ev->nargs; i++)
		trace_put_varint(b, v[i]);
}

int trace_ev_encode(struct obuf *b, struct ev_state *s,
		    const struct trace_event *ev)
{
	uint8_t flags = 0;
	int err = trace_ev_check(ev);

	if (err)
		return err;
	err = trace_obuf_reserve(b, EVENT_MAX_FIXED + ev->data_len);
	if (err)
		return err;
	flags |= ev->tid != s->tid ? F_TID : 0;
	flags |= ev->nargs ? F_ARGS : 0;
	flags |= ev->rip ? F_RIP : 0;
	flags |= ev->data_len ? F_DATA : 0;
	flags |= ev->has_blob ? F_BLOB : 0;
	trace_put_u8(b, ev->type);
	trace_put_u8(b, flags);
	trace_put_varint(b, ev->op);
	trace_put_varint(b, zigzag_enc(ev->result));
	if (flags & F_TID)
		trace_put_varint(b, ev->tid);
	s->tid = ev->tid;
	if (flags & F_ARGS)
		encode_args(b, s->args[ev->type], ev);
	if (flags & F_RIP) {
		trace_put_varint(b, zigzag_enc((int64_t)(ev->rip -
							 s->rip[ev->type])));
		s->rip[ev->type] = ev->rip;
	}
	if (flags & F_DATA) {
		trace_put_varint(b, ev->data_len);
		trace_put_bytes(b, ev->data, ev->data_len);
	}
	if (flags & F_BLOB)
		trace_put_bytes(b, ev->blob, 16);
	return TRACE_OK;
}

static int decode_args(struct ibuf *b, uint64_t *prev, struct trace_event *ev)
{
	uint8_t n, mask;
	int err;

	if ((err = trace_get_u8(b, &n)) || (err = trace_get_u8(b, &mask)))
		return err;
	if (n < 1 || n > 6 || (mask >> n))
		return TRACE_E_CORRUPT;
	ev->nargs = n;
	for (int i = 0; i < n; i++) {
		uint64_t v;

		if ((err = trace_get_varint(b, &v)))
			return err;
		if (mask & (1u << i))
			ev->args[i] = prev[i] + (uint64_t)zigzag_dec(v);
		else
			ev->args[i] = (uint64_t)zigzag_dec(v);
		prev[i] = ev->args[i];
	}
	return TRACE_OK;
}

static int decode_payload(struct ibuf *b, uint8_t flags,
			  struct trace_event *ev)
{
	const uint8_t *p;
	uint32_t len;
	int err;

	if (flags & F_DATA) {
		if ((err = trace_get_u32(b, &len)))
			return err;
		if (len == 0 || len > EVENT_DATA_MAX)
			return TRACE_E_CORRUPT;
		if ((err = trace_get_bytes(b, len, &p)))
			return err;
		ev->data = p;
		ev->data_len = len;
	}
	if (flags & F_BLOB) {
		if ((err = trace_get_bytes(b, 16, &p)))
			return err;
		memcpy(ev->blob, p, 16);
		ev->has_blob = true;
	}
	return TRACE_OK;
}

/* Decode one event into ev (ev->index is left to the caller). */
int trace_ev_decode(struct ibuf *b, struct ev_state *s,
		    struct trace_event *ev)
{
	uint64_t index = ev->index, v;
	uint8_t type, flags;
	int err;

	memset(ev, 0, sizeof(*ev));
	ev->index = index;
	if ((err = trace_get_u8(b, &type)) || (err = trace_get_u8(b, &flags)))
		return err;
	if (type < EV_SYSCALL || type > EV_EXIT || (flags & ~F_ALL))
		return TRACE_E_CORRUPT;
	ev->type = type;
	if ((err = trace_get_u32(b, &ev->op)) ||
	    (err = trace_get_varint(b, &v)))
		return err;
	ev->result = zigzag_dec(v);
	if (flags & F_TID) {
		if ((err = trace_get_u32(b, &s->tid)))
			return err;
	}
	ev->tid = s->tid;
	if ((flags & F_ARGS) && (err = decode_args(b, s->args[type], ev)))
		return err;
	if (flags & F_RIP) {
		if ((err = trace_get_varint(b, &v)))
			return err;
		s->rip[type] += (uint64_t)zigzag_dec(v);
		ev->rip = s->rip[type];
	}
	return decode_payload(b, flags, ev);
}
