#!/opt/huale/py/bin/python
"""COCO bbox evaluation by a reference implementation, for
//huale/eval:coco_eval_benchmark: pycocotools 2.0.11 (the reference) or
faster-coco-eval 1.8.0 (the fastest public evaluator), both pinned in
tools/requirements.txt. Prints one JSON object: the twelve numbers, the seconds
of evaluate() + accumulate(), the seconds of the whole evaluation including JSON
loading, and the process's peak RSS.

  /opt/huale/py/bin/python tools/coco_eval_reference.py --impl pycocotools --gt GT.json --dt DT.json
"""
import argparse
import contextlib
import json
import resource
import sys
import time

METRIC_NAMES = ["AP", "AP50", "AP75", "APs", "APm", "APl",
                "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--impl", choices=["pycocotools", "faster_coco_eval"], required=True)
    parser.add_argument("--gt", required=True)
    parser.add_argument("--dt", required=True)
    args = parser.parse_args()
    if args.impl == "pycocotools":
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval
    else:
        from faster_coco_eval import COCO
        from faster_coco_eval import COCOeval_faster as COCOeval
    # The libraries print progress on stdout; this program's stdout is the JSON.
    with contextlib.redirect_stdout(sys.stderr):
        start = time.perf_counter()
        gt = COCO(args.gt)
        dt = gt.loadRes(args.dt)
        evaluator = COCOeval(gt, dt, "bbox")
        loaded = time.perf_counter()
        evaluator.evaluate()
        evaluator.accumulate()
        evaluated = time.perf_counter()
        evaluator.summarize()
    out = dict(zip(METRIC_NAMES, [float(v) for v in evaluator.stats[:12]]))
    out["implementation"] = args.impl
    out["seconds_evaluate_accumulate"] = evaluated - loaded
    out["seconds_total"] = evaluated - start
    out["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
