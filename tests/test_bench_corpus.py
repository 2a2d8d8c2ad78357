"""The synthetic corpus generator: deterministic, valid YAML, honest stats, linkable related.

Benchmarks and fixtures trust these corpora blindly, so a silent change of format (a value
that no longer parses, a type that drifts, a file name that collides) must fail here first.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench import vocabulary
from bench.corpus import CorpusStats, generate, iter_items, rare_word_items
from bench.generate import main
from bench.yaml_style import quote, to_yaml

COUNT = 160
_FRONT = re.compile(r"---\n(.*?\n)---\n(.*)\Z", re.DOTALL)


def load(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def split(path: Path) -> tuple[dict[str, Any], str]:
    match = _FRONT.match(path.read_text(encoding="utf-8"))
    assert match, f"{path} has no front matter"
    return load(match.group(1)), match.group(2)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CorpusStats]:
    root = tmp_path_factory.mktemp("corpus") / "site"
    return root, generate(root, COUNT, seed=7)


@pytest.fixture(scope="module")
def parsed(made: tuple[Path, CorpusStats]) -> dict[str, dict[str, Any]]:
    root, _ = made
    return {p.relative_to(root).as_posix(): split(p)[0] for p in root.glob("_news/*/*.md")}


def test_same_arguments_give_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    generate(tmp_path / "a", 60, seed=3)
    generate(tmp_path / "b", 60, seed=3)
    generate(tmp_path / "c", 60, seed=4)
    first = snapshot(tmp_path / "a")
    assert first == snapshot(tmp_path / "b")
    assert first != snapshot(tmp_path / "c")


def test_taxonomy_flag_only_adds_the_data_files(tmp_path: Path) -> None:
    generate(tmp_path / "with", 40, seed=2)
    generate(tmp_path / "without", 40, seed=2, taxonomy=False)
    assert not (tmp_path / "without" / "_data").exists()
    news = {k: v for k, v in snapshot(tmp_path / "with").items() if k.startswith("_news/")}
    assert news == snapshot(tmp_path / "without")


def test_every_file_parses_back_to_the_generated_values(made: tuple[Path, CorpusStats]) -> None:
    root, _ = made
    items = list(iter_items(COUNT, seed=7))
    assert len(items) == COUNT
    for item in items:
        data, body = split(root / item.path)
        assert data == item.data, item.path
        assert body == "\n" + item.body


def test_items_have_required_fields_of_the_right_types(parsed: dict[str, dict[str, Any]]) -> None:
    for path, d in parsed.items():
        assert d["category"] == "news"
        assert isinstance(d["title"], str) and d["title"].strip()
        assert isinstance(d["excerpt"], str)
        assert isinstance(d["publishedDateTime"], datetime)
        assert d["publishedDateTime"].tzinfo is not None
        assert isinstance(d["originalUrl"], str) and d["originalUrl"].startswith("https://")
        assert d["type"] in ("article", "video")
        assert isinstance(d["quality"], int) and not isinstance(d["quality"], bool)
        assert isinstance(d["heat"], int) and d["heat"] >= -1
        assert isinstance(d["published"], bool)
        assert isinstance(d["provider"]["name"], str) and "." in d["provider"]["domain"]
        assert isinstance(d["topics"], list) and d["topics"]
        assert all(isinstance(t, str) for t in d["topics"])
        assert re.fullmatch(r"[A-Za-z0-9+/=]+;[A-Za-z0-9+/=]+", d["secured"])
        for image in d.get("images", []):
            assert isinstance(image["url"], str)
            assert isinstance(image["width"], int) and isinstance(image["height"], int)
            assert isinstance(image["isCached"], bool)
        for rel in d.get("related", []):
            assert isinstance(rel["title"], str) and isinstance(rel["webUrl"], str)
            assert isinstance(rel["publishedDateTime"], datetime)
        year, name = path.split("/")[1:]
        assert name.startswith(f"{d['publishedDateTime']:%Y-%m-%d}-") and year == name[:4]


def test_names_are_unique_slugs_and_dates_fall_in_six_years_before_start() -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    items = list(iter_items(300, seed=5, start=start))
    stems = [Path(i.path).stem for i in items]
    assert len(set(stems)) == len(stems)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d-[a-z0-9-]+", s) for s in stems)
    dates = [i.data["publishedDateTime"] for i in items]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert start - timedelta(days=6 * 366) <= dates[0] and dates[-1] <= start


def test_stats_match_the_files(made: tuple[Path, CorpusStats], parsed: dict[str, Any]) -> None:
    root, stats = made
    docs = list(parsed.values())
    assert stats.items == len(docs) == COUNT
    assert stats.providers == len({d["provider"]["domain"] for d in docs})
    assert stats.topics == len({t for d in docs for t in d["topics"]})
    assert stats.related == sum(len(d.get("related", [])) for d in docs)
    assert stats.images == sum(len(d.get("images", [])) for d in docs)
    assert stats.bytes == sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def test_some_related_items_link_to_generated_items(parsed: dict[str, Any]) -> None:
    docs = list(parsed.values())
    urls = {d["webUrl"]: d for d in docs if "webUrl" in d}
    related = [r for d in docs for r in d.get("related", [])]
    inside = [r for r in related if r["webUrl"] in urls]
    assert 0.05 * len(related) < len(inside) < 0.5 * len(related)
    for r in inside:
        assert r["title"] == urls[r["webUrl"]]["title"]


def test_text_exercises_quoting_escapes_and_unicode() -> None:
    docs = [i.data for i in iter_items(400, seed=1)]
    titles = [d["title"] for d in docs]
    assert any('"' in t for t in titles) and any("\\" in t for t in titles)
    assert any("’" in t or "é" in t for t in titles) and any(": " in t for t in titles)
    assert any("\r\n" in d["excerpt"] for d in docs)


def test_rare_words_are_exactly_where_documented() -> None:
    items = list(iter_items(COUNT, seed=7))
    expected = rare_word_items(COUNT)
    assert set(expected) == set(vocabulary.RARE_WORDS[:4])
    for word, count in expected.items():
        assert sum(word in i.data["title"] for i in items) == count
        assert not any(word in i.data["excerpt"] or word in i.body for i in items)
        related = (r["title"] for i in items for r in i.data.get("related", []))
        assert not any(word in title for title in related)


def test_taxonomy_files_parse(made: tuple[Path, CorpusStats]) -> None:
    root, _ = made
    topics = [load(p.read_text(encoding="utf-8")) for p in sorted(root.glob("_data/topics/*"))]
    assert 40 <= len(topics) <= 60
    names = {t["name"] for t in topics}
    roots = {t["name"] for t in topics if "parent" not in t}
    for topic in topics:
        assert topic["taxonomy"] == "topic" and isinstance(topic["_id"], str)
        assert topic.get("parent", next(iter(roots))) in roots  # a two-level tree
        assert isinstance(topic["keywords"], list) and topic["hashtags"][0].startswith("#")
    orgs = sorted(root.glob("_data/organizations/*.md"))
    assert orgs
    for path in orgs:
        org, body = split(path)
        assert body == "" and org["taxonomy"] == "organization"
        assert path.name == f"{org['domain']}.md" and org["_id"] == org["domain"]
        assert [i["width"] for i in org["images"]] == [50, 400]
    used = {t for i in iter_items(COUNT, seed=7) for t in i.data["topics"]}
    assert used <= names


def test_hand_written_yaml_round_trips_awkward_strings() -> None:
    awkward = [
        'say "hi"', "back\\slash", "C:\\Users\\x", "tab\there", "cr\r\nlf", "#hash", "a: b",
        "- dash", "yes", "null", "2021-02-04", "’curly’ café", "\x00\x07\x7f\x85\u2028\ufeff",
        "", " padded ", "'single'", "{braces} [brackets] & * ! | > %",
    ]  # fmt: skip
    for text in awkward:
        assert load(quote(text)) == text
    data = {"name": "Yes", "domain": "On", "type": "9to5", "topics": ["No", "C# & .NET", "ok"]}
    assert load(to_yaml(data)) == data


def test_refuses_a_non_empty_destination(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("precious")
    with pytest.raises(ValueError, match="not an empty folder"):
        generate(tmp_path / "full", 5)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="not an empty folder"):
        generate(tmp_path / "file", 5)
    (tmp_path / "empty").mkdir()
    assert generate(tmp_path / "empty", 5).items == 5
    assert (tmp_path / "full" / "keep.txt").read_text() == "precious"


def test_cli_prints_one_summary_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "out"
    assert main(["25", str(dest), "--seed", "9", "--no-taxonomy"]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"generated 25 items \(\d+ providers, \d+ topics, \d+ related, \d+ images, "
        r"[\d.]+ MB\) in [\d.]+ s into .+\n",
        out,
    )
    assert len(list(dest.glob("_news/*/*.md"))) == 25 and not (dest / "_data").exists()
    assert main(["5", str(dest)]) == 1
    assert "not an empty folder" in capsys.readouterr().err
