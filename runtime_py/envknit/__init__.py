"""envknit: several versions of one Python package in one program (the runtime)."""

__version__ = "0.1.0"
