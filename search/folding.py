"""Folding for the index: the local Elasticsearch has no `asciifolding` filter (no analysis-common
module), so text is folded in Python (`core.text.fold`) into companion `*_folded` fields analysed by the
standard analyzer. Query text goes through the same `fold`, so both sides always agree; `fold` keeps
offsets, which `search.query` relies on to map a highlight in a folded field back to the original text.
"""

from __future__ import annotations

import re

from core.text import fold

__all__ = ["fold", "norm_code", "norm_name"]


_SPACES = re.compile(r"\s+")


def norm_name(text: str | None) -> str:
    """Key for exact filters on names (units, bodies): folded, lower case, single spaces."""
    return _SPACES.sub(" ", fold(text, lower=True)).strip()


def norm_code(text: str | None) -> str:
    """Key for document numbers and symbols: folded, upper case, no spaces (`123/qđ-ubnd` → `123/QD-UBND`)."""
    return _SPACES.sub("", fold(text).upper())
