#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Where fdtest writes, as root (README "Where fdtest writes"): regular
# files are replaced whole with their owner and mode; FIFOs, pipes,
# terminals and the null device are written into; anything else is
# refused; golden paths stay inside --expected; no output is one of the
# run's inputs; outputs of one command appear together or not at all,
# whatever signal ends it. Device nodes are made with mknod in the scratch
# folder, and /dev/stdout is tried in a private mount namespace: the
# machine's /dev is never written.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$(cd "$O" && pwd)/fdtest
REF=$(pwd)/$O/dissectors/reference.bpf.o
CAP=$(pwd)/pcaps/vxlan.pcap
TMP=$(mktemp -d /tmp/fdtest-safe.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
RUN_TIMEOUT=120

ALL_TESTS="
test_output_null_device
test_output_fifo
test_output_pipe_via_stdout
test_output_dev_stdout_namespace
test_gen_output_pipe
test_output_terminal
test_output_refused_kinds
test_output_keeps_owner_and_mode
test_golden_keeps_owner_and_mode
test_golden_dot_names_stay_inside
test_expected_empty_refused
test_shared_golden_refused
test_output_is_an_input
test_gen_output_is_description
test_gen_all_or_none_on_error
test_gen_signal_leaves_nothing
test_run_sigpipe_leaves_nothing
test_long_golden_names
"

. tests/cli-lib.sh

# snapshot DIR NAME / unchanged DIR NAME: fail when DIR changed since
snapshot() {
	listing "$1" >"$TMP/snap.$2"
}

unchanged() {
	listing "$1" >"$TMP/now.$2"
	diff "$TMP/snap.$2" "$TMP/now.$2" >"$TMP/diff.$2" ||
		{ cat "$TMP/diff.$2"; fail "$3: something changed under $1"; }
}

# no temporary file of fdtest under DIR, in the old naming or the new
no_temps() {
	local left
	left=$(find "$1" -name '.fdtest.*' -o -name '*.tmp.*')
	[ -z "$left" ] || fail "$2: temporary files left: $left"
}

# scratch: $W, a folder of the test's own (out, err and listings stay
# in $TMP, outside it)
scratch() {
	W=$TMP/${FUNCNAME[1]}
	mkdir "$W" || fail "mkdir $W"
}

# kind PATH: "c 1:3", "p", "f", ... as stat sees PATH itself
kind() {
	stat -c '%F %t:%T' "$1"
}

test_output_null_device() {
	scratch
	mknod "$W/null" c 1 3 || fail "mknod"
	run 0 "$FDTEST" run -d $REF --format json --output "$W/null" $CAP
	[ "$(kind "$W/null")" = "character special file 1:3" ] ||
		fail "the null device was replaced: $(ls -l "$W/null")"
}

test_output_fifo() {
	scratch
	mkfifo "$W/fifo" || fail "mkfifo"
	# an old fdtest replaces the FIFO: the reader must not wait forever
	timeout 30 cat "$W/fifo" >"$W/got" &
	run 0 "$FDTEST" run -d $REF --format json --output "$W/fifo" $CAP
	wait
	[ -p "$W/fifo" ] || fail "the FIFO was replaced: $(ls -l "$W/fifo")"
	check "the report came through the FIFO" jq -e -s 'length > 30' "$W/got"
}

# /dev/stdout is a link to /proc/self/fd/1; one of our own behaves alike
test_output_pipe_via_stdout() {
	scratch
	ln -s /proc/self/fd/1 "$W/stdout"
	"$FDTEST" run -d $REF --format json --output "$W/stdout" $CAP \
		2>"$W/err" | cat >"$W/got"
	[ "${PIPESTATUS[0]}" = 0 ] || { cat "$W/err"; fail "exit ${PIPESTATUS[0]}"; }
	[ -L "$W/stdout" ] || fail "the link to stdout was replaced"
	check "the JSON report came down the pipe" grep -q '"verdict":"pass"' "$W/got"
}

# gen -o /dev/stdout | ...: the capture goes down the pipe, and is the
# capture gen writes to a file
test_gen_output_pipe() {
	scratch
	ln -s /proc/self/fd/1 "$W/stdout"
	for f in pcap pcapng; do
		"$FDTEST" gen --format $f -o "$W/stdout" pcaps/vxlan.txt 2>"$TMP/err" |
			cat >"$W/piped.$f"
		[ "${PIPESTATUS[0]}" = 0 ] || { cat "$TMP/err"; fail "gen --format $f: exit ${PIPESTATUS[0]}"; }
		run 0 "$FDTEST" gen --format $f -o "$W/file.$f" pcaps/vxlan.txt
		check "gen --format $f: the same bytes down a pipe" cmp "$W/piped.$f" "$W/file.$f"
	done
	[ -L "$W/stdout" ] || fail "the link to stdout was replaced"
	"$FDTEST" gen -o "$W/stdout" --spec "$W/spec" pcaps/vxlan.txt 2>"$TMP/err" | cat >/dev/null
	[ "${PIPESTATUS[0]}" = 2 ] || fail "gen --spec into a pipe: exit ${PIPESTATUS[0]}, want 2"
	expect_in err "needs the capture in a file"
	[ ! -e "$W/spec" ] || fail "a spec without its capture"
}

# The real name, in a namespace where /dev is a tmpfs of our own
test_output_dev_stdout_namespace() {
	scratch
	cat >"$W/ns.sh" <<-EOF
	mount -t tmpfs none /dev || exit 90
	ln -s /proc/self/fd/1 /dev/stdout
	"$FDTEST" run -d $REF --format json --output /dev/stdout $CAP | cat >"$W/got"
	[ "\${PIPESTATUS[0]}" = 0 ] || exit 91
	[ -L /dev/stdout ] || exit 92
	EOF
	run 0 unshare -m --propagation private bash "$W/ns.sh"
	check "the JSON report came down the pipe" grep -q '"verdict":"pass"' "$W/got"
}

test_output_terminal() {
	scratch
	command -v script >/dev/null || fail "script(1) (util-linux) is missing"
	ln -s /proc/self/fd/1 "$W/tty"
	# script(1) gives the command a pseudo-terminal as its stdout
	run 0 script -qec "'$FDTEST' run -d $REF --format json --output '$W/tty' $CAP" /dev/null
	[ -L "$W/tty" ] || fail "the link to the terminal was replaced"
	expect_in out '"verdict":"pass"'
}

test_output_refused_kinds() {
	scratch
	mknod "$W/zero" c 1 5 && mknod "$W/blk" b 7 200 || fail "mknod"
	mkdir "$W/dir"
	python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' \
		"$W/sock" || fail "python3 could not make a socket"
	snapshot "$W" all
	for t in zero blk dir sock; do
		run 2 "$FDTEST" run -d $REF --output "$W/$t" $CAP
		expect_in err "^Error: --output '$W/$t': is a"
	done
	expect_in err "is a socket"
	unchanged "$W" all "a refused --output"
	no_temps "$W" "a refused --output"
}

test_output_keeps_owner_and_mode() {
	scratch
	echo old >"$W/report.json"
	chown 1234:5678 "$W/report.json" && chmod 0600 "$W/report.json"
	run 0 "$FDTEST" run -d $REF --format json --output "$W/report.json" $CAP
	[ "$(stat -c '%u:%g %a' "$W/report.json")" = "1234:5678 600" ] ||
		fail "owner and mode lost: $(stat -c '%u:%g %a' "$W/report.json")"
	check "the report replaced the old file" grep -q '"verdict"' "$W/report.json"
	# a new file: 0666 less the umask
	(umask 027 && "$FDTEST" run -d $REF --format json --output "$W/new.json" $CAP) \
		>/dev/null 2>&1 || fail "writing a new report"
	[ "$(stat -c '%a' "$W/new.json")" = 640 ] ||
		fail "a new file under umask 027 is $(stat -c '%a' "$W/new.json")"
}

test_golden_keeps_owner_and_mode() {
	scratch
	mkdir -p "$W/exp/reference"
	cp expected/reference/vxlan.json "$W/exp/reference/"
	chown 1234:5678 "$W/exp/reference/vxlan.json"
	chmod 0600 "$W/exp/reference/vxlan.json"
	run 0 "$FDTEST" run -d $REF --update --expected "$W/exp" $CAP
	[ "$(stat -c '%u:%g %a' "$W/exp/reference/vxlan.json")" = "1234:5678 600" ] ||
		fail "owner and mode lost: $(stat -c '%u:%g %a' "$W/exp/reference/vxlan.json")"
	run 0 "$FDTEST" run -d $REF --update --expected "$W/fresh" $CAP
	check "the golden was recorded" cmp "$W/fresh/reference/vxlan.json" "$W/exp/reference/vxlan.json"
	no_temps "$W/exp" "--update"
}

# d/...bpf.o is named "..", ..bpf.o ".", ....bpf.o "...": as a folder
# under --expected the first two lead outside it
test_golden_dot_names_stay_inside() {
	scratch
	mkdir -p "$W/w/root/d" "$W/w/root/e4"
	cp $REF "$W/w/root/d/...bpf.o"
	cp $REF "$W/w/root/..bpf.o"
	cp $REF "$W/w/root/....bpf.o"
	snapshot "$W/w" w
	cd "$W/w/root" || fail "cd"
	for obj in d/...bpf.o ..bpf.o ....bpf.o; do
		run 2 "$FDTEST" run -d $obj --update --expected e4 $CAP
		expect_in err "cannot name a folder inside 'e4'"
		run 2 "$FDTEST" run -d $obj --expected e4 $CAP
	done
	unchanged "$W/w" w "a dissector named with dots"
}

# --expected '' made every golden /<dissector>/<capture>.json. The
# dissector's name is ours alone, so that an old fdtest that writes
# there is caught, and its file removed.
test_expected_empty_refused() {
	scratch
	local name
	name=fdtest-safe-writes-$$-$RANDOM
	cp $REF "$W/$name.bpf.o"
	"$FDTEST" run -d "$W/$name.bpf.o" --update --expected '' $CAP \
		>"$TMP/out" 2>"$TMP/err"
	local got=$?
	if [ -e "/$name" ]; then
		rm -rf "/${name:?}"
		fail "a golden was recorded under /$name"
	fi
	[ "$got" = 2 ] || fail "exit $got, want 2"
	expect_in err "^Error: --expected: give a folder"
	run 2 "$FDTEST" run -d $REF --expected '' $CAP
	run 2 "$FDTEST" gen --spec '' pcaps/vxlan.txt
	expect_in err "^Error: --spec: give a folder"
}

test_shared_golden_refused() {
	scratch
	mkdir -p "$W/a" "$W/b" "$W/exp"
	cp $CAP "$W/a/x.pcap"
	cp pcaps/ipv6.pcap "$W/b/x.pcap"
	cp pcaps/ipv6.pcap "$W/x.pcapng"
	run 2 "$FDTEST" run -d $REF --update --expected "$W/exp" "$W/a/x.pcap" "$W/b/x.pcap"
	expect_in err "captures '$W/a/x.pcap' and '$W/b/x.pcap' would share one golden"
	run 2 "$FDTEST" run -d $REF --update --expected "$W/exp" "$W/a/x.pcap" "$W/x.pcapng"
	expect_in err "captures '$W/a/x.pcap' and '$W/x.pcapng' would share one golden"
	run 2 "$FDTEST" run -d $REF --expected "$W/exp" "$W/b/x.pcap" "$W/a/x.pcap"
	[ -z "$(find "$W/exp" -type f)" ] || fail "a golden was written"
	# two objects of one name: one golden folder
	cp $REF "$W/a/reference.bpf.o"
	cp "$O/dissectors/vxlan.bpf.o" "$W/b/reference.bpf.o"
	run 2 "$FDTEST" run -d "$W/a/reference.bpf.o" -d "$W/b/reference.bpf.o" \
		--update --expected "$W/exp" $CAP
	expect_in err "are both named 'reference'"
	# one capture named twice is one golden, not two
	run 0 "$FDTEST" run -d $REF --update --expected "$W/exp" "$W/a/x.pcap" "$W/a/x.pcap"
}

test_output_is_an_input() {
	scratch
	mkdir -p "$W/exp/reference"
	cp $CAP "$W/vxlan.pcap"
	cp $REF "$W/ref.bpf.o"
	cp expected/reference/vxlan.json "$W/exp/reference/"
	mkdir -p "$W/exp/ref"
	cp expected/reference/vxlan.json "$W/exp/ref/"
	snapshot "$W" in
	for out in "$W/vxlan.pcap" "$W/ref.bpf.o" "$W/exp/ref/vxlan.json" \
		   "$W/exp/../exp/ref/vxlan.json"; do
		run 2 "$FDTEST" run -d "$W/ref.bpf.o" --expected "$W/exp" \
			--output "$out" "$W/vxlan.pcap"
		expect_in err "^Error: --output '$out' is the"
		run 2 "$FDTEST" run -d "$W/ref.bpf.o" --expected "$W/exp" \
			--update --output "$out" "$W/vxlan.pcap"
	done
	# a golden this run would create
	cp $CAP "$W/other.pcap"
	snapshot "$W" in
	run 2 "$FDTEST" run -d $REF --expected "$W/exp" --update \
		--output "$W/exp/reference/other.json" "$W/other.pcap"
	expect_in err "is the golden"
	unchanged "$W" in "--output naming an input"
}

test_gen_output_is_description() {
	scratch
	echo "eth / ipv4 / tcp" >"$W/same.pcap"
	echo "eth / ipv4 / udp" >"$W/in.txt"
	snapshot "$W" gen
	run 2 "$FDTEST" gen "$W/same.pcap"
	expect_in err "is the description itself"
	run 2 "$FDTEST" gen -o "$W/in.txt" "$W/in.txt"
	run 2 "$FDTEST" gen -o "$W/./in.txt" --spec "$W/spec" "$W/in.txt"
	unchanged "$W" gen "gen over its description"
}

# A spec that cannot be written leaves no capture either
test_gen_all_or_none_on_error() {
	scratch
	echo "eth / ipv4 / udp" >"$W/in.txt"
	echo x >"$W/file"
	ln -s file "$W/spec"
	snapshot "$W" gen
	run 2 "$FDTEST" gen --spec "$W/spec" "$W/in.txt"
	expect_in err "Not a directory"
	unchanged "$W" gen "gen with a bad --spec"
	# a bad line past the first: nothing written
	printf 'eth / ipv4 / udp\neth / bogus\n' >"$W/in.txt"
	snapshot "$W" gen
	run 2 "$FDTEST" gen --spec "$W/spec2" "$W/in.txt"
	unchanged "$W" gen "gen with a bad description"
	# a good one: the capture and both spec files
	echo "eth / ipv4 / udp" >"$W/in.txt"
	run 0 "$FDTEST" gen --spec "$W/spec2" "$W/in.txt"
	[ -f "$W/in.pcap" ] && [ -f "$W/spec2/base/in.json" ] &&
		[ -f "$W/spec2/udp-encap/in.json" ] || fail "gen wrote $(ls -R "$W")"
}

# A signal while gen writes: no capture, no spec, no temporary file, and
# the process dies of the signal
test_gen_signal_leaves_nothing() {
	scratch
	local sig pid got n
	for _ in $(seq 40); do echo "eth / vlan / ipv6 / tcp"; done >"$W/unit"
	for _ in $(seq 150); do cat "$W/unit"; done >"$W/big.txt"
	for sig in INT TERM HUP; do
		mkdir "$W/$sig"
		cp "$W/big.txt" "$W/$sig/"
		# a background job ignores SIGINT unless told otherwise
		env --default-signal=INT,TERM,HUP \
			"$FDTEST" gen --spec "$W/$sig/spec" "$W/$sig/big.txt" &
		pid=$!
		# wait for a file being written, then signal
		for n in $(seq 2000); do
			[ -n "$(find "$W/$sig" -name '.fdtest.*' -o -name '*.tmp.*' -o -name '*.json')" ] && break
			sleep 0.005
		done
		kill -"$sig" $pid
		wait $pid
		got=$?
		[ "$got" = $((128 + $(kill -l "$sig"))) ] || fail "SIG$sig: exit $got"
		no_temps "$W/$sig" "SIG$sig"
		[ -z "$(find "$W/$sig" -name '*.pcap' -o -name '*.json')" ] ||
			fail "SIG$sig: gen left $(find "$W/$sig" -type f)"
	done
}

# fdtest run --update ... | head -1: the pipe breaks mid-run (the text
# report passes its 1 MiB buffer), SIGPIPE ends the run; no temporary
# golden or report may stay
test_run_sigpipe_leaves_nothing() {
	scratch
	for _ in $(seq 20); do echo "eth / ipv4 / udp"; echo "eth / vlan / ipv6 / tcp"; done >"$W/unit"
	for _ in $(seq 60); do cat "$W/unit"; done >"$W/mid.txt"
	run 0 "$FDTEST" gen "$W/mid.txt"
	mkdir "$W/exp" "$W/rep"
	env --default-signal=PIPE "$FDTEST" run -d $REF --update --flags all --expected "$W/exp" \
		--format json --output "$W/rep/report.json" "$W/mid.pcap" 2>/dev/null | head -1 >/dev/null
	[ "${PIPESTATUS[0]}" = 141 ] || fail "exit ${PIPESTATUS[0]}, want death by SIGPIPE (141)"
	no_temps "$W/exp" "SIGPIPE"
	no_temps "$W/rep" "SIGPIPE"
	[ -z "$(find "$W/rep" -type f)" ] || fail "a report was committed"
}

# A golden's file name may take all of NAME_MAX (255): the temporary
# name must fit, and a name past it is refused with its reason whole
test_long_golden_names() {
	scratch
	local deep len stem
	deep=$W/$(printf 'e%.0s' $(seq 100))/$(printf 'x%.0s' $(seq 100))/$(printf 'p%.0s' $(seq 100))
	mkdir -p "$deep" "$W/caps"
	for len in 245 250 255; do
		stem=$(printf 'c%.0s' $(seq $((len - 5))))
		cp $CAP "$W/caps/$stem.pcap"
		run 0 "$FDTEST" run -d $REF --update --expected "$deep" "$W/caps/$stem.pcap"
		[ -f "$deep/reference/$stem.json" ] || fail "no golden of $len bytes"
		run 0 "$FDTEST" run -d $REF --expected "$deep" "$W/caps/$stem.pcap"
	done
	stem=$(printf 'c%.0s' $(seq 251))
	cp $CAP "$W/caps/$stem.pcap"
	run 2 "$FDTEST" run -d $REF --update --expected "$deep" "$W/caps/$stem.pcap"
	expect_in err "longer than 255 bytes"
	no_temps "$deep" "long names"
}

run_all test-safe-writes
