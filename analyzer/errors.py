"""The user-facing error types and their exit codes.

Anything the user can fix (a bad file, an unknown region, missing credentials)
is raised as a :class:`UserError`; the CLI prints its one-line message on
stderr and exits with its code. Nothing else is caught: a bug stays a bug.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130  # as a shell reports a process stopped by SIGINT


class UserError(Exception):
    """A problem with the input or the environment, explained in one line."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str) -> None:
        # One line, always: a multi-line message would look like a traceback.
        super().__init__(" ".join(str(message).split()))

    @property
    def message(self) -> str:
        return str(self)


class SnapshotError(UserError):
    """A snapshot or report file that cannot be read or does not match the schema."""


class PriceError(UserError):
    """A price book that is unreadable, or lacks a price the analysis needs."""


class ConfigError(UserError):
    """A bad option value, suppression file or accounts file."""


class AwsAccessError(UserError):
    """No usable credentials, or the first call that proves access failed."""


class OutputError(UserError):
    """An output file or folder that cannot be written (a file where a folder should be, no permission)."""


class InputError(UserError):
    """A flow-log or Cost and Usage Report input that is missing, unreadable or lacks a field the analysis needs."""


class Interrupted(UserError):
    """The user pressed Ctrl-C (SIGINT): stop now, write nothing half-done."""

    exit_code = EXIT_INTERRUPTED
