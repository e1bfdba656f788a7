# Python reference for loader_benchmark: the same decode + transforms with PIL
# and NumPy (Debian's python3), one process, one thread: open, RGB, bilinear
# resize by torchvision's min/max-side rule, float in [0, 1], horizontal flip,
# CHW. Prints images/s.
import sys
import time

import numpy as np
from PIL import Image

list_file, min_size, max_size, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
paths = [line.strip() for line in open(list_file) if line.strip()]
start = time.perf_counter()
n = 0
for _ in range(repeats):
    for i, path in enumerate(paths):
        image = Image.open(path).convert("RGB")
        w, h = image.size
        scale = min(min_size / min(w, h), max_size / max(w, h))
        size = (int(w * scale), int(h * scale))
        if size != (w, h):
            image = image.resize(size, Image.BILINEAR)
        array = np.asarray(image, dtype=np.float32) / 255.0
        if i % 2:
            array = array[:, ::-1]
        chw = np.ascontiguousarray(array.transpose(2, 0, 1))
        n += 1
elapsed = time.perf_counter() - start
print(f"python_loader min_size={min_size} images_per_s {n / elapsed:.1f}")
