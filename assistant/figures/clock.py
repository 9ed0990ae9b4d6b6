"""Times of day ("2:45 a.m.", "5 pm", "7:00 to 9:00 a.m.") and game clocks ("3:08 left")."""

from __future__ import annotations

import re

from assistant.figures.model import TIME_OF_DAY, Figure

# time left on a game clock: "3:08 left", "11:28 remaining in the quarter"
CLOCK_LEFT = re.compile(r"(\d{1,2}):([0-5]\d)(?=\s+(?:left|remaining|to\s+play|to\s+go)\b)")


# a time of day: "2:45 a.m.", "5 pm", "14:30" (after "at", "from", "until" ...), "7:00 to 9:00 a.m."
_CLOCK = re.compile(r"(\d{1,2})(?::([0-5]\d))?(?![\d:])")


_MERIDIEM = re.compile(r"\s?(?i:([ap])(?:\.\s?m\b\.?|\s?m\b))")  # "p.m." keeps its dots, "pm." is a full stop


_CLOCK_PREP = re.compile(r"(?i:\b(?:at|by|until|till|from|before|after|around|about|between|to|and)\s+)\Z")


_CLOCK_RANGE = re.compile(r"\s*(?:to|until|till|[-–])\s*")


def time_of_day(text: str, s: int) -> Figure | None:
    """A time of day starting at s, or None. A bare "16:18" (a verse, a ratio, a game clock) is a time only
    after a word like "at" or "until"; a bare "5" only with "a.m."/"pm"; a range takes its end's "a.m."/"p.m."."""
    first = _CLOCK.match(text, s)
    if first is None:
        return None
    end, upper, meridiem = first.end(), None, _MERIDIEM.match(text, first.end())
    if meridiem is None and (between := _CLOCK_RANGE.match(text, end)):
        second = _CLOCK.match(text, between.end())
        meridiem = _MERIDIEM.match(text, second.end()) if second else None
        if second is not None and meridiem is not None:
            upper, end = second, second.end()
    if meridiem is not None:
        end = meridiem.end()
    elif first.group(2) is None or not _CLOCK_PREP.search(text, max(0, s - 12), s):
        return None
    hours = [_hours(m, meridiem) for m in (first, upper) if m is not None]
    if any(h is None for h in hours):
        return None
    value, range_to = hours[0], hours[1] if len(hours) > 1 else None
    return Figure(text[s:end], s, end, value, TIME_OF_DAY, "date", range_to=range_to)


def _hours(clock: re.Match[str], meridiem: re.Match[str] | None) -> float | None:
    """Hours after midnight of "2:45" (with "a.m."/"p.m." when given), or None for no valid time."""
    hour, minute = int(clock.group(1)), int(clock.group(2) or 0)
    if meridiem is None:
        return hour + minute / 60 if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if meridiem.group(1).lower() == "p" else 0) + minute / 60
