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
"""

from .cifar import CifarLeNet, CifarMLP, CifarWideCNN
from .classic import DepthwiseSeparable, InceptionModule, LeNet5, vgg_block
from .counting import count_multiply_adds, count_parameters
from .resnet import BasicBlock, Bottleneck, init_he
from .small import small_inception, small_mobilenet, small_resnet, small_vgg

__all__ = [
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
]
