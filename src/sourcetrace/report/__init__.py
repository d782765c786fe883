"""Views of a comparison between two documents (self-contained HTML, rich terminal) and of a whole corpus."""

from sourcetrace.report.compare_html import render_compare_html
from sourcetrace.report.compare_terminal import render_compare_terminal
from sourcetrace.report.corpus_html import render_corpus_html

__all__ = ["render_compare_html", "render_compare_terminal", "render_corpus_html"]
