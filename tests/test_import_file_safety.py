"""`applc import` of a hostile compose file: the files it names (`env_file`, `.env`,
`extends: {file}`) are read only inside the project folder and only when they are
regular files, and the text of such a file never reaches a finding.

Driven as a user runs it: click's runner, or a child process for what could hang (a
fifo, a device), with a timeout as the hang guard. Expected positions and messages are
written by hand (positions are found in the hand-written compose text).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from applc.formatters import FORMATS
from tests.conftest import ROOT, position_of

SECRET = "hunter2x0d6f1c"
# A line of a secret file that is not KEY=VALUE, as /etc/shadow's lines are not.
SHADOW_LINE = f"root:$6${SECRET}:19000:0:99999:7:::"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    """(project folder, a folder beside it holding secrets)."""
    project = tmp_path / "project"
    outside = tmp_path / "outside"
    project.mkdir()
    write(outside / "secret.env", f"TOKEN={SECRET}\n{SHADOW_LINE}\n")
    return project, outside


def compose(project: Path, env_file: str) -> tuple[Path, str]:
    text = f"services:\n  web:\n    image: nginx:1.25\n    env_file: {env_file}\n"
    return write(project / "compose.yaml", text), text


def diagnostics(run) -> list[dict]:
    return json.loads(run.stderr)["diagnostics"]


def only(run, code: str) -> dict:
    found = [d for d in diagnostics(run) if d["code"] == code]
    assert len(found) == 1, run.stderr
    return found[0]


def applc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command in a child process. The timeout is the hang guard: a read that
    blocks fails the test instead of hanging the suite."""
    return subprocess.run(
        [sys.executable, "-m", "applc", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
        check=False,
    )


def assert_refused_at(run, text: str, value: str, message: str) -> None:
    assert run.code == 1
    d = only(run, "APL514")
    line, col, _, end_col = position_of(text, value)
    assert (d["line"], d["column"], d["end_column"]) == (line, col, end_col)
    assert d["message"] == message
    assert d["severity"] == "error"
    assert SECRET not in run.stdout + run.stderr
    # The rest is still imported.
    assert json.loads(run.stdout)["containers"][0].get("env") is None


# ---------------------------------------------------------------------------- leaving the tree


def test_an_absolute_path_outside_the_project_is_refused_at_its_value(cli, tree):
    project, outside = tree
    secret = str(outside / "secret.env")
    f, text = compose(project, secret)
    run = cli(["import", str(f), "-f", "json"])
    assert_refused_at(
        run,
        text,
        secret,
        f"service `web`: env_file `{secret}` is outside the project folder; it is not read",
    )


def test_etc_shadow_is_refused_before_it_is_opened(cli, tmp_path):
    f, text = compose(tmp_path, "/etc/shadow")
    run = cli(["import", str(f), "-f", "json"])
    assert_refused_at(
        run,
        text,
        "/etc/shadow",
        "service `web`: env_file `/etc/shadow` is outside the project folder; it is not read",
    )


def test_a_dot_dot_escape_is_refused(cli, tree):
    project, _ = tree
    f, text = compose(project, "../outside/secret.env")
    run = cli(["import", str(f), "-f", "json"])
    assert_refused_at(
        run,
        text,
        "../outside/secret.env",
        "service `web`: env_file `../outside/secret.env` is outside the project folder; "
        "it is not read",
    )
    assert "--allow-outside FOLDER" in only(run, "APL514")["help"]


def test_the_long_syntax_is_refused_at_its_path_even_when_not_required(cli, tree):
    project, _ = tree
    text = (
        "services:\n  web:\n    image: nginx:1.25\n    env_file:\n"
        "      - {path: ../outside/secret.env, required: false}\n"
    )
    f = write(project / "compose.yaml", text)
    run = cli(["import", str(f), "-f", "json"])
    assert_refused_at(
        run,
        text,
        "../outside/secret.env",
        "service `web`: env_file `../outside/secret.env` is outside the project folder; "
        "it is not read",
    )


def test_whether_a_file_outside_exists_is_never_told(cli, tree):
    project, _ = tree
    f, _ = compose(project, "../outside/no-such.env")
    run = cli(["import", str(f), "-f", "json"])
    assert run.code == 1
    assert [d["code"] for d in diagnostics(run) if d["severity"] == "error"] == ["APL514"]
    assert "does not exist" not in run.stderr


@pytest.mark.parametrize("link_to", ["file", "folder"])
def test_a_symbolic_link_that_leads_out_of_the_project_is_refused(cli, tree, link_to):
    project, outside = tree
    if link_to == "file":
        (project / "web.env").symlink_to(outside / "secret.env")
        value = "web.env"
    else:
        (project / "config").symlink_to(outside)
        value = "config/secret.env"
    f, text = compose(project, value)
    run = cli(["import", str(f), "-f", "json"])
    assert_refused_at(
        run,
        text,
        value,
        f"service `web`: env_file `{value}` is a symbolic link that leads outside the "
        "project folder; it is not read",
    )


def test_a_symbolic_link_that_stays_inside_is_followed(cli, tree):
    project, _ = tree
    write(project / "env" / "real.env", "LEVEL=debug\n")
    (project / "web.env").symlink_to(Path("env") / "real.env")
    f, _ = compose(project, "web.env")
    run = cli(["import", str(f), "-f", "json"])
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["containers"][0]["env"] == {"LEVEL": "debug"}


def test_a_project_reached_through_a_link_still_reads_its_own_files(cli, tmp_path):
    real = tmp_path / "real"
    write(real / "web.env", "LEVEL=debug\n")
    f, _ = compose(real, "web.env")
    (tmp_path / "alias").symlink_to(real)
    run = cli(["import", str(tmp_path / "alias" / f.name), "-f", "json"])
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["containers"][0]["env"] == {"LEVEL": "debug"}


def test_allow_outside_names_a_folder_that_may_be_read(cli, tree):
    project, outside = tree
    write(outside / "shared.env", "REGION=eu-west-1\n")
    f, _ = compose(project, "../outside/shared.env")
    run = cli(["import", str(f), "-f", "json", "--allow-outside", str(outside)])
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["containers"][0]["env"] == {"REGION": "eu-west-1"}
    # Only that folder: its parent's other files stay out.
    write(project.parent / "other" / "x.env", "X=1\n")
    f, _ = compose(project, "../other/x.env")
    run = cli(["import", str(f), "-f", "json", "--allow-outside", str(outside)])
    assert run.code == 1
    assert only(run, "APL514")["message"].endswith("is outside the project folder; it is not read")


def test_allow_outside_must_name_an_existing_folder_and_applies_to_compose(cli, tree):
    project, outside = tree
    f, _ = compose(project, "web.env")
    run = cli(["import", str(f), "--allow-outside", str(project / "missing")])
    assert run.code == 2
    assert "--allow-outside" in run.stderr
    run = cli(["import", str(f), "--allow-outside", str(outside / "secret.env")])
    assert run.code == 2
    marathon = project / "group.json"
    marathon.write_text('{"id": "/shop", "apps": []}\n')
    run = cli(["import", str(marathon), "--allow-outside", str(outside)])
    assert run.code == 2
    assert "--allow-outside applies to compose files" in run.stderr


def test_files_named_on_the_command_line_are_read_wherever_they_are(cli, tree):
    project, outside = tree
    f, _ = compose(project, "web.env")
    write(project / "web.env", "LEVEL=info\n")
    extra = write(outside / "override.yaml", "services:\n  web:\n    environment: [MORE=1]\n")
    run = cli(["import", str(f), str(extra), "-f", "json"])
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["containers"][0]["env"] == {"LEVEL": "info", "MORE": "1"}


def test_files_inside_a_git_folder_are_refused(cli, tree):
    project, _ = tree
    write(
        project / ".git" / "config",
        f'[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic {SECRET}\n',
    )
    f, text = compose(project, ".git/config")
    run = cli(["import", str(f), "-f", "json"])
    assert_refused_at(
        run,
        text,
        ".git/config",
        "service `web`: env_file `.git/config` is inside a `.git` folder; it is not read",
    )


# ---------------------------------------------------------------------------- not regular files


def test_a_fifo_is_refused_without_blocking(tree):
    project, _ = tree
    os.mkfifo(project / "web.env")
    f, text = compose(project, "web.env")
    run = applc("import", str(f), "-f", "json")
    assert run.returncode == 1, run.stderr
    d = [d for d in json.loads(run.stderr)["diagnostics"] if d["code"] == "APL514"]
    assert [x["message"] for x in d] == [
        "service `web`: env_file `web.env` is a fifo, not a regular file; it is not read"
    ]
    assert (d[0]["line"], d[0]["column"]) == position_of(text, "web.env")[:2]


def test_a_device_is_refused_even_in_an_allowed_folder(tmp_path):
    f, text = compose(tmp_path, "/dev/zero")
    run = applc("import", str(f), "-f", "json", "--allow-outside", "/dev")
    assert run.returncode == 1, run.stderr
    d = [d for d in json.loads(run.stderr)["diagnostics"] if d["code"] == "APL514"]
    assert [x["message"] for x in d] == [
        "service `web`: env_file `/dev/zero` is a character device, not a regular file; "
        "it is not read"
    ]


def test_a_device_node_inside_the_project_is_refused(tmp_path):
    try:
        os.mknod(tmp_path / "zero.env", 0o600 | 0o020000, os.makedev(1, 5))  # S_IFCHR
    except PermissionError:
        pytest.skip("creating a device node needs root (CI runs as root)")
    f, _ = compose(tmp_path, "zero.env")
    run = applc("import", str(f), "-f", "concise")
    assert run.returncode == 1
    assert "env_file `zero.env` is a character device, not a regular file" in run.stderr


def test_a_socket_and_a_folder_are_refused(cli, tmp_path):
    (tmp_path / "env").mkdir()
    # A socket's path is limited to about 100 bytes: bind by a short relative name.
    here = os.getcwd()
    server = socket.socket(socket.AF_UNIX)
    try:
        os.chdir(tmp_path)
        server.bind("sock.env")
    finally:
        os.chdir(here)
    try:
        f, _ = compose(tmp_path, "[sock.env, env]")
        run = cli(["import", str(f), "-f", "json"])
    finally:
        server.close()
    assert run.code == 1
    assert sorted(d["message"] for d in diagnostics(run) if d["code"] == "APL514") == [
        "service `web`: env_file `env` is a directory, not a regular file; it is not read",
        "service `web`: env_file `sock.env` is a socket, not a regular file; it is not read",
    ]


def test_a_huge_env_file_is_refused_unread(cli, tmp_path):
    big = tmp_path / "big.env"
    with open(big, "wb") as fh:
        fh.truncate(64 * 1024 * 1024)  # sparse: nothing to read it would need memory for
    f, _ = compose(tmp_path, "big.env")
    run = cli(["import", str(f), "-f", "json"])
    assert run.code == 1
    assert only(run, "APL514")["message"] == (
        "service `web`: env_file `big.env` is larger than 1 MiB; it is not read"
    )


def test_a_fifo_named_on_the_command_line_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "compose.yaml")
    run = applc("import", str(tmp_path / "compose.yaml"))
    assert run.returncode == 1
    assert "is not a regular file" in run.stderr


# ---------------------------------------------------------------------------- the project's .env


def test_a_dotenv_link_out_of_the_project_is_refused(cli, tree):
    project, outside = tree
    (project / ".env").symlink_to(outside / "secret.env")
    f = write(project / "compose.yaml", "services:\n  web:\n    image: nginx:${TOKEN:-1.25}\n")
    run = cli(["import", str(f), "-f", "json"], env={"TOKEN": None})
    assert run.code == 1
    d = only(run, "APL514")
    assert d["file"] == str(project.resolve() / ".env")
    assert (d["line"], d["column"]) == (1, 1)
    assert d["message"] == (
        "the project's `.env` is a symbolic link that leads outside the project folder; "
        "it is not read"
    )
    assert json.loads(run.stdout)["containers"][0]["image"] == "nginx:1.25"
    assert SECRET not in run.stdout + run.stderr


def test_a_dotenv_fifo_is_refused_and_a_dotenv_folder_skipped(tmp_path):
    os.mkfifo(tmp_path / ".env")
    f = write(tmp_path / "compose.yaml", "services:\n  web:\n    image: nginx:1.25\n")
    run = applc("import", str(f), "-f", "concise")
    assert run.returncode == 1
    assert "the project's `.env` is a fifo, not a regular file; it is not read" in run.stderr
    # A `.env` folder (a virtual environment) is skipped, as compose skips it.
    (tmp_path / ".env").unlink()
    (tmp_path / ".env").mkdir()
    run = applc("import", str(f), "-f", "concise", "-q")
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""


# ---------------------------------------------------------------------------- extends


def test_an_extends_file_outside_the_project_is_refused_at_its_value(cli, tree):
    project, outside = tree
    write(outside / "base.yaml", "services:\n  base:\n    image: nginx:1.25\n")
    text = (
        "services:\n  web:\n    image: nginx:1.25\n"
        "    extends: {file: ../outside/base.yaml, service: base}\n"
    )
    f = write(project / "compose.yaml", text)
    run = cli(["import", str(f), "-f", "json"])
    assert run.code == 1
    d = only(run, "APL514")
    line, col, _, end_col = position_of(text, "../outside/base.yaml")
    assert (d["line"], d["column"], d["end_column"]) == (line, col, end_col)
    assert d["message"] == (
        "`extends` file `../outside/base.yaml` is outside the project folder; it is not read"
    )
    # Allowed, it is read.
    run = cli(["import", str(f), "-f", "json", "--allow-outside", str(outside)])
    assert run.code == 0, run.stderr


# ---------------------------------------------------------------------------- never quoted


ENV_TEXT = f"""\
GOOD=1
{SHADOW_LINE}
PASSWORD=pa$word_{SECRET}
NEED=${{MUST_{SECRET}?no {SECRET} here}}
OPEN="{SECRET}
"""


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_text_of_an_env_file_is_never_shown(cli, tmp_path, fmt):
    write(tmp_path / "web.env", ENV_TEXT)
    f, _ = compose(tmp_path, "web.env")
    out = tmp_path / "web.appliance.json"
    run = cli(["import", str(f), "-f", fmt, "-o", str(out)], env={"word_" + SECRET: None})
    assert run.code == 1
    assert SECRET not in run.stdout + run.stderr
    assert SECRET not in out.read_text()
    assert "pa$word" not in run.stderr and "root:" not in run.stderr


def test_env_file_findings_say_where_and_what_without_the_text(cli, tmp_path):
    env = write(tmp_path / "web.env", ENV_TEXT)
    f, _ = compose(tmp_path, "web.env")
    run = cli(["import", str(f), "-f", "json"])
    got = sorted(
        (d["file"], d["line"], d["column"], d["code"], d["message"])
        for d in diagnostics(run)
        if d["file"] == str(env)
    )
    assert got == [
        (
            str(env),
            2,
            5,
            "APL502",
            "this line is not `KEY=VALUE`: a variable name must be followed by `=`",
        ),
        (
            str(env),
            3,
            1,
            "APL503",
            "a variable on this line is not set; an empty string is used",
        ),
        (
            str(env),
            4,
            1,
            "APL504",
            "a required variable (`${VAR?message}`) on this line is not set",
        ),
        (str(env), 5, 6, "APL502", "the double quote is not closed"),
    ]
    # The full format shows the place and no source line.
    full = cli(["import", str(f), "--color", "never"])
    assert f" --> {env}:2:5\n\n" in full.stderr
    # What parses becomes the environment, as compose makes it.
    assert json.loads(run.stdout)["containers"][0]["env"] == {
        "GOOD": "1",
        "PASSWORD": "pa",
        "NEED": "",
    }


def test_the_text_of_an_extends_file_is_never_shown(cli, tmp_path):
    write(tmp_path / "secrets.yaml", f"token: [{SECRET}\n")
    f = write(
        tmp_path / "compose.yaml",
        "services:\n  web:\n    extends: {file: secrets.yaml, service: x}\n",
    )
    run = cli(["import", str(f), "--color", "never"])
    assert run.code == 1
    assert SECRET not in run.stdout + run.stderr
    assert f"{(tmp_path / 'secrets.yaml').resolve()}: not YAML the import can read" in run.stderr
    # Interpolation in it is reported without the variable's name.
    write(tmp_path / "secrets.yaml", f"services:\n  x:\n    image: a:${{V_{SECRET}}}\n")
    run = cli(["import", str(f), "-f", "json"])
    assert SECRET not in run.stdout + run.stderr
    assert "a variable on this line is not set; an empty string is used" in run.stderr


def test_a_compose_file_named_on_the_command_line_is_shown_as_ever(cli, tmp_path):
    # Named by `extends` too, it is still an input: its lines are shown.
    text = (
        "services:\n  base:\n    image: nginx:1${APPLC_TEST_UNSET_X}\n"
        "  web:\n    extends: {file: ./compose.yaml, service: base}\n"
    )
    f = write(tmp_path / "compose.yaml", text)
    run = cli(["import", str(f), "--color", "never"], env={"APPLC_TEST_UNSET_X": None})
    assert run.code == 0, run.stderr
    assert "variable `APPLC_TEST_UNSET_X` is not set" in run.stderr
    assert "3 |     image: nginx:1${APPLC_TEST_UNSET_X}" in run.stderr
