"""Identity repositories."""
