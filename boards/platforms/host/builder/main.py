"""Builds `program`, the firmware as a host executable, with the system gcc (on PATH).
Optimization, C standard and warnings are the project's: build_flags in platformio.ini."""
from SCons.Script import Default, DefaultEnvironment

env = DefaultEnvironment()

env.Replace(
    AR="ar",
    AS="as",
    CC="gcc",
    CXX="g++",
    RANLIB="ranlib",
    SIZETOOL="size",        # PlatformIO's size summary (against the board's maximum sizes)
    PROGNAME="program",
    PROGSUFFIX="",
)
env.Append(
    LIBS=["m"],
    CPPDEFINES=[("MLM_BOARD", env.StringifyMacro(env.subst("$BOARD")))],
)

Default([env.BuildProgram()])
