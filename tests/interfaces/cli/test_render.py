"""Rendering answers: the passages shown under an answer start where they are cited for."""

from __future__ import annotations

from assistant.interfaces.cli import render
from tests.answering.test_answer import DATA, FILLER, GDP, MISSIONS, ask

QUESTION = "How much data did China produce in 2021?"


def test_a_passage_is_shown_from_the_sentence_it_is_cited_for() -> None:
    answer = ask(QUESTION, FILLER + DATA)
    shown = render.answer_text(answer, width=160).splitlines()[-1]
    assert shown.startswith("  [1] …In 2021, China's data output came to 6.6ZB")
    chat = render.answer_chat_markup(answer, lines=2, width=100)
    assert "…In 2021, China's data output" in chat
    assert "Wuzhen" not in chat and "Wuzhen" not in shown


def test_a_passage_whose_cited_sentence_fits_is_shown_from_its_start() -> None:
    answer = ask(QUESTION, DATA + " " + FILLER, GDP)
    lines = render.answer_text(answer, width=240).splitlines()
    assert lines[-2].startswith("  [1] In 2021, China's data output")
    assert "…" not in lines[-2][:10]


def test_a_name_answer_shows_its_sentence_with_the_name_marked() -> None:
    answer = ask("Which Apollo mission was the sixth Moon landing?", MISSIONS)
    lines = render.answer_text(answer).splitlines()
    assert lines[:2] == ["Answer: Apollo 17 [1]", f"From: {MISSIONS}"]
    assert "[bold reverse]Apollo 17[/bold reverse]" in render.answer_markup(answer)


def test_a_sentence_answer_is_not_repeated() -> None:
    answer = ask("Who is the chairman of Alibaba Group?", GDP)
    assert not any(line.startswith("From:") for line in render.answer_text(answer).splitlines())


def test_a_passage_in_full_marks_the_sentence_it_is_cited_for() -> None:
    answer = ask(QUESTION, "  " + FILLER + DATA)
    (cited,) = answer.citations
    markup = render.passage_markup(cited)
    assert f"[bold]{DATA}[/bold]" in markup
    assert render.passage_text(cited).endswith(FILLER + DATA)  # plain text has no markup


def test_a_figure_context_is_one_line() -> None:
    from assistant.answering.results import context_phrase
    from assistant.figures.extraction import extract_figures

    sentence = "Digital economy\nIn 2021, China's data output came to\n6.6ZB."
    (figure,) = [f for f in extract_figures(sentence) if f.text == "6.6ZB"]
    assert context_phrase(sentence, figure) == "Digital economy In 2021, China's data output came to 6.6ZB."


def test_a_search_hit_is_shown_from_its_focus_sentence() -> None:
    from assistant.answering.support import focus_hits
    from assistant.assistant import SearchResult
    from tests.answering.test_answer import ANALYZE, hit

    hits = focus_hits("China data output", [hit(FILLER + DATA)], ANALYZE, None)
    shown = render.hits_text(SearchResult("China data output", hits), width=160).splitlines()
    assert shown[1].startswith("    …In 2021, China's data output came to 6.6ZB")


def test_a_weak_answer_reads_probably_with_its_confidence() -> None:
    from dataclasses import replace

    answer = ask(QUESTION, DATA)
    weak = replace(answer, confidence=0.55)
    assert render.answer_text(weak).splitlines()[0] == "Answer: probably 6.6ZB [1] (confidence 0.55)"
    assert "[yellow]probably[/yellow] [bold]6.6ZB[/bold]" in render.answer_markup(weak)
    assert "(confidence 0.55)" in render.answer_chat_markup(weak)
    sure = replace(answer, confidence=0.95)
    assert render.answer_text(sure).splitlines()[0] == "Answer: 6.6ZB [1]"


def test_an_abstention_says_why_before_the_closest_passages() -> None:
    answer = ask(QUESTION, DATA, min_confidence=1.0)
    lines = render.answer_text(answer).splitlines()
    assert lines[0] == "Answer: The documents do not answer this."
    assert lines[1] == f"Why: {answer.reason}" and "6.6ZB" in lines[1]
    assert lines[2] == "Closest passages:"
    assert f"Why: {answer.reason}" in render.answer_markup(answer)
