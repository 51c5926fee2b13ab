#!/usr/bin/python3
"""Golden outputs of single blocks, one or more of each family (tests/test_forward.c).

1. tests/fixtures/blocks.safetensors: for each case MODEL/BLOCK below, the block of a
   tools/resbench_torch.py model with every state_dict tensor from the shared formula of
   include/resbench/forward.h (tools/golden_forward.py: no weights stored), run in float64 in eval
   mode on a seeded random input of the shape the network feeds the block at RES x RES, batch 2.
   Keys "MODEL/BLOCK/input" (F32, NCHW) and "MODEL/BLOCK/output" (F32 of the float64 result).
2. tests/fixtures/export_skresnet18_layer1.0.safetensors: real exported weights (tools/export.py
   skresnet18 --only layer1.0, random weights with calibrated BN statistics, seed 7) and
   tests/fixtures/export_skresnet18_layer1.0_io.safetensors: "input" and PyTorch's "output" of that
   block on those weights, for `resbench run skresnet18 --block layer1.0 --weights ... --input ...`.
Run: /usr/bin/python3 tools/golden_blocks.py
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export  # noqa: E402
import golden_forward  # noqa: E402
import resbench_torch  # noqa: E402

# Strided first blocks (downsample shortcut; avd / avg_down for ResNeSt) at odd sizes, and one
# identity block. At RES 40 stage 3 takes 5x5 inputs and gives 3x3 outputs.
CASES = [("resnet50", "layer3.0"), ("resnext50_32x4d", "layer3.1"), ("seresnext50_32x4d", "layer3.0"),
         ("skresnet18", "layer3.0"), ("skresnext50_32x4d", "layer3.0"), ("resnest50d", "layer3.0"),
         ("resnest50d_4s2x40d", "layer3.0")]
BATCH, RES = 2, 40
EXPORT_MODEL, EXPORT_BLOCK, EXPORT_SEED = "skresnet18", "layer1.0", 7


def block_of(model, block):
    stage, index = block.split(".")
    return getattr(model, stage)[int(index)]


def block_input_shape(model, block):
    shape = []
    h = block_of(model, block).register_forward_pre_hook(lambda m, inp: shape.extend(inp[0].shape))
    model(torch.zeros(BATCH, 3, RES, RES, dtype=torch.float64))
    h.remove()
    return shape


@torch.no_grad()
def main():
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")
    g = torch.Generator().manual_seed(20261129)
    tensors = {}
    for name, block in CASES:
        model = golden_forward.fill(resbench_torch.create(name, num_classes=10)).double().eval()
        x = torch.randn(*block_input_shape(model, block), generator=g, dtype=torch.float32)
        y = block_of(model, block)(x.double())
        tensors[f"{name}/{block}/input"] = x
        tensors[f"{name}/{block}/output"] = y.float()
        print(f"{name} {block}: {list(x.shape)} -> {list(y.shape)}, output rms {y.pow(2).mean().sqrt().item():.4g}")
    resbench_torch.save_safetensors(os.path.join(fixtures, "blocks.safetensors"), tensors,
                                    metadata={"tool": "tools/golden_blocks.py", "batch": BATCH, "res": RES})

    # The export path a user takes: tools/export.py writes the weights file...
    wpath = os.path.join(fixtures, f"export_{EXPORT_MODEL}_{EXPORT_BLOCK}.safetensors")
    export.main([EXPORT_MODEL, wpath, "--random-seed", str(EXPORT_SEED), "--only", EXPORT_BLOCK])
    # ... and PyTorch runs the block on exactly the weights in that file.
    weights, _ = resbench_torch.load_safetensors(wpath)
    model = resbench_torch.create(EXPORT_MODEL).double().eval()
    blk = block_of(model, EXPORT_BLOCK)
    prefix = EXPORT_BLOCK + "."
    missing = blk.load_state_dict({k[len(prefix):]: v for k, v in weights.items()}, strict=False)
    assert not missing.unexpected_keys and all(k.endswith("num_batches_tracked") for k in missing.missing_keys)
    x = torch.randn(*block_input_shape(model, EXPORT_BLOCK), generator=g, dtype=torch.float32)
    y = blk(x.double())
    resbench_torch.save_safetensors(os.path.join(fixtures, f"export_{EXPORT_MODEL}_{EXPORT_BLOCK}_io.safetensors"),
                                    {"input": x, "output": y.float()},
                                    metadata={"tool": "tools/golden_blocks.py", "weights": os.path.basename(wpath)})
    print(f"{EXPORT_MODEL} {EXPORT_BLOCK} exported: {list(x.shape)} -> {list(y.shape)}, "
          f"output rms {y.pow(2).mean().sqrt().item():.4g}")


if __name__ == "__main__":
    main()
