"""The event-built loader gives exactly what PyYAML's safe loader gives, or steps aside."""

from __future__ import annotations

import datetime
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.corpus import iter_items, render_item
from core.config import SAMPLE_CONTENT
from loaders import frontmatter, yamlfast

pytestmark = pytest.mark.skipif(not yamlfast.AVAILABLE, reason="PyYAML is built without libyaml")

SAFE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def reference(text: str) -> tuple[str, Any]:
    try:
        return "ok", yaml.load(text, Loader=SAFE)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        return "error", type(exc).__name__


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types all the way down (so 1 is not True, NaN is NaN)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b) and repr(a) == repr(b)


def check(text: str, depth: int = 1000) -> bool:
    """Compare with the reference; return whether the fast path took the text."""
    try:
        got = yamlfast.load(text, depth)
    except yamlfast.Unsupported:
        return False
    kind, want = reference(text)
    assert kind == "ok", f"the fast path accepted what the safe loader refuses: {text!r}"
    assert same(got, want), f"{text!r}: {got!r} != {want!r}"
    return True


@pytest.mark.parametrize(
    "text",
    [
        "title: Hello\nquality: 71\nheat: -3\nscore: 1.5\npublished: false\n",
        "when: 2023-04-09T02:45:00Z\nday: 2021-02-04\nlocal: 2021-02-04 12:52:00.5\n"
        "offset: 2021-02-04T12:52:00+02:00\n",
        "nulls: [~, null, Null, NULL, ]\nempty:\n",
        "bools: [yes, No, on, OFF, true, False, y, n]\n",
        "ints: [0o17, 017, 0x1F, 0b101, 1_000, '12', +5, 190:20:30]\n",
        "floats: [.inf, -.Inf, .nan, 1e3, 6.8523015e+5, 1_000.5, 190:20:30.15]\n",
        "quoted: ['true', \"12\", '2023-04-09', '~']\nfolded: >\n  a\n  b\nliteral: |\n  x\n",
        "flow: {a: [1, {b: c}], d: []}\nnested:\n  - - deep\n    - er\n",
        "dup: 1\ndup: 2\n",
        "1: one\n2.5: two\ntrue: three\n~: four\n2024-01-01: five\n",
        'unicode: "Québec — ✓"\nescaped: "tab\\there"\n',
        "",
        "# only a comment\n",
        "just a string",
        "- a\n- b\n",
    ],
)
def test_plain_documents_match_the_safe_loader(text: str) -> None:
    assert check(text), "plain front matter should take the fast path"


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "base: &b {x: 1}\nmine:\n  <<: *b\n",  # merge keys
        "a: !!str 12\n",  # explicit tags
        "a: !custom thing\n",
        "? [a, b]\n: value\n",  # a sequence as a key
        "? {a: b}\n: value\n",
        "a: =\n",  # the YAML 1.1 value key
        "a: 1\n--- \nb: 2\n",  # two documents
        "a: [1, 2\n",  # a syntax error
        "a: 'open\n",
        "key: value\n bad indent: x\n",
        "when: 2024-02-30\n",  # looks like a date, is not one
        "n: 0x_\n",
    ],
)
def test_everything_else_is_left_to_the_safe_loader(text: str) -> None:
    assert not check(text)


def test_nesting_beyond_the_limit_is_left_to_the_safe_loader() -> None:
    text = "a: " + "[" * 5 + "]" * 5 + "\n"  # six levels: the mapping and five lists
    assert check(text, depth=6)
    assert not check(text, depth=5)


def test_split_reports_the_same_errors_either_way() -> None:
    with pytest.raises(frontmatter.ContentError, match="alias"):
        frontmatter.split("x.md", "---\na: &x 1\nb: *x\n---\n")
    deep = "---\na: " + "[" * 40 + "]" * 40 + "\n---\n"
    with pytest.raises(frontmatter.ContentError, match="nests more than 32 levels"):
        frontmatter.split("x.md", deep)
    assert frontmatter.split("x.md", "---\na: !!str 12\n---\n").data == {"a": "12"}
    # a value that cannot be built does not hide a later syntax error or alias
    with pytest.raises(frontmatter.ContentError, match="malformed YAML") as err:
        frontmatter.split("x.md", "---\nwhen: 2024-02-30\nb: [\n---\n")
    assert err.value.line is not None
    with pytest.raises(frontmatter.ContentError, match="alias"):
        frontmatter.split("x.md", "---\nn: 0x_\nb: *x\n---\n")


def front_matter_of(path: Path) -> str:
    return front_matter_of_text(path.read_text(encoding="utf-8"))


def front_matter_of_text(text: str) -> str:
    text = text.removeprefix("\ufeff")
    start = text.find("\n") + 1
    end = text.find("\n---", start - 1)
    return text[start:end] if text.startswith("---") and end > 0 else text


def test_sample_content_and_generated_items_match() -> None:
    texts = [front_matter_of(path) for path in SAMPLE_CONTENT.rglob("*.md")]
    texts += [front_matter_of_text(render_item(item)) for item in iter_items(400, seed=7)]
    assert len(texts) > 400
    taken = sum(check(text) for text in texts)
    assert taken == len(texts), "every bundled and generated item is plain front matter"


def test_the_shared_corpus_matches(shared_corpus: Path) -> None:
    files = [p for p in shared_corpus.rglob("*") if p.suffix in {".md", ".yaml", ".yml"}]
    assert files
    for path in files:
        check(front_matter_of(path))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.datetimes(timezones=st.just(datetime.UTC) | st.none()),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10) | st.integers(), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=values, flow=st.sampled_from([None, True, False]), unicode=st.booleans())
def test_dumped_values_load_the_same_both_ways(
    value: Any, flow: bool | None, unicode: bool
) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=unicode)
    check(text)


yamlish = st.text(
    alphabet=st.sampled_from([*"ab1:- \n\t'\"[]{},#&*!|>?~.0+e=<%@`", "\u00e9", "\u2014"]),
    max_size=60,
)


@settings(max_examples=500, deadline=None)
@given(text=yamlish)
def test_arbitrary_text_never_differs(text: str) -> None:
    check(text)
