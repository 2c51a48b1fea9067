"""Fail when schema.graphql breaks queries that worked against the previous schema.

The SDL drift test proves schema.graphql matches the code; this proves a client's query
that was valid against the baseline schema is still valid. graphql-core's
find_breaking_changes decides what breaks; the one allowed path is deprecation first:
a field or enum value already marked @deprecated in the baseline may be removed or
changed, and so may a type that only such fields lead to (no query can reach it without
selecting a deprecated field). Anything else that breaks fails, with exit status 1.
Dangerous changes (a new enum value, a new optional argument…) are printed as warnings.

The baseline, unless --against <git-rev> names one:

1. The newest `v*` tag reachable from HEAD: what released clients were written against,
   so every change since the release is checked, however many commits it took. A tag on
   HEAD itself is skipped while the file is unchanged since HEAD: a release commit is
   checked against the release before it.
2. Without a tag, the previous version of the file along HEAD's first-parent history (on
   main: the schema before the last merge or commit that changed it). Not HEAD~1, which
   on most commits holds the very same file and would prove nothing; not the merge-base
   with origin/main, which on a clone of main is HEAD itself. This only sees the latest
   change to the file, so tag releases.
3. No earlier version at all (the file's first commit): nothing to break; passes.

On a branch, compare with where it left main: --against "$(git merge-base origin/main HEAD)".

Exit status: 0 compatible (or no baseline), 1 breaking changes, 2 the check could not
run (no git, shallow clone, unknown revision, unparsable SDL).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from graphql import (
    BreakingChange,
    BreakingChangeType,
    DangerousChange,
    DangerousChangeType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    build_ast_schema,
    find_breaking_changes,
    find_dangerous_changes,
    get_named_type,
    parse,
)
from graphql.language import (
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SCHEMA = REPO_ROOT / "schema.graphql"

# What each kind of break does to a client, in plain words.
CONSEQUENCES = {
    BreakingChangeType.TYPE_REMOVED: "queries naming this type no longer validate",
    BreakingChangeType.TYPE_CHANGED_KIND: "fragments and selections on it no longer fit",
    BreakingChangeType.TYPE_REMOVED_FROM_UNION: "fragments on that member never match",
    BreakingChangeType.VALUE_REMOVED_FROM_ENUM: "clients sending or expecting it fail",
    BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED: "inputs sent without it are refused",
    BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED: "fragments on the interface stop matching",
    BreakingChangeType.FIELD_REMOVED: "queries selecting or sending it no longer validate",
    BreakingChangeType.FIELD_CHANGED_KIND: "clients get or must send a different type",
    BreakingChangeType.REQUIRED_ARG_ADDED: "queries without the argument are refused",
    BreakingChangeType.ARG_REMOVED: "queries passing it no longer validate",
    BreakingChangeType.ARG_CHANGED_KIND: "values or variables of the old type are refused",
    BreakingChangeType.DIRECTIVE_REMOVED: "queries using the directive no longer validate",
    BreakingChangeType.DIRECTIVE_ARG_REMOVED: "queries passing it no longer validate",
    BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED: "uses without the argument are refused",
    BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED: "repeated uses are refused",
    BreakingChangeType.DIRECTIVE_LOCATION_REMOVED: "uses at that location are refused",
}

# And what a dangerous change may do: queries still validate, answers may surprise.
RISKS = {
    DangerousChangeType.VALUE_ADDED_TO_ENUM: "clients may receive a value they do not know",
    DangerousChangeType.TYPE_ADDED_TO_UNION: "clients may receive a member their fragments miss",
    DangerousChangeType.OPTIONAL_INPUT_FIELD_ADDED: "existing inputs still work",
    DangerousChangeType.OPTIONAL_ARG_ADDED: "existing queries still work",
    DangerousChangeType.IMPLEMENTED_INTERFACE_ADDED: "fragments on the interface now match it",
    DangerousChangeType.ARG_DEFAULT_VALUE_CHANGE: "the same query may get a different answer",
}

_FIELD_HOLDERS = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
)
_ENUMS = (EnumTypeDefinitionNode, EnumTypeExtensionNode)


class CheckError(Exception):
    """The check could not run (exit status 2)."""


@dataclass
class Comparison:
    """What changed from the baseline schema to the new one."""

    breaking: list[BreakingChange] = field(default_factory=list)
    """Breaking changes that fail the check."""
    removed_after_deprecation: list[BreakingChange] = field(default_factory=list)
    """Breaking changes allowed because the baseline had deprecated what they touch."""
    dangerous: list[DangerousChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no client query valid against the baseline breaks."""
        return not self.breaking


def _deprecated(node) -> bool:
    return any(d.name.value == "deprecated" for d in node.directives or ())


def _without_deprecated(document: DocumentNode) -> DocumentNode:
    """The document with its deprecated fields, input fields and enum values left out."""
    definitions = []
    for node in document.definitions:
        if isinstance(node, _FIELD_HOLDERS) and node.fields:
            node = _copy(node, fields=tuple(f for f in node.fields if not _deprecated(f)))
        elif isinstance(node, _ENUMS) and node.values:
            node = _copy(node, values=tuple(v for v in node.values if not _deprecated(v)))
        definitions.append(node)
    return _copy(document, definitions=tuple(definitions))


def _copy(node, **changes):
    # AST nodes take their attributes as keywords; a shallow copy keeps the rest shared.
    return type(node)(**{key: getattr(node, key) for key in node.keys} | changes)


def _reachable(schema: GraphQLSchema, seeds: set[str]) -> set[str]:
    """Names of the types a query can reach from the root types, directives and seeds."""
    found: set[str] = set()
    pending: list[GraphQLNamedType] = [
        t for t in (schema.query_type, schema.mutation_type, schema.subscription_type) if t
    ]
    pending += [schema.type_map[name] for name in seeds if name in schema.type_map]
    pending += [get_named_type(a.type) for d in schema.directives for a in d.args.values()]
    while pending:
        named = pending.pop()
        if named.name in found:
            continue
        found.add(named.name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for f in named.fields.values():
                pending.append(get_named_type(f.type))
                pending += [get_named_type(a.type) for a in f.args.values()]
            pending += named.interfaces
        if isinstance(named, GraphQLInterfaceType):
            # A fragment on any implementation is reachable through the interface.
            implementations = schema.get_implementations(named)
            pending += implementations.objects + implementations.interfaces
        elif isinstance(named, GraphQLUnionType):
            pending += named.types
        elif isinstance(named, GraphQLInputObjectType):
            pending += [get_named_type(f.type) for f in named.fields.values()]
    return found


def _deprecated_left_out(old: GraphQLSchema, document: DocumentNode) -> GraphQLSchema:
    """The old schema as a client that avoids deprecated fields and values sees it.

    Besides the deprecated fields and enum values, the types that only they lead to are
    left out, so removing such a type together with its deprecated field is allowed.
    Types no query could reach even before (orphans) stay, and so does what they use.
    """
    masked = _without_deprecated(document)
    orphans = set(old.type_map) - _reachable(old, set())
    keep = _reachable(build_ast_schema(masked, assume_valid_sdl=True), orphans)
    definitions = tuple(
        node
        for node in masked.definitions
        if not isinstance(node, TypeDefinitionNode | TypeExtensionNode) or node.name.value in keep
    )
    return build_ast_schema(_copy(masked, definitions=definitions), assume_valid_sdl=True)


def compare(old_sdl: str, new_sdl: str) -> Comparison:
    """Compare two SDL texts: breaking changes, allowed removals and dangerous changes.

    A breaking change is allowed only when it touches a field or enum value that the old
    schema already marked @deprecated (or a type only such fields lead to); every other
    breaking change is in ``breaking``.
    """
    old_document = parse(old_sdl)
    old = build_ast_schema(old_document)
    new = build_ast_schema(parse(new_sdl))
    everything = find_breaking_changes(old, new)
    # Compared with what non-deprecated use could reach, the allowed breaks vanish.
    failing = find_breaking_changes(_deprecated_left_out(old, old_document), new)
    failing_keys = {(c.type, c.description) for c in failing}
    return Comparison(
        breaking=failing,
        removed_after_deprecation=[
            c for c in everything if (c.type, c.description) not in failing_keys
        ],
        dangerous=find_dangerous_changes(old, new),
    )


# --- git ------------------------------------------------------------------------------


def _git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise CheckError("git is needed to find the baseline schema") from None
    if check and result.returncode != 0:
        raise CheckError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result


def _file_at(cwd: Path, rev: str, path: str) -> str | None:
    """The file's text at a revision, or None when the revision has no such file."""
    if _git(cwd, "cat-file", "-e", f"{rev}:{path}", check=False).returncode != 0:
        return None
    return _git(cwd, "show", f"{rev}:{path}").stdout


@dataclass
class Baseline:
    """The schema to compare with and where it came from."""

    label: str
    sdl: str | None
    """None when the baseline revision has no schema file (nothing to break)."""


def _describe(cwd: Path, rev: str) -> str:
    return _git(cwd, "log", "-1", "--format=%h (%s)", rev).stdout.strip()


def find_baseline(schema: Path, against: str | None = None) -> Baseline | None:
    """The baseline for ``schema`` (see the module's docstring); None when there is none."""
    cwd = schema.parent
    top = _git(cwd, "rev-parse", "--show-toplevel", check=False)
    if top.returncode != 0:
        raise CheckError(f"{cwd} is not in a git repository: {top.stderr.strip()}")
    path = schema.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
    current = schema.read_text()

    if against is not None:
        resolved = _git(
            cwd, "rev-parse", "--verify", "--quiet", f"{against}^{{commit}}", check=False
        )
        if resolved.returncode != 0:
            raise CheckError(f"--against {against}: no such commit")
        return Baseline(
            f"{path} at {_describe(cwd, against)}, from --against", _file_at(cwd, against, path)
        )

    if _git(cwd, "rev-parse", "--verify", "--quiet", "HEAD", check=False).returncode != 0:
        return None  # no commit yet
    if _git(cwd, "rev-parse", "--is-shallow-repository").stdout.strip() == "true":
        # A truncated history would silently lose the tag or the previous version.
        raise CheckError(
            "shallow clone: fetch the history (git fetch --unshallow --tags) or pass --against"
        )

    skip: list[str] = []
    if _file_at(cwd, "HEAD", path) == current:
        skip = _git(cwd, "tag", "--points-at", "HEAD", "--list", "v*").stdout.split()
    tag = _git(
        cwd,
        "describe",
        "--tags",
        "--abbrev=0",
        "--match",
        "v*",
        *(f"--exclude={name}" for name in skip),
        "HEAD",
        check=False,
    )
    if tag.returncode == 0:
        name = tag.stdout.strip()
        return Baseline(
            f"{path} of release {name}, {_describe(cwd, name)}", _file_at(cwd, name, path)
        )

    # HEAD's version (if the file has uncommitted changes), then the version before each
    # first-parent commit that changed the file: the first that differs is the baseline.
    changes = _git(cwd, "log", "--first-parent", "--format=%H", "HEAD", "--", path).stdout
    for commit in ["", *changes.split()]:
        rev = f"{commit}^1" if commit else "HEAD"
        if _git(cwd, "rev-parse", "--verify", "--quiet", rev, check=False).returncode != 0:
            return None  # the file's first commit was the repository's first
        sdl = _file_at(cwd, rev, path)
        if sdl is None:
            return None  # before the file existed
        if sdl != current:
            where = f"before {_describe(cwd, commit)}" if commit else "at HEAD"
            return Baseline(f"{path} {where}", sdl)
    return None


# --- report ---------------------------------------------------------------------------


def report(comparison: Comparison, baseline_label: str) -> list[str]:
    """The lines to print for a comparison, in plain words."""
    lines = [f"Baseline: {baseline_label}"]
    lines += [
        f"warning: {c.description.rstrip('.')}: {RISKS.get(c.type, 'clients may notice')}."
        for c in comparison.dangerous
    ]
    lines += [
        f"allowed: {c.description.rstrip('.')}: deprecated in the baseline."
        for c in comparison.removed_after_deprecation
    ]
    if comparison.breaking:
        lines.append(f"{len(comparison.breaking)} breaking change(s) for its clients:")
        lines += [
            f"  - {c.description.rstrip('.')}: {CONSEQUENCES.get(c.type, 'clients may break')}."
            for c in comparison.breaking
        ]
        lines.append(
            "Keep what clients use; to remove a field or enum value, mark it deprecated "
            "(deprecation_reason) first and remove it once the baseline has it deprecated."
        )
    else:
        lines.append(
            "Compatible: no breaking changes, "
            f"{len(comparison.removed_after_deprecation)} removal(s) after deprecation, "
            f"{len(comparison.dangerous)} warning(s)."
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the check; returns the exit status."""
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="See the module docstring for how the baseline is chosen.",
    )
    parser.add_argument("--against", metavar="GIT-REV", help="compare with this revision")
    parser.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA, help="the SDL file")
    args = parser.parse_args(argv)
    try:
        baseline = find_baseline(args.schema, args.against)
        if baseline is None or baseline.sdl is None:
            where = f" in {baseline.label}" if baseline else ""
            print(f"No earlier {args.schema.name}{where} to compare with: nothing can break.")
            return 0
        comparison = compare(baseline.sdl, args.schema.read_text())
    except (CheckError, GraphQLError, OSError, ValueError) as error:
        # GraphQLError: an SDL that does not parse; OSError: a file that cannot be read.
        print(f"schema check could not run: {error}", file=sys.stderr)
        return 2
    print("\n".join(report(comparison, baseline.label)))
    return 0 if comparison.ok else 1


if __name__ == "__main__":
    sys.exit(main())
