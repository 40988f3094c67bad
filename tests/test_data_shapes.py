"""dlbook_utils.data.shapes: determinism, classes, masks against images, thin lines."""

import numpy as np
import pytest
from scipy import ndimage

from dlbook_utils.data import SHAPE_CLASSES, make_shapes


def test_shapes_dtypes_ranges_and_determinism():
    X, Y = make_shapes(20, size=32, seed=3)
    assert X.shape == (20, 1, 32, 32) and X.dtype == np.float32
    assert Y.shape == (20, 32, 32) and Y.dtype == np.int64
    assert X.min() >= 0 and X.max() <= 1
    X2, Y2 = make_shapes(20, size=32, seed=3)
    assert np.array_equal(X, X2) and np.array_equal(Y, Y2)
    X3, Y3 = make_shapes(20, size=32, seed=4)
    assert not np.array_equal(Y, Y3) and not np.array_equal(X, X3)
    Xc, _ = make_shapes(3, size=32, seed=3, channels=3)
    assert Xc.shape == (3, 3, 32, 32) and 0 <= Xc.min() and Xc.max() <= 1


def test_every_class_occurs_and_every_image_has_foreground():
    _, Y = make_shapes(200, size=48, seed=0)
    assert SHAPE_CLASSES[0] == "background" and len(SHAPE_CLASSES) == 5
    assert set(np.unique(Y).tolist()) == set(range(5))
    assert ((Y > 0).reshape(200, -1).sum(1) > 0).all()
    fractions = np.bincount(Y.ravel(), minlength=5) / Y.size
    assert fractions[0] > 0.5 and (fractions[1:] > 0.005).all()


@pytest.mark.parametrize("channels", [1, 3])
def test_masks_match_images_without_noise(channels):
    X, Y = make_shapes(50, size=40, seed=1, channels=channels, noise=0.0)
    bright = X.min(axis=1) > 0.45  # every shape level is >= 0.55 * 0.85 > 0.45
    assert np.array_equal(bright, Y > 0)
    # each connected region of one class has one grey value: later shapes win cleanly
    for image, mask in zip(X[:10, 0], Y[:10], strict=True):
        for c in range(1, 5):
            labels, k = ndimage.label(mask == c)
            for j in range(1, k + 1):
                values = image[labels == j]
                assert len(np.unique(values)) <= 4  # at most one level per shape


def test_image_and_mask_agree_on_overlaps():
    # The shapes of one image have distinct grey levels, so with noise 0 a pixel's level
    # names the shape that won it. The mask must agree: each level maps to one class.
    X, Y = make_shapes(30, size=40, seed=2, noise=0.0)
    for image, mask in zip(X[:, 0], Y, strict=True):
        levels = np.unique(image[mask > 0])
        assert np.isclose(levels[:, None], [0.55, 0.7, 0.85, 1.0]).any(1).all()
        for level in levels:
            assert len(np.unique(mask[np.isclose(image, level)])) == 1


def test_lines_are_thin_and_discs_are_not():
    _, Y = make_shapes(100, size=64, seed=5, line_width=2.0)
    eroded = ndimage.binary_erosion(Y == 4, structure=np.ones((1, 3, 3)))
    assert eroded.sum() < 0.1 * (Y == 4).sum()  # a 3x3 erosion removes lines
    discs = ndimage.binary_erosion(Y == 1, structure=np.ones((1, 3, 3)))
    assert discs.sum() > 0.5 * (Y == 1).sum()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n=0), ValueError, "n must be an integer >= 1"),
        (dict(n=2.5), ValueError, "n must be"),
        (dict(n=2, size=8), ValueError, "size must be an integer >= 16"),
        (dict(n=2, channels=2), ValueError, "channels must be 1 or 3"),
        (dict(n=2, max_shapes=1), ValueError, "max_shapes must be an integer >= 2"),
        (dict(n=2, max_shapes=9), ValueError, "max_shapes must be at most 4"),
        (dict(n=2, noise=-0.1), ValueError, "noise must be a number >= 0"),
        (dict(n=2, line_width=0), ValueError, "line_width must be a number > 0"),
        (dict(n=2, seed=1.5), TypeError, "seed must be an integer"),
    ],
)
def test_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        make_shapes(**kwargs)
