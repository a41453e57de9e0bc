"""The Image API (Glance v2)."""
