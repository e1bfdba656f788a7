"""Per-seed rows of the READMEs' paired tables: METHOD against BASE, seed by seed.

  python3 results/benchmark_v2_2026-12-04/paired.py BASE METHOD SEEDS [RUNS [PREFIX]] [--cycles=A-B]
  e.g. paired.py random lo_smooth_l1 0,1 results/benchmark_v2_2026-12-04/runs
       paired.py random hua 0,1,2,3,4 results/benchmark_v2b_h200_2026-12-04/call2/runs v2b_h200_
       paired.py random cald 0,1,2,3,4 results/benchmark_v2_2026-12-04/runs,results/benchmark_v2_2026-12-04/epyc/runs

reads RUNS/<PREFIX><name>/seed<k>/metrics.csv (the sweep's per-run table; RUNS
defaults to ./runs, PREFIX to v2a_i800_) and prints, per seed, mAP@0.5 % at every cycle of both, the
differences at the cycles after the first selection (cycle 0 is the shared
initial model for selection-only methods), their mean and the labelled boxes at
the last cycle; then the mean ± sample std of the per-seed means and how many
are above 0. Only the cycles both runs finished are compared; --cycles=A-B
keeps cycles A to B (default: 1 to the last).

RUNS may name several folders, comma-separated (runs made on different
machines, whose cycle-0 models differ): each seed is paired within the first
folder that holds both runs, never across folders, and the row names it.
"""
import csv
import statistics
import sys


def load(runs, name, seed, prefix="v2a_i800_"):
    with open(f"{runs}/{prefix}{name}/seed{seed}/metrics.csv") as f:
        rows = list(csv.DictReader(f))
    return [100 * float(r["primary"]) for r in rows], [int(r["labelled_boxes"]) for r in rows]


def pair(base, method, seeds, folders, prefix="v2a_i800_", first=1, last=None):
    """Yields, per seed, (seed, folder, base mAPs, method mAPs, differences,
    their mean, method's boxes at the last compared cycle), or (seed, why) when
    the seed has nothing to compare. Each seed pairs within the first folder
    that holds both runs."""
    for s in seeds:
        missing = None
        for runs in folders:
            try:
                b, _ = load(runs, base, s, prefix)
                m, boxes = load(runs, method, s, prefix)
                break
            except FileNotFoundError as e:
                missing = missing or e.filename
        else:
            yield s, f"no run: {missing}"
            continue
        n = min(len(b), len(m)) if last is None else min(len(b), len(m), last + 1)
        d = [x - y for x, y in zip(m[first:n], b[first:n])]
        if not d:
            yield s, f"{method} has no selected cycle yet"
            continue
        yield s, runs, b[:n], m[:n], d, sum(d) / len(d), boxes[n - 1]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--cycles=")]
    first, last = 1, None
    for a in sys.argv[1:]:
        if a.startswith("--cycles="):
            first, last = (int(x) for x in a[len("--cycles="):].split("-"))
    base, method, seeds = args[0], args[1], [int(s) for s in args[2].split(",")]
    folders = (args[3] if len(args) > 3 else "runs").split(",")
    prefix = args[4] if len(args) > 4 else "v2a_i800_"
    means = []
    for row in pair(base, method, seeds, folders, prefix, first, last):
        if len(row) == 2:
            print(f"| {row[0]} | {row[1]} |")
            continue
        s, runs, b, m, d, mean, boxes = row
        means.append(mean)
        where = f" ({runs})" if len(folders) > 1 else ""
        print(f"| {s}{where} | {' / '.join(f'{x:.2f}' for x in b)} | "
              f"{' / '.join(f'{x:.2f}' for x in m)} | "
              f"{' / '.join(f'{x:+.2f}' for x in d)} | {mean:+.2f} | {boxes:,} |")
    if means:
        std = statistics.stdev(means) if len(means) > 1 else 0.0
        print(f"{method} − {base}: {statistics.mean(means):+.2f} ± {std:.2f} over "
              f"{len(means)} seeds, {sum(x > 0 for x in means)}/{len(means)} above")


if __name__ == "__main__":
    main()
