"""The line scan that spares a clean lint the TOML parser (applc/config.py
`_may_configure_applc`) must never say "no" to a pyproject.toml that configures applc:
tomllib, the real reader, is the reference."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from applc.config import _may_configure_applc


def _configures(text: str) -> bool:
    tool = tomllib.loads(text).get("tool")
    return isinstance(tool, dict) and "applc" in tool


CONFIGURES = [
    '[tool]\napplc.ignore = ["APL3"]\n',
    'tool.applc.ignore = ["APL3"]\n',
    '"tool" . applc.ignore = ["APL3"]\n',
    "[ tool . applc ]\nignore = []\n",
    '[tool."applc"]\nignore = []\n',
    "[tool.'applc'.x]\ny = 1\n",
    "[[tool.applc]]\n",
    "tool = { applc = { ignore = [] } }\n",
    "[tool]\n'applc' = {}\n",
    '[tool]\n"appl\\u0063" = {}\n',
    '[tool]\nm = [\n  ["x"],\n  ["applc"]\n]\napplc.select = ["APL1"]\n',
    '[tool]\ns = """\n[project]\n"""\napplc.select = ["APL1"]\n',
    "[tool] # the tools\napplc = {select = []}\n",
]

MENTIONS_ONLY = [
    '[project]\nname = "applc"\n',
    '[project]\ndependencies = [\n  "applc>=1",  # applc\n]\n',
    '[project.scripts]\napplc = "applc.cli:main"\n',
    '# [tool.applc]\n[tool.ruff]\nsrc = ["applc"]\n',
    '[tool]\nblack = "applc"\n',
    '[tool.applc-extra]\nselect = ["APL1"]\n',
    'x = "[tool.applc]"\n',
]


@pytest.mark.parametrize("text", CONFIGURES)
def test_every_spelling_that_configures_applc_is_a_maybe(text: str) -> None:
    assert _configures(text)  # the case itself is right
    assert _may_configure_applc(text)


@pytest.mark.parametrize("text", MENTIONS_ONLY)
def test_mentions_of_applc_as_values_need_no_parser(text: str) -> None:
    assert not _configures(text)
    assert not _may_configure_applc(text)


KEYS = st.sampled_from(["applc", "tool.applc", "x", "'applc'.y", "tool.x"])
VALUES = st.sampled_from(
    ['"applc"', "1", '["applc", "x"]', '[\n  ["x"],\n  "applc",\n]', "{ applc = 1 }", "'#['"]
)
HEADERS = st.sampled_from(
    ["", "[tool]", "[project]", "[tool.ruff]", "[tool.applc]", "[[tool.x]]", '[ "tool" ]']
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = []
    for h in draw(st.lists(HEADERS, min_size=1, max_size=4, unique=True)):
        if h:
            lines.append(h)
        for key in draw(st.lists(KEYS, max_size=2, unique=True)):
            lines.append(f"{key} = {draw(VALUES)}")
    return "\n".join(lines) + "\n"


@given(documents())
def test_the_scan_never_misses_a_configuration(text: str) -> None:
    try:
        configures = _configures(text)
    except tomllib.TOMLDecodeError:
        return  # duplicate keys and the like: not a configuration either way
    if configures:
        assert _may_configure_applc(text)
