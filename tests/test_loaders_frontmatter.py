"""Splitting files into front matter and body, and refusing what is unsafe."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import ContentError
from loaders import frontmatter


def split(text: str) -> frontmatter.Parsed:
    return frontmatter.split("item.md", text)


def test_plain_item() -> None:
    parsed = split("---\ntitle: Hello\nquality: 3\n---\nBody *here*.\n")
    assert parsed.data == {"title": "Hello", "quality": 3}
    assert parsed.body == "Body *here*.\n"


def test_crlf_and_bom() -> None:
    raw = "\ufeff---\r\ntitle: Hello\r\n---\r\nLine one\r\nLine two\r\n".encode()
    text = frontmatter.decode("item.md", raw)
    parsed = split(text)
    assert parsed.data == {"title": "Hello"}
    assert parsed.body == "Line one\nLine two\n"


def test_dots_close_front_matter() -> None:
    assert split("---\ntitle: x\n...\nbody").data == {"title": "x"}


def test_empty_front_matter_is_an_empty_mapping() -> None:
    assert split("---\n---\nbody").data == {}


def test_line_of_a_key() -> None:
    parsed = split("---\ntitle: x\n\nquality: 3\n---\n")
    assert parsed.line_of("quality") == 4
    assert parsed.line_of("missing") is None


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("title: x\n", "no YAML front matter", 1),
        ("", "no YAML front matter", 1),
        ("---\ntitle: x\n", "front matter is not closed", 1),
        ("---\ntitle: x\n  bad: [\n---\n", "malformed YAML", None),
        ("---\ntitle: 'open\nquality: 3\n---\n", "malformed YAML", None),
        ("---\n- a\n- b\n---\n", "must be a mapping", 2),
        ("---\njust text\n---\n", "must be a mapping", 2),
    ],
)
def test_refused(text: str, reason: str, line: int | None) -> None:
    with pytest.raises(ContentError) as err:
        split(text)
    assert reason in err.value.reason
    assert err.value.path == "item.md"
    if line is not None:
        assert err.value.line == line
    else:
        assert err.value.line is not None and err.value.line >= 2


def test_malformed_yaml_reports_the_file_line() -> None:
    with pytest.raises(ContentError) as err:
        split("---\ntitle: ok\nexcerpt: ok\nquality: [1, 2\n---\n")
    assert err.value.line is not None and 4 <= err.value.line <= 6
    assert str(err.value).startswith("item.md:")


def test_aliases_are_refused_with_their_line() -> None:
    text = "---\na: &x [1, 2]\nb: *x\n---\n"
    with pytest.raises(ContentError) as err:
        split(text)
    assert "alias" in err.value.reason
    assert err.value.line == 3


def test_billion_laughs_is_refused_fast() -> None:
    lines = ["---", 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    with pytest.raises(ContentError, match="alias"):
        split("\n".join(lines) + "\n---\n")


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(ContentError, match="alias"):
        split("---\na: &x [1, *x]\n---\n")


def test_asterisks_in_text_are_fine() -> None:
    assert split('---\ntitle: "5 * 3 = 15"\n---\n').data == {"title": "5 * 3 = 15"}


def test_non_utf8_reports_line() -> None:
    raw = b"---\ntitle: ok\nexcerpt: caf\xe9\n---\n"
    with pytest.raises(ContentError) as err:
        frontmatter.decode("item.md", raw)
    assert "UTF-8" in err.value.reason
    assert err.value.line == 3


def test_binary_refused() -> None:
    with pytest.raises(ContentError, match="binary"):
        frontmatter.decode("item.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00")


def test_oversized_file_refused() -> None:
    with pytest.raises(ContentError, match="limit"):
        frontmatter.decode("item.md", b"x" * 2000, max_bytes=1000)


def test_oversized_front_matter_refused() -> None:
    text = "---\ntitle: " + "x" * 70_000 + "\n---\n"
    with pytest.raises(ContentError, match="front matter is over"):
        split(text)


@pytest.mark.parametrize("depth", [40, 5000])
def test_deep_nesting_is_refused(depth: int) -> None:
    text = "---\na: " + "[" * depth + "]" * depth + "\n---\n"
    with pytest.raises(ContentError, match="front matter nests"):
        split(text)


def test_reasonable_nesting_is_fine() -> None:
    assert split("---\na: [[[1]]]\nb: {c: {d: [1]}}\n---\n").data["b"] == {"c": {"d": [1]}}


@settings(max_examples=500, deadline=None)
@given(
    parts=st.lists(st.sampled_from(["---", "...", "\n", "\r\n", " ", "\t", "a", "-", ".", "--"]))
)
def test_closing_line_finds_what_the_pattern_finds(parts: list[str]) -> None:
    text = "".join(parts)
    for start in [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]:
        want = frontmatter._CLOSE.search(text, start)
        got = frontmatter.closing_line(text, start)
        assert (want and want.span()) == (got and got.span()), (text, start)
