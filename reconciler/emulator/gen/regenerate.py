"""Regenerate the Python code for schemas/dashboards/v1/dashboards.proto.

Run from anywhere with the project's virtualenv:

    .venv/bin/python reconciler/emulator/gen/regenerate.py [--out DIR]

Needs grpcio-tools (it embeds protoc) and protoc-gen-connectrpc==0.13.0 (the
Connect plugin, installed as a console script next to the interpreter). Runs
offline. Writes dashboards/v1/dashboards_pb2.py, dashboards_pb2.pyi and
dashboards_connect.py (google.protobuf flavour) under DIR, by default the
folder holding this script.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
PROTO_ROOT = ROOT / "schemas"
PROTO = "dashboards/v1/dashboards.proto"


def find_plugin() -> str:
    beside = Path(sys.executable).parent / "protoc-gen-connectrpc"
    if beside.exists():
        return str(beside)
    found = shutil.which("protoc-gen-connectrpc")
    if found is None:
        sys.exit("protoc-gen-connectrpc not found: pip install protoc-gen-connectrpc==0.13.0")
    return found


def generate(out: Path) -> None:
    from grpc_tools import protoc  # imported late: a dev dependency only

    include = Path(protoc.__file__).resolve().parent / "_proto"  # google/protobuf/*.proto
    out.mkdir(parents=True, exist_ok=True)
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{include}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--plugin=protoc-gen-connectrpc={find_plugin()}",
        f"--connectrpc_out={out}",
        "--connectrpc_opt=protobuf=google",
        PROTO,
    ]
    if protoc.main(args) != 0:
        sys.exit("protoc failed")
    for package in (out / "dashboards", out / "dashboards" / "v1"):
        (package / "__init__.py").touch()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE)
    generate(parser.parse_args().out)


if __name__ == "__main__":
    main()
