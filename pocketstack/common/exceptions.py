"""Domain errors raised by services. The API layer maps each to the wire format of the
service that is answering (Keystone, Glance, Neutron, Nova or Cinder error bodies)."""

from __future__ import annotations


class PocketstackError(Exception):
    """Base of every expected error. ``code`` is the HTTP status the API answers with."""

    code = 500
    title = "Internal Server Error"
    # Neutron names its errors ("NetworkNotFound", "IpAddressGenerationFailure").
    error_type: str | None = None

    def __init__(self, message: str = "", *, error_type: str | None = None) -> None:
        super().__init__(message or self.title)
        self.message = message or self.title
        if error_type:
            self.error_type = error_type


class BadRequest(PocketstackError):
    code = 400
    title = "Bad Request"


class ValidationError(BadRequest):
    """Request body or parameters fail validation."""


class Unauthorized(PocketstackError):
    code = 401
    title = "Unauthorized"


class Forbidden(PocketstackError):
    code = 403
    title = "Forbidden"


class NotFound(PocketstackError):
    code = 404
    title = "Not Found"


class MethodNotAllowed(PocketstackError):
    code = 405
    title = "Method Not Allowed"


class NotAcceptable(PocketstackError):
    code = 406
    title = "Not Acceptable"


class Conflict(PocketstackError):
    code = 409
    title = "Conflict"


class Gone(PocketstackError):
    code = 410
    title = "Gone"


class PayloadTooLarge(PocketstackError):
    code = 413
    title = "Request Entity Too Large"


class UnsupportedMediaType(PocketstackError):
    code = 415
    title = "Unsupported Media Type"


class RangeNotSatisfiable(PocketstackError):
    code = 416
    title = "Requested Range Not Satisfiable"


class OverQuota(PocketstackError):
    code = 413
    title = "Over Quota"


class NotImplementedYet(PocketstackError):
    code = 501
    title = "Not Implemented"


class ServiceUnavailable(PocketstackError):
    code = 503
    title = "Service Unavailable"
