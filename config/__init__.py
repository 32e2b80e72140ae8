"""Settings, and the one place they become server clients: shared by the CLI and the flows on workers."""
