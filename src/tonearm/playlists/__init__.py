"""Playlists: ordered, collaborative, smart; collage covers; M3U8 and XSPF."""
