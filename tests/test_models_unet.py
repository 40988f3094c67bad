"""dlbook_utils.models.unet: shapes for odd sizes, pinned counts, skips, bad input."""

import pytest
import torch

from dlbook_utils.models import DoubleConv, UNet, count_parameters, unet_param_count


@pytest.mark.parametrize(
    "args, expected",
    [((1, 5), 482_517), ((1, 5, 8, 3), 121_069), ((3, 2, 16, 2), 117_378)],
)
def test_pinned_parameter_counts(args, expected):
    assert count_parameters(UNet(*args)) == expected
    assert unet_param_count(*args) == expected


@pytest.mark.parametrize("base, depth", [(4, 1), (8, 2), (6, 4)])
def test_closed_form_matches_the_module(base, depth):
    model = UNet(2, 3, base_channels=base, depth=depth)
    assert count_parameters(model) == unet_param_count(2, 3, base, depth)


@pytest.mark.parametrize("h, w", [(64, 64), (33, 33), (17, 45), (8, 9), (31, 64)])
def test_output_has_the_input_spatial_size(h, w):
    model = UNet(1, 4, base_channels=4, depth=3).eval()
    x = torch.randn(2, 1, h, w, generator=torch.Generator().manual_seed(0))
    assert model(x).shape == (2, 4, h, w)


def test_channel_widths_and_double_conv():
    model = UNet(3, 5, base_channels=8, depth=3)
    assert [block[0].out_channels for block in model.down] == [8, 16, 32, 64]
    assert [block[0].in_channels for block in model.merge] == [16, 32, 64]
    block = DoubleConv(3, 7)
    assert block(torch.zeros(1, 3, 5, 6)).shape == (1, 7, 5, 6)


def test_channels_last_gives_the_same_output():
    torch.manual_seed(0)
    model = UNet(1, 3, base_channels=4, depth=2).eval()
    x = torch.rand(2, 1, 20, 21)
    ref = model(x)
    model = model.to(memory_format=torch.channels_last)
    out = model(x.contiguous(memory_format=torch.channels_last))
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(in_channels=0, num_classes=3), "in_channels must be a positive integer"),
        (dict(in_channels=1, num_classes=1), "num_classes must be >= 2"),
        (dict(in_channels=1, num_classes=3, depth=1.5), "depth must be a positive"),
        (dict(in_channels=1, num_classes=3, base_channels=0), "base_channels must be"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        UNet(**kwargs)


def test_bad_input_shapes():
    model = UNet(1, 3, base_channels=4, depth=3)
    with pytest.raises(ValueError, match=r"expected input \(N, 1, H, W\)"):
        model(torch.zeros(2, 3, 16, 16))
    with pytest.raises(ValueError, match=r"expected input \(N, 1, H, W\)"):
        model(torch.zeros(1, 16, 16))
    with pytest.raises(ValueError, match="must be >= 2\\*\\*depth = 8"):
        model(torch.zeros(1, 1, 7, 16))
