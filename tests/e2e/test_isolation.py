"""One environment that validate accepts but that cannot be read fails alone (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run
from tests.support.repo import dump_yaml


def test_each_broken_environment_is_its_own_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dbdir").mkdir()
    dump_yaml(tmp_path / "environments.yaml", {"environments": {
        "good": {"url": "sqlite:good.db"},
        "badport": {"url": "http://127.0.0.1:99999", "project": "p", "token_env": "TOK_A"},
        "nonascii": {"url": "http://127.0.0.1:9", "project": "pr\u00f8j", "token_env": "TOK_B"},
        "devnull": {"url": "sqlite:/dev/null"},
        "directory": {"url": "sqlite:dbdir"},
    }})
    dump_yaml(tmp_path / "base" / "a.yaml", {"name": "A", "tiles": []})
    monkeypatch.setenv("TOK_A", "abc")
    monkeypatch.setenv("TOK_B", "t\u00f8ken")
    code, out, err = run(capsys, "--root", str(tmp_path), "plan", "--format", "json")
    assert code == 1
    assert "unexpected error" not in err and "Traceback" not in err
    plan = {env["name"]: env for env in json.loads(out)["environments"]}
    assert plan["good"]["summary"]["create"] == 1 and plan["good"]["errors"] == []
    for name in ("badport", "nonascii", "devnull", "directory"):
        assert len(plan[name]["errors"]) == 1, name
    assert "ASCII" in plan["nonascii"]["errors"][0]["message"]
    assert "ExceptionGroup" not in out
    code, out, err = run(capsys, "--root", str(tmp_path), "apply", "--env", "all",
                         "--auto-approve")
    assert code == 1 and "unexpected error" not in err
    assert run(capsys, "--root", str(tmp_path), "plan", "--env", "good")[0] == 0
