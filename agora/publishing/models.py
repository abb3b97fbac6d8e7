"""What publishing records beside the catalog's revisions: each submission with what the automatic
checks found, the moderators' decisions, and blocks. See docs/publishing.md.

The statuses themselves live on the catalog's `Course` and `CourseRevision`; these rows say who moved
them, when and why (the audit log says it too, for every transition).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agora.catalog.models import Course, CourseRevision
from agora.publishing.checks import CHECK_LABELS


class Submission(models.Model):
    """One "submit for review" of a draft revision, and whether its automatic checks passed."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    revision = models.ForeignKey(CourseRevision, on_delete=models.CASCADE, related_name="submissions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    passed = models.BooleanField(_("all checks passed"))
    failed_count = models.PositiveSmallIntegerField(_("failed checks"), default=0)
    check_count = models.PositiveSmallIntegerField(_("checks"), default=0)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [models.Index(fields=["course", "-submitted_at", "-id"], name="submission_course_recent_idx")]

    def __str__(self) -> str:
        return f"{self.revision_id} @ {self.submitted_at:%Y-%m-%d %H:%M}"


class CheckResult(models.Model):
    """What one automatic check found. Each problem is kept as its untranslated message id and
    parameters ({"message": ..., "params": {...}}), so every reader sees the reason in their language."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="results")
    check_name = models.CharField(_("check"), max_length=40)
    passed = models.BooleanField(_("passed"))
    problems = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("check result")
        verbose_name_plural = _("check results")
        constraints = [
            models.UniqueConstraint(fields=["submission", "check_name"], name="check_result_once_per_submission")
        ]

    def __str__(self) -> str:
        return f"{self.check_name}: {'passed' if self.passed else 'failed'}"

    @property
    def reason(self) -> str:
        """What the author can do about it, in the active language ("" for a passed check)."""
        return " ".join(gettext(problem["message"]) % problem["params"] for problem in self.problems)

    @property
    def label(self) -> str:
        return str(CHECK_LABELS.get(self.check_name, self.check_name))


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")


class ReviewDecision(models.Model):
    """A moderator's decision on a revision in review. Once per revision: a second approval racing the
    first finds the revision decided (and this constraint refuses it if it got that far)."""

    revision = models.OneToOneField(CourseRevision, on_delete=models.CASCADE, related_name="review_decision")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=5000)
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        permissions = [("review_revision", "Can approve and reject course revisions")]
        constraints = [
            models.CheckConstraint(condition=Q(decision="approve") | ~Q(reason=""), name="review_rejection_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.revision_id}: {self.decision}"


class CourseBlock(models.Model):
    """A moderator took a published course out of the catalog, with a reason; unblocking closes the
    record. At most one open block per course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="blocks")
    blocked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), max_length=5000)
    blocked_at = models.DateTimeField(_("blocked"), default=timezone.now)
    unblocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unblock_reason = models.TextField(_("reason for unblocking"), blank=True, max_length=5000)
    unblocked_at = models.DateTimeField(_("unblocked"), null=True, blank=True)

    class Meta:
        ordering = ["-blocked_at", "-id"]
        verbose_name = _("course block")
        verbose_name_plural = _("course blocks")
        constraints = [
            models.UniqueConstraint(fields=["course"], condition=Q(unblocked_at=None), name="course_block_one_open"),
            models.CheckConstraint(condition=~Q(reason=""), name="course_block_has_reason"),
            models.CheckConstraint(
                condition=Q(unblocked_at=None) | (Q(unblocked_by__isnull=False) & ~Q(unblock_reason="")),
                name="course_unblock_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course_id} blocked {self.blocked_at:%Y-%m-%d}"
