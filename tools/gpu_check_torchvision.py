"""torchvision's fasterrcnn_resnet50_fpn on the GPU, timed as tools/gpu_check.cc
times huale's: 800 px (min 800, max 1333), batch of 2 random 800 x 1067 images,
train step (forward + backward of the four losses) and inference, after 3
warm-up iterations, torch.cuda.synchronize() around the timed loop.

  python tools/gpu_check_torchvision.py [--iters 20]
"""
import argparse
import time

import torch
import torchvision


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iters", type=int, default=20)
    args = parser.parse_args()
    dev = torch.device("cuda")
    torch.manual_seed(0)
    model = torchvision.models.detection.fasterrcnn_resnet50_fpn(
        weights=None, weights_backbone=None, num_classes=91).to(dev)
    torch.manual_seed(4)
    images = [torch.rand(3, 800, 1067, device=dev) for _ in range(2)]
    targets = [{"boxes": torch.tensor([[10., 20., 360., 390.], [370., 40., 900., 700.]], device=dev),
                "labels": torch.tensor([1, 50], device=dev)} for _ in range(2)]
    for amp in (False, True):
        model.train()

        def step():
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp):
                losses = model(images, targets)
            total = sum(v.float() for v in losses.values())
            model.zero_grad()
            total.backward()

        for _ in range(3):
            step()
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(args.iters):
            step()
        torch.cuda.synchronize()
        train = (time.perf_counter() - start) / args.iters
        model.eval()
        with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16, enabled=amp):
            for _ in range(3):
                model(images)
            torch.cuda.synchronize()
            start = time.perf_counter()
            for _ in range(args.iters):
                model(images)
            torch.cuda.synchronize()
        inference = (time.perf_counter() - start) / args.iters
        print("TIME torchvision r50_fpn_800 batch2 %s train_step %.1f ms inference %.1f ms"
              % ("bf16-autocast" if amp else "fp32", train * 1e3, inference * 1e3), flush=True)


if __name__ == "__main__":
    main()
