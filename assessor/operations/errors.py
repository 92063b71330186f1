"""Errors the verbs raise; the web layer turns each into a clear 4xx."""

from __future__ import annotations


class OperationError(Exception):
    """A request the service refuses, with a message for the person who made it."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(OperationError):
    status = 422


class Forbidden(OperationError):
    """The caller is known, and may not do this (yet): the message says what to do."""

    status = 403


class Conflict(OperationError):
    """Someone else changed the thing since it was read (optimistic locking)."""

    status = 409


class Locked(OperationError):
    """The respondent has submitted; answers are read-only until reopened."""

    status = 423
