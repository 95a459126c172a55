"""The figure an explorer redraws is shown with alt text: an HTML image with a text alternative
built from the figure's titles and axis labels, and the same PNG for front ends without HTML."""

from __future__ import annotations

import base64
import re
from unittest import mock

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from utils.widgets._display import figure_alt_text, show_figure  # noqa: E402


def _figure() -> plt.Figure:
    fig, (left, right) = plt.subplots(1, 2)
    fig.suptitle('Shares "above" & <below>')
    left.set_title("Stores")
    left.set_xlabel("Infusion use")
    right.set_ylabel("Satisfaction")
    return fig


def test_alt_text_names_the_title_panels_and_axes():
    fig = _figure()
    assert figure_alt_text(fig) == ('Figure drawn by the explorer for the chosen inputs: Shares "above" & '
                                    "<below>. Stores; horizontal axis: Infusion use. vertical axis: "
                                    "Satisfaction.")
    plt.close(fig)
    bare, _ = plt.subplots()
    assert figure_alt_text(bare) == "Figure drawn by the explorer for the chosen inputs: a figure."
    plt.close(bare)


def test_show_figure_displays_an_html_image_with_escaped_alt_and_the_png_and_closes_the_figure():
    fig = _figure()
    with mock.patch("utils.widgets._display.display") as display:
        show_figure(fig, alt='A "quoted" <alt>')
    (bundle,), options = display.call_args
    assert options == {"raw": True}
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    match = re.fullmatch(r'<img src="data:image/png;base64,([^"]+)" alt="([^"]*)">', bundle["text/html"])
    assert match and match.group(1) == bundle["image/png"]
    assert match.group(2) == "A &quot;quoted&quot; &lt;alt&gt;"
    assert bundle["text/plain"] == 'A "quoted" <alt>'
    assert not plt.fignum_exists(fig.number)
