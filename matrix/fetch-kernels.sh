#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# fetch-kernels.sh [--refresh] [SERIES...]
#
# Fetches Debian's newest cloud kernel image of each series and prints the
# path of each vmlinuz, one a line, in the order asked. Series: 5.10
# (bullseye), 6.1 (bookworm), 6.12 (trixie), sid (the newest in unstable);
# the default is all four.
#
# apt-get runs through a private sources list that reuses the archive URI
# of this machine's own Debian sources with another suite, so the system's
# apt state is never touched. Package versions are resolved when an image
# is fetched, never written down here. Images are cached in
# ${FDTEST_KERNEL_CACHE:-${XDG_CACHE_HOME:-~/.cache}/fdtest/kernels}/SERIES/
# and reused; --refresh resolves and fetches again.
set -euo pipefail

CACHE=${FDTEST_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fdtest/kernels}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
refresh=0
series=()

die() {
	echo "fetch-kernels: $*" >&2
	exit 1
}

for a in "$@"; do
	case $a in
	--refresh) refresh=1 ;;
	-h | --help)
		sed -n '4,16p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	5.10 | 6.1 | 6.12 | sid) series+=("$a") ;;
	*) die "unknown series '$a' (5.10, 6.1, 6.12, sid)" ;;
	esac
done
[ ${#series[@]} -gt 0 ] || series=(5.10 6.1 6.12 sid)

suite_of() {
	case $1 in
	5.10) echo bullseye ;;
	6.1) echo bookworm ;;
	6.12) echo trixie ;;
	sid) echo sid ;;
	esac
}

# Package names that carry a cloud kernel image of the series. The version
# inside the name is matched, never fixed.
pattern_of() {
	case $1 in
	5.10) echo '^linux-image-5\.10\.[0-9]+-[0-9]+-cloud-amd64-unsigned$' ;;
	6.1) echo '^linux-image-6\.1\.[0-9]+-[0-9]+-cloud-amd64-unsigned$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9.+~a-z-]*cloud-amd64-unsigned$' ;;
	# sid ships the image in linux-binary-* since 7.x; either will do
	sid) echo '^linux-(binary-[0-9][0-9.+~a-z-]*-cloud-amd64|image-[0-9][0-9.+~a-z-]*-cloud-amd64-unsigned)$' ;;
	esac
}

# The archive this machine already uses (deb822 or one-line sources).
archive_uri() {
	local uri
	uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '{print $2}' | grep -v -- '-security' | head -n1 || true)
	if [ -z "$uri" ]; then
		uri=$(grep -hs '^deb ' /etc/apt/sources.list \
			/etc/apt/sources.list.d/*.list 2>/dev/null |
			sed 's/\[[^]]*\]//' | awk '{print $2}' |
			grep -v -- '-security' | head -n1 || true)
	fi
	[ -n "$uri" ] || die "no Debian archive URI in /etc/apt/sources.list*; add one"
	echo "$uri"
}

fetch_one() {
	local s=$1 dir=$CACHE/$1 suite apt lists pkg work vmlinuz
	suite=$(suite_of "$s")
	mkdir -p "$dir"
	apt=$dir/apt
	lists=$apt/lists
	mkdir -p "$lists/partial" "$apt/archives/partial"
	echo "deb [signed-by=$KEYRING] $(archive_uri) $suite main" >"$apt/sources.list"
	local opts=(-o "Dir::Etc::sourcelist=$apt/sources.list"
		-o Dir::Etc::sourceparts=/nonexistent
		-o "Dir::State::Lists=$lists"
		-o "Dir::Cache=$apt"
		-o "Dir::Cache::archives=$apt/archives"
		-o APT::Get::List-Cleanup=0
		-o APT::Sandbox::User=root)
	echo "fetch-kernels: $s: resolving the newest image in $suite" >&2
	apt-get -qq "${opts[@]}" update >&2 ||
		die "$s: apt-get update for $suite failed (network, or the keyring package debian-archive-keyring)"
	# newest by the kernel version inside the name
	pkg=$(apt-cache "${opts[@]}" pkgnames linux- 2>/dev/null |
		grep -E "$(pattern_of "$s")" |
		sed -E 's/^linux-(binary|image)-(.*)$/\2\t&/' |
		sort -V -k1,1 | tail -n1 | cut -f2 || true)
	[ -n "$pkg" ] || die "$s: no cloud kernel image package in $suite"
	work=$(mktemp -d "$dir/.work.XXXXXX")
	trap 'rm -rf "$work"' RETURN
	(cd "$work" && apt-get -qq "${opts[@]}" download "$pkg" >&2) ||
		die "$s: apt-get download $pkg failed"
	dpkg -x "$work"/*.deb "$work/root"
	vmlinuz=$(find "$work/root/boot" "$work/root/usr/lib/modules" \
		-name 'vmlinuz*' -type f 2>/dev/null | head -n1 || true)
	[ -n "$vmlinuz" ] || die "$s: $pkg holds no vmlinuz"
	# Replaced whole: a half-copied image is never left as the cache.
	cp "$vmlinuz" "$dir/vmlinuz.tmp"
	mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
	dpkg-deb -f "$work"/*.deb Package Version >"$dir/PACKAGE"
	echo "fetch-kernels: $s: $pkg $(dpkg-deb -f "$work"/*.deb Version)" >&2
}

for s in "${series[@]}"; do
	if [ "$refresh" = 1 ] || [ ! -s "$CACHE/$s/vmlinuz" ]; then
		fetch_one "$s"
	fi
	echo "$CACHE/$s/vmlinuz"
done
