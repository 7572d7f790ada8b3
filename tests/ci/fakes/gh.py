"""Fake `gh` for workflow step tests: issues and labels in a JSON file ($FAKE_GH_STATE).

Understands exactly the calls drift.yml makes and fails loudly on anything
else, like an unknown label on `issue create` (as the real gh does).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

LIST_JQ = '.[] | "\\(.number)\\t\\(.title)"'

state_file = Path(os.environ["FAKE_GH_STATE"])
state = json.loads(state_file.read_text("utf-8"))
issues = state["issues"]
labels = set(state.get("labels", [])) | {label for i in issues for label in i["labels"]}

parser = argparse.ArgumentParser(prog="gh")
parser.add_argument("group", choices=["issue", "label"])
parser.add_argument("verb")
parser.add_argument("target", nargs="?")
for option in ("--label", "--state", "--json", "--jq", "--limit", "--title", "--body-file",
               "--comment", "--color", "--description"):
    parser.add_argument(option)
parser.add_argument("--force", action="store_true")
args = parser.parse_args()


def find(number: str) -> dict:
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
