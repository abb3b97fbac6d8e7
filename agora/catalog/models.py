"""Courses and what they are made of. See docs/catalog.md and docs/decisions/0005-course-revisions.md.

A `Course` is a stable identity (id, slug, team, status) plus *listing fields* copied from its last
approved `CourseRevision`, so that lists sort and filter on one table. A revision is a snapshot of the
content: modules → lectures (→ quiz questions → options, resources). Learners see the approved one;
authors edit a draft one. Modules, lectures and questions carry a `key` that stays the same from one
revision to the next, so progress and quiz attempts survive edits.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Deferrable, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agora.core.money import Money

BASIS_POINTS = 10_000  # 100 %
RATING_MAX = 500  # ratings are kept in hundredths: 450 is 4.50 stars


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    BLOCKED = "blocked", _("Blocked")


class CourseKind(models.TextChoices):
    SELF_PACED = "self_paced", _("Self-paced")
    COHORT = "cohort", _("Cohort")


class CourseLevel(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")
    ALL = "all", _("All levels")


class CourseLanguage(models.TextChoices):
    """Languages a course can be taught in (not the site's interface languages)."""

    ENGLISH = "en", "English"
    RUSSIAN = "ru", "Русский"
    SPANISH = "es", "Español"
    GERMAN = "de", "Deutsch"
    FRENCH = "fr", "Français"
    PORTUGUESE = "pt", "Português"
    UKRAINIAN = "uk", "Українська"


class MemberRole(models.TextChoices):
    ADMIN = "admin", _("Course admin")
    CO_AUTHOR = "co_author", _("Co-author")


class RevisionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


OPEN_REVISION_STATUSES = (RevisionStatus.DRAFT, RevisionStatus.IN_REVIEW)


class LectureKind(models.TextChoices):
    VIDEO = "video", _("Video")
    TEXT = "text", _("Text")
    PDF = "pdf", _("PDF")
    QUIZ = "quiz", _("Quiz")
    ASSIGNMENT = "assignment", _("Assignment")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One answer")
    MULTIPLE = "multiple", _("Several answers")
    SHORT_TEXT = "short_text", _("Short text")


class SubmissionKind(models.TextChoices):
    TEXT = "text", _("Text")
    FILE = "file", _("File")
    LINK = "link", _("Link")


class Category(models.Model):
    """A staff-managed tree of subjects (two levels in the interface: Development → Web development)."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="category_not_own_parent")]

    def __str__(self) -> str:
        return self.name


class SkillArea(models.Model):
    """A staff-managed group of skills: Front-end, Back-end, Databases."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("skill area")
        verbose_name_plural = _("skill areas")

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """A skill a course teaches, in its area: Front-end → React."""

    area = models.ForeignKey(SkillArea, on_delete=models.PROTECT, related_name="skills", verbose_name=_("area"))
    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="skill_name_unique_in_area")]

    def __str__(self) -> str:
        return self.name


class CourseListing(models.Model):
    """What a revision says about the course and the course shows in lists (copied on approval)."""

    kind = models.CharField(_("kind"), max_length=12, choices=CourseKind.choices, default=CourseKind.SELF_PACED)
    title = models.CharField(_("title"), max_length=120)
    subtitle = models.CharField(_("subtitle"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("category"),
    )
    level = models.CharField(_("level"), max_length=12, choices=CourseLevel.choices, default=CourseLevel.ALL)
    language = models.CharField(
        _("language"), max_length=8, choices=CourseLanguage.choices, default=CourseLanguage.ENGLISH
    )
    # Integer minor units of settings.PLATFORM_CURRENCY (DESIGN.md §4).
    price = models.PositiveIntegerField(_("price"), default=0)
    discount_price = models.PositiveIntegerField(_("discount price"), null=True, blank=True)
    discount_ends_at = models.DateTimeField(_("discount ends"), null=True, blank=True)
    gives_certificate = models.BooleanField(_("certificate of completion"), default=False)
    access_days = models.PositiveIntegerField(
        _("access (days)"), null=True, blank=True, help_text=_("Empty for lifetime access.")
    )
    cover = models.ImageField(_("cover image"), upload_to="covers/", blank=True)

    class Meta:
        abstract = True

    @property
    def currency(self) -> str:
        return settings.PLATFORM_CURRENCY

    def discount_is_active(self, at: datetime.datetime | None = None) -> bool:
        if self.discount_price is None:
            return False
        return self.discount_ends_at is None or self.discount_ends_at > (at or timezone.now())

    def price_at(self, at: datetime.datetime | None = None) -> int:
        """What a buyer pays at `at` (now by default), in minor units."""
        return self.discount_price if self.discount_is_active(at) else self.price  # type: ignore[return-value]

    @property
    def list_price_money(self) -> Money:
        return Money(self.price, self.currency)

    @property
    def price_now_money(self) -> Money:
        return Money(self.price_at(), self.currency)


def _price_checks(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(discount_price__isnull=True) | Q(discount_price__lt=models.F("price")),
            name=f"{prefix}_discount_below_price",
        ),
        models.CheckConstraint(
            condition=Q(discount_price__isnull=False) | Q(discount_ends_at__isnull=True),
            name=f"{prefix}_discount_end_needs_discount",
        ),
        models.CheckConstraint(
            condition=Q(access_days__isnull=True) | Q(access_days__gt=0), name=f"{prefix}_access_days_positive"
        ),
    ]


class Course(CourseListing):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=CourseStatus.choices, default=CourseStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    commission_rate_bp = models.PositiveIntegerField(
        _("commission rate (basis points)"),
        null=True,
        blank=True,
        help_text=_("Empty: the platform's rate. 1500 is 15 %."),
    )
    # Listing fields kept in step with the approved revision by services.revision_approve_apply.
    # Left to PostgreSQL's (deferred) foreign key: deleting a whole course deletes its revisions with it,
    # deleting just the revision a course shows is refused at commit.
    published_revision = models.ForeignKey(
        "CourseRevision", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # What a buyer pays now (the discount price while it lasts): sorted and filtered on; the
    # end_discounts_task puts the list price back when a discount ends.
    current_price = models.PositiveIntegerField(_("current price"), default=0)
    content_seconds = models.PositiveIntegerField(_("length of the content (seconds)"), default=0)
    module_count = models.PositiveIntegerField(_("modules"), default=0)
    lecture_count = models.PositiveIntegerField(_("lectures"), default=0)
    has_downloadable_resources = models.BooleanField(_("downloadable resources"), default=False)
    # Figures other apps keep up to date (learning: enrollments, reviews).
    student_count = models.PositiveIntegerField(_("students"), default=0)
    rating_average = models.PositiveSmallIntegerField(_("average rating (hundredths)"), default=0)
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        permissions = [("block_course", "Can block and unblock courses")]
        constraints = [
            *_price_checks("course"),
            models.CheckConstraint(
                condition=Q(current_price=models.F("price"))
                | Q(discount_price__isnull=False, current_price=models.F("discount_price")),
                name="course_current_price_is_a_price",
            ),
            models.CheckConstraint(
                condition=~Q(status=CourseStatus.PUBLISHED)
                | Q(published_revision__isnull=False, published_at__isnull=False),
                name="course_published_has_revision",
            ),
            models.CheckConstraint(condition=Q(rating_average__lte=RATING_MAX), name="course_rating_in_range"),
            models.CheckConstraint(
                condition=Q(commission_rate_bp__isnull=True) | Q(commission_rate_bp__lte=BASIS_POINTS),
                name="course_commission_rate_in_range",
            ),
        ]
        # One index per sort of the catalog, over published courses only (keyset pagination walks them).
        indexes = [
            models.Index(fields=["published_at", "id"], condition=Q(status="published"), name="course_newest_idx"),
            models.Index(
                fields=["rating_average", "rating_count", "id"],
                condition=Q(status="published"),
                name="course_rating_idx",
            ),
            models.Index(fields=["student_count", "id"], condition=Q(status="published"), name="course_popular_idx"),
            models.Index(fields=["current_price", "id"], condition=Q(status="published"), name="course_price_idx"),
            models.Index(
                fields=["discount_ends_at"], condition=Q(discount_ends_at__isnull=False), name="course_discount_end_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def rating(self) -> float:
        return self.rating_average / 100

    @property
    def cover_tone(self) -> int:
        """Which of the placeholder colours a course without a cover gets (stable per course)."""
        return (self.pk or 0) % 6


class CourseMember(models.Model):
    """One person of a course's team and their share of its revenue (all shares add up to 100 %)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="course_memberships")
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.CO_AUTHOR)
    revenue_share_bp = models.PositiveIntegerField(_("revenue share (basis points)"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("course team member")
        verbose_name_plural = _("course team")
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="course_member_once"),
            models.CheckConstraint(
                condition=Q(revenue_share_bp__lte=BASIS_POINTS), name="course_member_share_in_range"
            ),
        ]
        indexes = [models.Index(fields=["user", "course"], name="course_member_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class CourseRevision(CourseListing):
    """An immutable snapshot of a course's content once submitted; learners see the approved one."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.DRAFT)
    description = models.TextField(_("description"), blank=True, max_length=20_000, help_text=_("Markdown."))
    skills = models.ManyToManyField(Skill, blank=True, related_name="+", verbose_name=_("skills"))
    requirements = models.JSONField(_("requirements"), default=list, blank=True)
    learning_outcomes = models.JSONField(_("what you'll learn"), default=list, blank=True)
    changelog = models.TextField(_("what changed"), blank=True, max_length=5000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["course", "-number"]
        verbose_name = _("course revision")
        verbose_name_plural = _("course revisions")
        constraints = [
            *_price_checks("revision"),
            models.UniqueConstraint(fields=["course", "number"], name="revision_number_unique"),
            models.UniqueConstraint(
                fields=["course"], condition=Q(status=RevisionStatus.APPROVED), name="revision_one_approved"
            ),
            models.UniqueConstraint(
                fields=["course"], condition=Q(status__in=OPEN_REVISION_STATUSES), name="revision_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} #{self.number}"


class Module(models.Model):
    revision = models.ForeignKey(CourseRevision, on_delete=models.CASCADE, related_name="modules")
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveIntegerField(_("position"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)  # the sum of its lectures

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "key"], name="module_key_unique"),
            models.UniqueConstraint(
                fields=["revision", "position"], name="module_position_unique", deferrable=Deferrable.DEFERRED
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Lecture(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lectures")
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=12, choices=LectureKind.choices, default=LectureKind.VIDEO)
    text = models.TextField(_("text"), blank=True, max_length=200_000, help_text=_("Markdown."))
    media = models.FileField(_("media file"), upload_to="lectures/", blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    is_free_preview = models.BooleanField(_("free preview"), default=False)
    pass_mark_percent = models.PositiveSmallIntegerField(_("pass mark (%)"), null=True, blank=True)  # quizzes
    assignment_instructions = models.TextField(_("instructions"), blank=True, max_length=20_000)
    submission_kind = models.CharField(_("what to submit"), max_length=8, choices=SubmissionKind.choices, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["module", "key"], name="lecture_key_unique"),
            models.UniqueConstraint(
                fields=["module", "position"], name="lecture_position_unique", deferrable=Deferrable.DEFERRED
            ),
            models.CheckConstraint(
                condition=Q(pass_mark_percent__isnull=True) | Q(pass_mark_percent__lte=100),
                name="lecture_pass_mark_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Resource(models.Model):
    """A downloadable file that comes with a lecture."""

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="resources")
    key = models.UUIDField(default=uuid.uuid4, editable=False)  # the same in every revision, like a lecture's
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="resources/")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["lecture", "key"], name="resource_key_unique")]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A quiz question; for a short-text question, the correct options are the accepted answers."""

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="questions")
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    text = models.TextField(_("question"), max_length=5000)
    explanation = models.TextField(_("explanation"), blank=True, max_length=5000)
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["lecture", "key"], name="question_key_unique"),
            models.UniqueConstraint(
                fields=["lecture", "position"], name="question_position_unique", deferrable=Deferrable.DEFERRED
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("answer"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class WishlistItem(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishlist_items")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="wishlist_item_once")]
        indexes = [models.Index(fields=["user", "-created_at"], name="wishlist_user_recent_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.course_id}"
