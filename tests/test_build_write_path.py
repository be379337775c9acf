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
