from django.core.management.base import BaseCommand

from agora.demo.accounts import DEMO_PASSWORD, demo_accounts_load
from agora.demo.catalog import demo_catalog_load
from agora.demo.media import demo_media_load
from agora.demo.money import demo_money_load
from agora.demo.publishing import demo_publishing_load


class Command(BaseCommand):
    help = "Load the demo marketplace. Safe to run again: it adds what is missing and keeps the rest."

    def handle(self, *args: object, **options: object) -> None:
        logins = demo_accounts_load()
        added = demo_catalog_load()
        if added:
            self.stdout.write(f"Demo catalog: {added} courses added.")
        media = demo_media_load(log=self.stdout.write)
        if media.videos or media.pdfs:
            self.stdout.write(f"Demo media: {media.videos} preview videos, {media.pdfs} PDFs ({media.seconds:.1f} s).")
        reviewed = demo_publishing_load()
        if reviewed:
            self.stdout.write(f"Demo review queue: {reviewed} courses submitted for review.")
        demo_money_load()
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
        for email, role in logins:
            self.stdout.write(f"  {role:<11} {email}")
