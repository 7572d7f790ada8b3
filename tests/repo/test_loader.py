"""Reading a repository: environments.yaml, overlays, exclude, vars, lints."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.dashboard import Granularity, TileType
from reconciler.errors import ConfigError, ManifestError
from reconciler.repo.pipeline import Pipeline, load_environment
from reconciler.repo.problem import Problem
from reconciler.repo.repository import load_repo, select_environments, validate_repo
from tests.repo.samples import ENVIRONMENTS, GROWTH
from tests.support.repo import load_manifests, write_repo

EXAMPLE = Path(__file__).resolve().parents[2] / "dashboards"


def manifest(name: str, *tiles: str, extra: str = "") -> str:
    body = "".join(tiles) if tiles else " []"
    return f"name: {name}\n{extra}tiles:{body if tiles else ' []'}\n"


def markdown_tile(tile_id: str, x: int = 0, y: int = 0, w: int = 6, h: int = 2) -> str:
    return (
        f"\n  - id: {tile_id}\n    position: {{x: {x}, y: {y}, w: {w}, h: {h}}}\n"
        f"    markdown: {{content: hi}}"
    )


def names(manifests: list) -> list[str]:
    return [item.name for item in manifests]


def test_the_example_repository_is_valid() -> None:
    repo = load_repo(EXAMPLE)
    members = ["tenants/proj_acme", "tenants/proj_globex", "tenants/proj_initech"]
    assert list(repo.environments) == ["local", "staging", "production", *members]
    assert validate_repo(EXAMPLE, "all") == []
    local, staging, production, *_ = select_environments(repo, "all")
    assert local.is_sqlite and local.project_id == "local"
    assert staging.prune and staging.token_env == "DASHCTL_TOKEN_STAGING"
    assert production.max_deletes == 3 and production.ignore == ["Scratch *"]
    manifests, problems = load_manifests(repo, production)
    assert problems == []
    assert "Experiments" not in names(manifests)
    growth = next(m for m in manifests if m.name == "Growth KPIs")
    dau, goals, notes = growth.wire_tiles[:3]
    assert dau["id"] == "dau" and dau["type"] == TileType.INSIGHT
    assert dau["insight"]["query"]["granularity"] == Granularity.DAY
    assert dau["position"] == {"x": 0, "y": 0, "w": 6, "h": 4}
    assert goals["id"] == "goals" and "markdown" in goals
    assert goals["markdown"]["content"].startswith("# Weekly Goals")
    assert "**production**" in notes["markdown"]["content"]


def test_every_example_manifest_carries_the_modeline() -> None:
    for path in sorted(EXAMPLE.glob("*/*.y*ml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schemas/dashboard.schema.json"


def test_overlay_replaces_base_file_and_extras_are_added(tmp_path: Path) -> None:
    root = write_repo(
        tmp_path,
        {
            "base/growth.yaml": GROWTH,
            "base/experiments.yaml": manifest("Experiments"),
            "staging/growth.yaml": manifest("Growth KPIs", markdown_tile("only_staging")),
            "staging/extra.yml": manifest("Staging Only", extra="id: dash_123\n"),
            "staging/notes.txt": "not a manifest",
            "staging/.hidden.yaml": "junk: [",
        },
        environments=ENVIRONMENTS,
    )
    repo = load_repo(root)
    staging = select_environments(repo, "staging")[0]
    manifests, problems = load_manifests(repo, staging)
    assert problems == []
    assert names(manifests) == ["Experiments", "Staging Only", "Growth KPIs"]
    by_name = {item.name: item for item in manifests}
    assert by_name["Growth KPIs"].path == root / "staging" / "growth.yaml"
    assert not by_name["Growth KPIs"].from_base
    assert by_name["Growth KPIs"].tile_ids == ["only_staging"]
    assert by_name["Staging Only"].pinned_id == "dash_123"
    assert by_name["Experiments"].from_base
    production = select_environments(repo, "production")[0]
    manifests, problems = load_manifests(repo, production)
    assert (names(manifests), problems) == (["Growth KPIs"], [])


def test_vars_are_interpolated_per_environment(tmp_path: Path) -> None:
    text = 'name: "Growth (${site})"\ntiles: []\nformerNames: ["$${site} stays", "a $ b"]\n'
    root = write_repo(tmp_path, {"base/growth.yaml": text, "base/experiments.yaml": "name: E\n"},
                      environments=ENVIRONMENTS)
    repo = load_repo(root)
    pipeline = Pipeline(root)
    seen = {}
    for environment in select_environments(repo, "all"):
        desired = load_environment(environment, pipeline)
        assert desired.problems == []
        seen[environment.name] = desired.manifests[-1]
    assert seen["local"].name == "Growth (local)"
    assert seen["production"].name == "Growth (production)"
    assert seen["staging"].former_names == ("${site} stays", "a $ b")
    # each file parsed once for three environments: the one with ${...} kept as a
    # document (interpolated per environment), the other kept as its check result
    assert len(pipeline.documents) == 1
    assert len({path for path, _ in pipeline.checked} | set(pipeline.documents)) == 2


def test_undefined_and_malformed_variables_are_problems_at_their_string(tmp_path: Path) -> None:
    text = (
        "name: Growth\ntiles:\n  - id: a\n    position: {w: 1, h: 1}\n"
        "    markdown: {content: '${nope} and ${bad name}'}\n"
    )
    root = write_repo(tmp_path, {"base/growth.yaml": text}, environments=ENVIRONMENTS)
    repo = load_repo(root)
    manifests, problems = load_manifests(repo, select_environments(repo, "local")[0])
    assert manifests == []
    assert [(p.line, p.column) for p in problems] == [(5, 25), (5, 25)]
    assert "undefined variable ${nope} in environment 'local' (vars: site)" in problems[0].message
    assert "invalid variable reference ${bad name}" in problems[1].message


def test_lints(tmp_path: Path) -> None:
    text = (
        "name: Board\n"
        "id: dash_1\n"
        "tiles:"
        + markdown_tile("a", x=0, y=0, w=6, h=2)
        + markdown_tile("a", x=6, y=0, w=6, h=2)
        + markdown_tile("c", x=8, y=4, w=6, h=1)
        + markdown_tile("d", x=3, y=1, w=4, h=2)
        + "\n"
    )
    root = write_repo(tmp_path, {"base/board.yaml": text}, environments=ENVIRONMENTS)
    repo = load_repo(root)
    manifests, problems = load_manifests(repo, select_environments(repo, "local")[0])
    assert manifests == []
    found = [(p.line, p.column, p.message) for p in problems]
    file = str(root / "base" / "board.yaml")
    assert all(p.file == file for p in problems)
    assert found == [
        (
            2,
            1,
            "id is not allowed in base/: it pins one environment's dashboard;"
            " put it in an environment's own file",
        ),
        (7, 9, "duplicate tile id 'a' (first at line 4)"),
        (11, 31, "tile 'c' does not fit the 12-column grid: x + w = 8 + 6 = 14"),
        (14, 15, "tile 'd' overlaps tile 'a' (line 4)"),
        (14, 15, "tile 'd' overlaps tile 'a' (line 7)"),
    ]


def test_duplicate_names_after_overlays(tmp_path: Path) -> None:
    root = write_repo(
        tmp_path,
        {
            "base/a.yaml": manifest("Growth KPIs"),
            "base/b.yaml": manifest("Retention"),
            "staging/c.yaml": manifest("Retention", extra="id: dash_9\n"),
            "staging/d.yaml": manifest("Other", extra="id: dash_9\n"),
        },
        environments=ENVIRONMENTS,
    )
    repo = load_repo(root)
    manifests, problems = load_manifests(repo, select_environments(repo, "staging")[0])
    assert names(manifests) == ["Growth KPIs", "Retention"]
    assert [(Path(p.file).name, p.line, p.column) for p in problems] == [
        ("c.yaml", 1, 7),
        ("d.yaml", 2, 5),
    ]
    assert problems[0].message == (
        f"duplicate dashboard name 'Retention' in environment 'staging'"
        f" (also at {root / 'base' / 'b.yaml'}:1:7)"
    )
    assert problems[1].message.startswith("duplicate pinned id 'dash_9' in environment 'staging'")
    # base duplicates are worded without an environment, so `validate` reports them once
    write_repo(
        tmp_path, {"staging/c.yaml": manifest("Third"), "base/e.yaml": manifest("Retention")},
        environments=ENVIRONMENTS,
    )
    write_repo(tmp_path, {"base/experiments.yaml": manifest("Experiments")},
               environments=ENVIRONMENTS)
    problems = validate_repo(root, "all")
    assert [Path(p.file).name for p in problems] == ["e.yaml"]


def test_exclude_naming_no_base_file_is_a_problem(tmp_path: Path) -> None:
    root = write_repo(tmp_path, {"base/a.yaml": manifest("A")}, environments=ENVIRONMENTS)
    repo = load_repo(root)
    _, problems = load_manifests(repo, select_environments(repo, "production")[0])
    assert problems == [
        Problem(
            str(root / "environments.yaml"),
            16,
            15,
            "exclude names 'experiments.yaml' but base/ has no such file",
        )
    ]


def test_missing_repository_and_environments_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no dashboards repository"):
        load_repo(tmp_path / "nope")
    with pytest.raises(ConfigError, match=r"environments\.yaml not found"):
        load_repo(tmp_path)


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        (
            "environments:\n  prod:\n    url: https://x.test\n    project: p\n",
            3,
            5,
            "missing required key 'token_env' (an http(s) url needs project and token_env)",
        ),
        (
            "environments:\n  prod:\n    url: https://x.test\n    project: p\n    token_env: T\n"
            "    prnue: true\n",
            6,
            5,
            "unknown key 'prnue' (did you mean 'prune'?)",
        ),
        (
            "environments:\n  local:\n    url: sqlite:x.db\n    prune: yes\n",
            4,
            12,
            "prune: expected true or false, got a string ('yes')",
        ),
        ("environments:\n  all:\n    url: sqlite:x.db\n", 2, 3, "'all' is reserved"),
        ("environments:\n  local:\n    url: ftp://x\n", 3, 10, "invalid url 'ftp://x'"),
        ("environments: {}\n", 1, 15, "environments needs at least 1 entry"),
        ("envs: {}\n", 1, 1, "unknown key 'envs'"),
        ("", 1, 1, "environments.yaml is empty"),
        (
            "environments:\n  local:\n    url: sqlite:x.db\n    vars: {site: 3}\n",
            4,
            18,
            "site: expected a string, got an integer (3)",
        ),
        (
            "environments:\n  local:\n    url: sqlite:x.db\n    name: local\n",
            4,
            5,
            "unknown key 'name'",
        ),
    ],
)
def test_environments_file_problems(
    tmp_path: Path, text: str, line: int, column: int, fragment: str
) -> None:
    root = write_repo(tmp_path, {}, environments=text)
    with pytest.raises(ManifestError) as caught:
        load_repo(root)
    error = caught.value
    assert (error.line, error.column) == (line, column), error
    assert fragment in error.reason


def test_select_environments() -> None:
    repo = load_repo(EXAMPLE)
    assert [e.name for e in select_environments(repo, "staging")] == ["staging"]
    with pytest.raises(ConfigError) as caught:
        select_environments(repo, "prod")
    assert str(caught.value) == (
        "unknown environment 'prod' (known: local, staging, production, tenants/proj_acme, "
        "tenants/proj_globex, tenants/proj_initech)")


def test_one_bad_environment_leaves_the_others_usable(tmp_path: Path) -> None:
    environments = ENVIRONMENTS.replace("    project: proj_prod\n", "")
    files = {"base/growth.yaml": GROWTH, "base/experiments.yaml": "name: E\n"}
    root = write_repo(tmp_path, files, environments=environments)
    problems = validate_repo(root, "all")
    assert [p.message for p in problems] == [
        "missing required key 'project' (an http(s) url needs project and token_env)"
    ]


def test_folders_that_no_environment_reads_are_reported(tmp_path: Path) -> None:
    files = {"base/a.yaml": manifest("A"), "prod/b.yaml": manifest("B")}
    root = write_repo(tmp_path, {**files, "base/experiments.yaml": manifest("E")},
                      environments=ENVIRONMENTS)
    problems = validate_repo(root, "all")
    assert len(problems) == 1
    assert problems[0].file == str(root / "prod")
    assert "folder 'prod' is not an environment" in problems[0].message


@pytest.mark.skipif(__import__("os").geteuid() == 0, reason="root reads every folder")
def test_an_unreadable_folder_is_a_problem(tmp_path: Path) -> None:
    root = write_repo(
        tmp_path, {"base/a.yaml": manifest("A"), "base/experiments.yaml": "name: E\n"},
        environments=ENVIRONMENTS,
    )
    (root / "base").chmod(0)
    try:
        problems = validate_repo(root, "local")
    finally:
        (root / "base").chmod(0o755)
    assert [p.message for p in problems][:1] == ["cannot read folder: Permission denied"]


def test_unreadable_files_are_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_repo(
        tmp_path, {"base/a.yaml": manifest("A"), "base/experiments.yaml": "name: E\n"},
        environments=ENVIRONMENTS,
    )
    (root / "base" / "loop.yaml").symlink_to(root / "base" / "loop.yaml")
    problems = validate_repo(root, "local")
    assert len(problems) == 1
    assert problems[0].file.endswith("loop.yaml")
    assert problems[0].message.startswith("cannot read file:")
