"""WSGI entry point for gunicorn: `gunicorn wsgi:app` (configuration from EWS_* variables)."""

from ews import create_app

app = create_app()
