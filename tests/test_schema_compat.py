"""The breaking-change check: the comparison rule, and the baseline it picks in git."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.check_schema_compat import compare

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_schema_compat.py"

BASE = """
type Query {
  news(first: Int): [News!]!
  legacyTitle: String @deprecated(reason: "Use news.")
}

type News {
  title: String!
  slug: String!
}

enum Format {
  WALK
  BUS
  ONLINE @deprecated(reason: "Online visits stopped.")
}

input Filter {
  format: Format
}
"""


def failing(old: str, new: str) -> list[str]:
    return [change.description for change in compare(old, new).breaking]


def test_unchanged_schema_passes():
    comparison = compare(BASE, BASE)
    assert comparison.ok
    assert not comparison.removed_after_deprecation
    assert not comparison.dangerous


def test_removing_a_field_fails():
    assert failing(BASE, BASE.replace("  slug: String!\n", "")) == ["News.slug was removed."]


def test_removing_a_deprecated_field_passes():
    comparison = compare(
        BASE, BASE.replace('  legacyTitle: String @deprecated(reason: "Use news.")\n', "")
    )
    assert comparison.ok
    assert [c.description for c in comparison.removed_after_deprecation] == [
        "Query.legacyTitle was removed."
    ]


def test_deprecating_a_field_passes():
    # The first step of the allowed path: the field stays and clients are told.
    comparison = compare(BASE, BASE.replace("slug: String!", "slug: String! @deprecated"))
    assert comparison.ok
    assert not comparison.removed_after_deprecation


def test_making_an_argument_required_fails():
    assert failing(BASE, BASE.replace("news(first: Int)", "news(first: Int!)")) == [
        "Query.news arg first has changed type from Int to Int!."
    ]


def test_adding_a_required_argument_fails():
    assert failing(BASE, BASE.replace("news(first: Int)", "news(first: Int, city: ID!)")) == [
        "A required arg city on Query.news was added."
    ]


def test_adding_a_nullable_field_passes():
    comparison = compare(
        BASE, BASE.replace("  slug: String!\n", "  slug: String!\n  lead: String\n")
    )
    assert comparison.ok
    assert not comparison.removed_after_deprecation


def test_changing_a_type_fails():
    assert failing(BASE, BASE.replace("title: String!", "title: Int!")) == [
        "News.title changed type from String! to Int!."
    ]


def test_making_a_field_nullable_fails():
    assert failing(BASE, BASE.replace("title: String!", "title: String")) == [
        "News.title changed type from String! to String."
    ]


def test_removing_a_deprecated_enum_value_passes():
    comparison = compare(
        BASE, BASE.replace('  ONLINE @deprecated(reason: "Online visits stopped.")\n', "")
    )
    assert comparison.ok
    assert [c.description for c in comparison.removed_after_deprecation] == [
        "ONLINE was removed from enum type Format."
    ]


def test_removing_an_enum_value_fails():
    assert failing(BASE, BASE.replace("  BUS\n", "")) == ["BUS was removed from enum type Format."]


def test_adding_an_enum_value_is_a_warning():
    comparison = compare(BASE, BASE.replace("  BUS\n", "  BUS\n  BOAT\n"))
    assert comparison.ok
    assert [c.description for c in comparison.dangerous] == ["BOAT was added to enum type Format."]


LEGACY = """
type Legacy {
  text: String
}

extend type Query {
  legacy: Legacy @deprecated
}
"""


def test_a_type_only_a_deprecated_field_led_to_goes_with_it():
    assert compare(BASE + LEGACY, BASE).ok
    # A type still reachable otherwise is not such a type: removing it fails.
    still_used = BASE + LEGACY + "extend type Query {\n  main: Legacy\n}\n"
    assert failing(still_used, BASE) == ["Legacy was removed.", "Query.main was removed."]


def test_a_deprecated_argument_is_not_exempt():
    # Only fields and enum values may go after deprecation; nothing else.
    old = BASE.replace(
        "news(first: Int)", 'news(first: Int, page: Int @deprecated(reason: "first"))'
    )
    assert failing(old, BASE) == ["Query.news arg page was removed."]


# --- the script in a git repository ------------------------------------------------


def v(*fields: str) -> str:
    return "type Query {\n" + "".join(f"  {f}\n" for f in fields) + "}\n"


class Repo:
    def __init__(self, path: Path, init: bool = True):
        self.path = path
        self.schema = path / "schema.graphql"
        if init:
            self.git("init", "--quiet", "--initial-branch=main")

    def git(self, *args: str) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.org",
            # The user's git config must not change what the test sees.
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        return subprocess.run(
            ["git", *args], cwd=self.path, env=env, check=True, capture_output=True, text=True
        ).stdout

    def commit(self, message: str, sdl: str | None = None) -> None:
        if sdl is None:
            (self.path / "notes.txt").write_text(message)
        else:
            self.schema.write_text(sdl)
        self.git("add", "--all")
        self.git("commit", "--quiet", "-m", message)

    def check(self, *args: str) -> tuple[int, str]:
        result = subprocess.run(
            [sys.executable, str(SCRIPT), "--schema", str(self.schema), *args],
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.returncode, result.stdout + result.stderr


@pytest.fixture
def repo(tmp_path) -> Repo:
    (tmp_path / "repo").mkdir()
    return Repo(tmp_path / "repo")


def test_script_picks_the_previous_version_then_the_last_tag(repo):
    repo.commit("first", v("a: String", "b: String"))
    code, out = repo.check()
    assert code == 0
    assert "No earlier schema.graphql" in out

    repo.commit("drop b", v("a: String"))
    code, out = repo.check()
    assert code == 1
    assert "Query.b was removed: queries selecting or sending it no longer validate." in out
    assert "before" in out and "(drop b)" in out

    # A commit that leaves the file alone: HEAD~1 would hold the same file and pass.
    repo.commit("unrelated")
    code, out = repo.check()
    assert code == 1, out
    assert "Query.b was removed" in out

    repo.commit("b back, deprecated", v("a: String", "b: String @deprecated"))
    repo.git("tag", "v1.0")
    code, out = repo.check()
    # The tag on HEAD is this very file: the baseline is the version before it.
    assert code == 0, out
    assert "release" not in out and "(b back, deprecated)" in out

    repo.commit("add c", v("a: String", "b: String @deprecated", "c: String"))
    repo.commit("drop b and c", v("a: String"))
    code, out = repo.check()
    # Against v1.0: b was deprecated there and c was never released.
    assert code == 0, out
    assert "release v1.0" in out
    assert "allowed: Query.b was removed: deprecated in the baseline." in out

    code, out = repo.check("--against", "HEAD~1")
    assert code == 1
    assert "Query.c was removed" in out and "Query.b" not in out.split("breaking")[1]

    repo.git("tag", "v1.1")
    repo.schema.write_text(v("z: String"))
    code, out = repo.check()
    # Uncommitted changes on a release commit are checked against that release.
    assert code == 1
    assert "release v1.1" in out and "Query.a was removed" in out


def test_script_refuses_an_unknown_revision_and_a_shallow_clone(repo, tmp_path):
    repo.commit("first", v("a: String"))
    repo.commit("second", v("a: String", "b: String"))
    code, out = repo.check("--against", "no-such-rev")
    assert code == 2
    assert "no such commit" in out

    repo.git("clone", "--quiet", "--depth=1", f"file://{repo.path}", str(tmp_path / "clone"))
    clone = Repo(tmp_path / "clone", init=False)
    code, out = clone.check()
    assert code == 2
    assert "shallow clone" in out
