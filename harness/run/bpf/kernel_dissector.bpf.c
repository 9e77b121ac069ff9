// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Watches the kernel's own C flow dissector, __skb_flow_dissect(net, skb,
 * flow_dissector, target_container, data, proto, nhoff, hlen, flags), on
 * the frames of fdtest's network namespace (by its inode), for the
 * callers whose keys go to a struct flow_keys (skb_get_hash and the
 * symmetric hash: the ones that ask for ports). It takes nine arguments:
 * fexit trampolines take them from 6.5 (before, attaching fails with
 * 524), so older kernels use a kprobe and a kretprobe, with arguments 7-9
 * on the stack.
 *
 * CO-RE, like realpath.bpf.c: the structs read are declared here with
 * preserve_access_index and the key ids are this kernel's enum values.
 */
#include <linux/types.h>
#include <linux/ptrace.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "kernel_dissector_event.h"

enum flow_dissector_key_id {
	FLOW_DISSECTOR_KEY_IPV4_ADDRS,
	FLOW_DISSECTOR_KEY_IPV6_ADDRS,
	FLOW_DISSECTOR_KEY_PORTS,
	FLOW_DISSECTOR_KEY_FLOW_LABEL,
};

/*
 * FLOW_DIS_* were defines (bits 0, 1, 2) until they became this enum,
 * kept equal to TCA_FLOWER_KEY_FLAGS_*: ENCAPSULATION moved (6.12 has it).
 */
enum flow_dissector_ctrl_flags {
	FLOW_DIS_IS_FRAGMENT,
	FLOW_DIS_FIRST_FRAG,
	FLOW_DIS_ENCAPSULATION,
};

#define CTRL_FLAG(name, old) \
	(bpf_core_enum_value_exists(enum flow_dissector_ctrl_flags, name) ? \
	 bpf_core_enum_value(enum flow_dissector_ctrl_flags, name) : (old))

struct ns_common {
	unsigned int inum;
} __attribute__((preserve_access_index));

struct net {
	struct ns_common ns;
} __attribute__((preserve_access_index));

typedef struct {
	struct net *net;
} possible_net_t;

struct net_device {
	possible_net_t nd_net;
} __attribute__((preserve_access_index));

struct sk_buff {
	unsigned int len;
	__u16 mac_header;
	unsigned char *head;
	unsigned char *data;
	struct net_device *dev;
} __attribute__((preserve_access_index));

struct flow_dissector {
	unsigned long long used_keys;	/* 32 bits in 6.1, 64 in 6.18 */
} __attribute__((preserve_access_index));

struct flow_dissector_key_control {
	__u16 thoff;
	__u16 addr_type;
	__u32 flags;
} __attribute__((preserve_access_index));

struct flow_dissector_key_basic {
	__be16 n_proto;
	__u8 ip_proto;
} __attribute__((preserve_access_index));

struct flow_dissector_key_tags {
	__u32 flow_label;
} __attribute__((preserve_access_index));

struct flow_dissector_key_ports {
	__be16 src;
	__be16 dst;
} __attribute__((preserve_access_index));

struct flow_dissector_key_addrs {
	__u8 v6addrs[32];	/* the union's widest member, by size */
} __attribute__((preserve_access_index));

struct flow_keys {
	struct flow_dissector_key_control control;
	struct flow_dissector_key_basic basic;
	struct flow_dissector_key_tags tags;
	struct flow_dissector_key_ports ports;
	struct flow_dissector_key_addrs addrs;
} __attribute__((preserve_access_index));

/* fdtest's namespace, by inode; set by user space */
__u32 watched_netns;
__u64 lost;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 18);
} events SEC(".maps");

/* What the kprobe keeps for its kretprobe, per task, nested calls too. */
#define DEPTH_MAX 4	/* a power of two: indexes are masked */
struct call {
	const struct sk_buff *skb;
	const struct flow_dissector *fd;
	struct flow_keys *keys;
	__u32 flags;
};
struct calls {
	__u32 depth;
	struct call c[DEPTH_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct calls);
} pending SEC(".maps");

static __always_inline __u64 used_keys(const struct flow_dissector *fd)
{
	if (bpf_core_field_size(fd->used_keys) == 8)
		return BPF_CORE_READ(fd, used_keys);
	return (__u32)BPF_CORE_READ((const struct flow_dissector *)fd,
				    used_keys);
}

static __always_inline int watched(const struct sk_buff *skb,
				    const struct flow_dissector *fd)
{
	__u64 ports = 1ull << bpf_core_enum_value(enum flow_dissector_key_id,
						  FLOW_DISSECTOR_KEY_PORTS);

	if (!skb || !fd)
		return 0;
	if (BPF_CORE_READ(skb, dev, nd_net.net, ns.inum) != watched_netns)
		return 0;
	return (used_keys(fd) & ports) != 0;
}

static __always_inline void send(const struct sk_buff *skb,
				 const struct flow_dissector *fd,
				 struct flow_keys *k, __u32 flags, __u64 ret)
{
	struct kernel_dissector_event *e;
	unsigned char *head, *data;
	__u16 mac;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	head = BPF_CORE_READ(skb, head);
	data = BPF_CORE_READ(skb, data);
	mac = BPF_CORE_READ(skb, mac_header);
	e->used_keys = used_keys(fd);
	e->flags = flags;
	e->data_off = (__s32)((long)data - (long)(head + mac));
	e->skb_len = BPF_CORE_READ(skb, len);
	e->ret = ret & 0xff;
	e->thoff = BPF_CORE_READ(k, control.thoff);
	e->addr_type = BPF_CORE_READ(k, control.addr_type);
	e->ctrl_flags = BPF_CORE_READ(k, control.flags);
	e->n_proto = BPF_CORE_READ(k, basic.n_proto);
	e->ip_proto = BPF_CORE_READ(k, basic.ip_proto);
	e->flow_label = BPF_CORE_READ(k, tags.flow_label);
	e->sport = BPF_CORE_READ(k, ports.src);
	e->dport = BPF_CORE_READ(k, ports.dst);
	bpf_core_read(e->addrs, sizeof(e->addrs), &k->addrs);
	e->key_ipv4 = bpf_core_enum_value(enum flow_dissector_key_id,
					  FLOW_DISSECTOR_KEY_IPV4_ADDRS);
	e->key_ipv6 = bpf_core_enum_value(enum flow_dissector_key_id,
					  FLOW_DISSECTOR_KEY_IPV6_ADDRS);
	e->key_ports = bpf_core_enum_value(enum flow_dissector_key_id,
					   FLOW_DISSECTOR_KEY_PORTS);
	e->key_flow_label = bpf_core_enum_value(enum flow_dissector_key_id,
						FLOW_DISSECTOR_KEY_FLOW_LABEL);
	e->dis_is_fragment = CTRL_FLAG(FLOW_DIS_IS_FRAGMENT, 1);
	e->dis_first_frag = CTRL_FLAG(FLOW_DIS_FIRST_FRAG, 2);
	e->dis_encapsulation = CTRL_FLAG(FLOW_DIS_ENCAPSULATION, 4);
	/* user space reads after each frame: no wakeup to pay for */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/* From 6.5: one fexit sees the arguments and the result. */
SEC("fexit/__skb_flow_dissect")
int kernel_by_fexit(void *ctx)
{
	__u64 skb = 0, fd = 0, keys = 0, flags = 0, ret = 0;

	bpf_get_func_arg(ctx, 1, &skb);
	bpf_get_func_arg(ctx, 2, &fd);
	bpf_get_func_arg(ctx, 3, &keys);
	bpf_get_func_arg(ctx, 8, &flags);
	bpf_get_func_ret(ctx, &ret);
	if (watched((const struct sk_buff *)skb,
		    (const struct flow_dissector *)fd))
		send((const struct sk_buff *)skb,
		     (const struct flow_dissector *)fd,
		     (struct flow_keys *)keys, (__u32)flags, ret);
	return 0;
}

/* Idle tasks are pid 0 on every CPU: they are told apart by CPU. */
static __always_inline __u64 task_key(void)
{
	__u64 id = bpf_get_current_pid_tgid();

	return id ? id : (1ull << 63) | bpf_get_smp_processor_id();
}

SEC("kprobe/__skb_flow_dissect")
int BPF_KPROBE(kernel_by_kprobe, const void *net, const struct sk_buff *skb,
	       const struct flow_dissector *fd, struct flow_keys *keys)
{
	struct calls zero, *calls;
	__u64 key = task_key();
	__u32 flags = 0, d;
	struct call *c;

	(void)net;
	/* padding too: 5.10 refuses a helper reading uninitialised stack */
	__builtin_memset(&zero, 0, sizeof(zero));
	calls = bpf_map_lookup_elem(&pending, &key);
	if (!calls) {
		bpf_map_update_elem(&pending, &key, &zero, BPF_NOEXIST);
		calls = bpf_map_lookup_elem(&pending, &key);
		if (!calls)
			return 0;
	}
	d = calls->depth;
	calls->depth = d + 1;
	if (d >= DEPTH_MAX)
		return 0;
	/* x86-64: arguments 7-9 above the return address */
	bpf_probe_read_kernel(&flags, sizeof(flags),
			      (void *)(PT_REGS_SP(ctx) + 24));
	/* the mask is a bound the verifier sees */
	c = &calls->c[d & (DEPTH_MAX - 1)];
	c->skb = watched(skb, fd) ? skb : NULL;
	c->fd = fd;
	c->keys = keys;
	c->flags = flags;
	return 0;
}

SEC("kretprobe/__skb_flow_dissect")
int BPF_KRETPROBE(kernel_by_kretprobe, int ret)
{
	__u64 key = task_key();
	struct calls *calls = bpf_map_lookup_elem(&pending, &key);
	struct call *c;
	__u32 d;

	if (!calls || !calls->depth)
		return 0;
	d = --calls->depth;
	if (d >= DEPTH_MAX)
		return 0;
	c = &calls->c[d & (DEPTH_MAX - 1)];
	if (c->skb)
		send(c->skb, c->fd, c->keys, c->flags, ret);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
