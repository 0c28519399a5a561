"""Wushe's command line at the edge: the domain's maintenance commands plus what needs the
layers above it (the digest's PDF from charts/). ``wushe`` once installed, else
``python -m wushe``."""
