import pytest

from tests import factories


@pytest.fixture
def season(db):
    return factories.CurrentSeasonFactory()


@pytest.fixture
def quiz(season):
    return factories.QuizFactory(season=season)


@pytest.fixture
def player(db):
    return factories.ParticipantFactory()


@pytest.fixture
def answers():
    """All answers to a quiz: right ones, or wrong ones for the first ``wrong`` questions."""

    def build(quiz, wrong: int = 0) -> dict[str, list[int]]:
        result = {}
        for index, (question_id, value) in enumerate(quiz.question_blocks()):
            right = [n for n, option in enumerate(value["options"], 1) if option["correct"]]
            others = [n for n in range(1, len(value["options"]) + 1) if n not in right]
            result[question_id] = others[:1] if index < wrong else right
        return result

    return build
