"""Line manifests up with live dashboards (pure).

A manifest matches a live dashboard by pinned ``id``, else by the id dashctl
recorded when it last applied it (SPEC §7), else by exact ``name``, else by one
of its ``formerNames`` (a rename). Two live matches make that
manifest ambiguous: an error for it alone, and neither live dashboard counts
as unmanaged (so neither can be pruned). Live dashboards whose names match an
``ignore`` glob are never paired, touched or reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from reconciler.engine.pending import pending
from reconciler.engine.ports import WireSummary
from reconciler.engine.records import Record
from reconciler.repo.manifest import Manifest

LiveSummary = WireSummary  # {"id", "name", ...} as List returns it


@dataclass(frozen=True)
class Pair:
    """A manifest and its live dashboard; None on one side means create or unmanaged.

    ``record`` is what dashctl last applied to the manifest's dashboard (SPEC §7);
    with a record and no live dashboard, the recorded one was deleted outside.
    """

    key: str
    desired: Manifest | None
    live: LiveSummary | None
    record: Record | None = None


@dataclass(frozen=True)
class PairError:
    dashboard: str
    message: str
    ambiguous: bool = False  # several live dashboards match the manifest


@dataclass
class Pairing:
    pairs: list[Pair] = field(default_factory=list)
    errors: list[PairError] = field(default_factory=list)

    @property
    def matched(self) -> list[Pair]:
        return [pair for pair in self.pairs if pair.desired and pair.live]

    @property
    def unmatched_desired(self) -> list[Pair]:
        return [pair for pair in self.pairs if pair.desired and not pair.live]

    @property
    def unmanaged(self) -> list[Pair]:
        return [pair for pair in self.pairs if pair.live and not pair.desired]


def is_ignored(name: str, ignore: Iterable[str]) -> bool:
    return any(fnmatchcase(name, pattern) for pattern in ignore)


def _by(
    by_name: Mapping[str, list[LiveSummary]], claimed: set[str], names: Iterable[str]
) -> list[LiveSummary]:
    found = {str(item["id"]): item for name in names for item in by_name.get(name, [])}
    return [item for key, item in found.items() if key not in claimed]


def recorded_by_name(records: Mapping[str, Record]) -> dict[str, Record]:
    """The records by git's name as applied (the first by id when two share one)."""
    by_name: dict[str, Record] = {}
    for record_id in sorted(records):
        by_name.setdefault(records[record_id].name, records[record_id])
    return by_name


def pair(
    manifests: Sequence[Manifest], live: Sequence[LiveSummary], ignore: Sequence[str] = (),
    records: Mapping[str, Record] | None = None,
) -> Pairing:
    """Pair every manifest with at most one live dashboard. Pure.

    ``records`` (by id) pair first, after pinned ids: a manifest whose name (or a
    former name) is a record's is the recorded dashboard, whatever it is called
    live now (a rename in the UI is not a create plus an unmanaged dashboard).
    """
    visible = [item for item in live if not is_ignored(str(item["name"]), ignore)
               and pending(str(item["name"])) is None]  # an apply's, still being made
    by_id = {str(item["id"]): item for item in visible}
    by_name: dict[str, list[LiveSummary]] = {}
    for item in visible:
        by_name.setdefault(str(item["name"]), []).append(item)
    claimed: set[str] = set()
    found: dict[int, LiveSummary | None] = {}
    errors: list[PairError] = []

    def claim(index: int, match: LiveSummary) -> None:
        claimed.add(str(match["id"]))
        found[index] = match

    for index, manifest in enumerate(manifests):  # 1. pinned ids
        pinned = manifest.pinned_id
        if pinned is None:
            continue
        if pinned in by_id:
            claim(index, by_id[pinned])
        else:
            errors.append(PairError(manifest.name, f"pinned id {pinned} does not exist"))
            found[index] = None
    by_record = recorded_by_name(records or {})
    recorded: dict[int, Record] = {}
    for index, manifest in enumerate(manifests):  # 2. recorded ids (SPEC §7)
        if index in found:
            continue
        record = next((by_record[name] for name in (manifest.name, *manifest.former_names)
                       if name in by_record), None)
        if record is None:
            continue
        recorded[index] = record
        if record.id in by_id and record.id not in claimed:
            claim(index, by_id[record.id])
    for rule in ("name", "formerNames"):  # 3. exact names, 4. former names
        for index, manifest in enumerate(manifests):
            if index in found:
                continue
            names = [manifest.name] if rule == "name" else manifest.former_names
            matches = _by(by_name, claimed, names)
            if len(matches) > 1:
                ids = ", ".join(sorted(str(item["id"]) for item in matches))
                errors.append(
                    PairError(manifest.name, f"ambiguous: {len(matches)} live dashboards match "
                                             f"({ids}); pin one with `id:`", ambiguous=True)
                )
                claimed.update(str(item["id"]) for item in matches)
                found[index] = None
            elif matches:
                claim(index, matches[0])
    failed = {error.dashboard for error in errors}
    pairs = [
        Pair(manifest.name, manifest, found.get(index), _paired_record(
            recorded.get(index), found.get(index)))
        for index, manifest in enumerate(manifests)
        if manifest.name not in failed
    ]
    pairs += [
        Pair(str(item["name"]), None, item) for item in visible if str(item["id"]) not in claimed
    ]
    return Pairing(pairs=pairs, errors=errors)


def _paired_record(record: Record | None, live: LiveSummary | None) -> Record | None:
    """The record of a pair: the one of the live dashboard paired, or of one gone live (a
    record of another dashboard than the one paired by name says nothing of it)."""
    if record is None:
        return None
    if live is None or str(live["id"]) == record.id:
        return record
    return None
