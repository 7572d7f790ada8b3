"""One run of dashctl over a repository: the facade every command that reads it calls.

    run = Run.open(root, envs, shard, parallelism=16, progress=note)
    run.desired()        what the repository declares for each selected environment
    run.read()           that, and live state, for each selected environment
    run.plan()           the Plan of every selected environment       (engine.plan, pure)
    run.plan_of(states)  the same, of what run.read() read (apply --plan checks that too)
    run.apply(plan, ...) carry out a plan                              (run.writes)

A run owns what lives as long as it: the repository and its selection, the
clients (one connection pool per server and token), the one bound on
concurrent API calls across every environment, and the worker process that
loads the manifests while live state is read (run.desired). Commands call it
and render; engine/ decides, purely; this package does the I/O around it.
Anything that goes wrong with one environment (its config, the connection,
the server's answer) is that environment's error; it never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from reconciler.clients import Clients
from reconciler.engine.apply import ApplyResult, records_after
from reconciler.engine.changes import Change, EnvironmentPlan, Plan
from reconciler.engine.live import LiveState
from reconciler.engine.plan import EnvironmentState, plan_environment
from reconciler.engine.records import Records, RecordStore
from reconciler.engine.threeway import Policy
from reconciler.errors import ConfigError, DashctlError
from reconciler.git_records import GitRecords, NoRecords
from reconciler.gitcli import repository_commit
from reconciler.repo.config import Environment, Repo
from reconciler.repo.pipeline import Desired, load_selection
from reconciler.repo.repository import (
    base_files,
    environment_problems,
    load_repo,
    repository_problems,
    select_environments,
)
from reconciler.repo.select import Shard
from reconciler.run import words
from reconciler.run.desired import load_desired
from reconciler.run.fetch import read_live
from reconciler.run.writes import BackupHook, apply_environment

log = logging.getLogger("dashctl.run")

DEFAULT_PARALLELISM = 16
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class Run:
    """The repository, the selected environments, and how to talk to their servers.

    ``progress`` gets a live line of where the run is; ``note`` a lasting line for
    the user (on stderr); ``policy``, when set, is the run's for outside edits
    (`apply --overwrite-outside-edits`) instead of each environment's.
    """

    repo: Repo
    environments: list[Environment]
    parallelism: int = DEFAULT_PARALLELISM
    progress: Progress = field(default=_quiet, repr=False)
    note: Progress = field(default=_quiet, repr=False)
    policy: Policy | None = None
    _records: RecordStore | NoRecords | None = field(default=None, init=False, repr=False)
    _read_done: int = field(default=0, init=False, repr=False)

    @classmethod
    def open(cls, root: Path, envs: Sequence[str] = (), shard: Shard | None = None, *,
             parallelism: int = DEFAULT_PARALLELISM, progress: Progress = _quiet,
             note: Progress = _quiet) -> Run:
        """The repository at ``root`` and the environments ``envs`` and ``shard`` select."""
        repo = load_repo(root)
        return cls(repo, select_environments(repo, envs, shard), parallelism, progress, note)

    def records(self) -> RecordStore | None:
        """The applied records of the repository (SPEC §7), or None outside a git work tree
        (said once)."""
        if self._records is None:
            self._records = GitRecords.open(self.repo.root)
            if isinstance(self._records, NoRecords):
                self.note(f"no applied records: {self._records.reason}; outside edits are not "
                          "told apart from git's changes")
        return None if isinstance(self._records, NoRecords) else self._records

    # -- reading ---------------------------------------------------------------------

    def desired(self) -> list[EnvironmentState]:
        """Each selected environment's manifests and problems, without live state (loaded
        here: with no live state to read meanwhile, a worker process would only cost)."""
        return self._states(load_selection(self.repo.root, self.environments))

    def read(self) -> list[EnvironmentState]:
        """Each selected environment's manifests, problems and live state."""
        return asyncio.run(self._read())

    def plan(self) -> Plan:
        """The plan of every selected environment."""
        return self.plan_of(self.read())

    def plan_of(self, states: Sequence[EnvironmentState]) -> Plan:
        """The plan of environments already read (`read`)."""
        now = datetime.now(UTC)
        return Plan([plan_environment(state, self.policy, now) for state in states])

    async def _read(self) -> list[EnvironmentState]:
        self._read_done = 0
        self.progress(f"reading the repository and live state of "
                      f"{len(self.environments)} environment(s)")
        store = self.records()
        async with Clients(self.repo, concurrency=self.parallelism) as clients:
            fetches = [asyncio.ensure_future(self._live(clients, environment))
                       for environment in self.environments]
            # the records are read by git processes meanwhile (waiting on them frees the loop)
            recorded = asyncio.ensure_future(asyncio.to_thread(self._read_records, store))
            try:
                desired = await load_desired(self.repo.root, self.environments)
            except BaseException:
                for task in [*fetches, recorded]:
                    task.cancel()
                raise
            lives = await asyncio.gather(*fetches)
            records = await recorded
        states = self._states(desired)
        return [EnvironmentState(state.environment, state.manifests, state.problems,
                                 live=live, error=error,
                                 records=records.get(state.environment.name))
                for state, (live, error) in zip(states, lives, strict=True)]

    def _read_records(self, store: RecordStore | None) -> dict[str, Records]:
        if store is None:
            return {}
        return dict(store.read({e.name: e.project_id for e in self.environments}))

    def _states(self, desired: list[Desired]) -> list[EnvironmentState]:
        """The desired side of each environment, with the repository's problems (a stray
        folder holds every environment's deletes) and its own configuration's."""
        shared, base = repository_problems(self.repo), base_files(self.repo)
        return [EnvironmentState(environment, loaded.manifests, [
                    *shared, *environment_problems(self.repo, environment, base),
                    *loaded.problems])
                for environment, loaded in zip(self.environments, desired, strict=True)]

    async def _live(self, clients: Clients,
                    environment: Environment) -> tuple[LiveState | None, str | None]:
        """The live state of one environment, or why it could not be read."""
        try:
            async with clients.connect(environment) as client:
                # a seeded member's dashboards are never compared: List is all it needs
                live = await read_live(client, environment.ignore, get=not environment.seeded,
                                       progress=self._reading(environment))
        except ConfigError as error:  # no token, a bad url: it says what to set
            return None, str(error)
        except Exception as error:  # one environment's failure is its own error line
            log.debug("reading %s failed", environment.name, exc_info=True)
            return None, words.failed(environment, "listing dashboards", error,
                                      words.detail_of(error, "List"))
        finally:
            self._read_done += 1
            if len(self.environments) > 1:
                self.progress(f"read live state of {self._read_done} of "
                              f"{len(self.environments)} environments")
        return live, None

    def _reading(self, environment: Environment) -> Progress:
        if len(self.environments) == 1:
            return lambda text: self.progress(f"{environment.name}: {text}")
        return _quiet

    # -- writing ---------------------------------------------------------------------

    def apply(self, plan: Plan, *, allow_delete: bool,
              backup: Callable[[EnvironmentPlan], BackupHook | None] = lambda _: None,
              ) -> list[ApplyResult]:
        """Carry out ``plan``: every environment at once, each change's failure its own."""

        async def each() -> list[ApplyResult]:
            async with Clients(self.repo, concurrency=self.parallelism) as clients:
                return list(await asyncio.gather(*(
                    self._apply(clients, item, allow_delete, backup(item))
                    for item in plan.environments)))

        results = asyncio.run(each())
        self._record(plan, results)
        return results

    def _record(self, plan: Plan, results: list[ApplyResult]) -> None:
        """Record what the apply made match git (SPEC §7), in one write for every
        environment; what cannot be recorded is said, and never undoes the apply."""
        store = self.records()
        if store is None:
            return
        commit = repository_commit(self.repo.root)
        updates = {}
        for item, result in zip(plan.environments, results, strict=True):
            if result.failure is None and item.recorded:
                update = records_after(item, result, item.project, commit)
                if update.records or update.drop:
                    updates[item.name] = update
        if not updates:
            return
        written = store.write(updates)
        for name, why in written.failed.items():
            self.note(f"{name}: the applied records were not written: {why}")

    async def _apply(self, clients: Clients, item: EnvironmentPlan, allow_delete: bool,
                     backup: BackupHook | None) -> ApplyResult:
        if not item.changes and not item.leftovers:
            return ApplyResult(item.name)
        environment = self.repo.environments[item.name]

        def explain(change: Change, error: DashctlError) -> str:
            doing = {"create": "creating", "update": "writing", "delete": "deleting"}
            return words.failed(environment, f"{doing[change.action.value]} "
                                f"{change.dashboard!r}", error, str(error))

        try:
            async with clients.connect(environment) as client:
                return await apply_environment(
                    client, item, allow_delete=allow_delete, parallelism=self.parallelism,
                    backup=backup, progress=self.progress, explain=explain)
        except Exception as error:  # this environment's failure; the others go on
            return ApplyResult(item.name, failure=words.describe(error))
