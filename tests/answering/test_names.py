"""Numbered names: found in sentences, asked for by "which mission / route / act" questions."""

from __future__ import annotations

import pytest

from assistant.answering.names import kind_asked, names_asked, numbered_names

APOLLO = (
    "Apollo 8 was the first manned spacecraft to orbit another celestial body, while the final Apollo 17 "
    "mission marked the sixth Moon landing."
)


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        (APOLLO, ["Apollo 8", "Apollo 17"]),
        ("The Scotland Act 1998 sets out the powers of the Parliament.", ["Scotland Act 1998"]),
        ("The route follows State Route 99 through the valley.", ["State Route 99"]),
        ("The league awarded Super Bowl XLIV to Miami.", ["Super Bowl XLIV"]),
        ("Apollo 4 (AS-501) was the first unmanned flight of the Saturn V.", ["Apollo 4", "AS-501"]),
        ("ABC's master feed is transmitted in 720p high definition.", ["720p"]),
        ("The China Internet Development Report 2022 shows it.", ["China Internet Development Report 2022"]),
        # dates, years and sentence openings are not names
        ("In 2021, China's data output came to 6.6ZB.", []),
        ("On 19 October 1512, he was awarded his Doctor of Theology.", []),
        ("The merger was announced in June 2011 and completed in 2012.", []),
        ("In 2021, Week 17 decided the title.", ["Week 17"]),
    ],
)
def test_numbered_names(sentence: str, names: list[str]) -> None:
    found = numbered_names(sentence)
    assert [n.text for n in found] == names
    assert all(sentence[n.start : n.end] == n.text for n in found)


@pytest.mark.parametrize(
    ("question", "kind", "words"),
    [
        ("What Apollo mission was the sixth Moon landing?", "mission", ("Apollo",)),
        ("Which mission did Schmitt land on the Moon?", "mission", ()),
        ("What TV station showed the original series?", "station", ("TV",)),
        ("What route connects Fresno with the Central Valley?", "route", ()),
        ("What is the final stage of a bill?", None, ()),  # "what is": no kind right after the question word
        ("Which team won Super Bowl 50?", None, ()),  # a team goes by no number
        ("How large was China's digital economy?", None, ()),
    ],
)
def test_kind_asked(question: str, kind: str | None, words: tuple[str, ...]) -> None:
    assert kind_asked(question) == (kind, words)


def test_a_name_must_stand_by_the_kind_asked_or_start_with_the_questions_word() -> None:
    assert [n.text for n in names_asked(APOLLO, "mission", (), set())] == ["Apollo 17"]
    assert [n.text for n in names_asked(APOLLO, "mission", ("Apollo",), set())] == ["Apollo 8", "Apollo 17"]
    assert names_asked(APOLLO, "route", (), set()) == []


def test_a_name_whose_number_the_question_gives_is_not_the_answer() -> None:
    assert names_asked(APOLLO, "mission", ("Apollo",), {"8"})[0].text == "Apollo 17"
    assert names_asked(APOLLO, "mission", (), {"17"}) == []
