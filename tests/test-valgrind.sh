#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# fdtest under valgrind memcheck over the corpus, every bundled dissector,
# all states and flag sets: no memory error, no leak. The only
# suppressions are libbpf's, in tests/valgrind.supp.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
command -v valgrind >/dev/null || { echo "FAIL valgrind missing: make deps"; exit 1; }
case $O in
*/san) echo "test-valgrind: skipped in the sanitizer build (ASan and valgrind do not mix); 0 passed, 0 failed"; exit 0 ;;
esac

mapfile -t captures < <(find pcaps -name '*.pcap' -o -name '*.pcapng' | sort)
[ "${#captures[@]}" -gt 0 ] || { echo "FAIL no captures under pcaps/"; exit 1; }

log=$(mktemp /tmp/fdtest-valgrind.XXXXXX)
trap 'rm -f "$log"' EXIT
valgrind --suppressions=tests/valgrind.supp --error-exitcode=99 \
	--leak-check=full --errors-for-leak-kinds=definite,indirect -q \
	"$O/fdtest" run --flags all "${captures[@]}" >/dev/null 2>"$log"
ret=$?
if [ "$ret" = 99 ] || grep -q '^==[0-9]*==' "$log"; then
	grep '^==' "$log" | head -40
	echo "test-valgrind: 0 passed, 1 failed"
	exit 1
fi
if [ "$ret" != 0 ]; then
	tail -5 "$log"
	echo "test-valgrind: fdtest exit $ret; 0 passed, 1 failed"
	exit 1
fi
echo "test-valgrind: 1 passed, 0 failed"
