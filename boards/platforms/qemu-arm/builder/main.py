"""Builds firmware.elf for an emulated Arm board with Debian's arm-none-eabi-gcc (on PATH).

The CPU flags come from the board manifest (build.cpu, build.fpu, build.float_abi) and go to
the compiler and the linker alike, so gcc links the newlib multilib matching the FPU ABI.
Optimization, C standard and warnings are the project's: build_flags in platformio.ini.
"""
import os

from SCons.Script import Default, DefaultEnvironment

env = DefaultEnvironment()
board = env.BoardConfig()

machine = ["-mcpu=%s" % board.get("build.cpu"), "-mthumb"]
if board.get("build.fpu", ""):
    machine += ["-mfpu=%s" % board.get("build.fpu"),
                "-mfloat-abi=%s" % board.get("build.float_abi", "hard")]
else:
    machine += ["-mfloat-abi=soft"]

env.Replace(
    AR="arm-none-eabi-ar",
    AS="arm-none-eabi-as",
    CC="arm-none-eabi-gcc",
    CXX="arm-none-eabi-g++",
    GDB="gdb-multiarch",
    OBJCOPY="arm-none-eabi-objcopy",
    RANLIB="arm-none-eabi-ranlib",
    SIZETOOL="arm-none-eabi-size",   # enables PlatformIO's RAM/Flash summary after linking
    ARFLAGS=["rc"],
    PROGNAME="firmware",
    PROGSUFFIX=".elf",
)

env.Append(
    ASFLAGS=machine,
    CCFLAGS=machine + ["-ffunction-sections", "-fdata-sections"],
    LINKFLAGS=machine + [
        "-nostartfiles",                # startup code is the port's own (vector table, reset)
        "--specs=nano.specs",           # newlib-nano: small string.h functions, no stdio use
        "--specs=nosys.specs",          # stubs, should anything pull in a syscall
        "-Wl,--gc-sections",
        "-Wl,-Map,%s" % os.path.join("$BUILD_DIR", "firmware.map"),
    ],
    LIBS=["m"],
    CPPDEFINES=[("MLM_BOARD", env.StringifyMacro(env.subst("$BOARD")))],
)

# The manifest names the linker script relative to the project.
ldscript = board.get("build.ldscript", "")
if ldscript and not os.path.isabs(ldscript):
    env.Replace(LDSCRIPT_PATH=os.path.join(env.subst("$PROJECT_DIR"), ldscript))

elf = env.BuildProgram()
if env.get("LDSCRIPT_PATH"):
    env.Depends(elf, env.subst("$LDSCRIPT_PATH"))   # relink when the memory map changes
Default([elf])
