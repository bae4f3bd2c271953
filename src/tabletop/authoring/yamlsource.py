"""Safe, bounded YAML reading that remembers where every value came from.

We drive PyYAML's event parser (libyaml's C parser when present) and build the
Python values ourselves instead of using a constructor, because that lets us:

* refuse every explicit tag (``!!python/object`` and friends are never run);
* resolve scalars by a small YAML 1.2-like rule set, so ``NO`` (Norway), ``off``
  and ``+1:30`` stay strings and timestamps are never turned into datetimes;
* bound nesting depth and alias expansion before any memory is spent on them;
* reject duplicate keys instead of silently keeping the last one;
* record the line and column of every key and item for error messages.

The builder is iterative (an explicit stack), so deep nesting cannot overflow
the Python stack.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tabletop.core.files import TooLarge, read_bounded
from tabletop.core.problems import KeyPath, Problem, ProblemsFound, excerpt

try:  # libyaml is much faster; fall back to the pure-Python parser.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the platform build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 100
MAX_ALIAS_NODES = 10_000
_DEPTH_MESSAGE = f"nesting is deeper than {MAX_DEPTH} levels"

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUES = {"true", "True", "TRUE"}
_FALSES = {"false", "False", "FALSE"}
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass
class Document:
    """A parsed YAML file: its data (until released) and the source position of
    every path."""

    file: str
    data: Any
    reread: Callable[[], str | bytes | None] | None = None
    """Gives the same text again, or None if it has changed. Positions serve only
    error messages, so they are found by a second parse when first asked for:
    a valid file never pays for them (a quarter of the memory of the parse)."""
    marks: dict[KeyPath, array[int]] = field(default_factory=dict)
    """Positions, grouped by the path of their container: each child's 0-based
    line and column packed into one int by :func:`pack`, in the order of the
    container's items or keys. A dict keyed by every full path costs twice
    as much, which matters for a 5,000-inject exercise."""
    keys: dict[KeyPath, tuple[str, ...]] = field(default_factory=dict)
    """Each mapping's keys in order, to find a key's place in ``marks`` once
    ``data`` is released."""
    root: int | None = None
    """The packed position of the top-level node."""

    def release_data(self) -> None:
        """Drop the parsed values once a model holds them; positions stay."""
        self.data = None

    def _locate(self) -> None:
        if self.reread is None:
            return
        reread, self.reread = self.reread, None
        text = reread()
        if text is None:
            return  # changed since it was read: no positions rather than wrong ones
        again = Document(self.file, None)
        try:
            _build(text, again, record=True)
        except (ProblemsFound, yaml.YAMLError):  # pragma: no cover - it parsed before
            return
        self.marks, self.keys, self.root = again.marks, again.keys, again.root

    def _packed(self, path: KeyPath) -> int | None:
        self._locate()
        if not path:
            return self.root
        parent, key = path[:-1], path[-1]
        siblings = self.marks.get(parent)
        if siblings is None:
            return None
        keys = self.keys.get(parent)
        if keys is None:  # a list: the key is the index
            index = key if isinstance(key, int) else -1
        else:
            index = keys.index(key) if key in keys else -1
        return siblings[index] if 0 <= index < len(siblings) else None

    def position(self, path: KeyPath) -> tuple[int, int]:
        """Line and column (1-based) of the nearest path that has a position."""
        probe = tuple(path)
        packed = self._packed(probe)
        while packed is None and probe:
            probe = probe[:-1]
            packed = self._packed(probe)
        if packed is None:
            return (1, 1)
        return ((packed >> _COLUMN_BITS) + 1, (packed & _COLUMN_MASK) + 1)

    def problem(self, path: KeyPath, message: str) -> Problem:
        line, col = self.position(path)
        return Problem(self.file, line, col, tuple(path), message)


_COLUMN_BITS = 24  # a column is below MAX_FILE_BYTES (16 MiB = 2**24)
_COLUMN_MASK = (1 << _COLUMN_BITS) - 1


def pack(mark: Any) -> int:
    """A parser mark's 0-based line and column as one int."""
    return int(mark.line) << _COLUMN_BITS | min(int(mark.column), _COLUMN_MASK)


_PLAIN_TEXT_START = frozenset("abcdeghijklmopqrsuvwxyzABCDEGHIJKLMOPQRSUVWXYZ")


def resolve_plain(text: str) -> Any:
    """Resolve an unquoted scalar the way YAML 1.2's core schema would, minus oddities."""
    if text and text[0] in _PLAIN_TEXT_START:
        return text  # fast path: cannot be a null, boolean or number
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text) and any(c.isdigit() for c in text):
        return float(text)
    return text


class _Frame:
    __slots__ = ("anchor", "mark", "marks", "path", "pending_key", "size", "value")

    def __init__(
        self, value: Any, path: KeyPath, anchor: str | None, mark: Any, marks: array[int]
    ):
        self.value = value
        self.path = path
        self.anchor = anchor
        self.mark = mark
        self.marks = marks  # children's positions; the Document's too when recording
        self.pending_key: Any = _NO_KEY
        self.size = 1


_NO_KEY = object()


def load_text(
    text: str | bytes, file: str, reread: Callable[[], str | bytes | None] | None = None
) -> Document:
    """Parse YAML text into a Document; raise ProblemsFound on any problem.

    ``text`` may be the file's bytes, already checked to be UTF-8: libyaml reads
    them as they are, where a str would first be encoded to a second copy.
    ``reread`` gives the text again for positions; by default the Document
    keeps ``text`` for that.
    """
    doc = Document(file=file, data=None, reread=reread or (lambda: text))
    try:
        _build(text, doc)
    except ProblemsFound:
        raise
    except yaml.MarkedYAMLError as exc:
        if is_libyaml_depth_error(exc):
            raise _depth_problem(text, file, exc) from None
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark:
            reason += f" {exc.context} (line {exc.context_mark.line + 1})"
        if (
            mark is not None
            and "tab" not in reason
            and _char_at(text, mark.line, mark.column) == "\t"
        ):
            reason += " (a tab: YAML indentation must use spaces)"
        raise ProblemsFound(
            [Problem(file, line, col, (), f"YAML syntax error: {reason}")]
        ) from None
    except yaml.YAMLError as exc:
        raise ProblemsFound([Problem(file, 1, 1, (), f"YAML error: {excerpt(str(exc))}")]) from None
    return doc


_LIBYAML_DEPTH = re.compile(
    r"maximum nesting (depth|level)|nesting (depth|level) .*(exceeded|reached)", re.IGNORECASE
)


def is_libyaml_depth_error(exc: yaml.MarkedYAMLError) -> bool:
    """Whether libyaml refused the text for its own nesting limit (1000 levels
    since libyaml 0.2.6, in the scanner's wording or the parser's)."""
    return bool(_LIBYAML_DEPTH.search(f"{exc.problem or ''} {exc.context or ''}"))


def _depth_problem(text: str | bytes, file: str, exc: yaml.MarkedYAMLError) -> ProblemsFound:
    """Our own depth message, placed where our limit was crossed.

    libyaml scans ahead for possible keys, so it can hit its 1000-level limit
    before it hands out the event at which ours (64) fires. Everything up to
    its mark is at most 1000 deep, so building that prefix again reaches our
    check, with its position, or whatever real problem comes first.
    """
    mark = exc.problem_mark or exc.context_mark
    fallback = ProblemsFound(
        [
            Problem(
                file,
                mark.line + 1 if mark else 1,
                mark.column + 1 if mark else 1,
                (),
                _DEPTH_MESSAGE,
            )
        ]
    )
    if mark is None:
        return fallback
    prefix = _prefix_before(text, mark.line, mark.column)
    try:
        _build(prefix, Document(file=file, data=None))
    except ProblemsFound as problems:
        return problems
    except yaml.YAMLError:
        pass  # the prefix ends mid-value; our message at libyaml's mark will do
    return fallback


def _prefix_before(text: str | bytes, line: int, column: int) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    start = 0
    for _ in range(line):
        newline = text.find("\n", start)
        if newline < 0:
            return text
        start = newline + 1
    return text[: start + column]


def _char_at(text: str | bytes, line: int, column: int) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    lines = text.split("\n", line + 1)
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


def load_file(path: Path, display: str | None = None) -> Document:
    """Read and parse one YAML file with size limits and friendly errors."""
    name = display or str(path)
    try:
        info = path.stat()
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise ProblemsFound(
                [Problem(name, 0, 0, (), f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")]
            )
        # Bounded also for a pipe or FIFO, whose size says nothing.
        raw = read_bounded(path, MAX_FILE_BYTES)
    except TooLarge:
        raise ProblemsFound(
            [Problem(name, 0, 0, (), f"the input is larger than the limit of {MAX_FILE_BYTES} "
                     "bytes; reading stopped there")]
        ) from None
    except OSError as exc:
        raise ProblemsFound(
            [Problem(name, 0, 0, (), f"cannot read file: {exc.strerror}")]
        ) from None
    if b"\x00" in raw:
        raise ProblemsFound([Problem(name, 1, 1, (), "not a text file (it contains NUL bytes)")])
    bad = _bad_utf8(raw)
    if bad is not None:
        raise ProblemsFound(
            [Problem(name, 1, 1, (), f"not UTF-8 text (bad byte at offset {bad})")]
        )
    if not stat.S_ISREG(info.st_mode):
        # A pipe or a device cannot be read twice: keep the text for positions.
        return load_text(raw, name)
    stamp = _stamp(info)
    return load_text(raw, name, lambda: _read_again(path, stamp))


def _stamp(info: os.stat_result) -> tuple[int, int]:
    return (info.st_size, info.st_mtime_ns)


def _read_again(path: Path, stamp: tuple[int, int]) -> bytes | None:
    """The file's bytes if it looks unchanged since ``stamp`` (size and mtime)."""
    try:
        raw = path.read_bytes()
        unchanged = _stamp(path.stat()) == stamp
    except OSError:
        return None
    return raw if unchanged else None


_CHECK_CHUNK = 1 << 20


def _bad_utf8(raw: bytes) -> int | None:
    """The offset of the first byte that is not UTF-8 (as ``utf-8-sig`` reads it),
    or None; checked a slice at a time, so no decoded copy of the file is made."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), _CHECK_CHUNK):
            decoder.decode(view[start : start + _CHECK_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        try:
            raw.decode("utf-8-sig")  # again, whole, for the exact offset
        except UnicodeDecodeError as exc:
            return exc.start
    return None


def _build(text: str | bytes, doc: Document, *, record: bool = False) -> None:
    """Build ``doc.data`` from the text; with ``record``, also its positions.

    Each open container keeps its children's marks either way, which is what
    a duplicate key's message needs; only ``record`` hands them to ``doc``.
    """
    file = doc.file
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    alias_count = 0
    alias_nodes = 0
    documents = 0
    root_set = False

    def fail(mark: Any, path: KeyPath, message: str) -> ProblemsFound:
        return ProblemsFound([Problem(file, mark.line + 1, mark.column + 1, path, message)])

    def child_path() -> KeyPath:
        if not stack:
            return ()
        top = stack[-1]
        if isinstance(top.value, list):
            return (*top.path, len(top.value))
        if top.pending_key is _NO_KEY:
            return top.path  # this node is a key
        return (*top.path, top.pending_key)

    def attach(value: Any, size: int, mark: Any, anchor: str | None) -> None:
        nonlocal root_set
        if anchor is not None:
            anchors[anchor] = (value, size)
        if not stack:
            doc.data = value
            root_set = True
            return
        top = stack[-1]
        top.size += size
        if isinstance(top.value, list):
            top.marks.append(pack(mark))
            top.value.append(value)
            return
        if top.pending_key is _NO_KEY:
            if isinstance(value, (dict, list)):
                raise fail(
                    mark, top.path, "a mapping key must be a plain value, not a mapping or list"
                )
            key = value if isinstance(value, str) else str(value)
            if key in top.value:
                first = (top.marks[list(top.value).index(key)] >> _COLUMN_BITS) + 1
                raise fail(
                    mark,
                    (*top.path, key),
                    f"duplicate key '{excerpt(key)}' (first defined on line {first})",
                )
            top.pending_key = key
            top.marks.append(pack(mark))
            return
        top.value[top.pending_key] = value
        top.pending_key = _NO_KEY

    events: Iterator[Any] = yaml.parse(text, Loader=_Loader)
    for event in events:
        kind = type(event)
        if kind is yaml.ScalarEvent:
            mark = event.start_mark
            tag = event.tag
            if tag is not None and tag != "!" and tag not in _STANDARD_TAGS:
                raise fail(mark, child_path(), f"YAML tag '{excerpt(tag)}' is not allowed")
            if event.implicit[0] and tag is None and not event.style:
                value: Any = resolve_plain(event.value)
            else:
                value = event.value
            attach(value, 1, mark, event.anchor)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            mark = event.start_mark
            path = child_path()
            tag = event.tag
            if tag is not None and tag not in _STANDARD_TAGS:
                raise fail(mark, path, f"YAML tag '{excerpt(tag)}' is not allowed")
            if len(stack) >= MAX_DEPTH:
                raise fail(mark, (), _DEPTH_MESSAGE)
            if stack and stack[-1].pending_key is _NO_KEY and isinstance(stack[-1].value, dict):
                raise fail(mark, path, "a mapping key must be a plain value, not a mapping or list")
            container: Any = {} if kind is yaml.MappingStartEvent else []
            if record and not stack:
                doc.root = pack(mark)
            marks = array("Q")
            if record:
                doc.marks[path] = marks
            stack.append(_Frame(container, path, event.anchor, mark, marks))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = stack.pop()
            if record and isinstance(frame.value, dict):
                doc.keys[frame.path] = tuple(frame.value)
            attach(frame.value, frame.size, frame.mark, frame.anchor)
        elif kind is yaml.AliasEvent:
            mark = event.start_mark
            if event.anchor not in anchors:
                raise fail(mark, child_path(), f"unknown alias '*{excerpt(event.anchor)}'")
            alias_count += 1
            value, size = anchors[event.anchor]
            alias_nodes += size
            if alias_count > MAX_ALIASES or alias_nodes > MAX_ALIAS_NODES:
                raise fail(
                    mark,
                    child_path(),
                    f"too many aliases: expanding them would exceed {MAX_ALIAS_NODES} values "
                    f"or {MAX_ALIASES} aliases",
                )
            attach(value, size, mark, None)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise fail(event.start_mark, (), "only one YAML document per file is allowed")
    if not root_set:
        doc.data = None
