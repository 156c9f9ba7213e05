/* core/sockmsg.h — the byte layouts of the socket host ops' inputs and
 * answers (core/hostops.def, SOCKET..RECVMSG), shared by the kernel
 * (core/sys_net.c), which packs what the guest gives and unpacks what the
 * host said, and the recorder (record/hostops_net.c), which performs
 * them. These bytes are stored in traces: change them only with a new op.
 *
 * "Sized" answers (ACCEPT, SOCKNAME, GETSOCKOPT) are a uint32 length as
 * the host reported it, then min(length, out_cap - 4) bytes. */
#ifndef DEJA_SOCKMSG_H
#define DEJA_SOCKMSG_H

#include <stdint.h>

/* Largest socket address deja passes (sizeof(struct sockaddr_storage)). */
#define SOCKADDR_MAX 128
/* Largest socket option value or ancillary data buffer deja passes. */
#define SOCKOPT_MAX 4096

/* SENDMSG input: this header, then namelen bytes of destination address,
 * controllen bytes of ancillary data, and the data to send. */
struct nd_sendmsg {
	uint32_t namelen, controllen;
};

/* RECVMSG answer: this header, then min(namelen, name cap) bytes of
 * source address, controllen bytes of ancillary data, datalen bytes of
 * data. The result is the host's (with MSG_TRUNC it may exceed datalen).
 * RECVMSG's a2 is the name cap | the control cap << 32; the data cap is
 * what remains of out_cap. */
struct nd_recvmsg {
	uint32_t namelen, controllen, flags, datalen;
};

#define SIZED_HDR 4u

#endif
