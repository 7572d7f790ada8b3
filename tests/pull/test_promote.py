"""The pure parts of `pull.promote`: dropping the pinned id with its line and nothing else,
and which folder --from names."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.pull.promote import drop_key, new_problems, render, source_of
from reconciler.repo.problem import Problem
from reconciler.repo.repository import load_repo
from reconciler.repo.yaml_io import roundtrip_yaml
from tests.support.repo import write_repo


def without_id(text: str) -> str:
    document = roundtrip_yaml().load(text)
    assert drop_key(document, "id")
    return render(document)


@pytest.mark.parametrize(("before", "after"), [
    pytest.param("# head\nname: Ops   # eol\nid: dash_1   # pinned\n# the tiles\ntiles: []\n",
                 "# head\nname: Ops   # eol\n# the tiles\ntiles: []\n", id="middle"),
    pytest.param("# head\nid: dash_1\n\n# lead name\nname: Ops\ntiles: []\n",
                 "# head\n\n# lead name\nname: Ops\ntiles: []\n", id="first"),
    pytest.param("name: Ops\n# leads the id\nid: 'dash_1'\ntiles: []  # none\n",
                 "name: Ops\n# leads the id\ntiles: []  # none\n", id="comment-before"),
    pytest.param("name: Ops\ntiles:\n  - id: t   # a tile id stays\n    markdown:\n"
                 "      content: |\n        hi\n  # after the tiles\nid: dash_1  # last\n"
                 "# the end\n",
                 "name: Ops\ntiles:\n  - id: t   # a tile id stays\n    markdown:\n"
                 "      content: |\n        hi\n  # after the tiles\n# the end\n", id="last"),
    pytest.param("name: Ops\nid:\ntiles: []\n", "name: Ops\ntiles: []\n", id="null"),
])
def test_drop_id_takes_its_line_and_keeps_every_other_comment(before: str, after: str) -> None:
    assert without_id(before) == after


def test_drop_id_without_an_id_changes_nothing() -> None:
    text = "# head\nname: Ops  # eol\ntiles: []\n"
    document = roundtrip_yaml().load(text)
    assert not drop_key(document, "id")
    assert render(document) == text


ENVIRONMENTS = """\
environments:
  staging: {url: "sqlite:s.db"}
fleets:
  tenants:
    url: sqlite:t.db
    projects: [{project: a, vars: {customer: A}}, {project: b}]
"""


def test_source_names_a_folder_and_who_reads_it(tmp_path: Path) -> None:
    repo = load_repo(write_repo(tmp_path, environments=ENVIRONMENTS))
    staging = source_of(repo, "staging")
    assert (staging.folder, [e.name for e in staging.readers]) == ("staging", ["staging"])
    fleet = source_of(repo, "tenants")
    assert (fleet.folder, [e.name for e in fleet.naming]) == ("tenants", ["tenants/a", "tenants/b"])
    member = source_of(repo, "tenants/a")
    assert member.folder == "tenants"
    assert [e.name for e in member.readers] == ["tenants/a", "tenants/b"]  # all read the file
    assert [e.name for e in member.naming] == ["tenants/a"]  # NAME as this member reads it
    with pytest.raises(ConfigError, match=r"unknown environment 'base' \(known: staging; "
                                          r"fleets: tenants\)"):
        source_of(repo, "base")


def test_new_problems_are_those_not_there_before() -> None:
    old, new = Problem("a.yaml", 1, 1, "old"), Problem("b.yaml", 2, 1, "new")
    assert new_problems([old], [old, new]) == [new]
