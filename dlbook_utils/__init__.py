"""Reference implementations and helpers for the executable deep-learning book.

Import the submodule you need (``from dlbook_utils import data``); importing the package
itself does no work: no seeding, no plotting style, no downloads.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
