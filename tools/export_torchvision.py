#!/opt/huale/py/bin/python
"""Exports torchvision weights to the file huale reads (huale/models/weights.h):
torch.save() of a dict str -> Tensor with torchvision's state_dict names and
BatchNorm's num_batches_tracked left out. Run with the pinned Python prefix
(torch 2.11.0, torchvision 0.26.0; tools/setup.sh):

  # a whole detector (random init, or a torchvision checkpoint downloaded elsewhere)
  /opt/huale/py/bin/python tools/export_torchvision.py --model fasterrcnn_resnet50_fpn \
      [--checkpoint fasterrcnn_resnet50_fpn_coco-258fb6c6.pth] [--num_classes 91] \
      --out r50_coco.pt
  # an ImageNet backbone for fasterrcnn_resnet{18,34,50}_fpn (names backbone.body.*)
  /opt/huale/py/bin/python tools/export_torchvision.py --backbone resnet50 \
      --checkpoint resnet50-0676ba61.pth --out r50_imagenet.pt

Nothing is downloaded: checkpoints are files the user brings.
"""
import argparse
import collections
import os
import sys
import tempfile

import torch
import torchvision
from torchvision.models.detection import faster_rcnn
from torchvision.models.detection.backbone_utils import resnet_fpn_backbone

DETECTORS = ("fasterrcnn_resnet50_fpn", "fasterrcnn_resnet34_fpn", "fasterrcnn_resnet18_fpn")


def clean_state_dict(state_dict, prefix=""):
    """The tensors huale loads: contiguous copies, num_batches_tracked dropped."""
    out = collections.OrderedDict()
    for name, tensor in state_dict.items():
        if name.endswith("num_batches_tracked"):
            continue
        out[prefix + name] = tensor.detach().clone().contiguous()
    return out


def save_atomically(tensors, path):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    os.close(fd)
    try:
        torch.save(dict(tensors), tmp)  # a plain dict: LibTorch cannot unpickle OrderedDict
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def build_detector(name, num_classes, **kwargs):
    """torchvision's detector `name` with random weights (huale's registered names)."""
    if name == "fasterrcnn_resnet50_fpn":
        return torchvision.models.detection.fasterrcnn_resnet50_fpn(
            weights=None, weights_backbone=None, num_classes=num_classes, **kwargs)
    depth = {"fasterrcnn_resnet34_fpn": "resnet34", "fasterrcnn_resnet18_fpn": "resnet18"}[name]
    backbone = resnet_fpn_backbone(backbone_name=depth, weights=None, trainable_layers=3)
    return faster_rcnn.FasterRCNN(backbone, num_classes=num_classes, **kwargs)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--model", choices=DETECTORS)
    what.add_argument("--backbone", choices=("resnet18", "resnet34", "resnet50"))
    parser.add_argument("--checkpoint", help="a torch.save'd state_dict (.pth) to export")
    parser.add_argument("--num_classes", type=int, default=91,
                        help="classifier outputs INCLUDING background (torchvision's)")
    parser.add_argument("--seed", type=int, default=0, help="random init without --checkpoint")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    if args.backbone:
        if not args.checkpoint:
            parser.error("--backbone needs --checkpoint (ImageNet weights)")
        state = torch.load(args.checkpoint, map_location="cpu")
        net = getattr(torchvision.models, args.backbone)(weights=None)
        net.load_state_dict(state)  # names and shapes checked by torchvision
        body = {k: v for k, v in net.state_dict().items() if not k.startswith("fc.")}
        tensors = clean_state_dict(body, prefix="backbone.body.")
    else:
        model = build_detector(args.model, args.num_classes)
        if args.checkpoint:
            model.load_state_dict(torch.load(args.checkpoint, map_location="cpu"))
        tensors = clean_state_dict(model.state_dict())
    save_atomically(tensors, args.out)
    print(f"wrote {len(tensors)} tensors to {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
