# microlm: `make demo` and `make test` set up everything they need on a fresh Debian machine.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
PIO   := scripts/pio
APT_PACKAGES := qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi
SUDO  := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEMO_TEXT ?= turn on the kitchen lights

.PHONY: demo test setup apt venv firmware model clean

demo: setup firmware
	$(VENV)/bin/host_tools flash --board qemu-m4
	$(VENV)/bin/host_tools send --board qemu-m4 "$(DEMO_TEXT)"

test: setup firmware
	$(VENV)/bin/pytest -q

setup: apt venv build/.pio-ready

# Debian packages: the emulator and the Arm cross toolchain (newlib for the C library).
apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

build/.pio-ready: $(VENV)/.installed scripts/setup_platformio.sh
	bash scripts/setup_platformio.sh
	mkdir -p build && touch $@

firmware: setup
	$(PIO) run -s -e qemu-m4 -e native

# Retrain the shipped default model (12 to 18 minutes on 2 cores), then export it.
model: setup
	$(VENV)/bin/exporter train --preset micro --out runs/micro
	$(VENV)/bin/exporter export runs/micro --quant int8 --out exporter/default_model

clean:
	rm -rf build .pio
