"""Image service repositories (the only place image SQL is written)."""
