#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# harness/ follows the data: a folder includes headers of the folders
# upstream of it and never of one downstream, and a helper that several
# folders need is written once, in util/. The order is the one the
# top-level README's Layout section draws.
set -u

cd "$(dirname "$0")/.." || exit 2
TMP=$(mktemp -d /tmp/fdtest-layout.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ALL_TESTS="
test_no_downstream_include
test_every_folder_is_placed
test_helpers_written_once
"

. tests/cli-lib.sh

ORDER="util keys capture probe run check report replay gen fuzz matrix cli"

# rank FOLDER: its place in $ORDER, or nothing
rank() {
	local i=0 f
	for f in $ORDER; do
		[ "$f" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
}

test_no_downstream_include() {
	local f dir inc
	grep -o '#include "[a-z_]*/' harness/*/*.[ch] |
		sed 's|^harness/\([a-z_]*\)/[^:]*:#include "\([a-z_]*\)/$|\1 \2|' \
		>"$TMP/pairs"
	check "the includes were found" test -s "$TMP/pairs"
	while read -r dir inc; do
		[ -n "$(rank "$inc")" ] ||
			echo "$dir includes unknown folder $inc"
		[ "$(rank "$inc")" -le "$(rank "$dir")" ] ||
			echo "$dir includes downstream $inc"
	done <"$TMP/pairs" | sort -u >"$TMP/bad"
	check "no folder includes a downstream one: $(cat "$TMP/bad")" \
		test ! -s "$TMP/bad"
}

test_every_folder_is_placed() {
	local d
	for d in harness/*/; do
		d=${d%/}
		d=${d#harness/}
		[ -n "$(rank "$d")" ] || fail "harness/$d is not in the order"
		check "harness/$d has a README" test -f "harness/$d/README.md"
	done
}

# The clock and the lookup beside the binary were once written in
# several files; they live in util/ only.
test_helpers_written_once() {
	grep -ln 'readlink("/proc/self/exe"' harness/*/*.c >"$TMP/exe"
	check "one readlink of /proc/self/exe: $(cat "$TMP/exe")" \
		test "$(cat "$TMP/exe")" = harness/util/exe_path.c
	grep -ln 'tv_nsec - [a-z_>-]*tv_nsec' harness/*/*.c >"$TMP/since"
	check "one elapsed-time helper: $(cat "$TMP/since")" \
		test "$(cat "$TMP/since")" = harness/util/clock.c
}

run_all test-layout
