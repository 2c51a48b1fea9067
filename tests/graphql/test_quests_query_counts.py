"""A participant's own lists (history, tasks, attempts, claims) cost the same for 5 and
for 50 items: ``participant`` is not a root list, so the schema-generated test does not
reach them."""

from quests import services
from quests.models import PointsEntry, PrizeClaim, Task
from tests import factories
from tests.factories import quests as quest_factories
from tests.graphql.test_lists_query_counts import count_queries

PARTICIPANT = """query { participant(token: "%s") {
  email nickname onLeaderboard points
  history { amount reason description createdAt }
  tasks { done completed task { slug kind target season { slug } industry { slug }
    quiz { slug enterprise { name } industry { slug } image { url }
      questions { id image { url } } } } }
  attempts { scored passed correctCount questionCount submittedAt
    quiz { slug title image { url } enterprise { name } season { slug } questionCount }
    answers { questionId text chosen correct correctOptions explanation } }
  claims { id status price claimedAt handedOutAt
    prize { title stockLeft image { url } season { slug } } } } }"""


def add_items(site_tree, player, season, count):
    for _ in range(count):
        enterprise = factories.EnterprisePageFactory(parent=site_tree.enterprise_index)
        questions = quest_factories.three_questions()
        questions[0]["value"]["image"] = factories.ImageFactory().pk
        quiz = factories.QuizFactory(
            season=season,
            enterprise=enterprise,
            industry=factories.IndustryFactory(),
            image=factories.ImageFactory(),
            questions=questions,
            points=1,
        )
        factories.TaskFactory(season=season, kind=Task.Kind.PASS_QUIZ, quiz=quiz, points=1)
        answers = {qid: services.correct_options(value) for qid, value in quiz.question_blocks()}
        services.submit_answers(player.token, quiz.slug, answers)
        prize = factories.PrizeFactory(season=season, image=factories.ImageFactory(), price=1)
        PointsEntry.objects.create(
            participant=player, amount=1, reason="task", source=f"gift:{prize.pk}", description="."
        )
        PrizeClaim.objects.create(participant=player, prize=prize, price=1)


def test_a_participants_lists_cost_the_same_for_5_and_50_items(site_tree, graphql, settings):
    settings.GRAPHQL_MAX_COST = 10**9
    season = factories.CurrentSeasonFactory()
    player = factories.ParticipantFactory()
    query = PARTICIPANT % player.token
    add_items(site_tree, player, season, 5)
    few, data = count_queries(graphql, query)
    assert len(data["participant"]["attempts"]) == 5
    add_items(site_tree, player, season, 45)
    many, data = count_queries(graphql, query)
    me = data["participant"]
    assert len(me["attempts"]) == 50 and len(me["claims"]) == 50 and len(me["tasks"]) == 50
    assert all(task["completed"] for task in me["tasks"])
    assert few == many, f"{few} queries for 5 items, {many} for 50"


MINIMAL_SELECTIONS = [
    "tasks { done }",
    "tasks { completed task { slug } }",
    "history { amount }",
    "attempts { passed }",
    "claims { status }",
]


def test_each_list_with_the_least_selected_costs_the_same_for_5_and_50_items(
    site_tree, graphql, settings
):
    """Progress reads a task's kind and target whatever the client selects: a selection
    without them must not load them object by object."""
    settings.GRAPHQL_MAX_COST = 10**9
    season = factories.CurrentSeasonFactory()
    player = factories.ParticipantFactory()

    def add(count):
        add_items(site_tree, player, season, count)
        for _ in range(count):  # tasks in progress, not completed
            factories.TaskFactory(
                season=season, kind=Task.Kind.ATTEND_INDUSTRIES, target_count=3, points=1
            )

    queries = {
        selection: f'query {{ participant(token: "{player.token}") {{ {selection} }} }}'
        for selection in MINIMAL_SELECTIONS
    }
    add(5)
    few = {selection: count_queries(graphql, query)[0] for selection, query in queries.items()}
    add(45)
    many = {}
    for selection, query in queries.items():
        many[selection], data = count_queries(graphql, query)
        assert len(next(iter(data["participant"].values()))) >= 50, selection
    grown = {s: (few[s], many[s]) for s in queries if few[s] != many[s]}
    assert not grown, f"queries for 5 vs 50 items grow for {grown}"
