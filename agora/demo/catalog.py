"""Demo catalog: categories, skills, 30+ authors and 220 published courses with curricula, generated
from word lists with a fixed random seed (the same catalog on every machine).

Idempotent: a course whose slug exists is left alone (whatever someone changed in it), a person whose
e-mail exists too; a second run adds nothing. Rows go in with bulk_create, a few hundred courses in
about a second. bench/catalog.py builds its 10,000 courses with the same code.
"""

import datetime
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from agora.accounts.models import Expertise, Profile, Specialisation, User, UserStatus
from agora.catalog.models import (
    BASIS_POINTS,
    Category,
    Course,
    CourseLevel,
    CourseMember,
    CourseRevision,
    CourseStatus,
    Lecture,
    LectureKind,
    MemberRole,
    Module,
    Option,
    Question,
    QuestionKind,
    Resource,
    RevisionStatus,
    Skill,
    SkillArea,
    SubmissionKind,
)
from agora.catalog.services import RevisionFigures, course_listing_apply, text_duration_estimate
from agora.demo.accounts import DEMO_PASSWORD

SEED = 2026
COURSE_COUNT = 220
UNPUBLISHED = {CourseStatus.DRAFT: 10}  # the review queue comes from agora/demo/publishing.py
RESOURCE_NAME = "demo/resources/cheatsheet.pdf"
CHUNK = 400
PUBLISHED_FIELDS = [
    "status", "published_revision", "published_at", "current_price", "content_seconds", "module_count",
    "lecture_count", "has_downloadable_resources",
]  # fmt: skip

# (slug, name, [(subcategory slug, name, [(topic in English, topic in Russian, skill), ...])])
CATEGORIES = [
    ("development", "Development", [
        ("web-development", "Web development", [("React", "React", "React"), ("Django", "Django", "Django"), ("CSS Layout", "вёрстка на CSS", "CSS"), ("Node.js", "Node.js", "Node.js")]),  # noqa: E501
        ("mobile-development", "Mobile development", [("Flutter", "Flutter", "Flutter"), ("SwiftUI", "SwiftUI", "Swift"), ("Kotlin for Android", "Kotlin для Android", "Kotlin")]),  # noqa: E501
        ("programming-languages", "Programming languages", [("Python", "Python", "Python"), ("Go", "Go", "Go"), ("Rust", "Rust", "Rust"), ("TypeScript", "TypeScript", "TypeScript")]),  # noqa: E501
        ("game-development", "Game development", [("Unity", "Unity", "Unity"), ("Godot", "Godot", "Godot")]),
    ]),
    ("data-science", "Data science", [
        ("machine-learning", "Machine learning", [("Machine Learning", "машинное обучение", "scikit-learn"), ("Deep Learning", "глубокое обучение", "PyTorch")]),  # noqa: E501
        ("data-analysis", "Data analysis", [("SQL for Analysts", "SQL для аналитиков", "SQL"), ("pandas", "pandas", "pandas"), ("Excel Analytics", "аналитика в Excel", "Excel")]),  # noqa: E501
        ("data-visualisation", "Data visualisation", [("Data Visualisation", "визуализация данных", "Tableau")]),
    ]),
    ("business", "Business", [
        ("entrepreneurship", "Entrepreneurship", [("Starting a Business", "свой бизнес", "Business planning")]),
        ("management", "Management", [("Project Management", "управление проектами", "Agile"), ("Product Management", "продакт-менеджмент", "Product discovery")]),  # noqa: E501
        ("sales", "Sales", [("B2B Sales", "продажи B2B", "Negotiation")]),
    ]),
    ("finance", "Finance & accounting", [
        ("accounting", "Accounting", [("Bookkeeping", "бухгалтерский учёт", "Bookkeeping")]),
        ("investing", "Investing", [("Stock Investing", "инвестиции в акции", "Portfolio management")]),
        ("personal-finance", "Personal finance", [("Personal Budgeting", "личный бюджет", "Budgeting")]),
    ]),
    ("design", "Design", [
        ("graphic-design", "Graphic design", [("Typography", "типографика", "Typography"), ("Logo Design", "дизайн логотипов", "Illustrator")]),  # noqa: E501
        ("ux-design", "UX design", [("UX Research", "UX-исследования", "User research"), ("Figma", "Figma", "Figma")]),
        ("3d-animation", "3D & animation", [("Blender", "Blender", "Blender")]),
    ]),
    ("marketing", "Marketing", [
        ("digital-marketing", "Digital marketing", [("Digital Marketing", "интернет-маркетинг", "Google Ads")]),
        ("seo", "SEO", [("SEO", "SEO-продвижение", "SEO")]),
        ("content-marketing", "Content marketing", [("Copywriting", "копирайтинг", "Copywriting")]),
    ]),
    ("it-software", "IT & software", [
        ("cloud", "Cloud", [("AWS", "AWS", "AWS"), ("Kubernetes", "Kubernetes", "Kubernetes")]),
        ("security", "Networking & security", [("Ethical Hacking", "этичный хакинг", "Penetration testing")]),
        ("operating-systems", "Operating systems", [("Linux", "Linux", "Linux")]),
    ]),
    ("personal-development", "Personal development", [
        ("productivity", "Productivity", [("Time Management", "тайм-менеджмент", "Time management")]),
        ("leadership", "Leadership", [("Leadership", "лидерство", "Team leadership")]),
        ("communication", "Communication", [("Public Speaking", "публичные выступления", "Public speaking")]),
    ]),
    ("photography-video", "Photography & video", [
        ("photography", "Photography", [("Portrait Photography", "портретная съёмка", "Lightroom")]),
        ("video-editing", "Video editing", [("Video Editing", "видеомонтаж", "DaVinci Resolve")]),
    ]),
    ("music", "Music", [
        ("instruments", "Instruments", [("Guitar", "гитара", "Guitar"), ("Piano", "фортепиано", "Piano")]),
        ("music-production", "Music production", [("Music Production", "сведение и мастеринг", "Ableton Live")]),
        ("music-theory", "Music theory", [("Music Theory", "теория музыки", "Harmony")]),
    ]),
    ("languages", "Languages", [
        ("english", "English", [("English Grammar", "грамматика английского", "English")]),
        ("russian", "Russian", [("Russian for Beginners", "русский язык", "Russian")]),
        ("spanish", "Spanish", [("Spanish Conversation", "разговорный испанский", "Spanish")]),
    ]),
    ("health-fitness", "Health & fitness", [
        ("fitness", "Fitness", [("Home Workouts", "домашние тренировки", "Strength training")]),
        ("yoga", "Yoga", [("Yoga", "йога", "Yoga")]),
        ("nutrition", "Nutrition", [("Nutrition", "питание", "Meal planning")]),
    ]),
]  # fmt: skip
SKILL_AREAS = {
    "Front-end": ["React", "CSS", "TypeScript", "Figma"],
    "Back-end": ["Django", "Node.js", "Go", "Rust", "Python"],
    "Mobile": ["Flutter", "Swift", "Kotlin"],
    "Data": ["SQL", "pandas", "scikit-learn", "PyTorch", "Excel", "Tableau"],
    "Infrastructure": ["AWS", "Kubernetes", "Linux", "Penetration testing"],
}
TITLES_EN = [
    "{t} for Beginners", "The Complete {t} Course", "{t}: From Zero to Confident", "Mastering {t}",
    "Practical {t}: Real-World Projects", "{t} in 30 Days", "{t} Essentials", "Advanced {t} Techniques",
    "{t} Bootcamp", "Modern {t}, Step by Step", "{t} Masterclass", "Hands-On {t}",
]  # fmt: skip
TITLES_RU = [
    "{t} с нуля", "Практический курс: {t}", "{t}: полное руководство", "Основы: {t}", "{t} для профессионалов",
    "Интенсив: {t}", "{t} за 30 дней", "{t} на практике",
]  # fmt: skip
MODULES_EN = [
    "Getting started", "Core concepts", "Working with {t}", "Your first project", "Going deeper",
    "Common mistakes and how to avoid them", "Best practices", "Real-world project", "Testing and polishing",
    "Putting it all together", "Next steps",
]  # fmt: skip
MODULES_RU = [
    "Введение", "Основные понятия", "Работа с темой «{t}»", "Первый проект", "Углубляемся", "Типичные ошибки",
    "Лучшие практики", "Проект из реальной жизни", "Проверка и доводка", "Собираем всё вместе", "Что дальше",
]  # fmt: skip
LECTURES_EN = [
    "Overview", "Setting up your tools", "A first example", "Key ideas explained", "Walkthrough", "Live demo",
    "Under the hood", "Exercise", "Frequently asked questions", "Tips from practice", "Case study", "Recap",
]  # fmt: skip
LECTURES_RU = [
    "Обзор", "Настраиваем инструменты", "Первый пример", "Ключевые идеи", "Разбор по шагам", "Живая демонстрация",
    "Как это устроено", "Упражнение", "Частые вопросы", "Советы из практики", "Разбор кейса", "Итоги",
]  # fmt: skip
SENTENCES = [
    "We start from the basics and build up one small step at a time.",
    "Every idea comes with an example you can run and change yourself.",
    "You will see where beginners usually get stuck and how to get unstuck.",
    "By the end of this part you will have working results to show.",
    "We compare two approaches and discuss when each of them fits.",
    "Take notes: the exercise at the end uses everything from this lesson.",
]
AUTHOR_FIRST = [
    "Olivia", "Liam", "Sofia", "Mateo", "Amara", "Kenji", "Elena", "Ravi", "Chloe", "Tomás", "Ingrid", "Kwame",
    "Yuki", "Lucía", "Omar", "Hannah", "Иван", "Анна", "Сергей", "Мария", "Павел", "Ольга",
]  # fmt: skip
AUTHOR_LAST = [
    "Bennett", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Rossi", "Novak", "Haddad", "Fischer", "Silva", "Kowalski",
    "Petrova", "Иванов", "Соколова", "Кузнецов", "Орлова",
]  # fmt: skip
EXTRA_AUTHORS = 25
NAMED_CREATORS = ["ada@agora.test", "grace@agora.test", "dmitri@agora.test", "frida@agora.test", "miles@agora.test"]


@dataclass
class Taxonomy:
    leaves: list[tuple[Category, list[tuple[str, str, str]]]]
    skills: dict[str, Skill]


@dataclass
class CourseSpec:
    course: Course
    revision: CourseRevision
    team: list[CourseMember]
    skill: Skill | None
    modules: list[tuple[Module, list[tuple[Lecture, list[Question], list[list[Option]], list[Resource]]]]] = field(
        default_factory=list
    )


def demo_catalog_load(*, course_count: int = COURSE_COUNT, seed: int = SEED) -> int:
    """Create what is missing of the demo catalog; return how many courses were added."""
    taxonomy = _taxonomy_ensure()
    authors = _authors_ensure()
    _resource_file_ensure()
    rng = random.Random(seed)
    now = timezone.now()
    added = 0
    specs = _course_specs(rng, taxonomy, authors, now, course_count)
    while batch := [spec for _, spec in zip(range(CHUNK), specs, strict=False)]:
        added += _insert(batch, now)
    return added


def _taxonomy_ensure() -> Taxonomy:
    for position, (name, skills) in enumerate(SKILL_AREAS.items()):
        area, _ = SkillArea.objects.get_or_create(slug=slugify(name), defaults={"name": name, "position": position})
        for skill in skills:
            Skill.objects.get_or_create(slug=slugify(skill), defaults={"name": skill, "area": area})
    other, _ = SkillArea.objects.get_or_create(slug="other", defaults={"name": "Other", "position": 99})
    leaves = []
    for position, (slug, name, subcategories) in enumerate(CATEGORIES):
        root, _ = Category.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
        for sub_position, (sub_slug, sub_name, topics) in enumerate(subcategories):
            leaf, _ = Category.objects.get_or_create(
                slug=sub_slug, defaults={"name": sub_name, "parent": root, "position": sub_position}
            )
            leaves.append((leaf, topics))
            for _en, _ru, skill in topics:
                Skill.objects.get_or_create(slug=slugify(skill), defaults={"name": skill, "area": other})
    return Taxonomy(leaves=leaves, skills={skill.name: skill for skill in Skill.objects.all()})


@transaction.atomic
def _authors_ensure() -> list[User]:
    """The demo creators of demo/accounts.py and EXTRA_AUTHORS more, with author profiles."""
    rng = random.Random(SEED)
    wanted = []
    for number in range(1, EXTRA_AUTHORS + 1):
        name = f"{AUTHOR_FIRST[(number * 7) % len(AUTHOR_FIRST)]} {AUTHOR_LAST[(number * 5) % len(AUTHOR_LAST)]}"
        wanted.append((f"author{number:02d}@agora.test", name))
    existing = set(User.objects.filter(email__in=[email for email, _ in wanted]).values_list("email", flat=True))
    missing = [(email, name) for email, name in wanted if email not in existing]
    if missing:
        password = make_password(DEMO_PASSWORD)
        users = User.objects.bulk_create(
            User(email=email, display_name=name, password=password, status=UserStatus.ACTIVE) for email, name in missing
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in users
        )
        specialities = [Specialisation.objects.get_or_create(name=name)[0] for name in ("Teaching", "Engineering")]
        expertise = list(Expertise.objects.all()[:8]) or [Expertise.objects.get_or_create(name="Teaching")[0]]
        profiles = Profile.objects.bulk_create(_author_profile(user, rng, specialities) for user in users)
        through = Profile.expertise.through
        through.objects.bulk_create(
            through(profile_id=profile.pk, expertise_id=rng.choice(expertise).pk) for profile in profiles
        )
    emails = NAMED_CREATORS + [email for email, _ in wanted]
    by_email = {user.email: user for user in User.objects.filter(email__in=emails)}
    return [by_email[email] for email in emails if email in by_email]


def _author_profile(user: User, rng: random.Random, specialities: list[Specialisation]) -> Profile:
    years = rng.randint(2, 25)
    return Profile(
        user=user,
        headline=rng.choice(["Teacher and practitioner", "Engineer who loves teaching", "Coach and author"]),
        specialisation=rng.choice(specialities),
        about=f"{user.display_name} has taught for {years} years and has helped thousands of learners.",
        years_of_teaching=years,
        degree=rng.choice(["", "MSc", "PhD", "BA"]),
    )


def _resource_file_ensure() -> None:
    if not default_storage.exists(RESOURCE_NAME):
        default_storage.save(RESOURCE_NAME, ContentFile(_tiny_pdf()))


def _tiny_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _course_specs(
    rng: random.Random, taxonomy: Taxonomy, authors: list[User], now: datetime.datetime, count: int
) -> Iterator[CourseSpec]:
    """Course plans in a fixed order; those whose slug exists are skipped (after drawing their numbers,
    so the rest stay the same)."""
    seen: set[str] = set()
    statuses = [CourseStatus.PUBLISHED] * count + [s for s, n in UNPUBLISHED.items() for _ in range(n)]
    for start in range(0, len(statuses), CHUNK):
        chunk = []
        for index in range(start, min(start + CHUNK, len(statuses))):
            chunk.append(_course_spec(rng, taxonomy, authors, now, index, statuses[index], seen))
        taken = set(Course.objects.filter(slug__in=[spec.course.slug for spec in chunk]).values_list("slug", flat=True))
        yield from (spec for spec in chunk if spec.course.slug not in taken)


def _course_spec(
    rng: random.Random,
    taxonomy: Taxonomy,
    authors: list[User],
    now: datetime.datetime,
    index: int,
    status: str,
    seen: set[str],
) -> CourseSpec:
    leaf, topics = taxonomy.leaves[index % len(taxonomy.leaves)]
    topic_en, topic_ru, skill_name = rng.choice(topics)
    russian = rng.random() < 0.25
    topic = topic_ru if russian else topic_en
    title = rng.choice(TITLES_RU if russian else TITLES_EN).format(t=topic)
    title = title[0].upper() + title[1:]
    slug = _unique_slug(title, seen)
    listing = _listing(rng, title, topic, leaf, russian, now)
    owner = authors[index % 5] if index < 40 else rng.choice(authors)  # the named demo creators get several
    published_at = now - datetime.timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 1440))
    created_at = published_at - datetime.timedelta(days=rng.randint(1, 60))
    # Inserted as drafts; _insert publishes them the way revision_approve_apply does.
    course = Course(slug=slug, created_by=owner, created_at=created_at, status=CourseStatus.DRAFT)
    revision = CourseRevision(
        created_at=created_at,
        number=1,
        created_by=owner,
        status=RevisionStatus.APPROVED if status == CourseStatus.PUBLISHED else RevisionStatus.DRAFT,
        description=_description(rng, topic_en, russian),
        requirements=_requirements(rng, russian),
        learning_outcomes=_outcomes(rng, topic, russian),
        **listing,
    )
    if status != CourseStatus.PUBLISHED:
        course.status = status
    for name, value in listing.items():
        setattr(course, name, value)
    course.current_price = listing["price"]
    if status == CourseStatus.PUBLISHED:
        revision.approved_at = published_at
        course.published_at = published_at
    spec = CourseSpec(course, revision, _team(rng, owner, authors), taxonomy.skills.get(skill_name))
    spec.modules = [_module(rng, topic, russian, position) for position in range(rng.randint(4, 9))]
    spec.modules[0][1][0][0].is_free_preview = True
    return spec


def _unique_slug(title: str, seen: set[str]) -> str:
    from agora.catalog.services import CYRILLIC_TO_LATIN

    base = slugify(title.lower().translate(CYRILLIC_TO_LATIN))[:80].strip("-")
    slug, number = base, 2
    while slug in seen:
        slug, number = f"{base}-{number}", number + 1
    seen.add(slug)
    return slug


def _listing(rng: random.Random, title: str, topic: str, leaf: Category, russian: bool, now: datetime.datetime) -> dict:
    free = rng.random() < 0.15
    price = 0 if free else rng.choice([999, 1299, 1499, 1999, 2499, 2999, 3999, 4999, 7999, 9999])
    discounted = not free and rng.random() < 0.3
    subtitle = (
        f"Курс «{topic}»: пошагово, с практикой и проверочными заданиями."
        if russian
        else f"Learn {topic} step by step, with hands-on projects and quizzes."
    )
    return {
        "title": title,
        "subtitle": subtitle,
        "category": leaf,
        "kind": "cohort" if rng.random() < 0.08 else "self_paced",
        "level": rng.choice(CourseLevel.values),
        "language": "ru" if russian else "en",
        "price": price,
        "discount_price": (price * rng.randint(20, 60) // 100 // 100) * 100 + 99 if discounted else None,
        "discount_ends_at": now + datetime.timedelta(days=rng.randint(2, 20)) if discounted else None,
        "gives_certificate": rng.random() < 0.6,
        "access_days": rng.choice([None, None, None, None, 180, 365]),
    }


def _description(rng: random.Random, topic: str, russian: bool) -> str:
    if russian:
        return (
            f"Этот курс — практическое введение в тему «{topic}».\n\n"
            "Мы идём от простого к сложному, и каждое занятие заканчивается упражнением.\n\n"
            "## Для кого этот курс\n\n- для начинающих\n- для тех, кто хочет освежить знания\n"
        )
    body = " ".join(rng.sample(SENTENCES, 3))
    return (
        f"This course is a practical, project-based introduction to **{topic}**.\n\n{body}\n\n"
        "## Who this course is for\n\n- Beginners who want a clear path\n- Practitioners filling in gaps\n"
        "- Anyone who learns best by doing\n"
    )


def _requirements(rng: random.Random, russian: bool) -> list[str]:
    if russian:
        return ["Компьютер с доступом в интернет", rng.choice(["Опыт не нужен", "Базовые знания по теме"])]
    return ["A computer with internet access", rng.choice(["No experience needed", "Some basic familiarity helps"])]


def _outcomes(rng: random.Random, topic: str, russian: bool) -> list[str]:
    if russian:
        items = [
            f"Понимать основы: {topic}",
            "Применять знания в реальных задачах",
            "Избегать типичных ошибок",
            "Самостоятельно довести проект до конца",
        ]
    else:
        items = [
            f"Understand the core ideas of {topic}",
            f"Build real projects with {topic}",
            "Avoid the most common mistakes",
            "Carry a project from idea to finish",
            "Keep learning on your own",
        ]
    return rng.sample(items, rng.randint(3, len(items)))


def _team(rng: random.Random, owner: User, authors: list[User]) -> list[CourseMember]:
    admin = CourseMember(user=owner, role=MemberRole.ADMIN, revenue_share_bp=BASIS_POINTS, position=0)
    co_author = rng.choice(authors)
    if rng.random() >= 0.12 or co_author.pk == owner.pk:
        return [admin]
    share = rng.choice([2000, 3000, 4000, 5000])
    admin.revenue_share_bp = BASIS_POINTS - share
    return [admin, CourseMember(user=co_author, role=MemberRole.CO_AUTHOR, revenue_share_bp=share, position=1)]


def _module(rng: random.Random, topic: str, russian: bool, position: int) -> tuple:
    titles = MODULES_RU if russian else MODULES_EN
    module = Module(key=uuid.UUID(int=rng.getrandbits(128)), title=titles[position].format(t=topic), position=position)
    lecture_titles = rng.sample(LECTURES_RU if russian else LECTURES_EN, rng.randint(3, 7))
    return module, [_lecture(rng, title, position) for position, title in enumerate(lecture_titles)]


def _lecture(rng: random.Random, title: str, position: int) -> tuple:
    kind = rng.choices(list(LectureKind.values), weights=[70, 15, 4, 8, 3])[0]
    lecture = Lecture(key=uuid.UUID(int=rng.getrandbits(128)), title=title, position=position, kind=kind)
    questions: list[Question] = []
    options: list[list[Option]] = []
    if kind == LectureKind.VIDEO:
        lecture.duration_seconds = rng.randint(3 * 60, 18 * 60)
    elif kind == LectureKind.TEXT:
        lecture.text = "\n\n".join(" ".join(rng.choices(SENTENCES, k=8)) for _ in range(rng.randint(3, 12)))
        lecture.duration_seconds = text_duration_estimate(lecture.text)
    elif kind == LectureKind.PDF:
        lecture.duration_seconds = rng.randint(5, 10) * 60
    elif kind == LectureKind.QUIZ:
        lecture.pass_mark_percent = 70
        for number in range(3):
            questions.append(
                Question(
                    key=uuid.UUID(int=rng.getrandbits(128)),
                    kind=QuestionKind.SINGLE,
                    text=f"Question {number + 1}: which statement is true?",
                    explanation="Review the previous lecture for the details.",
                    position=number,
                )
            )
            right = rng.randrange(3)
            options.append(
                [
                    Option(text=f"Statement {letter}", is_correct=i == right, position=i)
                    for i, letter in enumerate("ABC")
                ]
            )
        lecture.duration_seconds = len(questions) * 60
    else:
        lecture.assignment_instructions = "Apply what you learned in this module to a small project of your own."
        lecture.submission_kind = rng.choice(SubmissionKind.values)
        lecture.duration_seconds = 15 * 60
    resources = [Resource(title="Cheat sheet (PDF)", file=RESOURCE_NAME)] if rng.random() < 0.06 else []
    return lecture, questions, options, resources


@transaction.atomic
def _insert(specs: list[CourseSpec], now: datetime.datetime) -> int:
    """Insert courses with everything in them, a fixed number of bulk statements per chunk."""
    courses = Course.objects.bulk_create(spec.course for spec in specs)
    for spec, course in zip(specs, courses, strict=True):
        spec.revision.course = course
        for member in spec.team:
            member.course = course
    CourseMember.objects.bulk_create(member for spec in specs for member in spec.team)
    CourseRevision.objects.bulk_create(spec.revision for spec in specs)
    through = CourseRevision.skills.through
    through.objects.bulk_create(
        through(courserevision_id=spec.revision.pk, skill_id=spec.skill.pk) for spec in specs if spec.skill
    )
    for spec in specs:
        for module, lectures in spec.modules:
            module.revision = spec.revision
            module.duration_seconds = sum(lecture.duration_seconds for lecture, *_ in lectures)
    Module.objects.bulk_create(module for spec in specs for module, _ in spec.modules)
    lectures = [entry for spec in specs for module, entries in spec.modules for entry in _attach(module, entries)]
    Lecture.objects.bulk_create(lecture for lecture, _questions, _options, _resources in lectures)
    _insert_quizzes_and_resources(lectures)
    published = [spec for spec in specs if spec.revision.status == RevisionStatus.APPROVED]
    for spec in published:
        course_listing_apply(spec.course, spec.revision, _figures(spec), now)
    Course.objects.bulk_update([spec.course for spec in published], PUBLISHED_FIELDS)
    return len(specs)


def _attach(module: Module, entries: list[tuple]) -> list[tuple]:
    for lecture, *_rest in entries:
        lecture.module = module
    return entries


def _insert_quizzes_and_resources(lectures: list[tuple]) -> None:
    for lecture, questions, _options, resources in lectures:
        for item in [*questions, *resources]:
            item.lecture = lecture
    Question.objects.bulk_create(question for _lecture, questions, _o, _r in lectures for question in questions)
    for _lecture, questions, options, _resources in lectures:
        for question, answers in zip(questions, options, strict=True):
            for option in answers:
                option.question = question
    Option.objects.bulk_create(option for _l, _q, options, _r in lectures for answers in options for option in answers)
    Resource.objects.bulk_create(resource for _l, _q, _o, resources in lectures for resource in resources)


def _figures(spec: CourseSpec) -> RevisionFigures:
    return RevisionFigures(
        content_seconds=sum(module.duration_seconds for module, _ in spec.modules),
        module_count=len(spec.modules),
        lecture_count=sum(len(lectures) for _, lectures in spec.modules),
        has_downloadable_resources=any(entry[3] for _, lectures in spec.modules for entry in lectures),
        module_seconds={module.pk: module.duration_seconds for module, _ in spec.modules},
    )
