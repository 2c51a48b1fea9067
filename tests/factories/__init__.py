from tests.factories.booking import RegistrationFactory, TourSessionFactory
from tests.factories.catalogue import (
    AwardFactory,
    DistrictFactory,
    EventFormatFactory,
    IndustryFactory,
    SeasonFactory,
)
from tests.factories.images import ImageFactory
from tests.factories.pages import (
    AwardsPageFactory,
    EnterpriseIndexPageFactory,
    EnterprisePageFactory,
    HomePageFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    VideoIndexPageFactory,
    VideoSeriesPageFactory,
)

__all__ = [
    "AwardFactory",
    "AwardsPageFactory",
    "DistrictFactory",
    "EnterpriseIndexPageFactory",
    "EnterprisePageFactory",
    "EventFormatFactory",
    "HomePageFactory",
    "ImageFactory",
    "IndustryFactory",
    "NewsIndexPageFactory",
    "NewsPageFactory",
    "RegistrationFactory",
    "SeasonFactory",
    "TourSessionFactory",
    "VideoIndexPageFactory",
    "VideoSeriesPageFactory",
]

from tests.factories.quests import (  # noqa: E402
    CurrentSeasonFactory,
    ParticipantFactory,
    PrizeFactory,
    QuizFactory,
    SessionGateFactory,
    TaskFactory,
)

__all__ += [
    "CurrentSeasonFactory",
    "ParticipantFactory",
    "PrizeFactory",
    "QuizFactory",
    "SessionGateFactory",
    "TaskFactory",
]
