"""The admin as a WSGI application for a server's own command line:
``gunicorn -k gthread -w 2 --threads 4 admin.wsgi:app`` (``run_admin.py`` does the same)."""
from admin import create_app

app = create_app()
