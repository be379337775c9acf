"""Each rule points at the right token: the line and column a user's editor jumps to."""

from __future__ import annotations

import pytest

from applc.api import lint_text
from applc.config import Settings
from applc.rules.context import Budget
from tests.conftest import EXAMPLES, position_of

BROKEN = EXAMPLES / "broken.appliance.json"

# (code, line) of every deliberate problem in examples/broken.appliance.json
# (examples/README.md lists them with what each one is).
BROKEN_EXPECTED = {
    ("APL201", 34),
    ("APL305", 57),
    ("APL223", 76),
    ("APL241", 80),
    ("APL202", 84),
    ("APL212", 87),
    ("APL222", 104),
    ("APL244", 113),
    ("APL105", 120),
    ("APL245", 128),
    ("APL101", 136),
    ("APL102", 138),
    ("APL103", 155),
    ("APL221", 161),
    ("APL002", 172),
    ("APL104", 174),
    ("APL211", 176),
    ("APL304", 182),
    ("APL303", 187),
    ("APL301", 188),
    ("APL302", 191),
    ("APL247", 212),
    ("APL246", 213),
    ("APL248", 215),
    ("APL201", 216),
    ("APL102", 218),
    ("APL242", 230),
    ("APL204", 233),
    ("APL231", 247),
    ("APL203", 252),
    ("APL243", 255),
}


def test_broken_example_reports_exactly_its_deliberate_problems():
    text = BROKEN.read_text(encoding="utf-8")
    diags = lint_text(str(BROKEN), text)[1]
    assert {(d.code, d.line) for d in diags} == BROKEN_EXPECTED


def _app(*containers: str, top: str = "") -> str:
    body = ",\n    ".join(containers)
    return f'{{\n  "id": "shop",{top}\n  "containers": [\n    {body}\n  ]\n}}\n'


def _c(
    cid: str = "web",
    extra: str = "",
    ctype: str = "service",
    image: str = "nginx:1.25",
    res: str = '{"cpus": 1, "mem": 256}',
) -> str:
    return f'{{"id": "{cid}", "type": "{ctype}", "image": "{image}", "resources": {res}{extra}}}'


# code, document, the text the primary span must cover, which occurrence of it
CASES = [
    ("APL001", '{"id": "shop", "containers": [],}\n', ",", 2),
    ("APL001", '{"id": "shop" "containers": []}\n', '"', 5),
    ("APL001", "{id: 1}\n", "id", 1),
    ("APL002", '{"id": "shop", "id": "x", "containers": []}\n', '"id"', 2),
    ("APL101", _app(_c(res='{"cpus": 1}')), '"resources"', 1),
    ("APL101", '{"id": "shop", "containers": [{"type": "service"}]}', "{", 2),
    ("APL102", _app(_c(extra=', "depends_on": []')), '"depends_on"', 1),
    ("APL103", _app(_c(res='{"cpus": "1", "mem": 256}')), '"1"', 1),
    ("APL104", _app(_c(extra=', "network_mode": "overlay"')), '"overlay"', 1),
    ("APL104", _app(_c(ctype="Service")), '"Service"', 1),
    ("APL105", _app(_c(cid="Web_1")), '"Web_1"', 1),
    ("APL106", _app(_c(), _c()), '"web"', 2),
    ("APL107", '{"id": "shop", "containers": []}', "[]", 1),
    (
        "APL108",
        _app(_c(cid="c" * 40)).replace('"shop"', '"' + "a" * 30 + '"'),
        '"' + "c" * 40 + '"',
        1,
    ),
    (
        "APL109",
        _app(
            _c(extra=', "volumes": [{"src": "pgdat", "dest": "/d"}]'),
            top=' "data_persistence": {"volumes": [{"id": "pgdata"}]},',
        ),
        '"pgdat"',
        1,
    ),
    (
        "APL110",
        _app(_c(), top=' "data_persistence": {"volumes": [{"id": "a"}, {"id": "a"}]},'),
        '"a"',
        2,
    ),
    ("APL201", _app(_c(extra=', "cmd": "curl @dbb:5432"'), _c("db")), "@dbb", 1),
    ("APL201", _app(_c(extra=', "env": {"X": "@a @b"}'), _c("a")), "@b", 1),
    ("APL201", _app(_c(extra=', "env": {"X": "\\u00e9@dbb"}')), "@dbb", 1),
    ("APL202", _app(_c(extra=', "args": ["@db"]'), _c("db")), "@db", 1),
    ("APL203", _app(_c(extra=', "env": {"MAIL": "ops@db.example.com"}'), _c("db")), "@db", 1),
    (
        "APL204",
        _app(
            _c(extra=', "args": ["@db:5433"], "dependencies": ["db"]'),
            _c("db", ', "network_mode": "bridge", "ports": [{"container_port": 5432}]'),
        ),
        "@db:5433",
        1,
    ),
    ("APL211", _app(_c(extra=', "dependencies": ["dbb"]')), '"dbb"', 1),
    (
        "APL212",
        _app(
            _c("a", ', "dependencies": ["b"]'),
            _c("b", ', "dependencies": ["c"]'),
            _c("c", ', "dependencies": ["a"]'),
        ),
        '"a"',
        2,
    ),
    ("APL212", _app(_c("a", ', "dependencies": ["a"]')), '"a"', 2),
    ("APL221", _app(_c(extra=', "ports": [{"container_port": 80, "host_port": -1}]')), "-1", 1),
    (
        "APL222",
        _app(_c(extra=', "ports": [{"container_port": 80}, {"container_port": 80}]')),
        "80",
        2,
    ),
    (
        "APL223",
        _app(
            _c(extra=', "network_mode": "host", "ports": [{"container_port": 80}]'),
            _c("api", ', "network_mode": "host", "ports": [{"container_port": 80}]'),
        ),
        "80",
        2,
    ),
    (
        "APL224",
        _app(_c(extra=', "health_check": {"port_index": 7}, "ports": [{"container_port": 80}]')),
        "7",
        1,
    ),
    ("APL231", _app(_c(res='{"cpus": 1, "mem": 256, "disk": -5}')), "-5", 1),
    ("APL232", _app(_c(res='{"cpus": 0.001, "mem": 256}')), "0.001", 1),
    ("APL234", _app(_c(extra=', "minimum_capacity": 1.5')), "1.5", 1),
    ("APL241", _app(_c(extra=', "cmd": "x", "args": ["y"]')), '"args"', 1),
    ("APL242", _app(_c(ctype="job", res='{"cpus": 1, "mem": 256, "gpu": 3}')), "3", 1),
    ("APL243", _app(_c(ctype="job", extra=', "interval": "P1D"')), '"P1D"', 1),
    (
        "APL244",
        _app(_c(extra=', "volumes": [{"src": "/var/data", "dest": "/d"}]')),
        '"/var/data"',
        1,
    ),
    (
        "APL245",
        _app(_c(extra=', "volumes": [{"container_path": "/d", "host_path": "/d"}]')),
        "{",
        4,
    ),
    ("APL246", _app(_c(extra=', "interval": "T1M"')), '"interval"', 1),
    ("APL247", _app(_c(extra=', "default_health_check": true')), "true", 1),
    ("APL248", _app(_c(extra=', "env": {"A": ""}')), '""', 1),
    (
        "APL249",
        _app(_c(ctype="job", extra=', "volumes": [{"src": "/d", "dest": "/d", "type": "host"}]')),
        "{",
        4,
    ),
    ("APL301", _app(_c(extra=', "is_privileged": true')), "true", 1),
    (
        "APL302",
        _app(
            _c(
                extra=', "volumes": [{"host_path": "/run/docker.sock", '
                '"container_path": "/run/docker.sock"}]'
            )
        ),
        '"/run/docker.sock"',
        1,
    ),
    ("APL303", _app(_c(extra=', "network_mode": "HOST"')), '"HOST"', 1),
    ("APL304", _app(_c(image="nginx:latest")), '"nginx:latest"', 1),
    ("APL305", _app(_c(extra=', "env": {"API_TOKEN": "abc123"}')), '"abc123"', 1),
    ("APL090", _app(_c(extra=', "x-applc-ignore": {"APL301": "needed"}')), '"APL301"', 1),
    ("APL091", _app(_c(extra=', "x-applc-ignore": {"APL3010": "typo"}')), '"APL3010"', 1),
]


@pytest.mark.parametrize(
    ("code", "text", "needle", "nth"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_points_at_the_offending_token(code, text, needle, nth):
    diags = [d for d in lint_text("case.json", text)[1] if d.code == code]
    assert diags, f"{code} not reported"
    want = position_of(text, needle, nth)
    got = [(d.span.line, d.span.column, d.span.end_line, d.span.end_column) for d in diags]
    assert want in got


@pytest.mark.parametrize(
    ("code", "text"),
    [
        ("APL201", _app(_c(extra=', "env": {"MAIL": "clarisca\\\\@unc.edu"}'))),
        ("APL201", _app(_c(extra=', "args": ["@web:80"]'))),  # a container may name itself
        (
            "APL202",
            _app(
                _c("db"),
                _c("api", ', "dependencies": ["db"]'),
                _c(extra=', "args": ["@db"], "dependencies": ["api"]'),
            ),
        ),  # transitive
        ("APL202", _app(_c("db", ', "dependencies": ["web"]'), _c(extra=', "args": ["@db"]'))),
        (
            "APL204",
            _app(
                _c(extra=', "args": ["@db:5433"], "dependencies": ["db"]'),
                _c("db", ', "network_mode": "container"'),
            ),
        ),
        (
            "APL223",
            _app(
                _c(
                    extra=', "network_mode": "bridge", '
                    '"ports": [{"container_port": 80, "host_port": 0}]'
                ),
                _c(
                    "api",
                    ', "network_mode": "bridge", "ports": [{"container_port": 80, "host_port": 0}]',
                ),
            ),
        ),
        ("APL303", _app(_c())),  # the implicit HOST default is not reported
        (
            "APL305",
            _app(
                _c(
                    extra=', "env": {"SSH_PUBKEY": "ssh-rsa AAAA", "PASSWORD": "<redacted>",'
                    ' "DB_PASSWORD": "${DB_PASSWORD}", "KEY_FILE": "/run/k"}'
                )
            ),
        ),
        ("APL232", _app(_c(res='{"cpus": 1, "mem": 128}'))),
        ("APL233", _app(_c(res='{"cpus": 4, "mem": 256}'))),
    ],
)
def test_rule_stays_quiet_on_legal_input(code, text):
    settings = Settings(budget=Budget(cpus=4))
    assert code not in {d.code for d in lint_text("case.json", text, settings)[1]}


def test_budget_counts_instances_and_jobs_once():
    text = _app(
        _c(extra=', "instances": 3', res='{"cpus": 2, "mem": 1024}'),
        _c("job1", ctype="job", res='{"cpus": 2, "mem": 1024}'),
    )
    settings = Settings(budget=Budget(cpus=7, mem=4096))
    diags = [d for d in lint_text("case.json", text, settings)[1] if d.code == "APL233"]
    assert [d.message for d in diags] == ["the appliance needs 8 cpus, over the budget of 7"]


def test_cycle_message_spells_the_whole_cycle_with_labels():
    text = _app(
        _c("a", ', "dependencies": ["b"]'),
        _c("b", ', "dependencies": ["c"]'),
        _c("c", ', "dependencies": ["a"]'),
    )
    [d] = [d for d in lint_text("case.json", text)[1] if d.code == "APL212"]
    assert d.message == "dependency cycle: a -> b -> c -> a"
    assert [lb.message for lb in d.labels] == ["`a` depends on `b`", "`b` depends on `c`"]


def test_pointer_escapes_slash_and_tilde():
    text = _app(_c(extra=', "env": {"app.kubernetes.io/name": "", "a~b": ""}'))
    diags = [d for d in lint_text("case.json", text)[1] if d.code == "APL248"]
    assert {d.pointer for d in diags} == {
        "/containers/0/env/app.kubernetes.io~1name",
        "/containers/0/env/a~0b",
    }
    assert all(d.line == 4 for d in diags)


def test_columns_count_code_points():
    text = (
        '{"id": "s", "containers": [{"id": "😀", "type": "service", "image": "a:1", '
        '"resources": {"cpus": 1, "mem": 256}, "env": {"名": "x@nope"}}]}'
    )
    diags = lint_text("case.json", text)[1]
    ref = next(d for d in diags if d.code == "APL201")
    assert ref.span.column == text.index("@nope") + 1
