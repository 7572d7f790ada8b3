"""Fake `gh` for workflow step tests.

Issues and labels live in a JSON file ($FAKE_GH_STATE). Pull requests go, as
the real gh sends them, over HTTP to the fake GitHub of tests/ci/fake_pulls.py
($GITHUB_API_URL, the token in $GH_TOKEN, the repository in $GH_REPO).
Understands exactly the calls the templates make and fails loudly on anything
else, like an unknown label on `issue create` (as the real gh does).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

LIST_JQ = '.[] | "\\(.number)\\t\\(.title)"'
PR_LIST_JQ = "map(select(.isCrossRepository | not)) | .[0].number // empty"

parser = argparse.ArgumentParser(prog="gh")
parser.add_argument("group", choices=["issue", "label", "pr"])
parser.add_argument("verb")
parser.add_argument("target", nargs="?")
for option in ("--label", "--state", "--json", "--jq", "--limit", "--title", "--body-file",
               "--comment", "--color", "--description", "--head", "--base"):
    parser.add_argument(option)
parser.add_argument("--force", action="store_true")
args = parser.parse_args()


def api(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """One REST call as gh makes it; an error answer exits 1 with GitHub's message."""
    request = urllib.request.Request(
        os.environ["GITHUB_API_URL"] + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {os.environ['GH_TOKEN']}",
                 "Accept": "application/vnd.github+json",
                 "X-GitHub-Api-Version": "2022-11-28", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        sys.exit(f"HTTP {error.code}: {json.load(error).get('message')} ({path})")


def pull_request() -> None:
    repo = os.environ["GH_REPO"]
    call = f"pr {args.verb}"
    if call == "pr list":
        assert (args.json, args.jq, args.state) == ("number,isCrossRepository", PR_LIST_JQ,
                                                     "open"), args
        owner = repo.split("/")[0]
        found = api("GET", f"/repos/{repo}/pulls?state=open&head={owner}:{args.head}"
                           "&per_page=100")
        numbers = [p["number"] for p in found if p["head"]["repo"]["full_name"] == repo]
        if numbers:
            print(numbers[0])
    elif call == "pr create":
        assert args.head and args.base and args.title and args.body_file, args
        made = api("POST", f"/repos/{repo}/pulls", {
            "title": args.title, "head": args.head, "base": args.base,
            "body": Path(args.body_file).read_text("utf-8")})
        print(made["html_url"])
    elif call == "pr edit":
        assert args.target and args.body_file, args
        edited = api("PATCH", f"/repos/{repo}/pulls/{args.target}",
                     {"body": Path(args.body_file).read_text("utf-8")})
        print(edited["html_url"])
    else:
        sys.exit(f"fake gh does not know {call!r}")


def issue_or_label() -> None:
    state_file = Path(os.environ["FAKE_GH_STATE"])
    state = json.loads(state_file.read_text("utf-8"))
    issues = state["issues"]
    labels = set(state.get("labels", [])) | {label for i in issues for label in i["labels"]}

    def find(number: str) -> dict[str, Any]:
        (found,) = [i for i in issues if str(i["number"]) == number]
        return found

    call = f"{args.group} {args.verb}"
    if call == "issue list":
        assert (args.json, args.jq, args.state) == ("number,title", LIST_JQ, "open"), args
        for item in issues:
            if args.label in item["labels"] and item["state"] == "open":
                print(f"{item['number']}\t{item['title']}")
    elif call == "label create":
        assert args.force, "label create without --force fails once the label exists"
        labels.add(args.target)
        call += f" {args.target}"
    elif call == "issue create":
        if args.label not in labels:
            sys.exit(f"could not add label: '{args.label}' not found")
        number = max([i["number"] for i in issues] + [0]) + 1
        issues.append({"number": number, "title": args.title, "labels": [args.label],
                       "state": "open", "body": Path(args.body_file).read_text("utf-8")})
        call += f" '{args.title}'"
    elif call == "issue edit":
        find(args.target)["body"] = Path(args.body_file).read_text("utf-8")
        call += f" {args.target}"
    elif call == "issue close":
        assert args.comment
        find(args.target)["state"] = "closed"
        call += f" {args.target}"
    else:
        sys.exit(f"fake gh does not know {call!r}")
    state["calls"].append(call)
    state["labels"] = sorted(labels)
    state_file.write_text(json.dumps(state), "utf-8")


if args.group == "pr":
    pull_request()
else:
    issue_or_label()
