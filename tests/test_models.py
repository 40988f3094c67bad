"""dlbook_utils.models: pinned parameter counts, shapes, residual and cost properties."""

from fractions import Fraction

import pytest
import torch
from torch import nn

from dlbook_utils import models
from dlbook_utils.models import count_multiply_adds, count_parameters


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


def conv_params(c_in, c_out, k, bias=True, groups=1):
    return c_out * (c_in // groups) * k * k + (c_out if bias else 0)


def linear_params(n_in, n_out):
    return n_in * n_out + n_out


# ---- the CIFAR-10 trio (chapter 8) ----------------------------------------------------


@pytest.mark.parametrize(
    "cls, expected",
    [
        (models.CifarMLP, 3_426_250),
        (models.CifarLeNet, 62_006),
        (models.CifarWideCNN, 5_852_170),
    ],
)
def test_cifar_models_have_the_sources_parameter_counts(cls, expected):
    assert count_parameters(cls()) == expected


def test_cifar_layer_counts_match_their_docstrings():
    mlp = [
        linear_params(3072, 1024),
        linear_params(1024, 256),
        linear_params(256, 64),
        linear_params(64, 10),
    ]
    assert mlp == [3_146_752, 262_400, 16_448, 650]
    lenet = [
        conv_params(3, 6, 5),
        conv_params(6, 16, 5),
        linear_params(400, 120),
        linear_params(120, 84),
        linear_params(84, 10),
    ]
    assert lenet == [456, 2_416, 48_120, 10_164, 850]
    wide = models.CifarWideCNN()
    convs = [m for m in wide.modules() if isinstance(m, nn.Conv2d)]
    assert [(m.in_channels, m.out_channels) for m in convs] == [
        (3, 32),
        (32, 64),
        (64, 128),
        (128, 128),
        (128, 256),
        (256, 256),
    ]
    assert all(
        m.kernel_size == (3, 3) and m.padding == (1, 1) and m.bias is not None
        for m in convs
    )
    assert [count_parameters(m) for m in convs] == [
        896,
        18_496,
        73_856,
        147_584,
        295_168,
        590_080,
    ]
    bns = [m.num_features for m in wide.modules() if isinstance(m, nn.BatchNorm2d)]
    assert bns == [32, 128, 256]
    # BatchNorm directly after the first convolution of each pair only.
    layers = list(wide.features)
    after = [type(layers[layers.index(c) + 1]).__name__ for c in convs]
    assert after == ["BatchNorm2d", "ReLU"] * 3
    drops = [m.p for m in wide.modules() if isinstance(m, nn.Dropout)]
    assert drops == [0.05, 0.05]
    linears = [m for m in wide.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [
        (4096, 1024),
        (1024, 512),
        (512, 10),
    ]


@pytest.mark.parametrize("cls", [models.CifarMLP, models.CifarLeNet, models.CifarWideCNN])
def test_cifar_models_map_images_to_logits_also_in_channels_last(cls):
    torch.manual_seed(0)
    model = cls().eval()
    x = torch.rand(3, 3, 32, 32, generator=gen())
    logits = model(x)
    assert logits.shape == (3, 10) and logits.dtype == torch.float32
    model = model.to(memory_format=torch.channels_last)
    x_cl = x.to(memory_format=torch.channels_last)
    assert torch.allclose(model(x_cl), logits, atol=1e-5, rtol=1e-4)
    with pytest.raises(ValueError, match=r"\(N, 3, 32, 32\), got \(2, 1, 28, 28\)"):
        model(torch.rand(2, 1, 28, 28))


def test_cifar_feature_maps_have_the_documented_shapes():
    x = torch.rand(2, 3, 32, 32)
    assert models.CifarLeNet().features(x).shape == (2, 16, 5, 5)
    assert models.CifarWideCNN().features(x).shape == (2, 256, 4, 4)
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\)"):
        models.CifarWideCNN(dropout=1.0)


# ---- LeNet-5 and VGG ------------------------------------------------------------------


@pytest.mark.parametrize("size", [28, 32])
def test_lenet5_parameters_and_shapes(size):
    model = models.LeNet5(input_size=size)
    assert count_parameters(model) == 61_706
    x = torch.rand(4, 1, size, size)
    assert model.features[1](model.features[0](x)).shape == (4, 6, 28, 28)
    assert model.features(x).shape == (4, 120, 1, 1)
    assert model(x).shape == (4, 10)
    other = size + 4
    with pytest.raises(ValueError, match=f"expects \\(N, C, {size}, {size}\\)"):
        model(torch.rand(1, 1, other, other))
    # Three input channels: C1 grows by 300 weights, as the CIFAR LeNet's does.
    assert count_parameters(models.LeNet5(3, num_classes=5)) == 61_706 + 300 - 85 * 5
    with pytest.raises(ValueError, match="input_size must be 28 or 32"):
        models.LeNet5(input_size=64)


@pytest.mark.parametrize(
    "c_in, c_out, n, hw", [(1, 8, 1, 28), (8, 16, 2, 14), (16, 32, 3, 7)]
)
@pytest.mark.parametrize("batch_norm", [False, True])
def test_vgg_block(c_in, c_out, n, hw, batch_norm):
    block = models.vgg_block(c_in, c_out, n, batch_norm=batch_norm)
    expected = conv_params(c_in, c_out, 3) + (n - 1) * conv_params(c_out, c_out, 3)
    expected += 2 * c_out * n if batch_norm else 0
    assert count_parameters(block) == expected
    assert block(torch.rand(2, c_in, hw, hw)).shape == (2, c_out, hw // 2, hw // 2)
    with pytest.raises(ValueError, match="num_convs must be an integer >= 1"):
        models.vgg_block(c_in, c_out, 0)


# ---- Inception ------------------------------------------------------------------------

INCEPTION_3A = (192, 64, 96, 128, 16, 32, 32)  # GoogLeNet's first module


def test_inception_module_parameters_shapes_and_branches():
    module = models.InceptionModule(*INCEPTION_3A)
    assert module.out_channels == 256
    expected = (
        conv_params(192, 64, 1)
        + conv_params(192, 96, 1)
        + conv_params(96, 128, 3)
        + conv_params(192, 16, 1)
        + conv_params(16, 32, 5)
        + conv_params(192, 32, 1)
    )
    assert count_parameters(module) == expected == 163_696
    x = torch.rand(2, 192, 9, 11)
    out = module(x)
    assert out.shape == (2, 256, 9, 11)
    # Concatenated in branch order 1x1, 3x3, 5x5, pool.
    assert torch.equal(out[:, :64], module.branch1(x))
    assert torch.equal(out[:, 224:], module.branch4(x))
    with pytest.raises(ValueError, match="c5_reduce must be an integer >= 1"):
        models.InceptionModule(192, 64, 96, 128, 0, 32, 32)


def test_inception_projection_saving_is_counted():
    module = models.InceptionModule(*INCEPTION_3A)
    hw = 28 * 28
    per_pixel = 192 * 64 + (192 * 96 + 96 * 128 * 9) + (192 * 16 + 16 * 32 * 25) + 192 * 32
    assert count_multiply_adds(module, (192, 28, 28)) == hw * per_pixel
    # The 5x5 branch through its 1x1 projection against a 5x5 convolution on all 192.
    reduced = count_multiply_adds(module.branch3, (192, 28, 28))
    direct = count_multiply_adds(nn.Conv2d(192, 32, 5, padding=2), (192, 28, 28))
    assert reduced == hw * (192 * 16 + 16 * 32 * 25) and direct == hw * 192 * 32 * 25
    assert direct / reduced > 9


# ---- ResNet blocks --------------------------------------------------------------------


@pytest.mark.parametrize(
    "c_in, c_out, stride", [(8, 8, 1), (8, 16, 2), (8, 16, 1), (8, 8, 2)]
)
def test_basic_block_shapes_parameters_and_shortcut(c_in, c_out, stride):
    block = models.BasicBlock(c_in, c_out, stride)
    y = block(torch.rand(2, c_in, 9, 9))
    assert y.shape == (2, c_out, (9 + stride - 1) // stride, (9 + stride - 1) // stride)
    identity = stride == 1 and c_in == c_out
    assert (block.downsample is None) == identity
    expected = conv_params(c_in, c_out, 3, bias=False) + conv_params(c_out, c_out, 3, False)
    expected += 4 * c_out + (0 if identity else c_in * c_out + 2 * c_out)
    assert count_parameters(block) == expected
    assert count_parameters(models.BasicBlock(c_in, c_out, stride, residual=False)) == (
        expected - (0 if identity else c_in * c_out + 2 * c_out)
    )


def test_basic_block_has_torchvisions_state_dict_names():
    keys = list(models.BasicBlock(4, 8, stride=2).state_dict())
    bn = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert keys == (
        ["conv1.weight"]
        + [f"bn1.{k}" for k in bn]
        + ["conv2.weight"]
        + [f"bn2.{k}" for k in bn]
        + ["downsample.0.weight"]
        + [f"downsample.1.{k}" for k in bn]
    )


@pytest.mark.parametrize("train", [True, False])
def test_zeroing_the_last_batchnorm_leaves_relu_of_the_input(train):
    x = torch.randn(4, 8, 6, 6, generator=gen())
    basic = models.BasicBlock(8, 8).train(train)
    bottleneck = models.Bottleneck(32, 8).train(train)  # 8 * 4 = 32 channels out
    for block, last_bn, inp in (
        (basic, basic.bn2, x),
        (bottleneck, bottleneck.bn3, x.repeat(1, 4, 1, 1)),
    ):
        with torch.no_grad():
            last_bn.weight.zero_()
        assert block.downsample is None
        assert torch.equal(block(inp), torch.relu(inp))
        plain = type(block)(inp.shape[1], 8, residual=False).train(train)
        with torch.no_grad():
            [m for m in plain.modules() if isinstance(m, nn.BatchNorm2d)][-1].weight.zero_()
        assert torch.equal(plain(inp), torch.zeros_like(inp))  # no shortcut: nothing left


def test_projection_shortcut_is_used_when_the_shape_changes():
    block = models.BasicBlock(4, 8, stride=2).eval()
    with torch.no_grad():
        block.bn2.weight.zero_()
    x = torch.randn(2, 4, 8, 8, generator=gen())
    assert torch.allclose(block(x), torch.relu(block.downsample(x)))
    assert block.downsample[0].stride == (2, 2) and block.downsample[0].kernel_size == (
        1,
        1,
    )


@pytest.mark.parametrize(
    "c_in, mid, stride, expansion",
    [(16, 4, 1, 4), (16, 8, 2, 4), (32, 8, 1, 4), (8, 8, 2, 2)],
)
def test_bottleneck_shapes_and_parameters(c_in, mid, stride, expansion):
    block = models.Bottleneck(c_in, mid, stride, expansion=expansion)
    c_out = mid * expansion
    assert block.out_channels == c_out and block.conv2.stride == (stride, stride)
    assert block(torch.rand(2, c_in, 8, 8)).shape == (2, c_out, 8 // stride, 8 // stride)
    identity = stride == 1 and c_in == c_out
    expected = c_in * mid + 9 * mid * mid + mid * c_out + 2 * (2 * mid + c_out)
    expected += 0 if identity else c_in * c_out + 2 * c_out
    assert count_parameters(block) == expected


def test_he_initialisation():
    torch.manual_seed(0)
    block = models.BasicBlock(64, 128, stride=2)
    for conv in (block.conv1, block.conv2, block.downsample[0]):
        fan_out = conv.out_channels * conv.kernel_size[0] * conv.kernel_size[1]
        assert abs(conv.weight.std().item() / (2 / fan_out) ** 0.5 - 1) < 0.05
        assert abs(conv.weight.mean().item()) < 0.1 * (2 / fan_out) ** 0.5
    for bn in (block.bn1, block.bn2, block.downsample[1]):
        assert torch.all(bn.weight == 1) and torch.all(bn.bias == 0)


# ---- MobileNet and counting -----------------------------------------------------------


@pytest.mark.parametrize(
    "c_in, c_out, stride, hw", [(8, 16, 1, 14), (16, 32, 2, 14), (32, 64, 2, 7)]
)
def test_depthwise_separable_shapes_parameters_and_cost_ratio(c_in, c_out, stride, hw):
    block = models.DepthwiseSeparable(c_in, c_out, stride)
    assert block.depthwise.groups == c_in and block.depthwise.weight.shape == (
        c_in,
        1,
        3,
        3,
    )
    out_hw = (hw + stride - 1) // stride
    assert block(torch.rand(2, c_in, hw, hw)).shape == (2, c_out, out_hw, out_hw)
    assert count_parameters(block) == 9 * c_in + c_in * c_out + 2 * (c_in + c_out)
    standard = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
    ours = count_multiply_adds(block, (c_in, hw, hw))
    theirs = count_multiply_adds(standard, (c_in, hw, hw))
    assert ours == out_hw * out_hw * c_in * (9 + c_out)
    assert Fraction(ours, theirs) == Fraction(1, c_out) + Fraction(1, 9)


def test_count_multiply_adds_by_hand():
    model = nn.Sequential(
        nn.Conv2d(3, 8, 5, stride=2, padding=1),  # 3x15x15 -> 8x7x7
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.Conv2d(8, 8, 3, padding=1, groups=4),  # 8x7x7, 2 input channels per group
        nn.MaxPool2d(2),  # 8x3x3
        nn.Flatten(),
        nn.Linear(72, 20),
        nn.Linear(20, 5),
    )
    expected = 8 * 7 * 7 * 3 * 25 + 8 * 7 * 7 * 2 * 9 + 72 * 20 + 20 * 5
    model.train()
    model[1].eval()  # a submodule's own mode survives the count
    assert count_multiply_adds(model, (3, 15, 15)) == expected
    assert model.training and not model[1].training and model[0].training
    assert not any(m._forward_hooks for m in model.modules())  # hooks removed
    assert count_multiply_adds(models.LeNet5(), (1, 28, 28)) == (
        6 * 28 * 28 * 25 + 16 * 10 * 10 * 6 * 25 + 120 * 16 * 25 + 120 * 84 + 84 * 10
    )
    with pytest.raises(ValueError, match="one example, no batch dimension"):
        count_multiply_adds(model, (2, 3, 15, 0))


def test_count_parameters_trainable_only():
    model = models.small_mobilenet()
    total = count_parameters(model)
    model.features.requires_grad_(False)
    assert count_parameters(model) == total
    assert count_parameters(model, trainable_only=True) == 128 * 10 + 10


# ---- small networks for Fashion-MNIST -------------------------------------------------

SMALL = {
    "small_vgg": (lambda **kw: models.small_vgg(**kw), 55_738),
    "small_resnet8": (lambda **kw: models.small_resnet(8, **kw), 19_810),
    "small_resnet20": (lambda **kw: models.small_resnet(20, **kw), 68_642),
    "small_plain20": (lambda **kw: models.small_resnet(20, residual=False, **kw), 67_906),
    "small_inception": (lambda **kw: models.small_inception(**kw), 15_578),
    "small_mobilenet": (lambda **kw: models.small_mobilenet(**kw), 36_874),
}


@pytest.mark.parametrize("name", SMALL)
def test_small_networks_parameters_shapes_and_parts(name):
    make, expected = SMALL[name]
    model = make()
    assert count_parameters(model) == expected < 300_000
    assert list(dict(model.named_children())) == ["features", "classifier"]
    assert model(torch.rand(3, 1, 28, 28)).shape == (3, 10)
    assert make(in_channels=3, num_classes=4)(torch.rand(2, 3, 28, 28)).shape == (2, 4)
    assert count_multiply_adds(model, (1, 28, 28)) < 10_000_000
    cl = model.eval().to(memory_format=torch.channels_last)
    x = torch.rand(2, 1, 28, 28)
    assert torch.allclose(cl(x.to(memory_format=torch.channels_last)), cl(x), atol=1e-5)


def test_small_resnet_plain_and_residual_differ_only_by_the_shortcuts():
    residual, plain = models.small_resnet(14), models.small_resnet(14, residual=False)
    blocks = [m for m in plain.modules() if isinstance(m, models.BasicBlock)]
    assert len(blocks) == 6 and all(b.downsample is None and not b.residual for b in blocks)
    w = 8
    assert count_parameters(residual) - count_parameters(plain) == 10 * w * w + 12 * w
    convs = [
        m
        for m in residual.modules()
        if isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3)
    ]
    assert len(convs) + 1 == 14  # depth counts the 3x3 convolutions and the linear layer
    with pytest.raises(ValueError, match="depth must be 6n \\+ 2"):
        models.small_resnet(10)


@pytest.mark.parametrize(
    "name", ["small_vgg", "small_resnet8", "small_inception", "small_mobilenet"]
)
def test_small_networks_can_fit_a_tiny_batch(name):
    torch.manual_seed(0)
    model = SMALL[name][0]()
    # Faint noise plus a bright bar whose position is the class.
    y = torch.arange(20) % 10
    x = 0.2 * torch.rand(20, 1, 28, 28, generator=gen())
    for i, c in enumerate(y.tolist()):
        r, col = divmod(c, 5)
        x[i, 0, 4 + 12 * r : 12 + 12 * r, 1 + 5 * col : 6 + 5 * col] += 0.8
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(30):
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.25 * losses[0]
