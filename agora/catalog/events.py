from django.dispatch import Signal

# payload: course_id, revision_id — the course's first approved revision made it public
course_published = Signal()
# payload: course_id, revision_id, previous_revision_id — a later revision replaced the public one
course_revision_approved = Signal()
