#!/usr/bin/python3
"""Golden logits for the C forward pass (tests/test_forward.c).

Every state_dict tensor of a tools/resbench_torch.py model is filled with the deterministic
formula of include/resbench/forward.h (rb_weights_random), so the fixtures need no weights:
  h = FNV-1a 64 of the key; element i: x = splitmix64(h + (i+1) * 0x9E3779B97F4A7C15),
  u = (x >> 40) * 2^-24; conv/FC ".weight" (rank >= 2): (2u-1)*sqrt(3/fan_in); BN ".weight":
  0.5+u; ".bias" and ".running_mean": 0.1*(2u-1); ".running_var": 0.5+u.
The model runs in float64 (model.double()) in eval mode on a seeded input [2, 3, 64, 64];
tests/fixtures/forward_<model>.safetensors holds "input" (F32, NCHW) and "output" (F32 logits
[2, 10]); num_classes is 10. Run: /usr/bin/python3 tools/golden_forward.py [--check-values]
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resbench_torch  # noqa: E402

MODELS = ["resnet50", "resnext50_32x4d", "seresnet50", "skresnet18", "skresnext50_32x4d", "resnest50d",
          "resnest50d_4s2x40d"]
NUM_CLASSES, BATCH, RES = 10, 2, 64
M64 = (1 << 64) - 1


def fnv1a64(name):
    h = 0xcbf29ce484222325
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x100000001b3) & M64
    return h


def random_values(name, shape):
    """float64 values of the formula (the C side rounds them to float32)."""
    count = int(np.prod(shape)) if len(shape) else 1
    with np.errstate(over="ignore"):
        i = np.arange(1, count + 1, dtype=np.uint64)
        z = np.uint64(fnv1a64(name)) + i * np.uint64(0x9E3779B97F4A7C15)
        z ^= z >> np.uint64(30)
        z *= np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(27)
        z *= np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    u = (z >> np.uint64(40)).astype(np.float64) * 2.0 ** -24
    if name.endswith(".weight") and len(shape) >= 2:
        fan_in = float(np.prod(shape[1:]))
        v = (2 * u - 1) * np.sqrt(3.0 / fan_in)
    elif name.endswith(".weight") or name.endswith(".running_var"):
        v = 0.5 + u
    elif name.endswith(".bias") or name.endswith(".running_mean"):
        v = 0.1 * (2 * u - 1)
    else:
        raise ValueError(f"no formula for {name}")
    return v.reshape(shape)


@torch.no_grad()
def fill(model):
    sd = model.state_dict()
    for name, t in sd.items():
        if name.endswith("num_batches_tracked"):
            continue
        # float32 rounding first, as the C side uses float32 weights
        v = random_values(name, tuple(t.shape)).astype(np.float32)
        t.copy_(torch.from_numpy(v))
    return model


@torch.no_grad()
def main():
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")
    if "--check-values" in sys.argv:
        for name, shape, idx in [("conv1.weight", (64, 3, 7, 7), [0, 1, 9407]), ("bn1.weight", (64,), [0, 63]),
                                 ("layer1.0.bn1.running_var", (64,), [5]), ("fc.bias", (10,), [3]),
                                 ("layer1.0.bn1.running_mean", (64,), [7])]:
            v = random_values(name, shape).reshape(-1).astype(np.float32)
            for i in idx:
                print(f'{{"{name}", {len(shape)}, {{{", ".join(map(str, shape))}}}, {i}, {v[i]!r}f}},')
        return
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    g = torch.Generator().manual_seed(20261128)
    x = torch.randn(BATCH, 3, RES, RES, generator=g, dtype=torch.float32)
    for name in MODELS:
        model = fill(resbench_torch.create(name, num_classes=NUM_CLASSES)).double().eval()
        y = model(x.double())
        path = os.path.join(out_dir, f"forward_{name}.safetensors")
        resbench_torch.save_safetensors(path, {"input": x, "output": y.float()},
                                        metadata={"model": name, "tool": "tools/golden_forward.py"})
        print(f"{path}: logits rms {y.pow(2).mean().sqrt().item():.4g}")


if __name__ == "__main__":
    main()
