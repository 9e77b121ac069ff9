#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# fdtest run -j N: reports, differences and goldens must be the same bytes
# whatever N is, -j 0 (everything on one thread) being the reference; and
# --repeat/--max-ns time and fail as documented. Each test_* function is
# one case; ALL_TESTS lists them in order.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$(cd "$O" && pwd)/fdtest
REF=$O/dissectors/reference.bpf.o
VXLAN=$O/dissectors/vxlan.bpf.o
TMP=$(mktemp -d /tmp/fdtest-workers.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
JOBS="1 2 3"

ALL_TESTS="
test_corpus_same_bytes
test_generated_same_bytes
test_failures_same_bytes
test_update_same_goldens
test_golden_error_same_bytes
test_truncated_capture_same_bytes
test_jobs_usage
test_repeat_reports_classes
test_max_ns_fails
"

. tests/cli-lib.sh

# A capture of $1 frames from the corpus descriptions, more than a few
# batches of frames, so the ring of every -j wraps around.
make_big() {
	awk -v n="$1" '/^[[:space:]]*(#|$)/ { next } { line[m++] = $0 }
		END { for (i = 0; i < n; i++) print line[i % m] }' \
		pcaps/*.txt >"$TMP/big.txt" &&
	"$FDTEST" gen -o "$TMP/big.pcap" "$TMP/big.txt" >/dev/null
}

# untime FILE: sets every time="..." attribute of a JUnit report to 0
untime() {
	sed -i 's/ time="[0-9.]*"/ time="0"/g' "$1"
}

# same_bytes NAME WANT_EXIT FDTEST-RUN-ARGS...: runs with -j 0 and each
# of $JOBS in every format; stdout, stderr and --output files must match
same_bytes() {
	local name=$1 want=$2 fmt j got
	shift 2
	for fmt in text json junit; do
		for j in 0 $JOBS; do
			"$FDTEST" run -j "$j" --format "$fmt" \
				--output "$TMP/$name.$fmt.$j.out" "$@" \
				>"$TMP/$name.$fmt.$j.stdout" \
				2>"$TMP/$name.$fmt.$j.stderr"
			got=$?
			[ "$got" = "$want" ] ||
				{ tail -5 "$TMP/$name.$fmt.$j.stderr"; fail "$name -j $j --format $fmt: exit $got, want $want"; return 1; }
			[ "$j" = 0 ] && continue
			for s in out stdout stderr; do
				# JUnit carries wall-clock times, which no two runs share
				if [ "$fmt" = junit ] && [ "$s" = out ]; then
					untime "$TMP/$name.$fmt.0.$s"
					untime "$TMP/$name.$fmt.$j.$s"
				fi
				cmp "$TMP/$name.$fmt.0.$s" "$TMP/$name.$fmt.$j.$s" ||
					{ fail "$name --format $fmt: $s of -j $j differs from -j 0"; return 1; }
			done
		done
	done
	# the reports must say something for the comparison to mean anything
	[ -s "$TMP/$name.text.0.out" ] || fail "$name: empty report"
}

test_corpus_same_bytes() {
	same_bytes corpus 0 --flags all pcaps/*.pcap
}

test_generated_same_bytes() {
	make_big 3000 && same_bytes gen 0 --flags 0,4 -d "$REF" -d "$VXLAN" \
		--expected "$TMP/none" "$TMP/big.pcap"
}

# Differences and inconsistencies in the middle of a long run: goldens of
# one dissector checked against the other's results.
test_failures_same_bytes() {
	make_big 2000 &&
	"$FDTEST" run -j 0 -d "$REF" --update --expected "$TMP/exp" \
		"$TMP/big.pcap" >/dev/null 2>&1 &&
	mv "$TMP/exp/reference" "$TMP/exp/vxlan" &&
	same_bytes fail 1 -d "$VXLAN" --expected "$TMP/exp" "$TMP/big.pcap" ||
		return 1
	grep -q FAIL "$TMP/fail.text.0.out" ||
		fail "no differences found: the test proves nothing"
}

test_update_same_goldens() {
	local j
	make_big 2500 || return 1
	for j in 0 $JOBS; do
		# one folder for all, so that reports naming it can agree
		"$FDTEST" run -j "$j" --update --flags all --expected "$TMP/up" \
			"$TMP/big.pcap" pcaps/vxlan.pcap >"$TMP/up$j.out" 2>&1 ||
			{ fail "--update -j $j failed"; return 1; }
		mv "$TMP/up" "$TMP/up$j"
		[ "$j" = 0 ] && continue
		diff -r "$TMP/up0" "$TMP/up$j" >/dev/null ||
			{ fail "goldens of -j $j differ from -j 0"; return 1; }
		cmp "$TMP/up0.out" "$TMP/up$j.out" ||
			{ fail "--update report of -j $j differs"; return 1; }
	done
	# and they are goldens a run passes
	"$FDTEST" run -j 2 --flags all --expected "$TMP/up2" "$TMP/big.pcap" \
		>/dev/null || fail "a run against the recorded goldens fails"
}

# A malformed golden line far into the file stops every -j at the same
# frame with the same message.
test_golden_error_same_bytes() {
	make_big 1500 &&
	"$FDTEST" run -j 0 -d "$REF" --update --expected "$TMP/bad" \
		"$TMP/big.pcap" >/dev/null 2>&1 &&
	sed -i '2900s/.*/{"frame":967,"state":"vlanless",/' \
		"$TMP/bad/reference/big.json" &&
	same_bytes golden-error 2 -d "$REF" --expected "$TMP/bad" \
		"$TMP/big.pcap" || return 1
	grep -q "line 2900:" "$TMP/golden-error.text.0.stderr" ||
		fail "the malformed line is not named"
}

# A capture cut inside a record: frames before it are reported, then
# the error, the same for every -j.
test_truncated_capture_same_bytes() {
	local size
	make_big 1200 || return 1
	size=$(stat -c %s "$TMP/big.pcap")
	head -c $((size * 2 / 3 + 7)) "$TMP/big.pcap" >"$TMP/cut.pcap"
	same_bytes cut 2 -d "$REF" --expected "$TMP/none" "$TMP/cut.pcap" ||
		return 1
	grep -q "#700 " "$TMP/cut.text.0.out" ||
		fail "frames before the cut are not reported"
}

test_jobs_usage() {
	"$FDTEST" run -j -1 pcaps/vxlan.pcap >/dev/null 2>"$TMP/err"
	[ $? = 2 ] && grep -q -- "--jobs: '-1' is not a whole number" "$TMP/err" ||
		{ fail "-j -1 accepted"; return 1; }
	"$FDTEST" run -j 9999 pcaps/vxlan.pcap >/dev/null 2>&1
	[ $? = 2 ] || { fail "-j 9999 accepted"; return 1; }
	"$FDTEST" run --max-ns 100 pcaps/vxlan.pcap >/dev/null 2>"$TMP/err"
	[ $? = 2 ] && grep -q -- "--max-ns needs --repeat" "$TMP/err" ||
		fail "--max-ns without --repeat accepted"
}

test_repeat_reports_classes() {
	"$FDTEST" run --repeat 20 -d "$VXLAN" pcaps/vxlan.pcap >"$TMP/t.out" ||
		{ fail "--repeat run failed"; return 1; }
	grep -q "kernel ns per run by protocol class (20 runs a case)" "$TMP/t.out" &&
	grep -Eq "^    eth/ipv4/udp/vxlan/eth/ipv4/tcp +[0-9]+ +[0-9]+" "$TMP/t.out" &&
	grep -Eq "^  #1 .* ns [0-9]+/[0-9]+/[0-9]+$" "$TMP/t.out" ||
		{ cat "$TMP/t.out"; fail "no per-frame ns or class table"; return 1; }
	"$FDTEST" run --repeat 5 --format json -d "$VXLAN" pcaps/vxlan.pcap \
		>"$TMP/t.json" || { fail "--repeat --format json failed"; return 1; }
	jq -e -s '[.[] | select(.class)] | length > 3 and
		all(.p50_ns <= .p90_ns and .p90_ns <= .p99_ns and .p99_ns <= .max_ns)' \
		"$TMP/t.json" >/dev/null &&
	jq -e -s '[.[] | select(.frame and .state)] | all(.duration_ns > 0)' \
		"$TMP/t.json" >/dev/null ||
		fail "JSON lacks class quantiles or duration_ns"
	# without --repeat, no time: reports stay the same run to run
	"$FDTEST" run --format json -d "$VXLAN" pcaps/vxlan.pcap |
		grep -q duration_ns && fail "duration_ns without --repeat"
	return 0
}

test_max_ns_fails() {
	"$FDTEST" run --repeat 10 --max-ns 1 -d "$VXLAN" pcaps/vxlan.pcap \
		>"$TMP/m.out"
	[ $? = 1 ] && grep -q "over --max-ns" "$TMP/m.out" ||
		{ fail "a 1 ns bound did not fail"; return 1; }
	"$FDTEST" run --repeat 10 --max-ns 100000000 -d "$VXLAN" \
		pcaps/vxlan.pcap >/dev/null ||
		fail "a 100 ms bound failed"
}

run_all test-workers
