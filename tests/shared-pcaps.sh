#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Every third-party capture in ../shared/pcaps (beside the repository;
# FDTEST_SHARED_PCAPS names another place; 'make test-shared' runs this)
# through the reference dissector, in all states and all 8 flag sets,
# with no goldens:
#   - no crash: fdtest exits 0 or 1, never by a signal or a sanitizer;
#   - no invariant of the keys broken (nhoff <= thoff <= frame length, ...);
#   - every frame accounted for: a result or a reported skip, and as many
#     frames as PROVENANCE.tsv counts;
#   - a capture is refused (exit 2) only when REFUSED below says why.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$O/fdtest
REF=$O/dissectors/reference.bpf.o
DIR=${FDTEST_SHARED_PCAPS:-$PWD/../shared/pcaps}
TMP=$(mktemp -d /tmp/fdtest-shared.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# Captures fdtest refuses, each with the reason it must give.
# (libtrace_complex.pcapng, whose interfaces differ in link type, is
# read now: tests/shared-pcapng-linktypes.sh)
declare -A REFUSED=()

if [ ! -d "$DIR" ]; then
	echo "FAIL shared-pcaps: no third-party captures at $DIR: set FDTEST_SHARED_PCAPS to their folder"
	echo "shared-pcaps: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

passed=0
failed=0
bad() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
}

# frames column of PROVENANCE.tsv, or empty
provenance_frames() {
	[ -f "$DIR/PROVENANCE.tsv" ] || return 0
	awk -F'\t' -v f="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "frames") c = i }
		$1 == f && c { print $c }' "$DIR/PROVENANCE.tsv"
}

check_one() {
	local path=$1 name
	name=$(basename "$path")
	"$FDTEST" run -d $REF --flags all --expected "$TMP/none" \
		--format json --output "$TMP/r.json" "$path" >"$TMP/out" 2>"$TMP/err"
	local code=$?
	if [ -n "${REFUSED[$name]:-}" ]; then
		[ $code = 2 ] || { bad "$name" "exit $code, want 2 (refused: ${REFUSED[$name]})"; return; }
		grep -q "^Error: capture '$path': .*${REFUSED[$name]}" "$TMP/err" ||
			{ bad "$name" "refused without saying '${REFUSED[$name]}': $(head -1 "$TMP/err")"; return; }
		passed=$((passed + 1))
		return
	fi
	case $code in
	0|1) ;;
	2|3) bad "$name" "exit $code: $(grep -m1 '^Error' "$TMP/err")"; return ;;
	*) bad "$name" "exit $code (signal or sanitizer): $(grep -m3 -E 'ERROR|runtime error' "$TMP/err")"; return ;;
	esac
	local frames skipped broken results skips want
	read -r frames skipped broken < <(jq -r -s 'last | .total |
		"\(.frames) \(.skipped) \(.broken)"' "$TMP/r.json")
	[ "$broken" = 0 ] || {
		bad "$name" "$broken cases break an invariant"
		grep -m3 'invariant' "$TMP/out" | sed 's/^/     /'
		return
	}
	results=$(jq -s '[.[] | select(.verdict) | .frame] | unique | length' "$TMP/r.json")
	skips=$(jq -s '[.[] | select(.skipped)] | length' "$TMP/r.json")
	[ "$skips" = "$skipped" ] && [ $((results + skips)) = "$frames" ] || {
		bad "$name" "$frames frames, but $results with results and $skips skips reported ($skipped counted)"
		return
	}
	want=$(provenance_frames "$name")
	[ -z "$want" ] || [ "$want" = "$frames" ] ||
		{ bad "$name" "$frames frames read, PROVENANCE.tsv says $want"; return; }
	passed=$((passed + 1))
}

n=0
for path in "$DIR"/*.pcap "$DIR"/*.pcapng; do
	[ -f "$path" ] || continue
	n=$((n + 1))
	check_one "$path"
done
[ $n -gt 0 ] || bad "$DIR" "no captures in it"
for name in "${!REFUSED[@]}"; do
	[ -f "$DIR/$name" ] || bad "$name" "listed as refused but not in $DIR"
done
echo "shared-pcaps: $passed passed, $failed failed, 0 skipped"
[ "$failed" -eq 0 ]
