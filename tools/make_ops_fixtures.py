#!/opt/huale/py/bin/python
"""Writes huale/models/ops/testdata/ops_fixtures.pt: inputs and torchvision 0.26.0
outputs for the op tests that cannot call torchvision in-process (its Python-level
box_iou, batched_nms and MultiScaleRoIAlign). Run with the pinned Python prefix:

    /opt/huale/py/bin/python tools/make_ops_fixtures.py [output.pt]

The file is a torch.save() dict of str -> Tensor (C++ reads it with
torch::pickle_load); lists are stored as numbered keys.
"""
import collections
import os
import sys

import torch
import torchvision
from torchvision.ops import MultiScaleRoIAlign, batched_nms, box_iou

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "huale", "models",
                   "ops", "testdata", "ops_fixtures.pt")


def random_boxes(gen, n, extent, max_size):
    xy = torch.rand(n, 2, generator=gen, dtype=torch.float64) * extent
    wh = torch.rand(n, 2, generator=gen, dtype=torch.float64) * max_size + 1
    boxes = torch.cat([xy, xy + wh], 1).round()  # integer corners: exact ties
    boxes[: n // 50, 2] = boxes[: n // 50, 0]  # zero-width boxes
    boxes[n - n // 20:] = boxes[: n // 20]  # duplicates
    return boxes.float()


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else OUT
    gen = torch.Generator().manual_seed(20230415)
    f = collections.OrderedDict()

    # box_iou, with a degenerate box in each set.
    b1 = random_boxes(gen, 25, 100, 60)
    b2 = random_boxes(gen, 31, 100, 60)
    f["iou_boxes1"], f["iou_boxes2"] = b1, b2
    f["iou"] = box_iou(b1, b2)

    # batched_nms: 800 boxes use the coordinate trick, 3000 the per-class loop.
    for n in (800, 3000):
        boxes = random_boxes(gen, n, 300, 80)
        scores = (torch.rand(n, generator=gen) * 16).floor() / 16  # ties
        idxs = torch.randint(0, 7, (n,), generator=gen)  # int64, as torchvision takes
        f[f"bnms{n}_boxes"], f[f"bnms{n}_scores"], f[f"bnms{n}_idxs"] = boxes, scores, idxs
        for thr in ((0.3, 0.5, 0.7) if n == 800 else (0.5,)):
            keep = batched_nms(boxes, scores, idxs, thr)
            f[f"bnms{n}_keep_{int(thr * 10)}"] = keep.int()  # int32: half the bytes

    # MultiScaleRoIAlign over 4 FPN levels (strides 4..32), 3 images, the middle one
    # without boxes. Box sizes straddle the level boundaries at sqrt(area) =
    # 112, 224, 448 and reach past the image.
    image_shapes = [(120, 150), (128, 160), (100, 90)]
    feats = collections.OrderedDict()
    for i, stride in enumerate((4, 8, 16, 32)):
        feats[str(i)] = torch.randn(3, 2, 128 // stride, 160 // stride, generator=gen)
    feats["pool"] = torch.randn(3, 2, 2, 3, generator=gen)  # filtered out by name
    sides = torch.tensor([8., 40., 111.9, 112.0, 112.1, 150., 223.99, 224., 224.01,
                          300., 447.9, 448., 448.1, 600.])
    per_image = []
    for count in (40, 0, 25):
        side = sides[torch.randint(0, len(sides), (count,), generator=gen)]
        aspect = torch.rand(count, generator=gen) + 0.5
        w, h = side * aspect.sqrt(), side / aspect.sqrt()
        cx = torch.rand(count, generator=gen) * 160
        cy = torch.rand(count, generator=gen) * 128
        per_image.append(torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], 1))
    pooler = MultiScaleRoIAlign(["0", "1", "2", "3"], output_size=7, sampling_ratio=2)
    leaves = {k: v.clone().requires_grad_(True) for k, v in feats.items()}
    pooled = pooler(leaves, per_image, image_shapes)
    grad = torch.randn(pooled.shape, generator=gen)
    pooled.backward(grad)
    for k in ("0", "1", "2", "3"):
        f[f"msra_feature{k}"] = feats[k]
        f[f"msra_feature{k}_grad"] = leaves[k].grad
    for i, b in enumerate(per_image):
        f[f"msra_boxes{i}"] = b
    f["msra_image_shapes"] = torch.tensor(image_shapes, dtype=torch.int64)
    f["msra_output"] = pooled.detach()
    f["msra_output_grad"] = grad
    f["msra_scales"] = torch.tensor(pooler.scales, dtype=torch.float64)
    f["msra_levels"] = pooler.map_levels(per_image)

    # A single level (torchvision pools it directly) with output 5x3, ratio 0.
    single = MultiScaleRoIAlign(["0"], output_size=(5, 3), sampling_ratio=0)
    f["msra_single_output"] = single({"0": feats["0"]}, per_image, image_shapes)

    f["torchvision_version"] = torch.tensor([ord(c) for c in torchvision.__version__])
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    tmp = out_path + ".tmp"
    torch.save(dict(f), tmp)
    os.replace(tmp, out_path)
    print(f"wrote {out_path}: {len(f)} tensors, torchvision {torchvision.__version__}")


if __name__ == "__main__":
    main()
