"""Exceptions and warnings raised by wsisanalysis.

Every error says what was expected, what was found and what to do, so the command line can
print it without a traceback.
"""

from __future__ import annotations


class WsisAnalysisError(Exception):
    """Raised when wsisanalysis cannot do what was asked; the message says how to fix it."""


class InputFileError(WsisAnalysisError):
    """Raised when an input file is missing, unreadable or in an unsupported format."""


class MissingColumnError(WsisAnalysisError):
    """Raised when a required column cannot be found among an export's headers."""


class MappingFileError(WsisAnalysisError):
    """Raised when a user mapping file cannot be read or names unknown targets."""


class UnknownLabelError(WsisAnalysisError):
    """Raised in strict mode when labels could not be resolved to the vocabulary."""

    def __init__(self, message: str, unresolved: list[dict] | None = None) -> None:
        super().__init__(message)
        self.unresolved = unresolved or []


class ParameterError(WsisAnalysisError):
    """Raised when a notebook parameter is unknown or has the wrong type."""


class WsisAnalysisWarning(UserWarning):
    """Warned for recoverable data issues (e.g. a generated pseudonymization key)."""


class DataQualityError(UnknownLabelError):
    """Raised in strict mode when labels are unresolved or an export is badly off (too many
    rows quarantined, no country column in participation data)."""

    def __init__(
        self, message: str, unresolved: list[dict] | None = None, warnings: list[str] | None = None
    ) -> None:
        super().__init__(message, unresolved)
        self.warnings = warnings or []
