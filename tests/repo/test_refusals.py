"""What validate refuses beyond the schemas (SPEC §2): the API's limits, two environments
on one project, a name the environment ignores, credentials in a url, and at most 100
problems per file. Each is one problem located at its node, through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.api.redact import redact
from reconciler.dashboard import Dashboard
from reconciler.repo.lint import Box, overlaps
from reconciler.repo.schema import validator
from reconciler.repo.urls import has_userinfo, redact_userinfo, strip_userinfo
from tests.repo.samples import GROWTH
from tests.support.cli import run, validate_json
from tests.support.repo import write_repo

LOCAL = "environments:\n  local:\n    url: sqlite:x.db\n"


def tiles_yaml(count: int, *, overlap: bool = False) -> str:
    lines = ["tiles:"]
    for index in range(count):
        y = 0 if overlap else index
        lines += [f"  - id: t{index}", f"    position: {{x: 0, y: {y}, w: 12, h: 1}}",
                  "    markdown: {content: x}"]
    return "\n".join(lines) + "\n"


def problems_of(tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str],
                environments: str = LOCAL) -> list[tuple[str, int, int, str]]:
    root = write_repo(tmp_path / "repo", files, environments=environments)
    code, document = validate_json(capsys, root)
    found = [(Path(p["file"]).name, p["line"], p["column"], p["message"])
             for p in document["problems"]]
    assert code == (1 if found else 0)
    return found


@pytest.mark.parametrize(
    ("name_yaml", "message"),
    [
        ('"   "', "name is blank (the API refuses a name of only spaces)"),
        ('"\\u3000\\u00a0"', "name is blank (the API refuses a name of only spaces)"),
        ('"Growth\\tKPIs"', "name holds the control character U+0009"),
        ('"Growth\\nKPIs"', "name holds the control character U+000A"),
        ('"Growth\\e[2J"', "name holds the control character U+001B"),
        ('"x\\x85"', "name holds the control character U+0085"),
        ("x" * 1001, "name is 1,001 characters long, over the API's limit of 1,000: 'xxx"),
    ],
)
def test_names_the_api_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name_yaml: str, message: str
) -> None:
    found = problems_of(tmp_path, capsys, {"base/a.yaml": f"tiles: []\nname: {name_yaml}\n"})
    assert len(found) == 1, found
    assert found[0][:3] == ("a.yaml", 2, 7)
    assert message in found[0][3]
    assert len(found[0][3]) < 200


def test_the_limits_themselves_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = f"name: {'x' * 1000}\n" + tiles_yaml(500)
    files = {"base/a.yaml": text, "base/b.yaml": "name: ' a '\n"}
    assert problems_of(tmp_path, capsys, files) == []


def test_more_than_500_tiles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = problems_of(tmp_path, capsys, {"base/a.yaml": "name: Big\n" + tiles_yaml(501)})
    assert found == [("a.yaml", 3, 3, "501 tiles, over the API's limit of 500 tiles per"
                      " dashboard: split it into several dashboards")]


LIMIT_CASES: list[tuple[dict[str, Any], bool]] = [
    ({"name": "x" * 1000}, True),
    ({"name": "x" * 1001}, False),
    ({"name": " "}, False),
    ({"name": "\ufeff\u2003"}, False),
    ({"name": " a "}, True),
    ({"name": "a\u0000"}, False),
    ({"name": "a\u009b"}, False),
    ({"name": "日本"}, True),
    ({"name": "x", "tiles": [{"id": f"t{i}", "position": {"y": i, "w": 1, "h": 1},
                             "markdown": {"content": ""}} for i in range(500)]}, True),
    ({"name": "x", "tiles": [{"id": f"t{i}", "position": {"y": i, "w": 1, "h": 1},
                             "markdown": {"content": ""}} for i in range(501)]}, False),
]


@pytest.mark.parametrize(("document", "valid"), LIMIT_CASES)
def test_schema_and_model_agree_on_the_limits(document: dict[str, Any], valid: bool) -> None:
    assert validator("dashboard").is_valid(document) is valid
    try:
        Dashboard.model_validate(document, strict=True)
        model = True
    except ValueError:
        model = False
    assert model is valid


TWO_ON_ONE = """\
environments:
  staging:
    url: https://Analytics.example.com/
    project: proj_1
    token_env: T1
  production:
    url: https://analytics.example.com:443
    project: proj_1
    token_env: T2
  other:
    url: https://analytics.example.com
    project: proj_2
    token_env: T3
  local:
    url: sqlite:data/x.db
  local2:
    url: sqlite:./data/../data/x.db
"""


def test_two_environments_on_one_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = problems_of(tmp_path, capsys, {}, environments=TWO_ON_ONE)
    assert found == [
        ("environments.yaml", 8, 14, "environment 'production' works in project 'proj_1' of the"
         " same server as environment 'staging' (line 3): each would undo the other's work;"
         " point it at its own project"),
        ("environments.yaml", 17, 10, "environment 'local2' works in project 'local' of the"
         " same server as environment 'local' (line 15): each would undo the other's work;"
         " point it at its own project"),
    ]


def test_a_manifest_its_environment_ignores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    environments = LOCAL + "    ignore: ['Scratch *']\n  all_ignored:\n    url: sqlite:y.db\n" \
        "    ignore: ['*']\n"
    found = problems_of(tmp_path, capsys, {"base/a.yaml": "name: Scratch pad\n"},
                        environments=environments)
    assert [(file, line, column) for file, line, column, _ in found] == [("a.yaml", 1, 7)] * 2
    assert found[0][3] == (
        "dashboard name 'Scratch pad' matches 'Scratch *' in the ignore list of environment"
        " 'local': it would never be paired with its live dashboard and every apply would"
        " create it again"
    )
    assert "matches '*' in the ignore list of environment 'all_ignored'" in found[1][3]


CREDENTIALS = """\
environments:
  staging:
    url: https://deploy:hunter2@analytics.example.com
    project: proj_1
    token_env: T1
  broken:
    url: "https://deploy:hunter2@bad host with spaces"
    project: proj_2
    token_env: T2
"""


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_credentials_in_a_url_are_refused_and_never_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    root = write_repo(tmp_path / "repo", {}, environments=CREDENTIALS)
    code, out, err = run(capsys, "-v", "--root", str(root), "validate", "--format", fmt)
    assert code == 1
    for secret in ("hunter2", "deploy", "bad host"):
        assert secret not in out + err
    assert out.count("url holds credentials") == 2
    assert "environments.yaml:3:10:" in out or "line=3,col=10" in out or '"line": 3' in out


def test_a_plan_of_a_url_with_credentials_shows_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("T1", "token")
    root = write_repo(tmp_path / "repo", {"base/g.yaml": GROWTH}, environments=CREDENTIALS)
    for args in (["plan"], ["drift"], ["apply", "--auto-approve"], ["envs"]):
        code, out, err = run(capsys, "-v", "--root", str(root), *args)
        assert code == 1, (args, out, err)
        assert "hunter2" not in out + err and "deploy" not in out + err
        assert "Traceback" not in out + err


CHECK_WITH_PEAK = """
import json, sys
from pathlib import Path
from reconciler.repo.repository import check_repo
from reconciler.report.validate_render import render_text
problems = check_repo(Path(sys.argv[1]), "all").problems
status = Path("/proc/self/status").read_text()
peak = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
print(json.dumps({"text": render_text(problems), "peak_mb": int(peak) // 1024}))
"""


def test_2000_overlapping_tiles_are_100_problems_and_a_count(tmp_path: Path) -> None:
    """The file of the issue (2,000 tiles on one spot, 1,999,000 problems and 1 GB before)."""
    text = "name: Pile\n" + tiles_yaml(2000, overlap=True)
    root = write_repo(tmp_path / "repo", {"base/pile.yaml": text}, environments=LOCAL)
    child = subprocess.run([sys.executable, "-c", CHECK_WITH_PEAK, str(root)],
                           capture_output=True, text=True, check=True, timeout=120)
    result = json.loads(child.stdout)
    lines = result["text"].splitlines()
    assert len(lines) == 101
    file = str(root / "base" / "pile.yaml")
    assert lines[0] == f"{file}:3:3: 2,000 tiles, over the API's limit of 500 tiles per" \
        " dashboard: split it into several dashboards"
    assert lines[1] == f"{file}:7:15: tile 't1' overlaps tile 't0' (line 3)"
    # 1,999 overlaps (each tile against the first) and the limit: 2,000, of which 100 shown
    assert lines[-1] == f"{file}:304:15: ... and 1,900 more problems in this file"  # at t100
    if sys.platform == "linux":
        assert result["peak_mb"] < 250, f"validate peaked at {result['peak_mb']} MB"


def test_the_cap_counts_every_kind_of_problem_of_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tile = "  - {{id: a, position: {{x: 0, y: {}, w: 1, h: 1}}, markdown: {{content: x}}}}\n"
    tiles = "".join(tile.format(i) for i in range(150))
    found = problems_of(tmp_path, capsys, {"base/a.yaml": "name: A\ntiles:\n" + tiles,
                                           "base/b.yaml": "name: B\nnope: 1\n"})
    in_a = [item for item in found if item[0] == "a.yaml"]
    assert len(in_a) == 101
    assert in_a[-1][3] == "... and 49 more problems in this file"
    assert [item for item in found if item[0] == "b.yaml"] == [
        ("b.yaml", 2, 1, "unknown key 'nope' (expected one of: name, id, formerNames, tiles)")
    ]


BOXES = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 8), st.integers(1, 12), st.integers(1, 4)),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(BOXES)
def test_overlaps_reports_real_overlaps_and_misses_none_of_a_clean_layout(
    raw: list[tuple[int, int, int, int]],
) -> None:
    boxes = [Box(index, f"t{index}", x, y, min(w, 12 - x), h)
             for index, (x, y, w, h) in enumerate(raw)]

    def overlap(a: Box, b: Box) -> bool:
        return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h

    found = list(overlaps(boxes))
    assert all(overlap(later, earlier) and earlier.index < later.index
               for later, earlier in found)
    assert len(found) == len(set(found))
    # each tile is reported, or overlaps none of the tiles not reported before it
    reported = {later.index for later, _ in found}
    for box in boxes:
        if box.index not in reported:
            assert not any(overlap(box, other) for other in boxes[: box.index]
                           if other.index not in reported)
    assert bool(found) == any(overlap(a, b) for a in boxes for b in boxes if a.index < b.index)


@pytest.mark.parametrize(
    ("url", "has", "stripped"),
    [
        ("https://user:pass@host/x", True, "https://host/x"),
        ("https://token@host", True, "https://host"),
        ("http://a@b@host:8080?q", True, "http://host:8080?q"),
        ("https://host/a@b", False, "https://host/a@b"),
        ("https://host:8443", False, "https://host:8443"),
        ("sqlite:user@x.db", False, "sqlite:user@x.db"),
    ],
)
def test_userinfo_in_urls(url: str, has: bool, stripped: str) -> None:
    assert has_userinfo(url) is has
    assert strip_userinfo(url) == stripped


def test_redaction_of_url_credentials_in_messages() -> None:
    assert redact("GET https://deploy:s3cret@h/x failed") == "GET https://[REDACTED]@h/x failed"
    assert redact_userinfo("unknown key '://deploy:s3cret@hx'") == "unknown key '://[REDACTED]@hx'"
    assert redact_userinfo("invalid url 'https://deploy:s3cr…'") == "invalid url 'https://[REDACTED]…'"
    plain = "https://host:443/x and sqlite:a@b"
    assert redact_userinfo(plain) == plain
