"""GraphQL Code Generator turns schema.graphql and the README's example queries into TypeScript
types, without errors, and the result type-checks under ``tsc --strict``.

Codegen validates every document against the schema, so a README query that no longer matches the
schema fails here. Uses tests/browser/node_modules (scripts/install-browser-deps); skipped without.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.live_server import BROWSER_DIR, NODE_MODULES, README_QUERIES, ROOT

SCHEMA = ROOT / "schema.graphql"
TIMEOUT = 60


@pytest.fixture(scope="module")
def npx() -> str:
    """The npx command, once node and the codegen packages are installed; else the test skips."""
    found = shutil.which("npx")
    if found is None or shutil.which("node") is None:
        pytest.skip("node/npx are not on the PATH")
    if not (NODE_MODULES / ".bin" / "graphql-codegen").exists():
        pytest.skip("tests/browser/node_modules is missing: run scripts/install-browser-deps")
    return found


def operation_name(query: str) -> str:
    match = re.search(r"\bquery\s+(\w+)", query)
    assert match, f"a README example without an operation name:\n{query}"
    return match.group(1)


def run_codegen(npx: str, workdir: Path, documents: dict[str, str]) -> tuple[int, str, Path]:
    """Write ``documents`` (name -> GraphQL) and a codegen config into ``workdir`` and run
    ``npx graphql-codegen --config``; return its exit status, its output and the output path."""
    for name, text in documents.items():
        (workdir / f"{name}.graphql").write_text(text, encoding="utf-8")
    output = workdir / "generated" / "types.ts"
    config = workdir / "codegen.json"
    config.write_text(
        json.dumps(
            {
                "overwrite": True,
                "schema": str(SCHEMA),
                "documents": str(workdir / "*.graphql"),
                "generates": {str(output): {"plugins": ["typescript", "typescript-operations"]}},
            }
        ),
        encoding="utf-8",
    )
    # --no: never download a missing package; "--" keeps --config away from npx itself.
    result = subprocess.run(
        [npx, "--no", "--", "graphql-codegen", "--config", str(config)],
        cwd=BROWSER_DIR,
        env={**os.environ, "CI": "true", "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr, output


def test_readme_queries_generate_typescript_that_type_checks(npx: str, tmp_path: Path) -> None:
    documents = {operation_name(q): q for q in README_QUERIES}
    assert len(documents) == len(README_QUERIES) >= 5, "one document per README example"
    status, log, output = run_codegen(npx, tmp_path, documents)
    assert status == 0, log
    generated = output.read_text(encoding="utf-8")
    for schema_type in ("Article", "Provider", "Topic", "ArticleConnection", "ArticleFilter"):
        assert f"export type {schema_type} = " in generated, schema_type
    for name in documents:
        assert f"export type {name}Query = " in generated, name
        assert f"export type {name}QueryVariables = " in generated, name

    # The generated types are usable as they are: a strict compile of code that reads a result.
    usage = tmp_path / "generated" / "usage.ts"
    usage.write_text(
        'import type { HomepageQuery } from "./types";\n'
        "export function titles(result: HomepageQuery): Array<string | null | undefined> {\n"
        "  return result.articles.nodes.map((node) => node.title);\n"
        "}\n",
        encoding="utf-8",
    )
    tsc = subprocess.run(
        [npx, "--no", "--", "tsc", "--noEmit", "--strict", "--skipLibCheck",
         "--target", "es2020", "--lib", "es2020", str(output), str(usage)],
        cwd=BROWSER_DIR,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )  # fmt: skip
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr


def test_codegen_rejects_a_query_the_schema_does_not_have(npx: str, tmp_path: Path) -> None:
    """What makes the test above a check of the README: an unknown field fails the run."""
    broken = "query Broken { articles(first: 1) { nodes { title noSuchField } } }\n"
    status, log, output = run_codegen(npx, tmp_path, {"Broken": broken})
    assert status != 0, log
    assert "noSuchField" in log, log
    assert not output.exists()
