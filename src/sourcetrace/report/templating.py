"""The template engine every HTML page goes through: Jinja2 with autoescape on.

Python hands templates plain view data (dicts, lists, records); the templates write the markup,
and the engine escapes every value, so text from a user's file can never become markup. The
static CSS and JS ship as package data and are inlined where a page must be self-contained.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from sourcetrace.factcheck.dates import shown
from sourcetrace.report.direction import dir_attrs
from sourcetrace.report.kinds import kind_class, legend_kinds

REPORT = "sourcetrace.report"


@cache
def environment(*packages: str) -> Environment:
    """The environment loading templates from each package's ``templates/``, first match wins.

    The report's templates are always last, so that other pages can import its macros.
    """
    names = [*(p for p in packages if p != REPORT), REPORT]
    env = Environment(loader=ChoiceLoader([PackageLoader(p, "templates") for p in names]),
                      autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    # JSON in a page keeps Arabic as it is (a third of the size of \u escapes); tojson still
    # escapes <, >, & and ' so that the data cannot close its <script> block.
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    env.filters.update(short=short, pct=lambda x, digits=0: f"{x:.{digits}%}", kind_class=kind_class, fact_value=shown)
    env.globals.update(dir_attrs=dir_attrs, legend_kinds=legend_kinds)
    # Only http(s) becomes a link: a javascript: URL in a scraped page must not be clickable.
    env.tests.update(http_url=lambda url: bool(re.match(r"https?://", url or "", re.I)))
    return env


def short(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` chars with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def static_text(name: str, package: str = REPORT) -> str:
    """A file of the package's ``static/`` folder."""
    return resources.files(package).joinpath("static", name).read_text(encoding="utf-8")


def inline_asset(*names: str, package: str = REPORT) -> Markup:
    """Static CSS or JS to inline into a <style> or <script>: our own files, never document data."""
    return Markup("\n".join(static_text(n, package) for n in names))


def render(template: str, /, *, packages: tuple[str, ...] = (), **data: Any) -> str:
    """``template`` rendered with ``data``."""
    return environment(*packages).get_template(template).render(**data)


def macro(template: str, name: str, *args: Any, packages: tuple[str, ...] = (), **kwargs: Any) -> Markup:
    """One macro of a template called from Python (for pieces that tests and other pages reuse)."""
    return Markup(getattr(environment(*packages).get_template(template).module, name)(*args, **kwargs))
