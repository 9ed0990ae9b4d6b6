"""The patterns figures are found with: numbers, number words, dates, prefixes, units, ranges and the words around them."""

from __future__ import annotations

import re

from assistant.figures import vocabulary as vocab
from assistant.text.patterns import MONTH, YEAR
from assistant.text.words import word_list

_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\d)"


_DATES = (
    rf"{MONTH}\.?\s+{_DAY},?\s+{YEAR}",  # Sept. 7, 2021
    rf"{_DAY}\s+(?:of\s+)?{MONTH}\.?,?\s+{YEAR}",  # 7 February 2016
    rf"{YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d)",  # 2021-09-07
    rf"\d{{1,2}}/\d{{1,2}}/{YEAR}",  # 12/31/2019
    rf"{MONTH}\.?,?\s+{YEAR}",  # June 2022
    rf"{MONTH}\.?\s+{_DAY}",  # August 15
    rf"{_DAY}\s+(?:of\s+)?{MONTH}",  # 28 January
)


_TENS_UNITS = rf"(?:{vocab.alternation(vocab.TENS)})-(?:{vocab.alternation(vocab.SMALL)})"  # twenty-five


_NUMBER_WORD = (
    rf"(?:{_TENS_UNITS}|{vocab.alternation([*vocab.SMALL, *vocab.TENS, *vocab.SCALES, 'hundred', 'dozen'])})"
)


_AFTER_SCALE = r"(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion))"  # "three hundred and forty two"


_WORD_NUMBER = (
    rf"\b(?:a\s+(?:dozen|hundred|thousand|million|billion|trillion)|{_TENS_UNITS}|{vocab.alternation([*vocab.SMALL, *vocab.TENS])})"
    rf"(?:(?:\s+|-|{_AFTER_SCALE}\s+and\s+){_NUMBER_WORD})*\b"
)


_ORDINAL_WORD = (
    rf"\b(?:(?:{vocab.alternation(vocab.TENS)})[-\s](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)"
    rf"|{vocab.alternation(vocab.ORDINAL_WORDS)})\b"
)


# What is not a figure, each rule applied where it is named:
# - a number glued to letters, or to a word by "-", "/" or ".": ids and versions ("5G", "G20", "A380",
#   "COVID-19", "Q4", "10-K"): _glued_left and the glued-suffix check in _read_number;
# - a malformed numeral ("3.2.1", "1,2,3"): NUMERAL; a phone number: _PHONE; a time or fraction ("10:30",
#   "1/2"): _read_slash; a footnote marker "(1)": _read_number;
# - a reference ("Section 3.2", "Article 5", "Chapter 4"): REFERENCE;
# - a name: a capitalised word, not the sentence's first, right before a bare number or count ("Super Bowl 50",
#   "Partner 2 Connect", "Web 3.0 technologies"): LABEL_WORD;
# - number words in titles ("Thirty Years' War"), a lone "one", a hyphen compound ("three-dimensional").
# Phone numbers are matched only to be skipped: "+86 10 1234 5678", "010-12345678".
_PHONE = r"\+\d{1,3}(?:[\s.-]\(?\d{1,4}\)?){2,5}(?!\d)|\(?\b0\d{1,3}\)?[-\s]\d{7,8}(?!\d)|\b\d{3}[-.]\d{3}[-.]\d{4}(?!\d)"


# a numeral token is read greedily and validated afterwards: no backtracking, so "1,1,1,…" stays linear
_NUMERAL_TOKEN = r"\d[\d,.]*\d|\d"


# What a figure starts with, one alternative per line; the first that matches wins.
CORE = re.compile(
    rf"""
    (?P<phone>(?-x:{_PHONE}))                               # +86 10 1234 5678 (matched to be skipped)
    | (?P<date>(?-x:{"|".join(_DATES)}))                    # Sept. 7, 2021 / 2021-09-07 / June 2022
    | (?P<fy>\bFY\s?'?(?:\d{{4}}|\d{{2}})(?![\w]))             # FY2019, FY 19
    | (?P<ordw>(?i-x:{_ORDINAL_WORD}))                      # twenty-first, third
    | (?P<words>(?i-x:{_WORD_NUMBER}))                      # three hundred and forty two, a dozen
    | (?P<num>(?-x:{_NUMERAL_TOKEN}))(?P<sfx>%|[A-Za-z]+)?  # 1,234.5 / 10% / 1.5bn / 5G
    """,
    re.VERBOSE,
)


NUMERAL = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


_CURRENCY_PREFIX = vocab.alternation(vocab.CURRENCY_PREFIXES)


_WORD_QUALIFIER = vocab.alternation(q for q in vocab.QUALIFIERS if q[0].isalpha())


PREFIX = re.compile(
    rf"(?:(?P<between>\b(?i:between)\s+)|(?P<qual>(?<![\w.])(?i:{_WORD_QUALIFIER})\s+|[~><≥≤]\s?))?"
    rf"(?P<minus1>(?<![\w])(?:[-−]|(?i:minus)\s+))?(?P<cur>(?<![A-Za-z]){_CURRENCY_PREFIX})?\s{{0,2}}"
    r"(?P<paren>\()?(?P<minus2>(?<![\w])[-−])?\Z"
)


SCALE_WORD = re.compile(r"\s*(?:-\s*)?(?i:(thousand|million|billion|trillion|bn|mn|mln|tn|trn))\b")


CURRENCY_SCALE = re.compile(r"\s?(?i:(bn|mn|mln|tn|trn|m|k|b))\b")


UNIT = re.compile(
    rf"\s{{0,2}}(?P<u>{vocab.alternation(s for *_, ss in vocab.UNIT_TABLE for s in ss)})(?![A-Za-z0-9])"
)


# A unit joined by a hyphen: "a 10-year plan", "a 3-hour delay", "a 5-year-old".
HYPHEN_UNIT = re.compile(
    r"""
    -(?P<u>
        year | month | week | day | hour | minute | second | decade | century      # time
      | degree                                                                     # temperature, angle
      | mile | metre | meter | kilometre | kilometer | yard | foot | inch | acre    # length, area
      | tonne | ton | pound | kilogram | karat | carat                             # weight
    )
    (?:-old)?(?![A-Za-z])
    """,
    re.VERBOSE,
)


YEARS_OLD = re.compile(r"\s+old\b")


PLURAL_BEFORE = re.compile(r"(?<![\w-])([a-z]{3,}s)(?:\s+(?:allowed|scored|made|won|lost|recorded))?\s*\Z")


HYPHEN_NOUN = re.compile(r"-([a-z]{3,})(?![\w-])")


NOT_NOUN_ENDINGS = tuple(word_list("al ic ous ive ed ing ly ary ish less ful like er est"))


RANGE = re.compile(
    rf"(?P<sep>\s*[-–‐]\s*|\s+(?:to|and|through)\s+)(?P<cur>{_CURRENCY_PREFIX})?\s?"
    rf"(?:(?P<num>{_NUMERAL_TOKEN})(?P<sfx>%|[A-Za-z]+)?|(?P<words>(?i:{_WORD_NUMBER})))"
)


# A word that makes the number after it a reference, not a figure: "Section 3.2", "Article 5", "§ 12".
REFERENCE = re.compile(
    r"""
    (?i:\b(?:
        sections? | articles? | chapters? | notes? | items? | part | clauses? | paragraphs? | para   # Section 3.2
      | figures? | fig\. | tables? | pages? | p\. | pp\.                                           # Table 4, p. 12
      | rules? | schedules? | appendix | exhibits? | annex | no\. | nos\. | vol\. | volume | issue  # Rule 10b-5
      | step | phase | level | grade | room | version | v\.                                          # Phase 3
      | episode | season | series | route | highway | platform | gate | flight | line | form        # Route 66
    ) | §)\s*\Z
    """,
    re.VERBOSE,
)


RANK_BEFORE = re.compile(
    r"(?i:\b(?:rank(?:ed|ing|s)?|plac(?:ed|ing|es)|finish(?:ed|ing|es)?|position(?:ed)?|came|comes)\s+"
    r"(?:(?:the|at|in)\s+)?)\Z"
)


RANK_AFTER = re.compile(
    r"(?:-|\s+)(?:largest|biggest|highest|lowest|best|most|smallest|richest|busiest|oldest|longest|ranked"
    r"|place|position|spot)\b"
)


TIME_PART = re.compile(r"\b(?i:(early|mid|late))(?:\s+|-)\Z")


CENTURY = re.compile(r"[\s-]+(?i:century)(?![\w-])")


CALENDAR_PART = re.compile(r"[\s-]+(?i:half|quarter)\b")


AGE = re.compile(r"(?i:\b(?:aged?|at\s+age|age\s+of)\s*)\Z")


FROM = re.compile(r"(?i:\bfrom\s*)\Z")


# after a number: the month that makes it a day ("15 June", "3rd of May")
DAY_OF_MONTH = re.compile(rf"(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}")


# a day of the month alone ("12" of "12 to 15 June"), and a date that starts with its day ("15 June 2021")
DAY = re.compile(_DAY)
DAY_FIRST = re.compile(rf"\d{{1,2}}{DAY_OF_MONTH.pattern}")


YEAR_PREPS = re.compile(
    r"(?i:\b(?:in|since|by|until|till|from|before|after|during|of|to|through|the|fiscal|and)\s*)\Z"
)


LABEL_WORD = re.compile(r"(?<![\w.])([A-Z][\w&'’.]*) \Z")  # one space: a tab or two start a table cell


NOT_LABELS = frozenset(
    word_list(
        "In On At By For From To Of Since Until After Before During The A An And Or With Than Between Each All "
        "Only Just Total Top Up Down Some About Over Nearly Almost Around Approximately Roughly Under Another Every "
        "Its Their Our His Her These Those That This If When While Where Per Plus Minus Are Is Was Were"
    )
)


MID_PREFIXES = frozenset(word_list("mid early late pre post end"))
