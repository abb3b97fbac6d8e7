from django.db import models


class DevMessage(models.Model):
    """A message as the e-mail backend would have handed it to an SMTP server."""

    to = models.TextField()
    subject = models.CharField(max_length=255)
    text = models.TextField()
    html = models.TextField(blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
