"""Placeholder pictures drawn with Pillow, so every demo card has an image without the network.

Each picture is an abstract composition (no text, no fonts) whose colour comes from a hash of
its key: the same key always gives the same picture, different items look different.
"""

import colorsys
import functools
import io
import math
import zlib
from dataclasses import dataclass

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageOps
from wagtail.images import get_image_model
from wagtail.models import Collection

COLLECTION_NAME = "Демонстрационные материалы"

PHOTO_SIZE = (1200, 800)
LOGO_SIZE = (400, 400)

# What each style shows, for the alt text (Image.description).
MOTIFS = {
    "factory": "силуэт завода с трубами на фоне неба",
    "emblem": "круглая эмблема с шестерёнкой",
    "pattern": "узор из кругов и прямоугольников",
    "stripes": "диагональные полосы и круг",
    "medal": "медаль на ленте",
}


@dataclass(frozen=True)
class ImageSpec:
    """One placeholder image: its Wagtail title (the reuse key) and how to draw it."""

    key: str  # ASCII, stable: seeds the colour and names the file
    title: str  # Russian; an image with this title is reused, never redrawn
    style: str  # one of MOTIFS
    subject: str = ""  # what the picture stands for, appended to the alt text

    @property
    def description(self) -> str:
        """Alt text: says honestly what is drawn and what it stands in for."""
        text = f"Демонстрационная иллюстрация в {colour_name(self.key)} тонах: {MOTIFS[self.style]}"
        if self.subject:
            text += f" — {self.subject}"
        return text[:255]


def _hue(key: str) -> float:
    return (zlib.crc32(key.encode()) % 360) / 360


def _rgb(hue: float, saturation: float, value: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)


def colour_name(key: str) -> str:
    """The Russian name (in the prepositional plural: «в синих тонах») of the key's hue."""
    degrees = _hue(key) * 360
    names = [
        (15, "красных"),
        (45, "оранжевых"),
        (70, "жёлтых"),
        (160, "зелёных"),
        (195, "бирюзовых"),
        (250, "синих"),
        (290, "фиолетовых"),
        (340, "розовых"),
        (361, "красных"),
    ]
    return next(name for limit, name in names if degrees < limit)


@functools.cache
def _ramp(size: tuple[int, int]) -> PILImage.Image:
    """Pillow's 256-step black-to-white ramp stretched to ``size``; the same for every picture."""
    return PILImage.linear_gradient("L").resize(size, PILImage.Resampling.NEAREST)


def _gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> PILImage.Image:
    """A vertical two-colour gradient (fast, no numpy)."""
    return ImageOps.colorize(_ramp(size), black=top, white=bottom)


def _draw_factory(img: PILImage.Image, hue: float) -> None:
    draw = ImageDraw.Draw(img)
    w, h = img.size
    draw.ellipse((w * 0.68, h * 0.12, w * 0.82, h * 0.33), fill=_rgb(hue + 0.1, 0.35, 1.0))
    dark = _rgb(hue, 0.6, 0.25)
    ground = h * 0.78
    for x in (0.18, 0.26, 0.62):  # chimneys
        draw.rectangle((w * x, h * 0.28, w * (x + 0.04), ground), fill=dark)
    # Saw-tooth roof of a workshop: the classic industrial skyline.
    teeth = 6
    points = [(0, ground)]
    for i in range(teeth):
        x0 = w * i / teeth
        points += [(x0, h * 0.55), (x0 + w / teeth, h * 0.45), (x0 + w / teeth, h * 0.55)]
    points += [(w, ground), (w, h), (0, h)]
    draw.polygon(points, fill=dark)
    window = _rgb(hue + 0.12, 0.5, 0.95)
    for i in range(12):
        x = w * (0.04 + i * 0.08)
        draw.rectangle((x, h * 0.62, x + w * 0.04, h * 0.7), fill=window)


def _draw_emblem(img: PILImage.Image, hue: float) -> None:
    draw = ImageDraw.Draw(img)
    w, h = img.size
    cx, cy, r = w / 2, h / 2, w * 0.36
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=_rgb(hue, 0.2, 1.0), width=w // 25)
    # A gear: alternating outer and inner radii.
    teeth, outer, inner = 10, r * 0.72, r * 0.55
    gear = []
    for i in range(teeth * 4):
        angle = math.tau * i / (teeth * 4)
        radius = outer if (i // 2) % 2 == 0 else inner
        gear.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(gear, fill=_rgb(hue, 0.15, 1.0))
    hole = r * 0.22
    draw.ellipse((cx - hole, cy - hole, cx + hole, cy + hole), fill=_rgb(hue, 0.75, 0.55))


def _draw_pattern(img: PILImage.Image, hue: float) -> None:
    draw = ImageDraw.Draw(img)
    w, h = img.size
    step = w // 8
    for row, y in enumerate(range(0, h, step)):
        for col, x in enumerate(range(0, w, step)):
            tone = _rgb(hue + 0.04 * ((row + col) % 3), 0.55, 0.55 + 0.12 * ((row * col) % 4))
            if (row + col) % 2:
                draw.ellipse((x + 12, y + 12, x + step - 12, y + step - 12), fill=tone)
            else:
                draw.rectangle((x + 24, y + 24, x + step - 24, y + step - 24), fill=tone)


def _draw_stripes(img: PILImage.Image, hue: float) -> None:
    draw = ImageDraw.Draw(img)
    w, h = img.size
    for i, x in enumerate(range(-h, w, 90)):
        tone = _rgb(hue + 0.05 * (i % 2), 0.5, 0.9 if i % 2 else 0.7)
        draw.polygon([(x, h), (x + 45, h), (x + 45 + h, 0), (x + h, 0)], fill=tone)
    r = h * 0.28
    draw.ellipse((w / 2 - r, h / 2 - r, w / 2 + r, h / 2 + r), fill=_rgb(hue + 0.5, 0.45, 0.95))


def _draw_medal(img: PILImage.Image, hue: float) -> None:
    draw = ImageDraw.Draw(img)
    w, h = img.size
    ribbon = _rgb(hue + 0.5, 0.7, 0.8)
    draw.polygon(
        [(w * 0.38, 0), (w * 0.47, 0), (w * 0.53, h * 0.45), (w * 0.44, h * 0.45)], fill=ribbon
    )
    draw.polygon(
        [(w * 0.62, 0), (w * 0.53, 0), (w * 0.47, h * 0.45), (w * 0.56, h * 0.45)], fill=ribbon
    )
    r = h * 0.22
    cx, cy = w / 2, h * 0.62
    draw.ellipse(
        (cx - r, cy - r, cx + r, cy + r), fill=(226, 180, 60), outline=(160, 120, 30), width=8
    )
    s = r * 0.45
    draw.ellipse((cx - s, cy - s, cx + s, cy + s), outline=(255, 230, 150), width=6)


DRAWERS = {
    "factory": _draw_factory,
    "emblem": _draw_emblem,
    "pattern": _draw_pattern,
    "stripes": _draw_stripes,
    "medal": _draw_medal,
}


def render(spec: ImageSpec) -> tuple[bytes, str]:
    """Draw the picture for ``spec``; returns the encoded bytes and a file name."""
    hue = _hue(spec.key)
    if spec.style == "emblem":
        # Logos: square PNG on a flat colour, like a real logo file.
        img = PILImage.new("RGB", LOGO_SIZE, _rgb(hue, 0.75, 0.55))
    else:
        img = _gradient(PHOTO_SIZE, _rgb(hue, 0.35, 0.98), _rgb(hue + 0.08, 0.85, 0.45))
    DRAWERS[spec.style](img, hue)
    buffer = io.BytesIO()
    if spec.style == "emblem":
        img.save(buffer, "PNG", optimize=True)
        return buffer.getvalue(), f"demo-{spec.key}.png"
    img.save(buffer, "JPEG", quality=82)
    return buffer.getvalue(), f"demo-{spec.key}.jpg"


def demo_collection() -> Collection:
    """The collection that keeps demo pictures together in the image library."""
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=COLLECTION_NAME).first()
    return existing or root.add_child(name=COLLECTION_NAME)


def get_or_create_image(spec: ImageSpec, collection: Collection):
    """The image titled ``spec.title``, drawn and saved only if no image has that title yet.

    Returns ``(image, created)``. An existing image is reused as it is, even if an editor
    replaced its file or rewrote its alt text.
    """
    image_model = get_image_model()
    existing = image_model.objects.filter(title=spec.title).order_by("pk").first()
    if existing:
        return existing, False
    data, filename = render(spec)
    image = image_model(
        title=spec.title,
        description=spec.description,
        collection=collection,
        file=ImageFile(io.BytesIO(data), name=filename),
    )
    image.save()
    return image, True
