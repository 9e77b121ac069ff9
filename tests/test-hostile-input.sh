#!/usr/bin/env bash
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# Inputs a root user can hand fdtest by mistake or on purpose: endless
# or huge lines, FIFOs and devices in place of files, NUL bytes, names
# that are not UTF-8, tail-call tables past 64 slots, standard input.
# Every run is bounded in time, so a hang fails its test. Devices are
# made with mknod in the scratch folder (fdtest must never open them);
# the machine's own /dev is not touched.
set -u

O=${O:-build}
cd "$(dirname "$0")/.." || exit 2
FDTEST=$(cd "$O" && pwd)/fdtest
REF=$O/dissectors/reference.bpf.o
FIX=$O/tests/fixtures
CAP=pcaps/ipv4.pcap
TMP=$(mktemp -d /tmp/fdtest-hostile.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
RUN_TIMEOUT=30

ALL_TESTS="${ONLY:-
test_golden_long_line
test_golden_not_a_file
test_capture_not_a_file
test_capture_stdin
test_capture_stdin_rules
test_desc_bounded
test_desc_nul_and_folder
test_names_not_utf8
test_names_control_characters
test_tail_tables
test_entry_candidates_whole
test_pcapng_mixed_linktypes
test_pcapng_mixed_late_interface
test_pcapng_mixed_bounds
}"

. tests/cli-lib.sh

# D: a scratch folder of the test's own
fresh() {
	D=$TMP/${FUNCNAME[1]}
	mkdir -p "$D" || fail "mkdir $D"
}

# $D/exp/reference/ipv4.json, recorded by this fdtest
record_golden() {
	run 0 "$FDTEST" run -j0 -d $REF --expected "$D/exp" --update $CAP
	check "golden recorded" test -s "$D/exp/reference/ipv4.json"
}

# a character device like /dev/zero (1,5), made here
make_zero() {
	check "mknod $1" mknod "$1" c 1 5
}

test_golden_long_line() {
	fresh
	record_golden
	local g=$D/exp/reference/ipv4.json
	# 100 KB on line 2: more than any line fdtest writes
	{ head -1 "$g"; head -c 100000 /dev/urandom | od -An -tx1 | tr -d ' \n'
	  echo; } >"$g.new"
	mv "$g.new" "$g"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/exp" $CAP
	expect_in err "ipv4.json': line 2: longer than 8192 bytes"
	# one header line with no end
	head -c 20000 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$g"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/exp" $CAP
	expect_in err "line 1: longer than 8192 bytes"
}

test_golden_not_a_file() {
	fresh
	mkdir -p "$D/exp/reference"
	local g=$D/exp/reference/ipv4.json
	# a link to an endless device: refused, never read
	make_zero "$D/zero"
	check "link" ln -s "$D/zero" "$g"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/exp" $CAP
	expect_in err "is a character device, not a golden file"
	rm -f "$g"
	# a FIFO nobody writes: no hang
	check "mkfifo" mkfifo "$g"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/exp" $CAP
	expect_in err "is a FIFO or pipe, not a golden file"
}

test_capture_not_a_file() {
	fresh
	check "mkfifo" mkfifo "$D/fifo.pcap"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/exp" "$D/fifo.pcap"
	expect_in err "is a FIFO or pipe, not a capture file"
	expect_not_in err "empty file"
	make_zero "$D/zero.pcap"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/exp" "$D/zero.pcap"
	expect_in err "is a character device, not a capture file"
	# a /proc file says 0 bytes and has some: not "empty"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/exp" /proc/self/status
	expect_not_in err "empty file"
	expect_in err "not a readable pcap or pcapng file"
	: >"$D/empty.pcap"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/exp" "$D/empty.pcap"
	expect_in err "empty file (0 bytes)"
	# diff reads captures the same way
	run 2 "$FDTEST" diff -d $REF -d $REF "$D/fifo.pcap"
	expect_in err "is a FIFO or pipe"
}

test_capture_stdin() {
	fresh
	# recorded from standard input under --name, checked from the file
	run 0 "$FDTEST" run -j2 -d $REF --expected "$D/exp" --update \
		--name ipv4.pcap - <$CAP
	check "golden named by --name" test -s "$D/exp/reference/ipv4.json"
	check "header names the capture" \
		grep -q '"capture":"ipv4.pcap"' "$D/exp/reference/ipv4.json"
	run 0 "$FDTEST" run -j0 -d $REF --expected "$D/exp" --require-golden $CAP
	expect_in out "45 passed, 0 failed"
	# and the file's golden checks standard input, through a pipe
	run 0 "$FDTEST" run -j2 -d $REF --expected expected \
		--require-golden --name ipv4.pcap --format json - < <(cat $CAP)
	expect_in out '"capture":"ipv4.pcap"'
	expect_not_in out '"verdict":"unchecked"'
	# a FIFO with a writer is read like any pipe
	check "mkfifo" mkfifo "$D/fifo"
	cat $CAP >"$D/fifo" &
	run 0 "$FDTEST" run -j0 -d $REF --expected expected --name ipv4.pcap \
		--require-golden - <"$D/fifo"
	wait
	# the golden names the bytes it was recorded from, as for a file
	sha=$(sha256sum <$CAP | cut -d' ' -f1)
	check "header holds the SHA-256 of what came in" \
		grep -q "\"sha256\":\"$sha\"" "$D/exp/reference/ipv4.json"
	# another capture's golden: stale, as for a file
	run 1 "$FDTEST" run -j0 -d $REF --expected expected --name ipv4.pcap \
		- <pcaps/ipv6.pcap
	expect_in err "golden 'expected/reference/ipv4.json' is stale"
}

test_capture_stdin_rules() {
	fresh
	# without --name: no golden, said, and nothing recorded
	run 0 "$FDTEST" run -j0 -d $REF --expected "$D/exp" - <$CAP
	expect_in err "capture '-' has no golden name"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/exp" --update - <$CAP
	expect_in err "no golden name to record"
	check "nothing recorded" test ! -e "$D/exp"
	run 2 "$FDTEST" run -j0 -d $REF - - <$CAP
	expect_in err "standard input can be read once"
	run 2 "$FDTEST" run -j0 -d $REF -d $REF - <$CAP
	expect_in err "name one with -d"
	run 2 "$FDTEST" run -j0 -d $REF --name x.pcap $CAP
	expect_in err "no capture is '-'"
	run 2 "$FDTEST" run -j0 -d $REF --name ../x.pcap - <$CAP
	expect_in err "without a folder"
}

test_desc_bounded() {
	fresh
	# one endless line: stopped at the bound, nothing written
	{ echo "eth / ipv4 / udp"; head -c 3000000 /dev/zero | tr '\0' 'x'; } \
		>"$D/long.txt"
	run 2 "$FDTEST" gen -o "$D/long.pcap" "$D/long.txt"
	expect_in err "long.txt:2: line longer than 1023 characters"
	check "no capture" test ! -e "$D/long.pcap"
	make_zero "$D/zero"
	run 2 "$FDTEST" gen -o "$D/z.pcap" "$D/zero"
	expect_in err "is a character device, not a description file"
	check "mkfifo" mkfifo "$D/fifo.txt"
	run 2 "$FDTEST" gen -o "$D/f.pcap" "$D/fifo.txt"
	expect_in err "is a FIFO or pipe"
	check "no capture" test ! -e "$D/z.pcap" -o -e "$D/f.pcap"
}

test_desc_nul_and_folder() {
	fresh
	# the NUL once cut the line to eth / ipv4 / udp
	printf 'eth / ipv4 / tcp\neth / ipv4 / udp\0 / tcp\n' >"$D/nul.txt"
	run 2 "$FDTEST" gen -o "$D/nul.pcap" "$D/nul.txt"
	expect_in err "nul.txt:2:17: a NUL byte"
	check "no capture" test ! -e "$D/nul.pcap"
	mkdir "$D/desc"
	run 2 "$FDTEST" gen -o "$D/d.pcap" "$D/desc"
	expect_in err "is a directory, not a description file"
	expect_not_in err "no packets"
}

test_names_not_utf8() {
	fresh
	local cap=$D/$'caf\xe9\x01.pcap' obj=$D/$'r\xe9f.bpf.o'
	check "copy capture" cp $CAP "$cap"
	check "copy object" cp $REF "$obj"
	run 0 "$FDTEST" run -j0 -d "$obj" --expected "$D/exp" --update "$cap"
	local g=$D/exp/$'r\xe9f'/$'caf\xe9\x01.json'
	check "golden recorded" test -s "$g"
	check "golden header is JSON" jq -e . "$g" >/dev/null
	check "header names the capture, U+FFFD for the bad byte" \
		jq -es '.[0].capture == "caf\ufffd\u0001.pcap"' "$g" >/dev/null
	# read back: every case has its golden line
	run 0 "$FDTEST" run -j0 -d "$obj" --expected "$D/exp" \
		--require-golden --format json "$cap"
	check "report is JSON Lines" jq -e . "$TMP/out" >/dev/null
	check "names in the report" \
		jq -es 'all(.[]; .capture == null or (.capture | endswith("/caf\ufffd\u0001.pcap")))' \
		"$TMP/out" >/dev/null
	check "dissector named" \
		jq -es 'any(.[]; .dissector == "r\ufffdf")' "$TMP/out" >/dev/null
	run 0 "$FDTEST" run -j0 -d "$obj" --expected "$D/exp" \
		--format junit --output "$D/report.xml" "$cap"
	check "JUnit well-formed" xmllint --noout "$D/report.xml"
	check "JUnit valid" xmllint --noout --schema tests/junit.xsd \
		"$D/report.xml"
	# the kernel matrix's host row names the dissector too (with no
	# golden for it there the row is unchecked, which fails: exit 1)
	run 1 "$FDTEST" matrix --format json -d "$obj" pcaps/vlan.pcap
	check "matrix JSON names the dissector" jq -e \
		'.rows[0].result.dissectors[0].name == "r\ufffdf"' "$TMP/out"
}

# A name that would retitle the terminal and start a line of its own:
# text reports and messages show '?' for each control character.
test_names_control_characters() {
	fresh
	local cap=$D/$'x\e]0;owned\a\n.pcap'
	check "copy capture" cp $CAP "$cap"
	run 0 "$FDTEST" run -j0 -d $REF --expected "$D/exp" "$cap"
	expect_in out "x?]0;owned??.pcap (EN10MB)"
	expect_not_in out $'\e'
	expect_not_in out $'\a'
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/exp" "$D/"$'no\e[31m\x9b.pcap'
	expect_in err "no?\[31m?.pcap': No such file"
	expect_not_in err $'\e'
}

test_tail_tables() {
	fresh
	# 200 slots: 199 past the first word, the entry still found
	run 0 "$FDTEST" -v run -j2 --no-consistency -d $FIX/tail_table_200.bpf.o \
		--expected "$D/exp" $CAP
	expect_in err "entry 'tt_entry', 200 tail-call slots filled"
	run 2 "$FDTEST" run -j0 -d $FIX/bad_tailcall_hole0.bpf.o \
		--expected "$D/exp" $CAP
	expect_in err "slot 0 is empty: no program 'tt_0'"
}

test_entry_candidates_whole() {
	fresh
	run 2 "$FDTEST" run -j0 -d $FIX/bad_many_entries.bpf.o \
		--expected "$D/exp" $CAP
	expect_in err "20 possible entry programs ("
	expect_in err "_number_3' and 16 more): name one with --prog"
}

# ---- pcapng with interfaces of several link types ---------------------

# Integers in the byte order $BO (le or be) as raw bytes.
u16() {
	local v=$1
	if [ "$BO" = be ]; then
		printf "$(printf '\\x%02x\\x%02x' $((v >> 8 & 255)) $((v & 255)))"
	else
		printf "$(printf '\\x%02x\\x%02x' $((v & 255)) $((v >> 8 & 255)))"
	fi
}
u32() {
	if [ "$BO" = be ]; then u16 $(($1 >> 16 & 65535)); u16 $(($1 & 65535))
	else u16 $(($1 & 65535)); u16 $(($1 >> 16 & 65535)); fi
}

# A 60-byte Ethernet/IPv4/UDP frame 10.0.0.1.1000 > 10.0.0.2.2000, its
# IPv4 packet alone (46 bytes), and that packet behind a Linux cooked
# header (whose fields are in network order in either file order).
eth_frame() {
	printf '\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00'
	printf '\x45\0\0\x2e\0\0\0\0\x40\x11\0\0\x0a\0\0\x01\x0a\0\0\x02'
	printf '\x03\xe8\x07\xd0\0\x1a\0\0'
	head -c 18 /dev/zero
}
ip_packet() { eth_frame | tail -c +15; }
sll_packet() {
	printf '\0\0\0\x01\0\x06\x02\0\0\0\0\x01\0\0\x08\x00'
	ip_packet
}

# Blocks: section, interface LINKTYPE, and packet blocks of the bytes
# in file $2 (enhanced: IFACE FILE, simple: FILE, obsolete: IFACE FILE).
ng_shb() {
	u32 0x0a0d0d0a; u32 28; u32 0x1a2b3c4d; u16 1; u16 0
	u32 0xffffffff; u32 0xffffffff; u32 28
}
ng_idb() { u32 1; u32 20; u16 "$1"; u16 0; u32 65535; u32 20; }
ng_data() {
	local n
	n=$(wc -c <"$1")
	cat "$1"
	head -c $(((4 - n % 4) % 4)) /dev/zero
}
ng_len() { local n; n=$(wc -c <"$2"); echo $(($1 + (n + 3) / 4 * 4)); }
ng_epb() {
	local n t
	n=$(wc -c <"$2"); t=$(ng_len 32 "$2")
	u32 6; u32 "$t"; u32 "$1"; u32 0; u32 0; u32 "$n"; u32 "$n"
	ng_data "$2"; u32 "$t"
}
ng_spb() {
	local n t
	n=$(wc -c <"$1"); t=$(ng_len 16 "$1")
	u32 3; u32 "$t"; u32 "$n"; ng_data "$1"; u32 "$t"
}
ng_opb() {
	local n t
	n=$(wc -c <"$2"); t=$(ng_len 32 "$2")
	u32 2; u32 "$t"; u16 "$1"; u16 0; u32 0; u32 0; u32 "$n"; u32 "$n"
	ng_data "$2"; u32 "$t"
}

# the three packets and one 802.11 frame, in files
ng_packets() {
	eth_frame >"$D/eth"; ip_packet >"$D/ip"; sll_packet >"$D/sll"
	head -c 40 /dev/zero >"$D/wifi"
}

# Each packet by its own interface's link type: Ethernet as it is, RAW
# and LINUX_SLL with a made-up Ethernet header, the same flow each time;
# an 802.11 interface's packet is skipped, named. Both byte orders.
test_pcapng_mixed_linktypes() {
	fresh
	ng_packets
	local bo keys
	for bo in le be; do
		BO=$bo
		{
			ng_shb; ng_idb 1; ng_idb 101; ng_idb 113; ng_idb 105
			ng_epb 0 "$D/eth"; ng_epb 1 "$D/ip"; ng_epb 2 "$D/sll"
			ng_spb "$D/eth"; ng_opb 1 "$D/ip"; ng_epb 3 "$D/wifi"
		} >"$D/mixed-$bo.pcapng"
		run 0 "$FDTEST" run -j0 -d $REF --expected "$D/none" \
			--states vlanless "$D/mixed-$bo.pcapng"
		expect_in out "by interface: EN10MB, RAW, LINUX_SLL, IEEE802_11"
		expect_in out "6 frames (1 skipped"
		expect_in out "#6.*interface 3: link type 105 (IEEE802_11) not supported"
		run 0 "$FDTEST" run -j0 -d $REF --expected "$D/none" \
			--states vlanless --format json "$D/mixed-$bo.pcapng"
		keys=$(jq -c 'select(.verdict) | [.ret, .nhoff, .thoff, .n_proto, .ip_proto, .src, .dst, .sport, .dport]' \
			"$TMP/out" | sort | uniq -c)
		[ "$(echo "$keys" | wc -l)" = 1 ] ||
			fail "$bo: the frames' keys differ: $keys"
		case $keys in
		*'5 ["BPF_OK",14,34,"0x0800",17,"10.0.0.1","10.0.0.2",1000,2000]') ;;
		*) fail "$bo: keys $keys, want 5 frames of 10.0.0.1.1000 > 10.0.0.2.2000" ;;
		esac
	done
	# standard input is read once: such a file is read by name
	run 2 "$FDTEST" run -j0 -d $REF - <"$D/mixed-le.pcapng"
	expect_in err "not from standard input"
}

# An interface of another type after packets: read from the start again,
# past the frames already given, none twice or lost.
test_pcapng_mixed_late_interface() {
	fresh
	ng_packets
	BO=le
	{
		ng_shb; ng_idb 1; ng_epb 0 "$D/eth"; ng_epb 0 "$D/eth"
		ng_idb 101; ng_epb 1 "$D/ip"; ng_epb 0 "$D/eth"
	} >"$D/late.pcapng"
	run 0 "$FDTEST" run -j2 -d $REF --expected "$D/none" --states vlanless \
		--format json "$D/late.pcapng"
	check "frames 1 to 4, each once" [ "$(jq -c 'select(.verdict) | .frame' \
		"$TMP/out" | tr '\n' ' ')" = "1 2 3 4 " ]
	check "the same flow in each" [ "$(jq -c 'select(.verdict) | [.sport, .dport]' \
		"$TMP/out" | sort -u)" = "[1000,2000]" ]
}

# The reader's bounds: lengths that do not fit are errors at their byte.
test_pcapng_mixed_bounds() {
	fresh
	ng_packets
	BO=le
	# a block that says it is 2 GiB long
	{ ng_shb; ng_idb 1; ng_idb 101; u32 6; u32 0x7ffffff0; u32 0; } \
		>"$D/huge.pcapng"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/none" "$D/huge.pcapng"
	expect_in err "block at byte 68: length 2147483632 is more than 16 MiB"
	# a captured length past its block
	{ ng_shb; ng_idb 1; ng_idb 101; u32 6; u32 44; u32 0; u32 0; u32 0
	  u32 400; u32 400; head -c 12 /dev/zero; u32 44; } >"$D/caplen.pcapng"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/none" "$D/caplen.pcapng"
	expect_in err "captured length runs past the block"
	# a packet on an interface never described
	{ ng_shb; ng_idb 1; ng_idb 101; ng_epb 7 "$D/eth"; } >"$D/iface.pcapng"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/none" "$D/iface.pcapng"
	expect_in err "its interface has no description before it"
	# cut inside a block
	{ ng_shb; ng_idb 1; ng_idb 101; ng_epb 0 "$D/eth"; } | head -c 100 \
		>"$D/cut.pcapng"
	run 2 "$FDTEST" run -j0 -d $REF --expected "$D/none" "$D/cut.pcapng"
	expect_in err "the file ends inside it"
}

run_all test-hostile-input
