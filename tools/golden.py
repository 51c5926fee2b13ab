#!/usr/bin/python3
"""Golden fixtures: small PyTorch-computed cases that tests/test_golden.c checks resbench against.

Regenerate (Debian's PyTorch lives in the system interpreter, not in every python3 on PATH):

    /usr/bin/python3 tools/golden.py            # writes tests/fixtures/*.safetensors

The output is deterministic (torch.manual_seed per file, fixed case order, sorted header keys), so a
regenerated fixture that differs from the committed one means PyTorch's semantics changed.

Conventions in every file:
  * safetensors written by hand below (8-byte little-endian header length, JSON header padded
    with spaces to a multiple of 8, raw little-endian float32); the safetensors package is not used.
  * Tensors are named "<case>.<what>": activations NHWC (x.permute(0, 2, 3, 1)), weights in
    PyTorch's OIHW layout and state_dict names (timm / official ResNeSt), all float32.
  * Descriptors live in "__metadata__" as decimal strings: "<case>.<field>" (e.g.
    "g2_3x3_res_relu.stride_h": "1"), plus "cases": the comma-separated case names in order.
  * Inputs are float32. Expected outputs are computed in float64 from those exact float32 values
    and rounded once to float32, so a fixture holds the exact answer to within half an ulp and the
    test's tolerance only has to cover resbench's own float32 error.
"""

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resbench_torch import save_safetensors  # noqa: E402  (the one safetensors writer in tools/)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")


def nhwc(t):
    return t.permute(0, 2, 3, 1).contiguous()


def save(path, tensors, meta):
    """Writes a safetensors file: float32 tensors in name order, data in the same order."""
    save_safetensors(path, {name: tensors[name].detach().to(torch.float32) for name in sorted(tensors)}, meta)
    print(f"{os.path.relpath(path)}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")


def f32(t):
    """A float32 tensor (the stored input) and its exact float64 copy (for computing)."""
    t = t.to(torch.float32)
    return t, t.double()


def positive(*shape):
    """Non-negative like a ReLU output, but without the zeros that would hide indexing bugs."""
    return torch.randn(*shape).abs() + 1e-3


def uniform(shape, bound):
    return (torch.rand(shape) * 2 - 1) * bound


def bn_params(c):
    """Eval-mode BatchNorm2d with random, never-identity statistics."""
    return {
        "weight": torch.rand(c) + 0.5,          # gamma in [0.5, 1.5)
        "bias": torch.randn(c) * 0.2,           # beta
        "running_mean": torch.randn(c) * 0.5,
        "running_var": torch.rand(c) * 1.5 + 0.5,
    }


def bn64(x, p, eps):
    return F.batch_norm(x, p["running_mean"].double(), p["running_var"].double(), p["weight"].double(),
                        p["bias"].double(), training=False, eps=eps)


# ---- convolutions ----

# name, n, h, w, cin, cout, (kh, kw), (stride_h, stride_w), (pad_top, pad_left, pad_bottom, pad_right),
# dilation, groups, bias, residual, relu
CONV_CASES = [
    ("dense3x3", 2, 9, 11, 12, 24, (3, 3), (1, 1), (1, 1, 1, 1), 1, 1, True, False, False),
    ("dense3x3_c64_res_relu", 2, 7, 9, 64, 16, (3, 3), (1, 1), (1, 1, 1, 1), 1, 1, True, True, True),
    ("g2_3x3_res_relu", 2, 9, 11, 12, 24, (3, 3), (1, 1), (1, 1, 1, 1), 1, 2, True, True, True),
    ("g4_3x3", 2, 9, 11, 24, 24, (3, 3), (1, 1), (1, 1, 1, 1), 1, 4, False, False, False),
    ("g32x4_3x3_relu", 2, 5, 7, 128, 128, (3, 3), (1, 1), (1, 1, 1, 1), 1, 32, True, False, True),  # ResNeXt 32x4d
    ("dw3x3_relu", 2, 7, 9, 64, 64, (3, 3), (1, 1), (1, 1, 1, 1), 1, 64, True, False, True),  # depthwise
    ("asym3x3_s1", 2, 9, 11, 12, 24, (3, 3), (1, 1), (0, 2, 1, 0), 1, 1, True, False, False),
    ("dil2_3x3", 2, 9, 11, 12, 24, (3, 3), (1, 1), (2, 2, 2, 2), 2, 1, False, False, False),
    ("s2_3x3", 2, 9, 11, 12, 24, (3, 3), (2, 2), (1, 1, 1, 1), 1, 1, True, False, True),
    ("g2_s2_3x3", 2, 9, 11, 24, 24, (3, 3), (2, 2), (1, 1, 1, 1), 1, 2, False, False, False),
    ("g4_s2_dil2_3x3", 2, 9, 11, 16, 32, (3, 3), (2, 2), (2, 2, 2, 2), 2, 4, True, False, False),
    ("asym_s2_pad0011", 2, 9, 11, 12, 24, (3, 3), (2, 2), (0, 0, 1, 1), 1, 1, True, False, False),  # TF "SAME"
    ("stem7x7_s2", 2, 9, 11, 3, 64, (7, 7), (2, 2), (3, 3, 3, 3), 1, 1, False, False, False),
    ("pw1x1_s2", 2, 9, 11, 24, 48, (1, 1), (2, 2), (0, 0, 0, 0), 1, 1, False, False, False),
    ("pw1x1_res_relu", 2, 7, 9, 48, 24, (1, 1), (1, 1), (0, 0, 0, 0), 1, 1, True, True, True),
    ("k1x3", 2, 9, 11, 12, 12, (1, 3), (1, 1), (0, 1, 0, 1), 1, 1, True, False, False),
]


def conv_desc_meta(meta, name, n, h, w, cin, cout, k, s, p, d, g, relu):
    fields = {"n": n, "h": h, "w": w, "cin": cin, "cout": cout, "kh": k[0], "kw": k[1],
              "stride_h": s[0], "stride_w": s[1], "pad_top": p[0], "pad_left": p[1], "pad_bottom": p[2],
              "pad_right": p[3], "dil_h": d, "dil_w": d, "groups": g, "relu": int(relu)}
    for key, v in fields.items():
        meta[f"{name}.{key}"] = v


def conv64(x, wt, bias, s, p, d, g):
    # F.pad's order is (left, right, top, bottom).
    xp = F.pad(x, (p[1], p[3], p[0], p[2]))
    return F.conv2d(xp, wt, bias, stride=s, dilation=d, groups=g)


def gen_conv():
    torch.manual_seed(1)
    tensors, meta, names = {}, {}, []
    for (name, n, h, w, cin, cout, k, s, p, d, g, has_bias, has_res, relu) in CONV_CASES:
        bound = (cin // g * k[0] * k[1]) ** -0.5  # kaiming-uniform-like, keeps |y| near 1
        x, x64 = f32(torch.randn(n, cin, h, w))
        wt, w64 = f32(uniform((cout, cin // g, k[0], k[1]), bound))
        b, b64 = f32(uniform((cout,), bound)) if has_bias else (None, None)
        y = conv64(x64, w64, b64, s, p, d, g)
        tensors[f"{name}.x"] = nhwc(x)
        tensors[f"{name}.weight"] = wt
        if has_bias:
            tensors[f"{name}.bias"] = b
        if has_res:
            r, r64 = f32(torch.randn(y.shape))
            tensors[f"{name}.residual"] = nhwc(r)
            y = y + r64
        if relu:
            y = F.relu(y)
        tensors[f"{name}.y"] = nhwc(y)
        conv_desc_meta(meta, name, n, h, w, cin, cout, k, s, p, d, g, relu)
        names.append(name)
    meta["cases"] = ",".join(names)
    save(os.path.join(OUT, "conv.safetensors"), tensors, meta)


# ---- conv + BatchNorm (folded by resbench) ----

def gen_bn_fold():
    torch.manual_seed(2)
    tensors, meta, names = {}, {}, []
    eps = 1e-5
    # name, n, h, w, cin, cout, k, s, p, residual, relu: the ResNet conv-BN and downsample-shortcut patterns.
    cases = [("conv3x3_bn", 2, 9, 11, 12, 24, 3, 1, 1, False, False),
             ("conv1x1_s2_bn_res_relu", 2, 9, 11, 24, 48, 1, 2, 0, True, True)]
    for (name, n, h, w, cin, cout, k, s, p, has_res, relu) in cases:
        bound = (cin * k * k) ** -0.5
        x, x64 = f32(torch.randn(n, cin, h, w))
        wt, w64 = f32(uniform((cout, cin, k, k), bound))
        bn = {key: f32(v)[0] for key, v in bn_params(cout).items()}
        y = bn64(conv64(x64, w64, None, (s, s), (p, p, p, p), 1, 1), bn, eps)
        tensors[f"{name}.x"] = nhwc(x)
        tensors[f"{name}.weight"] = wt
        for key, v in bn.items():
            tensors[f"{name}.bn.{key}"] = v
        if has_res:
            r, r64 = f32(torch.randn(y.shape))
            tensors[f"{name}.residual"] = nhwc(r)
            y = y + r64
        if relu:
            y = F.relu(y)
        tensors[f"{name}.y"] = nhwc(y)
        conv_desc_meta(meta, name, n, h, w, cin, cout, (k, k), (s, s), (p, p, p, p), 1, 1, relu)
        meta[f"{name}.eps"] = repr(eps)
        names.append(name)
    meta["cases"] = ",".join(names)
    save(os.path.join(OUT, "bn_fold.safetensors"), tensors, meta)


# ---- squeeze-and-excitation ----

def gen_se():
    torch.manual_seed(3)
    tensors, meta = {}, {}
    n, h, w = 2, 7, 9

    # timm SqueezeExcite: conv_reduce (1x1, bias) -> ReLU -> conv_expand (1x1, bias) -> sigmoid gate.
    c, rd = 64, 16
    x, x64 = f32(positive(n, c, h, w))  # SE follows a conv + BN + ReLU
    w1, w164 = f32(uniform((rd, c, 1, 1), c ** -0.5))
    b1, b164 = f32(uniform((rd,), c ** -0.5))
    w2, w264 = f32(uniform((c, rd, 1, 1), rd ** -0.5))
    b2, b264 = f32(uniform((c,), rd ** -0.5))
    s = x64.mean((2, 3), keepdim=True)
    s = F.conv2d(F.relu(F.conv2d(s, w164, b164)), w264, b264)
    y = x64 * torch.sigmoid(s)
    tensors.update({"se.x": nhwc(x), "se.conv_reduce.weight": w1, "se.conv_reduce.bias": b1,
                    "se.conv_expand.weight": w2, "se.conv_expand.bias": b2, "se.y": nhwc(y)})
    meta.update({"se.n": n, "se.h": h, "se.w": w, "se.c": c, "se.reduced": rd, "se.groups": 1})

    # ResNeSt-style grouped FCs (groups = cardinality) with an eval-mode BatchNorm between them:
    # fc1 -> bn1 -> ReLU -> fc2 -> sigmoid gate (radix 1 split attention).
    c, rd, g, eps = 64, 32, 2, 1e-5
    x, x64 = f32(positive(n, c, h, w))
    w1, w164 = f32(uniform((rd, c // g, 1, 1), (c // g) ** -0.5))
    b1, b164 = f32(uniform((rd,), (c // g) ** -0.5))
    w2, w264 = f32(uniform((c, rd // g, 1, 1), (rd // g) ** -0.5))
    b2, b264 = f32(uniform((c,), (rd // g) ** -0.5))
    bn = {key: f32(v)[0] for key, v in bn_params(rd).items()}
    s = x64.mean((2, 3), keepdim=True)
    s = F.relu(bn64(F.conv2d(s, w164, b164, groups=g), bn, eps))
    s = F.conv2d(s, w264, b264, groups=g)
    y = x64 * torch.sigmoid(s)
    p = "se_grouped_bn"
    tensors.update({f"{p}.x": nhwc(x), f"{p}.fc1.weight": w1, f"{p}.fc1.bias": b1, f"{p}.fc2.weight": w2,
                    f"{p}.fc2.bias": b2, f"{p}.y": nhwc(y)})
    for key, v in bn.items():
        tensors[f"{p}.bn1.{key}"] = v
    meta.update({f"{p}.n": n, f"{p}.h": h, f"{p}.w": w, f"{p}.c": c, f"{p}.reduced": rd, f"{p}.groups": g,
                 f"{p}.eps": repr(eps)})
    meta["cases"] = "se,se_grouped_bn"
    save(os.path.join(OUT, "se.safetensors"), tensors, meta)


# ---- ResNeSt rSoftMax and the split-attention sum ----

class RSoftMax(torch.nn.Module):
    """rSoftMax exactly as the official ResNeSt code (resnest/torch/models/splat.py) computes it."""

    def __init__(self, radix, cardinality):
        super().__init__()
        self.radix = radix
        self.cardinality = cardinality

    def forward(self, x):
        batch = x.size(0)
        if self.radix > 1:
            x = x.view(batch, self.cardinality, self.radix, -1).transpose(1, 2)
            x = F.softmax(x, dim=1)
            x = x.reshape(batch, -1)
        else:
            x = torch.sigmoid(x)
        return x


def gen_radix():
    torch.manual_seed(4)
    tensors, meta, names = {}, {}, []
    n, h, w, channels = 2, 5, 7, 24
    for radix in (1, 2, 4):
        for card in (1, 2):
            name = f"r{radix}_c{card}"
            # fc2's output, [n, radix * channels] in [cardinality][radix][channels/cardinality] order.
            logits, l64 = f32(torch.randn(n, radix * channels) * 2)
            att64 = RSoftMax(radix, card)(l64.view(n, -1, 1, 1))
            att, _ = f32(att64.reshape(n, -1))
            att64 = att.double().view(n, -1, 1, 1)  # the split sum is checked on the stored attention
            x, x64 = f32(torch.randn(n, radix * channels, h, w))
            if radix > 1:  # as SplAtConv2d.forward
                splits = torch.split(x64, channels, dim=1)
                attens = torch.split(att64, channels, dim=1)
                y = sum(a * s for a, s in zip(attens, splits))
            else:
                y = att64 * x64
            tensors.update({f"{name}.logits": logits, f"{name}.att": att, f"{name}.x": nhwc(x),
                            f"{name}.y": nhwc(y)})
            meta.update({f"{name}.n": n, f"{name}.h": h, f"{name}.w": w, f"{name}.radix": radix,
                         f"{name}.cardinality": card, f"{name}.channels": channels})
            names.append(name)
    meta["cases"] = ",".join(names)
    save(os.path.join(OUT, "radix.safetensors"), tensors, meta)


# ---- SK attention (timm SelectiveKernelAttn + SelectiveKernel's weighted sum) ----

def gen_sk():
    torch.manual_seed(5)
    tensors, meta, names = {}, {}, []
    n, h, w, c, attn, eps = 2, 7, 9, 32, 16, 1e-5
    for paths in (2, 3):
        name = f"sk{paths}"
        xs = [f32(positive(n, c, h, w)) for _ in range(paths)]  # ConvNormAct outputs
        wr, wr64 = f32(uniform((attn, c, 1, 1), c ** -0.5))
        ws, ws64 = f32(uniform((paths * c, attn, 1, 1), attn ** -0.5))
        bn = {key: f32(v)[0] for key, v in bn_params(attn).items()}
        x = torch.stack([x64 for _, x64 in xs], dim=1)  # [B, paths, C, H, W]
        a = x.sum(1).mean((2, 3), keepdim=True)
        a = F.conv2d(F.relu(bn64(F.conv2d(a, wr64), bn, eps)), ws64)  # fc_reduce, bn, act, fc_select
        logits, _ = f32(a.reshape(n, -1))
        a = logits.double().view(n, paths, c, 1, 1)  # the selection is checked on the stored logits
        a = torch.softmax(a, dim=1)
        y = torch.sum(x * a, dim=1)
        for m, (xm, _) in enumerate(xs):
            tensors[f"{name}.branch{m}"] = nhwc(xm)
        tensors.update({f"{name}.fc_reduce.weight": wr, f"{name}.fc_select.weight": ws,
                        f"{name}.logits": logits, f"{name}.y": nhwc(y)})
        for key, v in bn.items():
            tensors[f"{name}.bn.{key}"] = v
        meta.update({f"{name}.n": n, f"{name}.h": h, f"{name}.w": w, f"{name}.c": c, f"{name}.paths": paths,
                     f"{name}.attn_channels": attn, f"{name}.eps": repr(eps)})
        names.append(name)
    meta["cases"] = ",".join(names)
    save(os.path.join(OUT, "sk.safetensors"), tensors, meta)


# ---- pooling ----

def gen_pool():
    torch.manual_seed(6)
    tensors, meta, names = {}, {}, []
    # name, op, h, w, k, stride, pad, ceil_mode, count_include_pad, signed input
    cases = [
        ("max_3s2p1", "max", 9, 11, 3, 2, 1, False, True, True),            # ResNet stem
        ("max_3s2p1_ceil", "max", 10, 12, 3, 2, 1, True, True, True),
        ("max_2s2p1_ceil_drop", "max", 5, 7, 2, 2, 1, True, True, True),    # last window would start in padding
        ("avg_3s2p1_incpad", "avg", 9, 11, 3, 2, 1, False, True, False),    # ResNeSt avd
        ("avg_2s2_ceil_excpad", "avg", 9, 11, 2, 2, 0, True, False, False),  # ResNeSt avg_down, odd sizes
        ("avg_3s2p1_ceil_excpad", "avg", 10, 12, 3, 2, 1, True, False, False),
        ("avg_3s2p1_ceil_incpad", "avg", 10, 12, 3, 2, 1, True, True, False),  # divisor clipped at h + pad
        ("avg_2s2p1_ceil_excpad_drop", "avg", 5, 7, 2, 2, 1, True, False, False),
    ]
    n, c = 2, 12
    for (name, op, h, w, k, s, p, ceil, incpad, signed) in cases:
        x, x64 = f32(torch.randn(n, c, h, w) if signed else positive(n, c, h, w))
        if op == "max":
            y = F.max_pool2d(x64, k, s, p, ceil_mode=ceil)
        else:
            y = F.avg_pool2d(x64, k, s, p, ceil_mode=ceil, count_include_pad=incpad)
        tensors[f"{name}.x"] = nhwc(x)
        tensors[f"{name}.y"] = nhwc(y)
        meta.update({f"{name}.op": op, f"{name}.n": n, f"{name}.h": h, f"{name}.w": w, f"{name}.c": c,
                     f"{name}.k": k, f"{name}.stride": s, f"{name}.pad": p, f"{name}.ceil_mode": int(ceil),
                     f"{name}.count_include_pad": int(incpad), f"{name}.out_h": y.shape[2],
                     f"{name}.out_w": y.shape[3]})
        names.append(name)
    # Global average pool (adaptive_avg_pool2d(1)), [n, c] out.
    x, x64 = f32(positive(n, 64, 9, 11))
    tensors["gap.x"] = nhwc(x)
    tensors["gap.y"] = F.adaptive_avg_pool2d(x64, 1).view(n, -1)
    meta.update({"gap.op": "gap", "gap.n": n, "gap.h": 9, "gap.w": 11, "gap.c": 64})
    names.append("gap")
    meta["cases"] = ",".join(names)
    save(os.path.join(OUT, "pool.safetensors"), tensors, meta)


def main():
    torch.set_num_threads(1)  # one summation order on every machine
    os.makedirs(OUT, exist_ok=True)
    gen_conv()
    gen_bn_fold()
    gen_se()
    gen_radix()
    gen_sk()
    gen_pool()


if __name__ == "__main__":
    main()
