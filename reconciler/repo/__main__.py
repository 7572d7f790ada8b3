"""`python -m reconciler.repo`: the worker process that loads a run's manifests.

Reads a pickle of (working folder, root, environments) on stdin, writes the
pickle of `pipeline.load_selection`'s result on stdout. Only dashctl's own run
starts it (`reconciler.run.desired`), as a child over its own pipes.
"""

from __future__ import annotations

import os
import pickle
import sys

from reconciler.repo.pipeline import load_selection


def main() -> None:
    cwd, root, environments = pickle.load(sys.stdin.buffer)
    os.chdir(cwd)  # problems name files relative to the run's working folder
    sys.stdout.buffer.write(pickle.dumps(load_selection(root, environments)))


if __name__ == "__main__":
    main()
