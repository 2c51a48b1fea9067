"""Which fields a query asks for, so list resolvers prefetch exactly what is needed."""

from graphql import FieldNode, FragmentSpreadNode, GraphQLResolveInfo, InlineFragmentNode

# A selection tree: field name → the tree selected inside it ({} for a leaf).
SelectionTree = dict[str, "SelectionTree"]


def _merge_selections(selection_sets, info: GraphQLResolveInfo, seen: frozenset) -> SelectionTree:
    tree: SelectionTree = {}
    for selection_set in selection_sets:
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                subtree = _merge_selections([selection.selection_set], info, seen)
                merge_selection(tree.setdefault(selection.name.value, {}), subtree)
            elif isinstance(selection, InlineFragmentNode):
                merge_selection(tree, _merge_selections([selection.selection_set], info, seen))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = info.fragments.get(name)
                if fragment is not None and name not in seen:
                    subtree = _merge_selections([fragment.selection_set], info, seen | {name})
                    merge_selection(tree, subtree)
    return tree


def merge_selection(target: SelectionTree, source: SelectionTree) -> None:
    """Add what ``source`` selects to ``target``, in place (subtrees are copied)."""
    for name, subtree in source.items():
        existing = target.get(name)
        target[name] = {} if existing is None else dict(existing)
        merge_selection(target[name], subtree)


def selection_tree(info: GraphQLResolveInfo, *path: str) -> SelectionTree:
    """The fields selected below the current field, starting at ``path``.

    ``selection_tree(info, "edges", "node")`` on a connection gives what each node needs.
    """
    tree = _merge_selections([node.selection_set for node in info.field_nodes], info, frozenset())
    for step in path:
        tree = tree.get(step, {})
    return tree
