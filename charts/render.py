"""Figure → PNG bytes with the Agg canvas, so rendering needs no display and no pyplot."""
from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from models.core.text import export_safe


def png_bytes(fig: Figure, dpi: int = 100) -> bytes:
    """Render ``fig`` to PNG. Safe across threads as long as each renders its own Figure."""
    FigureCanvasAgg(fig)  # attaches itself as fig.canvas
    scrub(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def scrub(fig: Figure) -> Figure:
    """Every text of ``fig`` as an export may hold it (``models.core.text.export_safe``): a
    place name or a title stored before the door cleaned text draws no missing glyph."""
    for text in fig.findobj(Text):
        shown = text.get_text()
        if export_safe(shown) != shown:
            text.set_text(export_safe(shown))
    return fig
