// schedule.annotator: FILES, for every labelling tool huale does not talk to
// (CVAT, Labelbox, a spreadsheet). Each batch goes out as a folder,
//   cycle_NN/to_label/
//     images/<id><ext>       links to the images to label
//     predictions.json       the model's detections as COCO results with an
//                            images and a categories list (pre-annotations;
//                            CVAT and Label Studio import COCO)
//     README.txt             what to do
// and comes back as cycle_NN/to_label/labels.json: a COCO instances file
// (images matched by file name: the link's, the image's own or its id), or a
// Label Studio JSON export of tasks huale or a person made from the links.
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "huale/core/atomic_file.h"
#include "huale/core/status_macros.h"
#include "huale/data/coco_instances.h"
#include "huale/engine/annotator.h"
#include "huale/engine/label_studio_json.h"
#include "nlohmann/json.hpp"

namespace huale {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr char kFolder[] = "to_label";
constexpr char kLabels[] = "labels.json";

std::string LinkName(const LabelTask& image) {
  return absl::StrCat(image.image_id, fs::path(image.path).extension().string());
}

class FilesAnnotator : public Annotator {
 public:
  explicit FilesAnnotator(const AnnotatorContext& context)
      : class_names_(context.class_names),
        min_score_(context.spec.labelling().prediction_score_threshold()) {}

  absl::StatusOr<std::string> Send(const LabelBatch& batch, const std::string&) override {
    const fs::path folder = fs::path(batch.cycle_directory) / kFolder;
    std::error_code error;
    fs::create_directories(folder / "images", error);
    if (error) {
      return absl::InternalError(absl::StrCat("cannot create ", (folder / "images").string(), ": ",
                                              error.message()));
    }
    json images = json::array(), annotations = json::array(), categories = json::array();
    for (size_t c = 0; c < class_names_.size(); ++c) {
      categories.push_back({{"id", c + 1}, {"name", class_names_[c]}});
    }
    int64_t next_annotation = 1;
    for (size_t i = 0; i < batch.images.size(); ++i) {
      const LabelTask& image = batch.images[i];
      const fs::path link = folder / "images" / LinkName(image);
      fs::remove(link, error);
      fs::create_symlink(fs::absolute(image.path), link, error);
      if (error) {
        return absl::InternalError(
            absl::StrCat("cannot link ", link.string(), " to ", image.path, ": ", error.message()));
      }
      const int64_t id = static_cast<int64_t>(i) + 1;
      images.push_back({{"id", id},
                        {"file_name", absl::StrCat("images/", LinkName(image))},
                        {"width", image.width},
                        {"height", image.height},
                        {"huale_id", image.image_id}});
      for (const Detection& detection : image.predictions) {
        if (detection.score < min_score_) continue;
        const Box& b = detection.box;
        annotations.push_back({{"id", next_annotation++},
                               {"image_id", id},
                               {"category_id", detection.label + 1},
                               {"bbox", {b.x1, b.y1, b.x2 - b.x1, b.y2 - b.y1}},
                               {"area", (b.x2 - b.x1) * (b.y2 - b.y1)},
                               {"iscrowd", 0},
                               {"score", detection.score}});
      }
    }
    const json predictions = {{"images", images},
                              {"annotations", annotations},
                              {"categories", categories}};
    HUALE_RETURN_IF_ERROR(
        WriteFileAtomically((folder / "predictions.json").string(), predictions.dump(1)));
    HUALE_RETURN_IF_ERROR(WriteFileAtomically(
        (folder / "README.txt").string(),
        absl::StrCat("Cycle ", batch.cycle, ": label the ", batch.images.size(),
                     " images in images/ (predictions.json holds the model's boxes, as COCO,\n"
                     "to import as pre-annotations), then put the finished labels here as\n",
                     kLabels, ": COCO instances JSON (images matched by file name) or a Label\n"
                     "Studio JSON export, and run huale again with --resume.\n")));
    return json({{"folder", kFolder}}).dump();
  }

  absl::StatusOr<ReturnedLabels> Collect(const LabelBatch& batch, std::string&) override {
    const fs::path path = fs::path(batch.cycle_directory) / kFolder / kLabels;
    ReturnedLabels labels;
    labels.where_to_label = (fs::path(batch.cycle_directory) / kFolder).string();
    if (!fs::exists(path)) {
      labels.pending = static_cast<int64_t>(batch.images.size());
      return labels;
    }
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return absl::DataLossError(absl::StrCat("cannot read ", path.string()));
    // Which batch image a name in the file means.
    std::map<std::string, const LabelTask*> by_name;
    for (const LabelTask& image : batch.images) {
      by_name[image.image_id] = &image;
      by_name[fs::path(image.path).filename().string()] = &image;
    }
    for (const LabelTask& image : batch.images) by_name[LinkName(image)] = &image;
    std::map<std::string, std::vector<ReturnedBox>> found;  // image id -> boxes
    const std::string contents = text.str();
    const size_t first = contents.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && contents[first] == '[') {
      HUALE_RETURN_IF_ERROR(ReadLabelStudioExport(contents, path.string(), batch, by_name, found,
                                                  labels));
    } else {
      HUALE_RETURN_IF_ERROR(ReadCoco(contents, path.string(), by_name, found, labels));
    }
    std::set<std::string> skipped;
    for (const auto& [id, reason] : labels.skipped) skipped.insert(id);
    for (const LabelTask& image : batch.images) {
      if (skipped.count(image.image_id) > 0) continue;
      auto it = found.find(image.image_id);
      if (it == found.end()) {
        ++labels.pending;
      } else {
        labels.labelled.push_back({image.image_id, std::move(it->second)});
      }
    }
    return labels;
  }

 private:
  static absl::Status ReadCoco(const std::string& contents, const std::string& path,
                               const std::map<std::string, const LabelTask*>& by_name,
                               std::map<std::string, std::vector<ReturnedBox>>& found,
                               ReturnedLabels& labels) {
    HUALE_ASSIGN_OR_RETURN(const CocoInstances coco, ParseCocoInstances(contents, path));
    if (!coco.images || !coco.categories) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": expected a COCO instances file with \"images\" and \"categories\""));
    }
    std::map<int64_t, std::string> class_of;
    for (size_t i = 0; i < coco.categories->size(); ++i) {
      const CocoInstances::Category& category = (*coco.categories)[i];
      if (!category.problem.empty() || !category.id || !category.name) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": categories[", i, "]: ",
                                                       category.problem.empty()
                                                           ? "expected an id and a name"
                                                           : category.problem));
      }
      class_of[*category.id] = *category.name;
    }
    std::map<int64_t, std::string> image_of;  // COCO image id -> huale image id
    for (size_t i = 0; i < coco.images->size(); ++i) {
      const CocoInstances::Image& image = (*coco.images)[i];
      if (!image.problem.empty() || !image.id || !image.file_name) {
        return absl::InvalidArgumentError(absl::StrCat(
            path, ": images[", i, "]: ",
            image.problem.empty() ? "expected an id and a file_name" : image.problem));
      }
      auto it = by_name.find(fs::path(*image.file_name).filename().string());
      if (it == by_name.end()) {
        labels.warnings.push_back(absl::StrCat(path, ": images[", i, "] ('", *image.file_name,
                                               "') is not an image of this batch: not used"));
        continue;
      }
      image_of[*image.id] = it->second->image_id;
      found[it->second->image_id];  // labelled, perhaps with no object
    }
    if (!coco.annotations) return absl::OkStatus();
    for (size_t i = 0; i < coco.annotations->size(); ++i) {
      const CocoInstances::Object& object = (*coco.annotations)[i];
      const std::string where = absl::StrCat(path, ": annotations[", i, "]");
      if (!object.problem.empty() || !object.image_id || !object.category_id || !object.bbox) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": ",
            object.problem.empty() ? "expected image_id, category_id and bbox" : object.problem));
      }
      auto image = image_of.find(*object.image_id);
      if (image == image_of.end()) continue;  // an image not of this batch (warned above)
      auto category = class_of.find(*object.category_id);
      if (category == class_of.end()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ".category_id: ", *object.category_id,
                                                       " is not in the file's categories"));
      }
      const auto& [x, y, w, h] = *object.bbox;
      found[image->second].push_back(
          {Box{static_cast<float>(x), static_cast<float>(y), static_cast<float>(x + w),
               static_cast<float>(y + h)},
           category->second, where});
    }
    return absl::OkStatus();
  }

  static absl::Status ReadLabelStudioExport(
      const std::string& contents, const std::string& path, const LabelBatch& batch,
      const std::map<std::string, const LabelTask*>& by_name,
      std::map<std::string, std::vector<ReturnedBox>>& found, ReturnedLabels& labels) {
    const json tasks = json::parse(contents, nullptr, /*allow_exceptions=*/false);
    if (tasks.is_discarded() || !tasks.is_array()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": not a Label Studio JSON export (an array of tasks)"));
    }
    for (size_t i = 0; i < tasks.size(); ++i) {
      HUALE_ASSIGN_OR_RETURN(const LabelStudioTaskState task, ReadLabelStudioTask(tasks[i]));
      std::string name = task.huale_id;
      if (name.empty()) {
        // A task made from the links: its image's file name.
        const size_t slash = task.image.find_last_of("/=");
        name = slash == std::string::npos ? task.image : task.image.substr(slash + 1);
      }
      auto it = by_name.find(name);
      if (it == by_name.end() || (task.cycle >= 0 && task.cycle != batch.cycle)) {
        if (task.state == LabelStudioTaskState::kLabelled) {
          labels.warnings.push_back(absl::StrCat(path, ": task ", task.task_id, " ('", name,
                                                 "') is not an image of this batch: not used"));
        }
        continue;
      }
      const LabelTask& image = *it->second;
      const std::string where = absl::StrCat(path, ": task ", task.task_id, " (image '",
                                             image.image_id, "')");
      if (task.state == LabelStudioTaskState::kSkipped) {
        labels.skipped.push_back(
            {image.image_id, absl::StrCat("skipped in the labelling tool (", where, ")")});
        found.erase(image.image_id);
      } else if (task.state == LabelStudioTaskState::kLabelled) {
        HUALE_ASSIGN_OR_RETURN(std::vector<ReturnedBox> boxes,
                               LabelStudioBoxes(task.result, image.width, image.height, where));
        found[image.image_id] = std::move(boxes);
      }
    }
    return absl::OkStatus();
  }

  const std::vector<std::string> class_names_;
  const double min_score_;
};

}  // namespace

HUALE_REGISTER(AnnotatorRegistry, "files",
               "any labelling tool through files: cycle_NN/to_label/ out (image links, COCO "
               "predictions), labels.json back (COCO or a Label Studio export) "
               "(schedule.annotator: FILES)",
               [](const AnnotatorContext& context) -> absl::StatusOr<std::unique_ptr<Annotator>> {
                 return std::make_unique<FilesAnnotator>(context);
               });

}  // namespace huale
