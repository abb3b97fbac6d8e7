from typing import Any

from django.db.models import Model

from agora.core.models import AuditEntry


def audit_record(*, actor: Any, action: str, target: Model, reason: str = "", **data: Any) -> AuditEntry:
    """Write one audit row; call inside the transaction of the change it describes."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        reason=reason,
        data=data,
    )
