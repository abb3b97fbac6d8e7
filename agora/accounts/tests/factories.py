import factory
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from agora.accounts.models import Profile, User, UserStatus

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """An active user with a verified primary address and a profile; log in with `PASSWORD`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    status = UserStatus.ACTIVE
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def finish(self, create: bool, extracted: object, **kwargs: object) -> None:
        if not create:
            return
        self.save()
        Profile.objects.get_or_create(user=self)
        EmailAddress.objects.get_or_create(
            user=self, email=self.email, defaults={"primary": True, "verified": self.status == UserStatus.ACTIVE}
        )


def logs_in(email: str, password: str = PASSWORD) -> bool:
    """Whether the login page lets `email` in with `password` (in a browser of its own)."""
    client = Client()
    client.post(reverse("account_login"), {"login": email, "password": password})
    return "_auth_user_id" in client.session
