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
				{ tail -5 "$TMP/$name.$fmt.$j.stderr"; fail "$name -j $j --format $fmt: exit $got, want $want"; }
			[ "$j" = 0 ] && continue
			for s in out stdout stderr; do
				# JUnit carries wall-clock times, which no two runs share
				if [ "$fmt" = junit ] && [ "$s" = out ]; then
					untime "$TMP/$name.$fmt.0.$s"
					untime "$TMP/$name.$fmt.$j.$s"
				fi
				cmp "$TMP/$name.$fmt.0.$s" "$TMP/$name.$fmt.$j.$s" ||
					fail "$name --format $fmt: $s of -j $j differs from -j 0"
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
	check "make a 3000-frame capture" make_big 3000
	same_bytes gen 0 --flags 0,4 -d "$REF" -d "$VXLAN" \
		--expected "$TMP/none" "$TMP/big.pcap"
}

# Differences and inconsistencies in the middle of a long run: goldens of
# one dissector checked against the other's results.
test_failures_same_bytes() {
	check "make a 2000-frame capture" make_big 2000
	run 0 "$FDTEST" run -j 0 -d "$REF" --update --expected "$TMP/exp" \
		"$TMP/big.pcap"
	check "goldens of reference as vxlan's" \
		mv "$TMP/exp/reference" "$TMP/exp/vxlan"
	same_bytes fail 1 -d "$VXLAN" --expected "$TMP/exp" "$TMP/big.pcap"
	grep -q FAIL "$TMP/fail.text.0.out" ||
		fail "no differences found: the test proves nothing"
}

test_update_same_goldens() {
	local j
	check "make a 2500-frame capture" make_big 2500
	for j in 0 $JOBS; do
		# one folder for all, so that reports naming it can agree
		"$FDTEST" run -j "$j" --update --flags all --expected "$TMP/up" \
			"$TMP/big.pcap" pcaps/vxlan.pcap >"$TMP/up$j.out" 2>&1 ||
			fail "--update -j $j failed"
		check "keep the goldens of -j $j" mv "$TMP/up" "$TMP/up$j"
		[ "$j" = 0 ] && continue
		diff -r "$TMP/up0" "$TMP/up$j" >/dev/null ||
			fail "goldens of -j $j differ from -j 0"
		cmp "$TMP/up0.out" "$TMP/up$j.out" ||
			fail "--update report of -j $j differs"
	done
	# and they are goldens a run passes
	"$FDTEST" run -j 2 --flags all --expected "$TMP/up2" "$TMP/big.pcap" \
		>/dev/null || fail "a run against the recorded goldens fails"
}

# A malformed golden line far into the file stops every -j at the same
# frame with the same message.
test_golden_error_same_bytes() {
	check "make a 1500-frame capture" make_big 1500
	run 0 "$FDTEST" run -j 0 -d "$REF" --update --expected "$TMP/bad" \
		"$TMP/big.pcap"
	check "break line 2900 of the golden" sed -i \
		'2900s/.*/{"frame":967,"state":"vlanless",/' \
		"$TMP/bad/reference/big.json"
	same_bytes golden-error 2 -d "$REF" --expected "$TMP/bad" \
		"$TMP/big.pcap"
	grep -q "line 2900:" "$TMP/golden-error.text.0.stderr" ||
		fail "the malformed line is not named"
}

# A capture cut inside a record: frames before it are reported, then
# the error, the same for every -j.
test_truncated_capture_same_bytes() {
	local size
	check "make a 1200-frame capture" make_big 1200
	size=$(stat -c %s "$TMP/big.pcap")
	head -c $((size * 2 / 3 + 7)) "$TMP/big.pcap" >"$TMP/cut.pcap"
	same_bytes cut 2 -d "$REF" --expected "$TMP/none" "$TMP/cut.pcap"
	grep -q "#700 " "$TMP/cut.text.0.out" ||
		fail "frames before the cut are not reported"
}

test_jobs_usage() {
	"$FDTEST" run -j -1 pcaps/vxlan.pcap >/dev/null 2>"$TMP/err"
	[ $? = 2 ] && grep -q -- "--jobs: '-1' is not a whole number" "$TMP/err" ||
		fail "-j -1 accepted"
	"$FDTEST" run -j 9999 pcaps/vxlan.pcap >/dev/null 2>&1
	[ $? = 2 ] || fail "-j 9999 accepted"
	"$FDTEST" run --max-ns 100 pcaps/vxlan.pcap >/dev/null 2>"$TMP/err"
	[ $? = 2 ] && grep -q -- "--max-ns needs --repeat" "$TMP/err" ||
		fail "--max-ns without --repeat accepted"
}

test_repeat_reports_classes() {
	run 0 "$FDTEST" run --repeat 20 -d "$VXLAN" pcaps/vxlan.pcap
	expect_in out "kernel ns per run by protocol class (20 runs a case)"
	expect_in out "^    eth/ipv4/udp/vxlan/eth/ipv4/tcp \+[0-9]\+ \+[0-9]\+"
	expect_in out "^  #1 .* ns [0-9]\+/[0-9]\+/[0-9]\+$"
	run 0 "$FDTEST" run --repeat 5 --format json -d "$VXLAN" pcaps/vxlan.pcap
	check "JSON class rows with ordered quantiles" jq -e -s \
		'[.[] | select(.class)] | length > 3 and
		all(.p50_ns <= .p90_ns and .p90_ns <= .p99_ns and
		    .p99_ns <= .max_ns and .p50_ns > 0)' "$TMP/out"
	check "JSON duration_ns of every case" jq -e -s \
		'[.[] | select(.frame and .state)] |
		length > 0 and all(.duration_ns > 0)' "$TMP/out"
	# without --repeat, no time: reports stay the same run to run
	run 0 "$FDTEST" run --format json -d "$VXLAN" pcaps/vxlan.pcap
	expect_not_in out duration_ns
}

# A class is over --max-ns when its p99 is: every class row says so, and
# the text report counts those rows.
test_max_ns_fails() {
	run 1 "$FDTEST" run --repeat 10 --max-ns 1 -d "$VXLAN" pcaps/vxlan.pcap
	expect_in out "over --max-ns"
	run 0 "$FDTEST" run --repeat 10 --max-ns 100000000 -d "$VXLAN" \
		pcaps/vxlan.pcap
	expect_not_in out "over --max-ns"
	# a bound near the classes' own times: each row's verdict must follow
	# its p99, whichever side of the bound it falls
	run 0 "$FDTEST" run --repeat 10 --format json -d "$VXLAN" pcaps/vxlan.pcap
	local bound
	bound=$(jq -s '[.[] | select(.class) | .p50_ns] | sort | .[length / 2 | floor]' \
		"$TMP/out")
	[ "${bound:-0}" -gt 0 ] 2>/dev/null || fail "no class p50 to bound by"
	"$FDTEST" run --repeat 10 --max-ns "$bound" --format json -d "$VXLAN" \
		pcaps/vxlan.pcap >"$TMP/b.json"
	local got=$? over
	over=$(jq -s "[.[] | select(.class and .p99_ns > $bound)] | length" "$TMP/b.json")
	check "every class row over --max-ns $bound exactly when its p99 is" \
		jq -e -s "[.[] | select(.class)] | length > 0 and
			all(.over == (.p99_ns > $bound))" "$TMP/b.json"
	if [ "$over" -gt 0 ]; then
		[ "$got" = 1 ] || fail "$over classes over --max-ns $bound, exit $got"
	else
		[ "$got" = 0 ] || fail "no class over --max-ns $bound, exit $got"
	fi
}

run_all test-workers
