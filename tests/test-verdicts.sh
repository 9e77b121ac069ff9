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
test_unchecked_said
test_require_golden_fails
test_max_ns_is_a_failure
test_states_unchecked_counted
test_stdout_full
test_output_full_says_exit_2
test_stale_golden_more_frames
test_stale_golden_malformed_line
test_golden_header_checked
test_golden_header_incomplete
test_load_error_is_not_rejection
test_diff_help_stdout_full
test_gen_full_disk
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

# Every format ends with the run's counts: the JSON total, the JUnit
# suite's properties.
json_total() {
	jq -e -s "map(select(.total)) | .[0].total | $1" "$TMP/out.json"
}

junit_prop() {
	grep -q "<property name=\"$1\" value=\"$2\"/>" "$TMP/out.xml"
}

test_unchecked_said() {
	# a first run: exit 0, and said at the end, in every format
	run 0 "$FDTEST" run -d $REF --expected "$TMP/none" \
		--format json --output "$TMP/out.json" $CAP
	expect_in out "^UNCHECKED: 36 cases had no golden line"
	expect_in out "^  no golden at $TMP/none/reference/vxlan.json$"
	expect_in out "record them with --update"
	expect_in out "run CI with --require-golden"
	check "JSON total counts cases without golden" \
		json_total '.no_golden == 36 and .no_golden_file == 1'
	check "JSON total names the expected root" \
		jq -e -s "map(select(.total)) | .[0].expected == \"$TMP/none\"" \
		"$TMP/out.json"
	check "JSON summary names the golden it looked for" \
		jq -e -s "map(select(.summary)) | .[0] | .golden == \"$TMP/none/reference/vxlan.json\" and .golden_found == false" \
		"$TMP/out.json"
	run 0 "$FDTEST" run -d $REF --expected "$TMP/none" \
		--format junit --output "$TMP/out.xml" $CAP
	check "JUnit validates" xmllint --noout --schema tests/junit.xsd \
		"$TMP/out.xml"
	check "JUnit says how many" junit_prop no_golden 36
	check "JUnit: a testcase with nothing checked is no pass" grep -q \
		'<skipped message="no golden line for any of 36 cases: unchecked"/>' \
		"$TMP/out.xml"
	check "JUnit suite counts it skipped" grep -q \
		'<testsuite name="fdtest" tests="1" failures="0" errors="0" skipped="1"' \
		"$TMP/out.xml"
	check "JUnit names the golden" grep -q \
		"36 cases had no golden line: no golden at $TMP/none/reference/vxlan.json; record it with fdtest run --update" \
		"$TMP/out.xml"
	# nothing to say when every case has its golden line
	run 0 "$FDTEST" run -d $REF $CAP
	expect_not_in out "UNCHECKED"
}

test_require_golden_fails() {
	run 1 "$FDTEST" run -d $REF --expected "$TMP/none" --require-golden $CAP
	expect_in out "^FAILED: 36 cases had no golden line (--require-golden)"
	expect_in out "FAIL reference vxlan.pcap#1/vlanless/flags=0x0: no golden line"
	expect_in out "; exit 1$"
	# the README's CI example fails a case without golden
	check "README CI example uses --require-golden" \
		grep -q "build/fdtest run --flags all --require-golden" README.md
	check "README says what a verdict means" \
		grep -q "^## What a verdict means" README.md
}

test_max_ns_is_a_failure() {
	# no class runs in 1 ns: the run fails, and every report says so
	run 1 "$FDTEST" run -d $REF --repeat 2 --max-ns 1 \
		--format junit --output "$TMP/out.xml" $CAP
	check "JUnit validates" xmllint --noout --schema tests/junit.xsd \
		"$TMP/out.xml"
	check "JUnit counts the timing failure" \
		grep -q '<testsuite name="fdtest" tests="1" failures="1"' "$TMP/out.xml"
	check "JUnit failure names a class" \
		grep -q 'reference/vxlan.pcap: class eth/ipv4/tcp: p99 [0-9]* ns per run, over --max-ns 1' \
		"$TMP/out.xml"
	run 1 "$FDTEST" run -d $REF --repeat 2 --max-ns 1 \
		--format json --output "$TMP/out.json" $CAP
	check "JSON has a failing timing object" \
		jq -e -s 'map(select(.class == "eth/ipv4/tcp")) | .[0] | .verdict == "fail" and .bound_ns == 1' \
		"$TMP/out.json"
	check "JSON total counts it" json_total '.slow > 0'
	# a bound every class meets passes
	run 0 "$FDTEST" run -d $REF --repeat 1 --max-ns 4000000000 \
		--format junit --output "$TMP/out.xml" $CAP
	check "JUnit passes" grep -q 'failures="0"' "$TMP/out.xml"
}

# Nine tags (one more than fdtest strips) and a tag cut short: the states
# cannot be compared, and each case left out is counted in every format.
test_states_unchecked_counted() {
	cat >"$TMP/tags.txt" <<-'END'
	eth / vlan vid=1 / vlan vid=2 / vlan vid=3 / vlan vid=4 / vlan vid=5 / vlan vid=6 / vlan vid=7 / vlan vid=8 / vlan vid=9 / ipv4 / udp
	frame trunc=16 expect=none / eth / vlan vid=1 / ipv4 / udp
	eth / vlan vid=1 / ipv4 / udp
	END
	check "gen" "$FDTEST" gen -o "$TMP/tags.pcap" "$TMP/tags.txt"
	run 0 "$FDTEST" run -d $REF --expected "$TMP/none" \
		--format json --output "$TMP/out.json" "$TMP/tags.pcap"
	expect_in out "(6 not compared across states: tag stack cut short or over 8 tags)"
	expect_in out "#1 .*\[states not compared\]"
	expect_not_in out "#3 .*\[states not compared\]"
	check "JSON total counts them" json_total '.states_unchecked == 6'
	check "JSON marks the cases" jq -e -s \
		'map(select(.states_unchecked)) | length == 6' "$TMP/out.json"
	run 0 "$FDTEST" run -d $REF --expected "$TMP/none" \
		--format junit --output "$TMP/out.xml" "$TMP/tags.pcap"
	check "JUnit counts them" junit_prop states_unchecked 6
	check "JUnit says why" grep -q \
		"6 cases not compared across states: tag stack cut short or over 8 tags" \
		"$TMP/out.xml"
	# with the check off nothing was left out by it
	run 0 "$FDTEST" run -d $REF --expected "$TMP/none" --no-consistency \
		"$TMP/tags.pcap"
	expect_not_in out "not compared"
}

# /dev/full takes no byte: a report lost is exit 2, never 0.
test_stdout_full() {
	for fmt in text json junit; do
		"$FDTEST" run -d $REF --format $fmt $CAP >/dev/full 2>"$TMP/err"
		got=$?
		[ "$got" = 2 ] || fail "--format $fmt to /dev/full: exit $got, want 2"
		expect_in err "^Error: $fmt report to stdout: No space left on device"
	done
}

# diff's results and every help text are output too.
test_diff_help_stdout_full() {
	"$FDTEST" diff -d $REF -d $REF $CAP >/dev/full 2>"$TMP/err"
	got=$?
	[ "$got" = 2 ] || fail "diff to /dev/full: exit $got, want 2"
	expect_in err "^Error: writing to stdout: No space left on device"
	for args in "--help" "-V" "run --help" "diff --help" "gen --help"; do
		"$FDTEST" $args >/dev/full 2>"$TMP/err"
		got=$?
		[ "$got" = 2 ] || fail "fdtest $args to /dev/full: exit $got, want 2"
		expect_in err "^Error: writing to stdout: No space left on device"
	done
	# said once, in the report's words, for run
	"$FDTEST" run -d $REF $CAP >/dev/full 2>"$TMP/err"
	[ "$(grep -c Error "$TMP/err")" = 1 ] || fail "run said the loss more than once"
}

# gen on a full file system: exit 2, the reason, no capture left behind.
test_gen_full_disk() {
	mkdir -p "$TMP/small"
	for i in $(seq 30); do
		echo "eth / ipv4 / udp / payload len=1400"
	done >"$TMP/big.txt"
	for fmt in pcap pcapng; do
		cat >"$TMP/gen.sh" <<-END
		mount -t tmpfs -o size=8k tmpfs "$TMP/small" || exit 99
		"$FDTEST" gen --format $fmt -o "$TMP/small/big.$fmt" "$TMP/big.txt"
		rc=\$?
		ls -A "$TMP/small" >&2
		exit \$rc
		END
		run 2 unshare -m sh "$TMP/gen.sh"
		expect_in err "^Error: .*No space left on device"
		expect_not_in err "^big"
	done
}

# An --output on a full file system: the process exits 2, and the text
# report's last line says exit 2, not what the run alone would give.
test_output_full_says_exit_2() {
	mkdir -p "$TMP/small"
	cat >"$TMP/full.sh" <<-END
	mount -t tmpfs -o size=16k tmpfs "$TMP/small" || exit 99
	"$FDTEST" run -d $REF --flags all --format json \
		--output "$TMP/small/report.json" $CAP
	END
	run 2 unshare -m sh "$TMP/full.sh"
	expect_in err "^Error: .*'$TMP/small/report.json': No space left on device"
	expect_in out "; exit 2$"
	expect_not_in out "; exit 0$"
}

# the committed reference golden of vxlan.pcap, for editing
golden_copy() {
	mkdir -p "$TMP/exp/reference"
	cp expected/reference/vxlan.json "$TMP/exp/reference/vxlan.json"
}

# The first 5 frames of vxlan.pcap as a capture of the same name.
short_capture() {
	mkdir -p "$TMP/short"
	awk '/^[[:space:]]*(#|$)/ { next } n++ < 5' pcaps/vxlan.txt \
		>"$TMP/short/vxlan.txt"
	"$FDTEST" gen -o "$TMP/short/vxlan.pcap" "$TMP/short/vxlan.txt" \
		>/dev/null
}

# A golden of another capture that has more frames is stale (exit 1),
# not malformed: the hash explains why it names frames the capture lacks.
test_stale_golden_more_frames() {
	check "gen" short_capture
	run 1 "$FDTEST" run -d $REF "$TMP/short/vxlan.pcap"
	expect_in err "^Error: golden 'expected/reference/vxlan.json' is stale: it was recorded for a capture with SHA-256"
	expect_in err "frame 6, but the capture has 5 frames (not read further: the golden is stale)"
	expect_in out "(1 stale golden); exit 1$"
	run 1 "$FDTEST" run -d $REF --format junit --output "$TMP/out.xml" \
		"$TMP/short/vxlan.pcap"
	check "JUnit fails the testcase as stale" \
		grep -q '<failure message="0 of 15 cases failed, stale golden"' \
		"$TMP/out.xml"
	# the same golden lines past the end, with the right hash: malformed
	golden_copy
	echo '{"frame":13,"state":"vlanless"}' >>"$TMP/exp/reference/vxlan.json"
	run 2 "$FDTEST" run -d $REF --expected "$TMP/exp" $CAP
	expect_in err "frame 13, but the capture has 12 frames"
	expect_not_in err "stale"
}

# A broken line in a golden of other bytes: stale still wins.
test_stale_golden_malformed_line() {
	golden_copy
	sed -i -e '1s/"sha256":"[0-9a-f]*"/"sha256":"00"/' \
		-e '5s/.*/{"frame":2,/' "$TMP/exp/reference/vxlan.json"
	run 1 "$FDTEST" run -d $REF --expected "$TMP/exp" $CAP
	expect_in err "is stale: it was recorded for a capture with SHA-256 00"
	expect_in err "line 5: .*(not read further: the golden is stale)"
}

# The header names the run a golden was recorded from: a golden of
# another dissector, capture, or fewer states or flag sets is stale.
test_golden_header_checked() {
	golden_copy
	cp expected/vxlan/vxlan.json "$TMP/exp/reference/vxlan.json"
	run 1 "$FDTEST" run -d $REF --expected "$TMP/exp" $CAP
	expect_in err "golden '$TMP/exp/reference/vxlan.json' is stale: it was recorded for dissector 'vxlan', this is 'reference'"
	# the same bytes under another name
	cp $CAP "$TMP/renamed.pcap"
	golden_copy
	cp "$TMP/exp/reference/vxlan.json" "$TMP/exp/reference/renamed.json"
	run 1 "$FDTEST" run -d $REF --expected "$TMP/exp" "$TMP/renamed.pcap"
	expect_in err "is stale: it was recorded for capture 'vxlan.pcap', this is 'renamed.pcap'"
	# recorded for one state and flag set, run with more
	run 0 "$FDTEST" run -d $REF --update --states vlanless \
		--expected "$TMP/few" $CAP
	run 1 "$FDTEST" run -d $REF --expected "$TMP/few" $CAP
	expect_in err "is stale: it was recorded without pre-vlan,post-vlan (--states)"
	run 1 "$FDTEST" run -d $REF --states vlanless --flags 0,4 \
		--expected "$TMP/few" $CAP
	expect_in err "is stale: it was recorded without flag set 0x4 (--flags)"
	# fewer than recorded is fine: the other lines are passed over
	run 0 "$FDTEST" run -d $REF --states vlanless --expected "$TMP/few" $CAP
	run 0 "$FDTEST" run -d $REF --states post-vlan --flags 0x4 --require-golden $CAP
	expect_not_in err "stale"
}

# A header that does not say what it was recorded from is malformed.
test_golden_header_incomplete() {
	for field in sha256 capture dissector; do
		golden_copy
		sed -i "1s/\"$field\":\"[^\"]*\"/\"$field\":\"\"/" \
			"$TMP/exp/reference/vxlan.json"
		run 2 "$FDTEST" run -d $REF --expected "$TMP/exp" $CAP
		expect_in err "line 1: the header's \"$field\" is missing or empty"
	done
	golden_copy
	sed -i '1s/,"sha256":"[0-9a-f]*"//' "$TMP/exp/reference/vxlan.json"
	run 2 "$FDTEST" run -d $REF --expected "$TMP/exp" $CAP
	expect_in err "line 1: the header's \"sha256\" is missing or empty"
	golden_copy
	sed -i '1s/"states":\[[^]]*\]/"states":[]/' "$TMP/exp/reference/vxlan.json"
	run 2 "$FDTEST" run -d $REF --expected "$TMP/exp" $CAP
	expect_in err "line 1: the header's \"states\" is missing or empty"
}

# A map the kernel cannot create fails the load before the verifier sees
# a program: an error of the object (exit 2) that says so, not "the
# verifier rejected" (exit 3), which only the verifier's log earns.
test_load_error_is_not_rejection() {
	run 2 "$FDTEST" run -d $O/tests/fixtures/bad_map.bpf.o $CAP
	expect_in err "loading it failed before the verifier judged it: map 'bad_key': failed to create"
	expect_not_in err "verifier rejected"
	run 3 "$FDTEST" run -d $O/tests/fixtures/bad_rejected.bpf.o $CAP
	expect_in err "the verifier rejected prog 'bad_unchecked_read'"
}

run_all test-verdicts
