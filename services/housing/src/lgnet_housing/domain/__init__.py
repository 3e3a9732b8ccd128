"""Housing domain: shelters and their beds, safe matching, the placement lifecycle, the waitlist.

Pure: standard library only, no I/O, no clock (callers pass `now`). Every change returns the new
immutable aggregate plus what changed (events, reservation changes) for the application to persist.
"""
