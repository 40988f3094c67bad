import numpy as np
import pytest

from dlbook_utils.validation import as_generator, check_count, check_generator, check_lr


@pytest.mark.parametrize("value", [0, 3, np.int64(5)])
def test_check_count_accepts_integers_in_range(value):
    check_count("k", value, minimum=0, maximum=5)


@pytest.mark.parametrize("value", [-1, 6, 2.0, "2", True, None])
def test_check_count_rejects_with_the_argument_name(value):
    with pytest.raises(ValueError, match=r"k must be an integer >= 0 and <= 5, got"):
        check_count("k", value, minimum=0, maximum=5)


def test_check_count_optional_accepts_none_only():
    check_count("gap", None, minimum=1, optional=True)
    with pytest.raises(ValueError, match="gap must be an integer >= 1, got 0"):
        check_count("gap", 0, minimum=1, optional=True)


@pytest.mark.parametrize("lr", [0.0, -0.1, float("inf"), float("nan"), "0.1", True])
def test_check_lr_rejects(lr):
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        check_lr(lr)


def test_check_lr_accepts_positive_numbers():
    check_lr(1e-4)
    check_lr(np.float32(0.5))
    check_lr(2)


def test_check_generator_is_strict():
    check_generator(np.random.default_rng(0))
    for bad in (0, None, np.random.RandomState(0)):
        with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
            check_generator(bad)


def test_as_generator_converts_seeds_and_keeps_generators():
    rng = np.random.default_rng(3)
    assert as_generator(rng) is rng
    assert as_generator(7).integers(1000) == np.random.default_rng(7).integers(1000)
    assert isinstance(as_generator(None), np.random.Generator)
    for bad in (0.5, True, "3"):
        with pytest.raises(TypeError, match="Generator or an int seed"):
            as_generator(bad)
