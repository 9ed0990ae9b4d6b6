"""HTML pages: the visible text of the body, titled by <title>."""

from __future__ import annotations

import re

from assistant.ingest.decoding import decode_text, first_line_title
from assistant.ingest.document import Document, RawFile


def load_html(raw: RawFile) -> list[Document]:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser  # imported here: only HTML corpora need it

    tree = HTMLParser(decode_text(raw.data))
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    for node in tree.css("script, style, noscript, template, head, svg"):
        node.decompose()
    body = tree.body or tree.root
    text = body.text(separator="\n", strip=True) if body is not None else ""
    text = re.sub(r"\n{3,}", "\n\n", text)
    return [
        Document(id=raw.rel, text=text, source=raw.rel, title=title or first_line_title(text) or raw.stem)
    ]
