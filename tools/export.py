#!/usr/bin/python3
"""Writes a model's weights (its PyTorch state_dict) as a safetensors file resbench can load.

    /usr/bin/python3 tools/export.py MODEL OUT.safetensors [--from-torchvision | --state-dict FILE.pth]
                                     [--random-seed N] [--num-classes N] [--only MODULE]

Weight sources:
  (default)           random weights from --random-seed (default 0) with randomised, non-identity
                      BN running statistics (resbench_torch.randomize);
  --from-torchvision  torchvision's own model with torchvision's default init (no download; its BN
                      statistics are the identity, mean 0 / var 1), seeded by --random-seed; only the
                      registry models torchvision defines (resnet18/34/50/101/152, resnext50_32x4d);
  --state-dict FILE   a saved state_dict (.pth; also a checkpoint dict holding one under
                      "state_dict" or "model"), e.g. a timm checkpoint.

Whatever the source, the weights are loaded strictly into resbench_torch's module for MODEL (so
names and shapes are checked against the spec) and that module's state_dict is written in its
order: float tensors as F32, num_batches_tracked left out. __metadata__ records the model, the
source and the seed. --only MODULE keeps the tensors of one module (e.g. layer2.0, for
`resbench run MODEL --block layer2.0`), under their full key names.
"""

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import resbench_torch as rt  # noqa: E402


def load_source(args):
    """The state_dict to export, as a dict of tensors, and a description of where it came from."""
    if args.from_torchvision:
        if args.model not in rt.TORCHVISION:
            sys.exit(f"export: torchvision 0.14 has no {args.model} (it has: {', '.join(rt.TORCHVISION)})")
        import torchvision.models as tvm
        torch.manual_seed(args.random_seed)
        return getattr(tvm, args.model)(num_classes=args.num_classes).state_dict(), "torchvision-init"
    if args.state_dict:
        sd = torch.load(args.state_dict, map_location="cpu")
        for wrapper in ("state_dict", "model"):
            if isinstance(sd, dict) and isinstance(sd.get(wrapper), dict):
                sd = sd[wrapper]
        return sd, f"state-dict:{os.path.basename(args.state_dict)}"
    model = rt.randomize(rt.create(args.model, args.num_classes), args.random_seed)
    return model.state_dict(), "random"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("model", choices=sorted(rt.MODELS), metavar="MODEL", help="registry name, e.g. resnest50d")
    p.add_argument("out", metavar="OUT.safetensors")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--from-torchvision", action="store_true", help="torchvision's model and default init")
    src.add_argument("--state-dict", metavar="FILE.pth", help="load weights from a saved state_dict")
    p.add_argument("--random-seed", type=int, default=0, metavar="N", help="seed for random weights (default 0)")
    p.add_argument("--num-classes", type=int, default=1000, metavar="N")
    p.add_argument("--only", metavar="MODULE", help="export only this module's tensors, e.g. layer2.0")
    args = p.parse_args(argv)

    sd, source = load_source(args)
    model = rt.create(args.model, args.num_classes)
    try:
        model.load_state_dict(sd, strict=True)
    except RuntimeError as e:
        sys.exit(f"export: the weights do not fit {args.model}: {e}")
    tensors = {k: v.float() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    if args.only:
        tensors = {k: v for k, v in tensors.items() if k.startswith(args.only + ".")}
        if not tensors:
            sys.exit(f"export: {args.model} has no module {args.only}")
    meta = {"model": args.model, "source": source, "num_classes": args.num_classes}
    if args.only:
        meta["only"] = args.only
    if not args.state_dict:
        meta["seed"] = args.random_seed
    rt.save_safetensors(args.out, tensors, meta)
    n = sum(t.numel() for t in tensors.values())
    print(f"{args.out}: {args.model} ({source}), {len(tensors)} tensors, {n} values, "
          f"{os.path.getsize(args.out)} bytes")


if __name__ == "__main__":
    main()
