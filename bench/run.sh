#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The benchmark behind `make bench`, side by side in one run:
#   1. a capture of BENCH_FRAMES frames (1,000,000) made by `fdtest gen`
#      from the corpus's own descriptions (pcaps/*.txt) repeated, and its
#      goldens, all under $O/bench (kept out of git);
#   2. the floor: bench/floor, the same shaped frames preloaded in memory,
#      nothing but bpf_prog_test_run_opts() in a loop on one thread (and,
#      for contrast, split over two threads: how far the kernel scales);
#   3. fdtest run --update, then fdtest run against those goldens with
#      -j 0 (one thread), -j 1 and -j 2;
#   4. bpftool prog run once per frame on the first 1,000 frames,
#      extrapolated;
#   5. peak RSS of the -j 2 run, again on a 10,000-frame capture;
#   6. fdtest fuzz -j 1 and -j 2 over BENCH_FUZZ_INPUTS generated and
#      mutated frames (100,000; each runs in 3 states x 8 flag sets);
#   7. the real path (fdtest matrix --path real) inside a guest of
#      BENCH_KERNEL (Debian's 6.1 from matrix/fetch-kernels.sh): the mean
#      wall time of one frame through lo against one test run, there.
# Steps 2, 3, 5 and 7 take BENCH_ROUNDS rounds (3), each run in turn, and
# keep each one's best: one round alone varies by 20% here.
# Prints frames/s, test runs/s, the ratio to the floor, CPU time and peak
# RSS of each, and exits 1 when a target is missed:
#   -j 1 >= 0.8x the floor's test runs/s, -j 2 >= 1.5x, peak RSS under
#   64 MiB for the big capture and within 10% of the small one's; fdtest
#   fuzz -j 1 >= 0.8x the floor's test runs/s and -j 2 >= 1.5x -j 1; a
#   frame through lo within 5x of a test run.
# Figures depend on what else the machine runs: the load is printed.
set -u

O=${O:-build}
FRAMES=${BENCH_FRAMES:-1000000}
SMALL=${BENCH_SMALL_FRAMES:-10000}
BPFTOOL_FRAMES=${BENCH_BPFTOOL_FRAMES:-1000}
ROUNDS=${BENCH_ROUNDS:-3}
DISSECTOR=${BENCH_DISSECTOR:-vxlan}
FUZZ_INPUTS=${BENCH_FUZZ_INPUTS:-100000}
FUZZ_CASES=24	# fdtest fuzz runs every input in 3 states x 8 flag sets
cd "$(dirname "$0")/.." || exit 2

FDTEST=$O/fdtest
FLOOR=$O/bench/floor
MEASURE=$O/bench/measure
OBJ=$O/dissectors/$DISSECTOR.bpf.o
W=$O/bench
STATES=3	# fdtest runs every frame in vlanless, pre-vlan, post-vlan

die() {
	echo "bench: $*" >&2
	exit 2
}

[ "$(id -u)" = 0 ] || die "loading BPF programs needs root: run 'sudo make bench'"
for f in "$FDTEST" "$FLOOR" "$MEASURE" "$OBJ"; do
	[ -x "$f" ] || [ -f "$f" ] || die "$f is missing: run 'make bench'"
done
command -v bpftool >/dev/null ||
	die "bpftool is missing: run 'make deps' (Debian package bpftool)"
mkdir -p "$W"

# make_capture NAME N: $W/NAME.pcap of N frames from the corpus lines
make_capture() {
	local name=$1 n=$2
	awk -v n="$n" '/^[[:space:]]*(#|$)/ { next } { line[m++] = $0 }
		END { for (i = 0; i < n; i++) print line[i % m] }' \
		pcaps/*.txt >"$W/$name.txt" || die "cannot write $W/$name.txt"
	"$FDTEST" gen -o "$W/$name.pcap" "$W/$name.txt" ||
		die "fdtest gen failed on $W/$name.txt"
	rm -f "$W/$name.txt"
}

# field FILE KEY: a value from a key=value line
field() {
	sed -n "s/.*\\b$2=\\([^ ]*\\).*/\\1/p" "$1"
}

# keep_best NAME KEY: keeps $W/NAME.try as $W/NAME.m when it is the first
# round or took less KEY (seconds) than the best so far. This VM's speed
# drifts by 20% from one minute to the next; the best of a few rounds,
# each measuring everything in turn, is what repeats.
keep_best() {
	local m=$W/$1.m t=$W/$1.try
	if [ ! -f "$m" ] || awk -v a="$(field "$t" "$2")" \
		-v b="$(field "$m" "$2")" 'BEGIN { exit !(a < b) }'; then
		mv "$t" "$m"
	else
		rm -f "$t"
	fi
}

# measure NAME CMD...: runs CMD with stdout to /dev/null; must exit 0
measure() {
	local name=$1
	shift
	"$MEASURE" "$W/$name.try" "$@" >/dev/null ||
		die "$name: '$*' exited $(field "$W/$name.try" exit)"
	keep_best "$name" wall
}

echo "bench: $(nproc) CPUs, load average:$(uptime | sed "s/.*load average: */ /")"
echo "bench: making $FRAMES- and $SMALL-frame captures from pcaps/*.txt"
make_capture big "$FRAMES"
make_capture small "$SMALL"
rm -rf "$W/expected"

RUN=("$FDTEST" -q run -d "$OBJ" --expected "$W/expected")
# the bundled dissectors' spec policies, as tests/test-corpus.sh has them
case $DISSECTOR in
vxlan) SPEC_POLICY=udp-encap ;;
*) SPEC_POLICY=base ;;
esac
FUZZ=("$FDTEST" -q fuzz -d "$OBJ" --spec-policy "$SPEC_POLICY" \
	--runs "$FUZZ_INPUTS" --seed 1)

rm -f "$W"/*.m "$W"/*.try
echo "bench: fdtest run --update (-j 2)"
measure update "${RUN[@]}" -j 2 --update "$W/big.pcap"
"${RUN[@]}" -j 2 --update "$W/small.pcap" >/dev/null ||
	die "fdtest run --update failed on the small capture"

for round in $(seq "$ROUNDS"); do
	echo "bench: round $round of $ROUNDS: floor on 1 and 2 threads, fdtest run -j 0, -j 1, -j 2, fdtest fuzz -j 1, -j 2"
	"$FLOOR" "$OBJ" "$W/big.pcap" >"$W/floor.try" ||
		die "bench/floor failed"
	keep_best floor seconds
	"$FLOOR" --threads 2 "$OBJ" "$W/big.pcap" >"$W/floor2.try" ||
		die "bench/floor --threads 2 failed"
	keep_best floor2 seconds
	for j in 0 1 2; do
		measure "j$j" "${RUN[@]}" -j "$j" "$W/big.pcap"
	done
	measure small "${RUN[@]}" -j 2 "$W/small.pcap"
	for j in 1 2; do
		measure "fuzz$j" "${FUZZ[@]}" -j "$j"
	done
done

echo "bench: bpftool prog run, once per frame, first $BPFTOOL_FRAMES frames"
PIN=/sys/fs/bpf/fdtest-bench-$$
rm -rf "$W/frames"
mkdir -p "$W/frames"
"$FLOOR" --dump "$W/frames" "$W/big.pcap" "$BPFTOOL_FRAMES" ||
	die "cannot write the frames for bpftool"
bpftool prog load "$OBJ" "$PIN" type flow_dissector ||
	die "bpftool prog load $OBJ failed"
trap 'rm -f "$PIN"' EXIT
cat >"$W/bpftool.sh" <<EOF
for i in \$(seq $BPFTOOL_FRAMES); do
	bpftool prog run pinned $PIN data_in $W/frames/\$i.bin \\
		data_out $W/frames/out.bin >/dev/null || exit 1
done
EOF
measure bpftool bash "$W/bpftool.sh"
rm -f "$PIN"
trap - EXIT

# ---- figures ---------------------------------------------------------------

floor_runs=$(field "$W/floor.m" runs)
floor_s=$(field "$W/floor.m" seconds)
floor_frames=$(field "$W/floor.m" frames)
floor_rate=$(awk -v r="$floor_runs" -v s="$floor_s" 'BEGIN { print r / s }')

printf '\n%-22s %9s %8s %11s %13s %7s %8s %9s\n' "" frames "wall s" \
	"frames/s" "test runs/s" "floor" "CPU s" "peak RSS"
row() {	# row LABEL FRAMES RUNS WALL CPU RSS_KIB
	awk -v l="$1" -v f="$2" -v r="$3" -v w="$4" -v c="$5" -v m="$6" \
	    -v fl="$floor_rate" 'BEGIN {
		printf "%-22s %9d %8.2f %11.0f %13.0f %6.2fx %8.2f %6.1f MiB\n",
			l, f, w, f / w, r / w, r / w / fl, c, m / 1024 }'
}
row_m() {	# row_m LABEL NAME FRAMES: a measured fdtest run
	local m=$W/$2.m
	row "$1" "$3" $(($3 * STATES)) "$(field "$m" wall)" \
		"$(awk -v u="$(field "$m" user)" -v s="$(field "$m" sys)" \
			'BEGIN { print u + s }')" "$(field "$m" maxrss_kib)"
}
row "floor (1 thread)" "$floor_frames" "$floor_runs" "$floor_s" \
	"$(field "$W/floor.m" cpu)" "$(field "$W/floor.m" maxrss_kib)"
# not a target: how far the kernel alone scales, the ceiling for -j 2
row "floor (2 threads)" "$(field "$W/floor2.m" frames)" \
	"$(field "$W/floor2.m" runs)" "$(field "$W/floor2.m" seconds)" \
	"$(field "$W/floor2.m" cpu)" "$(field "$W/floor2.m" maxrss_kib)"
row_m "fdtest run -j 0" j0 "$FRAMES"
row_m "fdtest run -j 1" j1 "$FRAMES"
row_m "fdtest run -j 2" j2 "$FRAMES"
row_m "fdtest run --update" update "$FRAMES"
row_m "fdtest run -j 2, 10k" small "$SMALL"
row_f() {	# row_f LABEL NAME: a measured fdtest fuzz; "frames" are inputs
	local m=$W/$2.m
	row "$1" "$FUZZ_INPUTS" $((FUZZ_INPUTS * FUZZ_CASES)) \
		"$(field "$m" wall)" \
		"$(awk -v u="$(field "$m" user)" -v s="$(field "$m" sys)" \
			'BEGIN { print u + s }')" "$(field "$m" maxrss_kib)"
}
row_f "fdtest fuzz -j 1" fuzz1
row_f "fdtest fuzz -j 2" fuzz2
# bpftool ran the frame as captured, once: one test run per frame, so
# covering fdtest's three states takes three times as long
bw=$(field "$W/bpftool.m" wall)
awk -v n="$BPFTOOL_FRAMES" -v w="$bw" -v F="$FRAMES" -v fl="$floor_rate" \
    -v S="$STATES" -v c="$(field "$W/bpftool.m" user)" \
    -v cs="$(field "$W/bpftool.m" sys)" 'BEGIN {
	printf "%-22s %9d %8.2f %11.0f %13.0f %6.4fx %8.2f\n",
		"bpftool prog run", n, w, n / w / S, n / w, n / w / fl, c + cs
	printf "  (1 run per frame; %d frames x %d states would take %.0f s, %.0fx the floor)\n",
		F, S, F * S * w / n, (F * S * w / n) / (F * S / fl) }'
# The real path runs only where tracing is allowed: in a guest here.
REAL_KERNEL=${BENCH_KERNEL:-${XDG_CACHE_HOME:-$HOME/.cache}/fdtest/kernels/6.1/vmlinuz}
echo "bench: the real path in a guest of $REAL_KERNEL"
# one guest per round, each mean keeping its best: a single pause of the
# emulator (some ms on a busy host) moves a mean over 482 frames by us
lower() {	# lower BEST NEW: the smaller of two means, 0 for none
	if [ "$2" -gt 0 ] && { [ "$1" = 0 ] || [ "$2" -lt "$1" ]; }; then
		echo "$2"
	else
		echo "$1"
	fi
}
real_send=0 real_run=0
for _ in $(seq "$ROUNDS"); do
	"$FDTEST" matrix --format json --path real --accel tcg --timeout 600 \
		--kernel "$REAL_KERNEL" -d "$OBJ" pcaps/*.pcap >"$W/real.json" ||
		[ $? = 1 ] || die "fdtest matrix --path real failed (make matrix-guest; matrix/fetch-kernels.sh 6.1)"
	real_send=$(lower "$real_send" "$(jq '.rows[1].result.dissectors[0].real.send_ns // 0' "$W/real.json")")
	real_run=$(lower "$real_run" "$(jq '.rows[1].result.dissectors[0].real.testrun_ns // 0' "$W/real.json")")
done
real_kver=$(jq -r '.rows[1].result.kernel // "?"' "$W/real.json")
printf "real path in %s: %d ns a frame through lo, %d ns a test run: %.1fx\n" \
	"$real_kver" "$real_send" "$real_run" \
	"$(awk -v a="$real_send" -v b="$real_run" 'BEGIN { print b ? a / b : 0 }')"
echo "load average after:$(uptime | sed "s/.*load average: */ /")"
echo "fdtest's CPU time is all its threads: -j 1 is one test-run thread"
echo "beside the main thread, which reads, checks and reports."

# ---- targets ---------------------------------------------------------------

fail=0
check() {	# check DESCRIPTION AWK-CONDITION
	if awk "BEGIN { exit !($2) }"; then
		echo "target met:    $1"
	else
		echo "target MISSED: $1"
		fail=1
	fi
}
rate() {	# rate NAME: test runs/s of a measured run of $FRAMES frames
	awk -v r=$((FRAMES * STATES)) -v w="$(field "$W/$1.m" wall)" \
		'BEGIN { print r / w }'
}
fuzz_rate() {	# fuzz_rate NAME: test runs/s of a measured fdtest fuzz
	awk -v r=$((FUZZ_INPUTS * FUZZ_CASES)) \
		-v w="$(field "$W/$1.m" wall)" 'BEGIN { print r / w }'
}
rss() {
	field "$W/$1.m" maxrss_kib
}
echo
check "-j 1 at least 0.8x the floor's test runs/s" \
	"$(rate j1) >= 0.8 * $floor_rate"
check "-j 2 at least 1.5x the floor's test runs/s" \
	"$(rate j2) >= 1.5 * $floor_rate"
check "fdtest fuzz -j 1 at least 0.8x the floor's test runs/s" \
	"$(fuzz_rate fuzz1) >= 0.8 * $floor_rate"
check "fdtest fuzz -j 2 at least 1.5x fdtest fuzz -j 1" \
	"$(fuzz_rate fuzz2) >= 1.5 * $(fuzz_rate fuzz1)"
check "peak RSS under 64 MiB for $FRAMES frames" "$(rss j2) < 64 * 1024"
check "peak RSS for $FRAMES frames within 10% of $SMALL frames" \
	"$(rss j2) <= 1.1 * $(rss small)"
check "a frame through lo within 5x of a test run (in $real_kver)" \
	"$real_run > 0 && $real_send <= 5 * $real_run"
exit $fail
