#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# fdtest matrix with real guests: Debian's 5.10 kernel booted under qemu
# (TCG, so no test depends on KVM), a dissector refused below and at its
# minimum kernel, and guests that are killed, time out or are no kernel at
# all, each of which must end as a failed row, never as a hang. The
# kernel comes from matrix/fetch-kernels.sh (make matrix-kernels); without
# it the tests fail and say so. Each test_* function is one case.
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
test_host_only
test_boot_510
test_min_kernel_rejection_fails
test_not_a_kernel
test_timeout
test_guest_killed
test_kernel_crash_retried
test_valgrind
test_not_root
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
	run 0 "$FDTEST" matrix --help && expect_in out "Usage: fdtest matrix" &&
	run 2 "$FDTEST" matrix --format xml -d $REF $CAP &&
	expect_in err "not a format" &&
	run 2 "$FDTEST" matrix --kernel "$TMP/none" -d $REF $CAP &&
	expect_in err "none" &&
	run 2 "$FDTEST" matrix --timeout 0 -d $REF $CAP &&
	run 2 "$FDTEST" matrix --guest /x
}

test_host_only() {
	run 0 "$FDTEST" matrix -d $REF -d $TAI $CAP &&
	expect_in out "^| kernel | boot to result |" &&
	expect_in out "| $(uname -r) (host) | .* | pass |$" &&
	run 0 "$FDTEST" matrix --format json -d $REF $CAP &&
	expect_json '.failed == 0 and (.rows | length) == 1 and
		.rows[0].result.features.test_run == 1'
}

# 5.10: boolean retval (normalised, so the goldens pass), no CONTINUE, no
# state fields in ctx_in; the 6.1 fixture is refused there, a skip.
test_boot_510() {
	need_kernel || return 1
	run 0 "$FDTEST" matrix --accel tcg --format json --kernel "$K510" \
		-d $REF -d $TAI $CAP &&
	expect_json '.failed == 0 and (.rows | length) == 2' &&
	expect_json '.rows[1].result.kernel | startswith("5.10.")' &&
	expect_json '.rows[1].guest_exit == "exit 0"' &&
	expect_json '.rows[1].result.features |
		.test_run == 1 and .ctx_flags == 1 and .ctx_states == 0 and
		.raw_retval == 0 and .continue == 0 and .attach_prog == 1 and
		.attach_link == 1' &&
	expect_json '.rows[1].result.dissectors[0] |
		.load == "loaded" and .failed == 0 and .passed == .cases and
		.cases > 0' &&
	expect_json '.rows[1].result.dissectors[1] |
		.load == "skipped" and .min_kernel == "6.1" and
		(.reason | contains("unknown#208"))' &&
	expect_json '.rows[0].result.dissectors[1].load == "loaded"'
}

# The same refusal with a minimum the kernel meets is a failure.
test_min_kernel_rejection_fails() {
	need_kernel || return 1
	printf 'min_kernel=5.4' >"$TMP/min"
	llvm-objcopy --update-section .fdtest="$TMP/min" $TAI "$TMP/tai_clock.bpf.o" ||
		return 1
	run 1 "$FDTEST" matrix --accel tcg --kernel "$K510" \
		-d "$TMP/tai_clock.bpf.o" $CAP &&
	expect_in out "| rejected: invalid func unknown#208 | FAIL |$"
}

test_not_a_kernel() {
	echo "not a kernel" >"$TMP/vmlinuz"
	run 1 "$FDTEST" matrix --accel tcg --kernel "$TMP/vmlinuz" -d $REF $CAP &&
	expect_in out "qemu exited with status" &&
	expect_in out '^```$'
}

test_timeout() {
	need_kernel || return 1
	local start=$SECONDS
	run 1 "$FDTEST" matrix --accel tcg --timeout 1 --kernel "$K510" \
		-d $REF $CAP &&
	expect_in out "no result within 1 s: killed" &&
	[ $((SECONDS - start)) -lt 20 ] || fail "a 1 s timeout took $((SECONDS - start)) s"
}

# A guest killed mid-boot by someone else: a failed row, at once.
test_guest_killed() {
	need_kernel || return 1
	local pid qemu killed i start
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
	[ -n "$killed" ] || { kill $pid; fail "no running qemu to kill"; return 1; }
	start=$SECONDS
	wait $pid
	local got=$?
	[ "$got" = 1 ] || { cat "$TMP/out" "$TMP/err"; fail "exit $got, want 1"; return 1; }
	expect_in out "qemu killed by signal 9 before the result" &&
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
		--retries 1 --format json --kernel "$TMP/vmlinuz" -d $REF $CAP &&
	expect_json '.rows[1] | .status == "fail" and .boots == 2 and
		.first_crash == "Oops: general protection fault, maybe for address 0x10" and
		(.reason | startswith("the kernel crashed: Oops:"))' &&
	[ $((SECONDS - start)) -lt 10 ] || fail "two crashed boots took $((SECONDS - start)) s"
}

# The host side (pack, boot, collect, render) has no memory error or leak.
test_valgrind() {
	need_kernel || return 1
	case $O in
	*/san) return 0 ;;	# ASan and valgrind do not mix
	esac
	command -v valgrind >/dev/null || { fail "valgrind missing: make deps"; return 1; }
	run 0 valgrind --suppressions=tests/valgrind.supp --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite,indirect -q \
		"$FDTEST" matrix --accel tcg --kernel "$K510" -d $REF -d $TAI $CAP &&
	if grep -q '^==[0-9]*==' "$TMP/err"; then
		grep '^==' "$TMP/err" | head -40
		fail "valgrind reports errors"
	fi
}

test_not_root() {
	command -v setpriv >/dev/null || { fail "setpriv (util-linux) missing"; return 1; }
	chmod 755 "$TMP"
	cp $REF "$TMP/ref.bpf.o" && cp $CAP "$TMP/c.pcap" && chmod 644 "$TMP"/* &&
	run 3 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$FDTEST" matrix -d "$TMP/ref.bpf.o" "$TMP/c.pcap" &&
	expect_in err "run it as root"
}

run_all test-matrix
