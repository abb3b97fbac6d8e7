"""Demo media: short real videos made with ffmpeg for some demo courses' free-preview lectures, and
PDF handbooks for PDF lectures and as a downloadable resource, all stored through the same
upload_check / upload_store as a creator's uploads (docs/media.md).

Generated videos are kept in var/demo-media/, so loading again only stores what is missing; a
lecture that already has a file is left alone. Without ffmpeg the videos are skipped with a note.
"""

import hashlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.text import slugify

from agora.catalog.models import Course, CourseStatus, Lecture, LectureKind, Module, Resource
from agora.catalog.selectors import course_list_featured
from agora.catalog.uploads import UploadKind, lecture_folder, resource_folder, upload_check, upload_store
from agora.core.errors import ServiceError
from agora.demo.catalog import NAMED_CREATORS

FFMPEG = "ffmpeg"
VIDEO_SECONDS = 8
VIDEO_VERSION = 1  # bump to make every cached video again
COURSES_PER_CREATOR = 2
FEATURED_COURSES = 6
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
]
BACKGROUNDS = ["0x1e3a5f", "0x3b2d5c", "0x1f4d3a", "0x5c2d2d", "0x2d4a5c", "0x4a3b1e"]
HANDBOOK_NAME = "Course handbook"


@dataclass
class DemoMediaResult:
    videos: int = 0
    pdfs: int = 0
    seconds: float = 0.0


def demo_media_load(*, cache_dir: Path | None = None, log: Callable[[str], None] = print) -> DemoMediaResult:
    """Store what is missing of the demo media; return what was added."""
    started = time.monotonic()
    result = DemoMediaResult()
    result.pdfs = _pdf_lectures_fill()
    if shutil.which(FFMPEG) is None:
        log("Demo media: ffmpeg is not installed, so the preview lectures have no videos (apt install ffmpeg).")
    else:
        result.videos = _preview_videos_fill(cache_dir or Path(settings.VAR_DIR) / "demo-media", log)
    result.seconds = time.monotonic() - started
    return result


def _pdf_lectures_fill() -> int:
    """A handbook for each PDF lecture of a published revision that has no file yet."""
    lectures = _published(Lecture.objects.filter(kind=LectureKind.PDF, media=""))
    for lecture in lectures:
        course = lecture.module.revision.course
        name = _store(
            pdf_handbook(course.title, lecture.title), "handbook.pdf", UploadKind.PDF, lecture_folder(course.pk)
        )
        Lecture.objects.filter(pk=lecture.pk).update(media=name)
    return len(lectures)


def _preview_videos_fill(cache_dir: Path, log: Callable[[str], None]) -> int:
    lectures = _published(
        Lecture.objects.filter(
            module__revision__course__in=_showcase_courses(), is_free_preview=True, kind=LectureKind.VIDEO, media=""
        )
    )
    for lecture in lectures:
        course = lecture.module.revision.course
        try:
            video = _video_cached(cache_dir, course.title)
            _preview_attach(lecture, video)
        except (OSError, subprocess.SubprocessError, ServiceError) as error:
            log(f"Demo media: no preview video for {course.title!r} ({error}).")
            return 0
    return len(lectures)


def _published(lectures: QuerySet[Lecture]) -> list[Lecture]:
    return list(
        lectures.filter(module__revision__course__status=CourseStatus.PUBLISHED)
        .filter(module__revision=F("module__revision__course__published_revision"))
        .select_related("module__revision__course")
        .order_by("id")
    )


def _showcase_courses() -> list[int]:
    """What a newcomer opens first: the home page's courses and the demo creators' own."""
    ids = [course.pk for course in course_list_featured(viewer=None, limit=FEATURED_COURSES)]
    per_creator: dict[int, int] = {}
    named = Course.objects.filter(status=CourseStatus.PUBLISHED, created_by__email__in=NAMED_CREATORS)
    for course_id, creator_id in named.order_by("id").values_list("id", "created_by_id"):
        if per_creator.setdefault(creator_id, 0) < COURSES_PER_CREATOR:
            per_creator[creator_id] += 1
            ids.append(course_id)
    return ids


@transaction.atomic
def _preview_attach(lecture: Lecture, video: bytes) -> None:
    """The video becomes the lecture's media and its real length the lecture's, its module's and its
    course's (as approval would have computed them); the handbook comes with it as a resource."""
    course = lecture.module.revision.course
    checked = upload_check(SimpleUploadedFile("preview.mp4", video, "video/mp4"), UploadKind.VIDEO)
    change = checked.duration_seconds - lecture.duration_seconds
    Lecture.objects.filter(pk=lecture.pk).update(
        media=upload_store(checked, folder=lecture_folder(course.pk)), duration_seconds=checked.duration_seconds
    )
    Module.objects.filter(pk=lecture.module_id).update(duration_seconds=F("duration_seconds") + change)
    handbook = _store(
        pdf_handbook(course.title, HANDBOOK_NAME), "handbook.pdf", UploadKind.RESOURCE, resource_folder(course.pk)
    )
    Resource.objects.create(lecture=lecture, title=f"{HANDBOOK_NAME} (PDF)", file=handbook, position=99)
    Course.objects.filter(pk=course.pk).update(
        content_seconds=F("content_seconds") + change, has_downloadable_resources=True
    )


def _store(content: bytes, name: str, kind: UploadKind, folder: str) -> str:
    return upload_store(upload_check(SimpleUploadedFile(name, content), kind), folder=folder)


def _video_cached(cache_dir: Path, title: str) -> bytes:
    """An 8-second 640×360 H.264/AAC MP4 (index first, so it starts at once) with the title on a
    coloured background and a quiet tone; made once per title, then read from the cache."""
    key = hashlib.sha256(f"{VIDEO_VERSION}|{title}".encode()).hexdigest()[:12]
    path = cache_dir / f"{slugify(title)[:40] or 'course'}-{key}.mp4"
    if not path.exists():
        cache_dir.mkdir(parents=True, exist_ok=True)
        _video_make(path, title, BACKGROUNDS[int(key, 16) % len(BACKGROUNDS)])
    return path.read_bytes()


def _video_make(path: Path, title: str, background: str) -> None:
    font = next((candidate for candidate in FONT_CANDIDATES if Path(candidate).exists()), None)
    with tempfile.TemporaryDirectory() as work:
        partial = Path(work) / "video.mp4"
        lines = _title_lines(title)
        for number, line in enumerate(lines):
            (Path(work) / f"title-{number}.txt").write_text(line)
        size = max(16, min(30, int(1000 / max(len(line) for line in lines))))  # ~0.6 em a letter, 600 px
        try:
            _ffmpeg(partial, background, _captions(font, Path(work), len(lines), size) if font else "")
        except subprocess.CalledProcessError:  # an ffmpeg built without drawtext: colour and tone only
            _ffmpeg(partial, background, "")
        partial.replace(path)  # only whole videos ever land in the cache


def _title_lines(title: str) -> list[str]:
    """One line, or two split at the space nearest the middle when the title is long."""
    spaces = [index for index, character in enumerate(title) if character == " "]
    if len(title) <= 36 or not spaces:
        return [title]
    split = min(spaces, key=lambda index: abs(index - len(title) // 2))
    return [title[:split], title[split + 1 :]]


def _captions(font: str, work: Path, line_count: int, size: int) -> str:
    """The title's lines centred above the middle (read from files: no escaping of what they say),
    a subtitle below it, and the running time at the bottom."""
    common = f"fontfile={font}:fontcolor=white:x=(w-text_w)/2"
    filters = [
        f"drawtext={common}:textfile={work / f'title-{number}.txt'}:expansion=none:fontsize={size}"
        f":y=h/2-8-{(line_count - number) * (size + 10)}"
        for number in range(line_count)
    ]
    filters.append(f"drawtext={common}:text='Agora · free preview':expansion=none:fontsize=18:y=h/2+16:alpha=0.8")
    filters.append(f"drawtext={common}:text='%{{pts\\:hms}}':fontsize=16:y=h-40:alpha=0.7")
    return ",".join(filters)


def _ffmpeg(output: Path, background: str, video_filter: str) -> None:
    seconds = str(VIDEO_SECONDS)
    command = [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c={background}:size=640x360:rate=25"]
    command += ["-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100", "-t", seconds]
    command += ["-vf", video_filter] if video_filter else []
    command += ["-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-g", "50"]
    command += ["-c:a", "aac", "-b:a", "64k", "-af", "volume=0.05", "-movflags", "+faststart", str(output)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def pdf_handbook(course_title: str, heading: str) -> bytes:
    """A one-page A4 PDF written by hand (standard fonts, Latin-1 text only)."""
    title = course_title if _latin1(course_title) else "Your course"
    lines = [
        (20, title),
        (14, heading if _latin1(heading) else HANDBOOK_NAME),
        (11, ""),
        (11, "This handbook comes with the course. Keep it next to you while you watch the lectures."),
        (11, ""),
        (11, "1. Watch each lecture once without pausing, then again with the exercise open."),
        (11, "2. Take notes in your own words: a line per idea is enough."),
        (11, "3. Try every exercise before you look at the solution."),
        (11, "4. Ask in the course chat when you are stuck for more than twenty minutes."),
        (11, ""),
        (9, "Agora demo material. Made by the demo data loader, not by the course's authors."),
    ]
    return pdf_document(lines)


def pdf_document(lines: list[tuple[int, str]]) -> bytes:
    """A valid single-page PDF: catalog, pages, page, two fonts, one content stream, cross-reference
    table and trailer; each line is (font size, text)."""
    text = ["BT", "72 770 Td"]
    for number, (size, line) in enumerate(lines):
        font = "F1" if number < 2 else "F2"
        text += [f"/{font} {size} Tf", f"({_pdf_string(line)}) Tj", f"0 -{size + 8} Td"]
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R"
        b" /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    output = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table_at = len(output)
    output += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    output += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    output += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, table_at)
    return bytes(output)


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True
