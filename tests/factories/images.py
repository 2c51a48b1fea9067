import factory
import wagtail_factories
from wagtail.models import Collection


class ImageFactory(wagtail_factories.ImageFactory):
    """A small real image file in the root collection."""

    collection = factory.LazyFunction(Collection.get_first_root_node)
    title = factory.Sequence(lambda n: f"Изображение {n}")
    description = factory.LazyAttribute(lambda obj: f"Описание: {obj.title}")
    file = factory.django.ImageField(width=120, height=90, color="teal")
