"""Plays the people of huale's labelling tests (stdlib only).

  play_annotator.py coco DATA TO_LABEL
      Writes TO_LABEL/labels.json: the ground truth (DATA's VOC XML) of the
      images in TO_LABEL/predictions.json, as COCO instances; classes from
      predictions.json's categories.
  play_annotator.py label_studio DATA URL TOKEN TITLE CYCLE EXPECTED [--edits]
      Labels every unlabelled task of CYCLE in the Label Studio project TITLE
      through the server's REST API, as a person would: with the ground truth,
      or (--edits) accepting one image's pre-annotations, moving a box,
      deleting one, adding one, skipping an image, deleting a task (it must be
      sent again) and labelling a task huale did not send. Writes what it did
      to EXPECTED (JSON: {"labelled": {id: [[class, x1, y1, x2, y2], ...]},
      "skipped": [id], "deleted": [id]}), merged with what is there.
  play_annotator.py check RUN_LABELS EXPECTED DATA
      Compares a run's cycle_NN/labels.json and DATA's Annotations/<id>.xml
      with EXPECTED (to 1e-3 pixel).
"""
import json
import os
import sys
import urllib.request
import xml.etree.ElementTree as ET


def ground_truth(data, image_id):
    root = ET.parse(os.path.join(data, "Annotations", image_id + ".xml")).getroot()
    size = root.find("size")
    width, height = float(size.find("width").text), float(size.find("height").text)
    boxes = []
    for obj in root.findall("object"):
        b = obj.find("bndbox")
        boxes.append([obj.find("name").text.strip()] +
                     [float(b.find(k).text) for k in ("xmin", "ymin", "xmax", "ymax")])
    return width, height, boxes


def coco(data, to_label):
    with open(os.path.join(to_label, "predictions.json")) as f:
        predictions = json.load(f)
    category = {c["name"]: c["id"] for c in predictions["categories"]}
    annotations = []
    for image in predictions["images"]:
        _, _, boxes = ground_truth(data, image["huale_id"])
        for name, x1, y1, x2, y2 in boxes:
            annotations.append({"id": len(annotations) + 1, "image_id": image["id"],
                                "category_id": category[name], "bbox": [x1, y1, x2 - x1, y2 - y1],
                                "area": (x2 - x1) * (y2 - y1), "iscrowd": 0})
    labels = {"images": [{k: image[k] for k in ("id", "file_name", "width", "height")}
                         for image in predictions["images"]],
              "annotations": annotations, "categories": predictions["categories"]}
    with open(os.path.join(to_label, "labels.json"), "w") as f:
        json.dump(labels, f)


class Server:
    def __init__(self, url, token):
        self.url, self.token = url.rstrip("/"), token

    def __call__(self, method, path, body=None):
        request = urllib.request.Request(
            self.url + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": "Token " + self.token, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            text = response.read()
        return json.loads(text) if text else None


def region(name, box, width, height):
    x1, y1, x2, y2 = box
    return {"from_name": "label", "to_name": "image", "type": "rectanglelabels",
            "original_width": width, "original_height": height, "image_rotation": 0,
            "value": {"x": 100.0 * x1 / width, "y": 100.0 * y1 / height,
                      "width": 100.0 * (x2 - x1) / width, "height": 100.0 * (y2 - y1) / height,
                      "rotation": 0, "rectanglelabels": [name]}}


def label_studio(data, url, token, title, cycle, expected_path, edits):
    server = Server(url, token)
    projects = server("GET", "/api/projects?page_size=10000")
    projects = projects["results"] if isinstance(projects, dict) else projects
    project = next(p["id"] for p in projects if p["title"] == title)
    tasks = server("GET", f"/api/projects/{project}/export?exportType=JSON&download_all_tasks=true")
    tasks = [t for t in tasks if t["data"].get("huale_cycle") == cycle and not t["annotations"]]
    tasks.sort(key=lambda t: t["data"]["huale_id"])
    expected = {"labelled": {}, "skipped": [], "deleted": []}
    if os.path.exists(expected_path):
        with open(expected_path) as f:
            expected = json.load(f)
    classes = None
    for n, task in enumerate(tasks):
        image_id = task["data"]["huale_id"]
        width, height, boxes = ground_truth(data, image_id)
        role = n if edits else -1
        predictions = task.get("predictions") or []
        if predictions and not isinstance(predictions[0], dict):  # an export lists their ids
            predictions = server("GET", f"/api/tasks/{task['id']}").get("predictions") or []
        if role == 0 and predictions and isinstance(predictions[0], dict):
            # Accepts the model's boxes as they are.
            print(f"image {image_id}: the model's {len(predictions[0]['result'])} boxes accepted")
            result = predictions[0]["result"]
            boxes = []
            for r in result:
                v = r["value"]
                boxes.append([v["rectanglelabels"][0], v["x"] * width / 100, v["y"] * height / 100,
                              (v["x"] + v["width"]) * width / 100,
                              (v["y"] + v["height"]) * height / 100])
        elif role == 1:  # moves the first box 3 px right and 2 px down
            name, x1, y1, x2, y2 = boxes[0]
            boxes[0] = [name, x1 + 3, y1 + 2, min(x2 + 3, width), min(y2 + 2, height)]
        elif role == 2:  # deletes the last box
            boxes = boxes[:-1]
        elif role == 3:  # adds a box of the first box's class
            boxes = boxes + [[boxes[0][0], 1, 2, 11, 12]]
        elif role == 4:  # skips the image
            server("POST", f"/api/tasks/{task['id']}/annotations",
                   {"result": [], "was_cancelled": True})
            expected["skipped"].append(image_id)
            continue
        elif role == 5:  # the task is deleted in the tool: huale must send it again
            server("DELETE", f"/api/tasks/{task['id']}")
            expected["deleted"].append(image_id)
            continue
        result = [region(name, box, int(width), int(height)) for name, *box in boxes]
        server("POST", f"/api/tasks/{task['id']}/annotations", {"result": result,
                                                               "was_cancelled": False})
        expected["labelled"][image_id] = boxes
    if edits:
        # A person labels an image huale did not send: its labels must not be used.
        server("POST", f"/api/projects/{project}/import",
               [{"data": {"image": "/data/local-files/?d=JPEGImages/stray.jpg"},
                 "annotations": [{"result": [region(boxes[0][0], [1, 1, 5, 5], 100, 100)]}]}])
    with open(expected_path, "w") as f:
        json.dump(expected, f, indent=1)
    print(f"labelled {len(tasks)} tasks of cycle {cycle}")


def close(a, b):
    return a[0] == b[0] and all(abs(x - y) < 1e-3 for x, y in zip(a[1:], b[1:]))


def check(run_labels, expected_path, data):
    with open(run_labels) as f:
        labels = json.load(f)
    with open(expected_path) as f:
        expected = json.load(f)
    got = {i["id"]: [[o["class"]] + o["box"] for o in i["objects"]] for i in labels["images"]}
    problems = []
    if sorted(s["id"] for s in labels["skipped"]) != sorted(expected["skipped"]):
        problems.append(f"skipped {labels['skipped']} != {expected['skipped']}")
    for image_id, boxes in expected["labelled"].items():
        mine = got.get(image_id)
        if mine is None or len(mine) != len(boxes) or not all(map(close, mine, boxes)):
            problems.append(f"image {image_id}: run has {mine}, the annotator gave {boxes}")
        _, _, written = ground_truth(data, image_id)
        if len(written) != len(boxes) or not all(map(close, written, boxes)):
            problems.append(f"image {image_id}: Annotations/{image_id}.xml has {written}, "
                            f"the annotator gave {boxes}")
    extra = set(got) - set(expected["labelled"])
    if extra:
        problems.append(f"labels the annotator did not give: {sorted(extra)}")
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print(f"labels.json and the dataset hold the {len(expected['labelled'])} images' labels "
          f"the annotator gave; skipped {expected['skipped']}")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "coco":
        coco(sys.argv[2], sys.argv[3])
    elif mode == "label_studio":
        label_studio(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]),
                     sys.argv[7], "--edits" in sys.argv)
    elif mode == "check":
        check(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(f"unknown mode {mode}")
