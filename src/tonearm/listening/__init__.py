"""Listening: play sessions, the 30-second rule, live listeners, charts and reports."""
