#!/opt/huale/py/bin/python
"""torchvision's side of faster_rcnn_benchmark.cc: the same models, inputs and
thread count, timed the same way (mean of N iterations after one warm-up).
Prints one line per case: "<case> <seconds per iteration>". Also prints the small
model's multiply-accumulates per 160 x 160 image (conv + linear layers, inference).

The R50-FPN case runs the same weights and inputs on both sides: with random
weights, the number of proposals that survive the RPN's NMS (and so the work of
the box head) depends on the weights and the image. --export_dir writes this
side's seeded R50 weights in the format huale loads (r50_weights.pt, first);
--inputs_dir reads the images and targets huale timed (r50_{images,boxes,labels}.pt).

  /opt/huale/py/bin/python huale/models/faster_rcnn_benchmark.py --threads 2
"""
import argparse
import os
import sys
import time

import torch
import torch.nn as nn
import torchvision
from torchvision.models._utils import IntermediateLayerGetter
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.faster_rcnn import FasterRCNN, FastRCNNPredictor, TwoMLPHead
from torchvision.models.resnet import BasicBlock
from torchvision.ops import FeaturePyramidNetwork, MultiScaleRoIAlign


class SmallBody(nn.Module):
    """huale's fasterrcnn_small_fpn body: 3x3/2 stem, one BasicBlock per stage."""

    def __init__(self):
        super().__init__()
        gn = lambda c: nn.GroupNorm(8, c)  # noqa: E731
        self.conv1 = nn.Conv2d(3, 32, 3, 2, 1, bias=False)
        self.bn1 = gn(32)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers, inp = [], 32
        for i, w in enumerate((32, 64, 96, 128)):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or inp != w:
                down = nn.Sequential(nn.Conv2d(inp, w, 1, stride, bias=False), gn(w))
            layers.append(nn.Sequential(BasicBlock(inp, w, stride, down, norm_layer=gn)))
            inp = w
        self.layer1, self.layer2, self.layer3, self.layer4 = layers


class SmallBackbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = IntermediateLayerGetter(SmallBody(), {"layer2": "0", "layer3": "1", "layer4": "2"})
        self.fpn = FeaturePyramidNetwork([64, 96, 128], 64)
        self.out_channels = 64

    def forward(self, x):
        return self.fpn(self.body(x))


def small_model(num_classes=11):
    anchors = AnchorGenerator(((16, 24), (32, 48), (64, 96)), ((0.5, 1.0, 2.0),) * 3)
    pool = MultiScaleRoIAlign(["0", "1", "2"], 7, 2, canonical_scale=64)
    return FasterRCNN(SmallBackbone(), min_size=160, max_size=160, rpn_anchor_generator=anchors,
                      box_roi_pool=pool, box_head=TwoMLPHead(64 * 49, 256),
                      box_predictor=FastRCNNPredictor(256, num_classes),
                      rpn_pre_nms_top_n_train=1000, rpn_pre_nms_top_n_test=500,
                      rpn_post_nms_top_n_train=500, rpn_post_nms_top_n_test=300,
                      rpn_batch_size_per_image=128, box_batch_size_per_image=128)


def r50_model():
    m = torchvision.models.detection.fasterrcnn_resnet50_fpn(
        weights=None, weights_backbone=None, min_size=320, max_size=533)
    # huale's ResNet-FPN: frozen BN (eval-mode BatchNorm) and 3 trainable layers.
    for name, p in m.backbone.body.named_parameters():
        if not name.startswith(("layer2", "layer3", "layer4")):
            p.requires_grad_(False)
    return m


def inputs(kind, gen, inputs_dir=None):
    if kind == "r50" and inputs_dir:
        # Written by the C++ side of this run (torch::pickle_save): trusted.
        images, boxes, labels = (torch.load(os.path.join(inputs_dir, "r50_%s.pt" % name),
                                            weights_only=False)
                                 for name in ("images", "boxes", "labels"))
        return list(images), [{"boxes": b, "labels": l} for b, l in zip(boxes, labels)]
    if kind == "small":
        images = [torch.rand(3, 160, 160, generator=gen) for _ in range(4)]
        targets = [{"boxes": torch.tensor([[10., 20., 60., 90.], [70., 40., 150., 120.]]),
                    "labels": torch.tensor([1, 5])} for _ in range(4)]
    else:
        images = [torch.rand(3, 320, 427, generator=gen) for _ in range(2)]
        targets = [{"boxes": torch.tensor([[10., 20., 160., 190.], [170., 40., 400., 300.]]),
                    "labels": torch.tensor([1, 50])} for _ in range(2)]
    return images, targets


def timed(fn, iters):
    fn()
    start = time.perf_counter()
    for _ in range(iters):
        fn()
    return (time.perf_counter() - start) / iters


def train_mode(m):
    m.train()
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.eval()


def macs(model, image):
    total = [0]

    def hook(mod, inp, out):
        if isinstance(mod, nn.Conv2d):
            total[0] += out.numel() * mod.in_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1]
        elif isinstance(mod, nn.Linear):
            total[0] += out.numel() * mod.in_features
    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model([image])
    for h in handles:
        h.remove()
    return total[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--iters", type=int, default=3)
    parser.add_argument("--export_dir", help="write r50_weights.pt (huale's format) and exit")
    parser.add_argument("--inputs_dir", help="read huale's R50 inputs from here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.export_dir:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                        "tools"))
        import export_torchvision
        torch.manual_seed(0)
        export_torchvision.save_atomically(
            export_torchvision.clean_state_dict(r50_model().state_dict()),
            os.path.join(args.export_dir, "r50_weights.pt"))
        return
    gen = torch.Generator().manual_seed(0)
    for kind, make in (("small", small_model), ("r50", r50_model)):
        torch.manual_seed(0)
        model = make()
        images, targets = inputs(kind, gen, args.inputs_dir)

        def step():
            losses = model(images, targets)
            model.zero_grad()
            sum(losses.values()).backward()
        train_mode(model)
        print(f"{kind}_train_step {timed(step, args.iters):.6f}", flush=True)
        model.eval()
        with torch.no_grad():
            print(f"{kind}_inference_image {timed(lambda: model(images[:1]), args.iters * 2):.6f}",
                  flush=True)
        if kind == "small":
            model.eval()
            print(f"small_macs_per_image {macs(model, images[0])}", flush=True)


if __name__ == "__main__":
    main()
