"""What a benchmark's figures depend on besides the code: the machine's speed and how its Python
was built. `make bench` and `make load` print it and write it in their JSON (`machine`), so that
figures taken on two machines, or with two interpreters, are not compared as if they were one.

Issue 17 ran on six machines whose speed differed threefold, and its notes quoted
`python -m timeit "sum(i*i for i in range(3_000_000))"` by hand to tell them apart; REFERENCE_LOOP
is that loop. On one machine, at the same 100 requests a second, the web workers used about 11 %
less CPU on a CPython 3.13 configured with `--enable-optimizations --with-lto` (PGO and LTO) than
on pyenv's default build of 3.13, and the stack held 115 req/s with no error where it held 100 on
pyenv's 3.12 (docs/benchmarks.md, "Issue 17, tenth stop"). A distribution's package may be
optimized without saying so in CONFIG_ARGS (Debian's is): the loop's time is the figure to compare."""

import os
import platform
import sys
import sysconfig
import timeit
from collections.abc import Mapping

REFERENCE_LOOP = "sum(i * i for i in range(3_000_000))"


def reference_loop_ms(*, repeat: int = 5) -> float:
    """The best of `repeat` runs of REFERENCE_LOOP, in milliseconds, timed as `python -m timeit`
    times it: this machine and this interpreter together (lower is faster)."""
    return round(min(timeit.repeat(REFERENCE_LOOP, repeat=repeat, number=1)) * 1000, 1)


def interpreter_build(config: Mapping[str, object] | None = None) -> dict:
    """The interpreter's version and what its `configure` recorded (`sysconfig` by default): PGO
    (`--enable-optimizations`), LTO (`--with-lto`, or `-flto` in its flags) and a shared libpython."""
    config = sysconfig.get_config_vars() if config is None else config
    arguments = str(config.get("CONFIG_ARGS") or "")
    flags = " ".join(str(config.get(name) or "") for name in ("PY_CFLAGS_NODIST", "PY_CORE_CFLAGS"))
    return {
        "implementation": sys.implementation.name,
        "version": platform.python_version(),
        "pgo": "--enable-optimizations" in arguments,
        "lto": "--with-lto" in arguments or "-flto" in flags.split(),
        "shared_libpython": bool(config.get("Py_ENABLE_SHARED")),
    }


def machine() -> dict:
    """The CPUs this process may use, REFERENCE_LOOP's time and the interpreter (about a second)."""
    return {
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "reference_loop_ms": reference_loop_ms(),
        "python": interpreter_build(),
    }


def describe(found: dict) -> str:
    """One line for the commands' output."""
    python = found["python"]

    def yes(flag: str) -> str:
        return "yes" if python[flag] else "no"

    return (
        f"Machine: {found['cpus']} CPUs; reference loop {found['reference_loop_ms']:.1f} ms ({REFERENCE_LOOP}, "
        f"best of 5); Python {python['version']} ({python['implementation']}; its configure: PGO {yes('pgo')}, "
        f"LTO {yes('lto')}, shared libpython {yes('shared_libpython')})."
    )
