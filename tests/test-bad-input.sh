#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Bad input and a hostile machine: each case proves fdtest's one-line
# message (naming the file and what is wrong) and its exit code, and that
# no golden is lost. Captures are crafted here, byte by byte; the bad
# dissectors are tests/fixtures/bad_*.bpf.c. Runs as root (it mounts a
# tmpfs and drops privileges with setpriv).
# Each test_* function is one case; ALL_TESTS lists them in order.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$(cd "$O" && pwd)/fdtest
REF=$O/dissectors/reference.bpf.o
FIX=$O/tests/fixtures
CAP=pcaps/vxlan.pcap
TMP=$(mktemp -d /tmp/fdtest-bad.XXXXXX)
MNT=$TMP/full
trap 'mountpoint -q "$MNT" && umount "$MNT"; rm -rf "$TMP"' EXIT

ALL_TESTS="
test_capture_missing
test_capture_unreadable
test_capture_empty_file
test_capture_no_frames
test_capture_truncated_global_header
test_capture_truncated_record_header
test_capture_truncated_record_data
test_capture_caplen_over_snaplen
test_capture_caplen_over_256k
test_capture_caplen_zero
test_capture_length_overflow
test_capture_unknown_linktype
test_capture_pcapng_bad_version
test_capture_pcapng_bad_interface
test_capture_pcapng_mixed_linktypes
test_capture_not_a_capture
test_capture_directory
test_capture_ppp_and_nflog
test_dissector_missing
test_dissector_not_elf
test_dissector_not_bpf_elf
test_dissector_no_program
test_dissector_other_type
test_dissector_verifier_rejects
test_dissector_prog_array_empty
test_dissector_prog_array_hole
test_golden_unknown_field
test_golden_wrong_type
test_golden_duplicate_line
test_golden_duplicate_key
test_golden_bad_header
test_golden_empty
test_golden_directory
test_env_no_privilege
test_env_caps_without_perfmon
test_env_caps_suffice
test_env_memlock_zero
test_env_no_btf_no_bpffs
test_update_sigint
test_update_sigterm
test_update_disk_full
"

. tests/cli-lib.sh

# The error is one line: "Error: " once, naming the file.
one_error_line() {
	local subject=$1
	[ "$(grep -c '^Error: ' "$TMP/err")" = 1 ] ||
		{ cat "$TMP/err"; fail "want exactly one error line"; }
	expect_in err "^Error: .*'$subject'"
}

# fdtest run with the reference dissector and no goldens
fd_run() {
	"$FDTEST" run -d $REF --expected "$TMP/none" "$@"
}

# ---- crafting captures ------------------------------------------------

# Little-endian integers as raw bytes.
le16() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))"; }
le32() { le16 $(($1 & 65535)); le16 $(($1 >> 16 & 65535)); }

# pcap file header: [SNAPLEN [LINKTYPE]]
pcap_header() {
	le32 0xa1b2c3d4; le16 2; le16 4; le32 0; le32 0
	le32 "${1:-65535}"; le32 "${2:-1}"
}

# pcap record header: CAPLEN [WIRELEN]
pcap_record() {
	le32 0; le32 0; le32 "$1"; le32 "${2:-$1}"
}

# A 60-byte Ethernet/IPv4/UDP frame 10.0.0.1.1000 > 10.0.0.2.2000.
eth_frame() {
	printf '\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00'
	printf '\x45\0\0\x2e\0\0\0\0\x40\x11\0\0\x0a\0\0\x01\x0a\0\0\x02'
	printf '\x03\xe8\x07\xd0\0\x1a\0\0'
	head -c 18 /dev/zero
}

# The same IPv4 packet without its Ethernet header (46 bytes).
ip_packet() { eth_frame | tail -c +15; }

one_frame() { pcap_record 60; eth_frame; }

# pcapng blocks: section header [MAJOR], interface [LINKTYPE], packet IFACE
ng_section() {
	le32 0x0a0d0d0a; le32 28; le32 0x1a2b3c4d; le16 "${1:-1}"; le16 0
	le32 0xffffffff; le32 0xffffffff; le32 28
}
ng_interface() { le32 1; le32 20; le16 "${1:-1}"; le16 0; le32 65535; le32 20; }
ng_packet() {
	le32 6; le32 92; le32 "$1"; le32 0; le32 0; le32 60; le32 60
	eth_frame; le32 92
}

test_capture_missing() {
	run 2 fd_run "$TMP/nope.pcap" && one_error_line "$TMP/nope.pcap" &&
	expect_in err "No such file or directory"
}

# root reads any file: the case needs a user with BPF rights but no
# CAP_DAC_OVERRIDE
as_bpf_user() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all,+bpf,+net_admin,+perfmon \
		--ambient-caps=+bpf,+net_admin,+perfmon "$@"
}

# Copies of the reference dissector and vxlan.pcap nobody can read.
user_files() {
	chmod 755 "$TMP"
	cp $REF "$TMP/ref.bpf.o" && cp $CAP "$TMP/c.pcap" &&
	chmod 644 "$TMP/ref.bpf.o" "$TMP/c.pcap"
}

test_capture_unreadable() {
	command -v setpriv >/dev/null || fail "setpriv missing: apt-get install util-linux"
	check "copies for another user" user_files
	check "an unreadable capture" chmod 000 "$TMP/c.pcap"
	run 2 as_bpf_user "$FDTEST" run -d "$TMP/ref.bpf.o" \
		--expected "$TMP/none" "$TMP/c.pcap" &&
	one_error_line "$TMP/c.pcap" && expect_in err "cannot read it: Permission denied"
}

test_capture_empty_file() {
	: >"$TMP/empty.pcap"
	run 2 fd_run "$TMP/empty.pcap" && one_error_line "$TMP/empty.pcap" &&
	expect_in err "empty file (0 bytes)"
}

# A header and no record: nothing to check is not a failure (exit 0),
# but it is said.
test_capture_no_frames() {
	pcap_header >"$TMP/none.pcap"
	{ ng_section; ng_interface; } >"$TMP/none.pcapng"
	for f in none.pcap none.pcapng; do
		run 0 fd_run "$TMP/$f"
		expect_in err "^Warning: capture '$TMP/$f' has no frames: nothing was checked" &&
		expect_in out "0 frames"
	done
}

test_capture_truncated_global_header() {
	pcap_header | head -c 10 >"$TMP/c.pcap"
	run 2 fd_run "$TMP/c.pcap" && one_error_line "$TMP/c.pcap" &&
	expect_in err "tried to read 24 file header bytes, only got 6"
}

test_capture_truncated_record_header() {
	{ pcap_header; one_frame; pcap_record 60 | head -c 7; } >"$TMP/c.pcap"
	run 2 fd_run "$TMP/c.pcap" && one_error_line "$TMP/c.pcap" &&
	expect_in err "frame 2: truncated dump file; tried to read 16 header bytes, only got 7" &&
	expect_in out "#1 "
}

test_capture_truncated_record_data() {
	{ pcap_header; one_frame; pcap_record 60; eth_frame | head -c 14; } >"$TMP/c.pcap"
	run 2 fd_run "$TMP/c.pcap" && one_error_line "$TMP/c.pcap" &&
	expect_in err "frame 2: truncated dump file; tried to read 60 captured bytes, only got 14"
}

# libpcap reads a record longer than the file's snaplen, up to 256 KiB,
# and cuts it to the snaplen, as tcpdump shows it: the frame is replayed
# and the record after it is read in step.
test_capture_caplen_over_snaplen() {
	{
		pcap_header 40; pcap_record 60; eth_frame; one_frame
	} >"$TMP/c.pcap"
	run 0 fd_run --format json "$TMP/c.pcap"
	[ "$(jq -s 'map(select(.frame == 2 and .verdict)) | length' "$TMP/out")" = 3 ] ||
		fail "frame 2 was not read in step"
}

test_capture_caplen_over_256k() {
	{
		pcap_header 262144; one_frame; pcap_record 300000
		head -c 300000 /dev/zero
	} >"$TMP/c.pcap"
	run 2 fd_run "$TMP/c.pcap" && one_error_line "$TMP/c.pcap" &&
	expect_in err "frame 2: invalid packet capture length 300000"
}

test_capture_caplen_zero() {
	{ pcap_header; pcap_record 0; one_frame; } >"$TMP/c.pcap"
	run 0 fd_run "$TMP/c.pcap" &&
	expect_in out "#1 .*skip .*0 bytes, shorter than an Ethernet header" &&
	expect_in out "2 frames (1 skipped"
}

test_capture_length_overflow() {
	{ pcap_header; one_frame; pcap_record 0xffffffff; eth_frame; } >"$TMP/c.pcap"
	run 2 fd_run "$TMP/c.pcap" && one_error_line "$TMP/c.pcap" &&
	expect_in err "frame 2: invalid packet capture length 4294967295"
}

test_capture_unknown_linktype() {
	{ pcap_header 65535 147; one_frame; } >"$TMP/c.pcap"
	run 2 fd_run "$TMP/c.pcap" && one_error_line "$TMP/c.pcap" &&
	expect_in err "link type 147 (.*) not supported: fdtest reads Ethernet, RAW,"
}

test_capture_pcapng_bad_version() {
	{ ng_section 2; ng_interface; ng_packet 0; } >"$TMP/c.pcapng"
	run 2 fd_run "$TMP/c.pcapng" && one_error_line "$TMP/c.pcapng" &&
	expect_in err "not a readable pcap or pcapng file: .*version 2"
}

test_capture_pcapng_bad_interface() {
	{ ng_section; ng_interface; ng_packet 0; ng_packet 5; } >"$TMP/c.pcapng"
	run 2 fd_run "$TMP/c.pcapng" && one_error_line "$TMP/c.pcapng" &&
	expect_in err "frame 2: a packet arrived on interface 5, but there's no Interface Description Block"
}

# libpcap reads one link type per file; fdtest reads each packet by its
# own interface's (tests/test-hostile-input.sh has more)
test_capture_pcapng_mixed_linktypes() {
	{
		ng_section; ng_interface 1; ng_interface 101; ng_packet 0
	} >"$TMP/c.pcapng"
	run 0 fd_run "$TMP/c.pcapng" &&
	expect_in out "by interface: EN10MB, RAW" &&
	expect_in out "1 frames (0 skipped"
}

test_capture_not_a_capture() {
	run 2 fd_run README.md && one_error_line README.md &&
	expect_in err "not a readable pcap or pcapng file: unknown file format"
}

test_capture_directory() {
	run 2 fd_run pcaps && one_error_line pcaps &&
	expect_in err "is a directory, not a capture"
}

# PPP (address, control, protocol 0x0021) and NFLOG (family AF_INET, a
# prefix TLV, then the payload TLV) both carry the IPv4 packet.
test_capture_ppp_and_nflog() {
	{
		pcap_header 65535 9; pcap_record 50
		printf '\xff\x03\x00\x21'; ip_packet
	} >"$TMP/ppp.pcap"
	{
		pcap_header 65535 239; pcap_record 64
		printf '\x02\x00\x00\x00'; le16 8; le16 10; printf 'abcd'
		le16 50; le16 9; ip_packet; printf '\0\0'
	} >"$TMP/nflog.pcap"
	for f in ppp nflog; do
		run 0 fd_run "$TMP/$f.pcap"
		expect_in out "Ethernet header made up"
		expect_in out "#1 .*BPF_OK .*ipv4 udp 10.0.0.1.1000 > 10.0.0.2.2000"
	done
}

test_dissector_missing() {
	run 2 "$FDTEST" run -d "$TMP/nope.bpf.o" $CAP &&
	one_error_line "$TMP/nope.bpf.o" && expect_in err "No such file or directory"
}

test_dissector_not_elf() {
	run 2 "$FDTEST" run -d README.md $CAP && one_error_line README.md &&
	expect_in err "not a BPF object file: .*not a proper ELF object"
}

# An ELF object, but for the host, not for BPF.
test_dissector_not_bpf_elf() {
	run 2 "$FDTEST" run -d $O/harness/capture/capture.o $CAP &&
	one_error_line $O/harness/capture/capture.o &&
	expect_in err "not a BPF object file: .*not a valid eBPF object file"
}

test_dissector_no_program() {
	run 2 "$FDTEST" run -d $FIX/bad_no_prog.bpf.o $CAP &&
	one_error_line $FIX/bad_no_prog.bpf.o &&
	expect_in err "no SEC(\"flow_dissector\") program in the object (it has no program at all)"
}

test_dissector_other_type() {
	run 2 "$FDTEST" run -d $FIX/bad_xdp_only.bpf.o $CAP &&
	one_error_line $FIX/bad_xdp_only.bpf.o &&
	expect_in err "no SEC(\"flow_dissector\") program in the object (it has xdp 'bad_pass')"
}

# The log is cut to its end, where the verifier says what it refused;
# -v shows it whole.
test_dissector_verifier_rejects() {
	run 3 "$FDTEST" run -d $FIX/bad_rejected.bpf.o $CAP &&
	one_error_line $FIX/bad_rejected.bpf.o &&
	expect_in err "the verifier rejected prog 'bad_unchecked_read'" &&
	expect_in err "verifier log, last 12 of [0-9]* lines (-v shows all)" &&
	expect_in err "invalid access to packet"
	expect_not_in err '^0: '
	[ "$(wc -l <"$TMP/err")" = 14 ] || fail "want a header, 12 log lines, the error"
	run 3 "$FDTEST" -v run -d $FIX/bad_rejected.bpf.o $CAP &&
	expect_in err "^0: " && expect_in err "invalid access to packet"
}

test_dissector_prog_array_empty() {
	run 2 "$FDTEST" run -d $FIX/bad_tailcall_empty.bpf.o $CAP &&
	one_error_line $FIX/bad_tailcall_empty.bpf.o &&
	expect_in err "map 'bad_jumps' is an empty PROG_ARRAY and no flow_dissector program is named <prefix>_<N>"
}

test_dissector_prog_array_hole() {
	run 2 "$FDTEST" run -d $FIX/bad_tailcall_gap.bpf.o $CAP &&
	one_error_line $FIX/bad_tailcall_gap.bpf.o &&
	expect_in err "map 'bad_steps': slot 1 is empty: no program 'bad_step_1'"
}

# ---- goldens: a copy of the reference golden of vxlan.pcap ------------

GOLDEN=$TMP/exp/reference/vxlan.json

# (a fresh tree: an earlier test may have left a folder where it goes)
golden_copy() {
	rm -rf "$TMP/exp"
	mkdir -p "$TMP/exp/reference"
	cp expected/reference/vxlan.json "$GOLDEN"
}

# golden_edit LINE SED-EXPRESSION
golden_edit() {
	golden_copy && sed -i "$1$2" "$GOLDEN"
}

golden_run() {
	"$FDTEST" run -d $REF --expected "$TMP/exp" $CAP
}

test_golden_unknown_field() {
	golden_edit 4 's/"thoff"/"bogus":1,"thoff"/' &&
	run 2 golden_run && one_error_line "$GOLDEN" &&
	expect_in err "line 4: unknown field 'bogus'"
}

test_golden_wrong_type() {
	golden_edit 5 's/"thoff":\([0-9]*\)/"thoff":"\1"/' &&
	run 2 golden_run && one_error_line "$GOLDEN" &&
	expect_in err "line 5: field 'thoff': expected"
}

test_golden_duplicate_line() {
	golden_copy && sed -i '3p' "$GOLDEN" &&
	run 2 golden_run && one_error_line "$GOLDEN" &&
	expect_in err "line 4: .*is a repeat"
}

test_golden_duplicate_key() {
	golden_edit 2 's/"nhoff":14,/"nhoff":14,"nhoff":18,/' &&
	run 2 golden_run && one_error_line "$GOLDEN" &&
	expect_in err "line 2: duplicate object key"
}

test_golden_bad_header() {
	golden_edit 1 's/"capture"/"extra":true,"capture"/' &&
	run 2 golden_run && one_error_line "$GOLDEN" &&
	expect_in err "line 1: unknown header field 'extra'"
	golden_edit 1 's/"states":\[[^]]*\]/"states":"all"/' &&
	run 2 golden_run && one_error_line "$GOLDEN" &&
	expect_in err "line 1: \"states\" and \"in_flags\" must be arrays"
}

test_golden_empty() {
	golden_copy && : >"$GOLDEN" &&
	run 2 golden_run && one_error_line "$GOLDEN" &&
	expect_in err "empty file, no header line"
}

test_golden_directory() {
	check "no golden file" rm -rf "$TMP/exp"
	check "a folder where the golden goes" mkdir -p "$GOLDEN"
	run 2 golden_run
	one_error_line "$GOLDEN"
	expect_in err "is a directory, not a golden file"
}

# ---- the machine ------------------------------------------------------

test_env_no_privilege() {
	check "copies for another user" user_files
	run 3 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$FDTEST" run -d "$TMP/ref.bpf.o" "$TMP/c.pcap" &&
	[ "$(grep -c '^Error: ' "$TMP/err")" = 1 ] &&
	expect_in err "needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON"
}

# CAP_BPF and CAP_NET_ADMIN load and run a flow dissector, but the
# verifier refuses packet pointer arithmetic without CAP_PERFMON.
test_env_caps_without_perfmon() {
	check "copies for another user" user_files
	run 3 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all,+bpf,+net_admin --ambient-caps=+bpf,+net_admin \
		"$FDTEST" run -d "$TMP/ref.bpf.o" --expected "$TMP/none" "$TMP/c.pcap" &&
	one_error_line "$TMP/ref.bpf.o" &&
	expect_in err "only with CAP_PERFMON: run as root, or with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON"
}

test_env_caps_suffice() {
	check "copies for another user" user_files
	run 0 as_bpf_user "$FDTEST" run -d "$TMP/ref.bpf.o" \
		--expected "$TMP/none" "$TMP/c.pcap" &&
	expect_in out "12 frames (0 skipped"
}

# Since 5.11 BPF memory is charged to the memory cgroup, not to
# RLIMIT_MEMLOCK; before, libbpf 1.x raises the limit itself at the first
# load (root may). Either way a zero limit must not stop a run as root.
test_env_memlock_zero() {
	run 0 prlimit --memlock=0:0 "$FDTEST" run -d $REF --expected "$TMP/none" $CAP &&
	expect_in out "12 frames (0 skipped"
}

# fdtest pins nothing and needs no kernel BTF: hide both and run.
test_env_no_btf_no_bpffs() {
	run 0 unshare --mount sh -c '
		mount --make-rprivate / || exit 10
		mount -t tmpfs none /sys/kernel/btf || exit 11
		# bpffs may be mounted more than once, one over the other
		for _ in 1 2 3 4 5 6 7 8; do
			grep -q " /sys/fs/bpf bpf " /proc/self/mounts || break
			umount /sys/fs/bpf || exit 12
		done
		if [ -e /sys/kernel/btf/vmlinux ] ||
		   grep -q " /sys/fs/bpf bpf " /proc/self/mounts; then
			echo "cannot hide BTF and bpffs" >&2
			exit 13
		fi
		exec "$@"' sh "$FDTEST" run -d $REF --expected "$TMP/none" $CAP &&
	expect_in out "12 frames (0 skipped"
}

# ---- --update interrupted ---------------------------------------------

# A capture named vxlan.pcap with 2^14 frames: its golden takes a while
# to write (and is far larger than the old one).
big_capture() {
	[ -s "$TMP/big/vxlan.pcap" ] && return 0
	mkdir -p "$TMP/big"
	one_frame >"$TMP/big/recs"
	for _ in $(seq 14); do
		cat "$TMP/big/recs" "$TMP/big/recs" >"$TMP/big/recs2" &&
		mv "$TMP/big/recs2" "$TMP/big/recs"
	done
	{ pcap_header; cat "$TMP/big/recs"; } >"$TMP/big/vxlan.pcap"
	rm -f "$TMP/big/recs"
}

# update_killed SIGNAL EXIT: the old golden stays, no temporary is left
update_killed() {
	local sig=$1 want=$2 pid got
	check "a capture of 2^14 frames" big_capture
	check "a golden to keep" golden_copy
	check "a golden to keep" cp "$GOLDEN" "$TMP/before"
	# a background job of a script ignores SIGINT unless told otherwise
	env --default-signal=INT,TERM "$FDTEST" run -d $REF --update --flags all \
		--expected "$TMP/exp" "$TMP/big/vxlan.pcap" >/dev/null 2>"$TMP/err" &
	pid=$!
	for _ in $(seq 200); do
		compgen -G "${GOLDEN%/*}/.fdtest.*" >/dev/null && break
		sleep 0.02
	done
	compgen -G "${GOLDEN%/*}/.fdtest.*" >/dev/null || { kill $pid; fail "no temporary golden seen"; }
	kill -s "$sig" $pid
	wait $pid
	got=$?
	[ "$got" = "$want" ] || fail "exit $got, want $want (killed by $sig)"
	cmp -s "$TMP/before" "$GOLDEN" || fail "the old golden changed"
	[ -z "$(find "$TMP/exp" \( -name '.fdtest.*' -o -name '*.tmp.*' \))" ] || fail "temporary file left"
}

test_update_sigint() {
	update_killed INT 130
}

test_update_sigterm() {
	update_killed TERM 143
}

# A 256 KiB tmpfs holds the old golden but not the new one.
test_update_disk_full() {
	local golden=$MNT/reference/vxlan.json
	check "a capture of 2^14 frames" big_capture
	check "a mount point" mkdir -p "$MNT"
	# the script's exit trap unmounts it, whichever step fails
	mount -t tmpfs -o size=256k fdtest-full "$MNT" || fail "cannot mount a tmpfs (needs root)"
	check "the old golden on the tmpfs" mkdir -p "$MNT/reference"
	check "the old golden on the tmpfs" cp expected/reference/vxlan.json "$golden"
	run 2 "$FDTEST" run -d $REF --update --flags all --expected "$MNT" \
		"$TMP/big/vxlan.pcap"
	one_error_line "$golden"
	expect_in err "cannot write: No space left on device"
	cmp -s expected/reference/vxlan.json "$golden" || fail "old golden lost"
	[ -z "$(find "$MNT" \( -name '.fdtest.*' -o -name '*.tmp.*' \))" ] || fail "temporary left"
	umount "$MNT" || fail "cannot unmount $MNT"
}

run_all test-bad-input
