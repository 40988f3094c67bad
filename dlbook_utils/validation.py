"""Small argument checks shared by the library's public functions (chapters 2 to 7).

Each raises an error that names the argument, says what was expected and shows what it got,
so that a wrong call fails on its first line rather than deep inside NumPy.
"""

import numbers

import numpy as np

__all__ = ["check_count", "check_lr", "check_generator", "as_generator"]


def check_count(name, value, minimum=0, maximum=None, optional=False):
    """Raise ``ValueError`` unless ``value`` is an integer in [minimum, maximum].

    ``maximum=None`` means no upper bound; ``optional=True`` also accepts ``None``.
    Booleans are not counts.
    """
    if optional and value is None:
        return
    is_int = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not is_int or value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and <= {maximum}"
        raise ValueError(f"{name} must be an integer >= {minimum}{upper}, got {value!r}")


def check_lr(lr):
    """Raise ``ValueError`` unless the learning rate ``lr`` is a finite number > 0."""
    is_number = isinstance(lr, numbers.Real) and not isinstance(lr, bool)
    if not is_number or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")


def check_generator(rng):
    """Raise ``TypeError`` unless ``rng`` is a ``numpy.random.Generator``.

    For functions that draw random numbers on every call (a training loop): they take the
    generator itself, so that the caller controls the whole random stream.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator (e.g. np.random.default_rng(0)), "
            f"got {type(rng).__name__}"
        )


def as_generator(rng):
    """Return a ``numpy.random.Generator`` from a Generator, an int seed or ``None``.

    For one-off draws with scikit-learn's ``random_state`` convenience (a split):
    an int seed gives a reproducible generator, ``None`` a fresh unseeded one.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng must be a numpy Generator or an int seed, got {type(rng).__name__}"
    )
