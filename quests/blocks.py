"""The quiz question an editor writes: its text, 2–6 options, which are right and why."""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock

MIN_OPTIONS = 2
MAX_OPTIONS = 6
MAX_QUESTIONS = 30


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label="Вариант ответа", max_length=300)
    correct = blocks.BooleanBlock(label="Верный", required=False)

    class Meta:
        icon = "tick"
        label = "Вариант"


class QuestionBlock(blocks.StructBlock):
    text = blocks.TextBlock(label="Вопрос", max_length=1000)
    image = ImageChooserBlock(label="Изображение", required=False)
    options = blocks.ListBlock(
        OptionBlock(),
        label="Варианты ответа",
        min_num=MIN_OPTIONS,
        max_num=MAX_OPTIONS,
        help_text="От 2 до 6 вариантов; верных может быть один или несколько.",
    )
    explanation = blocks.TextBlock(
        label="Пояснение",
        max_length=2000,
        required=False,
        help_text="Участник увидит его после ответа.",
    )

    class Meta:
        icon = "help"
        label = "Вопрос"

    def clean(self, value):
        value = super().clean(value)
        if not any(option["correct"] for option in value["options"]):
            raise StructBlockValidationError(
                non_block_errors=[ValidationError("Отметьте хотя бы один верный вариант.")]
            )
        return value
