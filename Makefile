# Vireo: a thin wrapper over Meson.  `make` builds into build/,
# `make check` runs every test, `make demo` boots the demo guest.
# Both install what is missing first (scripts/install-deps).

BUILD    ?= build
SANBUILD ?= build-san
NINJA    ?= ninja

.PHONY: all deps check unit integration demo bench fuzz format clean

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

fuzz:
	scripts/fuzz

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(SANBUILD) build-fuzz
