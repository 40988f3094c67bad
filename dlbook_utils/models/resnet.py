"""ResNet's residual blocks (He et al., 2016), with torchvision's attribute names.

Both blocks compute ``relu(F(x) + shortcut(x))``: the shortcut is the identity when the
block keeps the shape, and a 1x1 convolution + BatchNorm (``downsample``) when the stride
or the channel count changes. ``residual=False`` drops the shortcut and gives the "plain"
block of the same depth, for the degradation experiment of chapter 9.
"""

from torch import nn

from ..validation import check_count

__all__ = ["BasicBlock", "Bottleneck", "init_he"]


def init_he(module):
    """He initialisation, in place, for every conv and linear layer inside ``module``.

    Convolutions: ``kaiming_normal_(mode="fan_out", nonlinearity="relu")``, i.e. normal with
    std sqrt(2 / (out_channels * kh * kw)), and zero bias; BatchNorm: weight 1, bias 0;
    linear layers keep torch's default. Matches torchvision's ResNet initialisation.
    Returns ``module``.
    """
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d | nn.GroupNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
    return module


def _shortcut(in_channels, out_channels, stride, residual):
    if not residual or (stride == 1 and in_channels == out_channels):
        return None
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
        nn.BatchNorm2d(out_channels),
    )


def _check_sizes(**sizes):
    for name, value in sizes.items():
        check_count(name, value, minimum=1)


class BasicBlock(nn.Module):
    """ResNet's basic block: two 3x3 conv-BN layers and a shortcut.

    ``relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))``; ``conv1`` carries the
    stride. The shortcut is ``x`` itself when ``stride == 1`` and the channels match,
    else ``downsample(x)`` (1x1 conv with the stride, then BatchNorm). With
    ``residual=False`` there is no shortcut at all (``downsample`` is None).

    Maps (N, in_channels, H, W) to (N, out_channels, ceil(H / stride), ceil(W / stride)).
    Parameters: 9*in*out + 9*out*out + 4*out, plus in*out + 2*out for ``downsample``.
    Matches torchvision's ``BasicBlock`` (names, layout, initialisation) with
    ``in_channels``/``out_channels`` for its ``inplanes``/``planes``.
    """

    expansion = 1

    def __init__(self, in_channels, out_channels, stride=1, residual=True):
        super().__init__()
        _check_sizes(in_channels=in_channels, out_channels=out_channels, stride=stride)
        self.residual = residual
        self.out_channels = out_channels
        self.conv1 = nn.Conv2d(
            in_channels, out_channels, 3, stride=stride, padding=1, bias=False
        )
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.downsample = _shortcut(in_channels, out_channels, stride, residual)
        init_he(self)

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))  # (N, out, H', W')
        out = self.bn2(self.conv2(out))
        if self.residual:
            out = out + (x if self.downsample is None else self.downsample(x))
        return self.relu(out)


class Bottleneck(nn.Module):
    """ResNet's bottleneck block: 1x1 reduce, 3x3, 1x1 expand, each with BN, and a shortcut.

    ``conv1`` (1x1) maps ``in_channels`` to ``mid_channels``, ``conv2`` (3x3, with the
    stride) keeps ``mid_channels``, ``conv3`` (1x1) expands to
    ``out_channels = mid_channels * expansion``; ReLU after ``bn1`` and ``bn2``, and after
    the sum with the shortcut (the identity, or ``downsample`` when the shape changes).

    Maps (N, in_channels, H, W) to (N, mid*expansion, ceil(H / stride), ceil(W / stride)).
    Matches torchvision's ``Bottleneck`` (ResNet v1.5: the stride sits on the 3x3) with
    ``mid_channels`` for its ``planes``.
    """

    def __init__(self, in_channels, mid_channels, stride=1, expansion=4, residual=True):
        super().__init__()
        _check_sizes(
            in_channels=in_channels,
            mid_channels=mid_channels,
            stride=stride,
            expansion=expansion,
        )
        self.residual = residual
        self.expansion = expansion
        self.out_channels = out_channels = mid_channels * expansion
        self.conv1 = nn.Conv2d(in_channels, mid_channels, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(mid_channels)
        self.conv2 = nn.Conv2d(
            mid_channels, mid_channels, 3, stride=stride, padding=1, bias=False
        )
        self.bn2 = nn.BatchNorm2d(mid_channels)
        self.conv3 = nn.Conv2d(mid_channels, out_channels, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()
        self.downsample = _shortcut(in_channels, out_channels, stride, residual)
        init_he(self)

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))  # (N, mid, H, W)
        out = self.relu(self.bn2(self.conv2(out)))  # (N, mid, H', W')
        out = self.bn3(self.conv3(out))  # (N, mid * expansion, H', W')
        if self.residual:
            out = out + (x if self.downsample is None else self.downsample(x))
        return self.relu(out)
