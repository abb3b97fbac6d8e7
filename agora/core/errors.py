class ServiceError(Exception):
    """A refused command: a message for people, a stable code for programs, and the field at fault."""

    status = 400

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class PermissionDenied(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404
