"""A programme editor writes a quiz in the admin and publishes it; a participant plays
it through GraphQL on the live server, and sees the explanations only after answering."""

import pytest
from playwright.sync_api import expect

from quests.models import Quiz
from tests import factories
from tests.browser.wagtail_admin import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

QUIZ = """query($slug: String!) { quiz(slug: $slug) {
  title passMark points questions { id text severalCorrect options { number text } } } }"""

SUBMIT = """mutation($token: String!, $slug: String!, $answers: [QuizAnswerInput!]!) {
  submitQuizAnswers(token: $token, quizSlug: $slug, answers: $answers) {
    attempt { passed correctCount } questions { correct explanation } pointsAwarded
    errors { code } } }"""


def test_editor_writes_and_publishes_a_quiz(open_window, step, graphql_live, site_tree, editor):
    browser = open_window("editor")
    log_in(browser, *editor)
    browser.goto("/admin/snippets/quests/quiz/add/")
    expect(browser.get_by_role("link", name="Новый: Викторина")).to_be_visible()
    browser.get_by_role("textbox", name="Название").fill("Как делают лифты")
    browser.get_by_role("textbox", name="Слаг").fill("kak-delayut-lifty")
    browser.get_by_role("spinbutton", name="Проходной балл").fill("1")
    browser.get_by_role("spinbutton", name="Баллов за прохождение").fill("25")
    step("new quiz form")

    questions = browser.get_by_role("region", name="Вопросы")
    questions.get_by_role("button", name="Вставить блок").first.click()
    question = questions.get_by_role("region", name="Вопрос")
    question.get_by_role("textbox", name="Вопрос").fill("Что выпускает «Мослифт»?")
    question.get_by_role("textbox", name="Пояснение").fill("«Мослифт» делает лифты.")
    # A new question comes with one empty option; «Добавить» below it adds the next.
    options = question.get_by_role("textbox", name="Вариант ответа")
    options.first.fill("Лифты")
    question.get_by_role("button", name="Добавить").last.click()
    expect(options).to_have_count(2)
    options.last.fill("Трамваи")
    question.get_by_role("checkbox", name="Верный").first.check()
    step("a question with two options, the first right")

    browser.get_by_role("button", name="Больше действий").click()
    browser.get_by_role("button", name="Опубликовать", exact=True).click()
    expect(browser.get_by_role("status")).to_contain_text("Как делают лифты")
    step("published")

    quiz = Quiz.objects.get(slug="kak-delayut-lifty")
    assert quiz.live
    data = graphql_live(QUIZ, {"slug": "kak-delayut-lifty"})["quiz"]
    assert data["title"] == "Как делают лифты" and data["points"] == 25
    (shown,) = data["questions"]
    assert shown["text"] == "Что выпускает «Мослифт»?" and not shown["severalCorrect"]
    assert [o["text"] for o in shown["options"]] == ["Лифты", "Трамваи"]
    assert "лифты." not in str(data)  # the explanation waits for the answer

    player = factories.ParticipantFactory()
    answers = [{"questionId": shown["id"], "options": [1]}]
    result = graphql_live(SUBMIT, {"token": player.token, "slug": quiz.slug, "answers": answers})
    assert result["submitQuizAnswers"] == {
        "attempt": {"passed": True, "correctCount": 1},
        "questions": [{"correct": True, "explanation": "«Мослифт» делает лифты."}],
        "pointsAwarded": 25,
        "errors": [],
    }
