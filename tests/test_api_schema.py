"""The committed schema file equals the code's schema, and everything is described."""

from __future__ import annotations

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
)

from api.schema.build import build_schema, export_sdl
from newsgraph.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_schema_file_is_the_generated_schema() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == export_sdl(), "run: newsgraph export-schema > schema.graphql"


def test_export_schema_command_prints_it(capsys: object) -> None:
    assert main(["export-schema"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert out == export_sdl()


def test_every_type_field_and_argument_has_a_description() -> None:
    schema = build_schema()._schema
    missing = []
    for name, gtype in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not gtype.description:
            missing.append(name)
        if isinstance(gtype, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for fname, field in gtype.fields.items():
                if not field.description:
                    missing.append(f"{name}.{fname}")
                for aname, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{fname}({aname})")
        if isinstance(gtype, GraphQLEnumType):
            missing.extend(f"{name}.{v}" for v, val in gtype.values.items() if not val.description)
        if isinstance(gtype, GraphQLScalarType) and not gtype.description:
            missing.append(name)
    assert missing == []
