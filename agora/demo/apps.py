from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for the default mode. The top layer: it may use every app's services."""

    name = "agora.demo"
    label = "demo"
