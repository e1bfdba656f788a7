// Classification term of the RoI head (Fast R-CNN / torchvision's
// fastrcnn_loss): softmax cross-entropy over C+1 classes, mean over all
// sampled RoIs. Registered as "cross_entropy" (LossRole::kClassification).
#ifndef HUALE_LOSSES_CROSS_ENTROPY_H_
#define HUALE_LOSSES_CROSS_ENTROPY_H_

namespace at {
class Tensor;
}  // namespace at

namespace huale {

// [R] -log softmax(logits[i])[labels[i]], or with label smoothing eps
// (1 - eps) * that + eps * mean_c(-log softmax(logits[i])[c]), as
// torch.nn.functional.cross_entropy(reduction="none", label_smoothing=eps).
at::Tensor CrossEntropyPerRoi(const at::Tensor& class_logits, const at::Tensor& labels,
                              double label_smoothing = 0.0);

}  // namespace huale

#endif  // HUALE_LOSSES_CROSS_ENTROPY_H_
