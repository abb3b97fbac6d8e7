"""Demo people: staff in each role, creators with author profiles, learners."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from agora.accounts.models import Expertise, SocialNetwork, Specialisation, User, UserStatus
from agora.accounts.roles import ACCOUNTANT, ADMIN, MODERATOR

DEMO_PASSWORD = "agora-demo-2026"

STAFF = [
    ("admin@agora.test", "Alex Admin", ADMIN),
    ("moderator@agora.test", "Maria Moderator", MODERATOR),
    ("accountant@agora.test", "Anton Accountant", ACCOUNTANT),
]
CREATORS = [
    ("ada@agora.test", "Ada Lovelace", "Software engineering", ["Python", "Algorithms"], "PhD", 12),
    ("grace@agora.test", "Grace Hopper", "Software engineering", ["Compilers", "COBOL"], "PhD", 20),
    ("dmitri@agora.test", "Дмитрий Менделеев", "Science", ["Chemistry", "Data analysis"], "Professor", 30),
    ("frida@agora.test", "Frida Kahlo", "Art & design", ["Painting", "Colour theory"], "", 8),
    ("miles@agora.test", "Miles Davis", "Music", ["Jazz", "Trumpet"], "", 15),
]
LEARNERS = [
    ("lena@agora.test", "Лена Смирнова"),
    ("sam@agora.test", "Sam Carter"),
    ("noor@agora.test", "Noor Haddad"),
]
SOCIAL_NETWORKS = [
    ("GitHub", "https://github.com/"),
    ("LinkedIn", "https://www.linkedin.com/"),
    ("YouTube", "https://www.youtube.com/"),
    ("Website", "https://"),
]


def demo_accounts_load() -> list[tuple[str, str]]:
    """Create what is missing and return (e-mail, role) for the logins to print. Never overwrites."""
    for name, prefix in SOCIAL_NETWORKS:
        SocialNetwork.objects.get_or_create(name=name, defaults={"url_prefix": prefix})
    logins = []
    for email, name, role in STAFF:
        user = _demo_user(email, name, is_staff=True, is_superuser=role == ADMIN)
        user.groups.add(Group.objects.get(name=role))
        logins.append((email, role))
    for email, name, speciality, expertise, degree, years in CREATORS:
        user = _demo_user(email, name)
        _demo_author_profile(user, speciality, expertise, degree, years)
        logins.append((email, "creator"))
    for email, name in LEARNERS:
        _demo_user(email, name)
        logins.append((email, "learner"))
    return logins


@transaction.atomic
def _demo_user(email: str, name: str, *, is_staff: bool = False, is_superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            DEMO_PASSWORD,
            display_name=name,
            status=UserStatus.ACTIVE,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def _demo_author_profile(user: User, speciality: str, expertise: list[str], degree: str, years: int) -> None:
    profile = user.profile
    if profile.specialisation_id is not None:
        return  # already filled in (or edited by someone trying the demo): keep it
    profile.specialisation, _ = Specialisation.objects.get_or_create(name=speciality)
    profile.headline = f"{speciality} teacher"
    profile.about = f"{user.display_name} has taught {speciality.lower()} for {years} years."
    profile.degree = degree
    profile.years_of_teaching = years
    profile.working_hours = "Mon–Fri, 10:00–18:00"
    profile.save()
    profile.expertise.set([Expertise.objects.get_or_create(name=name)[0] for name in expertise])
