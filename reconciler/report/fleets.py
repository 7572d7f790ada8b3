"""Fleet members in plan and drift reports: readable at 1,000 members (pure).

Text and markdown show the members with changes or errors, and one summary
line per fleet for the rest; JSON always lists every member.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

E = TypeVar("E")


def split(
    environments: Sequence[E], fleet_of: Callable[[E], str | None], quiet: Callable[[E], bool]
) -> tuple[list[E], list[E]]:
    """(what to show, the quiet fleet members folded into a summary line)."""
    shown = [e for e in environments if fleet_of(e) is None or not quiet(e)]
    folded = [e for e in environments if fleet_of(e) is not None and quiet(e)]
    return shown, folded


def summary_lines(
    environments: Sequence[E],
    fleet_of: Callable[[E], str | None],
    state_of: Callable[[E], str],  # "in sync" | "changed" | "failed" (or drift's words)
) -> list[str]:
    """One line per fleet: how many members are in each state."""
    counts: dict[str, dict[str, int]] = {}
    for env in environments:
        fleet = fleet_of(env)
        if fleet is not None:
            states = counts.setdefault(fleet, {})
            states[state_of(env)] = states.get(state_of(env), 0) + 1
    return [
        f"Fleet {fleet}: {sum(states.values())} member(s): "
        + ", ".join(f"{count} {state}" for state, count in sorted(states.items()))
        + "."
        for fleet, states in counts.items()
    ]
