# SPDX-License-Identifier: GPL-2.0
# fguard: the kernel module (fguard.ko, built by Kbuild) and fguardctl.
#
#   make                 module + fguardctl
#   make check           every unit test and both guest passes
#   make bench           the open() benchmark in a guest
#   make demo            the main job, end to end
#   make KDIR=/path      build the module against another kernel tree
#   make KERNELRELEASE=6.1.0-N-amd64
#
# By default the module is built against the newest installed Debian
# headers package (linux-headers-*-amd64), or the running kernel's
# /lib/modules/$(uname -r)/build when that is a Debian kernel.

PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=
V ?= 0

KERNELRELEASE ?= $(shell tests/kernel-version.sh)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build

CC ?= cc
PKGS := libnl-genl-3.0 libarchive libelf jansson openssl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -MMD -MP -Iinclude $(PKG_CFLAGS) \
	  -DFGUARD_VERSION='"$(VERSION)"'
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer

ifeq ($(V),1)
Q :=
else
Q := @
endif

CTL_SRCS := $(sort $(wildcard ctl/*.c)) kmod/table.c
CTL_OBJS := $(CTL_SRCS:%.c=build/%.o)
LIB_OBJS := $(filter-out build/ctl/fguardctl.o,$(CTL_OBJS))
SAN_OBJS := $(filter-out build/san/ctl/fguardctl.o,$(CTL_SRCS:%.c=build/san/%.o))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=build/tests/%)

all: module fguardctl

fguardctl: $(CTL_OBJS)
	@[ $(V) = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

build/%.o: %.c
	@mkdir -p $(dir $@)
	@[ $(V) = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	@[ $(V) = 1 ] || echo "  CC [san] $<"
	$(Q)$(CC) $(CFLAGS) $(SAN) -c -o $@ $<

build/tests/%: tests/unit/%.c $(SAN_OBJS)
	@mkdir -p $(dir $@)
	@[ $(V) = 1 ] || echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS) $(SAN) -Ictl -o $@ $^ $(PKG_LIBS) -lcmocka

# fguardctl under ASan/UBSan, for the CLI tests that feed it hostile input
build/fguardctl-san: $(SAN_OBJS) build/san/ctl/fguardctl.o
	@[ $(V) = 1 ] || echo "  LD [san] $@"
	$(Q)$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(PKG_LIBS)

unit: $(UNIT_BINS) build/fguardctl-san

module:
	@test -d "$(KDIR)" || { echo "No kernel build tree at $(KDIR)."; \
		echo "Hint: apt-get install linux-headers-amd64, or pass KDIR=/path/to/build"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

module-clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

check:
	@tests/run-all.sh

bench:
	@tests/bench/run.sh

demo:
	@tests/demo.sh

clean:
	rm -rf build fguardctl
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null

install: fguardctl
	install -D -m 0755 fguardctl $(DESTDIR)$(SBINDIR)/fguardctl
	install -D -m 0644 doc/fguardctl.8 $(DESTDIR)$(MANDIR)/man8/fguardctl.8
	install -D -m 0644 ctl/completion/fguardctl.bash $(DESTDIR)$(BASHCOMPDIR)/fguardctl

# DKMS: the module's source under $(DESTDIR)/usr/src/fguard-VERSION, then
# (on a real install, DESTDIR empty) dkms add, build and install for every
# installed kernel DKMS accepts (dkms.conf: Debian 6.1 kernels).
DKMS_VERSION := $(shell git describe --always 2>/dev/null | tr -c 'A-Za-z0-9.+~\n' '.' || echo 0.1)
dkms-source:
	install -d $(DESTDIR)/usr/src/fguard-$(DKMS_VERSION)
	cp -r Kbuild kmod include $(DESTDIR)/usr/src/fguard-$(DKMS_VERSION)/
	sed 's/@VERSION@/$(DKMS_VERSION)/' dkms.conf > $(DESTDIR)/usr/src/fguard-$(DKMS_VERSION)/dkms.conf

dkms-install: dkms-source
	@if [ -z "$(DESTDIR)" ]; then \
		dkms add -m fguard -v $(DKMS_VERSION) && \
		dkms build -m fguard -v $(DKMS_VERSION) && \
		dkms install -m fguard -v $(DKMS_VERSION); \
	else \
		echo "DESTDIR set: source staged, dkms not run"; \
	fi

.PHONY: all module module-clean unit check bench demo clean install dkms-source dkms-install

-include $(CTL_OBJS:.o=.d) $(SAN_OBJS:.o=.d)
