#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# fdtest as a user and CI see it: exit codes, messages, goldens.
# Each test_* function is one case; ALL_TESTS lists them in order.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$(cd "$O" && pwd)/fdtest
REF=$O/dissectors/reference.bpf.o
VXLAN=$O/dissectors/vxlan.bpf.o
NAIVE=$O/tests/fixtures/naive.bpf.o
CAP=pcaps/vxlan.pcap
TMP=$(mktemp -d /tmp/fdtest-cli.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ALL_TESTS="
test_help
test_usage_errors
test_run_vxlan_passes
test_run_json_is_valid
test_golden_corrupted_value
test_golden_partial_line
test_golden_malformed
test_golden_out_of_order
test_golden_frame_past_end
test_golden_stale
test_update_writes_same_bytes
test_update_keeps_old_on_error
test_require_golden
test_naive_caught
test_bad_captures
test_short_frame_reported
test_not_root
test_junit_validates
test_junit_schema_can_fail
test_json_summary
test_diff_reference_vxlan
test_diff_self_identical
test_diff_usage
"

. tests/cli-lib.sh

# a golden tree for vxlan.pcap and the reference dissector only
copy_golden() {
	mkdir -p "$TMP/exp/reference"
	cp expected/reference/vxlan.json "$TMP/exp/reference/"
}

test_help() {
	run 0 "$FDTEST" --help && expect_in out "Usage: fdtest" &&
	run 0 "$FDTEST" run --help && expect_in out "Exit status" &&
	expect_in out "--update"
}

test_usage_errors() {
	run 2 "$FDTEST" && run 2 "$FDTEST" nosuch && expect_in err "unknown command" &&
	run 2 "$FDTEST" run && expect_in err "no capture given" &&
	run 2 "$FDTEST" run --bogus $CAP &&
	run 2 "$FDTEST" run --states pre_vlan $CAP && expect_in err "unknown state" &&
	run 2 "$FDTEST" run --flags NOPE $CAP && expect_in err "not a flag set" &&
	run 2 "$FDTEST" run --format xml $CAP && expect_in err "not a format"
}

test_run_vxlan_passes() {
	# the README's main job: every bundled dissector, all three states
	run 0 "$FDTEST" run $CAP
	for s in vlanless pre-vlan post-vlan; do
		run 0 "$FDTEST" run --states $s --format json $CAP
		expect_in out "\"state\":\"$s\""
	done
	expect_in out '"dissector":"reference"' && expect_in out '"dissector":"vxlan"'
}

test_run_json_is_valid() {
	run 0 "$FDTEST" run --format json --flags all $CAP
	jq -e . "$TMP/out" >/dev/null || fail "stdout is not JSON Lines"
	[ "$(jq -s 'map(select(.verdict == "pass")) | length' "$TMP/out")" -gt 0 ] ||
		fail "no passing case in JSON"
}

test_golden_corrupted_value() {
	copy_golden
	# frame 1, post-vlan: thoff off by one
	sed -i '0,/"state":"post-vlan"/{/"state":"post-vlan"/s/"thoff":\([0-9]*\)/"thoff":9\1/}' \
		"$TMP/exp/reference/vxlan.json"
	run 1 "$FDTEST" run -d $REF --expected "$TMP/exp" $CAP
	[ "$(grep -c '^ *FAIL reference' "$TMP/out")" = 1 ] || fail "want one diff line"
	expect_in out "FAIL reference vxlan.pcap#1/post-vlan/flags=0x0: thoff: expected 9"
}

test_golden_partial_line() {
	mkdir -p "$TMP/part/reference"
	head -1 expected/reference/vxlan.json >"$TMP/part/reference/vxlan.json"
	echo '{"frame":1,"state":"vlanless","nhoff":14}' >>"$TMP/part/reference/vxlan.json"
	run 0 "$FDTEST" run -d $REF --expected "$TMP/part" --format json $CAP
	[ "$(jq -s 'map(select(.verdict == "pass")) | length' "$TMP/out")" = 1 ] ||
		fail "the one golden line should pass, the rest be unchecked"
	echo '{"frame":1,"state":"pre-vlan","nhoff":14}' >>"$TMP/part/reference/vxlan.json"
	run 1 "$FDTEST" run -d $REF --expected "$TMP/part" $CAP &&
	expect_in out "pre-vlan/flags=0x0: nhoff: expected 14"
}

test_golden_malformed() {
	copy_golden
	sed -i '3s/.*/{"frame":2,"state":"vlanless",/' "$TMP/exp/reference/vxlan.json"
	run 2 "$FDTEST" run -d $REF --expected "$TMP/exp" $CAP &&
	expect_in err "golden '$TMP/exp/reference/vxlan.json': line 3:"
}

test_golden_out_of_order() {
	copy_golden
	awk 'NR == 2 { held = $0; next } { print } NR == 3 { print held }' \
		expected/reference/vxlan.json >"$TMP/exp/reference/vxlan.json"
	run 2 "$FDTEST" run -d $REF --expected "$TMP/exp" $CAP &&
	expect_in err "line 3: .*capture order"
}

test_golden_frame_past_end() {
	copy_golden
	echo '{"frame":9999,"state":"vlanless"}' >>"$TMP/exp/reference/vxlan.json"
	run 2 "$FDTEST" run -d $REF --expected "$TMP/exp" $CAP &&
	expect_in err "frame 9999, but the capture has"
}

test_golden_stale() {
	copy_golden
	sed -i '1s/"sha256":"[0-9a-f]*"/"sha256":"00"/' "$TMP/exp/reference/vxlan.json"
	run 1 "$FDTEST" run -d $REF --expected "$TMP/exp" $CAP &&
	expect_in err "is stale"
	# the second dissector reuses the first one's hash of the capture:
	# its fresh golden must hold, the first one's stale golden not
	copy_golden
	mkdir -p "$TMP/exp/vxlan"
	sed '1s/"sha256":"[0-9a-f]*"/"sha256":"00"/' expected/vxlan/vxlan.json \
		>"$TMP/exp/vxlan/vxlan.json"
	run 1 "$FDTEST" run -d $VXLAN -d $REF --expected "$TMP/exp" $CAP &&
	expect_in err "golden '$TMP/exp/vxlan/vxlan.json' is stale"
	expect_not_in err "reference/vxlan.json' is stale"
	# a capture cut short: the golden names frames it lacks, which its
	# other hash explains: stale (exit 1), the frame said as a note
	mkdir -p "$TMP/short"
	awk '/^[[:space:]]*(#|$)/ { next } n++ < 5' pcaps/vxlan.txt >"$TMP/short/vxlan.txt"
	"$FDTEST" gen -o "$TMP/short/vxlan.pcap" "$TMP/short/vxlan.txt" >/dev/null ||
		fail "gen"
	run 1 "$FDTEST" run -d $REF --expected expected "$TMP/short/vxlan.pcap" &&
	expect_in err "the capture has 5 frames" &&
	expect_in err "golden 'expected/reference/vxlan.json' is stale"
}

test_update_writes_same_bytes() {
	# goldens come from real runs: recording again changes nothing
	# with the flag sets 'make goldens' records
	run 0 "$FDTEST" run --update --flags all --expected "$TMP/upd" $CAP
	cmp "$TMP/upd/reference/vxlan.json" expected/reference/vxlan.json ||
		fail "--update differs from the committed reference golden"
	cmp "$TMP/upd/vxlan/vxlan.json" expected/vxlan/vxlan.json ||
		fail "--update differs from the committed vxlan golden"
	[ -z "$(find "$TMP/upd" \( -name '.fdtest.*' -o -name '*.tmp.*' \))" ] || fail "temporary file left"
}

test_update_keeps_old_on_error() {
	copy_golden
	cp "$TMP/exp/reference/vxlan.json" "$TMP/before"
	# the second capture does not exist: the run stops, nothing replaced
	run 2 "$FDTEST" run -d $REF --update --expected "$TMP/exp" /nonexistent.pcap &&
	cmp "$TMP/before" "$TMP/exp/reference/vxlan.json" &&
	[ -z "$(find "$TMP/exp" \( -name '.fdtest.*' -o -name '*.tmp.*' \))" ] || fail "golden touched"
}

test_require_golden() {
	run 0 "$FDTEST" run -d $REF --expected "$TMP/none" $CAP &&
	expect_in out "unchecked" &&
	run 1 "$FDTEST" run -d $REF --expected "$TMP/none" --require-golden $CAP
}

test_naive_caught() {
	run 1 "$FDTEST" run -d $NAIVE --expected "$TMP/none" $CAP &&
	expect_in out "inconsistent with pre-vlan" &&
	run 1 "$FDTEST" run -d $NAIVE --expected "$TMP/none" --states pre-vlan,post-vlan $CAP
}

test_bad_captures() {
	run 2 "$FDTEST" run -d $REF /nonexistent.pcap &&
	expect_in err "capture '/nonexistent.pcap': No such file" &&
	run 2 "$FDTEST" run -d $REF pcaps &&
	expect_in err "is a directory" &&
	run 2 "$FDTEST" run -d $REF README.md &&
	expect_in err "not a readable pcap" &&
	run 2 "$FDTEST" run -d README.md $CAP &&
	expect_in err "dissector 'README.md'" &&
	run 2 "$FDTEST" run -d /nonexistent.bpf.o $CAP
}

# A hand-made pcap: 5-byte frame, then a 60-byte IPv4 frame.
test_short_frame_reported() {
	{
		printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0'
		printf '\0\0\0\0\0\0\0\0\x05\0\0\0\x05\0\0\0'
		printf '\x01\x02\x03\x04\x05'
		printf '\0\0\0\0\0\0\0\0\x3c\0\0\0\x3c\0\0\0'
		head -c 12 /dev/zero; printf '\x08\x00'; head -c 46 /dev/zero
	} >"$TMP/short.pcap"
	run 0 "$FDTEST" run -d $REF --expected "$TMP/none" "$TMP/short.pcap" &&
	expect_in out "#1 .*skip .*5 bytes, shorter than an Ethernet header" &&
	expect_in out "1 skipped"
}

test_not_root() {
	command -v setpriv >/dev/null || fail "setpriv (util-linux) missing"
	chmod 755 "$TMP"
	cp $REF "$TMP/ref.bpf.o" && cp $CAP "$TMP/c.pcap" && chmod 644 "$TMP"/*
	run 3 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$FDTEST" run -d "$TMP/ref.bpf.o" "$TMP/c.pcap" &&
	expect_in err "needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON"
}

XSD=tests/junit.xsd

validate() {
	command -v xmllint >/dev/null || fail "xmllint missing: apt-get install libxml2-utils"
	xmllint --noout --schema $XSD "$1" 2>"$TMP/xmllint" ||
		{ cat "$TMP/xmllint"; fail "$1 does not validate against $XSD"; }
}

# One testcase per capture x dissector; a failure carries the field
# differences; a capture that cannot be read is an error testcase.
test_junit_validates() {
	run 0 "$FDTEST" run --format junit --output "$TMP/pass.xml" \
		$CAP pcaps/ipv4.pcap
	validate "$TMP/pass.xml"
	[ "$(grep -c '<testcase ' "$TMP/pass.xml")" = 4 ] || fail "want 2 dissectors x 2 captures"
	grep -q '<testsuite name="fdtest" tests="4" failures="0" errors="0"' "$TMP/pass.xml" ||
		fail "suite counts"
	# stdout still carries the text report
	expect_in out "^total: .*exit 0"
	copy_golden
	sed -i '0,/"state":"post-vlan"/{/"state":"post-vlan"/s/"thoff":\([0-9]*\)/"thoff":9\1/}' \
		"$TMP/exp/reference/vxlan.json"
	run 2 "$FDTEST" run --format junit --output "$TMP/fail.xml" -d $REF \
		--expected "$TMP/exp" $CAP /nonexistent.pcap
	validate "$TMP/fail.xml"
	grep -q 'tests="2" failures="1" errors="1"' "$TMP/fail.xml" || fail "suite counts"
	grep -A1 '<testcase classname="reference" name="reference/vxlan.pcap"' "$TMP/fail.xml" |
		grep -q '<failure message="1 of 36 cases failed"' || fail "no failure"
	# the failure's text, as a CI shows it: one line per difference
	xmllint --xpath 'string(//testcase[@name="reference/vxlan.pcap"]/failure)' \
		"$TMP/fail.xml" >"$TMP/failure.txt" || fail "no failure text"
	[ "$(grep -c . "$TMP/failure.txt")" = 1 ] &&
	grep -q '^reference vxlan.pcap#1/post-vlan/flags=0x0: thoff: expected 9[0-9]*, actual [0-9]*$' \
		"$TMP/failure.txt" ||
		{ cat "$TMP/failure.txt"; fail "the failure is not the one field difference"; }
	grep -A1 '<testcase classname="reference" name="reference/nonexistent.pcap"' "$TMP/fail.xml" |
		grep -q '<error message="capture &apos;/nonexistent.pcap&apos;: No such file' ||
		fail "no error testcase named after its dissector and capture"
	# a dissector that does not load is a testcase of its own
	run 2 "$FDTEST" run --format junit --output "$TMP/noload.xml" \
		-d /nonexistent.bpf.o $CAP
	validate "$TMP/noload.xml"
	grep -A1 '<testcase classname="nonexistent" name="nonexistent/load"' "$TMP/noload.xml" |
		grep -q '<error message="dissector &apos;/nonexistent.bpf.o&apos;' ||
		fail "no error testcase for the dissector"
}

# The schema is not vacuous: a testcase without a name, or with two
# outcomes, is refused.
test_junit_schema_can_fail() {
	printf '<testsuites><testsuite name="s"><testcase classname="c"/></testsuite></testsuites>\n' >"$TMP/bad1.xml"
	printf '<testsuites><testsuite name="s"><testcase name="t"><failure/><error/></testcase></testsuite></testsuites>\n' >"$TMP/bad2.xml"
	printf '<testsuites><testsuite name="s" tests="x"/></testsuites>\n' >"$TMP/bad3.xml"
	for f in bad1 bad2 bad3; do
		! xmllint --noout --schema $XSD "$TMP/$f.xml" 2>/dev/null ||
			fail "$f.xml validates"
	done
}

# --format json: a line per case, a summary per capture, a total with
# the exit code last.
test_json_summary() {
	run 0 "$FDTEST" run --format json --output "$TMP/r.json" $CAP
	jq -e . "$TMP/r.json" >/dev/null || fail "not JSON Lines"
	[ "$(jq -s 'map(select(.summary)) | length' "$TMP/r.json")" = 2 ] ||
		fail "want a summary per dissector"
	jq -s -e 'last | .exit == 0 and .total.cases == 72 and .total.failed == 0' \
		"$TMP/r.json" >/dev/null || fail "last line is not the total"
	# an error says what it was about
	run 2 "$FDTEST" run --format json --output "$TMP/e.json" -d $REF \
		/nonexistent.pcap
	jq -s -e 'first | .dissector == "reference" and .capture == "/nonexistent.pcap" and (.error | test("No such file"))' \
		"$TMP/e.json" >/dev/null || fail "the error line lacks its dissector and capture"
}

# vxlan.bpf.o follows VXLAN/GENEVE; reference.bpf.o stops at the outer
# UDP header. fdtest diff must find exactly that.
test_diff_reference_vxlan() {
	run 1 "$FDTEST" diff -d $REF -d $VXLAN --flags all $CAP
	expect_in out "^vxlan.pcap#4/vlanless/flags=0x0: is_encap: reference 0, vxlan 1$" &&
	expect_in out "^vxlan.pcap#4/post-vlan/flags=0x0: thoff: reference 38, vxlan 88$" &&
	expect_in out "^vxlan.pcap#7/pre-vlan/flags=0x4: " &&
	expect_in out "^vxlan.pcap#7/vlanless/flags=0x0: src: reference \"192.168.1.1\", vxlan \"fd00::1\"$" &&
	expect_in out "^total: 12 frames, 288 cases: .* differ; exit 1"
	# frames 1-3 carry no tunnel: the two agree there
	expect_not_in out '^vxlan.pcap#[123]/'
}

test_diff_self_identical() {
	for obj in $REF $VXLAN; do
		run 0 "$FDTEST" diff -d $obj -d $obj --flags all $CAP
		expect_in out "^total: 12 frames, 288 cases: 288 same, 0 differ; exit 0"
		[ "$(wc -l <"$TMP/out")" = 2 ] || fail "lines besides the summary"
	done
}

test_diff_usage() {
	run 0 "$FDTEST" diff --help && expect_in out "Usage: fdtest diff -d A -d B" &&
	run 2 "$FDTEST" diff -d $REF $CAP && expect_in err "give two dissectors" &&
	run 2 "$FDTEST" diff -d $REF -d $REF -d $REF $CAP && expect_in err "exactly two" &&
	run 2 "$FDTEST" diff -d $REF -d $VXLAN && expect_in err "no capture given" &&
	run 2 "$FDTEST" diff -d $REF -d $VXLAN /nonexistent.pcap &&
	expect_in err "capture '/nonexistent.pcap': No such file" &&
	run 2 "$FDTEST" diff -d $REF -d $VXLAN --states bogus $CAP &&
	expect_in err "unknown state" &&
	run 3 "$FDTEST" diff -d $REF -d $O/tests/fixtures/bad_rejected.bpf.o $CAP &&
	expect_in err "the verifier rejected"
}

run_all test-cli
