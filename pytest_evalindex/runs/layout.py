"""The run folder as a format: folder and file names and the report schema version, shared by the writer and every reader."""

from __future__ import annotations

COLLECTION_NAME = "data_collection"


RUN_SUBDIRS = ("configs", "logs", "predictions", "reviews", "reports")


REPORT_SCHEMA_VERSION = 3
"""``evalindex_report.json``'s version: 2 records each sample's metadata (weight, tags, categories, task type,
file, line, metrics, error); 3 adds ``confidence``, each row's ``ci`` and ``n_eff``, and the paired baseline
comparison; readers accept 1 to 3 (a version 2 report is a valid baseline)."""


JSONL_NAME = f"{COLLECTION_NAME}_default.jsonl"


DETAILED_REPORT_NAME = "collection_detailed_report.json"


EVALINDEX_REPORT_NAME = "evalindex_report.json"
