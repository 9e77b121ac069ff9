#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# fdtest matrix with real guests: Debian's 5.10 kernel booted under qemu
# (TCG, so no test depends on KVM), a dissector refused below and at its
# minimum kernel, and guests that are killed, time out or are no kernel at
# all, each of which must end as a failed row, never as a hang; verdicts
# earned only by checked cases, probe errors shown as errors, and the CPU
# model per accelerator (a stand-in qemu records its arguments). The
# kernel comes from matrix/fetch-kernels.sh (make matrix-kernels); without
# it the tests fail and say so. Each test_* function is one case, run in
# a subshell of its own: its first failed step ends it (tests/cli-lib.sh).
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$(cd "$O" && pwd)/fdtest
REF=$O/dissectors/reference.bpf.o
TAI=$O/tests/fixtures/tai_clock.bpf.o
CAP=pcaps/vlan.pcap
CACHE=${FDTEST_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fdtest/kernels}
K510=$CACHE/5.10/vmlinuz
TMP=$(mktemp -d /tmp/fdtest-matrix-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ALL_TESTS="
test_usage
test_nothing_checked
test_host_only
test_cpu_models
test_boot_510
test_crash_names_in_result
test_crash_names_in_frames
test_min_kernel_rejection_fails
test_not_a_kernel
test_timeout
test_guest_killed
test_kernel_crash_retried
test_valgrind
test_not_root
test_probe_error_not_no
"

RUN_TIMEOUT=150
. tests/cli-lib.sh

need_kernel() {
	[ -s "$K510" ] || fail "no 5.10 kernel image at $K510: run 'make matrix-kernels' (fetches it from Debian's archive)"
	command -v qemu-system-x86_64 >/dev/null ||
		fail "qemu-system-x86_64 missing: apt-get install qemu-system-x86"
}

# jq FILTER on the JSON in $TMP/out must print true
expect_json() {
	[ "$(jq -r "$1" "$TMP/out")" = true ] || {
		jq . "$TMP/out" | head -60
		fail "JSON: $1"
	}
}

test_usage() {
	run 0 "$FDTEST" matrix --help
	expect_in out "Usage: fdtest matrix"
	run 2 "$FDTEST" matrix --format xml -d $REF $CAP
	expect_in err "not a format"
	# the error names the option and the reason, not only the path
	run 2 "$FDTEST" matrix --kernel "$TMP/none" -d $REF $CAP
	expect_in err "^Error: --kernel '$TMP/none': No such file or directory$"
	run 2 "$FDTEST" matrix --timeout 0 -d $REF $CAP
	run 2 "$FDTEST" matrix --guest /x
}

# Nothing run is nothing checked: no capture is bad usage, and goldens
# that are not there make every case unchecked, never a pass.
test_nothing_checked() {
	run 2 "$FDTEST" matrix -d $REF
	expect_in err "^Error: no capture: name the captures to run"
	run 2 "$FDTEST" matrix --expected "$TMP/nowhere" -d $REF $CAP
	expect_in err "^Error: --expected '$TMP/nowhere': No such file or directory"
	mkdir -p "$TMP/empty"
	run 1 "$FDTEST" matrix --expected "$TMP/empty" -d $REF $CAP
	expect_in out "| unchecked 264 of 264 | FAIL |$"
	expect_not_in out "| pass "
	expect_in out "dissector 'reference': 264 of 264 cases unchecked (no golden)"
	# one dissector unchecked fails the row, beside one that passes
	mkdir -p "$TMP/half/reference"
	cp expected/reference/vlan.json "$TMP/half/reference/"
	run 1 "$FDTEST" matrix --expected "$TMP/half" -d $REF -d $TAI $CAP
	expect_in out "| pass 264/264 | unchecked 264 of 264 | FAIL |$"
}

test_host_only() {
	run 0 "$FDTEST" matrix -d $REF -d $TAI $CAP
	expect_in out "^| kernel | boot to result |"
	expect_in out "| $(uname -r) (host) | .* | pass 264/264 | pass 264/264 | pass |$"
	run 0 "$FDTEST" matrix --format json -d $REF $CAP
	expect_json '.failed == 0 and (.rows | length) == 1 and
		.rows[0].result.features.test_run == 1'
}

# Under TCG the CPU model is --tcg-cpu (default max), never --cpu: qemu
# has no 'host' model without KVM. A stand-in qemu records its arguments.
test_cpu_models() {
	cat >"$TMP/fake-qemu" <<-EOS
	#!/bin/sh
	echo "\$*" >>"$TMP/qemu-args"
	exit 1
	EOS
	chmod +x "$TMP/fake-qemu"
	echo "image" >"$TMP/vmlinuz"
	run 1 "$FDTEST" matrix --accel tcg --cpu host,+invtsc --qemu "$TMP/fake-qemu" \
		--kernel "$TMP/vmlinuz" -d $REF $CAP
	check "TCG boots with -cpu max" grep -q -- "^-accel tcg -cpu max -m " "$TMP/qemu-args"
	: >"$TMP/qemu-args"
	run 1 "$FDTEST" matrix --accel tcg --tcg-cpu qemu64 --cpu host \
		--qemu "$TMP/fake-qemu" --kernel "$TMP/vmlinuz" -d $REF $CAP
	check "TCG boots with --tcg-cpu" grep -q -- "^-accel tcg -cpu qemu64 -m " "$TMP/qemu-args"
	: >"$TMP/qemu-args"
	run 1 "$FDTEST" matrix --accel kvm --cpu host,+invtsc --tcg-cpu qemu64 \
		--qemu "$TMP/fake-qemu" --kernel "$TMP/vmlinuz" -d $REF $CAP
	check "KVM boots with --cpu" grep -q -- "^-accel kvm -cpu host,+invtsc -m " "$TMP/qemu-args"
}

# 5.10: boolean retval (normalised, so the goldens pass), no CONTINUE, no
# state fields in ctx_in; the 6.1 fixture is refused there, a skip.
test_boot_510() {
	need_kernel
	run 0 "$FDTEST" matrix --accel tcg --format json --kernel "$K510" \
		-d $REF -d $TAI $CAP
	expect_json '.failed == 0 and (.rows | length) == 2'
	expect_json '.rows[1].result.kernel | startswith("5.10.")'
	expect_json '.rows[1].guest_exit == "exit 0"'
	expect_json '.rows[1].result.features |
		.test_run == 1 and .ctx_flags == 1 and .ctx_states == 0 and
		.raw_retval == 0 and .continue == 0 and .attach_prog == 1 and
		.attach_link == 1'
	expect_json '.rows[1].result.dissectors[0] |
		.load == "loaded" and .failed == 0 and .passed == .cases and
		.cases > 0'
	expect_json '.rows[1].result.dissectors[1] |
		.load == "skipped" and .min_kernel == "6.1" and
		(.reason | contains("unknown#208"))'
	expect_json '.rows[0].result.dissectors[1] |
		.load == "loaded" and .passed == .cases and .cases > 0'
}

# A dissector named like a kernel crash line: its name is in the framed
# result, which is ours, not the kernel's. One boot, a passing row.
test_crash_names_in_result() {
	need_kernel
	cp $REF "$TMP/Oops:.bpf.o"
	cp $CAP "$TMP/Oops:.pcap"
	run 0 "$FDTEST" run --update --flags all --expected "$TMP/exp" \
		-d "$TMP/Oops:.bpf.o" "$TMP/Oops:.pcap"
	run 0 "$FDTEST" matrix --accel tcg --retries 2 --format json \
		--expected "$TMP/exp" --kernel "$K510" \
		-d "$TMP/Oops:.bpf.o" "$TMP/Oops:.pcap"
	expect_json '.failed == 0 and .rows[1].boots == 1 and
		.rows[1].first_crash == "" and .rows[1].status == "pass" and
		.rows[1].result.dissectors[0].name == "Oops:"'
	expect_not_in err "the kernel crashed"
}

# The same, with a stand-in qemu that runs the suite on the host as the
# guest would and powers off a second after the result frame: a crash
# watcher that reads frame lines sees "Oops:" and boots it again.
test_crash_names_in_frames() {
	local suite=$TMP/suite
	mkdir -p "$suite/dissectors" "$suite/pcaps" "$suite/expected"
	cp $REF "$suite/dissectors/Oops:.bpf.o"
	cp $CAP "$suite/pcaps/Oops:.pcap"
	echo "Oops:.bpf.o" >"$suite/dissectors.list"
	echo "Oops:.pcap" >"$suite/pcaps.list"
	run 0 "$FDTEST" run --update --flags all --expected "$suite/expected" \
		-d "$suite/dissectors/Oops:.bpf.o" "$suite/pcaps/Oops:.pcap"
	cat >"$TMP/fake-qemu" <<-EOS
	#!/bin/sh
	nonce=\$(echo "\$*" | sed -n 's/.*fdtest_nonce=\([0-9a-f]*\).*/\1/p')
	"$FDTEST" -q matrix --guest "$suite" --nonce "\$nonce"
	sleep 1
	# the init's "exit" frame; gzip's trailer holds the CRC-32
	crc=\$(printf '0/1:exit 0' | gzip -c | tail -c8 | head -c4 | od -An -tx4 | tr -d ' ')
	printf '\nFDTEST:%s:exit:0/1:%s:exit 0\n' "\$nonce" "\$crc"
	EOS
	chmod +x "$TMP/fake-qemu"
	echo "image" >"$TMP/vmlinuz"
	run 0 "$FDTEST" matrix --accel tcg --qemu "$TMP/fake-qemu" --retries 1 \
		--format json --expected "$suite/expected" --kernel "$TMP/vmlinuz" \
		-d "$suite/dissectors/Oops:.bpf.o" "$suite/pcaps/Oops:.pcap"
	expect_json '.failed == 0 and .rows[1].boots == 1 and
		.rows[1].first_crash == "" and .rows[1].status == "pass" and
		.rows[1].result.dissectors[0].name == "Oops:"'
}

# The same refusal with a minimum the kernel meets is a failure.
test_min_kernel_rejection_fails() {
	need_kernel
	printf 'min_kernel=5.4' >"$TMP/min"
	check "llvm-objcopy sets the minimum" \
		llvm-objcopy --update-section .fdtest="$TMP/min" $TAI "$TMP/tai_clock.bpf.o"
	run 1 "$FDTEST" matrix --accel tcg --kernel "$K510" \
		-d "$TMP/tai_clock.bpf.o" $CAP
	expect_in out "| rejected: invalid func unknown#208 | FAIL |$"
}

test_not_a_kernel() {
	echo "not a kernel" >"$TMP/vmlinuz"
	run 1 "$FDTEST" matrix --accel tcg --kernel "$TMP/vmlinuz" -d $REF $CAP
	expect_in out "qemu exited with status"
	expect_in out '^```$'
}

test_timeout() {
	need_kernel
	local start=$SECONDS
	run 1 "$FDTEST" matrix --accel tcg --timeout 1 --kernel "$K510" \
		-d $REF $CAP
	expect_in out "no result within 1 s: killed"
	[ $((SECONDS - start)) -lt 20 ] || fail "a 1 s timeout took $((SECONDS - start)) s"
}

# A guest killed mid-boot by someone else: a failed row, at once.
test_guest_killed() {
	need_kernel
	local pid qemu killed i start got
	timeout 150 "$FDTEST" matrix --accel tcg --timeout 120 \
		--kernel "$K510" -d $REF $CAP >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	# the qemu that fdtest started, killed once it runs; a qemu that is
	# gone by the time of the kill (a crashed boot retried) is looked for
	# again, so the test never lets a guest finish by accident
	killed=
	for i in $(seq 100); do
		qemu=$(pgrep -P "$(pgrep -P $pid -x fdtest || echo $pid)" qemu-system 2>/dev/null | head -n1)
		if [ -n "$qemu" ]; then
			sleep 0.2
			kill -9 "$qemu" 2>/dev/null && { killed=$qemu; break; }
		fi
		sleep 0.1
	done
	[ -n "$killed" ] || { kill $pid; fail "no running qemu to kill"; }
	start=$SECONDS
	wait $pid
	got=$?
	[ "$got" = 1 ] || { cat "$TMP/out" "$TMP/err"; fail "exit $got, want 1"; }
	expect_in out "qemu killed by signal 9 before the result"
	[ $((SECONDS - start)) -lt 10 ] || fail "the killed guest's row took $((SECONDS - start)) s"
}

# A stand-in for qemu whose "kernel" oopses and then hangs: stopped at
# once, booted again while retries last, then a failed row saying why.
test_kernel_crash_retried() {
	cat >"$TMP/fake-qemu" <<-'EOS'
	#!/bin/sh
	echo "[    1.5] Oops: general protection fault, maybe for address 0x10"
	exec sleep 100
	EOS
	chmod +x "$TMP/fake-qemu"
	echo "image" >"$TMP/vmlinuz"
	local start=$SECONDS
	run 1 "$FDTEST" matrix --accel tcg --qemu "$TMP/fake-qemu" \
		--retries 1 --format json --kernel "$TMP/vmlinuz" -d $REF $CAP
	expect_json '.rows[1] | .status == "fail" and .boots == 2 and
		.first_crash == "Oops: general protection fault, maybe for address 0x10" and
		(.reason | startswith("the kernel crashed: Oops:"))'
	[ $((SECONDS - start)) -lt 10 ] || fail "two crashed boots took $((SECONDS - start)) s"
}

# The host side (pack, boot, collect, render) has no memory error or leak.
test_valgrind() {
	need_kernel
	case $O in
	*/san) skip "ASan and valgrind do not mix (sanitizer build)" ;;
	esac
	command -v valgrind >/dev/null || fail "valgrind missing: make deps"
	run 0 valgrind --suppressions=tests/valgrind.supp --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite,indirect -q \
		"$FDTEST" matrix --accel tcg --kernel "$K510" -d $REF -d $TAI $CAP
	expect_not_in err '^==[0-9]*=='
}

test_not_root() {
	command -v setpriv >/dev/null || fail "setpriv (util-linux) missing"
	chmod 755 "$TMP"
	cp $REF "$TMP/ref.bpf.o"
	cp $CAP "$TMP/c.pcap"
	mkdir -p "$TMP/exp"
	chmod 644 "$TMP/ref.bpf.o" "$TMP/c.pcap"
	run 3 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$FDTEST" matrix --expected "$TMP/exp" -d "$TMP/ref.bpf.o" "$TMP/c.pcap"
	expect_in err "run it as root"
}

# Root without CAP_SYS_ADMIN loads and test-runs, but cannot make the
# network namespace the netns probes need: each shows the error, never
# "no", and the refusal is exit 3.
test_probe_error_not_no() {
	command -v setpriv >/dev/null || fail "setpriv (util-linux) missing"
	run 3 setpriv --bounding-set=-sys_admin --inh-caps=-all \
		"$FDTEST" matrix -d $REF $CAP
	expect_in out "| yes | error (Operation not permitted) | error (Operation not permitted) | pass 264/264 | FAIL |$"
	expect_in err "feature probe 'attach_prog' was refused"
}

run_all test-matrix
