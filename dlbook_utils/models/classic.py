"""The building blocks of chapter 9's architectures: LeNet-5, VGG, Inception, MobileNet.

ResNet's blocks live in :mod:`dlbook_utils.models.resnet`; whole small networks built from
these blocks in :mod:`dlbook_utils.models.small`.
"""

import torch
from torch import nn

from ..validation import check_count

__all__ = ["LeNet5", "vgg_block", "InceptionModule", "DepthwiseSeparable"]


class LeNet5(nn.Module):
    """LeNet-5 (LeCun et al., 1998) in a common modern form: 61,706 parameters for 1x28x28.

    Layers for ``input_size=28`` (output shape per image; parameters for one channel):

    - C1: Conv 1 -> 6, 5x5, padding 2 + tanh: 6x28x28 (156)
    - S2: AvgPool 2x2: 6x14x14
    - C3: Conv 6 -> 16, 5x5 + tanh: 16x10x10 (2,416)
    - S4: AvgPool 2x2: 16x5x5
    - C5: Conv 16 -> 120, 5x5 + tanh: 120x1x1 (48,120)
    - F6: Linear 120 -> 84 + tanh (10,164)
    - output: Linear 84 -> 10 (850): logits

    ``input_size=32`` is the paper's geometry: C1 has no padding and maps 32x32 to 28x28;
    28x28 inputs (MNIST, Fashion-MNIST) get padding 2 instead, which gives C1 the same
    28x28 output. The parameter count does not depend on the input size.

    Differs from the 1998 paper: C3 connects every input map (the paper used a sparse
    table, 1,516 parameters), S2/S4 are plain averages (the paper's had a trainable scale
    and bias), tanh replaces the scaled tanh, and a linear layer replaces the RBF output.

    Args:
        in_channels: channels of the input images.
        num_classes: number of logits.
        input_size: 28 or 32, the height and width of the (square) input.
    """

    def __init__(self, in_channels=1, num_classes=10, input_size=28):
        super().__init__()
        check_count("in_channels", in_channels, minimum=1)
        check_count("num_classes", num_classes, minimum=1)
        if input_size not in (28, 32):
            raise ValueError(f"input_size must be 28 or 32, got {input_size!r}")
        self.input_size = input_size
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5, padding=(32 - input_size) // 2),
            nn.Tanh(),  # C1: (N, 6, 28, 28)
            nn.AvgPool2d(2),  # S2: (N, 6, 14, 14)
            nn.Conv2d(6, 16, kernel_size=5),
            nn.Tanh(),  # C3: (N, 16, 10, 10)
            nn.AvgPool2d(2),  # S4: (N, 16, 5, 5)
            nn.Conv2d(16, 120, kernel_size=5),
            nn.Tanh(),  # C5: (N, 120, 1, 1)
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),  # (N, 120)
            nn.Linear(120, 84),
            nn.Tanh(),  # F6
            nn.Linear(84, num_classes),
        )

    def forward(self, x):
        size = self.input_size
        if x.ndim != 4 or tuple(x.shape[2:]) != (size, size):
            raise ValueError(
                f"LeNet5(input_size={size}) expects (N, C, {size}, {size}), "
                f"got {tuple(x.shape)}"
            )
        return self.classifier(self.features(x))


def vgg_block(in_channels, out_channels, num_convs, batch_norm=False):
    """A VGG block: ``num_convs`` 3x3 convolutions (padding 1) with ReLU, then 2x2 max pool.

    Maps (N, in_channels, H, W) to (N, out_channels, H // 2, W // 2). Parameters:
    9 * in_channels * out_channels + out_channels for the first convolution, and
    9 * out_channels**2 + out_channels for each further one (plus 2 * out_channels per
    convolution with ``batch_norm``, which puts BatchNorm between each convolution and its
    ReLU, as torchvision's ``vgg11_bn`` does).

    Returns an ``nn.Sequential``. Taught in chapter 9.
    """
    check_count("in_channels", in_channels, minimum=1)
    check_count("out_channels", out_channels, minimum=1)
    check_count("num_convs", num_convs, minimum=1)
    layers = []
    for i in range(num_convs):
        channels = in_channels if i == 0 else out_channels
        layers.append(nn.Conv2d(channels, out_channels, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(out_channels))
        layers.append(nn.ReLU())
    layers.append(nn.MaxPool2d(2))
    return nn.Sequential(*layers)


def _conv_relu(in_channels, out_channels, kernel_size):
    # "same" padding for the odd kernels used here: every branch keeps H and W.
    conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2)
    return [conv, nn.ReLU()]


class InceptionModule(nn.Module):
    """GoogLeNet's Inception module: four parallel branches concatenated along channels.

    Branches, each keeping H and W:

    - ``branch1``: 1x1 conv to ``c1``
    - ``branch2``: 1x1 conv to ``c3_reduce``, then 3x3 conv to ``c3``
    - ``branch3``: 1x1 conv to ``c5_reduce``, then 5x5 conv to ``c5``
    - ``branch4``: 3x3 max pool (stride 1, padding 1), then 1x1 conv to ``pool_proj``

    Every convolution has a bias and is followed by ReLU, as in Szegedy et al. (2014).
    The 1x1 "reduce" convolutions are the projections that make the 3x3 and 5x5 branches
    cheap: the 5x5 branch costs H*W*(in*c5_reduce + 25*c5_reduce*c5) multiply-adds instead
    of H*W*25*in*c5.

    Maps (N, in_channels, H, W) to (N, c1 + c3 + c5 + pool_proj, H, W).
    Differs from torchvision's ``Inception``: no BatchNorm, and a true 5x5 in branch 3
    (torchvision's uses 3x3 there).
    """

    def __init__(self, in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj):
        super().__init__()
        names = ("in_channels", "c1", "c3_reduce", "c3", "c5_reduce", "c5", "pool_proj")
        sizes = (in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj)
        for name, value in zip(names, sizes, strict=True):
            check_count(name, value, minimum=1)
        self.out_channels = c1 + c3 + c5 + pool_proj
        self.branch1 = nn.Sequential(*_conv_relu(in_channels, c1, 1))
        self.branch2 = nn.Sequential(
            *_conv_relu(in_channels, c3_reduce, 1), *_conv_relu(c3_reduce, c3, 3)
        )
        self.branch3 = nn.Sequential(
            *_conv_relu(in_channels, c5_reduce, 1), *_conv_relu(c5_reduce, c5, 5)
        )
        self.branch4 = nn.Sequential(
            nn.MaxPool2d(3, stride=1, padding=1), *_conv_relu(in_channels, pool_proj, 1)
        )

    def forward(self, x):
        branches = (self.branch1, self.branch2, self.branch3, self.branch4)
        return torch.cat([branch(x) for branch in branches], dim=1)  # (N, out, H, W)


class DepthwiseSeparable(nn.Module):
    """MobileNet v1's depthwise-separable convolution block (Howard et al., 2017).

    ``depthwise``: 3x3 conv with ``groups=in_channels`` (one filter per channel, stride
    ``stride``, padding 1) + ``bn1`` + ReLU; then ``pointwise``: 1x1 conv mixing channels
    + ``bn2`` + ReLU. Convolutions have no bias (BatchNorm's shift replaces it).

    Cost: on an H'xW' output, H'W'C_in(9 + C_out) multiply-adds against H'W'C_in*C_out*9
    for a standard 3x3 convolution, a ratio of 1/C_out + 1/9. Parameters:
    9*C_in + C_in*C_out + 2*(C_in + C_out).

    Maps (N, in_channels, H, W) to (N, out_channels, ceil(H / stride), ceil(W / stride)).
    """

    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        check_count("in_channels", in_channels, minimum=1)
        check_count("out_channels", out_channels, minimum=1)
        check_count("stride", stride, minimum=1)
        self.depthwise = nn.Conv2d(
            in_channels,
            in_channels,
            3,
            stride=stride,
            padding=1,
            groups=in_channels,
            bias=False,
        )
        self.bn1 = nn.BatchNorm2d(in_channels)
        self.pointwise = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.relu(self.bn1(self.depthwise(x)))  # (N, C_in, H', W')
        return self.relu(self.bn2(self.pointwise(x)))  # (N, C_out, H', W')
