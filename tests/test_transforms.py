"""dlbook_utils.transforms: random affine augmentation on batches, seeded by a generator."""

import math

import pytest
import torch

from dlbook_utils.data import BatchLoader
from dlbook_utils.transforms import AugmentedBatches, RandomAffine, random_affine

STRONG = dict(degrees=25, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=15, flip=True)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def images(n=6, c=3, h=12, w=12, dtype=torch.float32, seed=0):
    return torch.rand(n, c, h, w, generator=gen(seed), dtype=dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(4, 1, 28, 28), (3, 3, 32, 32), (2, 2, 7, 13)])
def test_shape_dtype_and_device_are_kept(dtype, shape):
    x = torch.rand(shape, dtype=dtype)
    for mode in ("zeros", "border", "reflection"):
        y = random_affine(x, gen(), padding_mode=mode, **STRONG)
        assert y.shape == x.shape and y.dtype == dtype and y.device == x.device


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_values_stay_within_the_input_range(padding_mode, interpolation):
    x = 0.2 + 0.6 * images(n=16, dtype=torch.float64)  # in [0.2, 0.8]
    y = random_affine(
        x, gen(1), padding_mode=padding_mode, interpolation=interpolation, **STRONG
    )
    # Interpolation is a convex combination of input pixels (and of 0 outside the image
    # with zero padding).
    low = 0.0 if padding_mode == "zeros" else x.min()
    assert y.min() >= low - 1e-12 and y.max() <= x.max() + 1e-12
    if padding_mode == "zeros":
        assert (y == 0).any()  # the shifts and rotations did bring in outside pixels


@pytest.mark.parametrize("h, w", [(28, 28), (32, 32), (5, 7), (31, 17)])
def test_identity_at_zero_strength(h, w):
    x64 = images(h=h, w=w, dtype=torch.float64)
    explicit_zero = dict(degrees=0, translate=0.0, scale=(1, 1), shear=0, flip=False)
    for kwargs in ({}, explicit_zero):
        assert torch.allclose(random_affine(x64, gen(), **kwargs), x64, rtol=0, atol=1e-12)
        # float32: grid_sample's coordinate rounding leaves about 1e-6 (2.4e-6 at 28x28).
        x32 = x64.float()
        assert torch.allclose(random_affine(x32, gen(), **kwargs), x32, rtol=0, atol=2e-5)
        # Nearest-neighbour sampling of the identity grid is exact.
        nearest = random_affine(x32, gen(), interpolation="nearest", **kwargs)
        assert torch.equal(nearest, x32)


def test_same_seed_same_output_and_different_seeds_differ():
    x = images()
    augment = RandomAffine(**STRONG)
    assert torch.equal(augment(x, gen(7)), augment(x, gen(7)))
    assert not torch.allclose(augment(x, gen(7)), augment(x, gen(8)))
    g = gen(7)
    assert not torch.allclose(augment(x, g), augment(x, g))  # the stream moves on


def test_no_global_rng_is_used():
    x = images()
    torch.manual_seed(0)
    state = torch.get_rng_state()
    random_affine(x, gen(), **STRONG)
    assert torch.equal(torch.get_rng_state(), state)


def test_rotation_by_90_degrees_matches_rot90():
    for dtype, atol in ((torch.float64, 1e-12), (torch.float32, 1e-5)):
        x = images(h=9, w=9, dtype=dtype)
        for k, angle in ((1, 90), (-1, -90), (2, 180)):
            y = random_affine(x, gen(), degrees=(angle, angle))
            # Square images: quarter turns map pixel centres onto pixel centres, no border.
            assert torch.allclose(y, torch.rot90(x, k, dims=(2, 3)), rtol=0, atol=atol)


def test_flip_mirrors_and_flipping_twice_is_the_identity():
    x = images(dtype=torch.float64)
    once = random_affine(x, gen(), flip=1.0)
    assert torch.allclose(once, x.flip(-1), rtol=0, atol=1e-12)
    assert torch.equal(
        random_affine(x, gen(), flip=1.0, interpolation="nearest"), x.flip(-1)
    )
    twice = random_affine(once, gen(), flip=1.0)
    assert torch.allclose(twice, x, rtol=0, atol=1e-12)
    # flip=True flips about half the images, the same ones for the same seed.
    x = images(n=200, c=1, h=4, w=4, dtype=torch.float64)
    y = random_affine(x, gen(3), flip=True)
    flipped = torch.isclose(y, x.flip(-1), atol=1e-12).flatten(1).all(1)
    kept = torch.isclose(y, x, atol=1e-12).flatten(1).all(1)
    assert torch.all(flipped ^ kept) and 70 < flipped.sum() < 130
    assert torch.allclose(random_affine(y, gen(3), flip=True), x, rtol=0, atol=1e-12)


def test_warp_of_a_linear_image_matches_the_affine_formula():
    # Bilinear interpolation reproduces a linear image f(u, v) = a u + b v + c exactly, so
    # wherever the source point lies inside the image, output(p) = f(M^-1 (p - t)).
    h, w = 20, 30
    rows, cols = torch.arange(h, dtype=torch.float64), torch.arange(w, dtype=torch.float64)
    v, u = torch.meshgrid(rows - (h - 1) / 2, cols - (w - 1) / 2, indexing="ij")
    a, b, c = 0.3, -0.7, 2.0
    x = (a * u + b * v + c).expand(8, 1, h, w)
    augment = RandomAffine(**STRONG)
    y = augment(x, gen(5))
    p = augment.sample(8, (h, w), gen(5))
    ang, sh = torch.deg2rad(p["angle"]), torch.deg2rad(p["shear"])
    checked = 0
    for i in range(8):
        cos, sin, s = math.cos(ang[i]), math.sin(ang[i]), float(p["scale"][i])
        m = torch.tensor([[cos, sin], [-sin, cos]], dtype=torch.float64)
        m = m @ torch.tensor([[1.0, math.tan(sh[i])], [0.0, 1.0]], dtype=torch.float64)
        m = m @ torch.diag(
            torch.tensor([-s if p["flip"][i] else s, s], dtype=torch.float64)
        )
        q = torch.stack([u.flatten(), v.flatten()]) - p["translate"][i][:, None]
        us, vs = torch.linalg.solve(m, q)  # source coordinates, centred
        inside = (us.abs() < (w - 1) / 2 - 1e-9) & (vs.abs() < (h - 1) / 2 - 1e-9)
        expected = a * us + b * vs + c
        assert torch.allclose(y[i, 0].flatten()[inside], expected[inside], atol=1e-9)
        checked += int(inside.sum())
    assert checked > 8 * h * w // 3


def test_parameters_are_drawn_in_their_ranges():
    augment = RandomAffine(
        degrees=(-10, 30), translate=(0.25, 0.5), scale=(0.5, 2.0), shear=(5, 6), flip=0.0
    )
    p = augment.sample(2000, (8, 16), gen())
    assert -10 <= p["angle"].min() < 0 < 20 < p["angle"].max() <= 30
    assert p["translate"][:, 0].abs().max() <= 4 and p["translate"][:, 1].abs().max() <= 4
    assert p["translate"][:, 0].abs().max() > 3.9
    assert 0.5 <= p["scale"].min() and p["scale"].max() <= 2.0
    assert 5 <= p["shear"].min() and p["shear"].max() <= 6 and not p["flip"].any()


def test_labels_are_passed_through_untouched():
    x, y = images(n=10), torch.arange(10)
    batches = [(x[:4], y[:4]), (x[4:], y[4:], torch.ones(6))]
    augmented = AugmentedBatches(batches, RandomAffine(**STRONG), gen(1))
    assert len(augmented) == 2
    first, second = list(augmented), list(augmented)  # re-iterable, one pass per epoch
    for out, batch in zip(first, batches, strict=True):
        assert out[0].shape == batch[0].shape and len(out) == len(batch)
        assert all(a is b for a, b in zip(out[1:], batch[1:], strict=True))
    assert not torch.equal(first[0][0], second[0][0])  # each epoch draws new transforms
    loader = BatchLoader(x, y, batch_size=4, generator=gen())
    labels = [yb for _, yb in AugmentedBatches(loader, random_affine, gen())]
    assert sorted(torch.cat(labels).tolist()) == list(range(10))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(degrees=-5), "degrees must be >= 0"),
        (dict(degrees=(10, -10)), "min <= max"),
        (dict(degrees="big"), "degrees must be a number or a pair"),
        (dict(translate=1.5), r"translate fractions must lie in \[0, 1\]"),
        (dict(translate=(0.1, -0.1)), r"translate fractions must lie in \[0, 1\]"),
        (dict(scale=1.2), "scale must be a pair"),
        (dict(scale=(0.0, 1.0)), "scale must be > 0"),
        (dict(shear=-1), "shear must be >= 0"),
        (dict(shear=(-90, 10)), "strictly between -90 and 90"),
        (dict(flip=2), "flip must be True, False or a probability"),
        (dict(padding_mode="nearest"), "padding_mode must be one of"),
        (dict(interpolation="bicubic"), "interpolation must be one of"),
    ],
)
def test_bad_arguments_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RandomAffine(**kwargs)


def test_bad_images_and_generators_are_rejected():
    augment = RandomAffine(degrees=10)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\).*got \(3, 8, 8\)"):
        augment(torch.rand(3, 8, 8), gen())
    with pytest.raises(TypeError, match="floating point"):
        augment(torch.zeros(2, 1, 8, 8, dtype=torch.uint8), gen())
    with pytest.raises(TypeError, match="generator must be a torch.Generator"):
        augment(torch.rand(2, 1, 8, 8), 0)
    with pytest.raises(TypeError, match="generator must be a torch.Generator"):
        AugmentedBatches([], augment, None)
