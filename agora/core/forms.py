from django import forms

from agora.core.errors import ServiceError


def form_add_service_error(form: forms.BaseForm, error: ServiceError, field_map: dict[str, str] | None = None) -> None:
    """Show a refused command on the form, under its field when the form has one."""
    field = (field_map or {}).get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)
