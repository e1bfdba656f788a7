"""Issue 15's table (§4), both layouts, from the committed runs: every row minus
Random, paired by seed, mean over the post-selection cycles (1-3), then the
§4 ablations minus full HUALE. Pairing is paired.py's: each seed pairs within
the first folder (machine) that holds both runs, never across machines.

  python3 results/benchmark_v2_2026-12-04/table.py > results/benchmark_v2_2026-12-04/table.md

Differences at equal annotated boxes need the baseline's curve interpolated
(the sweep's report does it per machine): see each column's summary.md.
"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from paired import pair  # noqa: E402

HERE = os.path.relpath(os.path.dirname(os.path.abspath(__file__)))
H200 = os.path.join(os.path.dirname(HERE), "benchmark_v2b_h200_2026-12-04")
SEEDS = [0, 1, 2, 3, 4]
CYCLES = 3  # post-selection cycles of a 4-cycle run

# (heading, folders that hold the runs, in pairing order, run-name prefix, report)
COLUMNS = [
    ("v2a, CPU", [f"{HERE}/runs", f"{HERE}/epyc/runs"], "v2a_i800_",
     "v2a_i800/summary.md, epyc/v2a_i800/summary.md"),
    ("v2b, CPU", [f"{HERE}/epyc/runs"], "v2b_i800_", "epyc/v2b_i800/summary.md"),
    # The second call first: it holds PPAL's finished runs (the first call's
    # stop after cycle 1).
    ("v2b, H200", [f"{H200}/call2/runs", f"{H200}/runs"], "v2b_h200_",
     "../benchmark_v2b_h200_2026-12-04/v2b_h200/summary.md"),
]

# (run name without prefix, what the row is); "" starts a group.
ROWS = [
    ("", "Acquisition functions, selection only (Random's losses)"),
    ("entropy", "entropy (max box entropy)"),
    ("cald", "CALD"),
    ("hua", "HUA (hierarchical aggregation alone)"),
    ("flat", "flat (HUALE's cascade, flat aggregation)"),
    ("huale_selection", "**HUALE's selection** (entropy retrieval, the default)"),
    ("huale_hua_retrieval", "**HUALE's selection, HUA retrieval** (option)"),
    ("core_set", "core-set"),
    ("ppal", "PPAL-style"),
    ("oracle_class_balanced", "*oracle* (ground truth; a ceiling, not a method)"),
    ("", "Single-metric selections (one stage of HUALE's cascade alone)"),
    ("only_semantic_affinity", "SA alone"),
    ("only_category_diversity", "CD alone"),
    ("only_overlap_ratio", "OR alone"),
    ("only_localization_confidence", "LC alone"),
    ("", "Full HUALE (selection and losses) and the §4 ablations"),
    ("huale", "**full HUALE**"),
    ("huale_full_hua_retrieval", "full HUALE, HUA retrieval (option)"),
    ("losses_only", "losses only (random selection)"),
    ("huale_flat", "flat aggregation instead of the cascade"),
    ("smooth_l1", "smooth-L1 instead of EIoU"),
    ("eiou_over_rois", "EIoU over sampled RoIs, weight 10"),
    ("no_emphasis", "no Emphasis"),
    ("no_iou_head", "no IoU head (and no Synchronic IoU)"),
]
ABLATIONS = ["huale_full_hua_retrieval", "losses_only", "huale_flat", "smooth_l1",
             "eiou_over_rois", "no_emphasis", "no_iou_head", "huale_selection"]


def cell(base, method, folders, prefix):
    """'mean ± std (above/seeds)' over the seeds both runs have, '–' if none;
    † when some seed compares fewer than CYCLES cycles."""
    rows = [r for r in pair(base, method, SEEDS, folders, prefix) if len(r) > 2]
    if not rows:
        return "–"
    means = [r[5] for r in rows]
    std = statistics.stdev(means) if len(means) > 1 else 0.0
    short = "†" if any(len(r[4]) < CYCLES for r in rows) else ""
    return (f"{statistics.mean(means):+.2f} ± {std:.2f} "
            f"({sum(m > 0 for m in means)}/{len(means)}){short}")


def boxes(method, folders, prefix):
    rows = [r for r in pair("random", method, SEEDS, folders, prefix) if len(r) > 2]
    return f"{statistics.mean(r[6] for r in rows):,.0f}" if rows else "–"


def table(base, rows, title):
    print(f"| {title} | " + " | ".join(c[0] for c in COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for name, label in rows:
        if not name:
            print(f"| *{label}* |" + " |" * len(COLUMNS))
            continue
        cells = [cell(base, name, folders, prefix) for _, folders, prefix, _ in COLUMNS]
        if any(c != "–" for c in cells):
            print(f"| {label} | " + " | ".join(cells) + " |")


def main():
    print("<!-- written by table.py; do not edit -->")
    print("Cells: mAP@0.5 points, mean ± std over seeds of the per-seed mean over "
          "cycles 1–3 (200, 300, 400 labelled images), paired by seed within one "
          "machine; in brackets, seeds above / seeds run. † some seed has fewer "
          "cycles (the H200's entropy: cycles 1–2). – not run there.\n")
    table("random", ROWS, "row − Random")
    print("\nLabelled boxes at the last compared cycle (mean over seeds; Random's "
          "first):\n")
    print("| row | " + " | ".join(c[0] for c in COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for name, label in [("random", "Random")] + [r for r in ROWS if r[0]]:
        cells = [boxes(name, folders, prefix) for _, folders, prefix, _ in COLUMNS]
        if any(c != "–" for c in cells):
            print(f"| {label} | " + " | ".join(cells) + " |")
    print("\nThe §4 ablations and options minus full HUALE, the same way "
          "(the paper has every ablation below full HUALE):\n")
    labels = dict(r for r in ROWS if r[0])
    table("huale", [(a, labels[a]) for a in ABLATIONS], "row − full HUALE")
    print("\nEqual-box differences and per-cycle curves: " +
          "; ".join(f"{c[0]}: {c[3]}" for c in COLUMNS) + ".")


if __name__ == "__main__":
    main()
