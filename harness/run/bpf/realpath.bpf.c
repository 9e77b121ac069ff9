// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Watches the flow dissector fdtest attached to its network namespace on
 * the real receive path: fexit on bpf_flow_dissect(prog, ctx, proto,
 * nhoff, hlen, flags) sees where the kernel started the program and the
 * keys it left. A test run calls the same function with ctx->skb NULL;
 * only runs on an skb, of the program fdtest names, are sent up.
 *
 * CO-RE: the few kernel structs read are declared here with
 * preserve_access_index, so one object fits every kernel with BTF
 * (/sys/kernel/btf/vmlinux, all of Debian's since 5.10) and the build
 * needs no vmlinux.h of the build machine's kernel.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "realpath_event.h"

struct bpf_prog_aux {
	__u32 id;
} __attribute__((preserve_access_index));

struct bpf_prog {
	struct bpf_prog_aux *aux;
} __attribute__((preserve_access_index));

struct sk_buff {
	unsigned int len;
	__u16 mac_header;
	unsigned char *head;
} __attribute__((preserve_access_index));

struct bpf_flow_dissector {
	struct bpf_flow_keys *flow_keys;
	const struct sk_buff *skb;
	const void *data;
	const void *data_end;
} __attribute__((preserve_access_index));

/* The id of the flow dissector fdtest attached; set by user space. */
__u32 watched_prog_id;
/* Records lost to a full ring buffer; user space says so. */
__u64 lost;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 18);
} events SEC(".maps");

/* Fills in what every variant reads the same way, and sends it up. */
static __always_inline void submit(struct realpath_event *e, __u64 proto,
				   __u64 nhoff, __u64 hlen, __u64 flags,
				   __u64 ret)
{
	e->ret = ret;
	e->proto = (__u16)proto;
	e->nhoff = (__s32)nhoff;
	e->hlen = (__s32)hlen;
	e->flags = (__u32)flags;
	/* user space reads after each frame: no wakeup to pay for */
	bpf_ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

static __always_inline struct realpath_event *reserve(void)
{
	struct realpath_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		__sync_fetch_and_add(&lost, 1);
	return e;
}

/* Pointers read with a probe each: from a helper's value or a slot. */
static __always_inline int send(struct bpf_prog *prog,
				struct bpf_flow_dissector *ctx, __u64 proto,
				__u64 nhoff, __u64 hlen, __u64 flags, __u64 ret)
{
	const struct sk_buff *skb = BPF_CORE_READ(ctx, skb);
	struct bpf_flow_keys *keys;
	struct realpath_event *e;
	unsigned char *head;
	const void *data;
	__u16 mac;

	if (!skb || BPF_CORE_READ(prog, aux, id) != watched_prog_id)
		return 0;
	e = reserve();
	if (!e)
		return 0;
	head = BPF_CORE_READ(skb, head);
	mac = BPF_CORE_READ(skb, mac_header);
	data = BPF_CORE_READ(ctx, data);
	keys = BPF_CORE_READ(ctx, flow_keys);
	e->data_off = (__s32)((long)data - (long)(head + mac));
	e->skb_len = BPF_CORE_READ(skb, len);
	if (bpf_probe_read_kernel(&e->keys, sizeof(e->keys), keys))
		__builtin_memset(&e->keys, 0, sizeof(e->keys));
	submit(e, proto, nhoff, hlen, flags, ret);
	return 0;
}

/*
 * The arguments read from the trampoline's slots, where the verifier
 * knows their BTF types: prog, ctx and ctx->skb are dereferenced by
 * plain loads, which it turns into faulting-safe ones, instead of a
 * helper call per field (a frame through lo 11% faster under TCG). The
 * keys, a 56-byte copy, are still one probe read.
 */
SEC("fexit/bpf_flow_dissect")
int realpath_direct(__u64 *ctx)
{
	struct bpf_prog *prog = (struct bpf_prog *)ctx[0];
	struct bpf_flow_dissector *fd = (struct bpf_flow_dissector *)ctx[1];
	const struct sk_buff *skb = fd->skb;
	struct realpath_event *e;

	if (!skb || prog->aux->id != watched_prog_id)
		return 0;
	e = reserve();
	if (!e)
		return 0;
	e->data_off = (__s32)((long)fd->data -
			      (long)(skb->head + skb->mac_header));
	e->skb_len = skb->len;
	if (bpf_probe_read_kernel(&e->keys, sizeof(e->keys), fd->flow_keys))
		__builtin_memset(&e->keys, 0, sizeof(e->keys));
	submit(e, ctx[2], ctx[3], ctx[4], ctx[5], ctx[6]);
	return 0;
}

/*
 * For a verifier that refuses the direct loads: from 5.17 the arguments
 * through bpf_get_func_arg(), each pointer field through a probe read.
 */
SEC("fexit/bpf_flow_dissect")
int realpath_by_helper(void *ctx)
{
	__u64 a[6] = { 0 }, ret = 0;

	for (int i = 0; i < 6; i++)
		bpf_get_func_arg(ctx, i, &a[i]);
	bpf_get_func_ret(ctx, &ret);
	return send((struct bpf_prog *)a[0],
		    (struct bpf_flow_dissector *)a[1], a[2], a[3], a[4], a[5],
		    ret);
}

/* Before 5.17 (no bpf_get_func_arg): the trampoline's slots directly. */
SEC("fexit/bpf_flow_dissect")
int realpath_by_slot(__u64 *ctx)
{
	return send((struct bpf_prog *)ctx[0],
		    (struct bpf_flow_dissector *)ctx[1], ctx[2], ctx[3],
		    ctx[4], ctx[5], ctx[6]);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
