"""The errors dashctl raises on purpose.

    DashctlError                  anything the CLI turns into a clean one-line message, exit 1
    ├── ConfigError               environments.yaml or a flag is wrong (unknown environment, ...)
    ├── ManifestError             a manifest cannot be read; carries file, line and column
    ├── PlanRefused               a safety rule refuses an apply or a saved plan (nothing written)
    └── ApiError                  the Dashboards API answered with a Connect error, or not at all
        ├── InvalidArgument       invalid_argument (400)
        ├── Unauthenticated       unauthenticated (401)
        ├── PermissionDenied      permission_denied (403)
        ├── NotFound              not_found (404)
        ├── AlreadyExists         already_exists (409)
        ├── RetryableError        a call worth trying again
        │   ├── ResourceExhausted resource_exhausted (429)
        │   ├── Unavailable       unavailable (503), and connection failures
        │   └── DeadlineExceeded  deadline_exceeded (504), and timeouts
        └── InternalError         internal (500) and anything unrecognised

Messages never hold a token: the client redacts before raising.
"""

from __future__ import annotations


class DashctlError(Exception):
    """Base of every error dashctl reports as a clean message (exit 1)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(DashctlError):
    """The repository configuration or a command-line flag is wrong."""


class ManifestError(DashctlError):
    """A file cannot be read; the location is part of the message."""

    def __init__(self, message: str, *, file: str, line: int = 1, column: int = 1) -> None:
        super().__init__(f"{file}:{line}:{column}: {message}")
        self.file = file
        self.line = line
        self.column = column
        self.reason = message


class PlanRefused(DashctlError):
    """A safety rule refused the whole apply; nothing was written."""


class ApiError(DashctlError):
    """The Dashboards API answered with an error (or could not be reached)."""

    code = "unknown"
    status = 500

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class InvalidArgument(ApiError):
    code, status = "invalid_argument", 400


class Unauthenticated(ApiError):
    code, status = "unauthenticated", 401


class PermissionDenied(ApiError):
    code, status = "permission_denied", 403


class NotFound(ApiError):
    code, status = "not_found", 404


class AlreadyExists(ApiError):
    code, status = "already_exists", 409


class RetryableError(ApiError):
    """A failure that another attempt may cure."""


class ResourceExhausted(RetryableError):
    code, status = "resource_exhausted", 429


class Unavailable(RetryableError):
    code, status = "unavailable", 503


class DeadlineExceeded(RetryableError):
    code, status = "deadline_exceeded", 504


class InternalError(ApiError):
    code, status = "internal", 500


ERRORS_BY_CODE: dict[str, type[ApiError]] = {
    cls.code: cls
    for cls in (
        InvalidArgument,
        Unauthenticated,
        PermissionDenied,
        NotFound,
        AlreadyExists,
        ResourceExhausted,
        Unavailable,
        DeadlineExceeded,
        InternalError,
    )
}
