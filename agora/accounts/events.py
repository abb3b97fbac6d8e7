from django.dispatch import Signal

# payload: user_id
user_activated = Signal()
# payload: user_id
user_closed = Signal()
# payload: user_id, reason
user_suspended = Signal()
