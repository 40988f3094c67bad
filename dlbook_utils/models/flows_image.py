"""A small multi-scale RealNVP for 1 x 28 x 28 images (chapter 20).

The layers, in order (D = 784 dimensions throughout):

1. :class:`LogitTransform`: x in (0, 1) -> logit(alpha + (1 - 2 alpha) x), with its
   log-determinant, so the model is a density on [0, 1]^D.
2. ``n_couplings`` couplings with checkerboard masks on (1, 28, 28).
3. Squeeze (chapter 8's ``squeeze2d``, a permutation: log-det 0) to (4, 14, 14), then
   ``n_couplings`` couplings with channel masks; half the channels (2, 14, 14) are
   *factored out*: they go straight to the latent, and the rest continue.
4. Squeeze to (8, 7, 7), couplings with channel masks, then to the latent.

Dequantisation is the caller's job: pass ``(pixels + u) / 256`` with u ~ U[0, 1)^D.
The latent z is returned flat, (N, 784), the factored-out part first. Every coupling
is :class:`~dlbook_utils.models.flows.AffineCoupling` with a small CNN whose last
convolution starts at zero. No torch twin; tested through the autograd Jacobian.
"""

import math

import torch
from torch import nn

from dlbook_utils.layers.squeeze import squeeze2d, unsqueeze2d

from .flows import AffineCoupling, standard_normal_log_prob

__all__ = [
    "LogitTransform",
    "checkerboard_mask",
    "channel_mask",
    "MultiScaleFlow",
    "bits_per_dim",
]


def bits_per_dim(nll_nats, dim, n_levels=256):
    """Bits per dimension of a discrete image from the continuous NLL on [0, 1]^D.

    (nll + D log n_levels) / (D log 2): the density of (pixels + u) / 256 is 256^D
    times the density of pixels + u, whose NLL bounds the discrete one.
    """
    return (nll_nats + dim * math.log(n_levels)) / (dim * math.log(2))


class LogitTransform(nn.Module):
    """y = logit(alpha + (1 - 2 alpha) x), elementwise, with its log-determinant.

    Keeps (0, 1) data away from logit's infinities. forward -> (y, log_det (N,)).
    """

    def __init__(self, alpha=0.05):
        super().__init__()
        if not 0 < alpha < 0.5:
            raise ValueError(f"alpha must be in (0, 0.5), got {alpha!r}")
        self.alpha = alpha

    def forward(self, x):
        """(N, ...) in [0, 1] -> (y, log_det)."""
        p = self.alpha + (1 - 2 * self.alpha) * x
        y = torch.log(p) - torch.log1p(-p)
        # dy/dx = (1 - 2 alpha) / (p (1 - p))
        log_det = math.log(1 - 2 * self.alpha) - torch.log(p) - torch.log1p(-p)
        return y, log_det.flatten(1).sum(1)

    def inverse(self, y):
        """y -> x = (sigmoid(y) - alpha) / (1 - 2 alpha)."""
        return (torch.sigmoid(y) - self.alpha) / (1 - 2 * self.alpha)


def checkerboard_mask(channels, height, width, parity=0):
    """(C, H, W) mask, 1 where (i + j + parity) is even."""
    i, j = torch.arange(height)[:, None], torch.arange(width)[None, :]
    board = ((i + j + parity) % 2 == 0).float()
    return board.expand(channels, height, width).clone()


def channel_mask(channels, height, width, parity=0):
    """(C, H, W) mask, 1 on the first half of the channels (parity 0) or the second."""
    first = (torch.arange(channels) < channels // 2).float()
    m = first if parity == 0 else 1 - first
    return m[:, None, None].expand(channels, height, width).clone()


def _cnn(channels, hidden):
    last = nn.Conv2d(hidden, 2 * channels, 3, padding=1)
    nn.init.zeros_(last.weight)  # the coupling starts as the identity
    nn.init.zeros_(last.bias)
    return nn.Sequential(
        nn.Conv2d(channels, hidden, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(hidden, hidden, 1),
        nn.ReLU(),
        last,
    )


def _couplings(kind, n, c, h, w, hidden):
    make = checkerboard_mask if kind == "checkerboard" else channel_mask
    return nn.ModuleList(
        AffineCoupling(make(c, h, w, i % 2), _cnn(c, hidden)) for i in range(n)
    )


class MultiScaleFlow(nn.Module):
    """A two-scale RealNVP on (N, 1, 28, 28) images in [0, 1]; latent (N, 784).

    Args:
        hidden: channels of each coupling's CNN.
        n_couplings: couplings per stage (three stages; each stage alternates masks).
        alpha: the logit transform's margin.
    """

    def __init__(self, hidden=32, n_couplings=2, alpha=0.05):
        super().__init__()
        if not isinstance(n_couplings, int) or n_couplings < 1:
            raise ValueError(f"n_couplings must be a positive int, got {n_couplings!r}")
        self.shape = (1, 28, 28)
        self.logit = LogitTransform(alpha)
        self.stage1 = _couplings("checkerboard", n_couplings, 1, 28, 28, hidden)
        self.stage2 = _couplings("channel", n_couplings, 4, 14, 14, hidden)
        self.stage3 = _couplings("channel", n_couplings, 8, 7, 7, hidden)

    def forward(self, x):
        """(N, 1, 28, 28) in [0, 1] -> (z (N, 784), log |det J_F(x)| (N,))."""
        if not isinstance(x, torch.Tensor) or tuple(x.shape[1:]) != self.shape:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"MultiScaleFlow expects shape (N, 1, 28, 28), got {got}")
        h, log_det = self.logit(x)
        for layer in self.stage1:
            h, ld = layer(h)
            log_det = log_det + ld
        h = squeeze2d(h)  # (N, 4, 14, 14); a permutation, log-det 0
        for layer in self.stage2:
            h, ld = layer(h)
            log_det = log_det + ld
        z1, h = h[:, 2:], h[:, :2]  # factor out (N, 2, 14, 14)
        h = squeeze2d(h)  # (N, 8, 7, 7)
        for layer in self.stage3:
            h, ld = layer(h)
            log_det = log_det + ld
        return torch.cat([z1.flatten(1), h.flatten(1)], 1), log_det

    def inverse(self, z):
        """(N, 784) -> images (N, 1, 28, 28) in (0, 1)."""
        if not isinstance(z, torch.Tensor) or z.dim() != 2 or z.shape[1] != 784:
            got = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
            raise ValueError(f"MultiScaleFlow.inverse expects (N, 784), got {got}")
        n = z.shape[0]
        z1, h = z[:, :392].reshape(n, 2, 14, 14), z[:, 392:].reshape(n, 8, 7, 7)
        for layer in reversed(self.stage3):
            h = layer.inverse(h)
        h = torch.cat([unsqueeze2d(h), z1], 1)  # (N, 4, 14, 14)
        for layer in reversed(self.stage2):
            h = layer.inverse(h)
        h = unsqueeze2d(h)  # (N, 1, 28, 28)
        for layer in reversed(self.stage1):
            h = layer.inverse(h)
        return self.logit.inverse(h)

    def log_prob(self, x):
        """log density of x on [0, 1]^784: (N, 1, 28, 28) -> (N,)."""
        z, log_det = self(x)
        return standard_normal_log_prob(z) + log_det

    def sample(self, n, generator=None, temperature=1.0):
        """n images from z ~ N(0, temperature^2 I): (n, 1, 28, 28)."""
        p = next(self.parameters())
        z = torch.randn(n, 784, generator=generator, dtype=p.dtype)
        return self.inverse(temperature * z.to(p.device))
