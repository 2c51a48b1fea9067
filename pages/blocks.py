"""StreamField blocks shared by news, enterprise and video pages."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label="Текст", max_length=255)
    level = blocks.ChoiceBlock(
        label="Уровень",
        choices=[("h2", "Заголовок 2"), ("h3", "Заголовок 3"), ("h4", "Заголовок 4")],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = "Заголовок"
        description = "Подзаголовок внутри текста"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label="Цитата")
    speaker_name = blocks.CharBlock(label="Кто сказал", max_length=255)
    speaker_position = blocks.CharBlock(label="Должность", max_length=255, required=False)

    class Meta:
        icon = "openquote"
        label = "Цитата"
        description = "Прямая речь с именем и должностью говорящего"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label="Изображение")
    caption = blocks.CharBlock(label="Подпись", max_length=500, required=False)

    class Meta:
        icon = "image"
        label = "Изображение"
        description = "Фотография с подписью"


class VideoLinkBlock(blocks.StructBlock):
    url = blocks.URLBlock(label="Ссылка на видео", help_text="VK Видео, RUTUBE, YouTube…")
    title = blocks.CharBlock(label="Название", max_length=255, required=False)
    caption = blocks.CharBlock(label="Подпись", max_length=500, required=False)

    class Meta:
        icon = "media"
        label = "Видео"
        description = "Ссылка на видео на внешней площадке"


class KeyFigureBlock(blocks.StructBlock):
    value = blocks.CharBlock(label="Число", max_length=32, help_text="Например, «4 500+».")
    label = blocks.CharBlock(label="Что это", max_length=255, help_text="Например, «посетителей».")
    description = blocks.CharBlock(label="Пояснение", max_length=500, required=False)

    class Meta:
        icon = "pick"
        label = "Ключевая цифра"
        description = "Крупная цифра с подписью"


RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]


class BodyBlock(blocks.StreamBlock):
    """The body of news and enterprise pages."""

    paragraph = blocks.RichTextBlock(
        label="Абзац", features=RICH_TEXT_FEATURES, icon="pilcrow", description="Текст"
    )
    heading = HeadingBlock()
    quote = QuoteBlock()
    image = ImageBlock()
    video = VideoLinkBlock()
    key_figure = KeyFigureBlock()
