#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# A hostile-input run as root changes no file outside the outputs it was
# asked for. Before and after, a listing (type, mode, owner, size, device
# numbers, SHA-256 or link target of every entry) is taken of the
# repository, of the third-party captures in ../shared/pcaps
# (FDTEST_SHARED_PCAPS names another place), of a decoy folder beside the
# outputs, and of the names in /. In between fdtest run, run --update,
# run --output and gen are given every shared capture, hostile capture
# and dissector names, outputs that are devices, sockets, FIFOs, links
# to decoys or the run's own inputs, and signals; then the bad-input
# and safe-writes suites run. Any change outside $OUT fails.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
REPO=$(pwd)
FDTEST=$REPO/$O/fdtest
REF=$REPO/$O/dissectors/reference.bpf.o
DIR=${FDTEST_SHARED_PCAPS:-$REPO/../shared/pcaps}
TMP=$(mktemp -d /tmp/fdtest-hostile.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/outputs	# every output asked for goes under here
DECOY=$TMP/decoy	# beside it: nothing here may change
RUN_TIMEOUT=600

if [ ! -d "$DIR" ] || [ -z "$(find "$DIR" -name '*.pcap*' -print -quit)" ]; then
	echo "FAIL the shared captures are missing: expected at $DIR (the folder shared/pcaps beside the repository), or set FDTEST_SHARED_PCAPS"
	echo "shared-hostile: 0 passed, 1 failed"
	exit 1
fi
DIR=$(cd "$DIR" && pwd)

ALL_TESTS="
test_every_shared_capture_update
test_every_shared_capture_check
test_hostile_capture_names
test_hostile_dissector_names
test_expected_empty
test_hostile_outputs
test_outputs_that_are_inputs
test_shared_golden_names
test_gen_spec_through_link
test_signals
test_bad_input_suite
test_safe_writes_suite
test_nothing_else_changed
"

. tests/cli-lib.sh

# What must not change, taken once before the first test.
snapshot_all() {
	listing "$REPO" >"$TMP/before.repo"
	listing "$DIR" >"$TMP/before.shared"
	listing "$DECOY" >"$TMP/before.decoy"
	ls -A / >"$TMP/before.root"
}

# The decoy: a user's private file, a victim for links, device nodes of
# our own, a FIFO, a socket, a folder.
make_decoy() {
	mkdir -p "$DECOY/dir" "$OUT"
	echo "private" >"$DECOY/private"
	chown 1234:5678 "$DECOY/private" && chmod 0600 "$DECOY/private"
	echo "victim" >"$DECOY/victim"
	echo "in dir" >"$DECOY/dir/file"
	mknod "$DECOY/null" c 1 3 && mknod "$DECOY/zero" c 1 5 &&
		mknod "$DECOY/blk" b 7 200 && mkfifo "$DECOY/fifo" || exit 1
	python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
		"$DECOY/sock" || exit 1
}

# ok_exit CODE WHAT: fdtest ended by itself with one of its codes
ok_exit() {
	[ "$1" -le 3 ] || fail "$2: exit $1 (a signal or a sanitizer)"
}

no_temps() {
	local left
	left=$(find "$OUT" -name '.fdtest.*' -o -name '*.tmp.*')
	[ -z "$left" ] || fail "$1: temporary files left: $left"
}

shared_captures() {
	find "$DIR" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort
}

test_every_shared_capture_update() {
	local got
	mapfile -t caps < <(shared_captures)
	${RUN_TIMEOUT:+timeout $RUN_TIMEOUT} "$FDTEST" run -d $REF --update \
		--flags all --expected "$OUT/exp" --format json \
		--output "$OUT/report.json" "${caps[@]}" >"$TMP/out" 2>"$TMP/err"
	got=$?
	ok_exit $got "run --update over ${#caps[@]} captures"
	no_temps "run --update"
	[ "$(find "$OUT/exp/reference" -name '*.json' | wc -l)" -gt $((${#caps[@]} / 2)) ] ||
		fail "few goldens recorded: $(find "$OUT/exp" -type f | wc -l)"
	check "the report is JSON Lines" jq -e -s 'length > 0' "$OUT/report.json"
}

test_every_shared_capture_check() {
	local got
	mapfile -t caps < <(shared_captures)
	${RUN_TIMEOUT:+timeout $RUN_TIMEOUT} "$FDTEST" run -d $REF --flags all \
		--expected "$OUT/exp" --format junit --output "$OUT/report.xml" \
		"${caps[@]}" >"$TMP/out" 2>"$TMP/err"
	got=$?
	ok_exit $got "run over ${#caps[@]} captures"
	[ "$got" != 1 ] || fail "a capture differs from the golden just recorded"
	no_temps "run --output"
}

# Names a capture may have: dots, a dash, spaces, a newline, glob and
# shell characters, bytes that are not UTF-8, 250 bytes.
test_hostile_capture_names() {
	local src got n caps=()
	src=$(shared_captures | head -1)
	mkdir -p "$OUT/caps"
	for n in '..pcap' '...pcap' '-x.pcap' ' .pcap' $'new\nline.pcap' \
		 '*.pcap' '$(touch pwned).pcap' $'\xff\xfe.pcap' \
		 "$(printf 'L%.0s' $(seq 245)).pcap"; do
		cp "$src" "$OUT/caps/$n"
		caps+=("$OUT/caps/$n")
	done
	"$FDTEST" run -d $REF --update --expected "$OUT/exp2" "${caps[@]}" \
		>"$TMP/out" 2>"$TMP/err"
	got=$?
	ok_exit $got "hostile capture names"
	[ "$(find "$OUT/exp2/reference" -type f -printf x | wc -c)" = 9 ] ||
		fail "want 9 goldens, have: $(find "$OUT/exp2" | head -20)"
	[ ! -e pwned ] && [ ! -e "$OUT/caps/pwned" ] || fail "a name was run by a shell"
	no_temps "hostile capture names"
}

test_hostile_dissector_names() {
	local obj
	mkdir -p "$OUT/objs/d" "$OUT/exp3"
	for obj in d/...bpf.o ..bpf.o ....bpf.o; do
		cp $REF "$OUT/objs/$obj"
	done
	cd "$OUT/objs" || fail "cd"
	for obj in d/...bpf.o ..bpf.o ....bpf.o; do
		run 2 "$FDTEST" run -d $obj --update --expected ../exp3 "$DIR"/*.pcap
		expect_in err "cannot name a folder"
	done
	[ -z "$(find "$OUT/exp3" -mindepth 1)" ] || fail "goldens written: $(find "$OUT/exp3")"
}

# A name of our own, so that a golden under / is found and removed
test_expected_empty() {
	local name got
	name=fdtest-hostile-$$-$RANDOM
	cp $REF "$OUT/$name.bpf.o"
	"$FDTEST" run -d "$OUT/$name.bpf.o" --update --expected '' "$(shared_captures | head -1)" \
		>"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ -e "/$name" ]; then
		rm -rf "/${name:?}"
		fail "goldens were recorded under /$name"
	fi
	[ "$got" = 2 ] || fail "--expected '': exit $got"
}

test_hostile_outputs() {
	local cap t
	cap=$(shared_captures | head -1)
	for t in zero blk sock dir; do
		run 2 "$FDTEST" run -d $REF --output "$DECOY/$t" "$cap"
		expect_in err "is a"
	done
	run 0 "$FDTEST" run -d $REF --format json --output "$DECOY/null" "$cap"
	timeout 60 cat "$DECOY/fifo" >/dev/null &
	run 0 "$FDTEST" run -d $REF --format json --output "$DECOY/fifo" "$cap"
	wait
	# links to the decoy: the link is replaced, the victim stays
	ln -s ../decoy/victim "$OUT/report-link.json"
	run 0 "$FDTEST" run -d $REF --format json --output "$OUT/report-link.json" "$cap"
	[ -f "$OUT/report-link.json" ] && [ ! -L "$OUT/report-link.json" ] ||
		fail "the link was not replaced"
	mkdir -p "$OUT/exp4/reference"
	ln -s ../../../decoy/private "$OUT/exp4/reference/$(basename "${cap%.pcap*}").json"
	run 0 "$FDTEST" run -d $REF --update --expected "$OUT/exp4" "$cap"
	ln -s ../decoy/victim "$OUT/gen-link.pcap"
	echo "eth / ipv4 / udp" >"$OUT/gen.txt"
	run 0 "$FDTEST" gen -o "$OUT/gen-link.pcap" --spec "$OUT/spec" "$OUT/gen.txt"
	no_temps "hostile outputs"
}

test_outputs_that_are_inputs() {
	local cap
	mkdir -p "$OUT/in"
	cap=$OUT/in/$(basename "$(shared_captures | head -1)")
	cp "$(shared_captures | head -1)" "$cap"
	cp $REF "$OUT/in/ref.bpf.o"
	echo "eth / ipv4 / udp" >"$OUT/in/same.pcap"
	cp "$OUT/in/same.pcap" "$OUT/in/in.txt"
	mkdir -p "$OUT/in/reference"
	listing "$OUT/in" >"$TMP/in.before"
	run 2 "$FDTEST" run -d $REF --output "$cap" "$cap"
	run 2 "$FDTEST" run -d "$OUT/in/ref.bpf.o" --output "$OUT/in/ref.bpf.o" "$cap"
	mkdir -p "$OUT/in/reference"
	run 2 "$FDTEST" run -d $REF --update --expected "$OUT/in" \
		--output "$OUT/in/reference/$(basename "${cap%.pcap*}").json" "$cap"
	expect_in err "is the golden"
	run 2 "$FDTEST" gen "$OUT/in/same.pcap"
	run 2 "$FDTEST" gen -o "$OUT/in/in.txt" "$OUT/in/in.txt"
	listing "$OUT/in" >"$TMP/in.after"
	diff "$TMP/in.before" "$TMP/in.after" || fail "an input was written"
}

test_shared_golden_names() {
	local a b
	a=$(shared_captures | head -1)
	b=$(shared_captures | sed -n 2p)
	mkdir -p "$OUT/pair/a" "$OUT/pair/b"
	cp "$a" "$OUT/pair/a/x.pcap"
	cp "$b" "$OUT/pair/b/x.pcap"
	cp "$b" "$OUT/pair/x.pcapng"
	run 2 "$FDTEST" run -d $REF --update --expected "$OUT/pair/exp" \
		"$OUT/pair/a/x.pcap" "$OUT/pair/b/x.pcap"
	run 2 "$FDTEST" run -d $REF --update --expected "$OUT/pair/exp" \
		"$OUT/pair/a/x.pcap" "$OUT/pair/x.pcapng"
	[ ! -e "$OUT/pair/exp" ] || fail "a golden was recorded"
}

test_gen_spec_through_link() {
	echo "eth / ipv4 / udp" >"$OUT/spec.txt"
	ln -s ../decoy/victim "$OUT/spec-link"
	run 2 "$FDTEST" gen --spec "$OUT/spec-link" "$OUT/spec.txt"
	[ ! -e "$OUT/spec.pcap" ] || fail "a capture without its spec"
}

test_signals() {
	local pid got
	mkdir -p "$OUT/sig"
	for _ in $(seq 6000); do echo "eth / vlan / ipv6 / tcp"; done >"$OUT/sig/big.txt"
	env --default-signal=INT "$FDTEST" gen --spec "$OUT/sig/spec" "$OUT/sig/big.txt" &
	pid=$!
	for _ in $(seq 2000); do
		[ -n "$(find "$OUT/sig" -name '.fdtest.*')" ] && break
		sleep 0.005
	done
	kill -INT $pid
	wait $pid
	got=$?
	[ "$got" = 130 ] || fail "gen: exit $got, want 130 (SIGINT)"
	[ -z "$(find "$OUT/sig" -name '*.pcap' -o -name '*.json')" ] || fail "gen left files"
	mapfile -t caps < <(shared_captures)
	env --default-signal=PIPE "$FDTEST" run -d $REF --update --flags all \
		--expected "$OUT/sig/exp" "${caps[@]}" 2>/dev/null | head -1 >/dev/null
	got=${PIPESTATUS[0]}
	[ "$got" = 141 ] || ok_exit "$got" "run --update | head -1"
	no_temps "signals"
}

test_bad_input_suite() {
	run 0 env O="$O" bash tests/test-bad-input.sh
}

test_safe_writes_suite() {
	run 0 env O="$O" bash tests/test-safe-writes.sh
}

test_nothing_else_changed() {
	local what
	listing "$REPO" >"$TMP/after.repo"
	listing "$DIR" >"$TMP/after.shared"
	listing "$DECOY" >"$TMP/after.decoy"
	ls -A / >"$TMP/after.root"
	for what in repo shared decoy root; do
		diff "$TMP/before.$what" "$TMP/after.$what" >"$TMP/diff" ||
			{ head -40 "$TMP/diff"; fail "the $what changed"; }
	done
}

make_decoy
snapshot_all
run_all shared-hostile
