"""Compute repositories: all SQL of the compute service."""
