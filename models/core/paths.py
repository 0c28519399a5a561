"""Where the project's shipped files live, relative to this package (one place to move them)."""
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent.parent
ROOT = MODELS_DIR.parent
DATA_DIR = MODELS_DIR / "data"
LOCALES_DIR = ROOT / "locales"
