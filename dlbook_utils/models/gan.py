"""Generators and discriminators for generative adversarial networks (chapter 18).

Two pairs: :class:`MLPGenerator` / :class:`MLPDiscriminator` for points in the plane (the
ring of eight Gaussians), and :class:`DCGANGenerator` / :class:`DCGANDiscriminator`, a
small convolutional pair in the style of DCGAN (Radford et al., 2016) for 1x28x28 images
scaled to [-1, 1]. Every discriminator returns one *logit* per input, shape (N,): the
probability D(x) is its sigmoid, and the losses of :mod:`dlbook_utils.gan` take logits.
"""

import numbers

from torch import nn

__all__ = ["MLPGenerator", "MLPDiscriminator", "DCGANGenerator", "DCGANDiscriminator"]


def _check_size(name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _mlp(sizes, activation):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [nn.Linear(a, b), activation()]
    return layers[:-1]  # no activation after the last layer


class MLPGenerator(nn.Module):
    """z -> x through ReLU layers: noise of ``latent_dim`` to points of ``out_features``.

    Args: latent_dim, hidden_size, n_hidden (hidden layers), out_features.
    Shapes: (N, latent_dim) -> (N, out_features); the output is linear (any real value).
    Parameters for the defaults (2, 128, 3, 2): 33,666.
    """

    def __init__(self, latent_dim=2, hidden_size=128, n_hidden=3, out_features=2):
        super().__init__()
        for name in ("latent_dim", "hidden_size", "n_hidden", "out_features"):
            _check_size(name, locals()[name])
        self.latent_dim = latent_dim
        sizes = [latent_dim, *[hidden_size] * n_hidden, out_features]
        self.net = nn.Sequential(*_mlp(sizes, nn.ReLU))

    def forward(self, z):
        return self.net(z)


class MLPDiscriminator(nn.Module):
    """x -> one logit through LeakyReLU(0.2) layers.

    Args: in_features, hidden_size, n_hidden (hidden layers).
    Shapes: (N, in_features) -> (N,) logits; D(x) = sigmoid(logit).
    Parameters for the defaults (2, 128, 3): 33,537.
    """

    def __init__(self, in_features=2, hidden_size=128, n_hidden=3):
        super().__init__()
        for name in ("in_features", "hidden_size", "n_hidden"):
            _check_size(name, locals()[name])
        sizes = [in_features, *[hidden_size] * n_hidden, 1]
        leaky = lambda: nn.LeakyReLU(0.2)  # noqa: E731
        self.net = nn.Sequential(*_mlp(sizes, leaky), nn.Flatten(0))

    def forward(self, x):
        return self.net(x)


class DCGANGenerator(nn.Module):
    """z -> a 1x28x28 image in [-1, 1]: linear to 7x7 maps, two transposed convolutions.

    Linear (latent_dim -> 2c x 7 x 7), BatchNorm, ReLU; ConvTranspose 4x4 stride 2
    (2c -> c, 14x14), BatchNorm, ReLU; ConvTranspose 4x4 stride 2 (c -> 1, 28x28), tanh.
    As in DCGAN: batch normalisation in the generator except at its output, no pooling.
    Differs from the DCGAN paper: a linear layer (not a transposed convolution from 1x1)
    makes the first maps, and there are two upsampling stages for 28x28 instead of four.

    Args: latent_dim, channels c (the width of the last hidden stage).
    Shapes: (N, latent_dim) -> (N, 1, 28, 28).
    Parameters for the defaults (64, 32): 234,177
    (200,704 of them in the linear layer).
    """

    def __init__(self, latent_dim=64, channels=32):
        super().__init__()
        _check_size("latent_dim", latent_dim)
        _check_size("channels", channels)
        self.latent_dim = latent_dim
        c = channels
        self.net = nn.Sequential(
            nn.Linear(latent_dim, 2 * c * 7 * 7, bias=False),  # BN supplies the shift
            nn.Unflatten(1, (2 * c, 7, 7)),
            nn.BatchNorm2d(2 * c),
            nn.ReLU(),
            nn.ConvTranspose2d(2 * c, c, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(c),
            nn.ReLU(),
            nn.ConvTranspose2d(c, 1, 4, stride=2, padding=1),  # (N, 1, 28, 28)
            nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z)


class DCGANDiscriminator(nn.Module):
    """A 1x28x28 image -> one logit: two strided convolutions with LeakyReLU(0.2).

    Conv 4x4 stride 2 (1 -> c, 14x14), LeakyReLU; conv 4x4 stride 2 (c -> 2c, 7x7),
    BatchNorm, LeakyReLU; linear (2c x 7 x 7 -> 1). As in DCGAN: strided convolutions
    instead of pooling, no batch normalisation on the input layer.

    Args: channels c.
    Shapes: (N, 1, 28, 28) -> (N,) logits.
    Parameters for the default (32): 36,577.
    """

    def __init__(self, channels=32):
        super().__init__()
        _check_size("channels", channels)
        c = channels
        self.net = nn.Sequential(
            nn.Conv2d(1, c, 4, stride=2, padding=1),  # (N, c, 14, 14)
            nn.LeakyReLU(0.2),
            nn.Conv2d(c, 2 * c, 4, stride=2, padding=1, bias=False),  # (N, 2c, 7, 7)
            nn.BatchNorm2d(2 * c),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(2 * c * 7 * 7, 1),
            nn.Flatten(0),
        )

    def forward(self, x):
        return self.net(x)
