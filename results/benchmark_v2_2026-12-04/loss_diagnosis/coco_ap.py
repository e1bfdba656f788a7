"""COCO AP of tools/detect results on the v2a test split (pycocotools 2.0.11).

  bazel-out/k8-opt/bin/tools/detect --run=runs/v2a_i800_<method>/seed<k> --cycle=3 \
      --threads=1 --out=<method>_s<k>.json
  /opt/huale/py/bin/python coco_ap.py data/fmnist_det/v2a/annotations/instances_test.json *.json

detect names images by the VOC id ("004001"); the COCO file numbers them (4001).
"""
import contextlib
import io
import json
import os
import sys

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

with contextlib.redirect_stdout(io.StringIO()):
    gt = COCO(sys.argv[1])
for path in sys.argv[2:]:
    detections = json.load(open(path))
    for d in detections:
        d["image_id"] = int(d["image_id"])
    with contextlib.redirect_stdout(io.StringIO()):
        e = COCOeval(gt, gt.loadRes(detections), "bbox")
        e.evaluate()
        e.accumulate()
        e.summarize()
    s = [100 * x for x in e.stats]
    print(f"{os.path.basename(path)}: AP {s[0]:.2f}  AP50 {s[1]:.2f}  AP75 {s[2]:.2f}  "
          f"APs {s[3]:.2f}  APm {s[4]:.2f}")
