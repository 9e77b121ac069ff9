#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# A third-party pcapng whose interfaces differ in link type, as Wireshark
# and libtrace write them: libtrace's test/traces/complex.pcapng (in
# ../shared/pcaps, or FDTEST_SHARED_PCAPS), big-endian, Ethernet, BSD
# loopback (NULL) and Ethernet again, 5 packets. libpcap refuses it;
# fdtest reads each packet by its own interface's link type. The values
# below were read from the file's bytes, not from fdtest.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$(cd "$O" && pwd)/fdtest
REF=$O/dissectors/reference.bpf.o
DIR=${FDTEST_SHARED_PCAPS:-$PWD/../shared/pcaps}
CAP=$DIR/libtrace_complex.pcapng
TMP=$(mktemp -d /tmp/fdtest-shared-ng.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ALL_TESTS="
test_present
test_linktypes_by_interface
test_loopback_frame
"

. tests/cli-lib.sh

test_present() {
	[ -f "$CAP" ] || fail "missing: $CAP (the folder shared/pcaps beside the repository, or set FDTEST_SHARED_PCAPS)"
}

test_linktypes_by_interface() {
	[ -f "$CAP" ] || fail "missing: $CAP"
	run 0 "$FDTEST" run -j0 -d $REF --expected "$TMP/none" "$CAP"
	expect_in out "by interface: EN10MB, NULL, EN10MB"
	expect_in out "5 frames (0 skipped"
}

# frame 5, on the loopback interface: AF_INET (2, little-endian), then
# IPv4 UDP 192.168.1.139.17500 > 255.255.255.255.17500 (Dropbox LAN sync)
test_loopback_frame() {
	[ -f "$CAP" ] || fail "missing: $CAP"
	run 0 "$FDTEST" run -j0 -d $REF --expected "$TMP/none" \
		--states vlanless --format json "$CAP"
	check "frame 5's keys" jq -es 'map(select(.frame == 5 and .verdict)) |
		length == 1 and (.[0] | .ret == "BPF_OK" and .nhoff == 14 and
		.n_proto == "0x0800" and .ip_proto == 17 and
		.src == "192.168.1.139" and .dst == "255.255.255.255" and
		.sport == 17500 and .dport == 17500)' "$TMP/out"
	# frames 1 to 4: DHCP on Ethernet, ports 68 > 67 and 67 > 68
	check "frames 1 to 4" jq -es '[.[] | select(.verdict and .frame < 5) |
		[.sport, .dport]] | sort == [[67,68],[67,68],[68,67],[68,67]]' \
		"$TMP/out"
}

run_all shared-pcapng-linktypes
