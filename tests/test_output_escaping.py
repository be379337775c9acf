"""Nothing a hostile file holds reaches the terminal or a CI log as a control character
(issue 11 item 6): escape sequences, carriage returns, C1 controls and bidi overrides are
shown as visible escapes in every human-readable format, whatever the colour setting."""

from __future__ import annotations

import json
import re

import pytest

HOSTILE_KEY = "k\u001b]0;PWNED\u0007\u001b[2J\r\u009b2J\u202e"
# How a user reads that key in the output, written by hand.
SHOWN_KEY = "k\\x1b]0;PWNED\\x07\\x1b[2J\\r\\x9b2J\\u202e"
# Anything a terminal, GitHub's log viewer or a CI page acts on rather than shows; \n is
# the formats' own line break.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _hostile(tmp_path):
    doc = {
        "id": "shop",
        "containers": [
            {
                "id": "web",
                "type": "service",
                "image": "nginx:1.25",
                "resources": {"cpus": 1, "mem": 128},
                HOSTILE_KEY: 1,
            }
        ],
    }
    f = tmp_path / "evil.appliance.json"
    f.write_text(json.dumps(doc, ensure_ascii=False, indent=2))
    return f


@pytest.mark.parametrize("fmt", ["full", "concise", "github", "junit"])
def test_hostile_key_is_escaped_in_every_text_format(cli, tmp_path, fmt):
    f = _hostile(tmp_path)
    run = cli(["lint", "--color", "never", "-f", fmt, str(f)])
    assert run.code == 1
    assert UNSAFE.search(run.stdout) is None, repr(run.stdout)
    assert SHOWN_KEY in run.stdout


def test_colour_still_works_around_escaped_text(cli, tmp_path):
    f = _hostile(tmp_path)
    run = cli(["lint", "--color", "always", str(f)])
    # applc's own colour codes are the only escape sequences: none from the file.
    without_colour = re.sub("\x1b\\[[0-9;]*m", "", run.stdout)
    assert UNSAFE.search(without_colour) is None
    assert SHOWN_KEY in without_colour


def test_raw_control_characters_in_the_source_line_are_shown_escaped(cli, tmp_path):
    f = tmp_path / "raw.json"
    f.write_bytes(b'{"id": "a\x1b[2J\xe2\x80\xaeb", "containers": []}\n')
    run = cli(["lint", "--color", "never", str(f)])
    assert run.code == 1
    assert UNSAFE.search(run.stdout) is None
    lines = run.stdout.splitlines()
    shown = next(line for line in lines if line.startswith("1 | "))
    assert shown == '1 | {"id": "a\\x1b[2J\\u202eb", "containers": []}'
    # The carets sit under the escaped character, four columns wide as shown.
    caret = lines[lines.index(shown) + 1]
    assert caret.index("^") == shown.index("\\x1b")
    assert caret.count("^") == 4


def test_hostile_file_name_is_escaped(cli, tmp_path):
    f = tmp_path / "a\x1b[2Jb.appliance.json"
    f.write_text('{"id": "shop"}')
    for fmt in ("full", "concise", "github"):
        run = cli(["lint", "--color", "never", "-f", fmt, str(tmp_path)])
        assert run.code == 1
        assert UNSAFE.search(run.stdout) is None
        assert "a\\x1b[2Jb.appliance.json" in run.stdout


def test_graph_output_escapes_ids(cli, tmp_path):
    f = tmp_path / "g.json"
    f.write_text(
        json.dumps(
            {
                "id": "shop",
                "containers": [
                    {"id": "w\u001b[2Jeb", "type": "service", "image": "nginx:1.25"},
                ],
            }
        )
    )
    # dot doubles the backslash of the escape inside its quoted ids; mermaid shows it.
    for fmt, shown in (("dot", '"w\\\\x1b[2Jeb"'), ("mermaid", '"w\\x1b[2Jeb"')):
        run = cli(["graph", "--format", fmt, str(f)])
        assert UNSAFE.search(run.stdout) is None
        assert shown in run.stdout


def test_fmt_and_convert_messages_escape_file_names(cli, tmp_path):
    f = tmp_path / "a\x1b]0;x\x07.appl"
    f.write_text("appliance   shop\n")
    run = cli(["fmt", "--check", str(tmp_path)])
    assert run.code == 1
    assert UNSAFE.search(run.stdout + run.stderr) is None
    assert "would reformat" in run.stdout and "a\\x1b]0;x\\x07.appl" in run.stdout
    bad = tmp_path / "b\x1b[2J.appl"
    bad.write_text("service {\n")
    run = cli(["convert", str(bad)])
    assert run.code == 1
    assert UNSAFE.search(run.stdout + run.stderr) is None
    assert "b\\x1b[2J.appl was not converted" in run.stderr


def test_diff_headers_escape_file_names(cli, tmp_path):
    f = tmp_path / "c\x1b[2J.appliance.json"
    f.write_text(
        json.dumps(
            {
                "id": "shop",
                "containers": [
                    {
                        "id": "db",
                        "type": "service",
                        "image": "postgres:16",
                        "resources": {"cpus": 1, "mem": 128},
                    },
                    {
                        "id": "web",
                        "type": "service",
                        "image": "nginx:1.25",
                        "resources": {"cpus": 1, "mem": 128},
                        "dependencies": ["dbb"],
                    },
                ],
            },
            indent=2,
        )
    )
    run = cli(["lint", "--diff", str(f)])
    assert run.code == 1, run.stderr
    assert "c\\x1b[2J.appliance.json" in run.stdout
    assert UNSAFE.search(run.stdout) is None
