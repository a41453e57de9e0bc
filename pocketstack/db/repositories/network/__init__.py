"""Repositories of the Networking service: the only place its SQL is written."""
