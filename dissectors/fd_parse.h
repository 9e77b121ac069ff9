/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flow dissector parsing shared by dissectors/reference.bpf.c and
 * dissectors/vxlan.bpf.c: one copy of the logic, both objects include it.
 *
 * Design
 * ------
 * No tail calls: the dissection is one program with bounded loops (kernel
 * >= 5.3), so an object needs no PROG_ARRAY and loads the same on 6.1 and
 * later. Nothing newer than bounded loops is used (no bpf_loop()).
 *
 * A packet is walked as a chain of passes, one per encapsulation level:
 *
 *   fd_l2()   VLAN tags, MPLS labels, PPPoE: find an IPv4/IPv6 header
 *   fd_ipv4() / fd_ipv6()   addresses, fragments, extension headers
 *   fd_l4()   ports, or a tunnel whose inner packet starts the next pass
 *
 * Parsing starts at keys->nhoff with keys->n_proto, never at a fixed 14,
 * so the three starting states (VLAN-less, pre-VLAN, post-VLAN) and real
 * traffic where nhoff is 0 all work.
 *
 * What the keys report
 * --------------------
 * - nhoff, n_proto, addr_proto, addresses, flow_label describe the last
 *   (innermost) L3 header dissected; ip_proto, thoff and the ports its L4.
 *   Tunnels therefore report the inner flow with is_encap = 1, nhoff at
 *   the inner L3 header and n_proto its EtherType. The kernel's
 *   selftests bpf_flow.c moves only thoff into the inner packet and
 *   leaves nhoff and n_proto on the outer header; the kernel's own C
 *   dissector also reports the inner n_proto and nhoff is not exported by
 *   the kernel at all. We keep every L3 field on the same header so that
 *   nhoff..thoff is the header the addresses came from. fd_dissect()
 *   writes both after fd_l2() in every pass; they also hand the L3
 *   offset to the next stage.
 * - Under BPF_FLOW_DISSECTOR_F_STOP_AT_ENCAP the outer flow is reported
 *   with is_encap = 1, like bpf_flow.c: for IPIP/SIT/4in6/6in6 and GRE,
 *   thoff is where the encapsulated packet starts (after the GRE header
 *   and its optional fields) and there are no ports; for VXLAN/GENEVE
 *   thoff is the outer UDP header and the outer ports are kept, since
 *   the outer flow is an ordinary UDP flow.
 * - is_frag and is_first_frag stick once set: a fragment carrying a
 *   tunnel is still a fragment, as in both kernel dissectors.
 * - An IPv4 header clears the IPv6-only parts of the address union and
 *   flow_label, so an inner IPv4 flow never shows outer IPv6 leftovers.
 * - On BPF_DROP the keys hold what was dissected before the failure; only
 *   the verdict is meaningful.
 *
 * What is dropped (BPF_DROP)
 * --------------------------
 * Unknown EtherType (also inside GRE, VXLAN and GENEVE); more than
 * FD_MAX_TAGS VLAN tags; an MPLS stack without bottom-of-stack within
 * FD_MAX_LABELS or whose payload is not IPv4/IPv6 by version nibble; PPPoE
 * that is not a version 1 session frame or carries neither PPP IPv4 nor
 * IPv6; an IP header of the wrong version; IPv4 IHL < 5 or a non-zero
 * total length below the header length; more than FD_MAX_EXTHDRS IPv6
 * extension headers; more than FD_MAX_ENCAP nested tunnels; and any
 * header the protocol needs that does not fit in the frame: IPv4 with
 * options, IPv6 and its extension headers, TCP with its options (data
 * offset < 5 too), 8 bytes of UDP, UDP-Lite and ICMP/ICMPv6, 12 of SCTP,
 * 12 or 16 of DCCP, GRE with its optional fields, the VXLAN/GENEVE header
 * with options.
 *
 * Accepted without ports (BPF_OK, thoff at the L4 header): ICMP/ICMPv6,
 * any L4 protocol not listed above, GRE with a non-zero version or the
 * routing bit (not a tunnel we can follow). VLAN, MPLS and PPPoE are not
 * encapsulations: is_encap stays 0 for them.
 *
 * An IP header whose version is not the one its EtherType (or tunnel
 * protocol) names is malformed and dropped, as the stack's ip_rcv() and
 * ipv6_rcv() drop it; both kernel dissectors skip that check, and would
 * report a version-5 header inside IPv6 as an IPv4 flow. MPLS payloads,
 * which have no EtherType, are told apart by the version alone.
 */
#ifndef FD_PARSE_H
#define FD_PARSE_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define FD_MAX_TAGS	8	/* 802.1Q/802.1ad/0x9100, any order; as many as
				 * fdtest strips, so every state agrees */
#define FD_MAX_LABELS	8	/* MPLS label stack entries */
#define FD_MAX_EXTHDRS	8	/* IPv6 extension headers per IPv6 header */
#define FD_MAX_ENCAP	4	/* nested tunnels followed */

/*
 * The verifier accepts data + off only for an off it can bound below
 * MAX_PACKET_OFF (0xffff) with room for the header read there. Real
 * headers end long before this.
 */
#define FD_MAX_OFF	0x7fff
/*
 * Bytes of the IPv4 header that may be missing: 0. Only the test fixture
 * tests/fixtures/offbyone.bpf.c plants 1, a bug for fdtest fuzz to find.
 */
#ifndef FD_IPV4_HLEN_SLACK
#define FD_IPV4_HLEN_SLACK 0
#endif

#define FD_IP_MF	0x2000
#define FD_IP_OFFSET	0x1fff
#define FD_IP6_OFFSET	0xfff8	/* fragment header: offset without M */
#define FD_IP6_FLOWLABEL 0x000fffff

#define FD_MPLS_BOS	0x00000100	/* bottom-of-stack bit of an LSE */

#define FD_PPPOE_VER_TYPE 0x11		/* version 1, type 1 */
#define FD_PPPOE_SESSION 0x00		/* code of session frames */
#define FD_PPP_IP	0x0021
#define FD_PPP_IPV6	0x0057

#define FD_GRE_CSUM	0x8000
#define FD_GRE_ROUTING	0x4000
#define FD_GRE_KEY	0x2000
#define FD_GRE_SEQ	0x1000
#define FD_GRE_VERSION	0x0007

#define FD_DCCP_X	0x01	/* extended (48-bit) sequence numbers */

#define FD_VXLAN_PORT	4789	/* IANA */
#define FD_VXLAN_LINUX	8472	/* Linux's default before IANA */
#define FD_GENEVE_PORT	6081
#define FD_VXLAN_I	0x08	/* VNI present */

struct fd_vlan {
	__be16 tci;
	__be16 proto;	/* EtherType of what follows the tag */
};

struct fd_pppoe {
	__u8 ver_type;
	__u8 code;
	__be16 session;
	__be16 length;
	__be16 ppp_proto;	/* not PPPoE itself: the PPP header after it */
};

struct fd_ports {
	__be16 sport;
	__be16 dport;
};

struct fd_ip6_frag {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 id;
};

struct fd_gre {
	__be16 flags;
	__be16 proto;
};

struct fd_vxlan {
	__u8 flags;
	__u8 reserved[3];
	__be32 vni;
};

struct fd_geneve {
	__u8 ver_optlen;	/* version:2, option length in 4 bytes:6 */
	__u8 flags;
	__be16 proto;
	__be32 vni;
};

/* What a stage tells the pass loop in fd_dissect(). */
enum fd_step {
	FD_STEP_OK,	/* dissected: BPF_OK */
	FD_STEP_DROP,	/* malformed, truncated or unsupported: BPF_DROP */
	FD_STEP_L3,	/* s->proto is IPv4/IPv6 at s->off */
	FD_STEP_L4,	/* keys->ip_proto's header is at keys->thoff */
	FD_STEP_ENCAP,	/* inner packet: keys->n_proto at keys->nhoff */
};

struct fd_state {
	void *data;
	void *data_end;
	struct bpf_flow_keys *keys;
	__u32 flags;		/* input flags, read once */
	__u32 off;		/* where the header being parsed starts */
	__be16 proto;		/* EtherType of the header at off */
	__u8 ip_proto;		/* L4 protocol of the header at off */
	bool udp_tunnels;	/* follow VXLAN and GENEVE */
};

/*
 * Returns a pointer to @len bytes at @off in the frame, or NULL if they
 * are not all there. Every packet read goes through here: it is the bound
 * the verifier needs and the truncation check the dissector needs.
 */
static __always_inline void *fd_pull(const struct fd_state *s, __u64 off,
				     __u32 len)
{
	void *p;

	/*
	 * Without the barrier clang folds a previous "off += 4" into the
	 * bound ("off > FD_MAX_OFF - 4"), or zero-extends off once for the
	 * bound and again for the addition: either way the verifier sees a
	 * register it cannot bound. 64 bits and the barrier make the bound
	 * and the addition use one register.
	 */
	barrier_var(off);
	if (off > FD_MAX_OFF)
		return NULL;
	p = s->data + off;
	if (p + len > s->data_end)
		return NULL;
	return p;
}

static __always_inline bool fd_is_tpid(__be16 proto)
{
	return proto == bpf_htons(ETH_P_8021Q) ||
	       proto == bpf_htons(ETH_P_8021AD) ||
	       proto == bpf_htons(ETH_P_QINQ1);
}

/*
 * MPLS has no next-protocol field: after bottom-of-stack, the first
 * nibble tells IPv4 from IPv6. Anything else (pseudowires, control
 * words) is not dissected.
 */
static __always_inline int fd_mpls(struct fd_state *s)
{
	__be32 *lse;
	__u8 *first;
	int i;

	for (i = 0; i < FD_MAX_LABELS; i++) {
		lse = fd_pull(s, s->off, sizeof(*lse));
		if (!lse)
			return FD_STEP_DROP;
		s->off += sizeof(*lse);
		if (*lse & bpf_htonl(FD_MPLS_BOS))
			break;
	}
	if (i == FD_MAX_LABELS)
		return FD_STEP_DROP;

	first = fd_pull(s, s->off, 1);
	if (!first)
		return FD_STEP_DROP;
	switch (*first >> 4) {
	case 4:
		s->proto = bpf_htons(ETH_P_IP);
		return FD_STEP_L3;
	case 6:
		s->proto = bpf_htons(ETH_P_IPV6);
		return FD_STEP_L3;
	}
	return FD_STEP_DROP;
}

static __always_inline int fd_pppoe(struct fd_state *s)
{
	struct fd_pppoe *ph;

	ph = fd_pull(s, s->off, sizeof(*ph));
	if (!ph)
		return FD_STEP_DROP;
	if (ph->ver_type != FD_PPPOE_VER_TYPE ||
	    ph->code != FD_PPPOE_SESSION)
		return FD_STEP_DROP;
	s->off += sizeof(*ph);
	switch (ph->ppp_proto) {
	case bpf_htons(FD_PPP_IP):
		s->proto = bpf_htons(ETH_P_IP);
		return FD_STEP_L3;
	case bpf_htons(FD_PPP_IPV6):
		s->proto = bpf_htons(ETH_P_IPV6);
		return FD_STEP_L3;
	}
	return FD_STEP_DROP;
}

/*
 * From an EtherType to an IP header. Tags come first: in the pre-VLAN
 * state s->off is at a TCI and s->proto the TPID before it, and a tag's
 * own EtherType field says what follows, so one read per tag covers
 * single, double (QinQ) and, after an inner Ethernet header, inner tags.
 */
static __always_inline int fd_l2(struct fd_state *s)
{
	struct fd_vlan *tag;
	int i;

#pragma unroll
	for (i = 0; i < FD_MAX_TAGS; i++) {
		if (!fd_is_tpid(s->proto))
			break;
		tag = fd_pull(s, s->off, sizeof(*tag));
		if (!tag)
			return FD_STEP_DROP;
		s->proto = tag->proto;
		s->off += sizeof(*tag);
	}

	switch (s->proto) {
	case bpf_htons(ETH_P_IP):
	case bpf_htons(ETH_P_IPV6):
		return FD_STEP_L3;
	case bpf_htons(ETH_P_MPLS_UC):
	case bpf_htons(ETH_P_MPLS_MC):
		return fd_mpls(s);
	case bpf_htons(ETH_P_PPP_SES):
		return fd_pppoe(s);
	}
	/* includes a ninth tag */
	return FD_STEP_DROP;
}

static __always_inline int fd_ipv4(struct fd_state *s)
{
	struct bpf_flow_keys *keys = s->keys;
	struct iphdr *iph;
	__u32 tot_len;
	__u32 hlen;

	iph = fd_pull(s, s->off, sizeof(*iph));
	if (!iph)
		return FD_STEP_DROP;
	if (iph->version != 4 || iph->ihl < 5)
		return FD_STEP_DROP;
	hlen = iph->ihl << 2;
	if (!fd_pull(s, s->off, hlen - FD_IPV4_HLEN_SLACK))
		return FD_STEP_DROP;
	/*
	 * A datagram shorter than its own header is malformed. Zero is left
	 * alone: GSO and BIG TCP packets carry it. A total length past the
	 * frame is not checked: captures are cut, Ethernet pads.
	 */
	tot_len = bpf_ntohs(iph->tot_len);
	if (tot_len && tot_len < hlen)
		return FD_STEP_DROP;

	keys->addr_proto = ETH_P_IP;
	keys->ipv4_src = iph->saddr;
	keys->ipv4_dst = iph->daddr;
	/* the rest of the union, in case an IPv6 header came before */
	keys->ipv6_src[2] = 0;
	keys->ipv6_src[3] = 0;
	keys->ipv6_dst[0] = 0;
	keys->ipv6_dst[1] = 0;
	keys->ipv6_dst[2] = 0;
	keys->ipv6_dst[3] = 0;
	keys->flow_label = 0;
	keys->ip_proto = iph->protocol;
	s->off += hlen;
	keys->thoff = s->off;

	if (iph->frag_off & bpf_htons(FD_IP_MF | FD_IP_OFFSET)) {
		keys->is_frag = 1;
		/* only the first fragment carries the L4 header */
		if (iph->frag_off & bpf_htons(FD_IP_OFFSET))
			return FD_STEP_OK;
		keys->is_first_frag = 1;
		if (!(s->flags & BPF_FLOW_DISSECTOR_F_PARSE_1ST_FRAG))
			return FD_STEP_OK;
	}
	return FD_STEP_L4;
}

/*
 * Walks hop-by-hop, routing and destination options headers and the
 * fragment header; any other next header is the L4 protocol, including
 * ones we do not parse further (AH, ESP, no next header).
 */
static __always_inline int fd_ipv6_exthdrs(struct fd_state *s, __u8 nexthdr)
{
	struct bpf_flow_keys *keys = s->keys;
	struct fd_ip6_frag *fh;
	__u8 *opt;
	__u32 len;
	int i;

	for (i = 0; i < FD_MAX_EXTHDRS; i++) {
		switch (nexthdr) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			/* length in 8 bytes, not counting the first 8 */
			opt = fd_pull(s, s->off, 2);
			if (!opt)
				return FD_STEP_DROP;
			nexthdr = opt[0];
			len = ((__u32)opt[1] + 1) << 3;
			if (!fd_pull(s, s->off, len))
				return FD_STEP_DROP;
			s->off += len;
			break;
		case IPPROTO_FRAGMENT:
			fh = fd_pull(s, s->off, sizeof(*fh));
			if (!fh)
				return FD_STEP_DROP;
			nexthdr = fh->nexthdr;
			s->off += sizeof(*fh);
			keys->is_frag = 1;
			keys->ip_proto = nexthdr;
			keys->thoff = s->off;
			if (fh->frag_off & bpf_htons(FD_IP6_OFFSET))
				return FD_STEP_OK;
			keys->is_first_frag = 1;
			if (!(s->flags & BPF_FLOW_DISSECTOR_F_PARSE_1ST_FRAG))
				return FD_STEP_OK;
			break;
		default:
			keys->ip_proto = nexthdr;
			keys->thoff = s->off;
			return FD_STEP_L4;
		}
	}
	/* FD_MAX_EXTHDRS walked: only one more is too many (fdtest fuzz) */
	switch (nexthdr) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_FRAGMENT:
		return FD_STEP_DROP;
	}
	keys->ip_proto = nexthdr;
	keys->thoff = s->off;
	return FD_STEP_L4;
}

static __always_inline int fd_ipv6(struct fd_state *s)
{
	struct bpf_flow_keys *keys = s->keys;
	struct ipv6hdr *ip6h;
	__be32 label;

	ip6h = fd_pull(s, s->off, sizeof(*ip6h));
	if (!ip6h || ip6h->version != 6)
		return FD_STEP_DROP;

	keys->addr_proto = ETH_P_IPV6;
	__builtin_memcpy(keys->ipv6_src, &ip6h->saddr, sizeof(ip6h->saddr));
	__builtin_memcpy(keys->ipv6_dst, &ip6h->daddr, sizeof(ip6h->daddr));
	/* version, traffic class and flow label share the first word */
	label = *(__be32 *)ip6h & bpf_htonl(FD_IP6_FLOWLABEL);
	keys->flow_label = label;
	keys->ip_proto = ip6h->nexthdr;
	s->off += sizeof(*ip6h);
	keys->thoff = s->off;

	/*
	 * The caller hashes on the flow label instead of the ports: stop
	 * before extension headers and L4. A zero label identifies nothing,
	 * so the dissection goes on, as the kernel's C dissector does.
	 */
	if (label && (s->flags & BPF_FLOW_DISSECTOR_F_STOP_AT_FLOW_LABEL))
		return FD_STEP_OK;

	return fd_ipv6_exthdrs(s, ip6h->nexthdr);
}

/*
 * A tunnel was found; @thoff is already where the outer flow says it is.
 * Without STOP_AT_ENCAP the next pass dissects the inner packet, which
 * then owns every L3 and L4 field: ports go, so an inner ICMP packet does
 * not show the outer UDP ports of a VXLAN tunnel.
 */
static __always_inline int fd_encap(struct fd_state *s, __be16 proto,
				    __u32 off)
{
	struct bpf_flow_keys *keys = s->keys;

	keys->is_encap = 1;
	if (s->flags & BPF_FLOW_DISSECTOR_F_STOP_AT_ENCAP)
		return FD_STEP_OK;
	keys->sport = 0;
	keys->dport = 0;
	/* the next pass starts here, as the first one did at entry */
	keys->nhoff = off;
	keys->n_proto = proto;
	return FD_STEP_ENCAP;
}

/*
 * GRE version 0 (RFC 2784/2890): 4 bytes, then 4 more for each of the
 * checksum, key and sequence bits. 0x6558 (transparent Ethernet bridging,
 * also NVGRE) carries a whole Ethernet frame.
 */
static __always_inline int fd_gre(struct fd_state *s)
{
	struct fd_gre *gre;
	struct ethhdr *eth;
	__be16 proto;
	__u32 hlen;
	__u32 off;

	gre = fd_pull(s, s->off, sizeof(*gre));
	if (!gre)
		return FD_STEP_DROP;
	/* PPTP's version 1 and source routing: not a tunnel we follow */
	if (gre->flags & bpf_htons(FD_GRE_VERSION | FD_GRE_ROUTING))
		return FD_STEP_OK;

	hlen = sizeof(*gre);
	if (gre->flags & bpf_htons(FD_GRE_CSUM))
		hlen += 4;
	if (gre->flags & bpf_htons(FD_GRE_KEY))
		hlen += 4;
	if (gre->flags & bpf_htons(FD_GRE_SEQ))
		hlen += 4;
	if (!fd_pull(s, s->off, hlen))
		return FD_STEP_DROP;
	proto = gre->proto;
	off = s->off + hlen;
	s->keys->thoff = off;

	if (proto == bpf_htons(ETH_P_TEB) &&
	    !(s->flags & BPF_FLOW_DISSECTOR_F_STOP_AT_ENCAP)) {
		eth = fd_pull(s, off, sizeof(*eth));
		if (!eth)
			return FD_STEP_DROP;
		proto = eth->h_proto;
		off += sizeof(*eth);
	}
	return fd_encap(s, proto, off);
}

/*
 * VXLAN (RFC 7348) and GENEVE (RFC 8926) on their UDP ports; @off is the
 * UDP header. Returns FD_STEP_L4 when the datagram is to be reported as
 * plain UDP: the VXLAN I flag is clear, or GENEVE has an unknown version.
 */
static __always_inline int fd_udp_tunnel(struct fd_state *s, __be16 dport,
					 __u32 off)
{
	struct fd_geneve *gnv;
	struct fd_vxlan *vx;
	struct ethhdr *eth;
	__be16 proto;
	__u32 hlen;

	off += sizeof(struct udphdr);
	if (dport == bpf_htons(FD_VXLAN_PORT) ||
	    dport == bpf_htons(FD_VXLAN_LINUX)) {
		vx = fd_pull(s, off, sizeof(*vx));
		if (!vx)
			return FD_STEP_DROP;
		if (!(vx->flags & FD_VXLAN_I))
			return FD_STEP_L4;
		off += sizeof(*vx);
		proto = bpf_htons(ETH_P_TEB);
	} else if (dport == bpf_htons(FD_GENEVE_PORT)) {
		gnv = fd_pull(s, off, sizeof(*gnv));
		if (!gnv)
			return FD_STEP_DROP;
		if (gnv->ver_optlen >> 6)
			return FD_STEP_L4;
		hlen = sizeof(*gnv) + ((gnv->ver_optlen & 0x3f) << 2);
		if (!fd_pull(s, off, hlen))
			return FD_STEP_DROP;
		proto = gnv->proto;
		off += hlen;
	} else {
		return FD_STEP_L4;
	}

	if (proto == bpf_htons(ETH_P_TEB) &&
	    !(s->flags & BPF_FLOW_DISSECTOR_F_STOP_AT_ENCAP)) {
		eth = fd_pull(s, off, sizeof(*eth));
		if (!eth)
			return FD_STEP_DROP;
		proto = eth->h_proto;
		off += sizeof(*eth);
	}
	return fd_encap(s, proto, off);
}

/*
 * The first 4 bytes are the ports in all of TCP, UDP, SCTP and DCCP; @len
 * is the header length the protocol needs. The ports are read through a
 * fixed-size pull: the verifier gives no readable range to a pointer
 * checked only against a variable length.
 */
static __always_inline int fd_ports(struct fd_state *s, __u32 len)
{
	struct fd_ports *ports;

	ports = fd_pull(s, s->off, sizeof(*ports));
	if (!ports || !fd_pull(s, s->off, len))
		return FD_STEP_DROP;
	s->keys->sport = ports->sport;
	s->keys->dport = ports->dport;
	return FD_STEP_OK;
}

static __always_inline int fd_l4(struct fd_state *s)
{
	struct tcphdr *th;
	__u8 *dccp;
	int ret;

	switch (s->ip_proto) {
	case IPPROTO_TCP:
		th = fd_pull(s, s->off, sizeof(*th));
		if (!th || th->doff < 5)
			return FD_STEP_DROP;
		/* the options too: a cut TCP header is not a TCP packet */
		return fd_ports(s, (__u32)th->doff << 2);
	case IPPROTO_UDPLITE:
		return fd_ports(s, sizeof(struct udphdr));
	case IPPROTO_UDP:
		/* VXLAN and GENEVE are defined over UDP only */
		ret = fd_ports(s, sizeof(struct udphdr));
		if (ret != FD_STEP_OK || !s->udp_tunnels)
			return ret;
		ret = fd_udp_tunnel(s, s->keys->dport, s->off);
		return ret == FD_STEP_L4 ? FD_STEP_OK : ret;
	case IPPROTO_SCTP:
		return fd_ports(s, 12);
	case IPPROTO_DCCP:
		/* the generic header is 16 bytes with X set, 12 without */
		dccp = fd_pull(s, s->off, 12);
		if (!dccp)
			return FD_STEP_DROP;
		return fd_ports(s, (dccp[8] & FD_DCCP_X) ? 16 : 12);
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		/* type, code, checksum and 4 more bytes in every message */
		return fd_pull(s, s->off, 8) ? FD_STEP_OK : FD_STEP_DROP;
	case IPPROTO_IPIP:
		return fd_encap(s, bpf_htons(ETH_P_IP), s->off);
	case IPPROTO_IPV6:
		return fd_encap(s, bpf_htons(ETH_P_IPV6), s->off);
	case IPPROTO_GRE:
		return fd_gre(s);
	}
	return FD_STEP_OK;
}

/*
 * Reads back what a stage left in the keys. The volatile load is the
 * point: the verifier then knows only "some u16", so every path into the
 * next stage looks the same and is verified once. Carrying the exact
 * offset ranges over instead multiplies the paths of each stage (MPLS
 * labels, extension headers, tunnel kinds) and nested passes exceed the
 * verifier's million-instruction budget. bpf_flow.c's tail calls lose
 * that knowledge in the same way.
 */
static __always_inline __u32 fd_reload16(__u16 *field)
{
	return *(volatile __u16 *)field;
}

static __always_inline __u8 fd_reload8(__u8 *field)
{
	return *(volatile __u8 *)field;
}

/*
 * The whole dissection. @udp_tunnels is a constant at each call site, so
 * the reference object carries no VXLAN/GENEVE code at all.
 */
static __always_inline int fd_dissect(struct __sk_buff *skb, bool udp_tunnels)
{
	struct bpf_flow_keys *keys = skb->flow_keys;
	struct fd_state s = {
		.data = (void *)(long)skb->data,
		.data_end = (void *)(long)skb->data_end,
		.keys = keys,
		.flags = keys->flags,
		.udp_tunnels = udp_tunnels,
	};
	int depth;
	int ret;

	/* pass 0 starts where the kernel says; fd_encap() sets up the next */
	for (depth = 0; depth <= FD_MAX_ENCAP; depth++) {
		s.off = fd_reload16(&keys->nhoff);
		s.proto = fd_reload16(&keys->n_proto);
		ret = fd_l2(&s);
		if (ret != FD_STEP_L3)
			return BPF_DROP;
		keys->nhoff = s.off;
		keys->n_proto = s.proto;

		s.off = fd_reload16(&keys->nhoff);
		if (fd_reload16(&keys->n_proto) == bpf_htons(ETH_P_IP))
			ret = fd_ipv4(&s);
		else
			ret = fd_ipv6(&s);
		if (ret == FD_STEP_L4) {
			s.off = fd_reload16(&keys->thoff);
			s.ip_proto = fd_reload8(&keys->ip_proto);
			ret = fd_l4(&s);
		}
		if (ret != FD_STEP_ENCAP)
			return ret == FD_STEP_OK ? BPF_OK : BPF_DROP;
	}
	/* one tunnel too many */
	return BPF_DROP;
}

#endif /* FD_PARSE_H */
