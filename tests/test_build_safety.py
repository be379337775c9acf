"""`applc build` against hostile appliances and output folders (issue 11): output names
that are not one safe path component, ids that collide, symbolic links, fifos,
read-only and hard-linked files in the output folder, files applc never wrote, and
`--output-format`. Driven through the CLI as a user runs it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.support.appliances import shop
from tests.support.appliances import write_json as _write

MANIFEST = ".applc-manifest.json"


def _app(name: str = "shop", jobs: bool = False, **extra: object) -> dict:
    return shop(name, jobs, **extra)


def _outputs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != MANIFEST)


def _applc(
    *args: str, stdin: bytes | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """The real command in a child process: for what must not hang, and for bytes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "applc", *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env=env,
        check=False,
    )


# --------------------------------------------------------------------------- item 1, 2


HOSTILE_IDS = ["/tmp/applc-escape", "../escape", "..", "shop\u0000x", "shop\n", "a/b", "-rf", ".x"]


@pytest.mark.parametrize("aid", HOSTILE_IDS)
@pytest.mark.parametrize("how", ["inline", "cli", "config"])
def test_an_id_that_is_not_one_safe_path_component_never_names_a_file(tmp_path, aid, how):
    value = _app(aid)
    args = []
    if how == "inline":
        value["x-applc-ignore"] = {"APL105": "trust me"}
    elif how == "cli":
        args = ["--ignore", "APL105"]
    else:
        (tmp_path / "applc.toml").write_text('ignore = ["APL105"]\n', encoding="utf-8")
    src = _write(tmp_path / "in" / "a.appliance.json", value)
    out = tmp_path / "out"
    for extra in ([], ["--check"], ["--diff"], ["-o", "-"]):
        dest = ["-o", str(out)] if "-o" not in extra else []
        run = run_cli(["build", str(src), "-t", "compose", *dest, *extra, *args])
        assert run.code == 2, (extra, run.stderr)
        assert "cannot name an output file" in run.stderr
        assert "internal error" not in run.stderr
        assert "\u0000" not in run.stderr and "shop\n" not in run.stderr
    assert not out.exists()
    assert not Path("/tmp/applc-escape.compose.yaml").exists()
    assert not (tmp_path / "escape.compose.yaml").exists()


def test_an_id_ending_in_a_newline_is_an_invalid_id(tmp_path):
    src = _write(tmp_path / "a.appliance.json", _app("shop\n"))
    run = run_cli(["lint", "-f", "json", str(src)])
    assert run.code == 1
    assert [d["code"] for d in run.json()["diagnostics"]] == ["APL105"]
    run = run_cli(["build", str(src), "-t", "compose", "-o", str(tmp_path / "out")])
    assert run.code == 1 and "error[APL105]" in run.stderr
    assert not (tmp_path / "out").exists()


def test_ids_that_differ_only_in_case_never_share_a_file(tmp_path):
    upper = _app("Shop", **{"x-applc-ignore": {"APL105": "legacy"}})
    a = _write(tmp_path / "in" / "a.appliance.json", upper)
    b = _write(tmp_path / "in" / "b.appliance.json", _app("shop"))
    out = tmp_path / "out"
    run = run_cli(["build", str(a), str(b), "-t", "compose", "-o", str(out)])
    assert run.code == 0, run.stderr
    names = _outputs(out)
    assert names == ["Shop--a.compose.yaml", "shop--b.compose.yaml"]
    assert len({n.casefold() for n in names}) == 2
    assert "name: Shop" in (out / names[0]).read_text()
    assert "name: shop" in (out / names[1]).read_text()


# --------------------------------------------------------------------------- item 19


def test_a_folder_whose_appliances_share_an_id_builds_each_to_its_own_files(tmp_path):
    # As in the real corpus: two `hail` appliances side by side.
    first = _app("hail")
    second = _app("hail")
    second["containers"][0]["image"] = "postgres:16.1"
    _write(tmp_path / "src" / "appstore-hail.json", first)
    _write(tmp_path / "src" / "hail-pivotspawner.json", second)
    _write(tmp_path / "src" / "other.appliance.json", _app("other"))
    for target, suffix in (
        ("marathon", "marathon.json"),
        ("compose", "compose.yaml"),
        ("kubernetes", "k8s.yaml"),
    ):
        out = tmp_path / target
        run = run_cli(["build", str(tmp_path / "src"), "-t", target, "-o", str(out)])
        assert run.code == 0, run.stderr
        assert _outputs(out) == [
            f"hail--appstore-hail.{suffix}",
            f"hail--hail-pivotspawner.{suffix}",
            f"other.{suffix}",
        ]
        assert "postgres:15.4" in (out / f"hail--appstore-hail.{suffix}").read_text()
        assert "postgres:16.1" in (out / f"hail--hail-pivotspawner.{suffix}").read_text()
        assert "2 inputs define appliance `hail`" in run.stderr
        assert "hail--appstore-hail.*" in run.stderr
        # The same build again: the same names, nothing to do.
        again = run_cli(["build", str(tmp_path / "src"), "-t", target, "-o", str(out), "--check"])
        assert again.code == 0, again.stderr


def test_building_one_file_at_a_time_never_overwrites_another_inputs_output(tmp_path):
    a = _write(tmp_path / "a" / "hail.json", _app("hail"))
    other = _app("hail")
    other["containers"][0]["image"] = "postgres:16.1"
    b = _write(tmp_path / "b" / "hail.json", other)
    out = tmp_path / "out"
    assert run_cli(["build", str(a), "-t", "compose", "-o", str(out)]).code == 0
    assert _outputs(out) == ["hail.compose.yaml"]
    mine = (out / "hail.compose.yaml").read_bytes()

    run = run_cli(["build", str(b), "-t", "compose", "-o", str(out)])
    assert run.code == 0, run.stderr
    assert (out / "hail.compose.yaml").read_bytes() == mine
    assert _outputs(out) == ["hail--b-hail.compose.yaml", "hail.compose.yaml"]
    assert "postgres:16.1" in (out / "hail--b-hail.compose.yaml").read_text()
    assert "in an earlier build of this folder" in run.stderr

    # Building the first again settles on the names the pair gets together, and
    # removes the file it wrote under its old name.
    run = run_cli(["build", str(a), "-t", "compose", "-o", str(out)])
    assert run.code == 0, run.stderr
    assert _outputs(out) == ["hail--a-hail.compose.yaml", "hail--b-hail.compose.yaml"]
    assert f"removed {(out / 'hail.compose.yaml').as_posix()}" in run.stderr
    both = run_cli(["build", str(a), str(b), "-t", "compose", "-o", str(out), "--check"])
    assert both.code == 0, both.stderr


# --------------------------------------------------------------------------- item 7


def test_a_file_applc_never_wrote_is_never_removed(tmp_path):
    src = _write(tmp_path / "shop.appliance.json", _app(jobs=False))
    out = tmp_path / "out"
    out.mkdir()
    foreign = out / "shop.chronos.json"
    foreign.write_text('{"mine": "not applc\'s"}\n', encoding="utf-8")
    for extra in ([], ["--check"], []):
        run = run_cli(["build", str(src), "-t", "marathon", "-o", str(out), *extra])
        assert run.code == 0, run.stderr
        assert "obsolete" not in run.stderr and "removed" not in run.stderr
    assert foreign.read_text() == '{"mine": "not applc\'s"}\n'


def test_a_file_applc_wrote_is_removed_only_while_it_holds_what_applc_wrote(tmp_path):
    src = _write(tmp_path / "shop.appliance.json", _app(jobs=True))
    out = tmp_path / "out"
    assert run_cli(["build", str(src), "-t", "marathon", "-o", str(out)]).code == 0
    jobs = out / "shop.chronos.json"
    jobs.write_text(jobs.read_text() + " ", encoding="utf-8")  # someone edited it
    _write(src, _app(jobs=False))
    run = run_cli(["build", str(src), "-t", "marathon", "-o", str(out)])
    assert run.code == 0, run.stderr
    assert jobs.exists() and "kept " in run.stderr and "changed since applc wrote it" in run.stderr
    # It is no longer applc's: the next build says nothing about it.
    run = run_cli(["build", str(src), "-t", "marathon", "-o", str(out)])
    assert run.code == 0 and "kept " not in run.stderr and jobs.exists()


def test_a_hostile_manifest_cannot_make_applc_remove_anything(tmp_path):
    src = _write(tmp_path / "shop.appliance.json", _app())
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    record = {
        "target": "compose",
        "appliance": "shop",
        "source": "../shop.appliance.json",
        "sha256": "0" * 64,
    }
    for name in ("../victim.txt", "victim.txt\n"):
        (out / MANIFEST).write_text(
            json.dumps({"version": 1, "files": {name: record}}), encoding="utf-8"
        )
        run = run_cli(["build", str(src), "-t", "compose", "-o", str(out)])
        assert run.code == 2 and "is not a manifest this applc wrote" in run.stderr
    assert victim.read_text() == "precious\n"


# --------------------------------------------------------------------------- item 3, 4


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """An appliance built once to compose, then changed so the output is stale."""
    src = _write(tmp_path / "shop.appliance.json", _app())
    out = tmp_path / "out"
    assert run_cli(["build", str(src), "-t", "compose", "-o", str(out)]).code == 0
    changed = _app()
    changed["containers"][0]["image"] = "postgres:16.1"
    _write(src, changed)
    return src, out


@pytest.mark.parametrize("mode", ["--diff", "--check", "write"])
def test_a_symbolic_link_out_of_the_output_folder_is_never_followed(tmp_path, built, mode):
    src, out = built
    secret = tmp_path / "secret.env"
    secret.write_text("AWS_SECRET_ACCESS_KEY=hunter2\n", encoding="utf-8")
    link = out / "shop.compose.yaml"
    link.unlink()
    link.symlink_to(secret)
    extra = [] if mode == "write" else [mode]
    run = run_cli(["build", str(src), "-t", "compose", "-o", str(out), *extra])
    assert run.code == 2
    assert "symbolic link to a file outside the output folder" in run.stderr
    assert "hunter2" not in run.stdout + run.stderr
    assert secret.read_text() == "AWS_SECRET_ACCESS_KEY=hunter2\n"
    assert link.is_symlink()


def test_environ_behind_a_link_is_never_printed(tmp_path, built):
    src, out = built
    link = out / "shop.compose.yaml"
    link.unlink()
    link.symlink_to("/proc/self/environ")
    proc = _applc("build", str(src), "-t", "compose", "-o", str(out), "--diff")
    assert proc.returncode == 2
    assert b"PYTHONPATH=" not in proc.stdout + proc.stderr


def test_a_link_inside_the_output_folder_is_written_through(tmp_path, built):
    src, out = built
    (out / "real").mkdir()
    real = out / "real" / "shop.compose.yaml"
    (out / "shop.compose.yaml").rename(real)
    (out / "shop.compose.yaml").symlink_to(Path("real") / "shop.compose.yaml")
    run = run_cli(["build", str(src), "-t", "compose", "-o", str(out), "--diff"])
    assert run.code == 1 and '+    image: "postgres:16.1"' in run.stdout
    run = run_cli(["build", str(src), "-t", "compose", "-o", str(out)])
    assert run.code == 0, run.stderr
    assert (out / "shop.compose.yaml").is_symlink()
    assert "postgres:16.1" in real.read_text()


def test_a_fifo_in_the_output_folder_is_refused_without_hanging(tmp_path, built):
    src, out = built
    (out / "shop.compose.yaml").unlink()
    os.mkfifo(out / "shop.compose.yaml")
    for extra in (["--diff"], ["--check"], []):
        proc = _applc("build", str(src), "-t", "compose", "-o", str(out), *extra, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert b"is a fifo" in proc.stderr
    assert stat.S_ISFIFO(os.lstat(out / "shop.compose.yaml").st_mode)


def test_a_read_only_output_is_refused_not_replaced(tmp_path, built):
    src, out = built
    target = out / "shop.compose.yaml"
    before = target.read_bytes()
    target.chmod(0o444)
    run = run_cli(["build", str(src), "-t", "compose", "-o", str(out)])
    assert run.code == 2 and "is read-only" in run.stderr
    assert target.read_bytes() == before
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


def test_an_output_keeps_its_mode_and_its_hard_links(tmp_path, built):
    src, out = built
    target = out / "shop.compose.yaml"
    target.chmod(0o640)
    twin = tmp_path / "published.yaml"
    os.link(target, twin)
    run = run_cli(["build", str(src), "-t", "compose", "-o", str(out)])
    assert run.code == 0, run.stderr
    assert "postgres:16.1" in twin.read_text()
    assert os.path.samefile(target, twin)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


# --------------------------------------------------------------------------- item 20


def test_build_reports_in_the_output_format_asked_for(tmp_path):
    value = _app()
    value["containers"][0]["image"] = "postgres"  # APL304: a warning, the build goes on
    src = _write(tmp_path / "shop.appliance.json", value)
    out = tmp_path / "out"
    run = run_cli(["build", str(src), "-t", "compose", "-o", str(out), "-f", "github"])
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("::warning file=") and "title=APL304" in run.stdout

    env = {"APPLC_OUTPUT_FORMAT": "concise"}
    run = run_cli(["build", str(src), "-t", "compose", "-o", str(out)], env=env)
    assert run.code == 0
    assert f"{src}:" in run.stdout and "APL304 [warning]" in run.stdout

    report = tmp_path / "report.json"
    run = run_cli(
        ["build", str(src), "-t", "compose", "-o", "-", "-f", "json", "-f", f"sarif={report}"]
    )
    assert run.code == 0
    assert run.stdout.startswith("# Generated by applc")  # the build owns standard output
    assert json.loads(run.stderr[: run.stderr.rindex("}") + 1])["summary"]["warnings"] == 1
    assert json.loads(report.read_text())["runs"][0]["results"][0]["ruleId"] == "APL304"

    bad = run_cli(["build", str(src), "-t", "compose", "-f", "yaml"])
    assert bad.code == 2 and "unknown format `yaml`" in bad.stderr
