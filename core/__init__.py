"""What every layer shares: the one error model, the one retry policy, the one diacritics fold."""
