// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The real receive path through lo (see realpath.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "run/bpf/realpath.skel.h"
#include "run/realpath.h"
#include "util/log.h"

/* TCG guests are slow: a frame the kernel drops costs this wait */
#define RX_WAIT_MS 2000
#define FANOUT_ID 0x4664	/* any: fanout groups are per namespace */
#define RPS_FILE "/sys/class/net/lo/queues/rx-0/rps_cpus"
/*
 * The receive ring: a slot holds the TPACKET_V2 header, the address and
 * the first bytes of the frame (the kernel cuts the rest); presence is
 * all that is read.
 */
#define RX_SLOT_SIZE 128
#define RX_BLOCK_SIZE 4096
#define RX_BLOCKS 4
#define RX_SLOTS (RX_BLOCKS * (RX_BLOCK_SIZE / RX_SLOT_SIZE))

struct realpath {
	struct realpath_bpf *skel;
	struct bpf_link *trace;
	struct bpf_program *prog;	/* the variant loaded */
	struct ring_buffer *rb;
	struct realpath_obs *obs;	/* filled while a frame is out */
	int netns_fd;
	int tx_fd;
	int rx_fd;
	int link_fd;
	uint8_t *rx_ring;	/* mmap of rx_fd's PACKET_RX_RING */
	unsigned int rx_next;	/* the slot the next frame lands in */
};

uint32_t realpath_netns_ino(const struct realpath *rp)
{
	struct stat st;

	return fstat(rp->netns_fd, &st) ? 0 : (uint32_t)st.st_ino;
}

uint64_t realpath_lost(const struct realpath *rp)
{
	return rp->skel->bss->lost;
}

static int rb_event(void *ctx, void *data, size_t size)
{
	struct realpath *rp = ctx;
	struct realpath_obs *obs = rp->obs;

	if (!obs || size < sizeof(struct realpath_event))
		return 0;
	if (obs->n == REALPATH_EVENTS_MAX) {
		obs->extra++;
		return 0;
	}
	memcpy(&obs->ev[obs->n++], data, sizeof(struct realpath_event));
	return 0;
}

/* Why the kernel may refuse tracing, for the message. */
static const char *lockdown_note(void)
{
	char buf[128] = "";
	int fd = open("/sys/kernel/security/lockdown", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return "";
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0 && (strstr(buf, "[integrity]") ||
		      strstr(buf, "[confidentiality]")))
		return " (kernel lockdown is on)";
	return "";
}

/*
 * The tracing program's variants, fastest first: direct loads through
 * the arguments' BTF types (Debian's 5.10, 6.1, 6.12 and sid all take
 * it), then the probe reads of bpf_get_func_arg()'s values (5.17+), then
 * of the trampoline's slots.
 */
#define TRACE_VARIANTS 3

static struct bpf_program *trace_variant(struct realpath_bpf *s, int v)
{
	struct bpf_program *progs[] = {
		s->progs.realpath_direct,
		s->progs.realpath_by_helper,
		s->progs.realpath_by_slot,
	};

	return progs[v];
}

/* Loads the first variant the kernel takes and attaches it. */
static int trace_load(struct realpath *rp, char *err, size_t err_size)
{
	/* the variant a kernel refuses is no news: its log shows with -v */
	libbpf_print_fn_t saved = log_get_level() >= LOG_DEBUG ? NULL :
				  libbpf_set_print(NULL);
	int ret = -ENOENT;

	for (int v = 0; v < TRACE_VARIANTS; v++) {
		struct realpath_bpf *s = realpath_bpf__open();

		if (!s) {
			ret = -errno;
			snprintf(err, err_size, "tracing object: %s",
				 strerror(-ret));
			return ret;
		}
		for (int i = 0; i < TRACE_VARIANTS; i++)
			bpf_program__set_autoload(trace_variant(s, i),
						  i == v);
		ret = realpath_bpf__load(s);
		if (!ret) {
			rp->skel = s;
			rp->prog = trace_variant(s, v);
			break;
		}
		realpath_bpf__destroy(s);
	}
	if (saved)
		libbpf_set_print(saved);
	if (ret) {
		snprintf(err, err_size,
			 "the kernel refuses the tracing program on bpf_flow_dissect: %s%s",
			 strerror(-ret), lockdown_note());
		return ret == -EPERM || ret == -EACCES ? -EPERM : -EOPNOTSUPP;
	}
	rp->trace = bpf_program__attach_trace(rp->prog);
	if (!rp->trace) {
		ret = -errno;
		snprintf(err, err_size,
			 "the kernel refuses fexit on bpf_flow_dissect: %s%s",
			 strerror(-ret), lockdown_note());
		return ret == -EPERM || ret == -EACCES ? -EPERM : -EOPNOTSUPP;
	}
	rp->rb = ring_buffer__new(bpf_map__fd(rp->skel->maps.events),
				  rb_event, rp, NULL);
	if (!rp->rb) {
		ret = -errno;
		snprintf(err, err_size, "ring buffer: %s", strerror(-ret));
		return ret;
	}
	return 0;
}

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		ret = -errno;
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			ret = -errno;
	}
	close(fd);
	return ret;
}

/*
 * RPS on lo: rps_cpus lives in the sysfs of the namespace, which only a
 * sysfs mounted from inside it shows. A child in a private mount
 * namespace mounts one over /sys and writes CPU 0's mask; fdtest's own
 * mounts stay as they are.
 */
static int rps_enable(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd;

		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("sysfs", "/sys", "sysfs", 0, NULL))
			_exit(10 + (errno & 0x7f) % 100);
		fd = open(RPS_FILE, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "1\n", 2) != 2)
			_exit(110 + (errno & 0x7f) % 100);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -EOPNOTSUPP;
	return 0;
}

/*
 * The receive socket's frames land in a ring mapped here (TPACKET_V2,
 * 2.6.31+): after a send on lo they are normally there when send()
 * returns, read with no system call (see rx_wait). Set before the bind
 * and the fanout, while nothing arrives.
 */
static int rx_ring_open(struct realpath *rp)
{
	struct tpacket_req req = {
		.tp_block_size = RX_BLOCK_SIZE,
		.tp_block_nr = RX_BLOCKS,
		.tp_frame_size = RX_SLOT_SIZE,
		.tp_frame_nr = RX_SLOTS,
	};
	int version = TPACKET_V2;
	void *ring;

	if (setsockopt(rp->rx_fd, SOL_PACKET, PACKET_VERSION, &version,
		       sizeof(version)) ||
	    setsockopt(rp->rx_fd, SOL_PACKET, PACKET_RX_RING, &req,
		       sizeof(req)))
		return -errno;
	ring = mmap(NULL, (size_t)RX_BLOCKS * RX_BLOCK_SIZE,
		    PROT_READ | PROT_WRITE, MAP_SHARED, rp->rx_fd, 0);
	if (ring == MAP_FAILED)
		return -errno;
	rp->rx_ring = ring;
	return 0;
}

/*
 * PACKET_QDISC_BYPASS (3.14+) on the sending socket: packet_snd() hands
 * the frame to the device by dev_direct_xmit(), which calls the driver
 * without dev_queue_xmit_nit(), so no transmit-side copy reaches the
 * receive socket's fanout: one dissector run fewer per frame, and only
 * received frames in the ring (PACKET_IGNORE_OUTGOING, 4.20+, does not
 * reach a fanout group's own hook). packet_snd()'s header probe, the tx
 * state, runs before either xmit.
 */
static int sockets_open(struct realpath *rp)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
	};
	int fanout = FANOUT_ID | (PACKET_FANOUT_HASH << 16);
	int one = 1;
	int ret;

	sll.sll_ifindex = (int)if_nametoindex("lo");
	if (!sll.sll_ifindex)
		return -errno;
	rp->tx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (rp->tx_fd < 0)
		return -errno;
	if (setsockopt(rp->tx_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
		       sizeof(one)))
		return -errno;
	/* bound to lo, protocol 0: each frame is a send(), no address */
	sll.sll_protocol = 0;
	if (bind(rp->tx_fd, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	sll.sll_protocol = htons(ETH_P_ALL);
	rp->rx_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC,
			   htons(ETH_P_ALL));
	if (rp->rx_fd < 0)
		return -errno;
	ret = rx_ring_open(rp);
	if (ret)
		return ret;
	if (bind(rp->rx_fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(rp->rx_fd, SOL_PACKET, PACKET_FANOUT, &fanout,
		       sizeof(fanout)))
		return -errno;
	return 0;
}

/* The namespace: made here, then this thread goes back to its own. */
static int netns_open(struct realpath *rp, char *err, size_t err_size)
{
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	const char *step = "unshare(CLONE_NEWNET)";
	int ret = 0;

	if (home < 0) {
		ret = -errno;
		snprintf(err, err_size, "/proc/self/ns/net: %s",
			 strerror(-ret));
		return ret;
	}
	if (unshare(CLONE_NEWNET)) {
		ret = -errno;
		goto out_close_home;
	}
	step = "the new namespace";
	rp->netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (rp->netns_fd < 0)
		ret = -errno;
	if (!ret) {
		step = "bringing lo up";
		ret = lo_up();
	}
	if (!ret) {
		step = "setting rps_cpus on lo (needs CONFIG_RPS and sysfs)";
		ret = rps_enable();
	}
	if (!ret) {
		step = "AF_PACKET sockets on lo";
		ret = sockets_open(rp);
	}
	if (setns(home, CLONE_NEWNET) && !ret) {
		ret = -errno;
		step = "returning to fdtest's namespace";
	}
out_close_home:
	close(home);
	if (ret)
		snprintf(err, err_size, "real path: %s: %s", step,
			 strerror(-ret));
	return ret;
}

/*
 * Takes the next slot of the receive ring if the kernel has filled it;
 * @received says whether it held a received frame. A transmit-side copy
 * (PACKET_OUTGOING) does not count: none comes while the sender bypasses
 * the taps, but a slot costs nothing to skip.
 */
static bool rx_take(struct realpath *rp, bool *received)
{
	struct tpacket2_hdr *h = (struct tpacket2_hdr *)
		(rp->rx_ring + (size_t)rp->rx_next * RX_SLOT_SIZE);
	const struct sockaddr_ll *from;

	if (!(__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) &
	      TP_STATUS_USER))
		return false;
	from = (const struct sockaddr_ll *)
		((const uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));
	*received = from->sll_pkttype != PACKET_OUTGOING;
	__atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	rp->rx_next = (rp->rx_next + 1) % RX_SLOTS;
	return true;
}

/*
 * Waits for the frame to come back on the receive side: by then every
 * trigger has run (the fanout is the last). On lo the receive runs in
 * the sender's softirq: netif_rx() raises it and it runs when the send
 * enables bottom halves again, before send() returns, so the frame is
 * in the ring already (every frame of the corpus in Debian's 5.10, 6.1
 * and 6.12 with one CPU); not when RPS steers it to another CPU or
 * ksoftirqd has the softirq: then poll.
 */
static bool rx_wait(struct realpath *rp)
{
	struct pollfd pfd = { .fd = rp->rx_fd, .events = POLLIN };
	bool received = false;

	for (;;) {
		while (rx_take(rp, &received))
			if (received)
				return true;
		if (poll(&pfd, 1, RX_WAIT_MS) <= 0)
			return false;
	}
}

/*
 * One frame through lo before any is watched (nothing is attached yet):
 * it checks that the receive ring gets what is sent, and it pays the
 * path's first use outside any capture. Under TCG that is qemu
 * translating the kernel's code for the path on its first run: 3 ms for
 * the first frame in a 6.1 guest, 12 us for each one after.
 */
static int path_check(struct realpath *rp, char *err, size_t err_size)
{
	/* IPv4/UDP to a MAC that is not lo's: IP drops it on arrival */
	static const uint8_t frame[] = {
		0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,
		0x45, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x40, 0x00,
		0x40, 0x11, 0x26, 0xcf, 10, 0, 0, 1, 10, 0, 0, 2,
		0x04, 0x00, 0x04, 0x00, 0x00, 0x08, 0x00, 0x00,
	};
	int ret = 0;

	if (send(rp->tx_fd, frame, sizeof(frame), 0) < 0)
		ret = -errno;
	else if (!rx_wait(rp))
		ret = -ETIMEDOUT;
	if (ret)
		snprintf(err, err_size,
			 "real path: a frame sent through lo %s",
			 ret == -ETIMEDOUT ?
			 "never reached the receive socket" : strerror(-ret));
	ring_buffer__consume(rp->rb);
	return ret;
}

int realpath_open(struct realpath **out, char *err, size_t err_size)
{
	struct realpath *rp = calloc(1, sizeof(*rp));
	int ret;

	if (!rp)
		return -ENOMEM;
	rp->netns_fd = rp->tx_fd = rp->rx_fd = rp->link_fd = -1;
	ret = trace_load(rp, err, err_size);
	ret = ret ?: netns_open(rp, err, err_size);
	ret = ret ?: path_check(rp, err, err_size);
	if (ret) {
		realpath_close(rp);
		return ret;
	}
	*out = rp;
	return 0;
}

void realpath_close(struct realpath *rp)
{
	if (!rp)
		return;
	realpath_detach(rp);
	if (rp->rx_ring)
		munmap(rp->rx_ring, (size_t)RX_BLOCKS * RX_BLOCK_SIZE);
	if (rp->rx_fd >= 0)
		close(rp->rx_fd);
	if (rp->tx_fd >= 0)
		close(rp->tx_fd);
	if (rp->netns_fd >= 0)
		close(rp->netns_fd);
	ring_buffer__free(rp->rb);
	bpf_link__destroy(rp->trace);
	realpath_bpf__destroy(rp->skel);
	free(rp);
}

int realpath_attach(struct realpath *rp, int prog_fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd;

	if (rp->link_fd >= 0)
		return -EBUSY;
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	fd = bpf_link_create(prog_fd, rp->netns_fd, BPF_FLOW_DISSECTOR, NULL);
	if (fd < 0)
		return fd;
	rp->link_fd = fd;
	rp->skel->bss->watched_prog_id = info.id;
	return 0;
}

void realpath_detach(struct realpath *rp)
{
	if (rp->link_fd < 0)
		return;
	rp->skel->bss->watched_prog_id = 0;
	close(rp->link_fd);
	rp->link_fd = -1;
}

/*
 * skb_vlan_untag() drops a tagged frame too short to pull the tag and
 * the next EtherType: it never reaches the receive side.
 */
static bool rx_expected(const uint8_t *data, uint32_t len)
{
	uint16_t type = (uint16_t)(data[12] << 8 | data[13]);

	return !((type == 0x8100 || type == 0x88a8) && len < 14 + 6);
}

int realpath_send(struct realpath *rp, const uint8_t *data, uint32_t len,
		  struct realpath_obs *obs)
{
	ssize_t sent;

	/* ev[] past n is never read: 700 bytes not cleared per frame */
	obs->n = 0;
	obs->extra = 0;
	obs->received = false;
	/* whatever came late for the frame before is not this frame's */
	rp->obs = NULL;
	ring_buffer__consume(rp->rb);
	if (len < ETH_HLEN)
		return -EINVAL;
	sent = send(rp->tx_fd, data, len, 0);
	if (sent < 0)
		return -errno;
	if (rx_expected(data, len))
		obs->received = rx_wait(rp);
	rp->obs = obs;
	ring_buffer__consume(rp->rb);
	rp->obs = NULL;
	return 0;
}
