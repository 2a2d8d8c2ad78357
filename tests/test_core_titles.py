"""Near-duplicate titles: word sets, the same-story test, MinHash bands."""

from __future__ import annotations

import pytest

from core.titles import BANDS, same_story, title_bands, title_words


def words(title: str) -> frozenset[str]:
    return title_words(title)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Clearview Facial-Recognition Technology Ruled Illegal in Canada",
         "Canada rules Clearview facial recognition technology illegal"),
        ("Microsoft Power Apps misconfiguration exposes 38 million records",
         "Microsoft Power Apps misconfigurations expose 38 million records"),
        ("Microsoft uses GPT-3 to add AI features to Power Apps",
         "Microsoft uses GPT-3 to add AI features to Power Apps"),
    ],
)  # fmt: skip
def test_reworded_titles_are_one_story(a: str, b: str) -> None:
    assert same_story(words(a), words(b))
    assert set(title_bands(words(a))) & set(title_bands(words(b)))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Power Apps 3.21 released", "Power Apps 3.22 released"),
        ("Microsoft fleshes out Power Apps", "Google fleshes out its cloud"),
        ("Hello world", "Hello world"),  # too short to say
        ("", "Something happened today somewhere"),
    ],
)
def test_different_stories(a: str, b: str) -> None:
    assert not same_story(words(a), words(b))


def test_words_fold_case_drop_common_words_and_stem() -> None:
    assert words("The Rules of the Game, ruled!") == {"rul", "game"}
    assert words(None) == frozenset()


def test_bands_are_stable_and_need_three_words() -> None:
    found = title_bands(words("Microsoft fleshes out Power Apps"))
    assert len(found) == BANDS and all(0 <= b < 2**63 for b in found)
    assert found == title_bands(words("microsoft FLESHES out power apps"))
    assert title_bands(words("Hello world")) == ()
