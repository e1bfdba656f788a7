#!/opt/huale/py/bin/python
"""Fixtures for huale's Faster R-CNN equality tests (huale/models/faster_rcnn_test.cc):
torchvision 0.26.0's fasterrcnn_resnet50_fpn(weights=None, weights_backbone=None)
with seed 0, min_size 160, max_size 224, run on two fixed images.

  /opt/huale/py/bin/python tools/make_detector_fixtures.py --weights W.pt --out F.pt

The fixture (F.pt, 230 kB) holds the images, targets, the eval-mode detections,
the training losses and the masks the two samplers drew in that training step;
W.pt (160 MB) the model's weights. Both are deterministic for a given CPU, but
torchvision's own outputs differ between CPU families (oneDNN's AVX-512 and AVX2
kernels round differently: a box 82 px apart after NMS reorders a near-tie, the
classifier loss 8e-4 relative, seen between two x86-64 machines), so nothing is
committed: the test runs this script on the machine that runs the test.

To make the random model's outputs meaningful, the script (1) sets every
BatchNorm's running statistics from the two images (one train-mode pass with
momentum 1, so activations keep unit scale through the 50 layers; BN then acts
as torchvision's FrozenBatchNorm2d), and (2) widens the RPN objectness and
the box predictor's initial weights, so that scores are spread rather than
uniform. Training mode keeps BN in eval mode (frozen, as huale's backbone).
"""
import argparse
import collections
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import export_torchvision  # noqa: E402

CONFIG = dict(min_size=160, max_size=224, box_score_thresh=0.05, box_detections_per_img=50)


def make_images():
    g = torch.Generator().manual_seed(1234)
    images = []
    for h, w in ((150, 200), (180, 140)):
        img = torch.rand(3, h // 10, w // 10, generator=g)  # smooth content: outputs well-conditioned
        img = torch.nn.functional.interpolate(img[None], size=(h, w), mode="bicubic",
                                              align_corners=False)[0].clamp(0, 1)
        img = (img * 255).round().to(torch.uint8)
        images.append(img)
    return images


def make_targets():
    return [
        {"boxes": torch.tensor([[10., 20., 90., 110.], [50., 40., 180., 140.], [120., 5., 160., 60.]]),
         "labels": torch.tensor([3, 17, 3])},
        {"boxes": torch.tensor([[5., 30., 100., 170.], [60., 10., 130., 90.]]),
         "labels": torch.tensor([1, 90])},
    ]


def make_model(images):
    torch.manual_seed(0)
    model = torchvision.models.detection.fasterrcnn_resnet50_fpn(
        weights=None, weights_backbone=None, **CONFIG)
    with torch.no_grad():
        # (1) BatchNorm statistics from the images.
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.momentum = 1.0
        model.train()
        batch, _ = model.transform([im.float() / 255 for im in images])
        model.backbone.body(batch.tensors)
        # (2) Spread the scores of the random heads (deterministic: seeded generator).
        g = torch.Generator().manual_seed(7)
        model.rpn.head.cls_logits.weight.normal_(0, 0.3, generator=g)
        model.roi_heads.box_predictor.cls_score.weight.normal_(0, 0.04, generator=g)
        model.roi_heads.box_predictor.bbox_pred.weight.normal_(0, 0.02, generator=g)
    return model


def freeze_bn(model):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.eval()


class RecordingSampler:
    def __init__(self, sampler, key, fixture):
        self.sampler, self.key, self.fixture, self.calls = sampler, key, fixture, 0

    def __call__(self, labels):
        pos, neg = self.sampler(labels)
        for i, (p, n) in enumerate(zip(pos, neg)):
            self.fixture[f"{self.key}_pos_{i}"] = p.bool()
            self.fixture[f"{self.key}_neg_{i}"] = n.bool()
        self.calls += 1
        return pos, neg


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", help="write the model's weights here")
    parser.add_argument("--out", help="write the fixture here")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)

    images = make_images()
    model = make_model(images)
    if args.weights:
        export_torchvision.save_atomically(
            export_torchvision.clean_state_dict(model.state_dict()), args.weights)
    if not args.out:
        return

    f = collections.OrderedDict()
    floats = [im.float() / 255 for im in images]
    for i, im in enumerate(images):
        f[f"image_{i}"] = im
    model.eval()
    with torch.no_grad():
        detections = model(floats)
    for i, d in enumerate(detections):
        f[f"det_boxes_{i}"], f[f"det_scores_{i}"], f[f"det_labels_{i}"] = (
            d["boxes"], d["scores"], d["labels"])
        print(f"image {i}: {len(d['scores'])} detections, scores "
              f"{d['scores'][:5].tolist()} labels {sorted(set(d['labels'].tolist()))}")

    targets = make_targets()
    for i, t in enumerate(targets):
        f[f"gt_boxes_{i}"], f[f"gt_labels_{i}"] = t["boxes"], t["labels"]
    model.train()
    freeze_bn(model)
    model.rpn.fg_bg_sampler = RecordingSampler(model.rpn.fg_bg_sampler, "rpn", f)
    model.roi_heads.fg_bg_sampler = RecordingSampler(model.roi_heads.fg_bg_sampler, "roi", f)
    torch.manual_seed(42)
    losses = model(floats, targets)
    for name, value in losses.items():
        f[name] = value.detach()
        print(name, value.item())
    export_torchvision.save_atomically(f, args.out)
    print("wrote", args.out, os.path.getsize(args.out), "bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
