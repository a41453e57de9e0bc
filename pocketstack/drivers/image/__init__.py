"""Image stores (where image data lives) and hashing while streaming."""
