#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The whole corpus through every bundled dissector, in all three states
# and all 8 input-flag sets:
#   - against its golden (expected/<dissector>/), which must cover every
#     case (--require-golden);
#   - against the generator's independent expectations
#     (expected/spec/<policy>/), which are partial goldens: every field
#     the spec states must hold.
# A dissector's policy says how it treats UDP tunnels (see pcaps/README).
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$O/fdtest
TMP=$(mktemp -d /tmp/fdtest-corpus.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

declare -A POLICY=( [reference]=base [vxlan]=udp-encap )

# step WHAT CMD...: one counted result; a failure prints "FAIL WHAT: why"
# (the first difference or error) and up to 20 such lines under it
passed=0
failed=0
step() {
	local what=$1 got
	shift
	"$@" >"$TMP/out" 2>&1
	got=$?
	if [ "$got" = 0 ]; then
		passed=$((passed + 1))
		return
	fi
	failed=$((failed + 1))
	echo "FAIL $what: $( { grep -E '^ *(FAIL [^ ]+ [^ ]+#|Error)' "$TMP/out";
		grep FAIL "$TMP/out"; echo "exit $got"; } | head -1 | sed 's/^ *//')"
	grep -E 'FAIL|Error' "$TMP/out" | head -20 | sed 's/^/     /'
}

# The spec must hold, and must have checked something.
spec_holds() {
	"$FDTEST" run -d "$1" --flags all --expected "$2" "$3" || return 1
	"$FDTEST" run -d "$1" --flags all --expected "$2" --format json "$3" |
		jq -e -s 'map(select(.verdict == "pass")) | length > 0' >/dev/null ||
		{ echo "FAIL no expectation of the spec was checked"; return 1; }
}

mapfile -t captures < <(find pcaps -name '*.pcap' -o -name '*.pcapng' | sort)
if [ "${#captures[@]}" = 0 ]; then
	echo "FAIL pcaps: no captures under pcaps/ (run make)"
	echo "test-corpus: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

for obj in "$O"/dissectors/*.bpf.o; do
	name=$(basename "$obj" .bpf.o)
	policy=${POLICY[$name]:-}
	if [ -z "$policy" ]; then
		echo "FAIL $name: the dissector has no policy in $0"
		failed=$((failed + 1))
		continue
	fi
	# the spec tree, seen as goldens of this dissector
	mkdir -p "$TMP/spec-$name"
	ln -sfn "$PWD/expected/spec/$policy" "$TMP/spec-$name/$name"
	for cap in "${captures[@]}"; do
		step "$name $cap golden" "$FDTEST" run -d "$obj" --flags all \
			--require-golden "$cap"
		step "$name $cap spec:$policy" spec_holds "$obj" \
			"$TMP/spec-$name" "$cap"
	done
done
echo "test-corpus: $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
