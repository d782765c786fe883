"""sourcetrace: trace where a text came from.

The public API is small; see :mod:`sourcetrace.pipeline` for the stages.
"""

__version__ = "0.1.0"
