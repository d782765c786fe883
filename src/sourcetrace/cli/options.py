"""Arguments and options that several commands share (Typer ``Annotated`` types)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

InputsArgument = Annotated[list[str], typer.Argument(help="Files, directories (read recursively) and globs.")]
DbOption = Annotated[Path | None, typer.Option(
    "--db", help="Store file (SQLite). Default: $SOURCETRACE_DB, ./sourcetrace.db if present, else the user data dir.")]
OutOption = Annotated[Path | None, typer.Option("--out", help="Write the contract JSONL files into this directory.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
MaxBytesOption = Annotated[int, typer.Option("--max-bytes", help="Refuse files larger than this many bytes.")]
ThresholdOption = Annotated[float, typer.Option(
    "--threshold", min=0.0, max=1.0,
    help="Minimum passage score in [0,1] for meaning-based passages: higher trades recall for precision.")]
EncoderOption = Annotated[str, typer.Option(
    "--encoder", help="Sentence encoder: default (e5+USE), e5, use, or st:/path/to/local/sentence-transformers/model.")]
