"""Every `sohoa` command, and the one handler that turns errors into messages and exit codes."""

import flows  # noqa: F401  first of all: it turns Prefect's telemetry off before Prefect is imported
