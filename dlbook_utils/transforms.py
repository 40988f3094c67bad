"""Data augmentation on batches of images, without torchvision: random affine warps.

Rotation, shift, shear, zoom and horizontal flip are all affine maps of the pixel grid, so
one random matrix per image and one ``F.affine_grid`` + ``F.grid_sample`` per batch apply
any combination of them. Every random draw comes from an explicit ``torch.Generator``: the
same generator state gives the same augmented batch. Taught in chapter 9.

Conventions: images are float tensors (N, C, H, W), usually in [0, 1]; angles are in
degrees, positive counterclockwise as seen on screen (+90 equals ``torch.rot90(x, 1,
(2, 3))``); shifts are fractions of the width and height; a scale above 1 enlarges the
content (zooms in). Pixels that come from outside the image are 0 with
``padding_mode="zeros"`` (the default) or copy the nearest edge pixel with ``"border"``
(Keras's ``fill_mode="nearest"``).
"""

import numbers

import torch
import torch.nn.functional as F

__all__ = ["affine_theta", "random_affine", "RandomAffine", "AugmentedBatches"]

PADDING_MODES = ("zeros", "border", "reflection")
INTERPOLATIONS = ("bilinear", "nearest")


def affine_theta(angle, translate, scale, shear, flip, size):
    """The (N, 2, 3) matrices that make ``F.affine_grid`` warp images as described.

    The forward map on pixel coordinates centred on the image (u to the right, v down)
    is ``p -> R(angle) @ Shear(shear) @ scale * Flip @ p + translate``: flip first, then
    zoom, shear, rotate and shift. ``affine_grid`` wants the inverse map, from output to
    input positions, in coordinates normalised to [-1, 1] (``align_corners=False``), so
    the matrix returned is ``D^-1 M^-1 D`` with ``D = diag(W/2, H/2)``, and the shift
    ``-D^-1 M^-1 t``.

    Args:
        angle: (N,) rotation in degrees, counterclockwise on screen.
        translate: (N, 2) shift in pixels, (right, down).
        scale: (N,) zoom factor, > 0.
        shear: (N,) shear angle in degrees, along x (u += tan(shear) * v).
        flip: (N,) bool, mirror left-right.
        size: (H, W) of the images.

    Returns: theta (N, 2, 3), in the dtype of ``angle``.
    """
    height, width = size
    a, s = torch.deg2rad(angle), torch.deg2rad(shear)
    one, zero = torch.ones_like(a), torch.zeros_like(a)
    rotate = _matrix(a.cos(), a.sin(), -a.sin(), a.cos())  # (N, 2, 2)
    shear_x = _matrix(one, s.tan(), zero, one)
    mirror = torch.where(flip, -one, one)
    zoom = _matrix(scale * mirror, zero, zero, scale)
    inverse = torch.linalg.inv(rotate @ shear_x @ zoom)  # output -> input, pixel units
    d = torch.tensor([width / 2, height / 2], dtype=a.dtype, device=a.device)
    A = inverse * d / d[:, None]  # D^-1 M^-1 D: entry (i, j) times d_j / d_i
    b = -(inverse @ translate[..., None]).squeeze(-1) / d  # (N, 2)
    return torch.cat([A, b[..., None]], dim=-1)


def _matrix(a, b, c, d):
    # [[a, b], [c, d]] for each of the N entries: (N, 2, 2)
    return torch.stack([torch.stack([a, b], -1), torch.stack([c, d], -1)], -2)


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _symmetric_range(name, value, limit=None):
    """A number d >= 0 means (-d, d); a pair means (min, max)."""
    if _is_number(value):
        if value < 0:
            raise ValueError(
                f"{name} must be >= 0 when given as one number (meaning (-{name}, "
                f"+{name})), got {value!r}; pass (min, max) for another range"
            )
        low, high = -float(value), float(value)
    else:
        low, high = _pair(name, value)
    if limit is not None and (low <= -limit or high >= limit):
        raise ValueError(
            f"{name} must lie strictly between -{limit} and {limit}, got ({low}, {high})"
        )
    return low, high


def _pair(name, value):
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        msg = f"{name} must be a number or a pair (min, max), got {value!r}"
        raise ValueError(msg) from None
    if not low <= high:
        raise ValueError(f"{name} must be (min, max) with min <= max, got {value!r}")
    return low, high


def _translate_range(value):
    if value is None:
        return 0.0, 0.0
    fractions = (value, value) if _is_number(value) else value
    try:
        fx, fy = (float(v) for v in fractions)
    except (TypeError, ValueError):
        msg = f"translate must be a fraction or a pair (fx, fy), got {value!r}"
        raise ValueError(msg) from None
    if not (0 <= fx <= 1 and 0 <= fy <= 1):
        raise ValueError(f"translate fractions must lie in [0, 1], got {value!r}")
    return fx, fy


def _scale_range(value):
    if value is None:
        return 1.0, 1.0
    if _is_number(value):
        raise ValueError(f"scale must be a pair (min, max), e.g. (0.8, 1.2), got {value!r}")
    low, high = _pair("scale", value)
    if low <= 0:
        raise ValueError(f"scale must be > 0, got {value!r}")
    return low, high


def _flip_probability(value):
    if value is True:
        return 0.5
    if value is False:
        return 0.0
    if _is_number(value) and 0 <= value <= 1:
        return float(value)
    raise ValueError(f"flip must be True, False or a probability in [0, 1], got {value!r}")


def _check_images(images):
    if not isinstance(images, torch.Tensor) or images.ndim != 4:
        shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images)
        raise ValueError(
            "images must be a batch of shape (N, C, H, W) (use x[None] for one image), "
            f"got {shape}"
        )
    if not images.is_floating_point():
        raise TypeError(
            f"images must be floating point (e.g. uint8 / 255.0), got {images.dtype}"
        )


class RandomAffine:
    """Random rotation, shift, zoom, shear and horizontal flip, drawn per image.

    ``augment = RandomAffine(degrees=20, translate=0.1, scale=(0.9, 1.1), flip=True)``,
    then ``augment(images, generator)`` for each batch. Each image gets its own angle
    uniform in the ``degrees`` range, shift uniform in [-fx W, fx W] x [-fy H, fy H],
    zoom uniform in ``scale``, shear uniform in the ``shear`` range, and a flip with
    probability ``flip``. The parameters at their defaults leave images unchanged (up to
    the float rounding of ``grid_sample``: about 1e-5 in float32, 1e-14 in float64).

    Args:
        degrees: d >= 0 for (-d, d), or (min, max), in degrees.
        translate: None, a fraction f in [0, 1] for both axes, or (fx, fy).
        scale: None or (min, max) zoom factors, > 0 (1 keeps the size).
        shear: None, s >= 0 for (-s, s), or (min, max), in degrees, within (-90, 90).
        flip: True (probability 0.5), False, or a probability in [0, 1].
        padding_mode: "zeros" (default), "border" or "reflection", as ``F.grid_sample``.
        interpolation: "bilinear" (default) or "nearest".

    Differs from ``torchvision.transforms.v2.RandomAffine``: it works on a whole batch,
    with one set of parameters per image, takes its generator at each call, includes the
    flip, and shears along x only.
    """

    def __init__(
        self,
        degrees=0,
        translate=None,
        scale=None,
        shear=None,
        flip=False,
        padding_mode="zeros",
        interpolation="bilinear",
    ):
        self.degrees = _symmetric_range("degrees", degrees)
        self.translate = _translate_range(translate)
        self.scale = _scale_range(scale)
        self.shear = _symmetric_range("shear", 0 if shear is None else shear, limit=90)
        self.flip = _flip_probability(flip)
        if padding_mode not in PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {PADDING_MODES}, got {padding_mode!r}"
            )
        if interpolation not in INTERPOLATIONS:
            raise ValueError(
                f"interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}"
            )
        self.padding_mode = padding_mode
        self.interpolation = interpolation

    def sample(self, n, size, generator):
        """Draw the parameters of ``n`` images of ``size`` (H, W): a dict of (N,) tensors
        (``translate`` is (N, 2), in pixels), in float64 on the generator's device."""
        # One (n, 6) draw whatever is switched on, so the stream is easy to reason about.
        u = torch.rand(
            (n, 6), generator=generator, dtype=torch.float64, device=generator.device
        )

        def between(low, high, column):
            return low + (high - low) * u[:, column]

        height, width = size
        fx, fy = self.translate
        shift_x = between(-fx * width, fx * width, 1)  # pixels
        shift_y = between(-fy * height, fy * height, 2)
        return {
            "angle": between(*self.degrees, 0),
            "translate": torch.stack([shift_x, shift_y], dim=-1),
            "scale": between(*self.scale, 3),
            "shear": between(*self.shear, 4),
            "flip": u[:, 5] < self.flip,
        }

    def __call__(self, images, generator):
        """Augment ``images`` (N, C, H, W) with parameters drawn from ``generator``;
        returns a new tensor of the same shape, dtype and device."""
        _check_images(images)
        if not isinstance(generator, torch.Generator):
            raise TypeError(
                "generator must be a torch.Generator (e.g. torch.Generator()."
                f"manual_seed(0)), got {type(generator).__name__}"
            )
        n, _, height, width = images.shape
        params = self.sample(n, (height, width), generator)
        theta = affine_theta(**params, size=(height, width))  # float64, exact matrices
        theta = theta.to(device=images.device, dtype=images.dtype)
        grid = F.affine_grid(theta, list(images.shape), align_corners=False)  # (N,H,W,2)
        return F.grid_sample(
            images,
            grid,
            mode=self.interpolation,
            padding_mode=self.padding_mode,
            align_corners=False,
        )

    def __repr__(self):
        return (
            f"RandomAffine(degrees={self.degrees}, translate={self.translate}, "
            f"scale={self.scale}, shear={self.shear}, flip={self.flip}, "
            f"padding_mode={self.padding_mode!r}, interpolation={self.interpolation!r})"
        )


def random_affine(
    images,
    generator,
    degrees=0,
    translate=None,
    scale=None,
    shear=None,
    flip=False,
    padding_mode="zeros",
    interpolation="bilinear",
):
    """Augment one batch: ``RandomAffine(...)(images, generator)``, one call.

    images: (N, C, H, W) floating point. Returns a tensor of the same shape and dtype.
    """
    augment = RandomAffine(
        degrees, translate, scale, shear, flip, padding_mode, interpolation
    )
    return augment(images, generator)


class AugmentedBatches:
    """Re-iterable batches ``(transform(X, generator), y, ...)`` from ``(X, y, ...)``.

    Wraps a :class:`dlbook_utils.data.BatchLoader` or ``DataLoader`` for training with
    augmentation, e.g. ``fit(model, AugmentedBatches(train_batches, augment, gen), ...)``:
    each epoch sees fresh random transforms; the labels (and anything after the images)
    are passed through as the very same tensors. ``len()`` is that of ``batches``.
    """

    def __init__(self, batches, transform, generator):
        if not isinstance(generator, torch.Generator):
            raise TypeError(
                f"generator must be a torch.Generator, got {type(generator).__name__}"
            )
        self.batches = batches
        self.transform = transform
        self.generator = generator

    def __iter__(self):
        for images, *rest in self.batches:
            yield (self.transform(images, self.generator), *rest)

    def __len__(self):
        return len(self.batches)
