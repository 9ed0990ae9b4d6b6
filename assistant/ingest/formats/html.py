"""HTML pages: the visible text of the body, titled by <title>."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.ingest.decoding import decode_text, first_line_title
from assistant.ingest.document import Document


def load_html(path: Path, rel: str) -> list[Document]:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser  # imported here: only HTML corpora need it

    tree = HTMLParser(decode_text(path.read_bytes()))
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else ""
    for node in tree.css("script, style, noscript, template, head, svg"):
        node.decompose()
    body = tree.body or tree.root
    text = body.text(separator="\n", strip=True) if body is not None else ""
    text = re.sub(r"\n{3,}", "\n\n", text)
    return [Document(id=rel, text=text, source=rel, title=title or first_line_title(text) or path.stem)]
