#!/usr/bin/python3
"""Plain PyTorch definitions of resbench's model zoo: the 18 ResNet-family models of timm
(ResNet, ResNeXt, SE-ResNe(X)t, SK-ResNe(X)t, ResNeSt), written from the architecture spec,
with timm's (and, for the plain ResNets, torchvision's) state_dict key names and shapes.

Run with Debian's PyTorch (/usr/bin/python3). Used by tools/export.py and tools/golden_models.py;
nothing here imports timm.

    import resbench_torch as rt
    model = rt.create("resnest50d")        # a ResNet nn.Module, num_classes=1000
    rt.save_safetensors("w.safetensors", model.state_dict())
"""

import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_divisible(v, divisor=8, min_value=None, round_limit=0.9):
    """timm's channel rounding: nearest multiple of divisor (at least min_value), bumped up
    one divisor when rounding lost more than (1 - round_limit) of v."""
    min_value = min_value or divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < round_limit * v:
        new_v += divisor
    return new_v


def conv(cin, cout, k, stride=1, groups=1, dilation=1, bias=False):
    """A k x k convolution with symmetric padding ((stride - 1) + dilation * (k - 1)) // 2."""
    pad = ((stride - 1) + dilation * (k - 1)) // 2
    return nn.Conv2d(cin, cout, k, stride, pad, dilation, groups=groups, bias=bias)


class ConvBnAct(nn.Module):
    """timm's ConvNormAct: keys .conv.weight and .bn.*; ReLU after the BN unless act=False."""

    def __init__(self, cin, cout, k, stride=1, groups=1, dilation=1, act=True):
        super().__init__()
        self.conv = conv(cin, cout, k, stride, groups, dilation)
        self.bn = nn.BatchNorm2d(cout)
        self.act = nn.ReLU(inplace=True) if act else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class SEModule(nn.Module):
    """Squeeze-and-excitation: x * sigmoid(fc2(relu(fc1(mean_HW(x))))), 1x1 convs with bias."""

    def __init__(self, channels):
        super().__init__()
        rd = make_divisible(channels / 16, 8, round_limit=0.0)
        self.fc1 = nn.Conv2d(channels, rd, 1, bias=True)
        self.fc2 = nn.Conv2d(rd, channels, 1, bias=True)

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        return x * torch.sigmoid(self.fc2(F.relu(self.fc1(s))))


# ---- ResNet blocks (torchvision-compatible names) ----

class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, cardinality=1, base_width=64, attn=None):
        super().__init__()
        assert cardinality == 1 and base_width == 64, "BasicBlock takes cardinality 1 and base_width 64"
        self.conv1 = conv(inplanes, planes, 3, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv(planes, planes, 3)
        self.bn2 = nn.BatchNorm2d(planes)
        self.se = SEModule(planes) if attn == "se" else None
        self.downsample = downsample

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.se is not None:
            out = self.se(out)
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


class Bottleneck(nn.Module):
    """ResNet v1.5 bottleneck: the stride sits on the grouped 3x3."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, cardinality=1, base_width=64, attn=None):
        super().__init__()
        width = int(math.floor(planes * base_width / 64)) * cardinality
        out = planes * self.expansion
        self.conv1 = conv(inplanes, width, 1)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv(width, width, 3, stride, groups=cardinality)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = conv(width, out, 1)
        self.bn3 = nn.BatchNorm2d(out)
        self.se = SEModule(out) if attn == "se" else None
        self.downsample = downsample

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.se is not None:
            out = self.se(out)
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


# ---- Selective Kernel (SKNet) ----

class SelectiveKernelAttn(nn.Module):
    """fc_reduce (no bias) -> BN -> ReLU -> fc_select (no bias) -> softmax over the paths."""

    def __init__(self, channels, num_paths, attn_channels):
        super().__init__()
        self.num_paths = num_paths
        self.fc_reduce = nn.Conv2d(channels, attn_channels, 1, bias=False)
        self.bn = nn.BatchNorm2d(attn_channels)
        self.fc_select = nn.Conv2d(attn_channels, channels * num_paths, 1, bias=False)

    def forward(self, u):
        """u: the sum of the paths (B, C, H, W). Returns weights (B, paths, C, 1, 1)."""
        s = u.mean((2, 3), keepdim=True)
        a = self.fc_select(F.relu(self.bn(self.fc_reduce(s))))
        return torch.softmax(a.view(a.shape[0], self.num_paths, -1, 1, 1), dim=1)  # path index is major


class SelectiveKernel(nn.Module):
    """Two 3x3 paths (dilation 1 and 2, i.e. kernels [3, 5] with keep_3x3), each conv-BN-ReLU,
    mixed per channel by a softmax attention. split_input feeds each path half the channels."""

    def __init__(self, cin, cout, stride=1, groups=1, rd_ratio=1 / 16, rd_divisor=8, split_input=True):
        super().__init__()
        dilations = [1, 2]
        self.split_input = split_input
        path_in = cin // len(dilations) if split_input else cin
        self.paths = nn.ModuleList(
            [ConvBnAct(path_in, cout, 3, stride, groups=min(cout, groups), dilation=d) for d in dilations])
        self.attn = SelectiveKernelAttn(cout, len(dilations), make_divisible(cout * rd_ratio, rd_divisor))

    def forward(self, x):
        if self.split_input:
            xs = torch.chunk(x, len(self.paths), dim=1)
            ys = [path(xi) for path, xi in zip(self.paths, xs)]
        else:
            ys = [path(x) for path in self.paths]
        y = torch.stack(ys, dim=1)  # (B, paths, C, H, W)
        return (y * self.attn(y.sum(1))).sum(1)


class SelectiveKernelBasic(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, cardinality=1, base_width=64,
                 rd_ratio=1 / 16, rd_divisor=8, split_input=True):
        super().__init__()
        assert cardinality == 1 and base_width == 64, "SelectiveKernelBasic takes cardinality 1 and base_width 64"
        self.conv1 = SelectiveKernel(inplanes, planes, stride, 1, rd_ratio, rd_divisor, split_input)
        self.conv2 = ConvBnAct(planes, planes, 3, act=False)
        self.downsample = downsample

    def forward(self, x):
        out = self.conv2(self.conv1(x))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


class SelectiveKernelBottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, cardinality=1, base_width=64,
                 rd_ratio=1 / 16, rd_divisor=8, split_input=True):
        super().__init__()
        width = int(math.floor(planes * base_width / 64)) * cardinality
        self.conv1 = ConvBnAct(inplanes, width, 1)
        self.conv2 = SelectiveKernel(width, width, stride, cardinality, rd_ratio, rd_divisor, split_input)
        self.conv3 = ConvBnAct(width, planes * self.expansion, 1, act=False)
        self.downsample = downsample

    def forward(self, x):
        out = self.conv3(self.conv2(self.conv1(x)))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


# ---- ResNeSt ----

class RadixSoftmax(nn.Module):
    """The official ResNeSt rSoftMax: logits laid out [K][R][C/K] (grouped fc2) are softmaxed over
    R and returned as [R][K][C/K]; with radix 1 a plain sigmoid."""

    def __init__(self, radix, cardinality):
        super().__init__()
        self.radix, self.cardinality = radix, cardinality

    def forward(self, a):
        b = a.shape[0]
        if self.radix == 1:
            return torch.sigmoid(a)
        a = a.view(b, self.cardinality, self.radix, -1).transpose(1, 2)
        return torch.softmax(a, dim=1).reshape(b, -1)


class SplitAttn(nn.Module):
    """Split attention: a (K*R)-group 3x3 conv to R*C channels, BN, ReLU; attention over the R
    splits from their sum's global mean through grouped 1x1 convs fc1 (BN, ReLU) and fc2."""

    def __init__(self, channels, stride=1, groups=1, radix=2, rd_ratio=0.25, rd_divisor=8):
        super().__init__()
        self.radix = radix
        mid = channels * radix
        attn_chs = make_divisible(channels * radix * rd_ratio, rd_divisor, min_value=32)
        self.conv = conv(channels, mid, 3, stride, groups=groups * radix)
        self.bn0 = nn.BatchNorm2d(mid)
        self.fc1 = nn.Conv2d(channels, attn_chs, 1, groups=groups, bias=True)
        self.bn1 = nn.BatchNorm2d(attn_chs)
        self.fc2 = nn.Conv2d(attn_chs, mid, 1, groups=groups, bias=True)
        self.rsoftmax = RadixSoftmax(radix, groups)

    def forward(self, x):
        y = F.relu(self.bn0(self.conv(x)))
        b, rc, h, w = y.shape
        splits = y.view(b, self.radix, rc // self.radix, h, w)
        gap = splits.sum(1).mean((2, 3), keepdim=True)
        a = self.fc2(F.relu(self.bn1(self.fc1(gap))))
        att = self.rsoftmax(a).view(b, self.radix, rc // self.radix, 1, 1)
        return (splits * att).sum(1)


class ResNestBottleneck(nn.Module):
    """With avd, block 0 of a strided stage moves its stride from the split-attention conv to a
    3x3 average pool (count_include_pad) placed before (avd_first) or after that conv."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, cardinality=1, base_width=64,
                 radix=2, avd=False, avd_first=False):
        super().__init__()
        gw = int(planes * (base_width / 64.0)) * cardinality
        avd_stride = 0
        if avd and stride > 1:  # timm never passes is_first, so only strided blocks
            avd_stride, stride = stride, 1
        self.conv1 = conv(inplanes, gw, 1)
        self.bn1 = nn.BatchNorm2d(gw)
        self.avd_first = nn.AvgPool2d(3, avd_stride, padding=1) if avd_stride and avd_first else None
        self.conv2 = SplitAttn(gw, stride, cardinality, radix)
        self.avd_last = nn.AvgPool2d(3, avd_stride, padding=1) if avd_stride and not avd_first else None
        self.conv3 = conv(gw, planes * self.expansion, 1)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.downsample = downsample

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        if self.avd_first is not None:
            out = self.avd_first(out)
        out = self.conv2(out)
        if self.avd_last is not None:
            out = self.avd_last(out)
        out = self.bn3(self.conv3(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


# ---- the network ----

class ResNet(nn.Module):
    """timm's ResNet: 7x7 stem ('') or deep 3x(3x3) stem ('deep', stem_width), max pool, four
    stages of blocks (planes 64..512, strides 1,2,2,2), global average pool, fc."""

    def __init__(self, block, layers, cardinality=1, base_width=64, stem_type="", stem_width=64,
                 avg_down=False, num_classes=1000, **block_args):
        super().__init__()
        if stem_type == "deep":
            sw = stem_width
            self.conv1 = nn.Sequential(
                conv(3, sw, 3, 2), nn.BatchNorm2d(sw), nn.ReLU(inplace=True),
                conv(sw, sw, 3), nn.BatchNorm2d(sw), nn.ReLU(inplace=True),
                conv(sw, 2 * sw, 3))
            inplanes = 2 * sw
        else:
            assert stem_type == "", f"unknown stem_type {stem_type!r}"
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            inplanes = 64
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        for i, (planes, n) in enumerate(zip((64, 128, 256, 512), layers)):
            stride = 1 if i == 0 else 2
            out = planes * block.expansion
            downsample = None
            if stride != 1 or inplanes != out:
                proj = [nn.Conv2d(inplanes, out, 1, 1 if avg_down else stride, bias=False), nn.BatchNorm2d(out)]
                if avg_down:  # index 0 is the pool (no keys): downsample.1 conv, downsample.2 BN
                    pool = (nn.AvgPool2d(2, 2, ceil_mode=True, count_include_pad=False) if stride > 1
                            else nn.Identity())
                    proj.insert(0, pool)
                downsample = nn.Sequential(*proj)
            blocks = [block(inplanes, planes, stride, downsample, cardinality, base_width, **block_args)]
            inplanes = out
            blocks += [block(inplanes, planes, 1, None, cardinality, base_width, **block_args) for _ in range(1, n)]
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.num_features = inplanes
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(inplanes, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.global_pool(x), 1))


SK_BASIC = dict(rd_ratio=1 / 8, rd_divisor=16, split_input=True)
SK_NEXT = dict(rd_ratio=1 / 16, rd_divisor=32, split_input=False)
RESNEST = dict(stem_type="deep", stem_width=32, avg_down=True, avd=True)

# name -> ResNet(...) keyword arguments (spec section 1).
MODELS = {
    "resnet18": dict(block=BasicBlock, layers=(2, 2, 2, 2)),
    "resnet34": dict(block=BasicBlock, layers=(3, 4, 6, 3)),
    "resnet50": dict(block=Bottleneck, layers=(3, 4, 6, 3)),
    "resnet101": dict(block=Bottleneck, layers=(3, 4, 23, 3)),
    "resnet152": dict(block=Bottleneck, layers=(3, 8, 36, 3)),
    "resnext50_32x4d": dict(block=Bottleneck, layers=(3, 4, 6, 3), cardinality=32, base_width=4),
    "resnext101_32x4d": dict(block=Bottleneck, layers=(3, 4, 23, 3), cardinality=32, base_width=4),
    "seresnet50": dict(block=Bottleneck, layers=(3, 4, 6, 3), attn="se"),
    "seresnext50_32x4d": dict(block=Bottleneck, layers=(3, 4, 6, 3), cardinality=32, base_width=4, attn="se"),
    "skresnet18": dict(block=SelectiveKernelBasic, layers=(2, 2, 2, 2), **SK_BASIC),
    "skresnet34": dict(block=SelectiveKernelBasic, layers=(3, 4, 6, 3), **SK_BASIC),
    "skresnext50_32x4d": dict(block=SelectiveKernelBottleneck, layers=(3, 4, 6, 3), cardinality=32,
                              base_width=4, **SK_NEXT),
    "resnest14d": dict(block=ResNestBottleneck, layers=(1, 1, 1, 1), radix=2, **RESNEST),
    "resnest26d": dict(block=ResNestBottleneck, layers=(2, 2, 2, 2), radix=2, **RESNEST),
    "resnest50d": dict(block=ResNestBottleneck, layers=(3, 4, 6, 3), radix=2, **RESNEST),
    "resnest50d_1s4x24d": dict(block=ResNestBottleneck, layers=(3, 4, 6, 3), cardinality=4, base_width=24,
                               radix=1, avd_first=True, **RESNEST),
    "resnest50d_4s2x40d": dict(block=ResNestBottleneck, layers=(3, 4, 6, 3), cardinality=2, base_width=40,
                               radix=4, avd_first=True, **RESNEST),
    "resnest101e": dict(block=ResNestBottleneck, layers=(3, 4, 23, 3), radix=2, **dict(RESNEST, stem_width=64)),
}

# Default input resolution where it is not 224.
NATIVE_RES = {"resnest101e": 256}

# Registry models torchvision 0.14 also defines, with identical keys.
TORCHVISION = ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d")


def create(name, num_classes=1000):
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    return ResNet(num_classes=num_classes, **MODELS[name])


@torch.no_grad()
def randomize(model, seed=0, calib_batch=16, calib_res=128):
    """Deterministic random weights with non-identity, well-scaled BN statistics; eval mode.

    Convs: Kaiming-normal (fan_out); conv biases N(0, 0.1^2); fc: PyTorch's default init; BN
    gamma U[0.5, 1.5), beta N(0, 0.2^2). Running statistics come from one eval-mode pass over
    calib_batch noise images: each BN, as the pass reaches it, takes its input's per-channel
    mean and variance, perturbed (mean += 0.1 * std * N(0, 1), var *= U[0.7, 1.4)), so every BN
    is non-identity yet activations stay of order one at any depth (statistics measured in
    train mode instead blow up through the attention BNs of SK/ResNeSt at eval time)."""
    torch.manual_seed(seed)
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                m.bias.normal_(0, 0.1)
        elif isinstance(m, nn.Linear):
            m.reset_parameters()
        elif isinstance(m, nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5)
            m.bias.normal_(0, 0.2)
            m.reset_running_stats()

    def calibrate(bn, inputs):
        x = inputs[0]
        var = x.var((0, 2, 3), unbiased=False)
        var = var.clamp_min(0.01 * var.mean().item() + 1e-6)  # channels dead on these images
        bn.running_mean.copy_(x.mean((0, 2, 3)) + 0.1 * var.sqrt() * torch.randn_like(var))
        bn.running_var.copy_(var * torch.empty_like(var).uniform_(0.7, 1.4))

    hooks = [m.register_forward_pre_hook(calibrate) for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    model.eval()
    try:
        # Images of varied contrast and colour cast, so that their global means (what the attention
        # BNs see) spread enough for the statistics to hold on other inputs and resolutions.
        x = torch.randn(calib_batch, 3, calib_res, calib_res)
        model(x * torch.empty(calib_batch, 1, 1, 1).uniform_(0.5, 1.5) + 0.5 * torch.randn(calib_batch, 3, 1, 1))
    finally:
        for h in hooks:
            h.remove()
    return model


_ST_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
              torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8"}


def save_safetensors(path, tensors, metadata=None):
    """Writes a safetensors file by hand: 8-byte little-endian header length, a JSON header
    (name -> dtype, shape, data_offsets; optional "__metadata__" of strings) padded with spaces
    to a multiple of 8, then the raw little-endian data in header order (the given dict's order)."""
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        if t.dtype not in _ST_DTYPES:
            raise ValueError(f"{name}: unsupported dtype {t.dtype}")
        b = t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        header[name] = {"dtype": _ST_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    assert sys.byteorder == "little", "the raw data is written in native (little-endian) order"
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little"))
        f.write(h)
        for b in blobs:
            f.write(b)


_ST_TORCH = {v: k for k, v in _ST_DTYPES.items() if k != torch.bfloat16}


def load_safetensors(path):
    """The tensors of a safetensors file (no bf16), as a dict in file order, and its metadata."""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        t = torch.frombuffer(bytearray(data[a:b]), dtype=_ST_TORCH[h["dtype"]]) if b > a else torch.empty(0)
        out[name] = t.reshape(h["shape"])
    return out, meta
