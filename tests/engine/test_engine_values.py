"""Values reach the process unchanged on a real engine: env values, args and commands with
`$`, `${VAR}`, `$(…)`, quotes, backticks, backslashes, newlines, unicode and YAML specials.

The expected values are the hand-written strings below; what the process received comes
from the stand-in's own report (base64 of its argv and of /proc/self/environ) and from
what the engine recorded (`docker inspect`).
"""

from __future__ import annotations

import base64

import pytest

pytestmark = pytest.mark.engine

HOSTILE = {
    "DOLLAR": "costs $5 and $$ twice",
    "BRACES": "${HOME} and ${UNSET:-default} and ${X?boom}",
    "SUBST": "$(id) and `id` and $((1+2))",
    "QUOTES": "it's \"quoted\" and 'single'",
    "BACKSLASH": "C:\\temp\\new \\n \\\\ \\$HOME",
    "NEWLINES": "line one\nline two\n\ttabbed\r\nend",
    "UNICODE": "Grüße, 東京, emoji 🚀, rtl \u05e9\u05dc\u05d5\u05dd, nbsp\u00a0here",
    "YAML_BOOL": "yes",
    "YAML_ON": "on",
    "YAML_NULL": "~",
    "YAML_NULL2": "null",
    "YAML_HEX": "0x1F",
    "YAML_FLOAT": "1e3",
    "YAML_TIME": "12:30",
    "YAML_OCTAL": "0755",
    "YAML_LIST": "- item",
    "YAML_MAP": "{a: b}",
    "YAML_COMMENT": "# not a comment",
    "YAML_ANCHOR": "&anchor *alias !tag",
    "YAML_BLOCK": "|\n  literal",
    "EMPTY": "",
    "SPACES": "  leading and trailing  ",
    "PERCENT": "100% %s %d",
}

ARGS = [
    "$HOME",
    "${PATH}",
    "$(id)",
    "`uname`",
    "a b  c",
    "",
    "'single' \"double\"",
    "back\\slash\\",
    "new\nline",
    "ünï©ødé ✓",
    "yes",
    "~",
    "- x",
    "key: value",
    "$$",
]

# A shell command: `sh -c` runs it, so $GREETING expands at run time, while the quoted
# literal must reach the shell exactly as written here.
CMD = (
    'printf "%s\\n" "greeting=$GREETING"; '
    "printf '%s\\n' 'literal=$HOME ${PATH} $(id) `id` \\ \"q\" ü'; "
    'printf "%s\\n" "sum=$((2 + 3))"'
)


def decoded(log: str, kind: str) -> list[bytes]:
    return [
        base64.b64decode(line.split(" ", 1)[1])
        for line in log.splitlines()
        if line.startswith(kind + " ")
    ]


def test_env_values_and_args_reach_the_process_unchanged(project):
    p = project(
        {
            "id": "values",
            "containers": [
                {
                    "id": "report",
                    "type": "job",
                    "image": "applc-test/args:1",
                    "force_pull_image": False,
                    "resources": {"cpus": 0.1, "mem": 32},
                    "network_mode": "bridge",
                    "env": HOSTILE,
                    "args": ARGS,
                }
            ],
        }
    )
    result = p.compose("up", "--abort-on-container-exit", "--exit-code-from", "report", timeout=120)
    assert result.code == 0, result.stdout + result.stderr
    log = p.logs("report")
    assert [a.decode() for a in decoded(log, "arg")] == ARGS
    (environ,) = decoded(log, "environ")
    received = dict(item.decode().split("=", 1) for item in environ.split(b"\0") if item)
    for key, value in HOSTILE.items():
        assert received.get(key) == value, key
    # The engine recorded the same.
    c = p.container("report")
    assert c["Config"]["Cmd"] == ARGS
    recorded = dict(item.split("=", 1) for item in c["Config"]["Env"])
    for key, value in HOSTILE.items():
        assert recorded[key] == value, key


def test_a_command_reaches_the_shell_unchanged(project):
    greeting = "hello $USER, ${HOME} `id` $(id) \"x\" 'y' \\ ü"
    p = project(
        {
            "id": "command",
            "containers": [
                {
                    "id": "say",
                    "type": "job",
                    "image": "applc-test/busybox:1",
                    "force_pull_image": False,
                    "resources": {"cpus": 0.1, "mem": 32},
                    "network_mode": "bridge",
                    "env": {"GREETING": greeting},
                    "cmd": CMD,
                }
            ],
        }
    )
    result = p.compose("up", "--abort-on-container-exit", "--exit-code-from", "say", timeout=120)
    assert result.code == 0, result.stdout + result.stderr
    c = p.container("say")
    assert c["Config"]["Entrypoint"] == ["/bin/sh", "-c"]
    assert c["Config"]["Cmd"] == [CMD]
    out = p.logs("say").splitlines()
    assert out == [
        f"greeting={greeting}",
        'literal=$HOME ${PATH} $(id) `id` \\ "q" ü',
        "sum=5",
    ]
