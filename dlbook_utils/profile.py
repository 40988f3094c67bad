"""Execution profiles: ``quick`` for tests and CI, ``full`` for the published book.

One environment variable, ``DLBOOK_PROFILE``, chooses the profile; every chapter reads it
through :func:`get_profile` (or :func:`pick`) in its budgets cell. A chapter whose honest
budget needs a GPU declares it too, ``pick(quick=..., full=..., gpu=...)``: the ``gpu``
value is used when the full profile runs on CUDA, and :func:`budget_in_force` names the
budget that :func:`pick` selects, for the budgets cell to print.
"""

import os

__all__ = [
    "PROFILES", "DEFAULT_PROFILE", "ProfileError", "get_profile", "pick", "budget_in_force",
]  # fmt: skip

PROFILES = ("quick", "full")
DEFAULT_PROFILE = "full"
ENV_VAR = "DLBOOK_PROFILE"
# Set once pick() hands out a ``gpu`` value: a chapter runs in one kernel, so this says
# whether the page's budgets are its GPU budgets (budget_in_force, the provenance line).
_GPU_BUDGET_USED = False


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


def _device_type(device):
    """``"cuda"``, ``"mps"``, ``"cpu"``...: of ``device``, else of ``train.get_device()``.

    ``device`` may be a ``torch.device``, a string such as ``"cuda:1"``, or anything with a
    ``type`` attribute. torch is imported only when the device must be looked up, and
    :mod:`dlbook_utils.train` (which imports torch) only then, so this module stays light.
    """
    if device is None:
        from .train import get_device  # honours DLBOOK_DEVICE

        device = get_device()
    kind = getattr(device, "type", None) or str(device)
    return kind.split(":")[0].strip().lower()


def _uses_gpu_budget(profile, device):
    return get_profile(profile) == "full" and _device_type(device) == "cuda"


def pick(*, quick, full, gpu=None, profile=None, device=None):
    """Return the budget for the active profile and device.

    Chapters use it in their budgets cell: ``epochs = pick(quick=1, full=10, gpu=40)``.

    Args:
        quick: the value for the ``quick`` profile (tests and CI).
        full: the value for the ``full`` profile on a CPU (or MPS).
        gpu: the value for the ``full`` profile on CUDA; ``None`` means ``full``.
        profile: a profile name; ``None`` reads ``DLBOOK_PROFILE``.
        device: the device the budget is for (``torch.device``, ``"cuda"``...); ``None``
            asks :func:`dlbook_utils.train.get_device`, which honours ``DLBOOK_DEVICE``.
            A chapter that computes on the CPU whatever the machine passes ``"cpu"``.
    """
    name = get_profile(profile)
    if name == "quick":
        return quick
    if gpu is not None and _uses_gpu_budget(name, device):
        global _GPU_BUDGET_USED
        _GPU_BUDGET_USED = True
        return gpu
    return full


def budget_in_force(*, profile=None, device=None):
    """Name the budget :func:`pick` selects, for the budgets cell to print after its picks.

    Returns ``"quick"``, ``"full (CPU budget)"``, ``"full (GPU budget)"`` (the full profile
    on CUDA, once :func:`pick` has handed out a ``gpu`` value in this process), or
    ``"full (CPU budget on CUDA: no GPU budget declared)"``. Arguments as for :func:`pick`.
    """
    name = get_profile(profile)
    if name == "quick":
        return "quick"
    if not _uses_gpu_budget(name, device):
        return "full (CPU budget)"
    if _GPU_BUDGET_USED:
        return "full (GPU budget)"
    return "full (CPU budget on CUDA: no GPU budget declared)"
