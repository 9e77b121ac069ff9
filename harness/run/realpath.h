/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The real receive path: frames sent by an AF_PACKET socket through lo in
 * a private network namespace with the dissector attached to it, and
 * what the kernel handed the dissector at each point it ran, caught by a
 * tracing program (bpf/realpath.bpf.c) and read from its ring buffer.
 *
 * Trigger points on lo (measured on Debian's 5.10, 6.1, 6.12 and sid):
 *   tx           packet_snd's header probe: data at the MAC header,
 *                nhoff 14, flags 0 (the sender sets PACKET_QDISC_BYPASS,
 *                so no transmit-side copy reaches the receive fanout,
 *                which hashed the same state a second time)
 *   rx-rps       netif_rx -> get_rps_cpu -> skb_get_hash, before
 *                untagging: data after the MAC header, nhoff 0,
 *                flags STOP_AT_FLOW_LABEL
 *   rx-untagged  the receive-side PACKET_FANOUT_HASH, after
 *                skb_vlan_untag: data after the outer tag, nhoff 0,
 *                flags 0
 */
#ifndef FDTEST_REALPATH_H
#define FDTEST_REALPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run/bpf/realpath_event.h"

#define REALPATH_EVENTS_MAX 8	/* per frame; more are counted, not kept */

struct realpath;

/* What one frame met on its way through lo. */
struct realpath_obs {
	struct realpath_event ev[REALPATH_EVENTS_MAX];
	size_t n;
	size_t extra;		/* events past REALPATH_EVENTS_MAX */
	bool received;		/* the receive side delivered it */
};

/*
 * Loads and attaches the tracing program, makes the namespace (lo up,
 * rps_cpus set, the sockets) and sends one frame through it, unwatched,
 * to check it. Returns 0, or a negative errno with one line in @err:
 *   -EPERM       the kernel refuses tracing programs (lockdown, no
 *                privilege) or namespaces
 *   -EOPNOTSUPP  the kernel lacks what it needs (BTF, fexit, ring
 *                buffers, netns links)
 *   -ETIMEDOUT   the check's frame never reached the receive socket
 *   another      a step failed for another reason
 */
int realpath_open(struct realpath **out, char *err, size_t err_size);
void realpath_close(struct realpath *rp);	/* NULL is fine */

/*
 * Attaches @prog_fd to the namespace and watches it; one at a time.
 * Returns 0 or a negative errno (-EBUSY: another program is attached).
 */
int realpath_attach(struct realpath *rp, int prog_fd);
void realpath_detach(struct realpath *rp);

/*
 * Sends @data (an Ethernet frame, 14..4096 bytes) through lo and collects
 * the watched program's runs on it in @obs (ev[] past n is left as it
 * was). Returns 0 or a negative errno (-ETIMEDOUT never: a frame the
 * kernel drops before the receive side is reported with received
 * false). One system call per frame: the receive side is read from a
 * mapped ring, the records from the ring buffer's mapping.
 */
int realpath_send(struct realpath *rp, const uint8_t *data, uint32_t len,
		  struct realpath_obs *obs);

/* The namespace's inode, which tracing programs can compare. */
uint32_t realpath_netns_ino(const struct realpath *rp);

/* Records the ring buffer had no room for, since realpath_open(). */
uint64_t realpath_lost(const struct realpath *rp);

#endif /* FDTEST_REALPATH_H */
