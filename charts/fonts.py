"""The CJK font every chart uses: Noto Sans CJK from the ``noto-cjk-sans-otc`` package.

Matplotlib's own fonts have no Chinese glyphs, so without this every 雨城区 on an axis would
be drawn as empty boxes. The font ships inside a PyPI package (no system font needed), is
registered once with the font manager, and is put first in the sans-serif family with
DejaVu Sans behind it for any glyph it lacks. A missing or broken package fails loudly:
charts with boxes instead of place names are worse than no charts.
"""
from __future__ import annotations

import threading
from pathlib import Path

import matplotlib
from matplotlib import font_manager

FAMILY = "Noto Sans CJK SC"
FALLBACK = "DejaVu Sans"
_lock = threading.Lock()
_registered: str | None = None


class FontMissing(RuntimeError):
    """The CJK font file is not where the ``noto-cjk-sans-otc`` package should put it."""


def font_path() -> Path:
    """The OpenType collection file inside the installed ``noto_cjk_sans_otc`` package."""
    try:
        import noto_cjk_sans_otc
    except ImportError as exc:
        raise FontMissing("the noto-cjk-sans-otc package is not installed: "
                          "pip install noto-cjk-sans-otc (charts need its CJK font)") from exc
    package_dir = Path(noto_cjk_sans_otc.__file__).parent
    declared = getattr(noto_cjk_sans_otc, "FONT_FILE", None)
    candidates = ([package_dir / declared] if declared else []) + sorted(
        p for pattern in ("*.ttc", "*.otc", "*.otf", "*.ttf") for p in package_dir.glob(pattern))
    for path in candidates:
        if path.is_file() and path.stat().st_size > 0:
            return path
    raise FontMissing(f"no .ttc/.otc/.otf font file in {package_dir}: reinstall noto-cjk-sans-otc")


def register() -> str:
    """Add the CJK font to matplotlib and make it the default sans-serif; idempotent.

    Returns the family name. Sets matplotlib's rc defaults for the font family only (no
    pyplot figure state), so every Figure built afterwards draws Chinese.
    """
    global _registered
    with _lock:
        if _registered:
            return _registered
        path = font_path()
        font_manager.fontManager.addfont(str(path))
        names = {f.name for f in font_manager.fontManager.ttflist if f.fname == str(path)}
        if FAMILY not in names:
            raise FontMissing(f"{path} does not contain {FAMILY!r} (found: {sorted(names)})")
        matplotlib.rcParams["font.family"] = ["sans-serif"]
        matplotlib.rcParams["font.sans-serif"] = [FAMILY, FALLBACK]
        matplotlib.rcParams["axes.unicode_minus"] = False
        _registered = FAMILY
        return FAMILY
