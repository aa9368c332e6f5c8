"""The Subsonic / OpenSubsonic API (1.16.1) at /rest/: a thin edge over the services."""
