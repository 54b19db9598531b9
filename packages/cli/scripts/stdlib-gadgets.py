#!/usr/bin/env python3
"""Survey of the Python standard library's pickle gadgets.

A pickle can call any callable it can name as `module.name` (GLOBAL / STACK_GLOBAL, then REDUCE,
NEWOBJ, INST, OBJ; BUILD runs `__setstate__`). Which standard-library callables then execute code,
import modules, start processes, open network connections or write files? This script answers by
introspecting the real interpreter it runs on, and writes `data/stdlib-gadgets.json`, which
`ai-shield scan` reads to rate imports (src/scan/pickle/policy.ts).

Method:
  1. Import every module of `sys.stdlib_module_names` and its submodules (tests, IDLE, Tk and the
     few modules with import-time effects are skipped) and list every callable attribute of every
     module, private ones included: a pickle can name `subprocess._args_from_interpreter_flags` as
     easily as `subprocess.run`. Classes contribute their methods one level down (`Class.method`,
     reachable through protocol 4 dotted names).
  1b. Record `_compat_pickle`'s renames (Python 2 names the unpickler maps to Python 3 ones, e.g.
     `__builtin__.xrange` -> `builtins.range`, `dumbdbm` -> `dbm.dumb`).
  2. Seed capabilities from primitives resolved to the real objects: `exec` (exec, eval, unpickling,
     marshal, native libraries, debuggers), `import` (import by name), `spawn` (os.system, exec*,
     spawn*, fork, subprocess), `network` (sockets) and `write` (unlink, rename, mkdir, chmod, ...).
  3. Read each Python function's bytecode (nested code objects included) and resolve the names it
     loads against its real globals: `os.system`, `from os import system`, `self._open()` and local
     `import subprocess` all resolve to objects. A callable gets the capabilities of everything it
     references, to a fixpoint. For a class: its `__new__`, `__init__`, `__setstate__`, `__reduce__`
     and `__del__`, the methods a pickle runs.
  4. Writing needs care, since most callables that open a file only read it: a callable writes when
     it reaches `open` (builtins, io, os, gzip, ...) and either carries a write-mode constant ('w',
     'a', 'x', '+') or takes a `mode`/`flag` parameter an attacker can set.

The result over-approximates (a reference is not always a call) and is meant to decide severity,
never to allow anything: `ai-shield scan` allows only an explicit allow-list, and rates every other
global at least high. Regenerate with:

    python3 packages/cli/scripts/stdlib-gadgets.py          # writes packages/cli/data/stdlib-gadgets.json
    python3 packages/cli/scripts/stdlib-gadgets.py --check  # exits 1 when the committed file differs
"""

from __future__ import annotations

import builtins
import dis
import importlib
import inspect
import io
import json
import os
import pkgutil
import platform
import re
import sys
import types
import warnings

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "stdlib-gadgets.json")

# Never imported: they act when imported (open a browser, print), need a display, or are test suites.
SKIP_PREFIXES = (
    "antigravity",
    "this",
    "__hello__",
    "__phello__",
    "idlelib",
    "tkinter",
    "turtle",
    "turtledemo",
    "test",
    "lib2to3.tests",
    "unittest.test",
    "ctypes.test",
    "distutils.tests",
    "sqlite3.test",
    "tkinter.test",
    "__main__",
)

CAPABILITIES = {
    "exec": "runs code: exec/eval, unpickling, marshal, native libraries, debuggers",
    "import": "imports a module named by its arguments (runs that module's code)",
    "spawn": "starts a process or replaces the current one",
    "network": "opens a network socket",
    "write": "creates, changes or deletes files",
}

SEEDS = {
    "exec": [
        "builtins.exec",
        "builtins.eval",
        "builtins.breakpoint",
        "pickle.loads",
        "pickle.load",
        "pickle._loads",
        "pickle._load",
        "pickle.Unpickler",
        "pickle._Unpickler",
        "_pickle.loads",
        "_pickle.load",
        "_pickle.Unpickler",
        "marshal.loads",
        "marshal.load",
        "types.FunctionType",
        "types.CodeType",
        "ctypes.CDLL",
        "ctypes.PyDLL",
        "ctypes.LibraryLoader",
        "_ctypes.dlopen",
        "_ctypes.call_function",
        "pdb.Pdb",
        "bdb.Bdb",
        "code.InteractiveInterpreter",
        "runpy.run_path",
        "runpy.run_module",
        "runpy._run_code",
    ],
    "import": [
        "builtins.__import__",
        "importlib.import_module",
        "importlib.__import__",
        "importlib.reload",
        "importlib._bootstrap._gcd_import",
        "pkgutil.resolve_name",
        "zipimport.zipimporter",
    ],
    "spawn": [
        "os.system",
        "os.popen",
        "os.execv",
        "os.execve",
        "os.execl",
        "os.execle",
        "os.execlp",
        "os.execlpe",
        "os.execvp",
        "os.execvpe",
        "os._execvpe",
        "os.spawnv",
        "os.spawnve",
        "os.spawnvp",
        "os.spawnvpe",
        "os.spawnl",
        "os.spawnle",
        "os.spawnlp",
        "os.spawnlpe",
        "os.posix_spawn",
        "os.posix_spawnp",
        "os.fork",
        "os.forkpty",
        "pty.fork",
        "_posixsubprocess.fork_exec",
        "subprocess.Popen",
    ],
    "network": [
        "socket.socket",
        "_socket.socket",
        "socket.create_connection",
        "socket.create_server",
        "socket.fromfd",
        "ssl.SSLSocket",
        # Entry points whose path to a socket goes through objects built at run time (openers,
        # handlers), which bytecode reading cannot follow.
        "urllib.request.urlopen",
        "urllib.request.urlretrieve",
        "urllib.request.OpenerDirector.open",
    ],
    "write": [
        "os.remove",
        "os.unlink",
        "os.rmdir",
        "os.removedirs",
        "os.rename",
        "os.renames",
        "os.replace",
        "os.mkdir",
        "os.makedirs",
        "os.mkfifo",
        "os.mknod",
        "os.symlink",
        "os.link",
        "os.chmod",
        "os.lchmod",
        "os.chown",
        "os.lchown",
        "os.chroot",
        "os.truncate",
        "os.ftruncate",
        "os.write",
        "os.pwrite",
        "os.writev",
        "os.utime",
        "os.setxattr",
        "os.putenv",
        "os.unsetenv",
        # C functions that create files.
        "sqlite3.connect",
        "_sqlite3.connect",
        "dbm.ndbm.open",
        "dbm.gnu.open",
        "urllib.request.urlretrieve",
    ],
}

# Calls that open files; whether they write depends on the mode (rule 4 of the module comment).
OPENERS = [
    "builtins.open",
    "io.open",
    "_io.open",
    "_io.FileIO",
    "io.FileIO",
    "os.open",
    "os.fdopen",
    "codecs.open",
]
WRITE_MODE = re.compile(r"^[rwaxbtU+]{1,4}$")
MODE_PARAMS = {"mode", "flag", "filemode", "flags"}
# Methods a pickle runs on a class: construction, BUILD's __setstate__, and the finalizer.
CLASS_ENTRY = ("__new__", "__init__", "__setstate__", "__reduce__", "__reduce_ex__", "__del__")


def skipped(name: str) -> bool:
    # `pkg.__main__` runs the package's command line when imported.
    return name.endswith(".__main__") or any(name == p or name.startswith(p + ".") for p in SKIP_PREFIXES)


def stdlib_modules() -> dict[str, types.ModuleType]:
    mods: dict[str, types.ModuleType] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in sorted(sys.stdlib_module_names):
            if skipped(name):
                continue
            try:
                m = importlib.import_module(name)
            except BaseException:  # Windows-only modules, missing optional C extensions
                continue
            mods[name] = m
            for info in pkgutil.walk_packages(getattr(m, "__path__", []) or [], prefix=name + "."):
                if skipped(info.name) or ".test" in info.name or "tests" in info.name.split("."):
                    continue
                try:
                    mods[info.name] = importlib.import_module(info.name)
                except BaseException:
                    continue
    return mods


def resolve(dotted: str):
    module, _, attr = dotted.rpartition(".")
    try:
        obj = importlib.import_module(module)
    except ImportError:
        mod, _, cls = module.rpartition(".")
        try:
            obj = getattr(importlib.import_module(mod), cls)
        except (ImportError, AttributeError):
            return None
    return getattr(obj, attr, None)


def code_objects(co: types.CodeType):
    yield co
    for c in co.co_consts:
        if isinstance(c, types.CodeType):
            yield from code_objects(c)


def unwrap(obj):
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    return obj


def static_attr(owner, name: str):
    try:
        return unwrap(inspect.getattr_static(owner, name))
    except AttributeError:
        return None


class Super:
    """`super()` inside a method: attribute lookups continue after the defining class in the MRO."""

    def __init__(self, owner: type, after: type | None):
        mro = owner.__mro__
        self.owner = owner
        self.rest = mro[mro.index(after) + 1 :] if after in mro else mro[1:]

    def attr(self, name: str):
        for b in self.rest:
            if name in vars(b):
                return unwrap(vars(b)[name])
        return None


def defining_class(fn: types.FunctionType, owner: type | None) -> type | None:
    if owner is None:
        return None
    return next((b for b in owner.__mro__ if unwrap(vars(b).get(fn.__name__)) is fn), None)


def references(fn: types.FunctionType, owner: type | None) -> tuple[list[tuple[object, type | None]], bool]:
    """What `fn` loads (globals, module attributes, self/cls and super() attributes, methods of classes
    it instantiates, local imports), each with the class it was looked up on, and whether `fn` carries
    a write-mode constant."""
    out: list[tuple[object, type | None]] = []
    write_const = False
    env = dict(vars(builtins))
    env.update(fn.__globals__)
    for default in (fn.__defaults__ or ()) + tuple((fn.__kwdefaults__ or {}).values()):
        if isinstance(default, str) and WRITE_MODE.match(default) and set(default) & set("wax+"):
            write_const = True
    for co in code_objects(fn.__code__):
        for c in co.co_consts:
            if isinstance(c, str) and WRITE_MODE.match(c) and set(c) & set("wax+"):
                write_const = True
        local: dict[str, object] = {}
        # `prev`: what the previous instruction loaded, for attribute chains; `via`: the class an
        # attribute of `prev` is looked up on (an instance's class, `self`, `super()`).
        prev = None
        via: type | None = None
        pending_import = None
        callee = None  # the first object loaded in the current statement (the callee of a call)
        called = False
        for ins in dis.get_instructions(co):
            op = ins.opname
            arg = ins.argval
            cur = None
            cur_via: type | None = None
            if op == "CALL":
                called = True
            # `x = SomeClass(...)`: later `x.method()` resolves on the class.
            if op == "STORE_FAST" and called and isinstance(callee, type):
                local[arg] = callee
            if op.startswith("STORE_") or op == "POP_TOP" or op == "RETURN_VALUE":
                callee = None
                called = False
            if op in ("LOAD_GLOBAL", "LOAD_NAME"):
                cur = env.get(arg)
            elif op in ("LOAD_FAST", "LOAD_DEREF"):
                if arg in ("self", "cls") and owner is not None:
                    cur = owner
                else:
                    cur = local.get(arg)
            elif op in ("LOAD_ATTR", "LOAD_METHOD") and prev is not None:
                if isinstance(prev, Super):
                    cur = prev.attr(arg)
                    cur_via = prev.owner
                else:
                    cur = static_attr(prev, arg)
                    cur_via = prev if isinstance(prev, type) else None
            elif op == "IMPORT_NAME":
                pending_import = sys.modules.get(arg)
                cur = pending_import
            elif op == "IMPORT_FROM" and pending_import is not None:
                cur = getattr(pending_import, arg, None) or sys.modules.get(f"{pending_import.__name__}.{arg}")
            elif op in ("STORE_FAST", "STORE_NAME") and prev is not None and isinstance(prev, (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)):
                local[arg] = prev
            if cur is not None and not isinstance(cur, Super):
                out.append((unwrap(cur), cur_via))
                if callee is None:
                    callee = cur
            if op == "CALL" and callee is super and owner is not None:
                prev = Super(owner, defining_class(fn, owner))
            elif op == "CALL" and isinstance(callee, type):
                # `SomeClass(...).method()`: the call's result is an instance of the class.
                prev = callee
            else:
                prev = cur
            via = cur_via
    return out, write_const


def main() -> None:
    mods = stdlib_modules()
    seeds: dict[int, set[str]] = {}
    for cap, names in SEEDS.items():
        for n in names:
            obj = resolve(n)
            if obj is not None:
                seeds.setdefault(id(obj), set()).add(cap)
    openers = {id(o) for o in (resolve(n) for n in OPENERS) if o is not None}

    # Every callable reachable as module.name or module.Class.name. Graph nodes are (callable, owner
    # class) pairs: `IMAP4.__init__` calls `self.open()`, which is a socket for IMAP4 and a process
    # for IMAP4_stream, so a method is read once per class that runs it.
    entries: dict[str, tuple] = {}
    for mname, m in mods.items():
        for aname, val in list(vars(m).items()):
            if aname.startswith("__") and aname.endswith("__"):
                continue
            if isinstance(val, types.ModuleType) or not callable(val):
                continue
            val = unwrap(val)
            entries[f"{mname}.{aname}"] = (val, None)
            if isinstance(val, type):
                for meth, raw in list(vars(val).items()):
                    f = unwrap(raw)
                    if callable(f):
                        entries[f"{mname}.{aname}.{meth}"] = (f, val)

    def key(obj, owner) -> tuple[int, int]:
        return (id(obj), id(owner) if owner is not None else 0)

    edges: dict[tuple[int, int], list[tuple[int, int]]] = {}
    opens: set[tuple[int, int]] = set()
    write_consts: set[tuple[int, int]] = set()
    mode_params: set[tuple[int, int]] = set()
    keep: list[object] = []  # keeps objects alive so their ids stay unique
    work = list(entries.values())
    seen: set[tuple[int, int]] = set()
    while work:
        obj, owner = work.pop()
        k = key(obj, owner)
        if k in seen:
            continue
        seen.add(k)
        keep.append((obj, owner))
        targets: list[tuple[object, object]] = []
        if isinstance(obj, type) and owner is None:
            # Calling a class runs its constructor; BUILD runs __setstate__; collection runs __del__.
            for name in CLASS_ENTRY:
                f = static_attr(obj, name)
                if f is not None and f is not getattr(object, name, None):
                    targets.append((f, obj))
        elif isinstance(obj, types.FunctionType):
            refs, wc = references(obj, owner)
            if wc:
                write_consts.add(k)
            try:
                params = set(inspect.signature(obj).parameters)
            except (TypeError, ValueError):
                params = set()
            if params & MODE_PARAMS:
                mode_params.add(k)
            for r, looked_up_on in refs:
                # A method keeps the class it was looked up on (self, super(), an instance's class), and
                # `Base.__init__(self)` keeps the instance's class when Base is one of its bases.
                if isinstance(r, types.FunctionType):
                    if looked_up_on is not None:
                        targets.append((r, owner if owner is not None and looked_up_on in owner.__mro__ else looked_up_on))
                        continue
                targets.append((r, None))
        for t, towner in targets:
            if id(t) in openers:
                opens.add(k)
            if isinstance(t, (types.FunctionType, type)) or id(t) in seeds:
                tk = key(t, towner)
                edges.setdefault(k, []).append(tk)
                if tk not in seen:
                    work.append((t, towner))

    caps: dict[tuple[int, int], set[str]] = {}
    for obj, owner in keep:
        c = seeds.get(id(obj))
        if c:
            caps[key(obj, owner)] = set(c)
    reach_open: set[tuple[int, int]] = set(opens)
    changed = True
    while changed:
        changed = False
        for src, dsts in edges.items():
            mine = caps.setdefault(src, set())
            before = len(mine)
            opened = src in reach_open
            for d in dsts:
                mine |= caps.get(d, set())
                if d in reach_open and not opened:
                    reach_open.add(src)
                    opened = True
                    changed = True
            if src in reach_open and (src in write_consts or src in mode_params) and "write" not in mine:
                mine.add("write")
            if len(mine) != before:
                changed = True

    callables: dict[str, list[str]] = {}
    for name, (obj, owner) in entries.items():
        c = caps.get(key(obj, owner))
        if c:
            callables[name] = sorted(c)
    # A module's summary: what any of its attributes can do.
    module_caps: dict[str, list[str]] = {}
    for name in sorted(callables):
        parts = name.split(".")
        for i in range(1, len(parts)):
            mod = ".".join(parts[:i])
            if mod in mods:
                module_caps.setdefault(mod, set()).update(callables[name])
    import _compat_pickle

    # How the unpickler renames Python 2 globals (`fix_imports`): scanners must see the real target.
    compat = {
        "modules": dict(sorted(_compat_pickle.IMPORT_MAPPING.items())),
        "names": {f"{m}.{n}": f"{m3}.{n3}" for (m, n), (m3, n3) in sorted(_compat_pickle.NAME_MAPPING.items())},
    }
    data = {
        "version": 1,
        "python": platform.python_version(),
        "platform": sys.platform,
        "generator": "packages/cli/scripts/stdlib-gadgets.py",
        "capabilities": CAPABILITIES,
        "modulesSurveyed": len(mods),
        "compat": compat,
        "modules": {k: sorted(v) for k, v in sorted(module_caps.items())},
        "callables": dict(sorted(callables.items())),
    }
    # One entry per line: readable, and a regeneration shows up in a diff as the lines that changed.
    head = {k: v for k, v in data.items() if k not in ("modules", "callables", "compat")}
    lines = [json.dumps(head, indent=1, ensure_ascii=False)[:-2] + ","]
    lines.append(' "compat": ' + json.dumps(compat, sort_keys=True) + ",")
    for key in ("modules", "callables"):
        items = list(data[key].items())
        lines.append(f' "{key}": {{')
        lines.extend(
            f"  {json.dumps(k)}: {json.dumps(v)}{',' if i < len(items) - 1 else ''}" for i, (k, v) in enumerate(items)
        )
        lines.append(" }," if key == "modules" else " }")
    text = "\n".join(lines) + "\n}\n"
    if "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                sys.stderr.write(f"{OUT} is out of date: run python3 {sys.argv[0]}\n")
                sys.exit(1)
        return
    if "--stdout" in sys.argv:
        sys.stdout.write(text)
        return
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    sys.stderr.write(f"{len(callables)} callables in {len(module_caps)} of {len(mods)} modules -> {OUT}\n")


if __name__ == "__main__":
    main()
