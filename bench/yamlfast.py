"""Benchmark (not a test): would a faster YAML parser pay for the bulk read of visit files? (issue 16)

    .venv/bin/python bench/yamlfast.py CONTENT [--files 2000] [--repeat 3]

CONTENT is a content tree (e.g. the `content/` of a county `bench/run` generated). On a sample of its visit files,
each read into memory first, it prints the CPU microseconds a visit and a file of:

- the reader as today (`bulkread._read_bytes`: decode, line checks, PyYAML's C composer with our resolver, schema);
- its parse alone (decode, line checks, composer) and so the schema's share;
- PyYAML's CSafeLoader alone (compose, and load to Python objects);
- rapidyaml (`ryml`, if installed): its parse alone, and its tree walked into the node tree the schema reads, with
  every mapping's start (line, column) worked out from the address of its first key in the parsed buffer (its
  Python API has no location lookup);
- yaml-rs (`yaml_rs`, if installed): its load to Python objects, and those objects made into the node tree, with
  each mapping's start taken from a scan of the text for `key:` at the start of a line (optimistic: it gives no
  positions and no scalar styles, and types plain scalars, so a real fast path would need more checks than this).

Before the timings it checks, file by file, whether each "to nodes" tree gives the located reader's records, each
record's source included (a flow mapping `{...}` starts at its brace, not at its first key, so neither position
method gets those right as written here). The "to nodes" rows are lower bounds of a fast path's parse: they leave
out the checks that would send an unusual file to the located reader. The garbage collector is off, as in the bulk read (`cachestore.without_gc`).
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import gc
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from careledger.bulkread import FileJob, Settings, _read_bytes  # noqa: E402
from careledger.records import Visit  # noqa: E402
from careledger.schema import Context, convert  # noqa: E402
from careledger.yamlread import NULL_TAG, PLAIN_TAG, decode, parse_text, scan_text  # noqa: E402

try:
    import ryml
except ImportError:  # pragma: no cover - optional
    ryml = None
try:
    import yaml_rs
except ImportError:  # pragma: no cover - optional
    yaml_rs = None

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
STR_TAG = "tag:yaml.org,2002:str"


class _Mark:
    __slots__ = ("name", "line", "column")

    def __init__(self, name, line, column):
        self.name, self.line, self.column = name, line, column


def _scalar(value: str, quoted) -> yaml.ScalarNode:
    node = yaml.ScalarNode.__new__(yaml.ScalarNode)  # no __init__: as cheap as a node can be made in Python
    node.value = value
    node.style = "'" if quoted else None
    node.tag = STR_TAG if quoted else (NULL_TAG if value in _NULLS else PLAIN_TAG)
    node.start_mark = node.end_mark = None
    return node


def _collection(cls, value, tag, mark):
    node = cls.__new__(cls)
    node.value, node.tag, node.flow_style, node.start_mark, node.end_mark = value, tag, False, mark, None
    return node


# --- rapidyaml ------------------------------------------------------------------------------------------------

class _PyBuffer(ctypes.Structure):
    _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p), ("len", ctypes.c_ssize_t),
                ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int), ("ndim", ctypes.c_int),
                ("format", ctypes.c_char_p), ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                ("suboffsets", ctypes.c_void_p), ("internal", ctypes.c_void_p)]


_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(_PyBuffer)]


def _address(view) -> int:
    """Where a (read-only) memoryview's bytes are: rapidyaml's keys point into the buffer parsed in place."""
    b = _PyBuffer()
    _get_buffer(view, ctypes.byref(b), 0)
    try:
        return b.buf
    finally:
        _release_buffer(ctypes.byref(b))


class _RymlReader:
    def __init__(self):
        R = ryml._ryml
        self.type, self.key, self.val = R.Tree_type, R.Tree_key, R.Tree_val
        self.first, self.next = R.Tree_first_child, R.Tree_next_sibling
        self.MAP, self.SEQ, self.VALQUO, self.NONE = ryml.MAP, ryml.SEQ, ryml.VALQUO, ryml.NONE
        self.tree = ryml.Tree()

    def compose(self, raw: bytes, text: str, name: str, marks: bool = True):
        t = self.tree
        t.clear()
        t.clear_arena()
        buf = bytearray(raw)
        ryml.parse_substr(buf, t)
        base = _address(memoryview(buf)) if marks else None
        starts = [m.start() for m in re.finditer(rb"^", raw, re.M)] if marks else None  # where each line starts
        root = t.root_id()
        return self._node(t, root, self.type(t, root), base, raw, starts, name)

    def _mark(self, raw, starts, base, view, name):
        offset = _address(view) - base
        lo, hi = 0, len(starts)
        while hi - lo > 1:  # the line holding `offset`
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if starts[mid] <= offset else (lo, mid)
        return _Mark(name, lo, len(raw[starts[lo]:offset].decode()))  # PyYAML counts characters, from 0

    def _node(self, t, n, ty, base, raw, starts, name):
        if ty & self.MAP:
            pairs, mark = [], None
            ch = self.first(t, n)
            while ch != self.NONE:
                cty = self.type(t, ch)
                k = self.key(t, ch)
                if mark is None and base is not None:
                    mark = self._mark(raw, starts, base, k, name)
                pairs.append((_scalar(str(k, "utf8"), False), self._node(t, ch, cty, base, raw, starts, name)))
                ch = self.next(t, ch)
            return _collection(yaml.MappingNode, pairs, "tag:yaml.org,2002:map", mark)
        if ty & self.SEQ:
            items = []
            ch = self.first(t, n)
            while ch != self.NONE:
                items.append(self._node(t, ch, self.type(t, ch), base, raw, starts, name))
                ch = self.next(t, ch)
            return _collection(yaml.SequenceNode, items, "tag:yaml.org,2002:seq", None)
        v = self.val(t, n)
        return _scalar("" if v is None else str(v, "utf8"), ty & self.VALQUO)


# --- yaml-rs ------------------------------------------------------------------------------------------------------

_KEY_LINE = re.compile(r"^( *(?:- +)*)([A-Za-z_][A-Za-z0-9_]*):(?: |$)", re.M)


def _yaml_rs_nodes(text: str, name: str, marks: bool = True):
    keys = _KEY_LINE.finditer(text) if marks else None  # one match a key, in the order of the document

    def node(value):
        if isinstance(value, dict):
            pairs, mark = [], None
            for key, item in value.items():
                m = next(keys) if keys else None
                if mark is None and m:
                    mark = _Mark(name, text.count("\n", 0, m.start()), len(m.group(1)))
                pairs.append((_scalar(key, False), node(item)))
            return _collection(yaml.MappingNode, pairs, "tag:yaml.org,2002:map", mark)
        if isinstance(value, list):
            return _collection(yaml.SequenceNode, [node(v) for v in value], "tag:yaml.org,2002:seq", None)
        return _scalar("" if value is None else str(value), False)

    return node(yaml_rs.loads(text, parse_datetime=False))


def _records(root, job: FileJob, settings: Settings):
    """The records (with every record's source, which their equality leaves out) and findings of a node tree."""
    ctx = Context(findings=[], today=settings.today, synthetic_ids=settings.synthetic_ids)
    out = []

    def sources(value):
        if isinstance(value, tuple):
            return [sources(v) for v in value]
        if hasattr(value, "__dataclass_fields__"):
            return [getattr(value, "source", None)] + [sources(getattr(value, f)) for f in value.__dataclass_fields__
                                                       if f != "source"]
        return value

    for i, node in enumerate(root.value):
        record = convert(job.cls, node, ctx, f"[{i}]", **dict(job.given))
        out.append((record, sources(record)))
    return out, ctx.findings


# --- the measurement ----------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("content", type=Path)
    parser.add_argument("--files", type=int, default=2000, help="visit files sampled (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest counts")
    args = parser.parse_args()
    root = args.content.resolve()
    paths = sorted(root.glob("visits/*/*.yaml"))
    if args.files and args.files < len(paths):
        paths = random.Random(1).sample(paths, args.files)
    files = [(p.relative_to(root).as_posix(), p.read_bytes()) for p in paths]
    texts = [raw.decode("utf-8-sig") for _, raw in files]
    settings = Settings(dt.date.max, True)
    jobs = [FileJob(rel, Visit, True, (("visitor", Path(rel).stem),)) for rel, _ in files]
    visits = findings = 0
    for (rel, raw), job in zip(files, jobs):
        records, found, _ = _read_bytes(raw, root, job, settings)
        visits += len(records)
        findings += len(found)
    print(f"{len(files)} visit files, {visits} visits, {findings} findings (of {root})")

    def today():
        for (rel, raw), job in zip(files, jobs):
            _read_bytes(raw, root, job, settings)

    def located():
        for rel, raw in files:
            parse_text(decode(raw, rel)[0], root / rel, rel)

    def checks_only():
        for rel, raw in files:
            scan_text(decode(raw, rel)[0], rel)

    def csafe_compose():
        for text in texts:
            yaml.compose(text, Loader=yaml.CSafeLoader)

    def csafe_load():
        for text in texts:
            yaml.load(text, Loader=yaml.CSafeLoader)

    rows = [("reader as today (parse + schema)", today, "every node: line, column"),
            ("  its parse (decode, checks, composer)", located, "every node: line, column"),
            ("  decode and line checks alone", checks_only, "(a fast path runs them too)"),
            ("PyYAML CSafeLoader compose", csafe_compose, "every node: line, column"),
            ("PyYAML CSafeLoader load (objects)", csafe_load, "none")]
    if ryml is not None:
        reader = _RymlReader()

        def ryml_parse():
            tree = ryml.Tree()
            for _, raw in files:
                tree.clear()
                tree.clear_arena()
                ryml.parse_in_arena(raw, tree)

        def ryml_nodes():
            for (rel, raw), text in zip(files, texts):
                reader.compose(raw, text, rel)

        def ryml_nodes_only():
            for (rel, raw), text in zip(files, texts):
                reader.compose(raw, text, rel, marks=False)

        rows += [(f"rapidyaml {ryml.version} parse (C++ tree)", ryml_parse, "no lookup in its Python API"),
                 ("rapidyaml -> nodes, no positions", ryml_nodes_only, "none"),
                 ("rapidyaml -> nodes, mapping starts", ryml_nodes, "by pointer arithmetic (ctypes)")]
    else:
        print("rapidyaml is not installed (pip install rapidyaml): its rows are left out")
    if yaml_rs is not None:
        def yaml_rs_load():
            for text in texts:
                yaml_rs.loads(text, parse_datetime=False)

        def yaml_rs_to_nodes():
            for (rel, _), text in zip(files, texts):
                try:
                    _yaml_rs_nodes(text, rel)
                except StopIteration:  # a flow mapping: left to the located reader
                    pass

        def yaml_rs_to_nodes_only():
            for (rel, _), text in zip(files, texts):
                _yaml_rs_nodes(text, rel, marks=False)

        rows += [("yaml-rs loads (objects)", yaml_rs_load, "none; values typed (YAML 1.2)"),
                 ("yaml-rs -> nodes, no positions", yaml_rs_to_nodes_only, "none"),
                 ("yaml-rs -> nodes, mapping starts", yaml_rs_to_nodes, "from a text scan (not exact)")]
    else:
        print("yaml-rs is not installed (pip install yaml-rs): its rows are left out")

    checks = []
    if ryml is not None:
        checks.append(("rapidyaml -> nodes", lambda raw, text, rel: reader.compose(raw, text, rel)))
    if yaml_rs is not None:
        checks.append(("yaml-rs -> nodes", lambda raw, text, rel: _yaml_rs_nodes(text, rel)))
    for label, compose in checks:
        same = refused = 0
        for (rel, raw), text, job in zip(files, texts, jobs):
            try:
                tree = compose(raw, text, rel)
            except Exception:  # noqa: BLE001 - a fast path would read this file with the located reader
                refused += 1
                continue
            same += _records(tree, job, settings) == _records(parse_text(text, root / rel, rel)[0].root, job, settings)
        print(f"{label}: of {len(files)} files, {same} give the located reader's records and sources, "
              f"{len(files) - same - refused} differ, {refused} could not be made")

    times = {label: float("inf") for label, _, _ in rows}
    gc.collect()
    gc.disable()
    for _ in range(args.repeat):  # alternating, so a change of the machine's load touches every row alike
        for label, fn, _ in rows:
            start = time.process_time()
            fn()
            times[label] = min(times[label], time.process_time() - start)
    gc.enable()
    parse = times["  its parse (decode, checks, composer)"]
    print(f"{'':42} {'µs/visit':>9} {'µs/file':>9} {'÷ its parse':>11}  positions")
    for label, _, positions in rows:
        t = times[label]
        print(f"{label:42} {t / visits * 1e6:9.1f} {t / len(files) * 1e6:9.1f} {t / parse:11.2f}  {positions}")
    schema = times["reader as today (parse + schema)"] - parse
    print(f"{'  so the schema (convert)':42} {schema / visits * 1e6:9.1f} {schema / len(files) * 1e6:9.1f}")


if __name__ == "__main__":
    main()
