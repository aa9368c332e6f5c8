"""Changes pushed to open pages: a publish/subscribe feed, in-process or over Redis."""
