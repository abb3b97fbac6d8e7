import pytest
from django.urls import reverse

from agora.core.mail import email_enqueue

pytestmark = pytest.mark.django_db


def test_sent_messages_are_listed_newest_first_as_json(client, mail_outbox_flush):
    email_enqueue(to="first@example.com", subject="First", text="One https://example.com/a")
    email_enqueue(to="second@example.com", subject="Second", text="Two", html="<p>Two</p>")
    mail_outbox_flush()

    response = client.get("/dev/mail/api/messages")

    assert response.status_code == 200
    messages = response.json()
    assert [(m["to"], m["subject"], m["text"], m["html"]) for m in messages] == [
        ("second@example.com", "Second", "Two", "<p>Two</p>"),
        ("first@example.com", "First", "One https://example.com/a", ""),
    ]
    assert set(messages[0]) == {"id", "to", "subject", "text", "html", "sent_at"}


def test_message_page_shows_the_text_with_working_links(client, mail_outbox_flush):
    email_enqueue(to="a@example.com", subject="Activate", text="Go to http://localhost:8000/accounts/x/ now")
    message = mail_outbox_flush()[0]

    listing = client.get(reverse("devmail:list")).content.decode()
    page = client.get(reverse("devmail:detail", args=[message.pk])).content.decode()

    assert reverse("devmail:detail", args=[message.pk]) in listing
    assert '<a href="http://localhost:8000/accounts/x/"' in page


def test_queued_but_unsent_mail_is_not_shown(client):
    email_enqueue(to="a@example.com", subject="Queued", text="Not yet")

    assert client.get("/dev/mail/api/messages").json() == []
