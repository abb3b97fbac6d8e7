from django.dispatch import Signal

# payload: course_id, block_id — a moderator took a published course out of the catalog
course_blocked = Signal()
# payload: course_id, block_id — the course is back in the catalog
course_unblocked = Signal()
