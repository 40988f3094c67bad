"""From-scratch torch layers, each equal to its torch twin (Part II onwards).

``conv``: im2col convolution (``conv2d_im2col``, ``conv2d``, ``Conv2d``) and the size and
parameter-count formulas; ``pooling``: max and average pooling; ``squeeze``: the invertible
squeeze (``squeeze2d``, ``unsqueeze2d``) and its torch twins ``PixelUnshuffle`` and
``PixelShuffle``. Importing this package does no work beyond importing torch.
"""

from dlbook_utils.layers.conv import (
    PADDING_MODES,
    Conv2d,
    conv2d,
    conv2d_im2col,
    conv2d_param_count,
    conv_output_size,
)
from dlbook_utils.layers.pooling import (
    AvgPool2d,
    MaxPool2d,
    avg_pool2d,
    avg_pool2d_im2col,
    max_pool2d,
    max_pool2d_im2col,
)
from dlbook_utils.layers.squeeze import (
    PixelShuffle,
    PixelUnshuffle,
    pixel_shuffle,
    pixel_unshuffle,
    squeeze2d,
    unsqueeze2d,
)

__all__ = [
    "conv_output_size",
    "conv2d_param_count",
    "conv2d_im2col",
    "conv2d",
    "Conv2d",
    "PADDING_MODES",
    "max_pool2d_im2col",
    "avg_pool2d_im2col",
    "max_pool2d",
    "avg_pool2d",
    "MaxPool2d",
    "AvgPool2d",
    "squeeze2d",
    "unsqueeze2d",
    "pixel_unshuffle",
    "pixel_shuffle",
    "PixelUnshuffle",
    "PixelShuffle",
]
