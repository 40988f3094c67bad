"""The book's command-line program: chapter 2's model as a tested, resumable script.

Run it as ``python -m dlbook_utils.cli train --config CONFIG [--set section.key=value]``;
``--help`` lists the commands. Chapter 16 builds it. Modules:

- ``config``: the typed configuration (dataclasses read from TOML, ``--set`` overrides);
- ``checkpoint``: saving and restoring a run, every random state included;
- ``training``: the run itself (data, model, loop, logging, metrics file);
- ``__main__``: the command line.

Importing the package does not import torch: a configuration error is reported at once.
"""

from pathlib import Path

__all__ = ["CONFIG_DIR"]

# The configuration files shipped with the package: fashion_mnist.toml, quick.toml.
CONFIG_DIR = Path(__file__).resolve().parent / "configs"
