"""GraphQL enums made from the models' choices, so a new choice cannot drift apart."""

import graphene


def enum_from_choices(name: str, choices) -> type[graphene.Enum]:
    """An enum whose names are the upper-cased stored values (``no_show`` → ``NO_SHOW``),
    described by the Russian labels editors see."""
    members = [(value.upper(), value) for value, _label in choices]
    description = "; ".join(f"{value.upper()} — {label}" for value, label in choices)
    return graphene.Enum(name, members, description=description)
