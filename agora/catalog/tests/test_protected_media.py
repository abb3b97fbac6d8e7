"""Lecture media and resources: who may read them (everyone else gets 404), HTTP Range for seeking,
the headers that keep browsers safe, signed redirects for object storage, and no public way around."""

import json
import re
import shutil
import subprocess
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import resolve, reverse

from agora.accounts.roles import ACCOUNTANT, ADMIN, MODERATOR
from agora.accounts.tests.factories import UserFactory
from agora.catalog import access, services
from agora.catalog.models import CourseStatus, Lecture, LectureKind, Resource
from agora.catalog.tests.factories import course_draft, course_published
from agora.catalog.tests.media_samples import media_samples_make, pdf_bytes, upload
from agora.catalog.uploads import UploadKind, lecture_folder, resource_folder, upload_check, upload_store

pytestmark = pytest.mark.django_db

ROLES = ["visitor", "learner", "other creator", "team", "co-author", "moderator", "admin", "accountant", "granted"]
STAFF_AND_TEAM = {"team", "co-author", "moderator", "admin"}
CURRICULUM = [[(LectureKind.VIDEO, 2, True), (LectureKind.VIDEO, 2, False), (LectureKind.PDF, 60, False)]]


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    return media_samples_make(tmp_path_factory.getbasetemp() / "media-samples")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def staff(role):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def people():
    author, co_author = UserFactory(), UserFactory()
    other_creator = UserFactory()
    course_published(author=other_creator, title="Someone else's course")
    return {
        "visitor": None,
        "learner": UserFactory(),
        "other creator": other_creator,
        "team": author,
        "co-author": co_author,
        "moderator": staff(MODERATOR),
        "admin": staff(ADMIN),
        "accountant": staff(ACCOUNTANT),
        "granted": UserFactory(),
    }


@pytest.fixture
def granter(people, monkeypatch):
    """What learning registers: here, one named user may read every lecture of the course."""
    granted = people["granted"]
    monkeypatch.setattr(
        access, "LECTURE_ACCESS_GRANTERS", [lambda user, lecture: user.pk == granted.pk and lecture.title != ""]
    )


def lecture_media_attach(lecture: Lecture, content: bytes, kind: UploadKind) -> str:
    course_id = lecture.module.revision.course_id
    stored = upload_store(upload_check(upload("x", content), kind), folder=lecture_folder(course_id))
    lecture.media.name = stored
    lecture.save(update_fields=["media"])
    return stored


@pytest.fixture
def course(people, samples):
    """A published course: a free-preview video, a video for enrolled learners, a PDF with a resource."""
    course = course_published(author=people["team"], curriculum=CURRICULUM, title="Media course")
    services.course_team_set(
        course=course,
        members=[
            services.TeamMember(user=people["team"], role="admin", revenue_share_bp=6000),
            services.TeamMember(user=people["co-author"], role="co_author", revenue_share_bp=4000),
        ],
        actor=people["team"],
    )
    preview, paid, pdf = Lecture.objects.filter(module__revision=course.published_revision).order_by("position")
    for lecture in (preview, paid):
        lecture_media_attach(lecture, samples.read("video.mp4"), UploadKind.VIDEO)
    lecture_media_attach(pdf, pdf_bytes("Slides"), UploadKind.PDF)
    checked = upload_check(upload("sheet.md", b"# Cheat sheet\n"), UploadKind.RESOURCE)
    paid_resource = Resource.objects.create(
        lecture=paid, title="Cheat sheet", file=upload_store(checked, folder=resource_folder(course.pk))
    )
    preview_resource = Resource.objects.create(lecture=preview, title="Slides/notes", file=pdf.media.name)
    return {
        "course": course,
        "preview": preview,
        "paid": paid,
        "pdf": pdf,
        "paid resource": paid_resource,
        "preview resource": preview_resource,
    }


def get(client, user, url, **headers):
    if user is not None:
        client.force_login(user)
    return client.get(url, headers=headers)


def media_url(lecture):
    return reverse("catalog:lecture-media", args=[lecture.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# Who may read


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_exactly_the_media_it_may(client, people, course, granter, role):
    allowed_paid = STAFF_AND_TEAM | {"granted"}
    urls = {
        "preview": media_url(course["preview"]),
        "paid": media_url(course["paid"]),
        "pdf": media_url(course["pdf"]),
        "preview resource": reverse("catalog:resource-file", args=[course["preview resource"].pk]),
        "paid resource": reverse("catalog:resource-file", args=[course["paid resource"].pk]),
    }
    expected = {
        "preview": 200,
        "preview resource": 200,
        **{name: 200 if role in allowed_paid else 404 for name in ("paid", "pdf", "paid resource")},
    }

    statuses = {name: get(client, people[role], url).status_code for name, url in urls.items()}

    assert statuses == expected


@pytest.mark.parametrize("role", ["visitor", "learner", "other creator", "accountant"])
def test_previews_of_unpublished_revisions_and_courses_are_not_public(client, people, course, role):
    draft = services.revision_draft_open(course=course["course"], actor=people["team"])
    draft_preview = Lecture.objects.get(module__revision=draft, key=course["preview"].key)
    unpublished = course_draft(author=people["team"], curriculum=CURRICULUM)
    unpublished_preview = Lecture.objects.get(module__revision__course=unpublished, position=0)
    lecture_media_attach(unpublished_preview, pdf_bytes(), UploadKind.PDF)
    assert draft_preview.is_free_preview and draft_preview.media.name == course["preview"].media.name

    statuses = [
        get(client, people[role], media_url(lecture)).status_code for lecture in (draft_preview, unpublished_preview)
    ]

    assert statuses == [404, 404]
    client.force_login(people["team"])
    assert [client.get(media_url(lecture)).status_code for lecture in (draft_preview, unpublished_preview)] == [
        200,
        200,
    ]


def test_a_blocked_course_has_no_public_preview(client, people, course):
    type(course["course"]).objects.filter(pk=course["course"].pk).update(status=CourseStatus.BLOCKED)

    assert client.get(media_url(course["preview"])).status_code == 404
    assert get(client, people["moderator"], media_url(course["preview"])).status_code == 200


def test_granters_are_asked_only_for_people_signed_in(client, course, monkeypatch):
    asked = []
    monkeypatch.setattr(access, "LECTURE_ACCESS_GRANTERS", [lambda user, lecture: asked.append(user) or True])

    assert client.get(media_url(course["paid"])).status_code == 404
    assert asked == []


def test_a_lecture_without_a_file_or_with_a_lost_file_is_404_for_its_team_too(client, people, course, media_root):
    lecture = course["paid"]
    (media_root / lecture.media.name).unlink()
    quiz_like = Lecture.objects.create(module=lecture.module, title="No file", position=9, kind=LectureKind.TEXT)
    client.force_login(people["team"])

    assert client.get(media_url(lecture)).status_code == 404
    assert client.get(media_url(quiz_like)).status_code == 404
    assert client.get(reverse("catalog:lecture-media", args=[999_999])).status_code == 404


def test_only_get_and_head_are_answered(client, course):
    assert client.post(media_url(course["preview"])).status_code == 405
    assert client.head(media_url(course["preview"])).status_code == 200


@pytest.mark.parametrize(("role", "queries"), [("visitor", 1), ("team", 4), ("moderator", 5), ("learner", 6)])
def test_media_costs_a_fixed_number_of_queries(client, people, course, django_assert_num_queries, role, queries):
    """The lecture with its course; signed in: session, user, then the team, the staff roles (and the
    404 page's menu permissions for a learner)."""
    lecture = course["preview"] if role == "visitor" else course["paid"]
    if people[role] is not None:
        client.force_login(people[role])

    with django_assert_num_queries(queries):
        response = client.get(media_url(lecture))

    assert response.status_code == (404 if role == "learner" else 200)


# What is sent


def test_a_video_is_sent_whole_with_safe_headers(client, course, samples):
    response = client.get(media_url(course["preview"]))

    assert response.status_code == 200
    assert body(response) == samples.read("video.mp4")
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == str(len(samples.read("video.mp4")))
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Disposition"] == 'inline; filename="Lecture 1.1.mp4"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=3600"


def test_a_pdf_lecture_opens_in_the_browser(client, people, course):
    response = get(client, people["team"], media_url(course["pdf"]))

    assert (response["Content-Type"], response["Content-Disposition"]) == (
        "application/pdf",
        'inline; filename="Lecture 1.3.pdf"',
    )
    assert body(response) == pdf_bytes("Slides")


def test_a_resource_downloads_under_its_title(client, people, course):
    paid = get(client, people["team"], reverse("catalog:resource-file", args=[course["paid resource"].pk]))
    preview = client.get(reverse("catalog:resource-file", args=[course["preview resource"].pk]))

    assert paid["Content-Type"] == "text/markdown; charset=utf-8"
    assert paid["Content-Disposition"] == 'attachment; filename="Cheat sheet.md"'
    assert body(paid) == b"# Cheat sheet\n"
    assert preview["Content-Disposition"] == 'attachment; filename="Slides notes.pdf"'


def test_a_title_in_another_alphabet_names_the_download_safely(client, people, course):
    Resource.objects.filter(pk=course["paid resource"].pk).update(title='Шпаргалка "1"\r\n.md')

    response = get(client, people["team"], reverse("catalog:resource-file", args=[course["paid resource"].pk]))

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%D0%A8%D0%BF%D0%B0%D1%80%D0%B3%D0%B0%D0%BB%D0%BA%D0%B0%20%221%22.md"
    )


# Ranges


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),  # the first bytes: what a player asks for first
        ("bytes=1000-1999", 1000, 1999),  # the middle: a seek
        ("bytes=-500", None, None),  # the last 500 bytes
        ("bytes=3000-", 3000, None),  # from a point to the end
        ("bytes=10-99999999", 10, None),  # past the end: up to the end
        ("bytes=-99999999", 0, None),  # a suffix longer than the file: all of it
    ],
)
def test_a_range_gets_exactly_those_bytes(client, course, samples, header, first, last):
    content = samples.read("video.mp4")
    size = len(content)
    first = size - 500 if first is None else first
    last = size - 1 if last is None else last

    response = client.get(media_url(course["preview"]), headers={"Range": header})

    assert response.status_code == 206
    assert body(response) == content[first : last + 1]
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert response["Content-Length"] == str(last - first + 1)
    assert (response["Content-Type"], response["Accept-Ranges"]) == ("video/mp4", "bytes")
    assert response["Cache-Control"] == "private, max-age=3600"


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes={size}-{size}", "bytes=-0", "bytes=99999999-"])
def test_a_range_past_the_end_is_unsatisfiable(client, course, samples, header):
    size = len(samples.read("video.mp4"))

    response = client.get(media_url(course["preview"]), headers={"Range": header.format(size=size)})

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize(
    "header", ["bytes=abc", "items=0-10", "bytes=20-10", "bytes=0-10,20-30", "bytes=-", "bytes 0-10", "0-10"]
)
def test_a_range_we_do_not_take_gets_the_whole_file(client, course, samples, header):
    response = client.get(media_url(course["preview"]), headers={"Range": header})

    assert response.status_code == 200
    assert body(response) == samples.read("video.mp4")


def test_a_browser_style_seek_returns_the_frames_it_asked_for(client, course, samples):
    """A player reads the start (the index: +faststart puts it first), then, to seek to 1 s, asks for
    the bytes from the key frame the index points at: it gets exactly that frame and what follows."""
    content = samples.read("video.mp4")
    url = media_url(course["preview"])
    frame = next(
        packet for packet in video_packets(samples) if "K" in packet["flags"] and float(packet["pts_time"]) >= 1
    )
    position, size = int(frame["pos"]), int(frame["size"])

    opening = client.get(url, headers={"Range": "bytes=0-"})
    opening_bytes = body(opening)
    seek = client.get(url, headers={"Range": f"bytes={position}-"})
    seek_bytes = body(seek)

    assert opening.status_code == 206 and opening_bytes == content
    assert content.find(b"moov") < content.find(b"mdat")
    assert seek.status_code == 206 and seek["Content-Range"] == f"bytes {position}-{len(content) - 1}/{len(content)}"
    assert position > 0 and seek_bytes[:size] == content[position : position + size]
    assert seek_bytes == content[position:]


def video_packets(samples) -> list[dict]:
    command = ["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time,pos,size,flags"]
    output = subprocess.run([*command, "-of", "json", str(samples.directory / "video.mp4")], capture_output=True)
    return json.loads(output.stdout)["packets"]


# Object storage


def test_object_storage_gets_a_short_lived_signed_redirect_after_the_access_check(client, people, course, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "agora-media",
                "endpoint_url": "https://objects.example.com",
                "region_name": "eu-west-1",
                "access_key": "AKIAEXAMPLE",
                "secret_key": "not-a-real-secret",
                "default_acl": "private",
                "querystring_auth": True,
                "signature_version": "s3v4",  # as config/settings/production.py
            },
        },
    }
    settings.MEDIA_SIGNED_URL_SECONDS = 120

    refused = client.get(media_url(course["paid"]))
    response = get(client, people["team"], reverse("catalog:resource-file", args=[course["paid resource"].pk]))

    assert refused.status_code == 404
    assert response.status_code == 302 and response["Cache-Control"] == "private, no-store"
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert location.netloc == "objects.example.com"
    assert location.path == f"/agora-media/{course['paid resource'].file.name}"
    assert query["X-Amz-Expires"] == ["120"] and "X-Amz-Signature" in query
    assert query["response-content-disposition"] == ['attachment; filename="Cheat sheet.md"']
    assert query["response-content-type"] == ["text/markdown; charset=utf-8"]


# No public way around


@pytest.mark.parametrize(
    "url",
    [
        "/media/{name}",
        "/media/covers/../{name}",
        "/media/covers/%2e%2e/{name}",
        "/media/avatars/..%2f{name}",
        "/media/covers/....//{name}",
        "/media/lectures/../{name}",
    ],
)
def test_protected_files_have_no_public_address(client, url):
    """The public routes serve avatars and covers from their own folders. A lecture file is planted
    beside them, in the media folder those routes were built with, so only their guard keeps it out."""
    media_root = resolve("/media/covers/x.jpg").kwargs["document_root"].parent
    folder = media_root / "lectures" / f"test-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    (folder / "secret.mp4").write_bytes(b"secret lecture")
    try:
        response = client.get(url.format(name=f"lectures/{folder.name}/secret.mp4"))
    finally:
        shutil.rmtree(folder)

    assert response.status_code in (400, 404)  # no route, or the route's guard against climbing out
    assert b"secret lecture" not in body(response)


def test_a_public_cover_is_served_in_the_default_mode(client, settings):
    covers_root = resolve("/media/covers/x.jpg").kwargs["document_root"]
    covers_root.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.jpg"
    (covers_root / name).write_bytes(b"\xff\xd8\xffpixels")
    try:
        response = client.get(f"/media/covers/{name}")
    finally:
        (covers_root / name).unlink()

    assert response.status_code == 200 and body(response) == b"\xff\xd8\xffpixels"


def test_stored_names_say_nothing_of_the_upload(course):
    assert re.fullmatch(rf"lectures/{course['course'].pk}/[0-9a-f]{{32}}\.mp4", course["paid"].media.name)


# The course page plays previews


def test_the_course_page_plays_free_previews_and_links_their_pdfs(client, course, django_assert_num_queries):
    Lecture.objects.filter(pk=course["pdf"].pk).update(is_free_preview=True)

    with django_assert_num_queries(6):  # as without media: the files' names come with the lectures
        page = client.get(reverse("catalog:course", args=[course["course"].slug]))

    html = page.content.decode()
    preview_url, paid_url, pdf_url = (media_url(course[name]) for name in ("preview", "paid", "pdf"))
    assert re.search(
        rf'<video class="lecture-preview" controls preload="metadata" width="640" height="360" src="{preview_url}"\s+'
        r'aria-label="Preview: Lecture 1.1">',
        html,
    )
    assert f'<a class="lecture-preview-link" href="{pdf_url}" target="_blank" rel="noopener">' in html
    assert paid_url not in html
    assert html.count("<video") == 1
    assert '<link rel="stylesheet" href="/static/css/media.css">' in html
