/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Captures in: pcap or pcapng through libpcap, read one record at a time,
 * every frame handed on as Ethernet. Link types without an Ethernet header
 * (the rows of linktype.h) get one made up: dst 02:00:00:00:00:02, src
 * 02:00:00:00:00:01, and the EtherType the link layer names.
 */
#ifndef FDTEST_CAPTURE_H
#define FDTEST_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of a frame kept: enough for a 4096-byte test run after shaping. */
#define CAPTURE_KEEP_MAX 8192u

struct capture;

struct capture_frame {
	uint32_t index;		/* 1-based, as tcpdump and Wireshark count */
	const uint8_t *data;	/* Ethernet frame; valid until the next call */
	uint32_t len;		/* bytes at data, at most CAPTURE_KEEP_MAX */
	uint32_t caplen;	/* bytes captured (plus a made-up header) */
	uint32_t wire_len;	/* length on the wire */
};

enum capture_next_result {
	CAPTURE_END = 0,
	CAPTURE_FRAME = 1,
	CAPTURE_SKIP = 2,	/* frame index set, reason given */
};

/*
 * Opens a capture. Returns 0, or a negative errno with a one-line reason
 * in @err (-ENOENT missing, -EISDIR a directory, -EINVAL unreadable, empty,
 * not a capture or an unusable link type).
 */
int capture_open(const char *path, struct capture **out, char *err,
		 size_t err_size);

/*
 * The same for a capture held in memory (@data must outlive the capture):
 * for fuzzing the reader without files.
 */
int capture_open_mem(const void *data, size_t size, struct capture **out,
		     char *err, size_t err_size);

/* Name of the link type, e.g. "EN10MB", "LINUX_SLL2". */
const char *capture_linktype(const struct capture *cap);
/*
 * The SHA-256 (hex) of a capture read from standard input, which was
 * hashed as it was copied in: its golden names it. "" for a file.
 */
const char *capture_sha256(const struct capture *cap);
/* True when frames get a made-up Ethernet header. */
bool capture_synthesizes(const struct capture *cap);

/*
 * Reads the next record: CAPTURE_FRAME with @frame filled, CAPTURE_SKIP
 * with frame->index and a reason in @why (too short, unknown protocol),
 * CAPTURE_END, or a negative errno with the reason in @why (truncated or
 * corrupt file).
 */
int capture_next(struct capture *cap, struct capture_frame *frame,
		 char *why, size_t why_size);

/*
 * The next frame a test run can take, for the callers that pass over
 * the rest without a word (the real path): skipped records and frames
 * under FDTEST_FRAME_MIN bytes are read past, and *@len is the frame's
 * length cut to FDTEST_FRAME_MAX. CAPTURE_FRAME, CAPTURE_END, or a
 * negative errno with the reason in @why.
 */
int capture_next_runnable(struct capture *cap, struct capture_frame *frame,
			  uint32_t *len, char *why, size_t why_size);

/* Bytes of the file read so far and its size, for progress; 0 if unknown. */
void capture_position(const struct capture *cap, uint64_t *done,
		      uint64_t *total);

void capture_close(struct capture *cap);	/* NULL is fine */

#endif /* FDTEST_CAPTURE_H */
