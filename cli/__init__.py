"""The `sohoa` commands (being gathered here from the other packages; see DESIGN.md)."""
