"""Limits on what one GraphQL document may ask, added to graphql-core's standard rules."""

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    ValidationRule,
)


def alias_limit_rule(max_aliases: int) -> type[ValidationRule]:
    """Refuse documents with more than ``max_aliases`` aliased fields (alias amplification)."""

    class AliasLimitRule(ValidationRule):
        def __init__(self, context):
            super().__init__(context)
            self.aliases = 0

        def enter_field(self, node: FieldNode, *_args):
            if node.alias is not None:
                self.aliases += 1
                if self.aliases == max_aliases + 1:
                    self.report_error(
                        GraphQLError(
                            f"Слишком много псевдонимов (aliases): не больше {max_aliases}.",
                            node,
                            extensions={"code": "QUERY_TOO_COMPLEX"},
                        )
                    )

    return AliasLimitRule


def field_limit_rule(max_fields: int) -> type[ValidationRule]:
    """Refuse operations that select more than ``max_fields`` fields once fragments expand.

    A fragment spread many times costs each time, so this bounds the work of resolving
    a document that is small on the wire but large once expanded.
    """

    class FieldLimitRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
            fragments = {
                definition.name.value: definition
                for definition in self.context.document.definitions
                if hasattr(definition, "type_condition")
            }
            count = _count_fields(node.selection_set, fragments, frozenset(), max_fields)
            if count > max_fields:
                self.report_error(
                    GraphQLError(
                        f"Запрос слишком большой: больше {max_fields} полей.",
                        node,
                        extensions={"code": "QUERY_TOO_COMPLEX"},
                    )
                )

    return FieldLimitRule


def _count_fields(selection_set, fragments, seen: frozenset, budget: int) -> int:
    """Fields selected, stopping early once past ``budget`` (cycles are another rule's job)."""
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if total > budget:
            break
        if isinstance(selection, FieldNode):
            total += 1 + _count_fields(selection.selection_set, fragments, seen, budget - total)
        elif isinstance(selection, InlineFragmentNode):
            total += _count_fields(selection.selection_set, fragments, seen, budget - total)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in seen:
                total += _count_fields(
                    fragments[name].selection_set, fragments, seen | {name}, budget - total
                )
    return total
