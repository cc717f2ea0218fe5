"""The machine and interpreter recorded with every bench and load run (devtools.machine)."""

import platform
import sysconfig

from devtools.machine import describe, interpreter_build, machine

PYENV_DEFAULT = {  # pyenv's 3.12.1 on issue 17's machines
    "CONFIG_ARGS": "'--prefix=/root/.pyenv/versions/3.12.1' '--enable-shared'",
    "PY_CFLAGS_NODIST": "-std=c11 -Wextra -fvisibility=hidden -I./Include/internal",
    "PY_CORE_CFLAGS": "-fno-strict-overflow -DNDEBUG -g -O3 -Wall",
    "Py_ENABLE_SHARED": 1,
}
OPTIMIZED = {  # ./configure --enable-optimizations --with-lto, static libpython
    "CONFIG_ARGS": "'--prefix=/opt/py313pgo' '--enable-optimizations' '--with-lto'",
    "PY_CFLAGS_NODIST": "-fno-semantic-interposition -flto -fuse-linker-plugin -ffat-lto-objects -g",
    "Py_ENABLE_SHARED": 0,
}


def test_the_configure_arguments_tell_pgo_lto_and_a_shared_libpython():
    assert {k: v for k, v in interpreter_build(PYENV_DEFAULT).items() if k in ("pgo", "lto", "shared_libpython")} == {
        "pgo": False,
        "lto": False,
        "shared_libpython": True,
    }
    assert {k: v for k, v in interpreter_build(OPTIMIZED).items() if k in ("pgo", "lto", "shared_libpython")} == {
        "pgo": True,
        "lto": True,
        "shared_libpython": False,
    }
    # LTO read from the flags when configure's arguments do not say it; a flag that merely starts
    # with -flto (-flto-partition=none alone) is not LTO.
    assert interpreter_build({"PY_CORE_CFLAGS": "-O3 -flto -g"})["lto"] is True
    assert interpreter_build({"PY_CORE_CFLAGS": "-O3 -flto-partition=none"})["lto"] is False
    assert interpreter_build({})["pgo"] is False


def test_this_interpreter_is_described_as_sysconfig_has_it():
    found = machine()
    config = sysconfig.get_config_vars()
    assert found["python"]["version"] == platform.python_version()
    assert found["python"]["pgo"] is ("--enable-optimizations" in (config.get("CONFIG_ARGS") or ""))
    assert found["python"]["shared_libpython"] is bool(config.get("Py_ENABLE_SHARED"))
    assert found["cpus"] >= 1
    assert found["reference_loop_ms"] > 0
    line = describe(found)
    assert line.startswith(f"Machine: {found['cpus']} CPUs; reference loop {found['reference_loop_ms']:.1f} ms")
    assert f"Python {platform.python_version()}" in line
    assert f"PGO {'yes' if found['python']['pgo'] else 'no'}, LTO" in line
