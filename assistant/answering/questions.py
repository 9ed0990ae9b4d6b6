"""Read what a question asks for: a kind of figure, its unit, a period, a part, the words around it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answering.names import kind_asked
from assistant.figures.model import TIME_OF_DAY
from assistant.figures.nouns import counted_noun
from assistant.figures.vocabulary import lookup_unit
from assistant.text.patterns import YEAR
from assistant.text.words import STOPWORDS, words


@dataclass(frozen=True, slots=True)
class QuestionIntent:
    """What a question asks for; kind is None when it does not ask for a figure ("What is X?", "Who ...?")."""

    kind: str | None
    units: tuple[str, ...] = ()  # normalised like Figure.unit: "yuan", "percent", "base stations"
    period: str | None = None  # a time the question names: "2021", "last year"
    focus: tuple[str, ...] = ()  # lower-case content words the answer sentence should have near the figure
    change: bool = False  # the question asks how much something grew or fell
    part: str | None = None  # "year": only the year of a date; "start"/"end": one end of a span of years
    # the words naming what is measured: "unemployment" of "What was the unemployment rate?"
    measure: tuple[str, ...] = ()
    # a question for no figure may ask for a numbered name: "mission" and ("Apollo",) of "What Apollo mission
    # was the sixth Moon landing?" (see names.py)
    name_kind: str | None = None
    name_words: tuple[str, ...] = ()


def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_BE = r"(?:was|is|were|are)"


# what financial reports measure in money ("What was the depreciation expense in 2019?")
_FINANCIAL = (
    r"expenses?|allowances?|liability|liabilities|assets?|tax(?:es)?|benefits?|loss(?:es)?|gains?|depreciation"
    r"|amortization|amortisation|receivables?|payables?|debts?|cash|dividends?|guarantees?|deposits?|reserves?"
    r"|charges?|compensation|proceeds|bookings|write-downs?|impairments?|borrowings?|obligations?|provisions?"
)


# what a quantity noun follows: "the", "its", "Fresno's"
_WHOSE = r"(?:the\s+|its\s+|their\s+|his\s+|her\s+|(?:[\w.-]+\s+){0,3}[\w.-]+['’]s?\s+)"


_MEASURES = (
    r"distance|temperature|height|weight|length|rating|average|diameter|area|speed|resolution|pressure|depth"
    r"|elevation|altitude|capacity|width|radius|mass|density|frequency|wavelength|voltage"
)


# the rule matching earliest in the question wins ("How many people lived there when ..." asks for a count);
# on a tie the first listed ("what share" before "how many")
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rule(r"\bhow\s+old\b|\b(?:what|which)\s+age\b(?!\s+(?:of|period|group|range|bracket)\b)"), "age"),
    (
        # not "during what time" or "what time period/frame/of year": those ask for a time in history
        _rule(
            r"(?<!during\s)\b(?:what|which)\s+time\b(?!\s+(?:period|fram\w*|span|zone|of\s+(?:the\s+)?year))"
            r"|\bat\s+what\s+hour\b|\bwhat\s+hour\b"
        ),
        "time",
    ),
    (
        _rule(
            r"\bhow\s+long\b|\bfor\s+how\s+(?:long|many\s+(?:years|months|days))\b"
            rf"|\bwhat\s+{_BE}\s+{_WHOSE}(?:[\w-]+\s+){{0,2}}(?:time\s+limit|duration|life\s+expectancy|lifespan)\b"
            r"|\bwhat\s+duration\b"
            rf"|\bwhat\s+{_BE}\s+{_WHOSE}(?:[\w-]+\s+){{0,3}}(?:(?:useful|estimated|expected|remaining)\s+life"
            r"|(?:amortization|amortisation|vesting|depreciation|lease)\s+(?:period|term))\b"
        ),
        "duration",
    ),
    (
        _rule(
            r"\b(?:what|which)\s+(?:day|date|month)\b|\bwhen\s+exactly\b|\bon\s+what\s+(?:day|date)\b"
            rf"|\bwhat\s+{_BE}\s+{_WHOSE}(?:[\w-]+\s+){{0,2}}date\b"
        ),
        "date",
    ),
    (
        _rule(
            r"\b(?:what|which)\s+(?:[\w-]+\s+|(?:range|span)\s+of\s+)?(?:years?|decades?|centur(?:y|ies)|seasons?|era"
            r"|(?:time\s+)?period)\b"
            r"|\bwhen\b|\bduring\s+what\s+time\b"
            rf"|\bwhat\s+{_BE}\s+{_WHOSE}(?:[\w-]+\s+){{0,2}}year\b"
        ),
        "year",
    ),
    (
        _rule(
            r"\bhow\s+fast\b|\bby\s+how\s+much\b"
            rf"|\bwhat\s+{_BE}\s+the\s+(?:[\w-]+\s+)?(?:increase|decrease|change|decline|rise|growth|drop|fall)\s+in\b"
        ),
        "change",
    ),
    (
        _rule(
            r"\b(?:what|which)\s+(?:share|proportion|percentage|percent|fraction|portion|ratio)\b|\bwhat\s+%"
            rf"|\bwhat\s+{_BE}\s+(?:{_WHOSE})?(?:[\w-]+\s+){{0,3}}(?<!per\s)(?<!exchange\s)"
            r"(?:share|proportion|percentage|rate|ratio)\b"
            r"|\bhow\s+much\s+of\b|\bpercentage\b"
        ),
        "percent",
    ),
    (
        _rule(
            r"\b(?:what|which)\s+(?:rank|place|position|ranking|anniversary)\b|\brank(?:ed|s|ing)?\b"
            rf"|\bwhat\s+{_BE}\s+{_WHOSE}(?:[\w-]+\s+){{0,2}}(?:rank|ranking)\b"
        ),
        "ordinal",
    ),
    (
        _rule(
            r"\bhow\s+many\b|\bhow\s+(?:may|man)\s+(?!(?:this|his|its|us)\b)(?=[a-z]+s\b)"
            rf"|\bwhat\s+{_BE}\s+{_WHOSE}(?:[\w-]+\s+){{0,2}}(?:number|population|count|attendance)\b"
        ),
        "count",
    ),
    (_rule(r"\bhow\s+much\b"), "how much"),
    (
        _rule(
            r"\bhow\s+(?:large|big|huge|great|sizable|significant)\b|\bwhat\s+(?:size|scale|amount)\b"
            r"|\bwhat\s+(?:was|is|were|are)\s+the\s+(?:\w+\s+){0,3}(?:size|scale|value|amount|total|volume|worth)\b"
            rf"|\bwhat\s+{_BE}\s+{_WHOSE}(?:[\w-]+\s+){{0,2}}(?:output|production|consumption|exports|imports"
            r"|emissions|turnover)\b"
        ),
        "amount",
    ),
    (
        _rule(
            r"\bwhat\s+(?:was|is)\s+the\s+(?:final\s+)?score\b|\b(?:win|won)[/-](?:loss|lost)\s+(?:ratio|record)\b"
            rf"|\bwhat\s+{_BE}\s+{_WHOSE}(?:(?:regular[\s-])?season\s+)?record\b"
        ),
        "score",
    ),
    (
        _rule(
            r"\bwhat\s+(?:was|is|were|are)\s+(?:the\s+|its\s+|their\s+)?"
            r"(?:(?!(?:included|comprised|contained|consist\w*)\b)[\w'’-]+\s+){0,3}(?:revenues?|costs?|prices?"
            r"|income|profits?|sales|budget|spending|investment|gdp|expenses?|salary|earnings|prize|fees?|offer|bid"
            r"|(?:accrued\s+)?interest|penalties"
            rf"|wages?|fines?|{_FINANCIAL})\b"
            r"|\bwhat\s+(?:would|will|did|does|do|must|should|might|could)\s+(?:[\w'’]+\s+){0,5}(?:pay|cost|charge)\b"
            r"(?!\s+of\b)|\b(?:fees?|tuition)\b.*\brise\s+to\b"
            r"|\b(?:upper|lower)\s+(?:end|range|limit)\s+of\s+(?:[\w-]+\s+)?(?:fees?|tuition|prices?|costs?)\b"
        ),
        "money",
    ),
    (
        _rule(
            rf"\bhow\s+(?:tall|far|high|deep|wide|heavy)\b|\bwhat\s+(?:{_MEASURES})\b"
            rf"|\bwhat\s+{_BE}\s+{_WHOSE}(?:[\w-]+\s+){{0,3}}(?:{_MEASURES})\b"
            r"|\bwhat\s+(?:is|was|are|were)\s+the\s+(?:most|fewest|highest|lowest|largest|maximum|minimum)\b"
            r"|\b(?:what|which)\s+(?:other\s+)?(?:number|yard\s+line)\b|\batomic\s+number\b"
            r"|\b(?:greater|larger|bigger|higher|lower|smaller|more|less|fewer|older|younger)\s+than\s+what\b"
            r"|\bwhat\s+(?:does|did|do|will|would|can)\s+(?:[\w'’\"-]+\s+){1,8}weigh\b"
        ),
        "number",
    ),
)


_CHANGE = _rule(
    r"\bhow\s+fast\b|\bby\s+how\s+much\b|\bgrowth\b|\brate\s+of\s+(?:increase|decline)\b"
    r"|\b(?:grow|grew|increase[ds]?|rise|rose|fall|fell|decline[ds]?|drop(?:ped)?|decrease[ds]?|change[ds]?)\b"
)


_MONEY_WORDS = re.compile(
    r"\b(?:yuan|rmb|renminbi|dollars?|usd|euros?|pounds?|sterling|yen|value[ds]?|worth|revenues?|gdp|costs?|price[sd]?"
    r"|spen[dt]|spending|invest(?:ed|ment)?|sales|income|profits?|budget|econom(?:y|ies)|market|funding|funds?"
    r"|expenditure|earnings|turnover|capital|money|paid|pay|" + _FINANCIAL + r")\b|[$€£¥]",
    re.IGNORECASE,
)


_DATA_WORDS = re.compile(
    r"\b(?:data|zb|eb|pb|tb|gb|[a-z]*bytes?|storage|output\s+of\s+data)\b", re.IGNORECASE
)


_CONTRACTION = re.compile(r"\b(what|how|who|where|when)['’]s\b", re.IGNORECASE)


_IN_UNIT = re.compile(r"\bin\s+([^\W\d_]+)\s*\??\s*\Z")


_AS_SHARE = re.compile(r"\bas\s+an?\s+(?:percentage|percent|share|proportion|fraction)\s+of\b", re.IGNORECASE)


_HOW_MANY_SCALE = re.compile(
    r"\bhow\s+many\s+(?:hundred|thousand|million|billion|trillion)s?\b", re.IGNORECASE
)


_REACHED = re.compile(r"\bto\s*\??\s*\Z", re.IGNORECASE)


_TIME_WORDS = re.compile(r"\bhow\s+much\s+time\b", re.IGNORECASE)


_MEASURE = re.compile(
    r"\bhow\s+(?:many|much)\s+(?P<after>(?:(?!(?:did|does|do|is|was|were|are|has|have|had|will|would|can|could"
    r"|in|of|for|at|on|by|to|from|with|than|per)\b)[\w'’-]+\s+){0,3})"
    r"|\b(?:the|its|their|[\w.-]+['’]s?)\s+(?P<before>(?:[\w'’-]+\s+){1,2}?)"
    r"(?:rate|share|percentage|proportion|number|amount|size|value|level|population)\b",
    re.IGNORECASE,
)


# words that name no particular quantity ("how much money", "how many people", "the total number")
_GENERIC_MEASURES = words("money time people persons times total overall average annual current")


_START_WORDS = _rule(r"\b(?:born|birth|begin|began|begun|start(?:ed)?|found(?:ed)?|establish(?:ed)?)\b")


_END_WORDS = _rule(r"\b(?:die|died|death|end|ended|finish(?:ed)?|dissolved|abolished|fall|fell|collapsed?)\b")


_YEAR_WORD = _rule(r"\byear\b")


_HOW_MANY = re.compile(r"\bhow\s+ma(?:ny|y|n)\s+(.*)", re.IGNORECASE)


YEAR_RE = re.compile(YEAR)


_RELATIVE_PERIOD = re.compile(r"\b(?:last|this|next)\s+year\b", re.IGNORECASE)


WORD = re.compile(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*", re.IGNORECASE)


_STOPWORDS = STOPWORDS | words(
    """after all almost am amount another any approximately around before being big both date day did do does done
    during each either ever every exactly fast figure fraction great having he her here him his how huge i if just
    large level long many me month much must my nearly neither no nor number old only other our own percent
    percentage place portion position proportion rank ranked ratio roughly s same scale shall share she since size so
    some still such them then there they total until us value very we what whether while why year years you your"""
)  # capitalised stopwords that do not start a name ("In 2021, How ...", "What I ...")


_NAME_STOPWORDS = words("i a an the of in on at to for by and or how what which who when where why")


def analyse_question(question: str) -> QuestionIntent:
    """The intent of a question: what kind of figure it wants, in which unit, for when, about what."""
    kind, units, change = _kind_and_units(question)
    period = _period(question)
    unit_words = {w for u in units for w in u.lower().split()}
    focus: list[str] = []
    for m in WORD.finditer(question):
        word = re.sub(r"['’]s$", "", m.group().lower())
        # a capitalised word after the first is part of a name ("the Large Catechism", "the Old Testament")
        name = m.start() > 0 and m.group()[0].isupper() and question[: m.start()].strip() != ""
        if (
            len(word) > 1
            and (word not in _STOPWORDS or (name and word not in _NAME_STOPWORDS))
            and word not in unit_words
            and word not in (period, *focus)
        ):
            focus.append(word)
    measure = _measure(question) if kind is not None else ()
    name_kind, name_words = kind_asked(question) if kind is None else (None, ())
    return QuestionIntent(
        kind,
        tuple(units),
        period,
        tuple(focus),
        change,
        _part(question, kind),
        measure,
        name_kind,
        name_words,
    )


def _kind_and_units(question: str) -> tuple[str | None, list[str], bool]:
    question = _CONTRACTION.sub(r"\1 is", question)
    hits = [
        (m.start(), i, name) for i, (pattern, name) in enumerate(_RULES) if (m := pattern.search(question))
    ]
    rule = min(hits)[2] if hits else None
    # "What were the expenses, as a percentage of revenue?" asks for a percent, whatever matched first
    if rule is not None and _AS_SHARE.search(question):
        rule = "percent"
    units = _unitwords(question)
    if rule is None:
        # "What will the trophy weigh in pounds?": a question that ends naming a unit asks for a figure in it
        asked = _IN_UNIT.search(question)
        found = lookup_unit(asked.group(1)) if asked else None
        if found is not None and found[0] not in ("money", "duration"):
            return found[0], [found[1]], False
        return None, units, False
    if rule == "age":
        return "duration", ["years"], False
    if rule == "time":
        return "date", [TIME_OF_DAY], False
    if rule == "change":
        # "by how much did revenue grow": money when the question is about money, else a rate
        money = _MONEY_WORDS.search(question) and not re.search(r"\bpercent|%|\brate\b", question, re.I)
        return ("money" if money else "percent"), units, True
    if rule == "percent":
        return (
            "percent",
            ["percent", *(u for u in units if u != "percent")],
            _CHANGE.search(question) is not None,
        )
    if rule == "score":
        return "number", ["score"], False
    if rule == "count" and _HOW_MANY_SCALE.search(question):  # "How many million of receivables were sold?"
        rule = "how much"
    elif rule == "count":
        return _how_many(question, units)
    if rule in ("money", "amount", "how much"):
        if _DATA_WORDS.search(question):
            return "data_size", units, False
        if rule == "how much" and _TIME_WORDS.search(question):
            return "duration", units, False
        if rule == "money" or _MONEY_WORDS.search(question) or any(_is_money(u) for u in units):
            # "What might the fees rise to?" asks for the level reached, not the change
            return "money", units, _CHANGE.search(question) is not None and not _REACHED.search(question)
        # "how much rain", "what was the size of the audience": a quantity, not money
        return "number", units, False
    return rule, units, False


def _measure(question: str) -> tuple[str, ...]:
    """The topic words of the quantity asked for: "data" of "How much data ...", "unemployment" of "What was
    the unemployment rate ...", "base stations" of "How many 5G base stations ..."."""
    words: list[str] = []
    for m in _MEASURE.finditer(question):
        phrase = m.group("after") or m.group("before") or ""
        words += [
            w
            for w in WORD.findall(phrase.lower())
            if w not in _STOPWORDS and w not in _GENERIC_MEASURES and not _unit_or_verb(w)
        ]
    return tuple(dict.fromkeys(words))


def _unit_or_verb(word: str) -> bool:
    """A unit says how the quantity is measured, not what ("How many kgs of moon rocks ..."), and a past-tense
    verb follows the measured noun ("How much time remained ..."): neither names the topic."""
    return lookup_unit(word) is not None or (len(word) > 5 and word.endswith("ed"))


def _part(question: str, kind: str | None) -> str | None:
    """Which part of a time the question wants: "born" the start of "(1249–1314)", "what year" a date's year."""
    if kind not in ("year", "date"):
        return None
    if _START_WORDS.search(question):
        return "start"
    if _END_WORDS.search(question):
        return "end"
    return "year" if kind == "year" and _YEAR_WORD.search(question) else None


def _is_money(unit: str) -> bool:
    found = lookup_unit(unit)
    return found is not None and found[0] == "money"


def _how_many(question: str, units: list[str]) -> tuple[str, list[str], bool]:
    """ "How many 5G base stations ..." -> count of "base stations"; "how many years" -> a duration."""
    m = _HOW_MANY.search(question)
    noun = counted_noun(m.group(1)) if m else None
    if noun is None:
        return "count", units, False
    found = lookup_unit(noun)
    if found is not None:
        return found[0], [found[1]], False
    return "count", [noun, *(u for u in units if u != noun)], False


def _unitwords(question: str) -> list[str]:
    units: list[str] = []
    for word in WORD.findall(question) + re.findall(r"[%$€£¥]", question):
        found = lookup_unit(word)
        if found is not None and found[0] != "duration" and found[1] not in units:
            units.append(found[1])
    return units


def _period(question: str) -> str | None:
    year = YEAR_RE.search(question)
    if year:
        return year.group()
    relative = _RELATIVE_PERIOD.search(question)
    return " ".join(relative.group().lower().split()) if relative else None
