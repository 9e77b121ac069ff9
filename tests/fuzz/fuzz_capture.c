// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: the capture reader and the frame shaper. Each input
 * is a whole pcap or pcapng file held in memory; every record is read,
 * mapped to Ethernet and shaped into the three starting states, both
 * ways post-vlan can be made. Besides what ASan and UBSan catch, the
 * shaper's promises are checked: every state is 14..4096 bytes and lies
 * inside its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"
#include "run/frame.h"

/* A hostile file may hold millions of tiny records: bound the work. */
#define FUZZ_FRAMES_MAX 4096

static struct frame_states shaped;

static void check_state(const struct frame_state *st, const uint8_t *data,
			uint32_t len)
{
	const uint8_t *lo = (const uint8_t *)&shaped;
	const uint8_t *hi = lo + sizeof(shaped);
	volatile uint8_t sum = 0;

	if (st->len < FDTEST_FRAME_MIN || st->len > FDTEST_FRAME_MAX)
		abort();
	/* in the captured frame or in one of our buffers, whole */
	if (!((st->data >= data && st->data + st->len <= data + len) ||
	      (st->data >= lo && st->data + st->len <= hi)))
		abort();
	/* let ASan see every byte the kernel would be given */
	for (uint32_t i = 0; i < st->len; i++)
		sum += st->data[i];
	(void)sum;
}

static void shape_frame(const struct capture_frame *fr)
{
	for (int ctx = 0; ctx <= 1; ctx++) {
		if (frame_shape(fr->data, fr->len, ctx, &shaped))
			abort();	/* capture_next() promised 14 bytes */
		for (int s = 0; s < FDTEST_STATE_COUNT; s++)
			check_state(&shaped.state[s], fr->data, fr->len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct capture_frame fr;
	struct capture *cap;
	uint64_t done, total;
	char why[512];
	int ret;

	if (capture_open_mem(data, size, &cap, why, sizeof(why)))
		return 0;
	(void)capture_linktype(cap);
	for (int i = 0; i < FUZZ_FRAMES_MAX; i++) {
		ret = capture_next(cap, &fr, why, sizeof(why));
		if (ret == CAPTURE_END || ret < 0)
			break;
		if (ret == CAPTURE_SKIP)
			continue;
		if (fr.len < FDTEST_FRAME_MIN || fr.len > CAPTURE_KEEP_MAX ||
		    fr.len > fr.caplen)
			abort();
		shape_frame(&fr);
		capture_position(cap, &done, &total);
	}
	capture_close(cap);
	return 0;
}
