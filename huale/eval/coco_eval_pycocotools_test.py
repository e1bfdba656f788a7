"""huale's COCO evaluator against pycocotools 2.0.11, called live on freshly
randomised cases (a new seed each run unless HUALE_TEST_SEED is set; the seed is
printed): crowd regions, ignored areas, ties in score, empty images, categories
without detections or without ground truth, more than 100 detections per image.
Runs //tools:evaluate --metric=coco and pycocotools on the same files and
requires the twelve numbers to agree to 1e-9.
"""
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

NAMES = ["AP", "AP50", "AP75", "APs", "APm", "APl",
         "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]


def random_case(rng):
    n_images, n_cats = rng.randint(1, 12), rng.randint(1, 6)
    images = [{"id": i + 1, "width": 640, "height": 480} for i in range(n_images)]
    cats = [{"id": c + 1, "name": "c%d" % c} for c in range(n_cats)]
    anns, dts = [], []
    for img in images:
        for _ in range(rng.randint(0, 8)):
            w, h = rng.choice([rng.uniform(2, 30), rng.uniform(30, 95), rng.uniform(95, 300)]), \
                rng.uniform(2, 300)
            x, y = rng.uniform(0, 640 - w), rng.uniform(0, 480 - h)
            crowd = int(rng.random() < 0.1)
            anns.append({"id": len(anns) + 1, "image_id": img["id"],
                         "category_id": rng.randint(1, n_cats), "bbox": [x, y, w, h],
                         "area": w * h, "iscrowd": crowd})
        for _ in range(rng.choice([0, 5, 30, 130])):
            if anns and rng.random() < 0.6:
                g = rng.choice(anns)["bbox"]
                x, y, w, h = [v + rng.gauss(0, 6) for v in g]
                w, h = max(w, 1.0), max(h, 1.0)
            else:
                w, h = rng.uniform(2, 300), rng.uniform(2, 300)
                x, y = rng.uniform(0, 600), rng.uniform(0, 450)
            dts.append({"image_id": img["id"], "category_id": rng.randint(1, n_cats),
                        "bbox": [x, y, w, h], "score": round(rng.random(), 2)})
    return {"images": images, "annotations": anns, "categories": cats}, dts


def main():
    evaluate = sys.argv[1]
    seed = int(os.environ.get("HUALE_TEST_SEED", random.SystemRandom().randrange(1 << 30)))
    print("seed", seed, "(set HUALE_TEST_SEED to repeat)")
    rng = random.Random(seed)
    tmp = os.environ.get("TEST_TMPDIR", tempfile.mkdtemp())
    worst, cases = 0.0, 0
    while cases < 40:
        gt, dts = random_case(rng)
        if not dts:
            continue
        gt_path, dt_path = os.path.join(tmp, "gt.json"), os.path.join(tmp, "dt.json")
        with open(gt_path, "w") as f:
            json.dump(gt, f)
        with open(dt_path, "w") as f:
            json.dump(dts, f)
        with contextlib.redirect_stdout(sys.stderr):
            coco_gt = COCO(gt_path)
            ev = COCOeval(coco_gt, coco_gt.loadRes(dt_path), "bbox")
            ev.evaluate()
            ev.accumulate()
            ev.summarize()
        ours = json.loads(subprocess.run([evaluate, "--metric=coco", "--gt=" + gt_path,
                                          "--dt=" + dt_path], check=True,
                                         capture_output=True, text=True).stdout)
        for name, expected in zip(NAMES, ev.stats):
            diff = abs(ours[name] - float(expected))
            worst = max(worst, diff)
            if diff > 1e-9:
                print("case %d %s: huale %r, pycocotools %r" % (cases, name, ours[name], expected))
                return 1
        cases += 1
    print("%d random cases agree with pycocotools; largest difference %.3g" % (cases, worst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
