# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#
# make            build fdtest and the dissectors under $(O), the captures
#                 in pcaps/ from their descriptions
# make deps       install the Debian packages the build needs (as root)
# make test       build and run every test of the project alone, then
#                 again under ASan/UBSan: "N passed, N failed, N skipped"
# make test-shared the tests over the third-party captures in
#                 FDTEST_SHARED_PCAPS (default ../shared/pcaps)
# make mutation-check  the tests must catch each tests/mutations/*.patch
# make -B pcaps   remake every capture and expected/spec/ from pcaps/*.txt
# make goldens    record expected/<dissector>/ from runs over the corpus
# make fuzz       run each libFuzzer target for FUZZ_SECONDS (default 60)
# make bench      replay speed against the kernel alone (minutes; as root)
# make matrix     the corpus in this kernel and Debian's under qemu;
#                 make matrix-real the real receive path there too, and
#                 make goldens-real records its goldens in those kernels
# V=1 echoes commands; O=DIR builds elsewhere; EXTRA_CFLAGS adds flags.

PKG_CONFIG ?= pkg-config
CLANG      ?= clang
O          ?= build
PREFIX     ?= /usr/local
DESTDIR    ?=

PKGS       := libbpf libpcap jansson libcrypto libelf zlib
TEST_PKGS  := cmocka

# Debian packages behind every tool and library the build uses.
DEB_PKGS   := make gcc pkg-config clang llvm libbpf-dev libelf-dev zlib1g-dev \
	      libpcap-dev libjansson-dev libssl-dev libcmocka-dev \
	      linux-libc-dev bpftool linux-source libc6-dev-i386 jq util-linux valgrind \
	      libclang-rt-14-dev libxml2-utils \
	      qemu-system-x86 libdbus-1-dev

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Make and the rules below must not fail on a missing package half-way:
# say which one is missing, once, before anything is built.
ifeq ($(filter deps help clean,$(MAKECMDGOALS)),)
MISSING := $(shell for p in $(PKGS) $(TEST_PKGS); do \
	$(PKG_CONFIG) --exists $$p 2>/dev/null || echo $$p; done)
ifneq ($(MISSING),)
$(error missing libraries: $(MISSING). Run 'make deps' as root, or: apt-get install $(DEB_PKGS))
endif
endif

CFLAGS     ?= -O2 -g
CFLAGS     += -std=c11 -D_GNU_SOURCE -pthread -Wall -Wextra -Werror -Iharness \
	      $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDLIBS     += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -pthread
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell $(PKG_CONFIG) --libs $(TEST_PKGS) 2>/dev/null)

# BPF objects see the kernel's uapi headers and libbpf's bpf_helpers.h;
# the multiarch folder holds <asm/types.h>. Host CFLAGS never reach them.
BPF_CFLAGS ?= -O2 -g -Wall -Werror
BPF_INC    := -I/usr/include/$(shell $(CC) -dumpmachine) -Idissectors

# harness/ is one folder per stage (harness/*/README.md); every source
# includes its headers by folder ("capture/capture.h") from -Iharness.
HARNESS_SRCS := $(wildcard harness/*/*.c)
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(O)/%.o)
LIB          := $(O)/libfdtest.a
BIN          := $(O)/fdtest

DISSECTORS   := $(patsubst dissectors/%.bpf.c,$(O)/dissectors/%.bpf.o,\
		  $(wildcard dissectors/*.bpf.c))
FIXTURES     := $(patsubst tests/fixtures/%.bpf.c,$(O)/tests/fixtures/%.bpf.o,\
		  $(wildcard tests/fixtures/*.bpf.c))

# The kernel's own flow dissector, built unchanged from Debian's
# linux-source, must load and give the selftests' keys. Its 32-bit glibc
# stubs come from libc6-dev-i386 (clang's bpf target is neither x86_64
# nor i386 to glibc).
KERNEL_SRC_TAR ?= $(lastword $(sort $(wildcard /usr/src/linux-source-*.tar.xz)))
KERNEL_FLOW    := $(O)/tests/kernel/bpf_flow.bpf.o

# Captures are made from their descriptions (the rules are below).
PCAP_DESCS   := $(sort $(wildcard pcaps/*.txt))
NG_DESCS     := $(wildcard pcaps/linktypes/pcapng.txt)
LINK_DESCS   := $(filter-out $(NG_DESCS),$(sort $(wildcard pcaps/linktypes/*.txt)))
PCAPS        := $(PCAP_DESCS:.txt=.pcap) $(LINK_DESCS:.txt=.pcap) \
		$(NG_DESCS:.txt=.pcapng)

TEST_SRCS    := $(wildcard tests/test_*.c)
TEST_BINS    := $(TEST_SRCS:%.c=$(O)/%)

.DELETE_ON_ERROR:
.PHONY: all deps test check test-deps test-san test-shared mutation-check \
	pcaps goldens bench clean install uninstall help \
	fuzz fuzz-build \
	matrix matrix-real goldens-real matrix-guest matrix-kernels

all: $(BIN) $(DISSECTORS) $(PCAPS)

help:
	@sed -n '3,18p' Makefile | sed 's/^# //'

deps:
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PKGS); \
	else \
		echo "make deps needs root. Run: sudo apt-get install $(DEB_PKGS)"; \
		exit 1; \
	fi

$(O)/dissectors $(O)/tests $(O)/tests/fixtures $(O)/tests/kernel \
$(O)/bench $(O)/static/matrix $(O)/matrix:
	$(Q)mkdir -p $@

$(O)/harness/%.o: harness/%.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(EXTRA_INC) $(EXTRA_CFLAGS) -MMD -MP -c $< -o $@

# The real path's tracing programs (harness/run/bpf/), CO-RE, carried
# inside fdtest as skeletons (bpftool gen skeleton) so the static guest
# fdtest has them too. Their kernel structs are declared in the sources
# with preserve_access_index: no vmlinux.h of the build machine is needed.
# The skeletons are included by folder too ("run/bpf/realpath.skel.h"),
# from -I$(O)/harness, by the two sources that load them.
SKEL     := $(O)/harness/run/bpf/realpath.skel.h \
	    $(O)/harness/run/bpf/kernel_dissector.skel.h
SKEL_USERS := $(foreach f,run/realpath check/kernel_dissector,\
	      $(O)/harness/$(f).o $(O)/static/harness/$(f).o \
	      $(O)/fuzz/harness/$(f).o)

$(O)/harness/run/bpf/%.bpf.o: harness/run/bpf/%.bpf.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) --target=bpf -D__TARGET_ARCH_x86 $(BPF_CFLAGS) $(BPF_INC) \
		-Iharness/run/bpf \
		-MMD -MP -c $< -o $@

$(O)/harness/run/bpf/%.skel.h: $(O)/harness/run/bpf/%.bpf.o
	$(Q)bpftool gen skeleton $< name $*_bpf > $@.tmp && mv $@.tmp $@

.SECONDARY: $(SKEL:.skel.h=.bpf.o)
$(SKEL_USERS): $(SKEL)
$(SKEL_USERS): EXTRA_INC := -I$(O)/harness

$(LIB): $(HARNESS_OBJS)
	$(Q)$(AR) rcs $@ $^

$(BIN): $(O)/harness/main.o $(LIB)
	$(Q)$(CC) $(CFLAGS) $(EXTRA_CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(O)/dissectors/%.bpf.o: dissectors/%.bpf.c | $(O)/dissectors
	$(Q)$(CLANG) --target=bpf $(BPF_CFLAGS) $(BPF_INC) -MMD -MP -c $< -o $@

$(O)/tests/fixtures/%.bpf.o: tests/fixtures/%.bpf.c | $(O)/tests/fixtures
	$(Q)$(CLANG) --target=bpf $(BPF_CFLAGS) $(BPF_INC) -MMD -MP -c $< -o $@

$(O)/tests/kernel/bpf_flow.c: | $(O)/tests/kernel
	$(Q)if [ -z "$(KERNEL_SRC_TAR)" ]; then \
		echo "no /usr/src/linux-source-*.tar.xz: run 'make deps' (package linux-source)" >&2; \
		exit 1; fi
	$(Q)tar -xJOf $(KERNEL_SRC_TAR) --wildcards \
		'*/tools/testing/selftests/bpf/progs/bpf_flow.c' > $@

$(KERNEL_FLOW): $(O)/tests/kernel/bpf_flow.c
	$(Q)$(CLANG) --target=bpf -O2 -g -w $(BPF_INC) -c $< -o $@

$(O)/tests/test_%: tests/test_%.c $(LIB) | $(O)/tests
	$(Q)$(CC) $(CFLAGS) $(TEST_CFLAGS) $(EXTRA_CFLAGS) -MMD -MP \
		$< $(LIB) $(LDLIBS) $(TEST_LIBS) $(TEST_WRAP) -o $@

# Failure injection: these suites swap library calls for their own
# (-Wl,--wrap), to prove that every failure reaches the caller.
$(O)/tests/test_golden: TEST_WRAP := -Wl,--wrap=EVP_DigestUpdate \
	-Wl,--wrap=EVP_DigestFinal_ex -Wl,--wrap=fwrite
$(O)/tests/test_report: TEST_WRAP := -Wl,--wrap=keys_json_format_result \
	-Wl,--wrap=open_memstream

# Failure injection: these suites swap a call for one that fails on demand.
$(O)/tests/test_matrix_suite: TEST_LIBS += -Wl,--wrap=realloc
$(O)/tests/test_probe: TEST_LIBS += -Wl,--wrap=bpf_prog_test_run_opts \
	-Wl,--wrap=bpf_prog_attach -Wl,--wrap=bpf_link_create -Wl,--wrap=unshare

# Fuzz targets (libFuzzer; clang's runtime is Debian's libclang-rt-14-dev)
# over the capture reader and frame shaper and over the golden reader.
# The harness is rebuilt with clang and the sanitizers under $(FUZZ_O);
# seed corpora are copied there from pcaps/ and expected/. Inputs that
# once crashed stay in tests/fuzz/regressions/ and tests/test-fuzz.sh
# replays them.
FUZZ_SECONDS ?= 60
# Third-party captures beside the repository, when there: more seeds.
FDTEST_SHARED_PCAPS ?= ../shared/pcaps
SHARED_PCAPS ?= $(FDTEST_SHARED_PCAPS)
FUZZ_O       := $(O)/fuzz
FUZZ_SRCS    := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES   := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
FUZZ_BINS    := $(FUZZ_NAMES:%=$(FUZZ_O)/fuzz_%)
FUZZ_OBJS    := $(HARNESS_SRCS:%.c=$(FUZZ_O)/%.o)
FUZZ_CFLAGS  := -O1 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iharness \
		-fno-omit-frame-pointer -fno-sanitize-recover=all \
		$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
FUZZ_SAN     := -fsanitize=address,undefined
FUZZ_SEEDS   := $(FUZZ_O)/corpus/capture/.seeded $(FUZZ_O)/corpus/golden/.seeded \
		$(FUZZ_O)/corpus/dissector/.seeded

$(FUZZ_O)/harness/%.o: harness/%.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(EXTRA_INC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
		-MMD -MP -c $< -o $@

$(FUZZ_O)/libfdtest.a: $(FUZZ_OBJS)
	$(Q)$(AR) rcs $@ $^

$(FUZZ_O)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_O)/libfdtest.a
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer \
		$< $(FUZZ_O)/libfdtest.a $(LDLIBS) -o $@

# Seeds: every capture; the first lines of every golden (long ones only
# slow the fuzzer down).
$(FUZZ_O)/corpus/capture/.seeded: $(PCAPS)
	$(Q)mkdir -p $(@D)
	$(Q)for f in $(PCAPS) $(wildcard $(SHARED_PCAPS)/*.pcap*); do \
		cp $$f $(@D)/$$(echo $$f | tr / _); done
	$(Q)touch $@

$(FUZZ_O)/corpus/golden/.seeded: $(shell find expected -name '*.json' 2>/dev/null)
	$(Q)mkdir -p $(@D)
	$(Q)for f in $$(find expected -name '*.json'); do \
		head -8 $$f > $(@D)/$$(echo $$f | tr / _); done
	$(Q)touch $@

# fuzz_dissector starts from nothing: its inputs are single frames, and
# the result shapes it is fed as coverage lead it to the rest.
$(FUZZ_O)/corpus/dissector/.seeded:
	$(Q)mkdir -p $(@D)
	$(Q)touch $@

fuzz-build: $(FUZZ_BINS) $(FUZZ_SEEDS)

fuzz: fuzz-build
	$(Q)for t in $(FUZZ_NAMES); do \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
		$(FUZZ_O)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
			-max_len=65536 -timeout=10 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_O)/crash-$$t- \
			$(FUZZ_O)/corpus/$$t || exit 1; \
	done

# The test binaries find the build through FDTEST_BUILD.
TEST_DEPS := all $(FIXTURES) $(KERNEL_FLOW) $(TEST_BINS) fuzz-build \
	     matrix-guest matrix-kernels

# The same tests again with AddressSanitizer and UBSan, in their own tree.
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
	     -fno-sanitize-recover=all

test-deps: $(TEST_DEPS)

test check: test-deps
	$(Q)O=$(O) tests/run-tests.sh
	$(Q)$(MAKE) --no-print-directory test-san

# No sanitizer build nests inside another.
test-san:
	$(Q)$(MAKE) --no-print-directory O=$(O)/san \
		EXTRA_CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" test-deps
	$(Q)O=$(O)/san ASAN_OPTIONS=detect_leaks=1:exitcode=86 \
		UBSAN_OPTIONS=print_stacktrace=1:exitcode=87 tests/run-tests.sh

# tests/shared-*.sh: third-party captures, which a clone of the project
# does not hold; their absence is a failure, never a skip.
test-shared: all
	$(Q)if [ ! -d "$(FDTEST_SHARED_PCAPS)" ]; then \
		echo "Error: no third-party captures at '$(FDTEST_SHARED_PCAPS)':" \
			"set FDTEST_SHARED_PCAPS=DIR to their folder" >&2; \
		exit 1; fi
	$(Q)O=$(O) FDTEST_SHARED_PCAPS="$(abspath $(FDTEST_SHARED_PCAPS))" \
		tests/run-tests.sh --shared

# Each tests/mutations/*.patch breaks the code on purpose in a scratch
# clone of HEAD; tests/run-tests.sh there must fail for every one.
mutation-check:
	$(Q)tests/mutation-check.sh

clean:
	$(Q)rm -rf $(O)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/fdtest
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/fdtest
	install -m 0644 $(DISSECTORS) $(DESTDIR)$(PREFIX)/lib/fdtest/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/fdtest
	rm -rf $(DESTDIR)$(PREFIX)/lib/fdtest

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# Captures are made from their descriptions, with their expectations in
# expected/spec/; pcaps/linktypes/TYPE.txt is written with link type TYPE,
# pcaps/linktypes/pcapng.txt as pcapng (Ethernet, several interfaces).
# The generator is deterministic: remaking a capture gives the same bytes.

pcaps: $(PCAPS)

pcaps/linktypes/%.pcap: pcaps/linktypes/%.txt $(BIN)
	$(Q)$(BIN) gen --linktype $* --spec expected/spec $<

pcaps/%.pcap: pcaps/%.txt $(BIN)
	$(Q)$(BIN) gen --spec expected/spec $<

pcaps/%.pcapng: pcaps/%.txt $(BIN)
	$(Q)$(BIN) gen --format pcapng --spec expected/spec $<

# Goldens are recorded from real runs of the bundled dissectors and the
# matrix's 6.1 fixture (run on a 6.1 or later kernel) over the whole
# corpus; tests/test-corpus.sh holds them to expected/spec/.
goldens: all $(O)/tests/fixtures/tai_clock.bpf.o
	$(Q)$(BIN) run --update --flags all \
		$(addprefix -d ,$(DISSECTORS) $(O)/tests/fixtures/tai_clock.bpf.o) \
		$$(find pcaps -name '*.pcap' -o -name '*.pcapng' | sort) >/dev/null

# The benchmark (bench/run.sh says what it measures); its captures and
# goldens stay under $(O)/bench.
BENCH_BINS := $(O)/bench/floor $(O)/bench/measure

$(O)/bench/%: bench/%.c $(LIB) | $(O)/bench
	$(Q)$(CC) $(CFLAGS) $(EXTRA_CFLAGS) -MMD -MP \
		$< $(LIB) $(LDLIBS) -o $@

bench: all $(BENCH_BINS)
	$(Q)O=$(O) bench/run.sh

# fdtest matrix boots kernels under qemu with an initramfs holding a static
# fdtest and init. They are built from the same sources without
# EXTRA_CFLAGS (sanitizers do not link statically). Debian ships no static
# libsystemd, which libdbus (pulled in by libpcap) wants only for socket
# activation: matrix/sd-stub.c says "no sockets passed".
STATIC_LIBS  := -lbpf -lelf -lz -lpcap -ldbus-1 -ljansson -lcrypto -lpthread
STATIC_OBJS  := $(patsubst harness/%.c,$(O)/static/harness/%.o,\
		  $(HARNESS_SRCS) harness/main.c)
GUEST_BIN    := $(O)/fdtest-static
GUEST_INIT   := $(O)/matrix/init
# Kernel images: matrix/fetch-kernels.sh caches them outside the tree.
MATRIX_SERIES ?= 5.10 6.1 6.12 sid
MATRIX_ARGS  ?=

$(O)/static/harness/%.o: harness/%.c
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(EXTRA_INC) -MMD -MP -c $< -o $@

$(O)/static/matrix/sd-stub.o: matrix/sd-stub.c | $(O)/static/matrix
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(GUEST_BIN): $(STATIC_OBJS) $(O)/static/matrix/sd-stub.o
	$(Q)$(CC) -static -s $^ $(STATIC_LIBS) -o $@ 2>$@.log || \
		{ cat $@.log >&2; exit 1; }

$(GUEST_INIT): matrix/init.c $(O)/static/harness/matrix/matrix_console.o | $(O)/matrix
	$(Q)$(CC) $(CFLAGS) -static -s $^ -lz -o $@

matrix-guest: $(GUEST_BIN) $(GUEST_INIT)

# The kernels the tests boot (5.10: the oldest row; 6.12: fexit on
# __skb_flow_dissect, 6.5+, for -d kernel); fetched once.
matrix-kernels:
	$(Q)matrix/fetch-kernels.sh 5.10 6.12 >/dev/null

# The bundled dissectors and a fixture that needs 6.1, over the corpus,
# in the host kernel and Debian's 5.10, 6.1, 6.12 and newest sid kernels.
matrix: all matrix-guest $(O)/tests/fixtures/tai_clock.bpf.o
	$(Q)kernels=$$(matrix/fetch-kernels.sh $(MATRIX_SERIES)) || exit 2; \
	$(BIN) matrix $$(for k in $$kernels; do printf -- '--kernel %s ' $$k; done) \
		$(addprefix -d ,$(DISSECTORS) $(O)/tests/fixtures/tai_clock.bpf.o) \
		$(MATRIX_ARGS) $(sort $(wildcard pcaps/*.pcap))

# The real receive path in the same kernels: the bundled dissectors and
# the kernel's own, each held to its real goldens (expected/*/real/).
matrix-real: all matrix-guest
	$(Q)kernels=$$(matrix/fetch-kernels.sh $(MATRIX_SERIES)) || exit 2; \
	$(BIN) matrix --path real $$(for k in $$kernels; do printf -- '--kernel %s ' $$k; done) \
		-d kernel $(addprefix -d ,$(DISSECTORS)) \
		$(MATRIX_ARGS) $(sort $(wildcard pcaps/*.pcap))

# Records those goldens where tracing is allowed (the guests, when the
# host refuses it): the newest kernel's are the goldens, the others'
# differences their series' overrides.
REAL_GOLDEN_SERIES ?= sid 6.12 6.1 5.10
goldens-real: all matrix-guest
	$(Q)kernels=$$(matrix/fetch-kernels.sh $(REAL_GOLDEN_SERIES)) || exit 2; \
	$(BIN) matrix --path real --update $$(for k in $$kernels; do printf -- '--kernel %s ' $$k; done) \
		-d kernel $(addprefix -d ,$(DISSECTORS)) \
		$(MATRIX_ARGS) $(sort $(wildcard pcaps/*.pcap)) >/dev/null
