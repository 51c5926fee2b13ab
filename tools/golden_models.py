#!/usr/bin/python3
"""Model-zoo golden counts: writes tests/fixtures/model_counts.json, which tests/test_models.c checks
resbench's model graphs against.

    /usr/bin/python3 tools/golden_models.py [--out PATH]

For every registry model (tools/resbench_torch.py) at 224x224, and resnest101e also at its native
256x256 (entry "resnest101e@256"), one forward pass at batch 1 under torch.no_grad() with hooks
on Conv2d / Linear / BatchNorm2d / AdaptiveAvgPool2d measures:
  params        every trainable tensor (conv and fc weights and biases, BN weight and bias);
                BN running statistics are not parameters;
  macs          convolutions: output elements x in_channels/groups x kh x kw (attention 1x1 convs
                included), plus Linear: in x out; nothing else;
  bn_elements   total BatchNorm2d output elements;
  global_pool_elements  input elements of the global average pool (fvcore counts one op each);
  key_count     state_dict entries without num_batches_tracked;
  keys          [key, shape] in state_dict order without num_batches_tracked (all models unless
                the file would exceed ~1.5 MB, then only KEY_SUBSET).

Before writing, the script asserts that the six models torchvision also defines have
torchvision's parameter count and state_dict (names, shapes, order), and that every model
reproduces REFERENCE below. The output is deterministic: sorted model names, indent 1, one
[key, shape] per line.
"""

import argparse
import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resbench_torch as rt  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "model_counts.json")

# Reference numbers from timm at commit aa4b5850 (timm 1.0.29.dev0) run under Debian torch 1.13.1,
# batch 1: model -> (resolution, params, state_dict entries incl. num_batches_tracked, conv MACs,
# BN output elements, fvcore-style GMACs = (conv + fc MACs + 2 x BN elements + global-pool input
# elements) / 1e9 rounded to 4 places, which reproduces timm's published infer_gmacs).
REFERENCE = {
    "resnet18": (224, 11_689_512, 122, 1_813_561_344, 2_483_712, 1.8191),
    "resnet34": (224, 21_797_672, 218, 3_663_249_408, 3_738_112, 3.6713),
    "resnet50": (224, 25_557_032, 320, 4_087_136_256, 11_113_984, 4.1115),
    "resnet101": (224, 44_549_160, 626, 7_799_357_440, 16_231_936, 7.8340),
    "resnet152": (224, 60_192_808, 932, 11_511_578_624, 22_554_112, 11.5588),
    "resnext50_32x4d": (224, 25_028_904, 320, 4_228_431_872, 14_400_512, 4.2594),
    "resnext101_32x4d": (224, 44_177_704, 626, 7_967_948_800, 21_224_448, 8.0125),
    "seresnet50": (224, 28_088_024, 384, 4_089_651_200, 11_113_984, 4.1140),
    "seresnext50_32x4d": (224, 27_559_896, 384, 4_230_946_816, 14_400_512, 4.2619),
    "skresnet18": (224, 11_958_056, 226, 1_813_825_536, 3_236_608, 1.8208),
    "skresnet34": (224, 22_282_376, 426, 3_663_725_568, 5_118_448, 3.6745),
    "skresnext50_32x4d": (224, 27_479_784, 528, 4_460_662_784, 17_160_800, 4.4971),
    "resnest14d": (224, 10_611_688, 152, 2_747_357_184, 7_326_176, 2.7642),
    "resnest26d": (224, 17_069_448, 260, 3_621_343_232, 9_960_896, 3.6434),
    "resnest50d": (224, 27_483_240, 476, 5_369_112_576, 14_352_224, 5.4000),
    "resnest50d_1s4x24d": (224, 25_677_000, 476, 4_397_779_456, 13_561_504, 4.4271),
    "resnest50d_4s2x40d": (224, 30_417_592, 476, 4_367_012_736, 17_917_552, 4.4050),
    "resnest101e@256": (256, 48_275_016, 935, 13_319_424_000, 28_643_296, 13.3789),
    "resnest101e": (224, 48_275_016, 935, 10_198_517_760, 21_930_976, None),  # no published GMACs at 224
}

# Models whose full key lists are kept if the file has to shrink (one of each block variant).
KEY_SUBSET = ("resnet50", "resnext50_32x4d", "seresnet50", "skresnet18", "skresnext50_32x4d", "resnest50d",
              "resnest50d_1s4x24d", "resnest50d_4s2x40d")
MAX_BYTES = 1_500_000


@torch.no_grad()
def measure(model, res):
    """Counts from one batch-1 forward pass at res x res (see the module docstring)."""
    counts = {"macs": 0, "bn_elements": 0, "global_pool_elements": 0}

    def hook(m, inputs, out):
        if isinstance(m, nn.Conv2d):
            kh, kw = m.kernel_size
            counts["macs"] += out.numel() * (m.in_channels // m.groups) * kh * kw
        elif isinstance(m, nn.Linear):
            counts["macs"] += m.in_features * m.out_features * (out.numel() // m.out_features)
        elif isinstance(m, nn.BatchNorm2d):
            counts["bn_elements"] += out.numel()
        elif isinstance(m, nn.AdaptiveAvgPool2d):
            counts["global_pool_elements"] += inputs[0].numel()

    kinds = (nn.Conv2d, nn.Linear, nn.BatchNorm2d, nn.AdaptiveAvgPool2d)
    hooks = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, kinds)]
    model.eval()
    model(torch.zeros(1, 3, res, res))
    for h in hooks:
        h.remove()
    return counts


def state_keys(model, drop_nbt=True):
    return [[k, list(v.shape)] for k, v in model.state_dict().items()
            if not (drop_nbt and k.endswith("num_batches_tracked"))]


def check_torchvision(name, model):
    import torchvision.models as tvm
    tv = getattr(tvm, name)()
    n_tv = sum(p.numel() for p in tv.parameters())
    n = sum(p.numel() for p in model.parameters())
    assert n == n_tv, f"{name}: {n} params, torchvision {n_tv}"
    assert state_keys(model, False) == state_keys(tv, False), f"{name}: state_dict differs from torchvision's"


def entry_for(key):
    name, _, at = key.partition("@")
    model = rt.create(name)
    res = int(at) if at else 224
    e = {"model": name, "res": res, "params": sum(p.numel() for p in model.parameters() if p.requires_grad)}
    e.update(measure(model, res))
    keys = state_keys(model)
    e["key_count"] = len(keys)
    if not at:  # the keys do not depend on the resolution
        e["keys"] = keys

    ref_res, params, nkeys, conv_macs, bn_el, fvcore = REFERENCE[key]
    fc = model.fc.in_features * model.fc.out_features
    got = (res, e["params"], len(model.state_dict()), e["macs"] - fc, e["bn_elements"])
    assert got == (ref_res, params, nkeys, conv_macs, bn_el), f"{key}: {got} != reference {REFERENCE[key][:5]}"
    if fvcore is not None:
        gmac = (e["macs"] + 2 * e["bn_elements"] + e["global_pool_elements"]) / 1e9
        assert round(gmac, 4) == fvcore, f"{key}: fvcore-style {gmac:.4f} GMACs, reference {fvcore}"
    if name in rt.TORCHVISION and res == 224:
        check_torchvision(name, model)
    return e


def dumps(obj, indent=0):
    """json.dumps(indent=1, sort_keys=True), except that each [key, shape] pair stays on one line."""
    pad = " " * (indent + 1)
    if isinstance(obj, dict):
        items = [f"{pad}{json.dumps(k)}: {dumps(obj[k], indent + 1)}" for k in sorted(obj)]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(obj, list) and obj and isinstance(obj[0], list):
        return "[\n" + ",\n".join(pad + json.dumps(x, separators=(", ", ": ")) for x in obj) + "\n" + " " * indent + "]"
    return json.dumps(obj)


def main():
    p = argparse.ArgumentParser(description="Writes tests/fixtures/model_counts.json.")
    p.add_argument("--out", default=OUT)
    args = p.parse_args()

    names = sorted(list(rt.MODELS) + [f"{n}@{r}" for n, r in rt.NATIVE_RES.items()])
    assert sorted(REFERENCE) == names, "REFERENCE and the registry disagree"
    models = {}
    for key in names:
        models[key] = entry_for(key)
        e = models[key]
        print(f"{key:20s} {e['res']:3d}  params {e['params']:>11,}  MACs {e['macs']:>15,}  "
              f"BN {e['bn_elements']:>11,}  keys {e['key_count']:4d}  ok")
    doc = {
        "about": "Written by tools/golden_models.py from the PyTorch modules of tools/resbench_torch.py (timm's "
                 "architectures and key names), batch 1. params: trainable values; macs: conv (incl. attention "
                 "1x1) + fc multiply-adds; bn_elements: BN output elements; global_pool_elements: global pool "
                 "input elements; keys: [state_dict key, shape] without num_batches_tracked. Checked against timm "
                 "aa4b5850 under torch 1.13.1 and, for the plain ResNets, torchvision.",
        "models": models,
    }
    text = dumps(doc) + "\n"
    if len(text) > MAX_BYTES:
        for key, e in models.items():
            if e["model"] not in KEY_SUBSET:
                e.pop("keys", None)
        text = dumps(doc) + "\n"
    assert json.loads(text) == doc
    with open(args.out, "w") as f:
        f.write(text)
    print(f"{os.path.relpath(args.out)}: {len(models)} entries, {len(text)} bytes")


if __name__ == "__main__":
    main()
