from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting (created by a gift, not claimed)")
    PENDING = "pending", _("Pending activation")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        """Every account has a profile from the start (createsuperuser included)."""
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        Profile.objects.using(self._db).create(user=user)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True, status=UserStatus.ACTIVE)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail"), unique=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    locale = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    status = models.CharField(max_length=10, choices=UserStatus.choices, default=UserStatus.PENDING)
    is_suspended = models.BooleanField(_("suspended"), default=False)
    suspension_reason = models.TextField(_("suspension reason"), blank=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    # Derived by PostgreSQL, so Django's auth (sessions, password reset) refuses everyone else.
    is_active = models.GeneratedField(  # type: ignore[misc]
        expression=models.Q(status=UserStatus.ACTIVE, is_suspended=False),  # type: ignore[arg-type]
        output_field=models.BooleanField(),
        db_persist=True,
    )
    date_joined = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("suspend_user", "Can suspend and unsuspend users")]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@")[0]


class Specialisation(models.Model):
    """A staff-managed catalogue of what authors specialise in."""

    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("specialisation")
        verbose_name_plural = _("specialisations")

    def __str__(self) -> str:
        return self.name


class Expertise(models.Model):
    """A staff-managed catalogue of areas of expertise."""

    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("expertise")
        verbose_name_plural = _("expertise")

    def __str__(self) -> str:
        return self.name


class SocialNetwork(models.Model):
    """A staff-managed catalogue of social networks an author may link to."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    url_prefix = models.URLField(_("address prefix"), help_text=_("Links must start with this."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("social network")
        verbose_name_plural = _("social networks")

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """What a user tells about themselves; the author fields show on the public author page."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile", primary_key=True)
    headline = models.CharField(_("headline"), max_length=120, blank=True)
    specialisation = models.ForeignKey(
        Specialisation, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("specialisation")
    )
    expertise = models.ManyToManyField(Expertise, blank=True, verbose_name=_("expertise"))
    about = models.TextField(_("about"), blank=True, max_length=5000)
    degree = models.CharField(_("degree"), max_length=80, blank=True, help_text=_("For example PhD, MSc."))
    years_of_teaching = models.PositiveSmallIntegerField(_("years of teaching"), null=True, blank=True)
    awards_and_education = models.TextField(_("awards and education"), blank=True, max_length=3000)
    work_experience = models.TextField(_("work experience"), blank=True, max_length=3000)
    working_hours = models.CharField(
        _("working hours"), max_length=120, blank=True, help_text=_("For example: Mon–Fri, 9:00–17:00 CET.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class SocialLink(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="social_links")
    network = models.ForeignKey(SocialNetwork, on_delete=models.PROTECT, verbose_name=_("network"))
    url = models.URLField(_("address"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "network"], name="social_link_one_per_network")]

    def __str__(self) -> str:
        return self.url
