"""What `dashctl init` writes: a new repository as text, one file per path. Pure.

    repository_files(schemas) -> {"environments.yaml": "...", "base/growth-kpis.yaml": ...}

The repository works at once: a `local` environment on the embedded emulator
(no server, no token), one example dashboard, and the JSON Schemas its files
name in their editor modelines (``# yaml-language-server: $schema=...``, the
first line of each YAML file). The schemas are copies of the package's own
(``schemas`` maps a schema's name to its text), so an editor finds them with
no network and a wheel install needs no checkout. A real environment is there
too, commented out, each of its keys explained: uncommented, it validates.

Paths are POSIX and relative to the new repository; the modelines are computed
from them, so moving a file here cannot leave a modeline pointing nowhere.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

ENVIRONMENTS_FILE = "environments.yaml"
EXAMPLE_MANIFEST = "base/growth-kpis.yaml"
GITIGNORE = ".gitignore"
SCHEMAS_FOLDER = "schemas"
# the schemas of the files init writes (both also printed by `dashctl schema NAME`)
REPOSITORY_SCHEMAS = ("environments", "dashboard")
# the embedded emulator's database folder, relative to environments.yaml
EMULATOR_FOLDER = ".dashctl/"


def schema_file(name: str) -> str:
    """Where schema ``name`` lives in the new repository."""
    return f"{SCHEMAS_FOLDER}/{name}.schema.json"


def modeline(file: str, schema: str) -> str:
    """The editor modeline of ``file`` pointing at schema ``schema``, relative to the file."""
    target = posixpath.relpath(schema_file(schema), posixpath.dirname(file) or ".")
    return f"# yaml-language-server: $schema={target}\n"


_ENVIRONMENTS = """\
#
# The environments dashctl reconciles. Each one gets every dashboard in base/;
# a folder named after an environment (staging/ for `staging`) adds dashboards
# of its own, and a file there with the name of one in base/ replaces it.
#
#   dashctl validate                  check every file, no API call
#   dashctl plan --env local          what apply would change (exit 2: changes)
#   dashctl apply --env local         make the environment match git

environments:
  local:
    # The embedded emulator: no server and no token. Its database file is taken
    # from this folder (.dashctl/ is in .gitignore); its project is "local".
    url: sqlite:.dashctl/local.db

  # A real environment: uncomment, fill in, then `dashctl plan --env staging`.
  # staging:
  #   # The Dashboards API: https://, with no user or password in it.
  #   url: https://analytics.staging.example.com
  #   # The project id, sent as x-project-id.
  #   project: proj_staging
  #   # The name of the variable that holds the JWT. Tokens never go in a file:
  #   #   export DASHCTL_TOKEN_STAGING=...   (in CI: a secret of that name)
  #   token_env: DASHCTL_TOKEN_STAGING
  #   # true: apply --allow-delete deletes live dashboards no manifest declares.
  #   # Default false: never delete.
  #   prune: false
  #   # Refuse, whole, an apply that would delete more dashboards than this.
  #   max_deletes: 3
  #   # Edits made in the product's UI since the last apply: merge (default)
  #   # keeps them and writes git's changes around them; overwrite reverts them.
  #   outside_edits: merge
  #   # ${site} in any manifest string becomes "staging".
  #   vars: {site: staging}
"""

_EXAMPLE_MANIFEST = """\
#
# One dashboard per file; every environment gets the dashboards in base/.
# The modeline above gives editors (VS Code with the YAML extension, any
# yaml-language-server client) completion and help from schemas/.
name: Growth KPIs            # unique in an environment; renaming? list the old name in formerNames
tiles:
  - id: dau                  # unique in the dashboard: how a tile is matched with live
    position: {x: 0, y: 0, w: 6, h: 4}   # a 12-column grid: x + w <= 12
    insight:
      query:
        events: [{name: page_view}]
        granularity: day     # hour, day, week or month (or GRANULARITY_DAY)
        aggregation: unique_users   # or count
      visualization: line    # line, bar, area, table or kpi
  - id: goals
    position: {x: 6, y: 0, w: 6, h: 2}
    markdown:
      content: |
        # Weekly Goals
        Edit base/growth-kpis.yaml, then run `dashctl plan --env local`.
"""

_GITIGNORE = f"""\
# The embedded emulator's databases (the sqlite: environments)
{EMULATOR_FOLDER}
"""


def repository_files(schemas: Mapping[str, str]) -> dict[str, str]:
    """Every file of a new repository, by relative path, in the order to report them.

    ``schemas`` holds the text of each of ``REPOSITORY_SCHEMAS`` by name."""
    missing = [name for name in REPOSITORY_SCHEMAS if name not in schemas]
    if missing:
        raise ValueError(f"schemas missing: {', '.join(missing)}")
    files = {
        ENVIRONMENTS_FILE: modeline(ENVIRONMENTS_FILE, "environments") + _ENVIRONMENTS,
        EXAMPLE_MANIFEST: modeline(EXAMPLE_MANIFEST, "dashboard") + _EXAMPLE_MANIFEST,
    }
    files |= {schema_file(name): schemas[name] for name in REPOSITORY_SCHEMAS}
    files[GITIGNORE] = _GITIGNORE
    return files


def gitignore_addition(existing: str) -> str | None:
    """What to append to a `.gitignore` that exists so that it ignores the emulator's
    databases, or None when a line of it already does."""
    rules = {line.strip().rstrip("/").lstrip("/") for line in existing.splitlines()}
    if EMULATOR_FOLDER.rstrip("/") in rules:
        return None
    separator = "" if not existing or existing.endswith("\n") else "\n"
    return separator + _GITIGNORE
