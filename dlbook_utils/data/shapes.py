"""A procedural, seeded segmentation dataset: shapes on textured backgrounds (chapter 21).

Each image holds a few shapes of four classes (disc, axis-aligned rectangle, triangle
and a thin line), drawn one after another on a textured background, with Gaussian pixel
noise. The mask gives each pixel the class of the shape drawn last over it (**the
later-drawn shape wins**), 0 for the background. The classes are told apart by
shape, not by brightness: the shapes of one image get distinct grey levels in random
order.
"""

import numbers

import numpy as np

__all__ = ["SHAPE_CLASSES", "make_shapes"]

SHAPE_CLASSES = ("background", "disc", "rectangle", "triangle", "line")

# Grey levels of the shapes (one image uses distinct levels, in random order) and the
# range of the background texture: with noise=0 a pixel is brighter than 0.45 exactly
# where the mask is foreground.
_LEVELS = np.array([0.55, 0.7, 0.85, 1.0])
_BACKGROUND_MAX = 0.35


def _disc(yy, xx, rng, size):
    cy, cx = rng.uniform(0.15, 0.85, size=2) * size
    r = rng.uniform(0.08, 0.17) * size
    return (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2


def _rectangle(yy, xx, rng, size):
    cy, cx = rng.uniform(0.2, 0.8, size=2) * size
    h, w = rng.uniform(0.12, 0.3, size=2) * size / 2  # half sides
    # axis-aligned: a rotated, partly covered rectangle is too easily a triangle
    return (np.abs(xx - cx) <= w) & (np.abs(yy - cy) <= h)


def _triangle(yy, xx, rng, size):
    cy, cx = rng.uniform(0.2, 0.8, size=2) * size
    r = rng.uniform(0.12, 0.22) * size  # circumradius
    angles = rng.uniform(0, 2 * np.pi) + np.array([0, 2, 4]) * np.pi / 3
    angles += rng.uniform(-0.3, 0.3, size=3)  # not quite equilateral
    py, px = cy + r * np.sin(angles), cx + r * np.cos(angles)
    inside = np.ones_like(yy, dtype=bool)
    for i in range(3):  # on the inner side of each edge (vertices counter-clockwise)
        j = (i + 1) % 3
        cross = (px[j] - px[i]) * (yy - py[i]) - (py[j] - py[i]) * (xx - px[i])
        inside &= cross >= 0
    return inside


def _line(yy, xx, rng, size, width):
    cy, cx = rng.uniform(0.25, 0.75, size=2) * size
    half = rng.uniform(0.25, 0.45) * size  # half length
    t = rng.uniform(0, np.pi)
    ay, ax = cy - half * np.sin(t), cx - half * np.cos(t)
    dy, dx = 2 * half * np.sin(t), 2 * half * np.cos(t)
    # distance from each pixel to the segment a + s d, s in [0, 1]
    s = np.clip(((yy - ay) * dy + (xx - ax) * dx) / (dy**2 + dx**2), 0, 1)
    return (yy - ay - s * dy) ** 2 + (xx - ax - s * dx) ** 2 <= (width / 2) ** 2


def _texture(yy, xx, rng, size):
    """Sum of two random gratings and a gradient, rescaled into [0, _BACKGROUND_MAX]."""
    field = np.zeros_like(yy)
    for _ in range(2):
        freq = rng.uniform(1, 6) * 2 * np.pi / size
        t = rng.uniform(0, np.pi)
        field += np.sin(freq * (xx * np.cos(t) + yy * np.sin(t)) + rng.uniform(0, 6.3))
    field += rng.uniform(-1, 1) * (xx / size) + rng.uniform(-1, 1) * (yy / size)
    field = (field - field.min()) / (np.ptp(field) + 1e-12)
    low = rng.uniform(0, 0.15)
    return low + field * rng.uniform(0.05, _BACKGROUND_MAX - low)


def _check_int(name, value, minimum):
    if (
        not isinstance(value, numbers.Integral)
        or isinstance(value, bool)
        or value < minimum
    ):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def make_shapes(
    n, size=64, seed=0, *, channels=1, max_shapes=4, noise=0.05, line_width=2.0
):
    """Draw ``n`` images of shapes and their segmentation masks.

    Each image gets between 2 and ``max_shapes`` shapes; each shape's class is drawn
    uniformly from disc, rectangle, triangle and line, so overlaps are common. Shapes
    are drawn in order and **the later-drawn shape wins** where they overlap, in the
    image and in the mask alike. With ``channels=3`` each shape is tinted.

    Args:
        n: number of images (>= 1).
        size: height and width H = W in pixels (>= 16).
        seed: an integer seed; the same seed gives the same images.
        channels: 1 (grey) or 3 (colour).
        max_shapes: most shapes in one image, from 2 to 4.
        noise: standard deviation of the Gaussian pixel noise (>= 0), added after
            drawing; the image is then clipped to [0, 1].
        line_width: width of the lines in pixels (> 0): the thin structures.

    Returns:
        images: float32 (n, channels, size, size) in [0, 1];
        masks: int64 (n, size, size), values in 0..4, indexing :data:`SHAPE_CLASSES`.
    """
    _check_int("n", n, 1)
    _check_int("size", size, 16)
    _check_int("max_shapes", max_shapes, 2)
    if max_shapes > len(_LEVELS):
        raise ValueError(f"max_shapes must be at most {len(_LEVELS)}, got {max_shapes}")
    if channels not in (1, 3) or isinstance(channels, bool):
        raise ValueError(f"channels must be 1 or 3, got {channels!r}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    if not isinstance(noise, numbers.Real) or not noise >= 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    if not isinstance(line_width, numbers.Real) or not line_width > 0:
        raise ValueError(f"line_width must be a number > 0, got {line_width!r}")
    rng = np.random.default_rng(seed)
    # pixel centres, (size, size) each
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    images = np.empty((n, channels, size, size), dtype=np.float32)
    masks = np.zeros((n, size, size), dtype=np.int64)
    for i in range(n):
        image = np.repeat(_texture(yy, xx, rng, size)[None], channels, axis=0)
        k = int(rng.integers(2, max_shapes + 1))
        levels = rng.permutation(_LEVELS)[:k]
        for level, cls in zip(levels, rng.integers(1, 5, size=k), strict=True):
            if cls == 4:
                region = _line(yy, xx, rng, size, line_width)
            else:
                region = (_disc, _rectangle, _triangle)[cls - 1](yy, xx, rng, size)
            tint = rng.uniform(0.85, 1.0, size=channels) if channels == 3 else [1.0]
            image[:, region] = (level * np.asarray(tint))[:, None]
            masks[i][region] = cls
        if noise > 0:
            image = image + rng.normal(0, noise, size=image.shape)
        images[i] = np.clip(image, 0, 1)
    return images, masks
