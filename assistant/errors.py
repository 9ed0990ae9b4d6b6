"""Domain errors, each carrying the one line a user should read and the HTTP status it maps to."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: `message` is shown to the user as is; `code` and `status` are used over HTTP, `exit_status`
    by the CLI."""

    code = "error"
    status = 500
    exit_status = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadQuestion(AssistantError):
    code = "bad_question"
    status = 400


class EmptyQuestion(BadQuestion):
    code = "empty_question"


class CorpusNotFound(AssistantError):
    code = "corpus_not_found"
    status = 404


class IndexNotFound(AssistantError):
    code = "index_not_found"
    status = 503


class IndexMismatch(AssistantError):
    """The index on disk was built with another model, dimension or format version."""

    code = "index_mismatch"
    status = 503


class IndexCorrupt(AssistantError):
    code = "index_corrupt"
    status = 503


class IndexBusy(AssistantError):
    """Another process is building the same index."""

    code = "index_busy"
    status = 409


class ModelNotFound(AssistantError):
    code = "model_not_found"
    status = 503


class ExportFailed(AssistantError):
    """The query model's export could not be written (the index itself was)."""

    code = "export_failed"
    status = 500


class IndexWriteFailed(AssistantError):
    """The index folder cannot be written: read-only, full, or not ours. The previous generation stays."""

    code = "index_write_failed"
    status = 500


class BadFilter(AssistantError):
    code = "bad_filter"
    status = 400


class NoMatchingDocuments(BadFilter):
    """Filters that match no indexed document: an answer from nothing would look like an answer."""

    code = "no_match"
    status = 422
    exit_status = 2


class DocumentNotFound(AssistantError):
    code = "not_found"
    status = 404


class PortUnavailable(AssistantError):
    """The server cannot listen where it was asked to (an invalid, busy or privileged port, an unknown host)."""

    code = "port_unavailable"
    status = 500


class UnreadableDocument(AssistantError):
    """A file that cannot be loaded; the build skips it and names it."""

    code = "unreadable_document"
    status = 422
