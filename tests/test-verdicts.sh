#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# What fdtest run, diff and gen say and return: every verdict earned,
# every error reaching the exit code. Each test_* function is one case;
# ALL_TESTS lists them in order.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$(cd "$O" && pwd)/fdtest
REF=$O/dissectors/reference.bpf.o
CAP=pcaps/vxlan.pcap
TMP=$(mktemp -d /tmp/fdtest-verdicts.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ALL_TESTS="
test_empty_lists_said
test_long_frame_consistent
"

. tests/cli-lib.sh

test_empty_lists_said() {
	run 2 "$FDTEST" run --flags '' $CAP
	expect_in err "^Error: --flags: '' names no flag set"
	run 2 "$FDTEST" run --flags , $CAP
	expect_in err "^Error: --flags: ',' names no flag set"
	run 2 "$FDTEST" run --states '' $CAP
	expect_in err "^Error: --states: '' names no state"
	run 2 "$FDTEST" run --states , $CAP
	expect_in err "^Error: --states: ',' names no state"
	run 2 "$FDTEST" diff -d $REF -d $REF --flags '' $CAP
	expect_in err "^Error: --flags: '' names no flag set"
	run 2 "$FDTEST" diff -d $REF -d $REF --states '' $CAP
	expect_in err "^Error: --states: '' names no state"
}

# A frame longer than the test run's 4096 bytes whose inner TCP header
# ends 2 bytes before the cut in vlanless (4000 bytes of IPv6 extension
# headers, then IPv4 and TCP with 4 bytes of options): every state must
# be cut after the same payload byte, or pre-vlan, 4 bytes longer, loses
# the end of the header and the states disagree.
test_long_frame_consistent() {
	cat >"$TMP/long.txt" <<-'END'
	eth / ipv6 src=2001:db8::1 dst=2001:db8::2 / hbh len=255 / dstopt len=245 / tcp sport=1000 dport=2000 opts=01010101 / payload len=64
	eth / vlan vid=5 / ipv6 src=2001:db8::1 dst=2001:db8::2 / hbh len=255 / dstopt len=245 / tcp sport=1000 dport=2000 opts=01010101 / payload len=64
	END
	check "gen" "$FDTEST" gen -o "$TMP/long.pcap" "$TMP/long.txt"
	run 0 "$FDTEST" run -d $REF --expected "$TMP/none" "$TMP/long.pcap"
	expect_in out "#1 .* thoff 4070/4074/4074 \[cut to 4096\]"
	expect_in out "2 frames (0 skipped, 2 cut)"
	expect_not_in out "inconsistent"
}

run_all test-verdicts
