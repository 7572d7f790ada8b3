"""Which environments a command works on: `--env` names and globs, `all`, `--shard K/N`.

Pure. Environments keep the order of environments.yaml. A shard keeps the
environments whose name hashes to it, so adding or removing one environment
moves no other between shards, and N shards cover each exactly once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from reconciler.errors import ConfigError
from reconciler.repo.config import Environment

ALL = "all"
SHARD_PATTERN = re.compile(r"([0-9]+)/([0-9]+)", re.ASCII)  # ASCII digits only, nothing else


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = SHARD_PATTERN.fullmatch(text)
        if not match:
            raise ConfigError(f"--shard {text!r}: expected K/N, like 1/4")
        index, count = int(match[1]), int(match[2])
        if not 1 <= index <= count:
            raise ConfigError(f"--shard {text!r}: K must be between 1 and N")
        return cls(index, count)

    def holds(self, name: str) -> bool:
        digest = hashlib.sha256(name.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def is_pattern(text: str) -> bool:
    return any(char in text for char in "*?[")


def matching(names: Iterable[str], wanted: Sequence[str], *, strict: bool = True) -> list[str]:
    """The names ``wanted`` selects, in the order of ``names``; with ``strict``, a
    ConfigError for one that selects nothing (a typo must never quietly select less)."""
    names = list(names)
    if not wanted or ALL in wanted:
        return names
    chosen: set[str] = set()
    for item in wanted:
        found = [name for name in names if fnmatchcase(name, item)] if is_pattern(item) else (
            [item] if item in names else [])
        if not found and strict:
            known = ", ".join(names) or "none"
            what = "no environment matches" if is_pattern(item) else "unknown environment"
            raise ConfigError(f"{what} {item!r} (known: {known})")
        chosen.update(found)
    return [name for name in names if name in chosen]


def select_environments(
    environments: dict[str, Environment], wanted: Sequence[str] = (), shard: Shard | None = None
) -> list[Environment]:
    """The environments ``wanted`` (names, globs or `all`; empty means all), then the shard."""
    names = matching(environments, wanted)
    if shard is not None:
        names = [name for name in names if shard.holds(name)]
    return [environments[name] for name in names]
