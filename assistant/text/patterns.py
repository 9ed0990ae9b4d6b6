"""Date patterns shared by figure reading, tables, question reading and follow-ups: years and month names."""

from __future__ import annotations

# A year from 1000 to 2099, not inside a longer number: any year prose may name.
YEAR = r"(?<!\d)(?:1\d{3}|20\d{2})(?!\d)"
# A reporting period's century and year, 1900-2099, as table headers and questions about them name it
# ("2019", "FY2019", "2019/20"): narrower than YEAR, so that a cell such as 1450 is never read as a period.
# The callers set the boundaries each needs.
CENTURY = r"(?:19|20)"
PERIOD_YEAR = CENTURY + r"\d{2}"
# A month's name or abbreviation ("Sept.", "June"), not the start of a longer word.
MONTH = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?"
    r"|Sep(?:t(?:ember|\.)?|tember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)(?![A-Za-z])"
)
