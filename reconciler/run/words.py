"""What a run says when a server refuses or fails: where, doing what, and what to check.

SPEC §8: an error from a server names the environment, the server (scheme, host
and port, never credentials), what dashctl was doing in words ("listing
dashboards", "reading 'Growth KPIs'", "writing 'Growth KPIs'") and, for an
authentication or permission refusal, the variable the token was read from.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from reconciler.errors import DashctlError, PermissionDenied, Unauthenticated
from reconciler.repo.config import Environment
from reconciler.repo.urls import redact_userinfo


def server(environment: Environment) -> str:
    """The server of an environment as scheme://host:port (never credentials or a path)."""
    if environment.is_sqlite:
        return f"the embedded emulator ({environment.url})"
    try:
        parts = urlsplit(environment.public_url)
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{parts.hostname or ''}{port}"
    except ValueError:
        return redact_userinfo(environment.public_url)


def refusal_hint(environment: Environment, error: BaseException) -> str:
    """What to check after an authentication or permission refusal, else nothing."""
    if not isinstance(error, Unauthenticated | PermissionDenied) or environment.is_sqlite:
        return ""
    variable = environment.token_env or "its token_env"
    if isinstance(error, Unauthenticated):
        return (f"; check the token in {variable}: is it set, current, and for this server?")
    return (f"; check the token in {variable}: does it grant project "
            f"{environment.project_id}?")


def failed(environment: Environment, doing: str, error: BaseException, detail: str) -> str:
    """One line for a server's error: where, doing what, what it said, what to check."""
    return (f"environment {environment.name} at {server(environment)}: {doing}: {detail}"
            f"{refusal_hint(environment, error)}")


def describe(error: BaseException) -> str:
    """One line for an error of one environment (a DashctlError is already one)."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]  # a task group's failure: say what failed inside it
    if isinstance(error, DashctlError):
        return str(error)
    if isinstance(error, UnicodeEncodeError):
        return ("the project or the token holds a character that an HTTP header cannot carry "
                "(ASCII only)")
    return redact_userinfo(f"{type(error).__name__}: {error}")


def detail_of(error: BaseException, call: str) -> str:
    """The error's message without the client's name of the call (``List: ...``), which the
    words of `failed` say better."""
    return describe(error).removeprefix(f"{call}: ")
