"""The book's named networks and their building blocks (chapters 8 and 9).

Mirrors ``torchvision.models``: whole networks and blocks built from ``torch.nn`` layers,
plus :func:`count_parameters` and :func:`count_multiply_adds` for comparing them.

- :mod:`.cifar`: :class:`CifarMLP`, :class:`CifarLeNet`, :class:`CifarWideCNN` (chapter 8)
- :mod:`.classic`: :class:`LeNet5`, :func:`vgg_block`, :class:`InceptionModule`,
  :class:`DepthwiseSeparable` (chapter 9)
- :mod:`.resnet`: :class:`BasicBlock`, :class:`Bottleneck`, :func:`init_he` (chapter 9)
- :mod:`.small`: :func:`small_vgg`, :func:`small_resnet`, :func:`small_inception`,
  :func:`small_mobilenet`, small enough to train on Fashion-MNIST on a CPU (chapter 9)
- :mod:`.counting`: :func:`count_parameters`, :func:`count_multiply_adds`
- :mod:`.autoencoder`: :class:`LinearAutoencoder`, :class:`MLPAutoencoder`,
  :class:`ConvAutoencoder` (chapter 12)
- :mod:`.transformer`: :class:`TinyGPT` with a key/value cache, :func:`generate` (ch. 11)
- :mod:`.text`: :class:`GRUClassifier`, :class:`TransformerClassifier`,
  :class:`SmallBERT`, :func:`mask_tokens` (chapter 19)
- :mod:`.gan`: :class:`MLPGenerator`, :class:`MLPDiscriminator`, :class:`DCGANGenerator`,
  :class:`DCGANDiscriminator` (chapter 18)
- :mod:`.flows`, :mod:`.flows_image`: :class:`TanhFlow1d`, :class:`AffineCoupling`,
  :class:`RealNVP2d`, :class:`MultiScaleFlow` (chapter 20)
- :mod:`.unet`: :class:`UNet`, :class:`DoubleConv`, :func:`unet_param_count` (ch. 21)
"""

from .autoencoder import ConvAutoencoder, LinearAutoencoder, MLPAutoencoder
from .cifar import CifarLeNet, CifarMLP, CifarWideCNN
from .classic import DepthwiseSeparable, InceptionModule, LeNet5, vgg_block
from .counting import count_multiply_adds, count_parameters
from .flows import AffineCoupling, RealNVP2d, TanhFlow1d
from .flows_image import LogitTransform, MultiScaleFlow, bits_per_dim
from .gan import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from .resnet import BasicBlock, Bottleneck, init_he
from .small import small_inception, small_mobilenet, small_resnet, small_vgg
from .text import (
    GRUClassifier,
    SmallBERT,
    TransformerClassifier,
    mask_tokens,
    masked_mean,
    padding_mask,
)
from .transformer import CausalSelfAttention, GPTBlock, TinyGPT, generate
from .unet import DoubleConv, UNet, unet_param_count

__all__ = [
    "TanhFlow1d",
    "AffineCoupling",
    "RealNVP2d",
    "LogitTransform",
    "MultiScaleFlow",
    "bits_per_dim",
    "UNet",
    "DoubleConv",
    "unet_param_count",
    "CifarMLP",
    "CifarLeNet",
    "CifarWideCNN",
    "LeNet5",
    "vgg_block",
    "InceptionModule",
    "DepthwiseSeparable",
    "BasicBlock",
    "Bottleneck",
    "init_he",
    "small_vgg",
    "small_resnet",
    "small_inception",
    "small_mobilenet",
    "count_parameters",
    "count_multiply_adds",
    "LinearAutoencoder",
    "MLPAutoencoder",
    "ConvAutoencoder",
    "CausalSelfAttention",
    "GPTBlock",
    "TinyGPT",
    "generate",
    "GRUClassifier",
    "TransformerClassifier",
    "SmallBERT",
    "mask_tokens",
    "masked_mean",
    "padding_mask",
    "MLPGenerator",
    "MLPDiscriminator",
    "DCGANGenerator",
    "DCGANDiscriminator",
]
