"""Line manifests up with live dashboards (pure).

A manifest matches a live dashboard by pinned ``id``, else by exact ``name``,
else by one of its ``formerNames`` (a rename). Two live matches make that
manifest ambiguous: an error for it alone, and neither live dashboard counts
as unmanaged (so neither can be pruned). Live dashboards whose names match an
``ignore`` glob are never paired, touched or reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from reconciler.engine.ports import WireSummary
from reconciler.repo.manifest import Manifest

LiveSummary = WireSummary  # {"id", "name", ...} as List returns it


@dataclass(frozen=True)
class Pair:
    """A manifest and its live dashboard; None on one side means create or unmanaged."""

    key: str
    desired: Manifest | None
    live: LiveSummary | None


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


def pair(
    manifests: Sequence[Manifest], live: Sequence[LiveSummary], ignore: Sequence[str] = ()
) -> Pairing:
    """Pair every manifest with at most one live dashboard. Pure."""
    visible = [item for item in live if not is_ignored(str(item["name"]), ignore)]
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
    for rule in ("name", "formerNames"):  # 2. exact names, 3. former names
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
        Pair(manifest.name, manifest, found.get(index))
        for index, manifest in enumerate(manifests)
        if manifest.name not in failed
    ]
    pairs += [
        Pair(str(item["name"]), None, item) for item in visible if str(item["id"]) not in claimed
    ]
    return Pairing(pairs=pairs, errors=errors)
