"""The Block Storage API (Cinder v3)."""
