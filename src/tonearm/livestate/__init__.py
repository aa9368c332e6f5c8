"""Live state shared by API processes: presence that expires, write-behind tallies,
open play sessions, rate limits. In memory for the embedded default, Redis when scaled out."""
