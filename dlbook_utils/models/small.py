"""Small whole networks for chapter 9's comparison on Fashion-MNIST-sized images (1x28x28).

Each factory returns an ``nn.Sequential`` with two named parts, ``features`` (the
convolutional backbone, giving feature maps) and ``classifier`` (pooling or flattening,
then the linear layers that give logits), so that transfer learning can freeze
``model.features`` and replace ``model.classifier``. All take ``in_channels`` and
``num_classes``; convolutions get He initialisation (:func:`init_he`). The default widths
keep each under 100k parameters and a few million multiply-adds per 28x28 image, so that
an epoch on Fashion-MNIST takes seconds to tens of seconds on two CPU cores. All but
``small_vgg`` (whose head is sized for 28x28) end in global average pooling and so accept
other input sizes too.
"""

from collections import OrderedDict

from torch import nn

from ..validation import check_count
from .classic import DepthwiseSeparable, InceptionModule, vgg_block
from .resnet import BasicBlock, init_he

__all__ = ["small_vgg", "small_resnet", "small_inception", "small_mobilenet"]


def _network(features, classifier):
    return nn.Sequential(OrderedDict(features=features, classifier=classifier))


def _check(in_channels, num_classes, width):
    check_count("in_channels", in_channels, minimum=1)
    check_count("num_classes", num_classes, minimum=1)
    check_count("width", width, minimum=1)


def _global_pool_head(channels, num_classes):
    return nn.Sequential(
        nn.AdaptiveAvgPool2d(1),  # (N, C, H, W) -> (N, C, 1, 1)
        nn.Flatten(),  # -> (N, C)
        nn.Linear(channels, num_classes),
    )


def small_vgg(in_channels=1, num_classes=10, width=8, batch_norm=False):
    """A small VGG for 28x28 images: three VGG blocks of 1, 2 and 2 3x3 convolutions.

    Widths ``width, 2*width, 4*width``; 28x28 -> 14x14 -> 7x7 -> 3x3; then
    Linear(4*width*9, 128) + ReLU + Dropout(0.5) + Linear(128, num_classes), VGG's
    fully connected head (with dropout, as in AlexNet and VGG). He initialisation,
    which lets this stack without BatchNorm train from the first steps (VGG itself
    predates it).
    """
    _check(in_channels, num_classes, width)
    w = width
    features = nn.Sequential(
        vgg_block(in_channels, w, 1, batch_norm),  # (N, w, 14, 14)
        vgg_block(w, 2 * w, 2, batch_norm),  # (N, 2w, 7, 7)
        vgg_block(2 * w, 4 * w, 2, batch_norm),  # (N, 4w, 3, 3)
    )
    classifier = nn.Sequential(
        nn.Flatten(),
        nn.Linear(4 * w * 3 * 3, 128),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(128, num_classes),
    )
    return init_he(_network(features, classifier))


def small_resnet(depth=8, residual=True, in_channels=1, num_classes=10, width=8):
    """A CIFAR-style ResNet (He et al., 2016, section 4.2) of ``depth = 6n + 2`` layers.

    A 3x3 conv-BN-ReLU stem with ``width`` channels, then three stages of ``n``
    :class:`BasicBlock` s with ``width, 2*width, 4*width`` channels (the first block of
    the second and third stage has stride 2: 28x28 -> 14x14 -> 7x7), then global average
    pooling and one linear layer. ``depth`` counts the stem, the 6n convolutions and
    the linear layer.

    ``residual=False`` builds the plain network of the same depth: the same layers
    without shortcuts, and so without the two 1x1 projection shortcuts (10 * width**2 +
    12 * width parameters fewer: 736 at width 8). Comparing the two at a large depth
    shows the degradation problem that residual connections fix.
    All convolutions get He initialisation.
    """
    _check(in_channels, num_classes, width)
    if not isinstance(depth, int) or depth < 8 or (depth - 2) % 6:
        raise ValueError(
            f"depth must be 6n + 2 with n >= 1 (8, 14, 20, ...), got {depth!r}"
        )
    n = (depth - 2) // 6
    w = width
    layers = [
        nn.Conv2d(in_channels, w, 3, padding=1, bias=False),
        nn.BatchNorm2d(w),
        nn.ReLU(),
    ]
    channels = w
    for stage, out_channels in enumerate((w, 2 * w, 4 * w)):
        for i in range(n):
            stride = 2 if stage > 0 and i == 0 else 1
            layers.append(BasicBlock(channels, out_channels, stride, residual=residual))
            channels = out_channels
    model = _network(nn.Sequential(*layers), _global_pool_head(channels, num_classes))
    return init_he(model)


# GoogLeNet's modules 3a, 3b and 4a (c1, c3_reduce, c3, c5_reduce, c5, pool_proj),
# divided by 16: multiplied by ``width`` they give the small network's modules.
_INCEPTION_UNITS = ((4, 6, 8, 1, 2, 2), (8, 8, 12, 2, 6, 4), (12, 6, 13, 1, 3, 4))


def small_inception(in_channels=1, num_classes=10, width=2):
    """A small GoogLeNet: a 3x3 stem, then Inception modules at 14x14 and 7x7.

    The modules are GoogLeNet's 3a, 3b and 4a with every width divided by 16 and
    multiplied by ``width`` (so ``width=16`` gives the paper's widths). Stem: 3x3 conv to
    ``12*width`` + ReLU + 2x2 max pool (28 -> 14); modules 3a and 3b
    (``16*width`` and ``30*width`` channels out); 2x2 max pool (14 -> 7); module 4a
    (``32*width``); then global average pooling and one linear layer, as GoogLeNet ends
    (no large fully connected layers). He initialisation: with torch's default
    initialisation this stack of seven convolutions without BatchNorm barely moves in
    its first hundred steps.
    """
    _check(in_channels, num_classes, width)
    channels = 12 * width
    layers = [
        nn.Conv2d(in_channels, channels, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, 12w, 14, 14)
    ]
    for i, units in enumerate(_INCEPTION_UNITS):
        if i == 2:
            layers.append(nn.MaxPool2d(2))  # (N, 30w, 7, 7)
        module = InceptionModule(channels, *(width * u for u in units))
        layers.append(module)
        channels = module.out_channels
    model = _network(nn.Sequential(*layers), _global_pool_head(channels, num_classes))
    return init_he(model)


def small_mobilenet(in_channels=1, num_classes=10, width=16):
    """A small MobileNet v1: a 3x3 conv-BN-ReLU stem, then depthwise-separable blocks.

    Stem to ``width`` channels at 28x28, then :class:`DepthwiseSeparable` blocks
    width -> 2w, 2w -> 4w (stride 2: 14x14), 4w -> 4w, 4w -> 8w (stride 2: 7x7),
    8w -> 8w, then global average pooling and a linear layer. He initialisation.
    """
    _check(in_channels, num_classes, width)
    w = width
    features = nn.Sequential(
        nn.Conv2d(in_channels, w, 3, padding=1, bias=False),
        nn.BatchNorm2d(w),
        nn.ReLU(),
        DepthwiseSeparable(w, 2 * w),
        DepthwiseSeparable(2 * w, 4 * w, stride=2),  # (N, 4w, 14, 14)
        DepthwiseSeparable(4 * w, 4 * w),
        DepthwiseSeparable(4 * w, 8 * w, stride=2),  # (N, 8w, 7, 7)
        DepthwiseSeparable(8 * w, 8 * w),
    )
    return init_he(_network(features, _global_pool_head(8 * w, num_classes)))
