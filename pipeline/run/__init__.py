"""A batch run without Prefect: plan from the ledger, process each object, index and record in bulk,
report. The flows (`flows/`) map these plain functions over a backlog; tests call them directly."""
