"""Autoencoders: an encoder to a small code, a decoder back to the input (chapter 12).

Three of increasing capacity, each with ``encode``, ``decode`` and ``forward``
(``decode(encode(x))``): :class:`LinearAutoencoder` (two matrices, the one that spans
the PCA subspace when trained with the mean squared error), :class:`MLPAutoencoder`
(ReLU layers on flat vectors) and :class:`ConvAutoencoder` (strided convolutions down
to a code, transposed convolutions back, for 1x28x28 images).
"""

import numbers

from torch import nn

__all__ = [
    "LinearAutoencoder",
    "MLPAutoencoder",
    "ConvAutoencoder",
    "conv_encoder",
    "conv_decoder",
]


def _check_size(name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


class _Autoencoder(nn.Module):
    """What every autoencoder here shares: ``encoder``/``decoder`` modules, the
    reconstruction ``decode(encode(x))``."""

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decode(self.encode(x))


class LinearAutoencoder(_Autoencoder):
    """x -> W_dec (W_enc x + b_enc) + b_dec: a rank-``code_size`` linear map.

    Args: in_features d, code_size k (k < d for an undercomplete code), bias.
    Shapes: encode (N, d) -> (N, k); decode (N, k) -> (N, d).
    Parameters: 2dk + k + d with bias (784 -> 16: 25,888).
    Trained with the mean squared error, its decoder's columns span the top-k principal
    subspace of the data (they are not the principal directions themselves).
    """

    def __init__(self, in_features, code_size, bias=True):
        super().__init__()
        _check_size("in_features", in_features)
        _check_size("code_size", code_size)
        self.encoder = nn.Linear(in_features, code_size, bias=bias)
        self.decoder = nn.Linear(code_size, in_features, bias=bias)


class MLPAutoencoder(_Autoencoder):
    """Fully connected autoencoder d -> hidden... -> k -> ...hidden -> d, ReLU between.

    Args: in_features d (784 for flat 28x28 images), hidden_sizes (encoder widths; the
    decoder mirrors them), code_size k, sigmoid_output (outputs in (0, 1), for inputs
    scaled to [0, 1]). The code itself is linear (no ReLU), so it can take any sign.
    Shapes: encode (N, d) -> (N, k); decode (N, k) -> (N, d).
    Parameters for 784, (256,), 32: 419,120.
    """

    def __init__(self, in_features=784, hidden_sizes=(256,), code_size=32,
                 sigmoid_output=True):  # fmt: skip
        super().__init__()
        _check_size("in_features", in_features)
        _check_size("code_size", code_size)
        for h in hidden_sizes:
            _check_size("each of hidden_sizes", h)
        sizes = [in_features, *hidden_sizes, code_size]
        enc, dec = [], []
        for a, b in zip(sizes[:-1], sizes[1:], strict=True):
            enc += [nn.Linear(a, b), nn.ReLU()]
        for a, b in zip(sizes[::-1][:-1], sizes[::-1][1:], strict=True):
            dec += [nn.Linear(a, b), nn.ReLU()]
        self.encoder = nn.Sequential(*enc[:-1])  # no ReLU on the code
        self.decoder = nn.Sequential(*dec[:-1], *([nn.Sigmoid()] * sigmoid_output))


def conv_encoder(code_size=32, channels=(16, 32)):
    """(N, 1, 28, 28) -> (N, k): two stride-2 3x3 convolutions, then a linear layer."""
    c1, c2 = channels
    return nn.Sequential(
        nn.Conv2d(1, c1, 3, stride=2, padding=1), nn.ReLU(),  # (N, c1, 14, 14)
        nn.Conv2d(c1, c2, 3, stride=2, padding=1), nn.ReLU(),  # (N, c2, 7, 7)
        nn.Flatten(),  # (N, c2 * 49)
        nn.Linear(c2 * 7 * 7, code_size),  # (N, k): the code, no ReLU
    )  # fmt: skip


def conv_decoder(code_size=32, channels=(16, 32)):
    """(N, k) -> (N, 1, 28, 28): the encoder mirrored, transposed convs, a sigmoid."""
    c1, c2 = channels
    # output_padding=1: without it, stride 2 turns a 7 map into 13, not 14
    return nn.Sequential(
        nn.Linear(code_size, c2 * 7 * 7), nn.ReLU(),
        nn.Unflatten(1, (c2, 7, 7)),  # (N, c2, 7, 7)
        nn.ConvTranspose2d(c2, c1, 3, stride=2, padding=1, output_padding=1),
        nn.ReLU(),  # (N, c1, 14, 14)
        nn.ConvTranspose2d(c1, 1, 3, stride=2, padding=1, output_padding=1),
        nn.Sigmoid(),  # (N, 1, 28, 28), in (0, 1)
    )  # fmt: skip


class ConvAutoencoder(_Autoencoder):
    """Convolutional autoencoder for 1x28x28 images with a code of ``code_size`` numbers.

    Encoder (:func:`conv_encoder`): two 3x3 convolutions of stride 2 (1 -> c1 channels,
    28 -> 14; c1 -> c2, 14 -> 7), ReLU after each, then a linear layer c2*7*7 -> k. The
    decoder (:func:`conv_decoder`) mirrors it: linear k -> c2*7*7, ReLU, two 3x3
    transposed convolutions of stride 2 (7 -> 14 -> 28), and a sigmoid, for inputs
    scaled to [0, 1]. The constructor checks its arguments, then builds the two.
    Args: code_size k, channels (c1, c2).
    Shapes: encode (N, 1, 28, 28) -> (N, k); decode (N, k) -> (N, 1, 28, 28).
    Parameters with channels (16, 32): 11,137 + 3,137 k (111,521 for k = 32): the two
    linear layers hold almost all of them.
    """

    def __init__(self, code_size=32, channels=(16, 32)):
        super().__init__()
        _check_size("code_size", code_size)
        if len(channels) != 2:
            raise ValueError(f"channels must be a pair (c1, c2), got {channels!r}")
        _check_size("channels[0]", channels[0])
        _check_size("channels[1]", channels[1])
        self.encoder = conv_encoder(code_size, tuple(channels))
        self.decoder = conv_decoder(code_size, tuple(channels))
