"""A small progress display for ``kg build``: documents, characters per second, time left.

On a terminal it redraws one line on stderr; in logs and CI (``CI`` set, or
stderr not a terminal) it prints a plain line every ``every`` documents and
never redraws. ``Progress(enabled=False)`` prints nothing.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class Progress:
    def __init__(
        self,
        total_docs: int,
        total_bytes: int = 0,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        every: int = 1000,
    ) -> None:
        self.stream = stream or sys.stderr
        tty = hasattr(self.stream, "isatty") and self.stream.isatty() and not os.environ.get("CI")
        self.enabled = True if enabled is None else enabled
        self.tty = bool(tty)
        self.total_docs, self.total_bytes, self.every = total_docs, total_bytes, every
        self.docs = self.chars = self.bytes = 0
        self.start = self._last = time.monotonic()

    def update(self, chars: int, nbytes: int = 0) -> None:
        self.docs += 1
        self.chars += chars
        self.bytes += nbytes
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if now - self._last >= 0.2 or self.docs == self.total_docs:
                self._last = now
                self.stream.write("\r" + self.line(now) + "\x1b[K")
                self.stream.flush()
        elif self.docs % self.every == 0:
            self.stream.write(self.line(now) + "\n")
            self.stream.flush()

    def line(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.start, 1e-9)
        rate = self.chars / elapsed
        done = self.bytes / self.total_bytes if self.total_bytes else (self.docs / max(self.total_docs, 1))
        eta = elapsed * (1 - done) / done if done > 0 else 0.0
        width = 24
        bar = "#" * int(width * min(done, 1.0))
        return (
            f"[{bar:<{width}}] {self.docs}/{self.total_docs} docs  {rate:,.0f} chars/s  "
            f"{_duration(elapsed)} elapsed, {_duration(eta)} left"
        )

    def close(self) -> None:
        if self.enabled and self.tty and self.docs:
            self.stream.write("\n")
            self.stream.flush()
