#!/usr/bin/env bash
# Makes `scripts/pio run -e qemu-m4 -e native` work offline on a fresh machine where only the
# venv exists (pip install -e . brings platformio and scons). Idempotent: run it any time.
#
# PlatformIO keeps its state in a core dir inside the repo (build/platformio, also named in
# platformio.ini), so nothing outside the repo is touched and a fresh clone starts clean.
# The registry is never asked for anything:
#   - tool-scons, which `pio run` insists on, is the thin local package in
#     boards/packages/tool-scons (it starts SCons from PyPI), copied in with its .piopm;
#   - the development platforms are local folders (boards/platforms, symlink:// in
#     platformio.ini) that use Debian's gcc-arm-none-eabi and the system gcc from PATH.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
core="$root/build/platformio"
export PLATFORMIO_CORE_DIR="$core"

pio="$root/.venv/bin/pio"
[ -x "$pio" ] || pio="$(command -v pio || true)"
if [ -z "$pio" ]; then
    echo "setup_platformio: no pio (expected $root/.venv/bin/pio: make venv)" >&2
    exit 1
fi
python="$(dirname "$pio")/python"
[ -x "$python" ] || python=python3
if ! "$python" -c 'import SCons.Script' 2>/dev/null; then
    echo "setup_platformio: $python cannot import SCons (pip install scons==4.11.1)" >&2
    exit 1
fi

# tool-scons: replaced on every run so the core dir follows the repo's copy.
mkdir -p "$core/packages"
rm -rf "$core/packages/tool-scons"
cp -a "$root/boards/packages/tool-scons" "$core/packages/tool-scons"

# No telemetry and no upgrade checks: both would only time out against the registry.
"$pio" settings set enable_telemetry no >/dev/null
"$pio" settings set check_platformio_interval 3650 >/dev/null

for tool in arm-none-eabi-gcc gcc; do
    command -v "$tool" >/dev/null ||
        echo "setup_platformio: warning: $tool not on PATH (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi gcc)" >&2
done
echo "PlatformIO ready (offline) in $core"
