"""Normalizing flows on vectors: a 1-D monotone flow, RealNVP affine coupling (chapter 20).

A flow is a bijection F from data x to a latent z with a tractable log |det J_F(x)|;
with a standard-normal base density q the model density is
``log p(x) = log q(F(x)) + log |det J_F(x)|`` (the change of variables).

- :func:`tanh_flow_1d`, :class:`TanhFlow1d`: z = a x + sum_k w_k tanh(eta_k x + c_k),
  with a, w, eta > 0 (eta_k the slopes), so strictly increasing, with an analytic
  log-derivative; inverted by bisection.
- :func:`affine_coupling_forward`, :func:`affine_coupling_inverse`,
  :class:`AffineCoupling`: the RealNVP layer of Dinh et al. (2017) with a binary mask.
  The log-scale is ``s = scale * tanh(raw)``, a learnable per-feature ``scale`` times a
  tanh (RealNVP's own choice), so a freshly built layer cannot blow up.
- :class:`RealNVP2d`: a stack of couplings with alternating masks on R^2 (or R^d) and a
  standard-normal base, with ``log_prob`` and ``sample``.

The image flow (squeeze, checkerboard and channel masks, factor-out) is in
:mod:`dlbook_utils.models.flows_image`. There is no torch twin; the tests check every
log-determinant against the autograd Jacobian and every inverse against its forward.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "tanh_flow_1d",
    "TanhFlow1d",
    "affine_coupling_forward",
    "affine_coupling_inverse",
    "AffineCoupling",
    "RealNVP2d",
    "standard_normal_log_prob",
]

LOG_2PI = math.log(2 * math.pi)


def standard_normal_log_prob(z):
    """log N(z; 0, I) summed over all but the first axis: (N, ...) -> (N,)."""
    return -0.5 * (z.pow(2) + LOG_2PI).flatten(1).sum(1)


def tanh_flow_1d(x, a, w, eta, c):
    """z = a x + sum_k w_k tanh(eta_k x + c_k) and log dz/dx, for a, w_k, eta_k > 0.

    x: (N,); a: scalar tensor; w, eta, c: (M,), one entry per tanh unit (eta_k its
    slope). Returns (z, log_dz_dx), both (N,).
    dz/dx = a + sum_k w_k eta_k (1 - tanh^2) > 0, so the map is strictly increasing.
    """
    h = torch.tanh(x[:, None] * eta + c)  # (N, M)
    z = a * x + (w * h).sum(1)
    dz_dx = a + (w * eta * (1 - h**2)).sum(1)
    return z, torch.log(dz_dx)


def _check_tensor(x, name, dim, size=None):
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} expects a torch.Tensor, got {type(x).__name__}")
    if x.dim() != dim or (size is not None and x.shape[-1] != size):
        want = "(N,)" if dim == 1 else f"(N, {size})"
        raise ValueError(f"{name} expects shape {want}, got {tuple(x.shape)}")


class TanhFlow1d(nn.Module):
    """A monotone 1-D flow z = a x + sum_k w_k tanh(eta_k x + c_k) with M units.

    a, w, eta are kept positive through softplus of unconstrained parameters. Input (N,).
    ``forward`` returns (z, log dz/dx); ``inverse`` solves F(x) = z by bisection, which
    is exact to float precision because F is increasing and |F(x) - a x| <= sum_k w_k.
    """

    def __init__(self, n_units=8, generator=None):
        super().__init__()
        if not isinstance(n_units, int) or n_units < 1:
            raise ValueError(f"n_units must be a positive int, got {n_units!r}")
        g = generator
        self.raw_a = nn.Parameter(torch.zeros(()))
        self.raw_w = nn.Parameter(torch.randn(n_units, generator=g) * 0.1 - 1.0)
        self.raw_eta = nn.Parameter(torch.randn(n_units, generator=g) * 0.1)
        self.c = nn.Parameter(torch.randn(n_units, generator=g))

    def params(self):
        """(a, w, eta, c), with a, w, eta positive."""
        sp = F.softplus
        return sp(self.raw_a), sp(self.raw_w), sp(self.raw_eta), self.c

    def forward(self, x):
        """(N,) -> (z, log dz/dx), both (N,)."""
        _check_tensor(x, "TanhFlow1d", 1)
        return tanh_flow_1d(x, *self.params())

    def inverse(self, z, iters=100):
        """(N,) -> x with F(x) = z, by bisection on [(z - W) / a, (z + W) / a]."""
        _check_tensor(z, "TanhFlow1d.inverse", 1)
        a, w, _, _ = self.params()
        lo, hi = (z - w.sum()) / a, (z + w.sum()) / a
        for _ in range(iters):
            mid = (lo + hi) / 2
            below = self(mid)[0] < z
            lo, hi = torch.where(below, mid, lo), torch.where(below, hi, mid)
        return (lo + hi) / 2

    def log_prob(self, x):
        """log p(x) = log q(F(x)) + log F'(x), q = N(0, 1): (N,) -> (N,)."""
        z, log_det = self(x)
        return standard_normal_log_prob(z[:, None]) + log_det


def affine_coupling_forward(x, mask, net, scale):
    """RealNVP coupling: z = x where mask = 1, z = x exp(s) + t elsewhere.

    x: (N, D) or (N, C, H, W); mask: x's shape without N, 1 = passed through;
    net maps x * mask to (N, 2D) or (N, 2C, H, W): raw log-scale and shift.
    Returns (z, log_det) with log_det (N,): the sum of s over the changed entries.
    """
    raw, t = net(x * mask).chunk(2, dim=1)  # both read only the unchanged part
    s = scale * torch.tanh(raw) * (1 - mask)  # 0 on the unchanged part
    t = t * (1 - mask)
    z = x * torch.exp(s) + t
    return z, s.flatten(1).sum(1)


def affine_coupling_inverse(z, mask, net, scale):
    """The inverse of affine_coupling_forward: x = (z - t) exp(-s) where mask = 0.

    z * mask equals x * mask, so s and t are recomputed from z exactly.
    """
    raw, t = net(z * mask).chunk(2, dim=1)
    s = scale * torch.tanh(raw) * (1 - mask)
    t = t * (1 - mask)
    return (z - t) * torch.exp(-s)


def _mlp(dim, hidden, n_hidden):
    layers, width = [], dim
    for _ in range(n_hidden):
        layers += [nn.Linear(width, hidden), nn.ReLU()]
        width = hidden
    last = nn.Linear(width, 2 * dim)
    nn.init.zeros_(last.weight)  # s = t = 0: each coupling starts as the identity
    nn.init.zeros_(last.bias)
    return nn.Sequential(*layers, last)


class AffineCoupling(nn.Module):
    """A RealNVP affine coupling layer with a binary mask and a given network.

    Args:
        mask: 0/1 tensor of the input's shape without N (1 = passed through unchanged).
        net: maps (N, *mask.shape) to (N, 2 * first dim of mask, ...): raw s, then t.
            None (vector inputs only) builds an MLP with ``hidden`` units and
            ``n_hidden`` hidden layers whose last layer is zero (the identity at start).

    ``forward(x)`` -> (z, log_det (N,)); ``inverse(z)`` -> x. s = scale * tanh(raw),
    with ``scale`` a learnable tensor of mask's shape starting at 1. No torch twin.
    """

    def __init__(self, mask, net=None, hidden=64, n_hidden=2):
        super().__init__()
        if not isinstance(mask, torch.Tensor) or mask.dim() not in (1, 3):
            raise ValueError("mask must be a tensor of shape (D,) or (C, H, W)")
        if not bool(((mask == 0) | (mask == 1)).all()):
            raise ValueError("mask must hold only 0 and 1")
        if net is None:
            if mask.dim() != 1:
                raise ValueError("give a net for image masks of shape (C, H, W)")
            net = _mlp(mask.numel(), hidden, n_hidden)
        self.register_buffer("mask", mask.float())
        self.net = net
        self.scale = nn.Parameter(torch.ones(mask.shape))

    def _check(self, x, name):
        want = tuple(self.mask.shape)
        if not isinstance(x, torch.Tensor) or tuple(x.shape[1:]) != want:
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(
                f"{name} expects shape (N, {', '.join(map(str, want))}), got {got}"
            )

    def forward(self, x):
        """x -> (z, log |det dz/dx|), log_det of shape (N,)."""
        self._check(x, "AffineCoupling")
        return affine_coupling_forward(x, self.mask, self.net, self.scale)

    def inverse(self, z):
        """z -> x, the exact inverse of forward."""
        self._check(z, "AffineCoupling.inverse")
        return affine_coupling_inverse(z, self.mask, self.net, self.scale)


class RealNVP2d(nn.Module):
    """RealNVP on R^dim: ``n_layers`` couplings with alternating masks, N(0, I) base.

    For dim = 2 the masks are (1, 0), (0, 1), (1, 0), ...: each coordinate is changed
    by every other layer, conditioned on the other coordinate. For larger dim the
    masks alternate the even and odd coordinates. Input (N, dim).
    """

    def __init__(self, dim=2, n_layers=8, hidden=64, n_hidden=2):
        super().__init__()
        if not isinstance(dim, int) or dim < 2:
            raise ValueError(f"dim must be an int >= 2, got {dim!r}")
        if not isinstance(n_layers, int) or n_layers < 1:
            raise ValueError(f"n_layers must be a positive int, got {n_layers!r}")
        even = (torch.arange(dim) % 2 == 0).float()
        self.dim = dim
        self.layers = nn.ModuleList(
            AffineCoupling(even if i % 2 == 0 else 1 - even, None, hidden, n_hidden)
            for i in range(n_layers)
        )

    def forward(self, x):
        """The normalising direction: (N, dim) -> (z, log |det J_F(x)|)."""
        _check_tensor(x, "RealNVP2d", 2, self.dim)
        log_det = x.new_zeros(x.shape[0])
        for layer in self.layers:
            x, ld = layer(x)
            log_det = log_det + ld
        return x, log_det

    def inverse(self, z):
        """The generative direction: (N, dim) -> x = F^{-1}(z)."""
        _check_tensor(z, "RealNVP2d.inverse", 2, self.dim)
        for layer in reversed(self.layers):
            z = layer.inverse(z)
        return z

    def log_prob(self, x):
        """log p(x) = log N(F(x); 0, I) + log |det J_F(x)|: (N, dim) -> (N,)."""
        z, log_det = self(x)
        return standard_normal_log_prob(z) + log_det

    def sample(self, n, generator=None, temperature=1.0):
        """n draws: z ~ N(0, temperature^2 I), x = F^{-1}(z). Returns (n, dim)."""
        p = next(self.parameters())
        z = torch.randn(n, self.dim, generator=generator, dtype=p.dtype)
        return self.inverse(temperature * z.to(p.device))
