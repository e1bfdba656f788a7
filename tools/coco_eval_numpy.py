#!/opt/huale/py/bin/python
"""NumPy re-implementation of pycocotools' COCOeval (bbox), the reference for
huale's C++ COCO evaluator where pycocotools itself is not installed (Debian
does not package it).

It is written from the same rules and keeps pycocotools' structure (COCO/loadRes
join, evaluate -> computeIoU + evaluateImg per image/category/area with Python
loops, accumulate, summarize), so its run time stands in for pycocotools'
evaluate + accumulate. maskApi.c's bbIou is replaced by the same float
operations in NumPy. It is validated against the shared pycocotools fixtures:

  /opt/huale/py/bin/python tools/coco_eval_numpy.py --check_fixtures huale/eval/testdata/coco_eval

Evaluate (prints one JSON object: the twelve numbers, per-class AP, and the
seconds spent in evaluate + accumulate, JSON loading excluded):

  /opt/huale/py/bin/python tools/coco_eval_numpy.py --gt GT.json --dt RESULTS.json
"""
import argparse
import glob
import json
import os
import resource
import sys
import time
from collections import defaultdict

import numpy as np

METRIC_NAMES = ["AP", "AP50", "AP75", "APs", "APm", "APl",
                "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]


class Params:
    def __init__(self, img_ids, cat_ids):
        self.imgIds = sorted(img_ids)
        self.catIds = sorted(cat_ids)
        self.iouThrs = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
        self.recThrs = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
        self.maxDets = [1, 10, 100]
        self.areaRng = [[0 ** 2, 1e5 ** 2], [0 ** 2, 32 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e5 ** 2]]
        self.areaRngLbl = ["all", "small", "medium", "large"]


def bbox_iou(dt, gt, iscrowd):
    """maskApi.c bbIou on [D,4] and [G,4] xywh arrays: ious [D,G]."""
    d = np.asarray(dt, dtype=np.float64).reshape(-1, 4)
    g = np.asarray(gt, dtype=np.float64).reshape(-1, 4)
    w = np.minimum((d[:, 2] + d[:, 0])[:, None], (g[:, 2] + g[:, 0])[None, :]) - \
        np.maximum(d[:, 0][:, None], g[:, 0][None, :])
    h = np.minimum((d[:, 3] + d[:, 1])[:, None], (g[:, 3] + g[:, 1])[None, :]) - \
        np.maximum(d[:, 1][:, None], g[:, 1][None, :])
    inter = w * h
    da = (d[:, 2] * d[:, 3])[:, None]
    ga = (g[:, 2] * g[:, 3])[None, :]
    crowd = np.asarray(iscrowd, dtype=bool)[None, :]
    union = np.where(crowd, da, da + ga - inter)
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where((w > 0) & (h > 0), inter / union, 0.0)
    return iou


class CocoEvalNumpy:
    def __init__(self, gt_dataset, results):
        self.gt_dataset = gt_dataset
        img_ids = [img["id"] for img in gt_dataset["images"]]
        cat_ids = [c["id"] for c in gt_dataset["categories"]]
        self.params = Params(img_ids, cat_ids)
        img_set = set(img_ids)
        # loadRes: results must be on known images; area = w * h, ids 1..N.
        for i, ann in enumerate(results):
            if ann["image_id"] not in img_set:
                raise ValueError("Results do not correspond to current coco set")
            bb = ann["bbox"]
            ann["area"] = bb[2] * bb[3]
            ann["id"] = i + 1
            ann["iscrowd"] = 0
        self.results = results

    def _prepare(self):
        p = self.params
        img_set, cat_set = set(p.imgIds), set(p.catIds)
        # getAnnIds(imgIds, catIds): per image in imgIds order, file order within.
        gts_by_img, dts_by_img = defaultdict(list), defaultdict(list)
        for ann in self.gt_dataset.get("annotations", []):
            gts_by_img[ann["image_id"]].append(ann)
        for ann in self.results:
            dts_by_img[ann["image_id"]].append(ann)
        self._gts, self._dts = defaultdict(list), defaultdict(list)
        for img_id in p.imgIds:
            for gt in gts_by_img.get(img_id, []):
                if gt["category_id"] not in cat_set:
                    continue
                gt["ignore"] = "iscrowd" in gt and gt["iscrowd"]
                self._gts[img_id, gt["category_id"]].append(gt)
            for dt in dts_by_img.get(img_id, []):
                if dt["category_id"] in cat_set:
                    self._dts[img_id, dt["category_id"]].append(dt)

    def computeIoU(self, img_id, cat_id):
        gt = self._gts[img_id, cat_id]
        dt = self._dts[img_id, cat_id]
        if len(gt) == 0 and len(dt) == 0:
            return []
        inds = np.argsort([-d["score"] for d in dt], kind="mergesort")
        dt = [dt[i] for i in inds]
        if len(dt) > self.params.maxDets[-1]:
            dt = dt[0:self.params.maxDets[-1]]
        if len(dt) == 0 or len(gt) == 0:
            return []
        return bbox_iou([d["bbox"] for d in dt], [g["bbox"] for g in gt],
                        [int(o["iscrowd"]) for o in gt])

    def evaluateImg(self, img_id, cat_id, a_rng, max_det):
        p = self.params
        gt = self._gts[img_id, cat_id]
        dt = self._dts[img_id, cat_id]
        if len(gt) == 0 and len(dt) == 0:
            return None
        for g in gt:
            g["_ignore"] = 1 if (g["ignore"] or g["area"] < a_rng[0] or g["area"] > a_rng[1]) else 0
        gtind = np.argsort([g["_ignore"] for g in gt], kind="mergesort")
        gt = [gt[i] for i in gtind]
        dtind = np.argsort([-d["score"] for d in dt], kind="mergesort")
        dt = [dt[i] for i in dtind[0:max_det]]
        iscrowd = [int(o["iscrowd"]) for o in gt]
        ious = self.ious[img_id, cat_id]
        ious = ious[:, gtind] if len(ious) > 0 else ious
        T, G, D = len(p.iouThrs), len(gt), len(dt)
        gtm = np.zeros((T, G))
        dtm = np.zeros((T, D))
        gtIg = np.array([g["_ignore"] for g in gt])
        dtIg = np.zeros((T, D))
        if not len(ious) == 0:
            for tind, t in enumerate(p.iouThrs):
                for dind, d in enumerate(dt):
                    iou = min([t, 1 - 1e-10])
                    m = -1
                    for gind, g in enumerate(gt):
                        if gtm[tind, gind] > 0 and not iscrowd[gind]:
                            continue
                        if m > -1 and gtIg[m] == 0 and gtIg[gind] == 1:
                            break
                        if ious[dind, gind] < iou:
                            continue
                        iou = ious[dind, gind]
                        m = gind
                    if m == -1:
                        continue
                    dtIg[tind, dind] = gtIg[m]
                    dtm[tind, dind] = gt[m]["id"]
                    gtm[tind, m] = d["id"]
        a = np.array([d["area"] < a_rng[0] or d["area"] > a_rng[1] for d in dt]).reshape((1, len(dt)))
        dtIg = np.logical_or(dtIg, np.logical_and(dtm == 0, np.repeat(a, T, 0)))
        return {"dtMatches": dtm, "dtScores": [d["score"] for d in dt],
                "gtIgnore": gtIg, "dtIgnore": dtIg}

    def evaluate(self):
        p = self.params
        self._prepare()
        self.ious = {(i, c): self.computeIoU(i, c) for i in p.imgIds for c in p.catIds}
        max_det = p.maxDets[-1]
        self.evalImgs = [self.evaluateImg(i, c, a, max_det)
                         for c in p.catIds for a in p.areaRng for i in p.imgIds]

    def accumulate(self):
        p = self.params
        T, R, K, A, M = len(p.iouThrs), len(p.recThrs), len(p.catIds), len(p.areaRng), len(p.maxDets)
        precision = -np.ones((T, R, K, A, M))
        recall = -np.ones((T, K, A, M))
        I0, A0 = len(p.imgIds), len(p.areaRng)
        for k in range(K):
            Nk = k * A0 * I0
            for a in range(A):
                Na = a * I0
                for m, max_det in enumerate(p.maxDets):
                    E = [self.evalImgs[Nk + Na + i] for i in range(I0)]
                    E = [e for e in E if e is not None]
                    if len(E) == 0:
                        continue
                    dtScores = np.concatenate([e["dtScores"][0:max_det] for e in E])
                    inds = np.argsort(-dtScores, kind="mergesort")
                    dtm = np.concatenate([e["dtMatches"][:, 0:max_det] for e in E], axis=1)[:, inds]
                    dtIg = np.concatenate([e["dtIgnore"][:, 0:max_det] for e in E], axis=1)[:, inds]
                    gtIg = np.concatenate([e["gtIgnore"] for e in E])
                    npig = np.count_nonzero(gtIg == 0)
                    if npig == 0:
                        continue
                    tps = np.logical_and(dtm, np.logical_not(dtIg))
                    fps = np.logical_and(np.logical_not(dtm), np.logical_not(dtIg))
                    tp_sum = np.cumsum(tps, axis=1).astype(dtype=np.float64)
                    fp_sum = np.cumsum(fps, axis=1).astype(dtype=np.float64)
                    for t, (tp, fp) in enumerate(zip(tp_sum, fp_sum)):
                        nd = len(tp)
                        rc = tp / npig
                        pr = tp / (fp + tp + np.spacing(1))
                        q = np.zeros((R,))
                        recall[t, k, a, m] = rc[-1] if nd else 0
                        pr = pr.tolist()
                        q = q.tolist()
                        for i in range(nd - 1, 0, -1):
                            if pr[i] > pr[i - 1]:
                                pr[i - 1] = pr[i]
                        inds_r = np.searchsorted(rc, p.recThrs, side="left")
                        try:
                            for ri, pi in enumerate(inds_r):
                                q[ri] = pr[pi]
                        except IndexError:
                            pass
                        precision[t, :, k, a, m] = np.array(q)
        self.precision, self.recall = precision, recall

    def summarize(self):
        p = self.params

        def one(ap, iou_thr=None, area="all", max_dets=100):
            aind = [i for i, lbl in enumerate(p.areaRngLbl) if lbl == area]
            mind = [i for i, md in enumerate(p.maxDets) if md == max_dets]
            if ap:
                s = self.precision
                if iou_thr is not None:
                    s = s[np.where(iou_thr == p.iouThrs)[0]]
                s = s[:, :, :, aind, mind]
            else:
                s = self.recall
                if iou_thr is not None:
                    s = s[np.where(iou_thr == p.iouThrs)[0]]
                s = s[:, :, aind, mind]
            return -1.0 if len(s[s > -1]) == 0 else float(np.mean(s[s > -1]))

        stats = [one(1), one(1, iou_thr=.5), one(1, iou_thr=.75),
                 one(1, area="small"), one(1, area="medium"), one(1, area="large"),
                 one(0, max_dets=1), one(0, max_dets=10), one(0, max_dets=100),
                 one(0, area="small"), one(0, area="medium"), one(0, area="large")]
        names = {c["id"]: c.get("name", str(c["id"])) for c in self.gt_dataset["categories"]}
        per_class = {}
        for k, cat_id in enumerate(p.catIds):
            s = self.precision[:, :, k, 0, 2]
            if len(s[s > -1]):
                per_class[names[cat_id]] = float(np.mean(s[s > -1]))
        return dict(zip(METRIC_NAMES, stats)), per_class


def run(gt_path, dt_path):
    with open(gt_path) as f:
        gt = json.load(f)
    with open(dt_path) as f:
        dt = json.load(f)
    start = time.perf_counter()
    evaluator = CocoEvalNumpy(gt, dt)
    evaluator.evaluate()
    evaluator.accumulate()
    seconds = time.perf_counter() - start
    metrics, per_class = evaluator.summarize()
    return metrics, per_class, seconds


def check_fixtures(directory):
    cases = sorted(glob.glob(os.path.join(directory, "*_expected.json")))
    if not cases:
        print("no *_expected.json under " + directory, file=sys.stderr)
        return 2
    worst, failures = 0.0, 0
    for expected_path in cases:
        case = expected_path[:-len("_expected.json")]
        metrics, _, _ = run(case + "_gt.json", case + "_dt.json")
        with open(expected_path) as f:
            expected = json.load(f)
        for name in METRIC_NAMES:
            diff = abs(metrics[name] - expected[name])
            worst = max(worst, diff)
            if diff > 1e-9:
                failures += 1
                print("%s %s: %r, expected %r" % (os.path.basename(case), name, metrics[name],
                                                  expected[name]))
    print("%d cases, %d mismatches over 1e-9, largest difference %.3g" %
          (len(cases), failures, worst))
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gt")
    parser.add_argument("--dt")
    parser.add_argument("--check_fixtures", metavar="DIR")
    args = parser.parse_args()
    if args.check_fixtures:
        return check_fixtures(args.check_fixtures)
    if not args.gt or not args.dt:
        parser.error("--gt and --dt are required")
    metrics, per_class, seconds = run(args.gt, args.dt)
    out = dict(metrics)
    out["per_class_AP"] = per_class
    out["seconds_evaluate_accumulate"] = seconds
    out["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
