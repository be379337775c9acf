"""The build's write path, piece by piece (applc/build.py after `compile_paths`): output
names, the manifest's format and what it refuses, what a write changes, and the roll
back. Expected values are written by hand from docs/targets.md ("Output names", "The
manifest", "The output folder is the only place a build touches")."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from applc import build as b
from applc.build import BuildError, Manifest

# --------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("key", "stem"),
    [
        ("src/shop.appliance.json", "shop"),
        ("src/shop.json", "shop"),
        ("shop.appl", "shop"),
        ("a.b.appliance.json", "a.b"),
        ("notes.txt", "notes.txt"),
        # A name that is only a suffix keeps it: an empty stem names nothing.
        (".json", ".json"),
        ("x/.appl", ".appl"),
    ],
)
def test_the_input_stem_drops_one_input_suffix(key: str, stem: str) -> None:
    assert b.input_stem(key) == stem


def test_labels_are_the_stems_when_the_stems_differ() -> None:
    keys = ["in/appstore-hail.json", "in/hail-pivotspawner.json"]
    assert b.labels(keys) == {
        "in/appstore-hail.json": "appstore-hail",
        "in/hail-pivotspawner.json": "hail-pivotspawner",
    }


def test_labels_add_parent_folders_until_they_differ() -> None:
    keys = ["x/a/hail.json", "x/b/hail.json"]
    assert b.labels(keys) == {"x/a/hail.json": "a-hail", "x/b/hail.json": "b-hail"}
    keys = ["p/q/a/hail.json", "p/r/a/hail.json"]
    assert b.labels(keys) == {"p/q/a/hail.json": "q-a-hail", "p/r/a/hail.json": "r-a-hail"}


def test_labels_differing_only_in_case_are_not_distinct() -> None:
    keys = ["a/Hail.json", "b/hail.json"]
    assert b.labels(keys) == {"a/Hail.json": "a-Hail", "b/hail.json": "b-hail"}


def test_label_parts_are_safe_name_characters() -> None:
    keys = ["in/my app.json", "in/x;y.json"]
    assert b.labels(keys) == {"in/my app.json": "my_app", "in/x;y.json": "x_y"}


def test_label_parts_strip_dots_and_dashes_at_their_ends() -> None:
    assert b._label_part(".-a b-.") == "a_b"
    assert b._label_part("...") == "_"
    assert b._label_part("") == "_"
    assert b._label_part("ok_name.v2") == "ok_name.v2"


def test_labels_that_never_differ_end_in_a_hash_of_the_input() -> None:
    keys = ["x/a b.json", "x/a;b.json"]  # both `a_b`, also with their folder
    got = b.labels(keys)
    assert got == {k: f"a_b-{hashlib.sha256(k.encode()).hexdigest()[:8]}" for k in keys}


def test_labels_are_at_most_100_characters() -> None:
    keys = [f"a/{'x' * 150}.json", f"b/{'x' * 150}.json"]
    got = b.labels(keys)
    assert got == {keys[0]: "a-" + "x" * 98, keys[1]: "b-" + "x" * 98}


@pytest.mark.parametrize(
    "aid", ["../x", "..", ".hidden", "-rf", "a/b", "a\\b", "a b", "x\u0000", "é", "x" * 129, ""]
)
def test_an_unsafe_id_never_names_a_file(aid: str) -> None:
    why = b.id_problem(aid)
    assert why is not None
    assert why.startswith(f"appliance id {json.dumps(aid)} cannot name an output file")


@pytest.mark.parametrize("aid", ["shop", "x" * 128, "a.b_c-d", "_x", "9lives"])
def test_a_safe_id_names_a_file(aid: str) -> None:
    assert b.id_problem(aid) is None


@pytest.mark.parametrize("aid", [None, 7, ["shop"]])
def test_an_appliance_without_a_string_id_names_no_file(aid: object) -> None:
    assert b.id_problem(aid) == "the appliance has no id to name its output files"


def test_shown_quotes_strings_and_escapes_controls() -> None:
    assert b.shown("a\u001bb") == '"a\\u001bb"'
    assert b.shown("é") == '"\\u00e9"'
    assert b.shown(None) == "None"
    assert b.shown(3) == "3"


# --------------------------------------------------------------------------- manifest


RECORD = {"target": "compose", "appliance": "shop", "source": "../shop.json", "sha256": "ab" * 32}


def test_the_manifest_text_is_the_documented_format() -> None:
    m = Manifest(
        {
            "shop.compose.yaml": dict(RECORD),
            "a\u00e9.compose.yaml": {**RECORD, "appliance": "a\u00e9"},
        }
    )
    expected = (
        "{\n"
        '  "comment": "Files `applc build` wrote in this folder; it removes only these.",\n'
        '  "version": 1,\n'
        '  "files": {\n'
        '    "a\\u00e9.compose.yaml": {\n'
        '      "target": "compose",\n'
        '      "appliance": "a\\u00e9",\n'
        '      "source": "../shop.json",\n'
        f'      "sha256": "{"ab" * 32}"\n'
        "    },\n"
        '    "shop.compose.yaml": {\n'
        '      "target": "compose",\n'
        '      "appliance": "shop",\n'
        '      "source": "../shop.json",\n'
        f'      "sha256": "{"ab" * 32}"\n'
        "    }\n"
        "  }\n"
        "}\n"
    )
    assert m.text() == expected


def test_a_manifest_reads_back_what_it_wrote(tmp_path: Path) -> None:
    entries = {"shop.compose.yaml": dict(RECORD), "b.k8s.yaml": {**RECORD, "target": "kubernetes"}}
    (tmp_path / b.MANIFEST).write_text(Manifest(entries).text(), encoding="utf-8")
    assert Manifest.load(tmp_path).entries == entries


def test_no_manifest_is_an_empty_one(tmp_path: Path) -> None:
    assert Manifest.load(tmp_path).entries == {}
    assert Manifest.load(tmp_path / "missing").entries == {}
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert Manifest.load(tmp_path / "file").entries == {}  # a file where a folder would be


def test_a_manifest_keeps_only_its_four_fields(tmp_path: Path) -> None:
    files = {"shop.compose.yaml": {**RECORD, "extra": "dropped"}}
    (tmp_path / b.MANIFEST).write_text(json.dumps({"version": 1, "files": files}), "utf-8")
    assert Manifest.load(tmp_path).entries == {"shop.compose.yaml": RECORD}


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        "{}",
        '{"version": 1}',
        '{"version": 2, "files": {}}',
        '{"files": {}}',
        '{"version": 1, "files": []}',
        json.dumps({"version": 1, "files": {"../victim.txt": RECORD}}),
        json.dumps({"version": 1, "files": {".hidden": RECORD}}),
        json.dumps({"version": 1, "files": {"shop.yaml": "x"}}),
        *(
            json.dumps({"version": 1, "files": {"shop.yaml": {**RECORD, field: 1}}})
            for field in ("target", "appliance", "source", "sha256")
        ),
        json.dumps({"version": 1, "files": {"shop.yaml": {"target": "compose"}}}),
    ],
)
def test_a_manifest_applc_did_not_write_stops_the_build(tmp_path: Path, text: str) -> None:
    (tmp_path / b.MANIFEST).write_text(text, encoding="utf-8")
    with pytest.raises(BuildError) as info:
        Manifest.load(tmp_path)
    assert str(info.value) == (
        f"{(tmp_path / b.MANIFEST).as_posix()} is not a manifest this applc wrote; delete it "
        "to start over (applc then removes no old files until it has written them again)"
    )


def test_a_manifest_that_is_not_utf8_stops_the_build(tmp_path: Path) -> None:
    (tmp_path / b.MANIFEST).write_bytes(b'{"version": 1, "files": {"\xff": {}}}')
    with pytest.raises(BuildError, match="is not a manifest this applc wrote"):
        Manifest.load(tmp_path)


def test_a_manifest_that_is_a_link_or_a_folder_is_not_read(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text(Manifest({"shop.yaml": dict(RECORD)}).text(), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / b.MANIFEST).symlink_to(real)
    with pytest.raises(BuildError) as info:
        Manifest.load(out)
    assert str(info.value) == (
        f"cannot read {(out / b.MANIFEST).as_posix()}: {(out / b.MANIFEST)} is a symbolic link"
    )
    (out / b.MANIFEST).unlink()
    (out / b.MANIFEST).mkdir()
    with pytest.raises(BuildError, match=r"^cannot read .*: .* is a directory, not a regular"):
        Manifest.load(out)


def test_the_owner_of_a_name_is_found_whatever_its_case() -> None:
    m = Manifest({"Shop.compose.yaml": {**RECORD, "source": "a/shop.json"}})
    assert m.owner("Shop.compose.yaml") == "a/shop.json"
    assert m.owner("shop.COMPOSE.yaml") == "a/shop.json"
    assert m.owner("other.compose.yaml") is None


def test_a_source_exists_only_as_a_file_inside_the_folder_tree(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "shop.json").write_text("{}", encoding="utf-8")
    (tmp_path / "dir.json").mkdir()
    assert Manifest.source_exists("../shop.json", out)
    assert not Manifest.source_exists("../dir.json", out)
    assert not Manifest.source_exists("../gone.json", out)
    assert not Manifest.source_exists("-", out)
    (out / "-").write_text("{}", encoding="utf-8")
    assert not Manifest.source_exists("-", out)  # standard input is no file
    (out / "in.json").write_text("{}", encoding="utf-8")
    assert Manifest.source_exists("in.json", out)
    assert not Manifest.source_exists("../shop.json", None)


def test_other_sources_are_earlier_inputs_of_the_same_target_that_still_exist(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("a.json", "b.json", "c.json"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    m = Manifest(
        {
            "x.compose.yaml": {**RECORD, "source": "../a.json", "appliance": "x"},
            "x2.compose.yaml": {**RECORD, "source": "../a.json", "appliance": "x"},
            "y.compose.yaml": {**RECORD, "source": "../b.json", "appliance": "y"},
            "z.k8s.yaml": {**RECORD, "source": "../c.json", "target": "kubernetes"},
            "g.compose.yaml": {**RECORD, "source": "../gone.json", "appliance": "g"},
        }
    )
    assert m.other_sources("compose", {"../b.json"}, out) == {"../a.json": "x"}
    assert m.other_sources("kubernetes", set(), out) == {"../c.json": "shop"}


def test_an_updated_manifest_drops_what_is_gone_and_records_what_was_written() -> None:
    unit = b.Unit("in/shop.json", "in/shop.json", "../in/shop.json", "shop", [], "shop")
    old = Manifest(
        {
            "old.compose.yaml": dict(RECORD),
            "kept.k8s.yaml": {**RECORD, "target": "kubernetes"},
        }
    )
    outputs = [b.OutputText("shop.compose.yaml", "text\n", "in/shop.json")]
    new = old.updated("compose", [unit], outputs, ["old.compose.yaml"])
    assert new.entries == {
        "kept.k8s.yaml": {**RECORD, "target": "kubernetes"},
        "shop.compose.yaml": {
            "target": "compose",
            "appliance": "shop",
            "source": "../in/shop.json",
            "sha256": hashlib.sha256(b"text\n").hexdigest(),
        },
    }
    assert "old.compose.yaml" in old.entries  # the old one is left as it was


def test_the_hash_is_of_the_utf8_text_lone_surrogates_included() -> None:
    assert b.sha256("é") == hashlib.sha256("é".encode()).hexdigest()
    assert b.sha256("\ud800") == hashlib.sha256(b"\xed\xa0\x80").hexdigest()


# --------------------------------------------------------------------------- slots


def test_a_name_found_under_another_spelling_is_refused(tmp_path: Path) -> None:
    (tmp_path / "Shop.compose.yaml").write_text("x", encoding="utf-8")
    # What a case-insensitive file system shows: the name is found, the listing has
    # another spelling.
    with pytest.raises(BuildError) as info:
        b._slot(tmp_path, "Shop.compose.yaml", {"shop.compose.yaml"})
    assert str(info.value) == (
        f"{(tmp_path / 'Shop.compose.yaml').as_posix()} is the same file as "
        f"{(tmp_path / 'shop.compose.yaml').as_posix()} on this file system (it ignores "
        "case); applc does not overwrite it"
    )


def test_a_slot_is_what_is_at_the_name(tmp_path: Path) -> None:
    missing = b._slot(tmp_path, "a.yaml", set())
    assert (missing.path, missing.before, missing.old) == (tmp_path / "a.yaml", None, None)
    (tmp_path / "a.yaml").write_bytes(b"caf\xc3\xa9 \xff")
    got = b._slot(tmp_path, "a.yaml", {"a.yaml"})
    assert got.path == tmp_path / "a.yaml"
    assert got.old == "café \udcff"  # bytes that are not UTF-8 survive a comparison
    assert got.before is not None and got.before.st_ino == os.stat(tmp_path / "a.yaml").st_ino
    # No listing (an unreadable folder): the name is taken as it is.
    assert b._slot(tmp_path, "a.yaml", None).old == "café \udcff"


def test_a_slot_behind_a_link_inside_the_folder_is_the_link_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.yaml").write_text("old", encoding="utf-8")
    (tmp_path / "a.yaml").symlink_to(Path("real") / "a.yaml")
    got = b._slot(tmp_path, "a.yaml", None)
    assert (got.path, got.old) == (tmp_path / "real" / "a.yaml", "old")
    (tmp_path / "real" / "a.yaml").unlink()  # a dangling link: a new file behind it
    got = b._slot(tmp_path, "a.yaml", None)
    assert (got.path, got.before, got.old) == (tmp_path / "real" / "a.yaml", None, None)


@pytest.mark.parametrize("where", ["outside", "folder itself", "parent"])
def test_a_link_that_leads_out_of_the_folder_is_refused(tmp_path: Path, where: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "secret").write_text("s", encoding="utf-8")
    dest = {"outside": tmp_path / "secret", "folder itself": out, "parent": tmp_path}[where]
    (out / "a.yaml").symlink_to(dest)
    with pytest.raises(BuildError) as info:
        b._slot(out, "a.yaml", None)
    assert str(info.value) == (
        f"{(out / 'a.yaml').as_posix()} is a symbolic link to a file outside the output "
        "folder; applc neither reads nor writes through it"
    )


def test_inside_means_strictly_below(tmp_path: Path) -> None:
    assert b._inside("/a/b/c", "/a/b")
    assert not b._inside("/a/b", "/a/b")
    assert not b._inside("/a/bc", "/a/b")
    assert not b._inside("/a", "/a/b")
    assert not b._inside("relative", "/a")  # commonpath refuses to mix them


def test_anything_but_a_regular_file_at_a_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").mkdir()
    with pytest.raises(BuildError) as info:
        b._slot(tmp_path, "d.yaml", None)
    assert str(info.value) == (
        f"{(tmp_path / 'd.yaml').as_posix()} is a directory; applc writes only regular files "
        "in the output folder"
    )


# --------------------------------------------------------------------------- applying


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every entry of the folder (hidden ones too): bytes, mode and inode."""
    out = {}
    for p in sorted(folder.iterdir()):
        st = p.stat()
        out[p.name] = (p.read_bytes(), st.st_mode & 0o777, st.st_ino)
    return out


@pytest.fixture
def scene(tmp_path: Path) -> tuple[Path, Path, list[b.Change]]:
    """A folder with one file of each kind of change: created, updated, updated through a
    hard link (its twin lives outside), removed."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "upd.yaml").write_text("upd old\n", encoding="utf-8")
    os.chmod(out / "upd.yaml", 0o600)
    (out / "linked.yaml").write_text("linked old\n", encoding="utf-8")
    twin = tmp_path / "twin.yaml"
    os.link(out / "linked.yaml", twin)
    (out / "gone.yaml").write_text("gone\n", encoding="utf-8")
    (out / "keep.txt").write_text("not applc's\n", encoding="utf-8")

    def st(name: str) -> os.stat_result:
        return os.stat(out / name)

    todo = [
        b.Change("new.yaml", "create", None, "new\n", out / "new.yaml", None),
        b.Change("upd.yaml", "update", "upd old\n", "upd new\n", out / "upd.yaml", st("upd.yaml")),
        b.Change(
            "linked.yaml", "update", "linked old\n", "linked new\n", out / "linked.yaml",
            st("linked.yaml"),
        ),
        b.Change("gone.yaml", "remove", "gone\n", None, out / "gone.yaml", st("gone.yaml")),
    ]  # fmt: skip
    return out, twin, todo


def test_applying_creates_updates_rewrites_linked_files_in_place_and_removes(
    scene: tuple[Path, Path, list[b.Change]],
) -> None:
    out, twin, todo = scene
    linked_inode = os.stat(out / "linked.yaml").st_ino
    old_umask = os.umask(0o027)
    try:
        b._apply(todo)
    finally:
        os.umask(old_umask)
    got = _snapshot(out)
    assert sorted(got) == ["keep.txt", "linked.yaml", "new.yaml", "upd.yaml"]  # nothing stray
    assert got["new.yaml"][:2] == (b"new\n", 0o640)  # what the umask allows
    assert got["upd.yaml"][:2] == (b"upd new\n", 0o600)  # the old file's mode
    assert got["linked.yaml"][0] == b"linked new\n"
    assert got["linked.yaml"][2] == linked_inode == os.stat(twin).st_ino  # still one file
    assert twin.read_bytes() == b"linked new\n"
    assert got["keep.txt"][0] == b"not applc's\n"


def _fail_removing(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    real = Path.unlink

    def unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name == name:
            raise OSError(30, "Read-only file system")
        real(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)


def test_a_failure_at_the_last_step_puts_every_file_back(
    scene: tuple[Path, Path, list[b.Change]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, twin, todo = scene
    before = _snapshot(out)
    _fail_removing(monkeypatch, "gone.yaml")
    with pytest.raises(OSError, match="Read-only file system"):
        b._apply(todo)
    assert _snapshot(out) == before  # the same bytes, modes and inodes; nothing stray
    assert twin.read_bytes() == b"linked old\n"
    assert os.stat(twin).st_ino == os.stat(out / "linked.yaml").st_ino


def test_a_failure_restores_from_copies_where_hard_links_are_refused(
    scene: tuple[Path, Path, list[b.Change]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, twin, todo = scene
    before = {n: v[:2] for n, v in _snapshot(out).items()}

    def no_links(src: object, dst: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    _fail_removing(monkeypatch, "gone.yaml")
    with pytest.raises(OSError, match="Read-only file system"):
        b._apply(todo)
    assert {n: v[:2] for n, v in _snapshot(out).items()} == before
    assert twin.read_bytes() == b"linked old\n"


def test_a_backup_is_a_second_name_or_else_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "a.yaml"
    dest.write_text("old\n", encoding="utf-8")
    os.chmod(dest, 0o604)
    bak = b._backup(dest)
    assert bak.parent == tmp_path and bak.name.startswith(".a.yaml.") and bak.name.endswith(".bak")
    assert os.path.samefile(bak, dest)
    bak.unlink()

    def no_links(src: object, dst: object) -> None:
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    bak = b._backup(dest)
    assert not os.path.samefile(bak, dest)
    assert bak.read_bytes() == b"old\n" and bak.stat().st_mode & 0o777 == 0o604


def test_a_failure_while_staging_leaves_no_staged_file(
    scene: tuple[Path, Path, list[b.Change]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _, todo = scene
    before = _snapshot(out)
    real = b.stage
    calls = []

    def stage(*args: object, **kwargs: object) -> Path:
        calls.append(args[1])
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(b, "stage", stage)
    with pytest.raises(OSError, match="No space left on device"):
        b._apply(todo)
    assert calls == ["new.yaml", "upd.yaml"]
    assert _snapshot(out) == before


def test_only_an_update_of_a_file_with_other_names_is_written_in_place(tmp_path: Path) -> None:
    p = tmp_path / "a"
    p.write_text("x", encoding="utf-8")
    single = os.stat(p)
    os.link(p, tmp_path / "b")
    double = os.stat(p)
    assert b._hard_linked(b.Change("a", "update", "x", "y", p, double))
    assert not b._hard_linked(b.Change("a", "update", "x", "y", p, single))
    assert not b._hard_linked(b.Change("a", "remove", "x", None, p, double))
    assert not b._hard_linked(b.Change("a", "create", None, "y", p, None))


# --------------------------------------------------------------------------- changes


def _result(
    outputs: dict[str, str], obsolete: tuple[str, ...] = (), manifest: Manifest | None = None
) -> b.BuildResult:
    from applc.formatters import Report

    unit = b.Unit("in/shop.json", "in/shop.json", "../in/shop.json", "shop", [], "shop")
    return b.BuildResult(
        Report([], {}, 0),
        "compose",
        units=[unit],
        outputs=[b.OutputText(n, t, "in/shop.json") for n, t in outputs.items()],
        obsolete=list(obsolete),
        manifest=manifest,
    )


def _recorded(text: str) -> dict[str, str]:
    return {
        "target": "compose",
        "appliance": "shop",
        "source": "../in/shop.json",
        "sha256": b.sha256(text),
    }


def test_changes_are_what_differs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "same.yaml").write_text("same\n", encoding="utf-8")
    (out / "stale.yaml").write_text("old\n", encoding="utf-8")
    (out / "gone.yaml").write_text("gone\n", encoding="utf-8")
    manifest = Manifest({"gone.yaml": _recorded("gone\n"), "absent.yaml": _recorded("x")})
    result = _result(
        {"same.yaml": "same\n", "stale.yaml": "new\n", "fresh.yaml": "fresh\n"},
        ("gone.yaml", "absent.yaml"),
        manifest,
    )
    got = [(c.name, c.kind, c.old, c.new, c.path) for c in b.changes(out, result)]
    assert got == [
        ("stale.yaml", "update", "old\n", "new\n", out / "stale.yaml"),
        ("fresh.yaml", "create", None, "fresh\n", out / "fresh.yaml"),
        ("gone.yaml", "remove", "gone\n", None, out / "gone.yaml"),
    ]
    assert result.notes == []


def test_an_obsolete_file_is_kept_when_it_is_no_longer_what_applc_wrote(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "edited.yaml").write_text("edited\n", encoding="utf-8")
    (out / "locked.yaml").write_text("locked\n", encoding="utf-8")
    os.chmod(out / "locked.yaml", 0o444)
    (out / "dir.yaml").mkdir()
    manifest = Manifest(
        {
            "edited.yaml": _recorded("as written\n"),
            "locked.yaml": _recorded("locked\n"),
            "dir.yaml": _recorded("x"),
        }
    )
    result = _result({}, ("edited.yaml", "locked.yaml", "dir.yaml", "edited.yaml"), manifest)
    assert b.changes(out, result) == []
    where = out.as_posix()
    kept = "which this build no longer writes"
    assert result.notes == [
        f"kept {where}/edited.yaml, {kept}: it changed since applc wrote it",
        f"kept {where}/locked.yaml, {kept}: it is read-only",
        f"kept {where}/dir.yaml, {kept}: it is now a directory",
    ]  # and each once


def test_an_output_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("x", encoding="utf-8")
    with pytest.raises(BuildError) as info:
        b.changes(out, _result({"a.yaml": "a"}))
    assert str(info.value) == f"{out.as_posix()} is not a folder"


def test_a_missing_output_folder_means_everything_is_new(tmp_path: Path) -> None:
    out = tmp_path / "missing"
    got = [(c.name, c.kind) for c in b.changes(out, _result({"a.yaml": "a"}, ("b.yaml",)))]
    assert got == [("a.yaml", "create")]


def test_writing_records_the_manifest_and_returns_what_changed(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    result = _result({"a.yaml": "a\n"})
    done = b.write_outputs(out, result)
    assert [(c.name, c.kind) for c in done] == [("a.yaml", "create")]
    assert (out / "a.yaml").read_text(encoding="utf-8") == "a\n"
    assert Manifest.load(out).entries == {"a.yaml": _recorded("a\n")}
    # The same build again: nothing to do, nothing touched.
    mtime = os.stat(out / b.MANIFEST).st_mtime_ns
    assert b.write_outputs(out, _result({"a.yaml": "a\n"}, manifest=Manifest.load(out))) == []
    assert os.stat(out / b.MANIFEST).st_mtime_ns == mtime


def test_a_read_only_output_that_would_change_stops_the_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.yaml").write_text("old\n", encoding="utf-8")
    os.chmod(out / "a.yaml", 0o444)
    with pytest.raises(BuildError) as info:
        b.write_outputs(out, _result({"a.yaml": "new\n"}))
    assert str(info.value) == (
        f"{(out / 'a.yaml').as_posix()} is read-only; make it writable to let applc change it"
    )
    assert (out / "a.yaml").read_text(encoding="utf-8") == "old\n"
    assert sorted(p.name for p in out.iterdir()) == ["a.yaml"]
    # Unchanged, it is no problem.
    b.write_outputs(out, _result({"a.yaml": "old\n"}))
    assert sorted(p.name for p in out.iterdir()) == [b.MANIFEST, "a.yaml"]


def test_diffs_name_a_missing_side_dev_null_as_git_does() -> None:
    out = Path("out")
    create = b.Change("a.yaml", "create", None, "x: 1\n")
    update = b.Change("a.yaml", "update", "x: 1\n", "x: 2\n")
    remove = b.Change("a.yaml", "remove", "x: 1\n", None)
    assert b.unified_diff(out, create) == (
        "--- /dev/null\n+++ b/out/a.yaml\n@@ -0,0 +1 @@\n+x: 1\n"
    )
    assert b.unified_diff(out, update) == (
        "--- a/out/a.yaml\n+++ b/out/a.yaml\n@@ -1 +1 @@\n-x: 1\n+x: 2\n"
    )
    assert b.unified_diff(out, remove) == (
        "--- a/out/a.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-x: 1\n"
    )


def test_labels_never_use_the_root_or_parent_folder_names() -> None:
    # `..` and `/` tell nothing apart: such keys fall back to the hash.
    for keys in (["../x/hail.json", "x/hail.json"], ["/x/hail.json", "x/hail.json"]):
        assert b.labels(keys) == {
            k: f"hail-{hashlib.sha256(k.encode()).hexdigest()[:8]}" for k in keys
        }
    assert b.labels([]) == {}


def test_label_parts_keep_capital_letters_at_their_ends() -> None:
    assert b._label_part("Xa.X") == "Xa.X"


def test_hashed_labels_keep_80_characters_of_the_stem() -> None:
    stem = "s" * 100
    keys = [f"../{stem}.json", f"/{stem}.json"]
    assert b.labels(keys) == {
        k: f"{'s' * 80}-{hashlib.sha256(k.encode()).hexdigest()[:8]}" for k in keys
    }


def test_an_unsafe_id_is_refused_with_the_lint_report_of_every_input(tmp_path: Path) -> None:
    from applc.config import ConfigCache

    src = tmp_path / "a.appliance.json"
    value = {
        "id": "../escape",
        "x-applc-ignore": {"APL105": "testing the path check"},
        "containers": [
            {
                "id": "db",
                "type": "service",
                "image": "postgres",  # APL304: a warning, which does not stop a build
                "resources": {"cpus": 1, "mem": 512},
                "network_mode": "BRIDGE",
            }
        ],
    }
    src.write_text(json.dumps(value), encoding="utf-8")
    with pytest.raises(BuildError) as info:
        b.compile_paths([str(src)], ConfigCache(), "compose", out_dir=tmp_path / "out")
    assert str(info.value).startswith(f'{src}: appliance id "../escape" cannot name')
    report = info.value.report
    assert report is not None and report.files == 1
    assert [d.code for d in report.diagnostics] == ["APL304"]


def test_a_manifest_that_is_a_fifo_is_refused_without_waiting_for_a_writer(
    tmp_path: Path,
) -> None:
    import threading

    os.mkfifo(tmp_path / b.MANIFEST)
    got: list[BaseException | Manifest] = []

    def load() -> None:
        try:
            got.append(Manifest.load(tmp_path))
        except BaseException as exc:
            got.append(exc)

    loader = threading.Thread(target=load, daemon=True)
    loader.start()
    loader.join(timeout=60)  # a hang guard, not a speed limit
    if loader.is_alive():
        with open(tmp_path / b.MANIFEST, "wb"):
            pass
        loader.join(timeout=60)
        pytest.fail("the manifest's fifo was opened as if it were a file")
    (exc,) = got
    assert isinstance(exc, BuildError)
    path = (tmp_path / b.MANIFEST).as_posix()
    assert str(exc) == f"cannot read {path}: {tmp_path / b.MANIFEST} is a fifo, not a regular file"


def test_obsolete_files_are_removed_past_a_missing_one_whatever_their_bytes(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    raw = "caf\u00e9 \ud800\n".encode("utf-8", "surrogatepass")  # what applc writes
    (out / "odd.yaml").write_bytes(raw)
    manifest = Manifest(
        {
            "gone.yaml": _recorded("x"),
            "odd.yaml": {**_recorded("x"), "sha256": hashlib.sha256(raw).hexdigest()},
        }
    )
    result = _result({}, ("gone.yaml", "odd.yaml"), manifest)
    got = [(c.name, c.kind) for c in b.changes(out, result)]
    assert got == [("odd.yaml", "remove")]


def test_an_obsolete_file_that_cannot_be_read_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.yaml").write_text("a", encoding="utf-8")

    def refuse(*args: object, **kwargs: object) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(b, "read_regular", refuse)
    result = _result({}, ("a.yaml",), Manifest({"a.yaml": _recorded("a")}))
    assert b.changes(out, result) == []
    assert result.notes == [
        f"kept {out.as_posix()}/a.yaml, which this build no longer writes: "
        "it cannot be read (Permission denied)"
    ]


# --------------------------------------------------------------------------- streaming

# docs/targets.md: an output is rendered into a staged file beside its destination and
# compared with the file there in blocks of 64 KiB (characters of the text).
BLOCK = 65536


class _Scripted:
    """A target's pending file as the build sees it: `write_to` writes each run of pieces
    into the sink, restarting it between runs (what a JSON target does when a value turns
    out not to be UTF-8); a piece that is a function is called instead (something that
    happens while the file is being rendered). Counts its renderings."""

    def __init__(self, *runs: list[object]) -> None:
        self.runs = runs
        self.renders = 0

    def write_to(self, sink: object) -> None:
        self.renders += 1
        for i, run in enumerate(self.runs):
            if i:
                sink.restart()  # type: ignore[attr-defined]
            for piece in run:
                if callable(piece):
                    piece()
                else:
                    sink.write(piece)  # type: ignore[attr-defined]

    def text(self) -> str:
        self.renders += 1
        return "".join(p for p in self.runs[-1] if isinstance(p, str))


def _lines(first: int, count: int) -> str:
    """Distinct lines, so that a block copied from the wrong place shows."""
    return "".join(f"line {i:09d}\n" for i in range(first, first + count))  # 15 bytes each


def _streamed_result(files: dict[str, object], manifest: Manifest | None = None) -> b.BuildResult:
    """A build whose outputs are rendered as they are written."""
    result = _result({}, (), manifest)
    result.outputs = [b.OutputText(n, f, "in/shop.json") for n, f in files.items()]  # type: ignore[arg-type]
    return result


def _stray(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".bak")))


@pytest.mark.parametrize("piece", [1000, 4096, 65536, 70000])
def test_a_big_output_that_differs_late_is_written_whole(tmp_path: Path, piece: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    same = _lines(0, 3 * BLOCK // 15 + 7)  # three blocks and a bit, the same in both
    old, new = same + "old end\n" + _lines(10**6, 10), same + "new end\n"
    (out / "a.yaml").write_text(old, encoding="utf-8")
    pieces: list[object] = [new[i : i + piece] for i in range(0, len(new), piece)]
    done = b.write_outputs(out, _streamed_result({"a.yaml": _Scripted(pieces)}))
    assert [(c.name, c.kind) for c in done] == [("a.yaml", "update")]
    assert (out / "a.yaml").read_bytes() == new.encode()
    assert _stray(out) == []


def test_an_output_already_right_is_only_read(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    text = _lines(0, 2 * BLOCK // 15 + 3)
    (out / "a.yaml").write_text(text, encoding="utf-8")
    before = os.stat(out / "a.yaml")
    pending = _Scripted([text[i : i + 3000] for i in range(0, len(text), 3000)])
    assert b.write_outputs(out, _streamed_result({"a.yaml": pending})) == []
    after = os.stat(out / "a.yaml")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert pending.renders == 1
    assert (
        Manifest.load(out).entries["a.yaml"]["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    )


@pytest.mark.parametrize("size", [10, BLOCK, 2 * BLOCK + 5])
def test_an_old_file_that_starts_with_the_new_text_is_cut_to_it(tmp_path: Path, size: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    new = ("x" * (size - 1)) + "\n"
    (out / "a.yaml").write_text(new + "left over\n", encoding="utf-8")
    done = b.write_outputs(out, _streamed_result({"a.yaml": _Scripted([new])}))
    assert [(c.name, c.kind) for c in done] == [("a.yaml", "update")]
    assert (out / "a.yaml").read_bytes() == new.encode()
    # And the other way round: the new text goes on after the old file ends.
    longer = new + "more\n"
    done = b.write_outputs(out, _streamed_result({"a.yaml": _Scripted([longer])}))
    assert [(c.name, c.kind) for c in done] == [("a.yaml", "update")]
    assert (out / "a.yaml").read_bytes() == longer.encode()


def test_an_updated_output_keeps_its_mode_and_a_new_one_gets_the_umask(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.yaml").write_text("old\n", encoding="utf-8")
    os.chmod(out / "a.yaml", 0o604)
    old_umask = os.umask(0o027)
    try:
        b.write_outputs(out, _result({"a.yaml": "new\n", "b.yaml": "b\n"}))
    finally:
        os.umask(old_umask)
    assert (out / "a.yaml").read_bytes() == b"new\n"
    assert os.stat(out / "a.yaml").st_mode & 0o777 == 0o604
    assert os.stat(out / "b.yaml").st_mode & 0o777 == 0o640


def test_an_updated_output_and_manifest_keep_their_owner(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root may give a file to another owner; CI runs as root")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.yaml").write_text("old\n", encoding="utf-8")
    (out / b.MANIFEST).write_text(Manifest({}).text(), encoding="utf-8")
    for name in ("a.yaml", b.MANIFEST):
        os.chown(out / name, 4321, 4322)
    b.write_outputs(out, _result({"a.yaml": "new\n"}, manifest=Manifest.load(out)))
    for name in ("a.yaml", b.MANIFEST):
        st = os.stat(out / name)
        assert (st.st_uid, st.st_gid) == (4321, 4322), name
    assert (out / "a.yaml").read_bytes() == b"new\n"


def test_a_stream_holds_at_most_a_block_and_stages_beside_its_file(tmp_path: Path) -> None:
    s = b._Streamed(tmp_path / "a.yaml", None, True, "a.yaml")
    for _ in range(BLOCK - 1):
        s.write("x")
    assert s.staged is None  # less than a block: nothing written yet
    s.write("x")
    assert s.pieces == [] and s.staged is not None
    staged = s.staged.path
    assert staged.parent == tmp_path
    assert staged.name.startswith(".a.yaml.") and staged.name.endswith(".tmp")
    assert os.path.getsize(staged) == BLOCK
    for _ in range(BLOCK - 1):
        s.write("y")
    assert os.path.getsize(staged) == BLOCK
    s.write("y")
    assert os.path.getsize(staged) == 2 * BLOCK and s.pieces == []
    s.write("z")
    assert s.finish() == "create"
    assert staged.read_bytes() == b"x" * BLOCK + b"y" * BLOCK + b"z"
    s.discard()
    assert not staged.exists()


def test_a_stream_compares_a_block_at_a_time(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_bytes(b"x" * (2 * BLOCK))
    s = b._Streamed(tmp_path / "a.yaml", os.stat(tmp_path / "a.yaml"), True, "a.yaml")
    for _ in range(BLOCK):
        s.write("x")
    assert (s.matched, s.staged, s.pieces) == (BLOCK, None, [])
    for _ in range(BLOCK):
        s.write("x")
    assert s.matched == 2 * BLOCK
    assert s.finish() is None and s.staged is None
    assert os.listdir(tmp_path) == ["a.yaml"]


def test_a_restart_forgets_what_was_written_and_staged(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.yaml").write_text("q" * BLOCK + "old\n", encoding="utf-8")
    first = ["q" * BLOCK, "r" * (BLOCK + 10)]  # matched a block, then staged one
    pending = _Scripted(first, ["final \ud800\n"])
    done = b.write_outputs(out, _streamed_result({"a.yaml": pending}))
    assert [(c.name, c.kind) for c in done] == [("a.yaml", "update")]
    raw = b"final \xed\xa0\x80\n"  # a lone surrogate is written as applc writes it
    assert (out / "a.yaml").read_bytes() == raw
    assert sorted(os.listdir(out)) == [b.MANIFEST, "a.yaml"]
    assert Manifest.load(out).entries["a.yaml"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert pending.renders == 1


def test_a_digest_is_of_the_last_rendering_in_utf8_lone_surrogates_included() -> None:
    o = b.OutputText("a.yaml", _Scripted(["thrown away"], ["a\ud800"]), "in/shop.json")  # type: ignore[arg-type]
    assert o.digest() == hashlib.sha256(b"a\xed\xa0\x80").hexdigest()
    text = b.OutputText("b.yaml", "\udcff\n", "in/shop.json")
    assert text.digest() == hashlib.sha256(b"\xed\xb3\xbf\n").hexdigest()


def test_an_old_file_cut_short_while_it_is_compared_stops_the_build(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    old = _lines(0, BLOCK // 15 + 100)
    (out / "a.yaml").write_text(old, encoding="utf-8")

    def cut() -> None:
        os.truncate(out / "a.yaml", 0)  # another program, between two blocks

    pending = _Scripted([old[:BLOCK], cut, "something else\n"])
    with pytest.raises(BuildError) as info:
        b.write_outputs(out, _streamed_result({"a.yaml": pending}))
    assert str(info.value) == (f"{(out / 'a.yaml').as_posix()} changed while applc was reading it")
    assert os.listdir(out) == ["a.yaml"]  # no staged file, no manifest


def test_a_write_renders_each_output_once_and_a_diff_keeps_its_texts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "same.yaml").write_text("same\n", encoding="utf-8")
    (out / "upd.yaml").write_text("old\n", encoding="utf-8")
    files = {
        n: _Scripted([t])
        for n, t in (("same.yaml", "same\n"), ("upd.yaml", "new\n"), ("new.yaml", "n\n"))
    }
    b.write_outputs(out, _streamed_result(dict(files)))
    assert {n: f.renders for n, f in files.items()} == {
        "same.yaml": 1,
        "upd.yaml": 1,
        "new.yaml": 1,
    }
    files = {n: _Scripted([t]) for n, t in (("upd.yaml", "newer\n"), ("new2.yaml", "m\n"))}
    got = b.changes(out, _streamed_result(dict(files)), texts=False)
    assert [(c.name, c.kind, c.old, c.new) for c in got] == [
        ("upd.yaml", "update", None, None),
        ("new2.yaml", "create", None, None),
    ]
    assert {n: f.renders for n, f in files.items()} == {"upd.yaml": 1, "new2.yaml": 1}
    got = b.changes(out, _streamed_result(dict(files)), texts=True)
    assert [(c.name, c.kind, c.old, c.new) for c in got] == [
        ("upd.yaml", "update", "new\n", "newer\n"),
        ("new2.yaml", "create", None, "m\n"),
    ]
    assert {n: f.renders for n, f in files.items()} == {"upd.yaml": 2, "new2.yaml": 2}


def _refuse_reading(monkeypatch: pytest.MonkeyPatch, name: str, *, opening: bool = False) -> None:
    attr = "open_regular" if opening else "read_regular"
    real = getattr(b, attr)

    def refuse(path: object, *args: object, **kwargs: object) -> object:
        if Path(str(path)).name == name:
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(b, attr, refuse)


def test_an_output_that_cannot_be_read_stops_the_build_with_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.yaml").write_text("old\n", encoding="utf-8")
    with monkeypatch.context() as m:
        _refuse_reading(m, "a.yaml", opening=True)
        with pytest.raises(BuildError) as info:
            b.write_outputs(out, _result({"a.yaml": "new\n"}))
    assert str(info.value) == f"cannot read {(out / 'a.yaml').as_posix()}: Permission denied"
    assert os.listdir(out) == ["a.yaml"]
    with monkeypatch.context() as m:
        _refuse_reading(m, "a.yaml")
        with pytest.raises(BuildError) as info:
            b.changes(out, _result({"a.yaml": "new\n"}))
    assert str(info.value) == f"cannot read {(out / 'a.yaml').as_posix()}: Permission denied"


def test_a_manifest_that_cannot_be_read_back_stops_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / b.MANIFEST).write_text(Manifest({}).text(), encoding="utf-8")
    _refuse_reading(monkeypatch, b.MANIFEST)
    with pytest.raises(BuildError) as info:
        b.write_outputs(out, _result({"a.yaml": "a\n"}, manifest=Manifest({})))
    assert str(info.value) == f"cannot read {(out / b.MANIFEST).as_posix()}: Permission denied"
    assert os.listdir(out) == [b.MANIFEST]  # the staged output was removed


def test_read_errors_name_the_file_and_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> bytes:
        raise OSError("no reason given")

    monkeypatch.setattr(b, "read_regular", refuse)
    with pytest.raises(BuildError) as info:
        b._read_text(tmp_path / "a.yaml", "shown/a.yaml")
    assert str(info.value) == "cannot read shown/a.yaml: no reason given"


def test_a_failure_rendering_a_later_output_removes_the_staged_ones(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.yaml").write_text("old\n", encoding="utf-8")

    def fail() -> None:
        raise RuntimeError("the template failed")

    files = {"a.yaml": _Scripted(["new\n"]), "b.yaml": _Scripted(["b" * (BLOCK + 1), fail])}
    with pytest.raises(RuntimeError, match="^the template failed$"):
        b.write_outputs(out, _streamed_result(files))
    assert sorted(os.listdir(out)) == ["a.yaml"]
    assert (out / "a.yaml").read_bytes() == b"old\n"


def test_without_texts_a_removal_carries_none(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "gone.yaml").write_text("gone\n", encoding="utf-8")
    result = _result({}, ("gone.yaml",), Manifest({"gone.yaml": _recorded("gone\n")}))
    got = b.changes(out, result, texts=False)
    assert [(c.name, c.kind, c.old, c.new) for c in got] == [("gone.yaml", "remove", None, None)]


def test_writing_to_a_file_instead_of_a_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("x", encoding="utf-8")
    with pytest.raises(BuildError) as info:
        b.write_outputs(out, _result({"a.yaml": "a"}))
    assert str(info.value) == f"{out.as_posix()} is not a folder"
    assert out.read_text(encoding="utf-8") == "x"


def _fail_replacing(monkeypatch: pytest.MonkeyPatch) -> None:
    def replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", replace)


def test_a_failed_write_removes_the_folders_it_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "keep").mkdir()
    _fail_replacing(monkeypatch)
    with pytest.raises(OSError, match="No space left on device"):
        b.write_outputs(tmp_path / "new" / "deep" / "out", _result({"a.yaml": "a\n"}))
    assert os.listdir(tmp_path) == ["keep"]


def test_a_folder_that_cannot_be_removed_after_a_failure_keeps_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_replacing(monkeypatch)

    def rmdir(self: Path) -> None:
        raise OSError(16, "Device or resource busy")

    monkeypatch.setattr(Path, "rmdir", rmdir)
    with pytest.raises(OSError, match="No space left on device"):
        b.write_outputs(tmp_path / "new" / "out", _result({"a.yaml": "a\n"}))
    assert os.listdir(tmp_path / "new" / "out") == []  # kept, and empty


def test_a_failure_after_the_manifest_was_replaced_puts_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "gone.yaml").write_text("gone\n", encoding="utf-8")
    manifest = Manifest({"gone.yaml": _recorded("gone\n")})
    (out / b.MANIFEST).write_text(manifest.text(), encoding="utf-8")
    before = _snapshot(out)
    _fail_removing(monkeypatch, "gone.yaml")
    with pytest.raises(OSError, match="Read-only file system"):
        b.write_outputs(out, _result({"a.yaml": "a\n"}, ("gone.yaml",), manifest))
    assert _snapshot(out) == before


def test_a_manifest_with_another_name_is_rewritten_in_place(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / b.MANIFEST).write_text(Manifest({}).text(), encoding="utf-8")
    twin = tmp_path / "twin.json"
    os.link(out / b.MANIFEST, twin)
    b.write_outputs(out, _result({"a.yaml": "a\n"}, manifest=Manifest({})))
    assert os.path.samefile(twin, out / b.MANIFEST)
    assert Manifest.load(out).entries == {"a.yaml": _recorded("a\n")}
    assert twin.read_bytes() == (out / b.MANIFEST).read_bytes()


def test_a_file_with_other_names_does_not_stop_the_changes_after_it(
    scene: tuple[Path, Path, list[b.Change]],
) -> None:
    out, twin, todo = scene
    linked, new = todo[2], todo[0]
    b._apply([linked, new])
    assert (out / "new.yaml").read_bytes() == b"new\n"
    assert twin.read_bytes() == b"linked new\n"


def test_applied_texts_are_utf8_lone_surrogates_included(tmp_path: Path) -> None:
    b._apply([b.Change("a.yaml", "create", None, "\u00e9\ud800\n", tmp_path / "a.yaml", None)])
    assert (tmp_path / "a.yaml").read_bytes() == b"\xc3\xa9\xed\xa0\x80\n"


def test_files_are_staged_beside_their_destination(
    scene: tuple[Path, Path, list[b.Change]], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _, todo = scene
    moves: list[tuple[Path, Path]] = []
    real = os.replace

    def replace(src: Path, dst: Path) -> None:
        moves.append((Path(src), Path(dst)))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    b._apply(todo)
    assert [d.name for _, d in moves] == ["new.yaml", "upd.yaml"]
    for src, dst in moves:
        assert src.parent == dst.parent and src.name.startswith(f".{dst.name}.")


def test_two_changes_to_one_file_roll_back_to_its_old_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two names of the output folder that are links to the same file inside it.
    (tmp_path / "x.yaml").write_text("old\n", encoding="utf-8")
    (tmp_path / "gone.yaml").write_text("gone\n", encoding="utf-8")
    x, gone = tmp_path / "x.yaml", tmp_path / "gone.yaml"
    todo = [
        b.Change("a.yaml", "update", "old\n", "a\n", x, os.stat(x)),
        b.Change("b.yaml", "update", "old\n", "b\n", x, os.stat(x)),
        b.Change("gone.yaml", "remove", "gone\n", None, gone, os.stat(gone)),
    ]
    before = _snapshot(tmp_path)
    _fail_removing(monkeypatch, "gone.yaml")
    with pytest.raises(OSError, match="Read-only file system"):
        b._apply(todo)
    assert _snapshot(tmp_path) == before


# --------------------------------------------------------------------------- names, again


def _unit(source: str, appliance: str, *suffixes: str) -> b.Unit:
    key = f"../{source}"
    return b.Unit(source, source, key, appliance, [(s, None) for s in suffixes])  # type: ignore[misc]


def _named(
    units: list[b.Unit], out: Path | None, manifest: Manifest | None = None
) -> b.BuildResult:
    from applc.formatters import Report

    result = b.BuildResult(Report([], {}, 0), "compose", units=units, manifest=manifest)
    b.assign_names(result, out)
    return result


def test_an_appliance_alone_keeps_its_name_and_gets_no_note() -> None:
    result = _named([_unit("in/shop.json", "shop", "compose.yaml")], None)
    assert [o.name for o in result.outputs] == ["shop.compose.yaml"]
    assert result.notes == []


def test_inputs_sharing_an_id_are_named_apart_with_a_note(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "hail.json").write_text("{}", encoding="utf-8")
    (tmp_path / "elsewhere.json").write_text("{}", encoding="utf-8")
    manifest = Manifest(
        {
            "hail.compose.yaml": {**RECORD, "appliance": "hail", "source": "../old/hail.json"},
            # An earlier input of an id no input has now: it names nothing here.
            "z.compose.yaml": {**RECORD, "appliance": "z", "source": "../elsewhere.json"},
        }
    )
    units = [
        _unit("a/hail.json", "hail", "compose.yaml"),
        _unit("b/hail.json", "hail", "compose.yaml"),
    ]
    result = _named(units, out, manifest)
    assert [o.name for o in result.outputs] == [
        "hail--a-hail.compose.yaml",
        "hail--b-hail.compose.yaml",
    ]
    assert result.notes == [
        "3 inputs define appliance `hail` (../old/hail.json in an earlier build of this "
        "folder); their outputs are named apart: a/hail.json -> hail--a-hail.*, "
        "b/hail.json -> hail--b-hail.*"
    ]
    result = _named(units[:1] + [_unit("c/Hail.json", "Hail", "compose.yaml")], None)
    assert result.notes == [
        "2 inputs define appliance `hail`; their outputs are named apart: "
        "a/hail.json -> hail--a-hail.*, c/Hail.json -> Hail--c-Hail.*"
    ]


def test_an_output_name_is_at_most_255_bytes() -> None:
    aid = "a" * 128
    ok = _named([_unit("in/a.json", aid, "s" * 126)], None)
    assert [o.name for o in ok.outputs] == [f"{aid}.{'s' * 126}"]
    with pytest.raises(BuildError) as info:
        _named([_unit("in/a.json", aid, "s" * 127)], None)
    assert str(info.value) == f'in/a.json: the output name "{aid}.{"s" * 127}" is not safe'


def test_two_inputs_that_would_write_one_name_are_refused() -> None:
    units = [_unit("in/one.json", "a.b", "c"), _unit("in/two.json", "a", "B.c")]
    with pytest.raises(BuildError) as info:
        _named(units, None)
    assert str(info.value) == (
        "in/two.json and in/one.json would both write a.B.c (names that differ only in "
        "case are the same file on some systems)"
    )


def test_a_name_an_earlier_build_wrote_for_another_input_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "other.json").write_text("{}", encoding="utf-8")
    manifest = Manifest(
        {"shop.compose.yaml": {**RECORD, "appliance": "renamed", "source": "../other.json"}}
    )
    with pytest.raises(BuildError) as info:
        _named([_unit("in/shop.json", "shop", "compose.yaml")], out, manifest)
    assert str(info.value) == (
        "in/shop.json would write shop.compose.yaml, which an earlier build wrote for "
        "../other.json; rename one of the appliances"
    )
    # Once that input is gone, the name is free.
    (tmp_path / "other.json").unlink()
    result = _named([_unit("in/shop.json", "shop", "compose.yaml")], out, manifest)
    assert [o.name for o in result.outputs] == ["shop.compose.yaml"]


def test_the_owner_of_the_exact_name_comes_before_another_spelling() -> None:
    m = Manifest(
        {
            "Shop.compose.yaml": {**RECORD, "source": "upper.json"},
            "shop.compose.yaml": {**RECORD, "source": "lower.json"},
        }
    )
    assert m.owner("shop.compose.yaml") == "lower.json"
    assert m.owner("Shop.compose.yaml") == "upper.json"
    assert m.owner("SHOP.compose.yaml") == "upper.json"  # the first in the file


def test_the_unsafe_id_message_says_what_names_a_file() -> None:
    assert b.id_problem("../x") == (
        'appliance id "../x" cannot name an output file: applc names files only with ids '
        "of letters, digits, `.`, `_` and `-` (at most 128, not starting with `.` or `-`), "
        "so that a name never leaves the output folder"
    )


def test_a_name_missing_from_the_listing_is_refused_even_without_another_spelling(
    tmp_path: Path,
) -> None:
    # The folder was listed before the file appeared: still refused, with a message.
    (tmp_path / "a.yaml").write_text("x", encoding="utf-8")
    with pytest.raises(BuildError) as info:
        b._slot(tmp_path, "a.yaml", set())
    assert str(info.value) == (
        f"{(tmp_path / 'a.yaml').as_posix()} is the same file as {(tmp_path / '?').as_posix()} "
        "on this file system (it ignores case); applc does not overwrite it"
    )


def test_a_manifest_is_read_up_to_64_mib(tmp_path: Path) -> None:
    body = '{"version": 1, "files": {}}'
    limit = 64 * 1024 * 1024
    (tmp_path / b.MANIFEST).write_text(" " * (limit - len(body)) + body, encoding="utf-8")
    assert Manifest.load(tmp_path).entries == {}
    (tmp_path / b.MANIFEST).write_text(" " * (limit + 1 - len(body)) + body, encoding="utf-8")
    with pytest.raises(BuildError, match="is not a manifest this applc wrote"):
        Manifest.load(tmp_path)


def test_an_input_is_known_by_its_path_from_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    src = tmp_path / "in" / "a.json"
    src.parent.mkdir()
    src.write_text("{}", encoding="utf-8")
    (tmp_path / "link.json").symlink_to(src)
    assert b.source_key(str(src), None, out) == "../in/a.json"
    assert b.source_key(str(tmp_path / "link.json"), None, out) == "../in/a.json"
    assert b.source_key(str(src), None, None) == src.resolve().as_posix()
    # Standard input is `-`, or the file it stands for (`--stdin-filename`).
    assert b.source_key("-", None, out) == "-"
    assert b.source_key("-", str(src), out) == "../in/a.json"
    assert b.source_key("-", None, None) == "-"


def test_every_earlier_input_of_a_shared_id_is_named_in_the_note(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("x.json", "y.json"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    manifest = Manifest(
        {
            "hail--x.compose.yaml": {**RECORD, "appliance": "hail", "source": "../x.json"},
            "hail--y.compose.yaml": {**RECORD, "appliance": "hail", "source": "../y.json"},
        }
    )
    result = _named([_unit("a/hail.json", "hail", "compose.yaml")], out, manifest)
    assert result.notes == [
        "3 inputs define appliance `hail` (../x.json, ../y.json in an earlier build of this "
        "folder); their outputs are named apart: a/hail.json -> hail--hail.*"
    ]


@pytest.mark.parametrize(
    ("text", "raw"), [("", b""), ("\u00e9\ud800\n", b"\xc3\xa9\xed\xa0\x80\n")]
)
def test_a_file_with_other_names_is_rewritten_to_the_exact_bytes(
    tmp_path: Path, text: str, raw: bytes
) -> None:
    (tmp_path / "a.yaml").write_text("old\n", encoding="utf-8")
    os.link(tmp_path / "a.yaml", tmp_path / "twin.yaml")
    change = b.Change(
        "a.yaml", "update", "old\n", text, tmp_path / "a.yaml", os.stat(tmp_path / "a.yaml")
    )
    b._apply([change])
    assert (tmp_path / "twin.yaml").read_bytes() == raw
    assert os.path.samefile(tmp_path / "twin.yaml", tmp_path / "a.yaml")


@pytest.fixture
def swapped(tmp_path: Path) -> tuple[Path, Path, Path]:
    """An output folder where `a.yaml` became a link to a file outside it after the build
    checked it (another program swapped it): the folder, the link, the outside file."""
    out = tmp_path / "out"
    out.mkdir()
    secret = tmp_path / "secret"
    secret.write_text("secret\n", encoding="utf-8")
    (out / "a.yaml").symlink_to(secret)
    return out, out / "a.yaml", secret


def test_an_output_swapped_for_a_link_after_its_check_is_never_read(
    swapped: tuple[Path, Path, Path],
) -> None:
    out, link, secret = swapped
    seen = os.stat(secret)  # what the check saw: a regular file
    for read in (
        lambda: b._Streamed(link, seen, True, "out/a.yaml"),
        lambda: b._read_text(link, "out/a.yaml"),
    ):
        with pytest.raises(BuildError) as info:
            read()
        assert str(info.value) == f"cannot read out/a.yaml: {link} is a symbolic link"
    assert os.listdir(out) == ["a.yaml"]


def test_an_obsolete_file_swapped_for_a_link_after_its_check_is_kept_unread(
    swapped: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, link, secret = swapped
    manifest = Manifest({"a.yaml": _recorded("secret\n")})
    real_lstat = os.lstat

    def lstat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        # The check runs before the swap: it sees a regular file.
        return real_lstat(secret if Path(str(path)) == link else path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "lstat", lstat)
    kept = (
        f"kept {link.as_posix()}, which this build no longer writes: it cannot be read "
        f"({link} is a symbolic link)"
    )
    result = _result({}, ("a.yaml",), manifest)
    assert b.changes(out, result, texts=False) == []
    assert result.notes == [kept]
    # Swapped between the hash and the read of its text: kept too, its text never read.
    monkeypatch.setattr(b, "_file_sha256", lambda path: b.sha256("secret\n"))
    result = _result({}, ("a.yaml",), manifest)
    assert b.changes(out, result, texts=True) == []
    assert result.notes == [kept]


def test_a_slot_whose_file_cannot_be_read_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.yaml").write_text("x", encoding="utf-8")
    slot = b._slot(tmp_path, "a.yaml", {"a.yaml"})
    _refuse_reading(monkeypatch, "a.yaml")
    with pytest.raises(BuildError) as info:
        slot.old  # noqa: B018 - read when asked
    assert str(info.value) == f"cannot read {(tmp_path / 'a.yaml').as_posix()}: Permission denied"
