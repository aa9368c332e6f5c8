"""What listeners leave behind: timed comments on tracks, and the play queue that
follows a person across devices."""
