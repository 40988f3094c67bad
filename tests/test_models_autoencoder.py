"""dlbook_utils.models.autoencoder: shapes, pinned parameter counts, a tiny overfit."""

import pytest
import torch
from torch import nn

from dlbook_utils.models import (
    ConvAutoencoder,
    LinearAutoencoder,
    MLPAutoencoder,
    count_parameters,
)
from dlbook_utils.models.autoencoder import conv_decoder, conv_encoder


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("d, k", [(784, 16), (50, 3), (10, 1)])
def test_linear_autoencoder_count_and_shapes(d, k):
    model = LinearAutoencoder(d, k)
    assert count_parameters(model) == 2 * d * k + k + d
    assert count_parameters(LinearAutoencoder(d, k, bias=False)) == 2 * d * k
    x = torch.randn(5, d, generator=gen())
    assert model.encode(x).shape == (5, k)
    assert model(x).shape == (5, d)


def test_linear_autoencoder_is_the_product_of_its_two_matrices():
    model = LinearAutoencoder(12, 4).double()
    x = torch.randn(7, 12, generator=gen(1), dtype=torch.float64)
    e, d = model.encoder, model.decoder
    expected = (x @ e.weight.T + e.bias) @ d.weight.T + d.bias
    torch.testing.assert_close(model(x), expected)
    rank = torch.linalg.matrix_rank(d.weight @ e.weight)
    assert rank == 4  # undercomplete: rank k < d


def test_mlp_autoencoder_pinned_count_and_layers():
    model = MLPAutoencoder()  # 784 -> 256 -> 32 -> 256 -> 784
    assert count_parameters(model) == 419_120
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (784, 256), (256, 32), (32, 256), (256, 784),
    ]  # fmt: skip
    assert not isinstance(model.encoder[-1], nn.ReLU)  # the code can be negative
    x = torch.rand(3, 784, generator=gen())
    y = model(x)
    assert model.encode(x).shape == (3, 32) and y.shape == (3, 784)
    assert (y > 0).all() and (y < 1).all()
    deeper = MLPAutoencoder(100, (64, 32), 8, sigmoid_output=False)
    sizes = [2 * (100 * 64 + 64 * 32 + 32 * 8) + 64 + 32 + 8 + 32 + 64 + 100]
    assert count_parameters(deeper) == sizes[0]
    assert not isinstance(deeper.decoder[-1], nn.Sigmoid)


@pytest.mark.parametrize("k, expected", [(2, 17_411), (8, 36_233), (32, 111_521)])
def test_conv_autoencoder_pinned_counts(k, expected):
    assert count_parameters(ConvAutoencoder(k)) == expected
    assert count_parameters(ConvAutoencoder(k)) == 11_137 + 3_137 * k  # the docstring


@pytest.mark.parametrize("k, channels", [(4, (16, 32)), (10, (8, 4))])
def test_conv_autoencoder_shapes_and_range(k, channels):
    model = ConvAutoencoder(k, channels)
    x = torch.rand(6, 1, 28, 28, generator=gen())
    z = model.encode(x)
    assert z.shape == (6, k)
    assert model.decode(z).shape == (6, 1, 28, 28)
    y = model(x)
    assert y.shape == x.shape and (y > 0).all() and (y < 1).all()
    c1, c2 = channels
    assert model.encoder[:2](x).shape[1:] == (c1, 14, 14)
    assert model.encoder[:4](x).shape[1:] == (c2, 7, 7)
    out = model(x.contiguous(memory_format=torch.channels_last))  # same numbers
    torch.testing.assert_close(out, y)


def test_conv_autoencoder_is_its_encoder_then_its_decoder():
    """The class wraps conv_encoder and conv_decoder (chapter 12's cells) unchanged."""
    model = ConvAutoencoder(5, (4, 6)).double()
    enc, dec = conv_encoder(5, (4, 6)).double(), conv_decoder(5, (4, 6)).double()
    enc.load_state_dict(model.encoder.state_dict())  # same layers, same names
    dec.load_state_dict(model.decoder.state_dict())
    assert list(model.state_dict())[0] == "encoder.0.weight"
    x = torch.rand(3, 1, 28, 28, generator=gen(4), dtype=torch.float64)
    torch.testing.assert_close(model(x), dec(enc(x)), rtol=0, atol=0)


def test_conv_autoencoder_gradients_reach_every_parameter():
    model = ConvAutoencoder(3).double()
    x = torch.rand(2, 1, 28, 28, generator=gen(), dtype=torch.float64)
    nn.functional.mse_loss(model(x), x).backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_conv_autoencoder_overfits_a_tiny_batch():
    torch.manual_seed(0)
    model = ConvAutoencoder(8)
    x = torch.rand(4, 1, 28, 28, generator=gen(2))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    first = None
    for _ in range(150):
        loss = nn.functional.mse_loss(model(x), x)
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.25 * first


@pytest.mark.parametrize(
    "make",
    [
        lambda: LinearAutoencoder(784, 0),
        lambda: LinearAutoencoder(7.5, 2),
        lambda: MLPAutoencoder(code_size=-1),
        lambda: MLPAutoencoder(hidden_sizes=(0,)),
        lambda: ConvAutoencoder(0),
        lambda: ConvAutoencoder(True),
        lambda: ConvAutoencoder(8, channels=(16,)),
    ],
)
def test_bad_sizes_raise_clear_errors(make):
    with pytest.raises(ValueError, match="must be"):
        make()
