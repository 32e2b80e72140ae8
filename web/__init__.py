"""`sohoa serve`: the record pages, search, corrections and the review queue (a Starlette application)."""
