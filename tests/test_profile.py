"""Execution profiles chosen by DLBOOK_PROFILE."""

import pytest
import torch

from dlbook_utils import profile as profile_module
from dlbook_utils import train
from dlbook_utils.profile import (
    DEFAULT_PROFILE,
    PROFILES,
    ProfileError,
    budget_in_force,
    get_profile,
    pick,
)


class FakeDevice:
    """Anything with a ``type``, as ``torch.device`` has: no CUDA needed to test CUDA."""

    def __init__(self, type):
        self.type = type


@pytest.fixture
def machine(monkeypatch):
    """Make ``train.get_device()`` answer a given device type; return the setter."""
    monkeypatch.delenv("DLBOOK_DEVICE", raising=False)

    def set_device(kind):
        monkeypatch.setattr(train, "get_device", lambda prefer=None: FakeDevice(kind))

    return set_device


def test_default_is_full():
    assert DEFAULT_PROFILE == "full" and set(PROFILES) == {"quick", "full"}
    assert get_profile() == "full"  # DLBOOK_PROFILE removed by the autouse fixture


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ("quick", "quick"),
        ("full", "full"),
        ("QUICK", "quick"),
        ("  Quick\n", "quick"),
        (" FULL ", "full"),
        ("", "full"),
        ("   ", "full"),
    ],
)
def test_get_profile_reads_the_environment(monkeypatch, env, expected):
    monkeypatch.setenv("DLBOOK_PROFILE", env)
    assert get_profile() == expected


def test_explicit_value_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    assert get_profile("full") == "full"
    assert get_profile(" Quick ") == "quick"


@pytest.mark.parametrize("bad", ["fast", "quik", "full-ish", "0"])
def test_unknown_profile_in_env(monkeypatch, bad):
    monkeypatch.setenv("DLBOOK_PROFILE", bad)
    with pytest.raises(ProfileError) as info:
        get_profile()
    message = str(info.value)
    assert "quick" in message and "full" in message and repr(bad) in message
    assert "DLBOOK_PROFILE" in message
    assert isinstance(info.value, ValueError)


def test_unknown_explicit_profile():
    with pytest.raises(ProfileError, match="quick"):
        get_profile("debug")


def test_pick(monkeypatch):
    assert pick(quick=1, full=10) == 10
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    assert pick(quick=1, full=10) == 1
    assert pick(quick=1, full=10, profile="full") == 10
    monkeypatch.setenv("DLBOOK_PROFILE", "FULL")
    assert pick(quick="a", full="b") == "b"
    assert pick(quick="a", full="b", profile="quick") == "a"


def test_pick_validates(monkeypatch):
    monkeypatch.setenv("DLBOOK_PROFILE", "nonsense")
    with pytest.raises(ProfileError):
        pick(quick=1, full=2)


def test_pick_is_keyword_only():
    with pytest.raises(TypeError):
        pick(1, 2)


BUDGET = dict(quick=1, full=10, gpu=100)


@pytest.mark.parametrize(
    ("profile", "device", "expected"),
    [
        ("quick", "cpu", 1), ("quick", "cuda", 1), ("quick", "mps", 1),
        ("full", "cpu", 10), ("full", "mps", 10), ("full", "cuda", 100),
    ],
)  # fmt: skip
def test_pick_by_profile_and_device(machine, profile, device, expected):
    machine(device)  # the device get_device() reports
    assert pick(**BUDGET, profile=profile) == expected
    machine("cpu")  # an explicit device wins over get_device()
    assert pick(**BUDGET, profile=profile, device=device) == expected
    assert pick(**BUDGET, profile=profile, device=FakeDevice(device)) == expected


def test_pick_reads_the_profile_from_the_environment(machine, monkeypatch):
    machine("cuda")
    assert pick(**BUDGET) == 100  # unset: full
    monkeypatch.setenv("DLBOOK_PROFILE", "quick")
    assert pick(**BUDGET) == 1
    assert pick(**BUDGET, profile="full") == 100


@pytest.mark.parametrize("device", ["cuda", "cuda:1", "CUDA", torch.device("cuda", 1)])
def test_every_way_to_name_cuda_selects_the_gpu_budget(device):
    assert pick(**BUDGET, profile="full", device=device) == 100
    assert budget_in_force(profile="full", device=device) == "full (GPU budget)"


def test_without_a_gpu_budget_cuda_uses_the_full_one(machine):
    machine("cuda")
    assert pick(quick=1, full=10, profile="full") == 10
    assert pick(quick=1, full=10, gpu=None, profile="full", device="cuda") == 10
    assert pick(quick=1, full=10, gpu=0, profile="full", device="cuda") == 0  # 0 is a value


def test_on_cuda_without_a_gpu_value_the_page_says_its_budget_is_the_cpu_one(machine):
    machine("cuda")
    assert pick(quick=1, full=10, profile="full") == 10  # no gpu= declared
    expected = "full (CPU budget on CUDA: no GPU budget declared)"
    assert budget_in_force(profile="full") == expected
    assert len(f"budget in force: {expected}") <= 80
    pick(**BUDGET, profile="full")  # one declared GPU budget makes it the GPU budget
    assert budget_in_force(profile="full") == "full (GPU budget)"


@pytest.fixture(autouse=True)
def no_gpu_budget_used_yet(monkeypatch):
    """Each test starts as a fresh kernel does: no gpu value handed out yet."""
    monkeypatch.setattr(profile_module, "_GPU_BUDGET_USED", False)


def test_the_device_is_looked_up_only_when_it_matters(monkeypatch):
    def boom(prefer=None):
        raise AssertionError("get_device() should not be called")

    monkeypatch.setattr(train, "get_device", boom)
    assert pick(**BUDGET, profile="quick") == 1
    assert pick(quick=1, full=10, profile="full") == 10
    assert budget_in_force(profile="quick") == "quick"


def test_dlbook_device_is_honoured(monkeypatch):
    monkeypatch.setenv("DLBOOK_DEVICE", "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # a CUDA machine...
    assert pick(**BUDGET, profile="full") == 10  # ...told to use its CPU
    assert budget_in_force(profile="full") == "full (CPU budget)"
    monkeypatch.setenv("DLBOOK_DEVICE", "cuda")
    assert pick(**BUDGET, profile="full") == 100
    assert budget_in_force(profile="full") == "full (GPU budget)"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        pick(**BUDGET, profile="full")
    monkeypatch.setenv("DLBOOK_DEVICE", "tpu")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        budget_in_force(profile="full")


@pytest.mark.parametrize(
    ("profile", "device", "expected"),
    [
        ("quick", "cuda", "quick"), ("quick", "cpu", "quick"),
        ("full", "cpu", "full (CPU budget)"), ("full", "mps", "full (CPU budget)"),
        ("full", "cuda", "full (GPU budget)"),
    ],
)  # fmt: skip
def test_budget_in_force(machine, profile, device, expected):
    machine(device)
    pick(**BUDGET, profile=profile)  # the budgets cell picks, then prints
    assert budget_in_force(profile=profile) == expected
    assert budget_in_force(profile=profile, device=FakeDevice(device)) == expected
    assert len(f"budget in force: {expected}") <= 80


def test_budget_in_force_reads_the_environment(machine, monkeypatch):
    machine("cuda")
    pick(**BUDGET)
    assert budget_in_force() == "full (GPU budget)"
    monkeypatch.setenv("DLBOOK_PROFILE", " Quick ")
    assert budget_in_force() == "quick"


@pytest.mark.parametrize("call", [pick, budget_in_force])
def test_a_bad_profile_is_an_error(call, monkeypatch):
    kwargs = BUDGET if call is pick else {}
    with pytest.raises(ProfileError, match="'fast'"):
        call(**kwargs, profile="fast", device="cuda")
    monkeypatch.setenv("DLBOOK_PROFILE", "gpu")
    with pytest.raises(ProfileError, match="DLBOOK_PROFILE"):
        call(**kwargs, device="cuda")


def test_importing_profile_does_not_import_torch():
    import subprocess
    import sys

    code = "import dlbook_utils.profile, sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr
