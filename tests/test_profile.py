"""Execution profiles chosen by DLBOOK_PROFILE."""

import pytest

from dlbook_utils.profile import DEFAULT_PROFILE, PROFILES, ProfileError, get_profile, pick


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
