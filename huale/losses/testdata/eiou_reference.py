"""Reference values for eiou_test: Peng & Yu's smooth extended-IoU loss as in
the public reference code (libfacedetection.train / mmdetection's eiou_loss,
smooth_point=0.1, eps=1e-7, pixel units, no union multiplier), transcribed
here with PyTorch 1.13 and again with the pinned torch 2.11.0 (identical output). Run: /opt/huale/py/bin/python eiou_reference.py
Prints C++ initialisers {px1, py1, px2, py2, tx1, ty1, tx2, ty2, loss}."""
import torch


def eiou_loss(pred, target, smooth_point=0.1, eps=1e-7):
    px1, py1, px2, py2 = pred[:, 0], pred[:, 1], pred[:, 2], pred[:, 3]
    tx1, ty1, tx2, ty2 = target[:, 0], target[:, 1], target[:, 2], target[:, 3]
    ex1 = torch.min(px1, tx1)
    ey1 = torch.min(py1, ty1)
    ix1 = torch.max(px1, tx1)
    iy1 = torch.max(py1, ty1)
    ix2 = torch.min(px2, tx2)
    iy2 = torch.min(py2, ty2)
    xmin = torch.min(ix1, ix2)
    ymin = torch.min(iy1, iy2)
    xmax = torch.max(ix1, ix2)
    ymax = torch.max(iy1, iy2)
    intersection = ((ix2 - ex1) * (iy2 - ey1) + (xmin - ex1) * (ymin - ey1)
                    - (ix1 - ex1) * (ymax - ey1) - (xmax - ex1) * (iy1 - ey1))
    union = (px2 - px1) * (py2 - py1) + (tx2 - tx1) * (ty2 - ty1) - intersection + eps
    ious = 1 - intersection / union
    smooth_sign = (ious < smooth_point).detach().double()
    return (0.5 * smooth_sign * ious ** 2 / smooth_point
            + (1 - smooth_sign) * (ious - 0.5 * smooth_point))


g = torch.Generator().manual_seed(2021)
t_xy = 100 * torch.rand(12, 2, generator=g, dtype=torch.float64)
t_wh = 10 + 40 * torch.rand(12, 2, generator=g, dtype=torch.float64)
# Offsets from tiny (quadratic branch) to large (disjoint along one or both axes).
scale = torch.tensor([0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 1.5, 2.0, 3.0],
                     dtype=torch.float64).unsqueeze(1)
p_xy = t_xy + scale * t_wh * torch.randn(12, 2, generator=g, dtype=torch.float64)
p_wh = t_wh * (1 + 0.3 * scale.clamp(max=1) * torch.randn(12, 2, generator=g, dtype=torch.float64)).abs()
pred = torch.cat([p_xy, p_xy + p_wh], 1)
target = torch.cat([t_xy, t_xy + t_wh], 1)
loss = eiou_loss(pred, target)
for p, t, l in zip(pred.tolist(), target.tolist(), loss.tolist()):
    print("{" + ", ".join("%.17g" % v for v in p + t + [l]) + "},")
