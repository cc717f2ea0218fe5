"""The partnership's colours, set once in static/css/theme.css, meet WCAG 2.1 AA: each pair of a
text colour and the background it is shown on has a contrast ratio of at least 4.5:1."""

import re
from pathlib import Path

import pytest
from django.conf import settings

THEME = Path(settings.BASE_DIR) / "static" / "css" / "theme.css"

# (text, background, where the pair is seen)
PAIRS = [
    ("--bs-body-color", "--bs-body-bg", "body text"),
    ("--bs-secondary-color", "--bs-body-bg", "secondary text (hints, region names on cards)"),
    ("--bs-link-color", "--bs-body-bg", "links"),
    ("--bs-link-hover-color", "--bs-body-bg", "links under the pointer"),
    ("--pajr-on-primary", "--bs-primary", "primary buttons"),
    ("--pajr-on-primary", "--pajr-green-dark", "primary buttons under the pointer, outline buttons"),
    ("--pajr-green-dark", "--bs-body-bg", "outline buttons, language switch"),
    ("--pajr-accent", "--bs-body-bg", "the ×, step numbers"),
    ("--pajr-muted", "--bs-body-bg", "the tagline"),
    ("--bs-body-color", "--pajr-surface", "the home page's banner"),
    ("--bs-link-color", "--pajr-surface", "links in the banner"),
    ("--bs-body-color", "--pajr-surface-warm", "the help block"),
    ("--bs-link-color", "--pajr-surface-warm", "links in the help block"),
    ("--bs-primary-text-emphasis", "--bs-primary-bg-subtle", "primary alerts"),
    ("--bs-body-color", "--bs-tertiary-bg", "tertiary backgrounds"),
    ("--pajr-footer-color", "--pajr-footer-bg", "the footer"),
    ("--pajr-footer-muted", "--pajr-footer-bg", "the footer's secondary text and hovered links"),
]


def variables() -> dict[str, str]:
    return dict(re.findall(r"(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{6})\b", THEME.read_text(encoding="utf-8")))


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near miss


@pytest.mark.parametrize(("text", "background", "where"), PAIRS, ids=[p[2] for p in PAIRS])
def test_text_and_background_pairs_meet_wcag_aa(text, background, where):
    colours = variables()
    assert text in colours and background in colours, f"{where}: {text} or {background} missing from theme.css"
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"{where}: {colours[text]} on {colours[background]} is {ratio:.2f}:1"


def test_bootstrap_primary_and_its_rgb_are_the_same_colour():
    colours = variables()
    rgb = re.search(r"--bs-primary-rgb:\s*([\d\s,]+);", THEME.read_text(encoding="utf-8")).group(1)
    assert tuple(int(v) for v in rgb.split(",")) == tuple(
        int(colours["--bs-primary"][i : i + 2], 16) for i in (1, 3, 5)
    )


def test_the_theme_is_loaded_after_bootstrap_on_every_page(client):
    html = client.get("/").text
    assert html.index("bootstrap.min.css") < html.index("css/theme.css") < html.index("css/site.css")
