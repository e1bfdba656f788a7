# Python reference for coco_reader_benchmark: json.load of the same instances
# file plus the same bookkeeping (image map, xywh -> xyxy per annotation), with
# Debian's python3. Prints seconds and peak RSS.
import json
import resource
import sys
import time

path = sys.argv[1]
start = time.perf_counter()
with open(path) as f:
    data = json.load(f)
images = {im["id"]: (im["file_name"], im["width"], im["height"], []) for im in data["images"]}
categories = sorted(c["id"] for c in data["categories"])
label = {c: i for i, c in enumerate(categories)}
for a in data["annotations"]:
    x, y, w, h = a["bbox"]
    images[a["image_id"]][3].append((x, y, x + w, y + h, label[a["category_id"]], a["iscrowd"]))
elapsed = time.perf_counter() - start
print(f"python_json_load_s {elapsed:.3f}")
print(f"python_peak_rss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
