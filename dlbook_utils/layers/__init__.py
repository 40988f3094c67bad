"""From-scratch torch layers, each equal to its torch twin (Part II onwards).

``conv``: im2col convolution (``conv2d_im2col``, ``conv2d``, ``Conv2d``) and the size and
parameter-count formulas; ``pooling``: max and average pooling; ``squeeze``: the invertible
squeeze (``squeeze2d``, ``unsqueeze2d``) and its torch twins ``PixelUnshuffle`` and
``PixelShuffle``; ``batchnorm`` (core in ``_batchnorm_core``), ``dropout`` (inverted and
classic) and ``init`` (Xavier, He): chapter 13.
``attention`` (core in ``_attention_core``) and ``transformer``: chapter 11.
``recurrent`` (cells in ``recurrent_cells``, cores in ``_recurrent_core``): chapter 10.
Importing this package does no work beyond importing torch.
"""

from dlbook_utils.layers._batchnorm_core import batch_norm_backward, batch_norm_forward
from dlbook_utils.layers.attention import (
    MultiheadAttention,
    attention_with_weights,
    causal_mask,
    scaled_dot_product_attention,
)
from dlbook_utils.layers.batchnorm import BatchNorm1d, BatchNorm2d, BatchNormFunction
from dlbook_utils.layers.conv import (
    PADDING_MODES,
    Conv2d,
    conv2d,
    conv2d_im2col,
    conv2d_param_count,
    conv_output_size,
)
from dlbook_utils.layers.dropout import (
    ClassicDropout,
    Dropout,
    classic_dropout,
    dropout_mask,
    inverted_dropout,
)
from dlbook_utils.layers.init import (
    calculate_fan_in_and_fan_out,
    calculate_gain,
    kaiming_normal_,
    kaiming_uniform_,
    xavier_normal_,
    xavier_uniform_,
)
from dlbook_utils.layers.pooling import (
    AvgPool2d,
    MaxPool2d,
    avg_pool2d,
    avg_pool2d_im2col,
    max_pool2d,
    max_pool2d_im2col,
)
from dlbook_utils.layers.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from dlbook_utils.layers.squeeze import (
    PixelShuffle,
    PixelUnshuffle,
    pixel_shuffle,
    pixel_unshuffle,
    squeeze2d,
    unsqueeze2d,
)
from dlbook_utils.layers.transformer import (
    LayerNorm,
    TransformerDecoderLayer,
    TransformerEncoderLayer,
    layer_norm,
    sinusoidal_positional_encoding,
)

__all__ = [
    # attention, transformer (chapter 11)
    "scaled_dot_product_attention",
    "attention_with_weights",
    "causal_mask",
    "MultiheadAttention",
    "layer_norm",
    "LayerNorm",
    "sinusoidal_positional_encoding",
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
    # batchnorm, dropout, init (chapter 13)
    "batch_norm_forward",
    "batch_norm_backward",
    "BatchNormFunction",
    "BatchNorm1d",
    "BatchNorm2d",
    "dropout_mask",
    "inverted_dropout",
    "classic_dropout",
    "Dropout",
    "ClassicDropout",
    "calculate_gain",
    "calculate_fan_in_and_fan_out",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
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
    # recurrent (chapter 10)
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "RNN",
    "LSTM",
    "GRU",
]
