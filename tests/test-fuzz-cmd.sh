#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# fdtest fuzz: each oracle finds the bug planted for it with a fixed seed
# and a bounded number of inputs, findings replay with `fdtest run`, the
# bundled dissectors come out clean, and the seed decides the findings
# whatever -j is. (`make fuzz` and tests/test-fuzz.sh are another thing:
# libFuzzer over fdtest's own parsers.)
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$(cd "$O" && pwd)/fdtest
REF=$O/dissectors/reference.bpf.o
VXLAN=$O/dissectors/vxlan.bpf.o
NAIVE=$O/tests/fixtures/naive.bpf.o
OFFBYONE=$O/tests/fixtures/offbyone.bpf.o
ODD=$O/tests/fixtures/odd_verdict.bpf.o
BPF_FLOW=$O/tests/kernel/bpf_flow.bpf.o
GAPS=tests/fixtures/bpf_flow-gaps.policy
TMP=$(mktemp -d /tmp/fdtest-fuzz.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# no run may hang make test
RUN_TIMEOUT=${RUN_TIMEOUT:-120}

ALL_TESTS="
test_fuzz_usage
test_fuzz_not_root
test_fuzz_naive_pre_vlan
test_fuzz_offbyone_minimised
test_fuzz_odd_verdict_invariant
test_fuzz_bpf_flow_policy
test_fuzz_reference_clean
test_fuzz_bundled
test_fuzz_same_for_any_jobs
test_fuzz_sigint_writes
test_fuzz_seeds_capture
test_fuzz_progress_on_tty
test_fuzz_valgrind
test_spec_nested_fragment
test_spec_mpls_other_version
test_reference_eight_ext_headers
"

. tests/cli-lib.sh

need() {
	local f
	for f in "$@"; do
		[ -f "$f" ] || fail "$f is missing: run 'make test-deps'"
	done
}

# replays OBJ OUT NAME PATTERN: the capture of finding NAME fails in
# fdtest run, saying PATTERN, with the very difference lines the fuzzer
# wrote to NAME.diff, no more and no fewer
replays() {
	local obj=$1 out=$2 name=$3 pattern=$4
	run 1 "$FDTEST" run -d "$obj" --flags all --expected "$out/expected" \
		"$out/$name.pcap"
	expect_in out "$pattern"
	sed -n 's/^    FAIL //p' "$TMP/out" | sort >"$TMP/replayed"
	sort "$out/$name.diff" >"$TMP/found.diff"
	check "$name.diff holds something" test -s "$TMP/found.diff"
	check "the replay fails as the fuzzer saw it" \
		diff "$TMP/found.diff" "$TMP/replayed"
}

test_fuzz_usage() {
	need "$REF"
	run 0 "$FDTEST" fuzz --help
	expect_in out "Usage: fdtest fuzz"
	run 2 "$FDTEST" fuzz
	expect_in err "no dissector given"
	run 2 "$FDTEST" fuzz -d "$REF" -d "$REF" -d "$REF"
	expect_in err "at most one reference"
	run 2 "$FDTEST" fuzz -d "$REF" --oracles nosuch
	expect_in err "unknown oracle 'nosuch'"
	run 2 "$FDTEST" fuzz -d "$REF" --policy "$GAPS"
	expect_in err "give it as a second -d"
	run 2 "$FDTEST" fuzz -d "$REF" --runs ten
	expect_in err "'ten' is not a number"
	printf '*mpls*\n' >"$TMP/bad.policy"
	run 2 "$FDTEST" fuzz -d "$REF" -d "$REF" --policy "$TMP/bad.policy"
	expect_in err "policy '$TMP/bad.policy': line 1: '\*mpls\*' needs a field pattern"
	run 2 "$FDTEST" fuzz -d "$REF" --seeds "$TMP/nosuch.pcap" --runs 10
	expect_in err "seed capture '$TMP/nosuch.pcap'"
	run 2 "$FDTEST" fuzz -d "$TMP/nosuch.bpf.o" --runs 10
	expect_in err "dissector '$TMP/nosuch.bpf.o'"
	run 2 "$FDTEST" fuzz -d "$REF" --prog nosuch --runs 10
	expect_in err "no SEC(\"flow_dissector\") program named 'nosuch'"
	run 0 "$FDTEST" fuzz -d "$REF" --prog fd_reference --runs 10
	: >"$TMP/file"
	run 2 "$FDTEST" fuzz -d "$REF" --runs 10 --out "$TMP/file"
	expect_in err "--out '$TMP/file': Not a directory"
}

test_fuzz_not_root() {
	need "$REF"
	command -v setpriv >/dev/null || fail "setpriv (util-linux) missing"
	chmod 755 "$TMP"
	cp "$REF" "$TMP/ref.bpf.o"
	chmod 644 "$TMP/ref.bpf.o"
	run 3 setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all "$FDTEST" fuzz -d "$TMP/ref.bpf.o" --runs 10
	expect_in err "needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON"
}

# The naive fixture reads L3 at byte 14 whatever the state: the pushed
# tag of pre-vlan breaks it, and the states disagree.
test_fuzz_naive_pre_vlan() {
	need "$NAIVE"
	run 1 "$FDTEST" fuzz -d "$NAIVE" --oracles consistency --runs 512 \
		--seed 1 --out "$TMP/found"
	expect_in out "^finding consistency ret: "
	expect_in out "minimised to [0-9]* bytes"
	check "the difference lines name pre-vlan" \
		grep -q 'inconsistent with pre-vlan: ret: pre-vlan "BPF_DROP"' \
		"$TMP/found/consistency-ret.diff"
	check "its description is written" test -s "$TMP/found/consistency-ret.txt"
	replays "$NAIVE" "$TMP/found" consistency-ret \
		'inconsistent with pre-vlan: ret: pre-vlan "BPF_DROP"'
	# the description remakes the capture byte for byte
	check "fdtest gen remakes the capture" "$FDTEST" gen \
		-o "$TMP/again.pcap" "$TMP/found/consistency-ret.txt"
	check "the same bytes" cmp -s "$TMP/again.pcap" \
		"$TMP/found/consistency-ret.pcap"
}

# The planted bug shows only when an IPv4 header with options is cut one
# byte short of its IHL: the spec says BPF_DROP, the fixture BPF_OK.
# Minimised, that is 4 bytes of options and a cut at 14 + 24 - 1.
test_fuzz_offbyone_minimised() {
	need "$OFFBYONE"
	run 1 "$FDTEST" fuzz -d "$OFFBYONE" --runs 10000 --seed 1 -j 2 \
		--out "$TMP/found"
	expect_in out "^finding spec ret: .* minimised to 37 bytes (eth/ipv4/other!cut)"
	expect_in out "^  frame trunc=37 / eth / ipv4 opts=[0-9a-f]\{8\}$"
	expect_not_in out "^finding .*consistency\|^finding .*invariant"
	check "37 bytes in the capture" test "$(stat -c %s \
		"$TMP/found/spec-ret.pcap")" = $((24 + 16 + 37))
	replays "$OFFBYONE" "$TMP/found" spec-ret \
		'ret: expected "BPF_DROP", actual "BPF_OK"'
	# and the reference, which has no such bug, passes the same golden
	mkdir -p "$TMP/found/expected/reference"
	cp "$TMP/found/expected/offbyone/spec-ret.json" "$TMP/found/expected/reference/"
	run 0 "$FDTEST" run -d "$REF" --flags all --expected "$TMP/found/expected" \
		"$TMP/found/spec-ret.pcap"
}

test_fuzz_odd_verdict_invariant() {
	need "$ODD"
	run 1 "$FDTEST" fuzz -d "$ODD" --oracles invariant,consistency \
		--runs 512 --out "$TMP/found"
	expect_in out "^finding invariant ret: 512 inputs, first #0; minimised to 14 bytes"
	expect_in out "^fuzz: 1 finding$"
	replays "$ODD" "$TMP/found" invariant-ret \
		'invariant "verdict BPF_OK, BPF_DROP or CONTINUE" broken: ret is 7'
}

# What the policy does not accept stays: bpf_flow.c takes an IPv4 header
# of any version nibble for IPv4.
test_fuzz_bpf_flow_policy() {
	need "$REF" "$BPF_FLOW"
	run 1 "$FDTEST" fuzz -d "$REF" -d "$BPF_FLOW" --policy "$GAPS" \
		--runs 20000 --seed 1 -j 2 --out "$TMP/found"
	expect_in out "^finding diff ret: .*(eth/ipv4/other!version)"
	expect_in out "^  classes: eth/ipv4/other!version ([0-9]*)"
	expect_in out "^fuzz: 1 finding$"
	replays "$REF" "$TMP/found" diff-ret 'ret: expected "BPF_OK", actual "BPF_DROP"'
	run 1 "$FDTEST" diff -d "$REF" -d "$BPF_FLOW" --flags all \
		"$TMP/found/diff-ret.pcap"
	expect_in out 'ret: reference "BPF_DROP", bpf_flow "BPF_OK"'
	# without the policy, far more classes remain
	run 1 "$FDTEST" fuzz -d "$REF" -d "$BPF_FLOW" --runs 2048 --seed 1
	expect_in out "^finding diff .*mpls"
}

test_fuzz_reference_clean() {
	need "$REF"
	run 0 "$FDTEST" fuzz -d "$REF" --runs 20000 --seed 1 -j 2
	expect_in out "^fuzz: 0 findings$"
	expect_in out "480000 test runs"
}

# Every bundled dissector, against the spec of its policy (as in
# tests/test-corpus.sh) and against the other one.
test_fuzz_bundled() {
	need "$REF" "$VXLAN"
	run 0 "$FDTEST" fuzz -d "$VXLAN" --spec-policy udp-encap --runs 5000 \
		--seed 2
	expect_in out "^fuzz: 0 findings$"
	run 0 "$FDTEST" fuzz -d "$REF" --runs 5000 --seed 2
	expect_in out "^fuzz: 0 findings$"
	# the spec of the other policy is not theirs: it must find that
	run 1 "$FDTEST" fuzz -d "$VXLAN" --oracles spec --runs 5000 --seed 2
	expect_in out "^finding spec "
}

test_fuzz_same_for_any_jobs() {
	local j
	need "$REF" "$BPF_FLOW"
	# enough inputs to fill the corpus, which then changes as it is read
	for j in 0 1 2; do
		run 1 "$FDTEST" fuzz -d "$REF" -d "$BPF_FLOW" --runs 20000 \
			--seed 9 -j $j --out "$TMP/o$j"
		# the first line has the time taken
		tail -n +2 "$TMP/out" | sed "s|$TMP/o$j|OUT|g" >"$TMP/report$j"
	done
	check "-j 1 reports what -j 0 does" cmp "$TMP/report0" "$TMP/report1"
	check "-j 2 reports what -j 0 does" cmp "$TMP/report0" "$TMP/report2"
	check "-j 2 writes what -j 0 does" diff -r "$TMP/o0" "$TMP/o2"
	check "the corpus filled up" grep -q "corpus 4096" "$TMP/out"
	run 1 "$FDTEST" fuzz -d "$REF" -d "$BPF_FLOW" --runs 20000 --seed 10 -j 2
	tail -n +2 "$TMP/out" >"$TMP/report10"
	check "another seed, other findings" not_same "$TMP/report0" \
		"$TMP/report10"
}

not_same() {
	! cmp -s "$@"
}

# SIGINT ends the run between rounds: everything found so far is
# reported and written.
test_fuzz_sigint_writes() {
	need "$NAIVE"
	run 1 timeout --preserve-status -s INT 3 "$FDTEST" fuzz -d "$NAIVE" \
		--time 100 --out "$TMP/found"
	expect_in out "(interrupted)"
	expect_in out "^finding consistency ret"
	check "the finding is written" test -s "$TMP/found/consistency-ret.pcap"
	check "no temporary file is left" test -z "$(find "$TMP/found" \
		-type f ! -name '*.pcap' ! -name '*.diff' ! -name '*.txt' \
		! -name '*.json')"
}

test_fuzz_seeds_capture() {
	need "$NAIVE"
	# mutations of the corpus's tagged frames alone
	run 1 "$FDTEST" fuzz -d "$NAIVE" --oracles consistency --runs 512 \
		pcaps/vlan.pcap
	expect_in out "^finding consistency "
}

# A progress line on a terminal (script(1) gives it one), none elsewhere.
test_fuzz_progress_on_tty() {
	need "$REF"
	run 0 script -qec "'$FDTEST' fuzz -d '$REF' --time 2 -j 1" /dev/null
	expect_in out "fuzz: [0-9]* inputs, [0-9]* runs/s, 0 findings, [0-9]* shapes, corpus [0-9]*"
	run 0 "$FDTEST" fuzz -d "$REF" --time 2 -j 1
	expect_not_in err "runs/s"
}

# Threads, minimising and writing findings, under memcheck (libbpf's
# suppressions are in tests/valgrind.supp).
test_fuzz_valgrind() {
	case $O in
	*/san) skip "ASan and valgrind do not mix" ;;
	esac
	command -v valgrind >/dev/null || fail "valgrind is missing: make deps"
	need "$NAIVE" "$REF"
	run 1 valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		--suppressions=tests/valgrind.supp "$FDTEST" fuzz -d "$NAIVE" \
		-d "$REF" --runs 300 -j 2 --out "$TMP/found"
	expect_in out "^finding consistency ret"
	expect_not_in err "^==[0-9]*=="
}

# Found by fdtest fuzz: fragment bits stick once set, as in both kernel
# dissectors, so a later fragment header behind a first one leaves
# is_first_frag at 1.
test_spec_nested_fragment() {
	echo "eth / ipv6 / frag / frag offset=8191" >"$TMP/frag.txt"
	run 0 "$FDTEST" gen --spec "$TMP/spec" -o "$TMP/frag.pcap" "$TMP/frag.txt"
	check "is_first_frag stays 1 under PARSE_1ST_FRAG" grep -q \
		'"state":"vlanless","in_flags":1,.*"is_frag":1,"is_first_frag":1' \
		"$TMP/spec/base/frag.json"
}

# Found by fdtest fuzz: behind MPLS only the version nibble tells IPv4
# from IPv6, so an ipv4 layer with version=6 is read as IPv6 and the
# layers say nothing of the answer.
test_spec_mpls_other_version() {
	echo "eth / mpls / ipv4 version=6 / tcp" >"$TMP/mpls.txt"
	run 2 "$FDTEST" gen --spec "$TMP/spec" -o "$TMP/mpls.pcap" "$TMP/mpls.txt"
	expect_in err "other IP version's nibble"
	echo "frame expect=none / eth / mpls / ipv4 version=6 / tcp" >"$TMP/mpls.txt"
	run 0 "$FDTEST" gen --spec "$TMP/spec" -o "$TMP/mpls.pcap" "$TMP/mpls.txt"
}

# Found by fdtest fuzz: the reference walked 8 IPv6 extension headers and
# then dropped the packet, where its rule drops only a ninth. Past 8 the
# spec states nothing: that is each dissector's loop bound.
test_reference_eight_ext_headers() {
	need "$REF"
	echo "eth / ipv6 / hbh / rt / dstopt / rt / dstopt / rt / dstopt / dstopt / udp" \
		>"$TMP/eight.txt"
	run 0 "$FDTEST" gen --spec "$TMP/spec" -o "$TMP/eight.pcap" "$TMP/eight.txt"
	mkdir -p "$TMP/exp"
	ln -sfn "$TMP/spec/base" "$TMP/exp/reference"
	run 0 "$FDTEST" run -d "$REF" --flags all --expected "$TMP/exp" \
		"$TMP/eight.pcap"
	expect_in out "24 passed, 0 failed, 0 unchecked"
	echo "eth / ipv6 / hbh / rt / dstopt / rt / dstopt / rt / dstopt / dstopt / hbh / udp" \
		>"$TMP/nine.txt"
	run 2 "$FDTEST" gen --spec "$TMP/spec" -o "$TMP/nine.pcap" "$TMP/nine.txt"
	expect_in err "past the 8 every dissector can be expected to walk"
}

run_all test-fuzz-cmd
