# Vireo: a thin wrapper over Meson.  `make` builds into build/,
# `make check` runs every test, `make demo` boots the demo guest.
# Both install what is missing first (scripts/install-deps).

BUILD    ?= build
SANBUILD ?= build-san
NINJA    ?= ninja
PREFIX   ?= /usr/local
DESTDIR  ?=
UNITDIR  ?= $(PREFIX)/lib/systemd/system

.PHONY: all deps check unit integration demo bench fuzz format clean install

all: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

# Unit tests run in a separate ASan+UBSan build.
$(SANBUILD)/build.ninja:
	meson setup $(SANBUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

deps:
	scripts/install-deps

check: deps
	scripts/check

unit: $(SANBUILD)/build.ninja
	$(NINJA) -C $(SANBUILD)
	meson test -C $(SANBUILD) --suite unit --print-errorlogs

integration: all
	tests/nested/prepare
	tests/nested/run -- tests/nested/integration

demo: deps all
	scripts/demo

bench: deps all
	bench/boot

# vireo-vmm, vireod and vireo into $(DESTDIR)$(PREFIX)/bin, the systemd
# units (contrib/) into $(DESTDIR)$(UNITDIR) with vireod's path filled in.
install: all
	meson configure $(BUILD) -Dprefix=$(PREFIX)
	DESTDIR="$(DESTDIR)" meson install -C $(BUILD)
	for u in vireod.service vireod.socket; do \
		sed 's|@bindir@|$(PREFIX)/bin|g' contrib/$$u >$(BUILD)/$$u && \
		install -D -m 0644 $(BUILD)/$$u "$(DESTDIR)$(UNITDIR)/$$u" || exit 1; \
	done

fuzz:
	scripts/fuzz

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(SANBUILD) build-fuzz
