"""PlatformIO runs `python <tool-scons>/scons.py ...` with its own interpreter (the venv's).

The registry's tool-scons bundles a copy of SCons; this one starts the SCons that pip installed
from PyPI (scons==4.11.1, pinned in pyproject.toml), so `pio run` works without the registry.
The version 4.41101.0 in package.json is how PlatformIO spells SCons 4.11.1.
"""
import sys

from SCons.Script.Main import main

if __name__ == "__main__":
    sys.exit(main())
