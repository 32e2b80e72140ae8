"""Kibana saved objects for the archive: the objects themselves (`objects`), the Lens charts (`lens`),
their saved-object envelope (`format`) and the import client (`client`)."""

from search.kibana.check import import_problems
from search.kibana.client import ImportReport, import_objects
from search.kibana.objects import (
    DASHBOARD_ID,
    DATA_VIEW_ID,
    FAILURES_SEARCH_ID,
    FIELD_LABELS,
    LEDGER_VIEW_ID,
    LOW_CONF_SEARCH_ID,
    SEARCH_ID,
    FieldUse,
    field_uses,
    panels_of,
    saved_objects,
    to_ndjson,
)

__all__ = [
    "DASHBOARD_ID",
    "DATA_VIEW_ID",
    "FAILURES_SEARCH_ID",
    "FIELD_LABELS",
    "LEDGER_VIEW_ID",
    "LOW_CONF_SEARCH_ID",
    "SEARCH_ID",
    "FieldUse",
    "ImportReport",
    "field_uses",
    "import_objects",
    "import_problems",
    "panels_of",
    "saved_objects",
    "to_ndjson",
]
