"""Execution profiles: ``quick`` for tests and CI, ``full`` for the published book.

One environment variable, ``DLBOOK_PROFILE``, chooses the profile; every chapter reads it
through :func:`get_profile` (or :func:`pick`) in its budgets cell.
"""

import os

__all__ = ["PROFILES", "DEFAULT_PROFILE", "ProfileError", "get_profile", "pick"]

PROFILES = ("quick", "full")
DEFAULT_PROFILE = "full"
ENV_VAR = "DLBOOK_PROFILE"


class ProfileError(ValueError):
    """Raised when ``DLBOOK_PROFILE`` holds something other than a known profile."""


def get_profile(value=None):
    """Return the active profile name, ``"quick"`` or ``"full"``.

    Args:
        value: a profile name to validate; ``None`` reads ``DLBOOK_PROFILE``
            (unset or empty means ``"full"``).
    """
    raw = os.environ.get(ENV_VAR, "") if value is None else value
    name = raw.strip().lower() or DEFAULT_PROFILE
    if name not in PROFILES:
        raise ProfileError(
            f"unknown profile {raw!r} in {ENV_VAR}: expected one of {', '.join(PROFILES)} "
            f"(for example `export {ENV_VAR}=quick`), or leave it unset for {DEFAULT_PROFILE!r}"
        )
    return name


def pick(*, quick, full, profile=None):
    """Return ``quick`` or ``full`` depending on the active profile.

    Chapters use it in their budgets cell: ``epochs = pick(quick=1, full=10)``.
    """
    return quick if get_profile(profile) == "quick" else full
