"""Plain text and Markdown: the file's text is the decoded text, unchanged.

No parts: where one document ends and the next begins is decided later by segmentation, which
sees the whole file. Markdown markup is kept, so offsets match what the user sees in the file.
"""

from __future__ import annotations

from sourcetrace.readers.base import make_source
from sourcetrace.records import SourceFile


class TextReader:
    name = "text"
    suffixes: tuple[str, ...] = (".txt", ".text", ".md", ".markdown")

    def sniff(self, raw: bytes, text_head: str) -> bool:
        return True  # the catch-all: anything that decoded is text

    def read(self, path_display: str, raw: bytes, text: str, encoding: str) -> SourceFile:
        return make_source(path_display, raw, text, encoding, self.name)
