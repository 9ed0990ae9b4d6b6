"""reStructuredText files: the prose, without section adornments and directive markers, titled by the first
section title."""

from __future__ import annotations

import re

from assistant.ingest.decoding import decode_text, split_front_matter
from assistant.ingest.document import Document, RawFile

# A line of one repeated punctuation character: a section title's under- or overline.
_ADORNMENT = re.compile(r"""^([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])\1{2,}\s*$""")
# `.. name::` directives, `.. _target:` and `.. [1]` markers and `..` comments: markup, not prose.
_EXPLICIT = re.compile(r"^\.\.(\s|$)")
_DIRECTIVE = re.compile(r"^\.\.\s+([\w:-]+)::\s?(.*)$")
# Directives whose argument is prose (`.. note:: text`); the others' is a path or an option (`.. image::`).
_PROSE = {"note", "warning", "tip", "hint", "important", "caution", "attention", "danger", "error"}
_PROSE |= {"admonition", "topic", "sidebar", "rubric", "seealso", "versionadded", "versionchanged"}


def load_rst(raw: RawFile) -> list[Document]:
    meta, source = split_front_matter(decode_text(raw.data))
    lines = source.splitlines()
    kept: list[str] = []
    title = ""
    for i, line in enumerate(lines):
        if _ADORNMENT.match(line):
            # a title is the text line over an underline (or between an overline and an underline)
            if not title and kept and kept[-1].strip() and i > 0 and lines[i - 1] == kept[-1]:
                title = kept[-1].strip()
            continue
        directive = _DIRECTIVE.match(line)
        if directive:
            if directive.group(1).lower() in _PROSE and directive.group(2).strip():
                kept.append(directive.group(2).strip())
            continue
        if _EXPLICIT.match(line):
            continue
        kept.append(line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")
    given = meta.pop("title", None)
    title = str(given).strip() if given is not None else title
    first = next((line.strip() for line in kept if line.strip()), "")
    return [
        Document(id=raw.rel, text=text, source=raw.rel, title=title or first[:200] or raw.stem, metadata=meta)
    ]
