"""Where a command's words go: results to stdout, notes and progress to stderr.

Every line that can hold data from a manifest or a server goes through
`safe_line`, so that data cannot forge lines in a terminal or a CI log.
Progress is a live line on a terminal; elsewhere (a CI log) a line at most
every few seconds, and at least one every `HEARTBEAT` seconds of long work.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

import click

from reconciler.report.sanitize import safe_line

INTERVAL = 5.0  # seconds between progress lines in a log
HEARTBEAT = 10.0


def out(text: str = "", *, nl: bool = True) -> None:
    """A result, on stdout (already rendered and sanitised by a renderer)."""
    click.echo(text, nl=nl)


def line(text: str) -> None:
    """A result line built from data (names, messages), on stdout, sanitised."""
    click.echo(safe_line(text))


def note(text: str) -> None:
    """A message about the run, on stderr."""
    click.echo(safe_line(text), err=True)


def error(text: str) -> None:
    click.echo(f"error: {safe_line(text)}", err=True)


class Progress:
    """Progress of long work on stderr; use as a context manager.

    ``update(message)`` records where the work is. On a terminal the line is
    redrawn in place; otherwise a line is written when ``interval`` has passed
    since the last, and a heartbeat thread repeats the latest every
    ``heartbeat`` seconds so a CI log is never silent for long.
    """

    def __init__(
        self,
        *,
        stream: TextIO | None = None,
        interval: float = INTERVAL,
        heartbeat: float = HEARTBEAT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._tty = self._stream.isatty()
        self._interval = interval
        self._heartbeat = heartbeat
        self._clock = clock
        self._message = ""
        self._last = clock()
        self._drawn = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if not self._tty and self._heartbeat > 0:
            self._thread = threading.Thread(target=self._beat, daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
        with self._lock:
            if self._tty and self._drawn:
                self._stream.write("\r\x1b[K")
                self._stream.flush()

    def update(self, message: str) -> None:
        with self._lock:
            self._message = safe_line(message)
            if self._tty:
                self._stream.write("\r\x1b[K" + self._message[:200])
                self._stream.flush()
                self._drawn = True
            elif self._clock() - self._last >= self._interval:
                self._write()

    def _write(self) -> None:
        self._stream.write(self._message + "\n")
        self._stream.flush()
        self._last = self._clock()

    def _beat(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                if self._message and self._clock() - self._last >= self._heartbeat:
                    self._write()
