"""The outcome of the last rebuild, shared by the watcher (which writes it) and the request threads (which read it)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from ..findings import LOAD_CODES, Finding, sort_key


@dataclass(frozen=True)
class Outcome:
    """One rebuild: `failed` when the records had errors and the site was left as it was."""

    failed: bool
    finished: str  # HH:MM:SS, local time
    record_findings: tuple[Finding, ...] = ()  # the loader's and the build's (errors only when failed)
    policy_findings: tuple[Finding, ...] = ()
    last_good: str | None = None  # when the site now served was built, if ever

    @property
    def record_errors(self) -> list[Finding]:
        return sorted((f for f in self.record_findings if f.is_error), key=sort_key)

    @property
    def record_warnings(self) -> list[Finding]:
        return sorted((f for f in self.record_findings if not f.is_error), key=sort_key)


def code_texts() -> dict[str, str]:
    """Every finding code's Chinese description: the rules' registry and the loader's."""
    from ..rules import all_codes

    return {code: text for code, (_, text) in {**LOAD_CODES, **all_codes()}.items()}


def per_code(findings) -> list[tuple[str, int, str, str]]:
    """(code, count, severity, Chinese description) for each code found, the most frequent first."""
    texts = code_texts()
    counts = Counter(f.code for f in findings)
    severity = {f.code: f.severity for f in findings}
    first = {}
    for f in findings:
        first.setdefault(f.code, f.message)
    return [(code, n, severity[code], texts.get(code) or first[code])
            for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


@dataclass
class Preview:
    """The latest outcome and a generation number the page polls: it changes with every rebuild."""

    outcome: Outcome | None = None
    generation: int = 0
    internal: dict[str, bytes] = field(default_factory=dict)  # `serve --internal`: the desk and dossiers, by URL path
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self.rebuilt = threading.Condition(self.lock)  # notified by `record`: a page waiting for a rebuild (`wait`)

    def record(self, outcome: Outcome, internal: dict[str, bytes] | None = None) -> None:
        """A rebuild's outcome; `internal` replaces the staff's files (None keeps the last good ones)."""
        with self.lock:
            self.outcome = outcome
            self.generation += 1
            if internal is not None:
                self.internal = internal
            self.rebuilt.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[Outcome | None, int]:
        """`current()` once the generation is not `seen` (a rebuild finished), or after `timeout` seconds."""
        with self.lock:
            self.rebuilt.wait_for(lambda: self.generation != seen, timeout)
            return self.outcome, self.generation

    def current(self) -> tuple[Outcome | None, int]:
        with self.lock:
            return self.outcome, self.generation
