"""The three CIFAR-10 models of chapter 8: an MLP, a LeNet-style CNN and a wide CNN.

Each takes images of shape (N, 3, 32, 32) and returns logits of shape (N, 10): the
softmax of the source's layer lists is left to ``nn.CrossEntropyLoss``, which applies
log-softmax itself (a softmax layer before it would apply it twice). Each model has a
``features`` part (convolutions, empty for the MLP) and a ``classifier`` part, so that a
chapter can look at feature maps with ``model.features(x)``. All three accept
``channels_last`` inputs: the flatten step reads the logical (C, H, W) order whatever the
memory layout.
"""

from torch import nn

__all__ = ["CifarMLP", "CifarLeNet", "CifarWideCNN"]

CIFAR_SHAPE = (3, 32, 32)


def _check_cifar_input(x, name):
    if x.ndim != 4 or tuple(x.shape[1:]) != CIFAR_SHAPE:
        raise ValueError(
            f"{name} expects a batch of CIFAR-10 images of shape (N, 3, 32, 32), "
            f"got {tuple(x.shape)}"
        )


class CifarMLP(nn.Module):
    """Model 1: a fully connected network, 3,426,250 parameters.

    Layers (parameters):

    - Flatten (N, 3, 32, 32) -> (N, 3072)
    - Linear 3072 -> 1024 + ReLU (3,146,752)
    - Linear 1024 -> 256 + ReLU (262,400)
    - Linear 256 -> 64 + ReLU (16,448)
    - Linear 64 -> 10 (650): logits

    The flatten order is torch's (C, H, W); any fixed order gives the same network up to a
    permutation of the first layer's columns.
    """

    def __init__(self):
        super().__init__()
        self.features = nn.Identity()
        self.classifier = nn.Sequential(
            nn.Flatten(),  # (N, 3, 32, 32) -> (N, 3072)
            nn.Linear(3 * 32 * 32, 1024),
            nn.ReLU(),
            nn.Linear(1024, 256),
            nn.ReLU(),
            nn.Linear(256, 64),
            nn.ReLU(),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        _check_cifar_input(x, "CifarMLP")
        return self.classifier(self.features(x))


class CifarLeNet(nn.Module):
    """Model 2: a LeNet-style CNN, 62,006 parameters.

    Layers (output shape per image; parameters):

    - Conv 3 -> 6, 5x5, no padding + ReLU: 6x28x28 (456)
    - MaxPool 2x2: 6x14x14
    - Conv 6 -> 16, 5x5, no padding + ReLU: 16x10x10 (2,416)
    - MaxPool 2x2: 16x5x5, flattened to 400 in torch's (C, H, W) order
    - Linear 400 -> 120 + ReLU (48,120)
    - Linear 120 -> 84 + ReLU (10,164)
    - Linear 84 -> 10 (850): logits
    """

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 6, kernel_size=5),  # (N, 3, 32, 32) -> (N, 6, 28, 28)
            nn.ReLU(),
            nn.MaxPool2d(2),  # -> (N, 6, 14, 14)
            nn.Conv2d(6, 16, kernel_size=5),  # -> (N, 16, 10, 10)
            nn.ReLU(),
            nn.MaxPool2d(2),  # -> (N, 16, 5, 5)
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),  # -> (N, 400)
            nn.Linear(16 * 5 * 5, 120),
            nn.ReLU(),
            nn.Linear(120, 84),
            nn.ReLU(),
            nn.Linear(84, 10),
        )

    def forward(self, x):
        _check_cifar_input(x, "CifarLeNet")
        return self.classifier(self.features(x))


def _conv(in_channels, out_channels, batch_norm):
    # 3x3 with padding 1 keeps the spatial size; the bias stays even before BatchNorm
    # (where it is redundant) because the source's parameter count includes it.
    layers = [nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1)]
    if batch_norm:
        layers.append(nn.BatchNorm2d(out_channels))
    return [*layers, nn.ReLU()]


class CifarWideCNN(nn.Module):
    """Model 3: six 3x3 convolutions with BatchNorm and dropout, 5,852,170 parameters.

    Layers (output shape per image; parameters). Every convolution is 3x3 with padding 1
    and a bias; BatchNorm follows the first convolution of each pair only:

    - Conv 3 -> 32 + BatchNorm + ReLU: 32x32x32 (896 + 64)
    - Conv 32 -> 64 + ReLU: 64x32x32 (18,496); MaxPool 2x2: 64x16x16
    - Conv 64 -> 128 + BatchNorm + ReLU: 128x16x16 (73,856 + 256)
    - Conv 128 -> 128 + ReLU: 128x16x16 (147,584); MaxPool 2x2: 128x8x8
    - Conv 128 -> 256 + BatchNorm + ReLU: 256x8x8 (295,168 + 512)
    - Conv 256 -> 256 + ReLU: 256x8x8 (590,080); MaxPool 2x2: 256x4x4; Dropout 0.05
    - Flatten to 4096; Linear 4096 -> 1024 + ReLU (4,195,328)
    - Linear 1024 -> 512 + ReLU (524,800); Dropout 0.05
    - Linear 512 -> 10 (5,130): logits

    ``dropout`` sets both dropout probabilities (the source uses 0.05).
    """

    def __init__(self, dropout=0.05):
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.features = nn.Sequential(
            *_conv(3, 32, batch_norm=True),
            *_conv(32, 64, batch_norm=False),
            nn.MaxPool2d(2),  # (N, 64, 32, 32) -> (N, 64, 16, 16)
            *_conv(64, 128, batch_norm=True),
            *_conv(128, 128, batch_norm=False),
            nn.MaxPool2d(2),  # -> (N, 128, 8, 8)
            *_conv(128, 256, batch_norm=True),
            *_conv(256, 256, batch_norm=False),
            nn.MaxPool2d(2),  # -> (N, 256, 4, 4)
            nn.Dropout(dropout),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),  # -> (N, 4096)
            nn.Linear(256 * 4 * 4, 1024),
            nn.ReLU(),
            nn.Linear(1024, 512),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        _check_cifar_input(x, "CifarWideCNN")
        return self.classifier(self.features(x))
