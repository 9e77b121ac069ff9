#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# The tests must catch a broken fdtest. Each tests/mutations/*.patch
# breaks the code on purpose; its header says what it breaks and, on a
# line "Caught by: SCRIPT: TEST", which test must fail. In a scratch
# clone of HEAD (the working tree is never touched; uncommitted changes
# are not checked), the suite runs once unbroken, where it must pass,
# then once per patch applied alone, where it must fail, and fail in the
# named test. The runs are tests/run-tests.sh in the clone's own build
# (O=build, without the sanitizer pass, to keep it affordable).
# MUTATIONS="A.patch B.patch" (paths from the repository) tries those
# alone. Ends "mutation-check: N caught, N missed"; exits 1 when a mutant
# survives, 2 when the check itself cannot run (a patch that does not
# apply, a build that fails, a suite that fails unbroken).
set -u

cd "$(dirname "$0")/.." || exit 2
HEAD_COMMIT=$(git rev-parse HEAD) || exit 2
read -r -a patches <<<"${MUTATIONS:-}"
for i in "${!patches[@]}"; do
	patches[i]=$(realpath -e "${patches[i]}") || exit 2
done
SCRATCH=$(mktemp -d /tmp/fdtest-mutants.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
CLONE=$SCRATCH/fdtest
JOBS=${MUTATION_JOBS:-$(nproc)}

echo "mutation-check: a scratch clone of $HEAD_COMMIT"
git clone -q --no-checkout "$PWD" "$CLONE" &&
git -C "$CLONE" checkout -q --detach "$HEAD_COMMIT" || exit 2
cd "$CLONE" || exit 2

build() {
	nice make -s -j"$JOBS" O=build test-deps >"$SCRATCH/build.log" 2>&1 ||
		{ tail -20 "$SCRATCH/build.log"; return 1; }
}

# suite LOG: the non-sanitizer pass of make test
suite() {
	O=build nice tests/run-tests.sh >"$1" 2>&1
}

build || { echo "mutation-check: HEAD does not build"; exit 2; }
if ! suite "$SCRATCH/baseline.log"; then
	sed -n '/^failed:/,$p' "$SCRATCH/baseline.log"
	echo "mutation-check: the suite fails with no mutation: nothing to learn"
	exit 2
fi
echo "unbroken: $(tail -1 "$SCRATCH/baseline.log")"

caught=0
missed=0
errors=0
[ "${#patches[@]}" -gt 0 ] || patches=(tests/mutations/*.patch)
for patch in "${patches[@]}"; do
	name=$(basename "$patch" .patch)
	want=$(sed -n 's/^Caught by: //p' "$patch")
	log=$SCRATCH/$name.log
	if [ -z "$want" ]; then
		echo "ERROR  $name: no 'Caught by: SCRIPT: TEST' line"
		errors=$((errors + 1))
		continue
	fi
	if ! git apply "$patch"; then
		echo "ERROR  $name: does not apply to HEAD"
		errors=$((errors + 1))
		continue
	fi
	if ! build; then
		echo "ERROR  $name: does not build"
		errors=$((errors + 1))
	elif suite "$log"; then
		echo "MISSED $name: the suite passes ($(tail -1 "$log"))"
		missed=$((missed + 1))
	elif ! grep -q "^  $want\(:\|$\)" "$log"; then
		echo "MISSED $name: the suite fails, but not in $want:"
		sed -n '/^failed:/,$p' "$log" | sed 's/^/       /'
		missed=$((missed + 1))
	else
		echo "caught $name: by $want ($(tail -1 "$log"))"
		caught=$((caught + 1))
	fi
	git checkout -q -- . && git clean -fdq || exit 2
done
echo "mutation-check: $caught caught, $missed missed"
[ "$errors" = 0 ] || exit 2
[ "$missed" = 0 ]
