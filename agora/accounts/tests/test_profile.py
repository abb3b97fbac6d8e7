import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from agora.accounts import services
from agora.accounts.models import Expertise, SocialNetwork, Specialisation, User, UserStatus
from agora.accounts.tests.factories import PASSWORD, UserFactory
from agora.core.errors import ServiceError
from agora.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _png(width=800, height=600) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def _edit_data(**overrides):
    data = {
        "display_name": "Ada L.",
        "locale": "ru",
        "headline": "Teaches Python",
        "about": "Hello",
        "specialisation": "",
        "degree": "PhD",
        "years_of_teaching": "12",
        "awards_and_education": "",
        "work_experience": "",
        "working_hours": "Mon–Fri",
        "links-TOTAL_FORMS": "1",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "10",
        "links-0-network": "",
        "links-0-url": "",
    }
    return {**data, **overrides}


def test_profile_edit_saves_every_field_and_reencodes_the_avatar(client):
    user = UserFactory()
    client.force_login(user)
    speciality = Specialisation.objects.create(name="Software")
    python = Expertise.objects.create(name="Python")
    github = SocialNetwork.objects.create(name="GitHub", url_prefix="https://github.com/")

    response = client.post(
        reverse("accounts:profile-edit"),
        _edit_data(
            specialisation=speciality.pk,
            expertise=[python.pk],
            avatar=_png(),
            **{"links-0-network": github.pk, "links-0-url": "https://github.com/ada"},
        ),
    )

    assert response.status_code == 302
    user.refresh_from_db()
    profile = user.profile
    assert (user.display_name, user.locale, profile.headline, profile.degree) == (
        "Ada L.",
        "ru",
        "Teaches Python",
        "PhD",
    )
    assert (profile.years_of_teaching, profile.specialisation, list(profile.expertise.all())) == (
        12,
        speciality,
        [python],
    )
    assert [link.url for link in profile.social_links.all()] == ["https://github.com/ada"]
    assert "me.png" not in user.avatar.name
    with Image.open(user.avatar) as stored:
        assert stored.format == "JPEG" and max(stored.size) == 512


def test_a_file_that_is_not_an_image_is_refused_as_avatar(client):
    user = UserFactory(display_name="Before")
    client.force_login(user)
    fake = SimpleUploadedFile("cat.png", b"<script>alert(1)</script>", content_type="image/png")

    response = client.post(reverse("accounts:profile-edit"), _edit_data(avatar=fake))

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.display_name, user.avatar.name) == ("Before", "")


def test_social_link_must_belong_to_its_network(client):
    user = UserFactory()
    client.force_login(user)
    github = SocialNetwork.objects.create(name="GitHub", url_prefix="https://github.com/")

    response = client.post(
        reverse("accounts:profile-edit"),
        _edit_data(**{"links-0-network": github.pk, "links-0-url": "https://evil.example.com/"}),
    )

    assert response.status_code == 200
    assert not user.profile.social_links.exists()


def test_close_account_with_wrong_password_changes_nothing(client):
    user = UserFactory(display_name="Still Here")
    client.force_login(user)

    response = client.post(reverse("accounts:close"), {"password": "wrong", "confirm": "on"})

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.status, user.display_name) == (UserStatus.ACTIVE, "Still Here")


def test_close_account_wipes_personal_details_and_logs_out(client):
    user = UserFactory(display_name="Leaving")
    user.profile.about = "About me"
    user.profile.save()
    client.force_login(user)

    response = client.post(reverse("accounts:close"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.status, user.display_name, user.profile.about) == (UserStatus.CLOSED, "", "")
    assert not user.is_active
    assert client.get(reverse("accounts:profile")).status_code == 302
    assert AuditEntry.objects.filter(action="user.closed", target_id=str(user.pk)).exists()


def test_user_update_refuses_fields_users_may_not_change():
    user = UserFactory()

    with pytest.raises(ServiceError):
        services.user_update(user=user, data={"status": "active", "is_staff": True})

    user.refresh_from_db()
    assert not user.is_staff


def test_language_switch_sets_the_cookie_and_remembers_it_on_the_account(client):
    user = UserFactory(locale="en")
    client.force_login(user)

    response = client.post(reverse("set_language"), {"language": "ru", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "ru"
    user.refresh_from_db()
    assert user.locale == "ru"
    assert 'lang="ru"' in client.get("/").content.decode()


def test_unknown_language_is_ignored(client):
    user = UserFactory(locale="en")
    client.force_login(user)

    client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    user.refresh_from_db()
    assert user.locale == "en"


def test_close_account_password_guesses_are_rate_limited(client):
    user = UserFactory()
    client.force_login(user)
    for _ in range(5):
        client.post(reverse("accounts:close"), {"password": "guess", "confirm": "on"})

    response = client.post(reverse("accounts:close"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 429
    user.refresh_from_db()
    assert user.status == UserStatus.ACTIVE


def test_createsuperuser_accounts_have_a_profile(client):
    admin = User.objects.create_superuser("root@example.com", PASSWORD)
    client.force_login(admin)

    assert client.get(reverse("accounts:profile")).status_code == 200
