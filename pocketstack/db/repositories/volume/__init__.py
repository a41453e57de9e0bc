"""Block Storage repositories: the only place the volume_* tables are queried."""
