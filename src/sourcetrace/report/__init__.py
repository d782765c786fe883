"""Views of a comparison between two documents: self-contained HTML and rich terminal output."""

from sourcetrace.report.compare_html import render_compare_html
from sourcetrace.report.compare_terminal import render_compare_terminal
from sourcetrace.report.summary import summarize

__all__ = ["render_compare_html", "render_compare_terminal", "summarize"]
