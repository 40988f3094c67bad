"""Procedural 2-D datasets: shapes, dtypes, balance, determinism and argument checks."""

import numpy as np
import pytest

from dlbook_utils.data import make_gaussian_mixture, make_moons, make_spirals

MAKERS = [make_moons, make_spirals, make_gaussian_mixture]


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("n", [2, 7, 200])
def test_shapes_and_dtypes(make, n):
    X, y = make(n=n, rng=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("make", MAKERS)
def test_defaults(make):
    X, y = make(rng=0)
    assert X.shape[1] == 2 and len(X) == len(y) >= 200


@pytest.mark.parametrize("n", [2, 9, 200, 201])
def test_moons_are_balanced(n):
    _, y = make_moons(n=n, rng=1)
    assert np.bincount(y).tolist() == [n // 2, n - n // 2]


def test_moons_without_noise_lie_on_the_half_circles():
    X, y = make_moons(n=100, noise=0.0, rng=0)
    top, bottom = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*top.T), 1.0)
    assert np.all(top[:, 1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(bottom[:, 0] - 1, bottom[:, 1] - 0.5), 1.0)
    assert np.all(bottom[:, 1] <= 0.5 + 1e-12)


def test_moons_are_shuffled():
    _, y = make_moons(n=100, rng=0)
    assert not np.array_equal(y, np.sort(y))


@pytest.mark.parametrize(("n", "k"), [(300, 2), (301, 3), (10, 5)])
def test_spirals_are_balanced(n, k):
    _, y = make_spirals(n=n, n_classes=k, rng=2)
    counts = np.bincount(y, minlength=k)
    assert len(counts) == k and counts.max() - counts.min() <= 1 and counts.sum() == n


def test_spirals_radius_range_without_noise():
    X, _ = make_spirals(n=500, noise=0.0, rng=0)
    r = np.hypot(*X.T)
    assert r.min() >= 0.1 - 1e-12 and r.max() <= 1.0 + 1e-12


def test_gaussian_mixture_is_roughly_balanced_and_centred():
    centers = ((-3.0, 0.0), (3.0, 0.0), (0.0, 4.0))
    X, y = make_gaussian_mixture(n=3000, centers=centers, std=0.2, rng=3)
    counts = np.bincount(y, minlength=3)
    assert len(counts) == 3 and counts.min() > 850  # 1000 expected each
    for k, c in enumerate(centers):
        np.testing.assert_allclose(X[y == k].mean(axis=0), c, atol=0.05)
        np.testing.assert_allclose(X[y == k].std(axis=0), 0.2, rtol=0.1)


def test_gaussian_mixture_per_component_std():
    X, y = make_gaussian_mixture(n=4000, centers=((0, 0), (10, 10)), std=(0.1, 1.0), rng=4)
    np.testing.assert_allclose(X[y == 0].std(axis=0), 0.1, rtol=0.1)
    np.testing.assert_allclose(X[y == 1].std(axis=0), 1.0, rtol=0.1)


@pytest.mark.parametrize("make", MAKERS)
def test_same_int_seed_same_data(make):
    X1, y1 = make(n=50, rng=123)
    X2, y2 = make(n=50, rng=123)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make(n=50, rng=124)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("make", MAKERS)
def test_same_generator_state_same_data(make):
    X1, y1 = make(n=50, rng=np.random.default_rng(9))
    X2, y2 = make(n=50, rng=np.random.default_rng(9))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    # The same Generator object advances: a second draw differs.
    gen = np.random.default_rng(9)
    first, _ = make(n=50, rng=gen)
    second, _ = make(n=50, rng=gen)
    assert not np.array_equal(first, second)


@pytest.mark.parametrize("make", MAKERS)
def test_int_seed_matches_default_rng(make):
    X1, _ = make(n=20, rng=np.int64(5))
    X2, _ = make(n=20, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(X1, X2)


@pytest.mark.parametrize("make", MAKERS)
def test_does_not_touch_the_global_random_state(make):
    # The legacy global state is exactly what must stay untouched, hence the noqa.
    np.random.seed(0)  # noqa: NPY002
    expected = np.random.random()  # noqa: NPY002
    np.random.seed(0)  # noqa: NPY002
    make(n=20, rng=1)
    assert np.random.random() == expected  # noqa: NPY002


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("n", [0, 1, -5, 2.5, "10", None])
def test_bad_n(make, n):
    with pytest.raises(ValueError, match="n must be"):
        make(n=n, rng=0)


def test_spirals_need_at_least_one_point_per_class():
    with pytest.raises(ValueError, match=">= 4"):
        make_spirals(n=3, n_classes=4, rng=0)


@pytest.mark.parametrize(
    "centers",
    [
        (1.0, 2.0),  # (2,) not (k, 2)
        ((1.0, 2.0, 3.0),),  # (1, 3)
        (((0.0, 0.0),),),  # (1, 1, 2)
    ],
)
def test_gaussian_mixture_bad_centers(centers):
    with pytest.raises(ValueError, match="centers"):
        make_gaussian_mixture(n=10, centers=centers, rng=0)


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("rng", [1.5, "seed", np.random.RandomState(0), [1, 2]])
def test_bad_rng_type(make, rng):
    with pytest.raises(TypeError, match="rng must be"):
        make(n=10, rng=rng)
