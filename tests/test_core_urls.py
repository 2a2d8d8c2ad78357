"""URL normalisation: one key per page, whatever tracking or AMP form a link takes."""

from __future__ import annotations

import pytest

from core.urls import canonical_url, url_key, url_keys

CANONICAL = "https://example.com/a/b"


@pytest.mark.parametrize(
    "given",
    [
        "https://example.com/a/b",
        "http://example.com/a/b",
        "HTTPS://WWW.EXAMPLE.COM/a/b",
        "https://www.example.com./a/b",
        "https://example.com:443/a/b",
        "http://example.com:80/a/b",
        "https://example.com/a/b/",
        "https://example.com/a/b#comments",
        "https://example.com/a/b?utm_source=twitter",
        "https://example.com/a/b?utm_source=x&utm_medium=social&UTM_Campaign=y",
        "https://example.com/a/b?fbclid=abc&gclid=def",
        "https://example.com/a/b?ref=homepage&source=rss",
        "https://user:secret@example.com/a/b",
        # AMP forms
        "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a/b",
        "https://www-example-com.cdn.ampproject.org/c/www.example.com/a/b",
        "https://www-example-com.cdn.ampproject.org/v/s/www.example.com/a/b?amp_js_v=0.1",
        "https://example.com/amp/a/b",
        "https://example.com/a/b/amp",
        "https://example.com/a/b/amp/",
        "https://example.com/a/b?amp=1",
        "https://example.com/a/b?amp",
        "https://example.com/a/b?outputType=amp",
        "https://example.com/a/b?_amp=true&utm_source=google",
        "  https://example.com/a/b  ",
    ],
)
def test_forms_of_one_page_share_a_key(given: str) -> None:
    assert url_key(given) == CANONICAL


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?a=1&utm_source=x&b=2", "https://example.com/a?a=1&b=2"),
        (
            "https://example.com/a?id=7&outputType=print",
            "https://example.com/a?id=7&outputType=print",
        ),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/A/Case", "https://example.com/A/Case"),
        ("https://news.example.com/a", "https://news.example.com/a"),
        ("https://example.com/ampere/a", "https://example.com/ampere/a"),
        ("https://example.com/a?q=a%20b", "https://example.com/a?q=a%20b"),
        ("http://[::1]:8080/a", "https://[::1]:8080/a"),
    ],
)
def test_keys(given: str, expected: str) -> None:
    assert url_key(given) == expected


@pytest.mark.parametrize(
    "given",
    ["mailto:news@example.com", "ftp://example.com/a", "/relative/path", "not a url", "https://"],
)
def test_other_addresses_are_kept_as_written(given: str) -> None:
    assert url_key(given) == given


@pytest.mark.parametrize(
    "given",
    [None, "", "   ", 3, ["https://example.com"], "http://[::1", "https://example.com:99999/a",
     "https://ex ample.com/a", "https://%zz/", "https://example.com/a?%zz=1&=&&"],
)  # fmt: skip
def test_garbage_never_raises(given: object) -> None:
    found = url_key(given)
    assert found is None or isinstance(found, str)


def test_different_pages_keep_different_keys() -> None:
    assert url_key("https://example.com/a/b") != url_key("https://example.com/a/c")
    assert url_key("https://example.com/a?id=1") != url_key("https://example.com/a?id=2")
    assert url_key("https://example.com/a") != url_key("https://example.org/a")


def test_url_keys_are_distinct_and_skip_missing() -> None:
    keys = url_keys(
        "https://example.com/a/b?utm_source=x", None, "https://example.com/a/b/amp",
        "https://www-example-com.cdn.ampproject.org/c/s/example.com/a/b", "",
    )  # fmt: skip
    assert keys == (CANONICAL,)


@pytest.mark.parametrize(
    ("given", "link"),
    [
        ("https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a/b?utm_source=x&id=3#f",
         "https://www.example.com/a/b?id=3"),
        ("http://www.Example.com/amp/story/?b=2&a=1&fbclid=9", "http://www.example.com/story/?b=2&a=1"),
        ("https://example.com/a/amp", "https://example.com/a"),
        ("https://example.com:443/x?amp=1&outputType=amp", "https://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com", "https://example.com/"),
        ("mailto:someone@example.com ", "mailto:someone@example.com"),
        ("https://[::1", "https://[::1"),
        ("  ", None),
        (None, None),
    ],
)  # fmt: skip
def test_a_canonical_link_keeps_what_makes_it_work(given: object, link: str | None) -> None:
    # scheme, www, trailing slash and parameter order stay; tracking, AMP and fragment go
    assert canonical_url(given) == link
