"""pocketstack: an OpenStack-compatible private cloud in one pip-installable program."""

__version__ = "0.1.0"
