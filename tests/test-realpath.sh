#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The real receive path (fdtest run/matrix --path real): frames through lo
# in a private network namespace, the dissector's keys at each real
# trigger against its test run. Tracing programs are refused where the
# kernel is locked down, so the real path is shown in Debian's 5.10
# kernel under qemu (TCG), as tests/test-matrix.sh boots it; on the host
# it either runs (tracing allowed) or is refused with exit 3 and the way
# out. The kernel comes from matrix/fetch-kernels.sh (make
# matrix-kernels); without it the guest tests fail and say so.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$(cd "$O" && pwd)/fdtest
REF=$O/dissectors/reference.bpf.o
NAIVE=$O/tests/fixtures/naive.bpf.o
ETH0=$O/tests/fixtures/eth_at_data.bpf.o
CAPS="pcaps/ipv4.pcap pcaps/ipv6.pcap pcaps/vlan.pcap pcaps/tunnels.pcap pcaps/malformed.pcap"
CACHE=${FDTEST_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fdtest/kernels}
K510=$CACHE/5.10/vmlinuz
K612=$CACHE/6.12/vmlinuz
TMP=$(mktemp -d /tmp/fdtest-realpath-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ALL_TESTS="
test_usage
test_host
test_eth_at_data_passes_test_run
test_guest_reference_agrees
test_guest_fixtures_differ
test_guest_column
test_guest_run
test_guest_real_goldens
test_guest_real_require_golden
test_guest_real_junit
test_guest_real_output
test_kernel_usage
test_kernel_run_usage
test_guest_kernel_run
test_guest_kernel_column
test_guest_real_unchecked_fails_row
test_guest_matrix_update
test_kernel_host
test_guest_kernel_selftest_vectors
test_guest_kernel_classes
test_guest_names_not_utf8
test_valgrind
"

RUN_TIMEOUT=300
. tests/cli-lib.sh

need_kernel() {
	[ -s "$K510" ] || fail "no 5.10 kernel image at $K510: run 'make matrix-kernels' (fetches it from Debian's archive)"
	command -v qemu-system-x86_64 >/dev/null ||
		fail "qemu-system-x86_64 missing: apt-get install qemu-system-x86"
	[ -s "$O/fdtest-static" ] || fail "no $O/fdtest-static: run 'make matrix-guest'"
}

need_kernel_612() {
	need_kernel
	[ -s "$K612" ] || fail "no 6.12 kernel image at $K612: run 'make matrix-kernels' (fetches it from Debian's archive)"
}

# jq FILTER on the JSON in $TMP/out must print true
expect_json() {
	[ "$(jq -r "$1" "$TMP/out")" = true ] || {
		jq -c '.rows[] | [.label, (.result.dissectors[]? | [.name, .real])]' \
			"$TMP/out" | head -20
		fail "JSON: $1"
	}
}

test_usage() {
	run 2 "$FDTEST" run --path wire -d $REF pcaps/vlan.pcap
	expect_in err "^Error: --path: 'wire' is not a path (test, real)$"
	run 2 "$FDTEST" matrix --path wire -d $REF pcaps/vlan.pcap
	expect_in err "^Error: --path: 'wire' is not a path (test, real)$"
	run 0 "$FDTEST" run --help
	expect_in out "--path PATH"
}

# Where the kernel refuses tracing programs (lockdown), the real path is
# exit 3 with the reason and the way out; where it allows them, it runs
# and the reference dissector agrees with its test runs.
test_host() {
	"$FDTEST" run --path real -d $REF pcaps/vlan.pcap >"$TMP/out" 2>"$TMP/err"
	case $? in
	3)
		expect_in err "^Error: --path real: the kernel refuses the tracing program on bpf_flow_dissect: "
		expect_in err "'fdtest matrix --path real' runs the real path in a guest kernel$"
		expect_not_in out "real path:"
		;;
	0)
		expect_in out "^reference on pcaps/vlan.pcap, real path: 11 frames; triggers tx 11, rx-rps 11, rx-untagged 11, rx-quirk 0; 33 cases, 33 agree with test run, 0 differ$"
		;;
	*)
		cat "$TMP/err"
		fail "fdtest run --path real: exit $? (want 3: refused, or 0: ran)"
		;;
	esac
}

# The fixture is right in every test run: only the real path shows it.
test_eth_at_data_passes_test_run() {
	run 0 "$FDTEST" run --flags all -d $ETH0 $CAPS
	expect_in out " 0 failed, "
}

test_guest_reference_agrees() {
	need_kernel
	run 0 "$FDTEST" matrix --format json --path real --accel tcg \
		--timeout 240 --kernel "$K510" -d $REF $CAPS
	# the guest ran every trigger on every frame, and each agreed
	expect_json '.rows[1].result.kernel | startswith("5.10.")'
	expect_json '.rows[1].result.dissectors[0].real |
		.frames > 100 and .cases > 300 and .agree == .cases and
		.differ == 0 and .unseen == 0 and
		.triggers.tx == .frames and .triggers["rx-rps"] == .frames and
		.triggers["rx-untagged"] > 0 and .triggers["rx-quirk"] == 0'
	# every frame came back to the receive socket (read from its ring)
	# but the 6 tagged ones too short for skb_vlan_untag in
	# malformed.pcap, and each that came back met the receive fanout
	expect_json '.rows[1].result.dissectors[0].real |
		.lost == 6 and .triggers["rx-untagged"] == .frames - .lost'
	# the host says whether it ran it too: refused, or agreed
	expect_json '.rows[0].result.dissectors[0].real |
		has("refused") or (.differ == 0 and .cases > 0)'
}

test_guest_fixtures_differ() {
	need_kernel
	run 1 "$FDTEST" matrix --format json --path real --accel tcg \
		--timeout 240 --kernel "$K510" -d $NAIVE -d $ETH0 $CAPS
	expect_json '.rows[1].result.dissectors[0].real |
		.differ > 0 and (.first | test("/rx-rps/flags=0x2: real path differs from test run: "))'
	# right in every test run, wrong where data is past the MAC header:
	# the difference names the key it got wrong
	expect_json '.rows[1].result.dissectors[1].real |
		.differ > 0 and .agree > 0 and
		(.first | test("/rx-rps/flags=0x2: real path differs from test run: .*n_proto: test run \"0x0800\", real \""))'
	expect_json '.rows[1].reason | test("real path: [0-9]+ cases differ from test run") or test("dissector .naive.")'
}

# One column per dissector in the table: agreement, or how many differ.
test_guest_column() {
	need_kernel
	run 1 "$FDTEST" matrix --path real --accel tcg --timeout 240 \
		--kernel "$K510" -d $REF -d $ETH0 pcaps/ipv4.pcap
	expect_in out "^| kernel | .* | reference | eth_at_data | reference real path | eth_at_data real path | row |$"
	expect_in out "^| 5\.10\..* | pass [0-9]*/[0-9]* | unchecked .* | agree [0-9]*/[0-9]*, pass [0-9]*/[0-9]*; kernel differs on [0-9]* of [0-9]* | FAIL [0-9]* of [0-9]*, unchecked [0-9]* of [0-9]*; kernel differs on [0-9]* of [0-9]* | FAIL |$"
}

# fdtest run --path real itself, inside the guest: the real states are
# cases of the run, in its text report, its totals and its exit code.
test_guest_run() {
	need_kernel
	run 1 "$FDTEST" matrix --format json --accel tcg --timeout 240 \
		--guest-run "--path real --expected /suite/expected -d /suite/dissectors/reference.bpf.o -d /suite/dissectors/eth_at_data.bpf.o /suite/pcaps/vlan.pcap" \
		--kernel "$K510" -d $REF -d $ETH0 pcaps/vlan.pcap
	expect_json '.rows[1].result.run.exit == 1'
	jq -r '.rows[1].result.run.stdout' "$TMP/out" >"$TMP/run.txt"
	check "the reference agrees on every real case" grep -q \
		"^reference on /suite/pcaps/vlan.pcap, real path: 11 frames; triggers tx 11, rx-rps 11, rx-untagged 11, rx-quirk 0; 33 cases, 33 agree with test run, 0 differ; " \
		"$TMP/run.txt"
	check "the fixture's real cases fail, naming the field" grep -q \
		'^    FAIL eth_at_data vlan.pcap#1/rx-untagged/flags=0x0: real path differs from test run: n_proto: test run "0x0800", real "' \
		"$TMP/run.txt"
	# a real case with no golden line is unchecked, as a test run's is;
	# the reference's real goldens are packed from expected/
	check "the totals count the real cases" grep -q \
		"^total: 22 frames (0 skipped, 0 cut), 132 cases: 66 passed, 22 failed, 44 unchecked; exit 1$" \
		"$TMP/run.txt"
	check "the real goldens are used" grep -q \
		"^  real golden /suite/expected/reference/real/vlan.json: 33 passed, 0 failed, 0 unchecked$" \
		"$TMP/run.txt"
	check "the real goldens missing are named" grep -q \
		"^  no real golden at /suite/expected/eth_at_data/real/vlan.json: 0 passed, 22 failed, 11 unchecked$" \
		"$TMP/run.txt"
}

# $1: the guest's fdtest run arguments; the rest: the matrix's. The
# guest run's stdout lands in $TMP/run.txt, its exit in $TMP/run.exit.
guest_run() {
	local args=$1

	shift
	"$FDTEST" matrix --format json --accel tcg --timeout 240 \
		--guest-run "$args" --kernel "$K510" "$@" >"$TMP/out" \
		2>"$TMP/err"
	jq -r '.rows[1].result.run.stdout // empty' "$TMP/out" >"$TMP/run.txt"
	jq -r '.rows[1].result.run.exit // "none"' "$TMP/out" >"$TMP/run.exit"
}

expect_run_exit() {
	[ "$(cat "$TMP/run.exit")" = "$1" ] || {
		tail -20 "$TMP/run.txt"
		fail "the guest's fdtest run: exit $(cat "$TMP/run.exit"), want $1"
	}
}

# A golden made of the real cases of a JSON report (its lines are the
# golden's lines with the report's fields around them), for dissector
# $1 over pcaps/$2, from $TMP/run.txt.
golden_from_report() {
	local sha

	sha=$(sha256sum "pcaps/$2" | cut -d' ' -f1)
	printf '{"fdtest_golden":1,"capture":"%s","sha256":"%s","dissector":"%s","states":["tx","rx-rps","rx-untagged"],"in_flags":[0,2]}\n' \
		"$2" "$sha" "$1"
	jq -c 'select(.state == "tx" or .state == "rx-rps" or
		      .state == "rx-untagged") |
	       del(.dissector, .capture, .cut, .verdict, .diffs, .no_golden)' \
		"$TMP/run.txt"
}

# Real goldens recorded in a guest, replayed in a guest: green as
# recorded, a failure naming the field when a value is wrong, stale for
# other capture bytes. The guest's goldens reach the next boot as the
# matrix packs every dissector's, real/ too.
test_guest_real_goldens() {
	need_kernel
	local args="--path real --expected /suite/expected -d /suite/dissectors/reference.bpf.o /suite/pcaps/vlan.pcap"

	mkdir -p "$TMP/exp/reference/real"
	guest_run "--update --format json $args" --expected "$TMP/exp" \
		-d $REF pcaps/vlan.pcap
	expect_run_exit 0
	check "the JSON report holds the real cases" grep -q \
		'^{"dissector":"reference","capture":"/suite/pcaps/vlan.pcap","frame":3,"state":"rx-rps","in_flags":2,"ret":"BPF_OK","nhoff":18,"thoff":38,' \
		"$TMP/run.txt"
	check "the JSON report sums up the real path" grep -q \
		'"capture":"/suite/pcaps/vlan.pcap","real":true,"summary":{"frames":11,' \
		"$TMP/run.txt"
	golden_from_report reference vlan.pcap \
		>"$TMP/exp/reference/real/vlan.json"
	[ "$(wc -l <"$TMP/exp/reference/real/vlan.json")" = 34 ] ||
		fail "the report held $(($(wc -l <"$TMP/exp/reference/real/vlan.json") - 1)) real cases, want 33"

	guest_run "$args" --expected "$TMP/exp" -d $REF pcaps/vlan.pcap
	expect_run_exit 0
	check "every real case meets its golden" grep -q \
		"^  real golden /suite/expected/reference/real/vlan.json: 33 passed, 0 failed, 0 unchecked$" \
		"$TMP/run.txt"

	sed -i '/"frame":3,"state":"rx-rps"/s/"thoff":38/"thoff":99/' \
		"$TMP/exp/reference/real/vlan.json"
	guest_run "$args" --expected "$TMP/exp" -d $REF pcaps/vlan.pcap
	expect_run_exit 1
	check "a wrong golden value fails naming the field" grep -q \
		"^    FAIL reference vlan.pcap#3/rx-rps/flags=0x2: thoff: expected 99, actual 38$" \
		"$TMP/run.txt"
	check "only that case fails" grep -q \
		"^  real golden /suite/expected/reference/real/vlan.json: 32 passed, 1 failed, 0 unchecked$" \
		"$TMP/run.txt"

	sed -i '1s/"sha256":"[0-9a-f]*"/"sha256":"00"/' \
		"$TMP/exp/reference/real/vlan.json"
	guest_run "$args" --expected "$TMP/exp" -d $REF pcaps/vlan.pcap
	expect_run_exit 1
	check "a golden of other capture bytes is stale" grep -q \
		"(1 stale golden)" "$TMP/run.txt"
}

# --require-golden: a real case without a golden line fails.
test_guest_real_require_golden() {
	need_kernel
	guest_run "--path real --require-golden --expected /tmp/none -d /suite/dissectors/reference.bpf.o /suite/pcaps/ipv4.pcap" \
		-d $REF pcaps/ipv4.pcap
	expect_run_exit 1
	check "a real case without a golden line fails" grep -q \
		"^    FAIL reference ipv4.pcap#1/rx-rps/flags=0x2: no golden line (--require-golden)$" \
		"$TMP/run.txt"
	check "it is counted as one" grep -q \
		"^FAILED: 90 cases had no golden line (--require-golden).$" \
		"$TMP/run.txt"
}

# The JUnit report has the real states as a testcase of their own.
test_guest_real_junit() {
	need_kernel
	guest_run "--path real --format junit --expected /tmp/none -d /suite/dissectors/eth_at_data.bpf.o /suite/pcaps/vlan.pcap" \
		-d $ETH0 pcaps/vlan.pcap
	expect_run_exit 1
	check "a testcase for the real states" grep -q \
		'<testcase classname="eth_at_data" name="eth_at_data/vlan.pcap/real" file="/suite/pcaps/vlan.pcap"' \
		"$TMP/run.txt"
	check "its failures are the real cases'" grep -q \
		'^eth_at_data vlan.pcap#1/rx-untagged/flags=0x0: real path differs from test run: n_proto: test run &quot;0x0800&quot;, real &quot;' \
		"$TMP/run.txt"
}

test_kernel_usage() {
	run 2 "$FDTEST" diff -d kernel -d kernel pcaps/vlan.pcap
	expect_in err "^Error: -d kernel -d kernel: give one BPF object to compare with the kernel$"
	run 2 "$FDTEST" diff -d kernel -d "$TMP/none.bpf.o" pcaps/vlan.pcap
	expect_in err "^Error: dissector '$TMP/none.bpf.o': "
}

# --output may not be a real golden either: --update would replace it.
test_guest_real_output() {
	need_kernel
	guest_run "--path real --update --expected /suite/expected --output /suite/expected/reference/real/ipv4.json -d /suite/dissectors/reference.bpf.o /suite/pcaps/ipv4.pcap" \
		-d $REF pcaps/ipv4.pcap
	# refused before anything runs: the guest's stderr is its console's
	expect_run_exit 2
	[ -z "$(cat "$TMP/run.txt")" ] || fail "the run reported cases"
}

# -d kernel in fdtest run is the kernel's own dissector on the real path.
test_kernel_run_usage() {
	run 2 "$FDTEST" run -d kernel pcaps/vlan.pcap
	expect_in err "^Error: -d kernel: .*-d kernel needs --path real$"
	run 2 "$FDTEST" run -d $REF -d kernel pcaps/vlan.pcap
	expect_in err "-d kernel needs --path real$"
	"$FDTEST" run --path real -d kernel pcaps/vlan.pcap >"$TMP/out" 2>"$TMP/err"
	case $? in
	3)
		expect_in err "^Error: --path real: the kernel refuses the tracing program on bpf_flow_dissect: "
		;;
	0)
		expect_in out "^kernel on pcaps/vlan.pcap, real path: 11 frames, 22 cases"
		;;
	*)
		cat "$TMP/err"
		fail "fdtest run --path real -d kernel: exit $?"
		;;
	esac
}

# fdtest run -d kernel --path real in a guest: recorded as partial lines
# (only the fields the kernel has); without a golden, unchecked, not a
# pass.
test_guest_kernel_run() {
	need_kernel
	guest_run "--update --path real --format json --expected /tmp/e -d kernel /suite/pcaps/vlan.pcap" \
		-d $REF pcaps/vlan.pcap
	expect_run_exit 0
	check "a partial line for each of the kernel's cases" grep -q \
		'^{"dissector":"kernel","capture":"/suite/pcaps/vlan.pcap","frame":3,"state":"rx-rps","in_flags":2,"ret":"BPF_OK","thoff":38,"addr_proto":"0x0800",' \
		"$TMP/run.txt"
	check "no field the kernel does not have" bash -c \
		"! grep '\"dissector\":\"kernel\",.*\"nhoff\"' '$TMP/run.txt'"
	check "receive side only" bash -c \
		"! grep '\"dissector\":\"kernel\",.*\"state\":\"tx\"' '$TMP/run.txt'"
	check "22 cases recorded" grep -q \
		'^{"total":{"frames":11,"skipped":0,"cut":0,"cases":22,' "$TMP/run.txt"

	guest_run "--path real --expected /tmp/none -d kernel /suite/pcaps/vlan.pcap" \
		-d $REF pcaps/vlan.pcap
	expect_run_exit 0
	check "the kernel's cases are unchecked without a golden" grep -q \
		"^total: 11 frames (0 skipped, 0 cut), 22 cases: 0 passed, 0 failed, 22 unchecked; exit 0$" \
		"$TMP/run.txt"
	check "and said so" grep -q "^UNCHECKED: 22 cases had no golden line" \
		"$TMP/run.txt"
}

# The matrix suite takes the kernel's dissector from a file named
# kernel.builtin: a real path column of its own, no test-run column.
test_guest_kernel_column() {
	need_kernel
	run 0 "$FDTEST" matrix --path real --accel tcg --timeout 240 \
		--kernel "$K510" -d $REF -d kernel pcaps/vlan.pcap
	expect_in out "^| kernel | .* | reference | reference real path | kernel real path | row |$"
	expect_in out "^| 5\.10\..* | pass [0-9]*/[0-9]* | agree 33/33, pass 33/33; kernel differs on [0-9]* of 22 | pass 22/22 | pass |$"
}

# A real case held to no golden is no pass: the row fails and says how
# to record them, for a BPF dissector and for the kernel's own.
test_guest_real_unchecked_fails_row() {
	need_kernel
	mkdir -p "$TMP/noreal" || fail "mkdir"
	cp -r expected/reference "$TMP/noreal/" || fail "cp"
	rm -r "$TMP/noreal/reference/real" || fail "rm"
	run 1 "$FDTEST" matrix --path real --accel tcg --timeout 240 \
		--expected "$TMP/noreal" --kernel "$K510" -d $REF -d kernel \
		pcaps/vlan.pcap
	expect_in out "^| 5\.10\..* | pass [0-9]*/[0-9]* | agree 33/33, unchecked 33 of 33; kernel differs on [0-9]* of 22 | unchecked 22 of 22 | FAIL |$"
	expect_in out "real path: 33 of 33 cases unchecked (no real golden): record them with 'fdtest matrix --path real --update'"
}

# fdtest matrix --update: each kernel's real goldens recorded in the
# guest; the first kernel's are the goldens, the other's differences its
# series' override (the kernel's C dissector on 5.10 keeps ports of two
# frames of malformed.pcap that 6.12 does not); replayed green; a wrong
# line fails naming the field; an override that no longer holds is gone.
test_guest_matrix_update() {
	local exp=$TMP/upd caps="pcaps/vlan.pcap pcaps/malformed.pcap"

	need_kernel_612
	mkdir -p "$exp/reference/real" || fail "mkdir"
	cp expected/reference/vlan.json expected/reference/malformed.json \
		"$exp/reference/" || fail "cp"
	echo '{"frame":1,"state":"rx-rps","in_flags":2,"ret":"BPF_DROP"}' \
		>"$exp/reference/real/vlan@5.10.json"
	# shellcheck disable=SC2086
	run 0 "$FDTEST" matrix --path real --update --accel tcg --timeout 240 \
		--expected "$exp" --kernel "$K612" --kernel "$K510" -d $REF \
		-d kernel $caps
	expect_in err "^matrix: $exp/kernel/real/malformed.json: 790 lines of 6\.12\."
	expect_in err "^matrix: $exp/kernel/real/malformed@5.10.json: 4 lines of 5\.10\."
	expect_in err "^matrix: $exp/reference/real/vlan.json: 33 lines of 6\.12\."
	expect_in err "^matrix: $exp/reference/real/vlan@5.10.json: removed, the kernel agrees with the golden now$"
	check "no override where the kernels agree" \
		test ! -e "$exp/reference/real/malformed@5.10.json"
	check "the kernel's override holds only its own frames" \
		test "$(cut -d, -f1 "$exp/kernel/real/malformed@5.10.json" | sort -u | tr '\n' ' ')" = '{"frame":397 {"frame":398 '
	# shellcheck disable=SC2086
	run 0 "$FDTEST" matrix --path real --accel tcg --timeout 240 \
		--expected "$exp" --kernel "$K612" --kernel "$K510" -d $REF \
		-d kernel $caps
	expect_in out "^| 5\.10\..* | agree [0-9]*/[0-9]*, pass 1221/1221; .* | pass 812/812 | pass |$"
	expect_in out "^| 6\.12\..* | agree [0-9]*/[0-9]*, pass 1221/1221; .* | pass 812/812 | pass |$"
	sed -i '2s/"thoff":[0-9]*/"thoff":99/' "$exp/kernel/real/vlan.json" ||
		fail "sed"
	# shellcheck disable=SC2086
	run 1 "$FDTEST" matrix --path real --accel tcg --timeout 240 \
		--expected "$exp" --kernel "$K510" -d kernel $caps
	expect_in out "^| 5\.10\..* | FAIL 1 of 812 | FAIL |$"
	expect_in out "thoff"
}

# fdtest diff -d kernel needs tracing too: refused with exit 3 and the
# way out, or, where tracing is allowed, the classes and the exit line.
test_kernel_host() {
	"$FDTEST" diff -d kernel -d $REF pcaps/ipv4.pcap >"$TMP/out" 2>"$TMP/err"
	case $? in
	3)
		expect_in err "^Error: -d kernel: the kernel refuses the tracing program on bpf_flow_dissect: "
		expect_in err "'fdtest matrix --path real' runs the kernel's dissector in a guest kernel$"
		;;
	0|1)
		expect_in out "^kernel vs reference: 15 frames, 30 cases, "
		expect_in out "^exit [01]$"
		;;
	*)
		cat "$TMP/err"
		fail "fdtest diff -d kernel: exit $?"
		;;
	esac
}

# The selftests' vectors (prog_tests/flow_dissector.c) as packets: the
# kernel's C dissector gives the keys the selftests expect of bpf_flow.c,
# so against the reference dissector nothing differs. 5.10 watches it
# with a kprobe and kretprobe, 6.12 with fexit.
selftest_capture() {
	cat >"$TMP/selftest.txt" <<-EOD
	eth / ipv4 src=10.1.0.1 dst=10.1.0.2 / tcp sport=80 dport=8080
	eth / ipv6 src=2001:db8::1 dst=2001:db8::2 / tcp sport=80 dport=8080
	eth / vlan vid=0 / ipv4 src=10.1.0.1 dst=10.1.0.2 / tcp sport=80 dport=8080
	eth / vlan tpid=0x88a8 vid=0 / vlan vid=0 / ipv6 src=2001:db8::1 dst=2001:db8::2 / tcp sport=80 dport=8080
	eth / ipv4 src=10.1.0.1 dst=10.1.0.2 mf=1 / tcp sport=80 dport=8080
	eth / ipv6 src=2001:db8::1 dst=2001:db8::2 / frag m=1 id=1 / tcp sport=80 dport=8080
	eth / ipv6 src=2001:db8::1 dst=2001:db8::2 label=0xbeeef / tcp sport=80 dport=8080
	eth / ipv4 src=10.1.0.1 dst=10.1.0.2 / ipv4 src=10.2.0.1 dst=10.2.0.2 / tcp sport=80 dport=8080
	eth / ipv4 src=10.1.0.1 dst=10.1.0.2 / gre / ipv4 src=10.2.0.1 dst=10.2.0.2 / tcp sport=80 dport=8080
	EOD
	run 0 "$FDTEST" gen -o "$TMP/selftest.pcap" "$TMP/selftest.txt"
}

test_guest_kernel_selftest_vectors() {
	need_kernel_612
	selftest_capture
	mkdir -p "$TMP/exp"
	run 1 "$FDTEST" matrix --format json --path real --accel tcg \
		--timeout 240 --expected "$TMP/exp" --kernel "$K510" \
		--kernel "$K612" -d $REF "$TMP/selftest.pcap"
	expect_json '[.rows[1,2].result.dissectors[0].real.kernel |
		.frames == 9 and .cases == 18 and .differ == 0] | all'
	expect_json '.rows[2].result.kernel | startswith("6.12.")'
	# a simpler dissector differs from it, field by field: the fixture
	# knows no fragments, flow labels or tunnels
	run 1 "$FDTEST" matrix --format json --path real --accel tcg \
		--timeout 240 --expected "$TMP/exp" --kernel "$K612" \
		-d $ETH0 "$TMP/selftest.pcap"
	expect_json '.rows[1].result.dissectors[0].real.kernel |
		.differ == 9 and (.classes | has("rx-rps is_frag") and
		has("rx-rps flow_label") and has("rx-untagged is_encap"))'
}

# Over a capture the two disagree on, each class is listed with a first
# case: MPLS, which the reference returns BPF_OK on with nothing filled.
test_guest_kernel_classes() {
	need_kernel
	run 0 "$FDTEST" matrix --path real --accel tcg --timeout 240 \
		--kernel "$K510" -d $REF pcaps/mpls.pcap
	expect_in out "^5\.10\..*: the kernel's C dissector against reference: [1-9][0-9]* of [0-9]* cases differ$"
	expect_in out "^- rx-rps n_proto: [0-9]* cases, first mpls.pcap#[0-9]*/rx-rps/flags=0x2$"
	expect_in out "^- rx-untagged thoff: [0-9]* cases, first mpls.pcap#[0-9]*/rx-untagged/flags=0x0$"
}

# A capture's name may be any bytes: the classes' first cases still come
# back (U+FFFD for the byte), not a class or a real object left out.
test_guest_names_not_utf8() {
	need_kernel
	local cap="$TMP/mpls-"$'\xff'".pcap"

	cp pcaps/mpls.pcap "$cap"
	run 0 "$FDTEST" run --update --flags all --expected "$TMP/exp" \
		-d $REF "$cap"
	# the guest shows the name with U+FFFD: its golden is still this one
	run 0 "$FDTEST" matrix --path real --update --accel tcg --timeout 240 \
		--expected "$TMP/exp" --kernel "$K510" -d $REF "$cap"
	check "the real golden has the capture's own name" \
		test -s "$TMP/exp/reference/real/mpls-"$'\xff'".json"
	run 0 "$FDTEST" matrix --format json --path real --accel tcg \
		--timeout 240 --expected "$TMP/exp" --kernel "$K510" -d $REF \
		"$cap"
	expect_json '.rows[1].result.dissectors[0].real.kernel |
		.differ > 0 and (.classes | length > 0) and
		([.classes[].first] | all(startswith("mpls-\ufffd.pcap#")))'
}

# The host's side of each: the refusal (or the run), the matrix's row.
test_valgrind() {
	case $O in
	*/san) skip "ASan and valgrind do not mix (sanitizer build)" ;;
	esac
	command -v valgrind >/dev/null || fail "valgrind missing: apt-get install valgrind"
	for args in "run --path real -d $REF pcaps/vlan.pcap" \
		    "diff -d kernel -d $REF pcaps/vlan.pcap" \
		    "matrix --path real -d $REF pcaps/vlan.pcap"; do
		# shellcheck disable=SC2086
		valgrind --suppressions=tests/valgrind.supp --error-exitcode=99 \
			--leak-check=full --errors-for-leak-kinds=definite,indirect \
			-q "$FDTEST" $args >"$TMP/out" 2>"$TMP/err"
		[ $? != 99 ] || { cat "$TMP/err"; fail "valgrind: fdtest $args"; }
		expect_not_in err '^==[0-9]*=='
	done
}

run_all test-realpath
