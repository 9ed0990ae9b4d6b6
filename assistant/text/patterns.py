"""Date patterns shared by figure reading, question reading and follow-ups: years and month names."""

from __future__ import annotations

# A year from 1000 to 2099, not inside a longer number.
YEAR = r"(?<!\d)(?:1\d{3}|20\d{2})(?!\d)"
# A month's name or abbreviation ("Sept.", "June"), not the start of a longer word.
MONTH = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?"
    r"|Sep(?:t(?:ember|\.)?|tember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)(?![A-Za-z])"
)
