"""Checks every client-supplied value passes before anything reads it.

One place for what no field may receive: text with NUL bytes or lone surrogates (neither
PostgreSQL nor UTF-8 can hold them), ids that are not plain ASCII numbers in the
database's range, and JSON nested deeper than any query needs.
"""

from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit

from graphql_schema.core.errors import InvalidInput

# Database ids are 64-bit signed integers.
MAX_ID = 2**63 - 1
# Variables of a real query nest a few levels (an input object, a list of them).
MAX_VARIABLES_DEPTH = 20


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be taken as text, or None when it can."""
    if "\x00" in value:
        return "Текст не может содержать нулевой символ (NUL)."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "Текст содержит недопустимые символы (непарные суррогаты UTF-16)."
    return None


def check_variables(variables) -> None:
    """Refuse variables with unusable text or nested past ``MAX_VARIABLES_DEPTH``.

    Walks iteratively, so a deeply nested value cannot exhaust the stack here.
    """
    stack = [(variables, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_VARIABLES_DEPTH:
            raise InvalidInput("Переменные (variables) вложены слишком глубоко.", field="variables")
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                raise InvalidInput(problem, field="variables")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and text_problem(key):
                    raise InvalidInput(text_problem(key), field="variables")
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


class _TextVisitor(Visitor):
    def __init__(self):
        super().__init__()
        self.errors: list[GraphQLError] = []

    def enter_string_value(self, node: StringValueNode, *_):
        problem = text_problem(node.value)
        if problem:
            self.errors.append(InvalidInput(problem))


def check_document_text(document: DocumentNode) -> list[GraphQLError]:
    """Errors for string literals in ``document`` that no field may receive."""
    visitor = _TextVisitor()
    visit(document, visitor)
    return visitor.errors[:1]


def parse_id(value, field: str = "id") -> int | None:
    """A database id from an ``ID`` argument: plain ASCII digits within range, else None.

    ``str.isdigit`` alone accepts "²" and other Unicode digits that ``int`` refuses.
    """
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
