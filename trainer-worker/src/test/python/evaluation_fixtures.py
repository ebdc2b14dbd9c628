#!/usr/bin/python3
"""scikit-learn's figures for the evaluation report, which EvaluatorTest checks the Java side against.

Needs Debian's python3-sklearn (run with /usr/bin/python3):

  evaluation_fixtures.py FILE     writes FILE (src/test/resources/evaluation/sklearn.json): for a few sets of seeded
                                  float32 probabilities and labels, what scikit-learn computes from them

Probabilities are float32, as the head gives them, and written exactly (a float32 value prints as a double that
reads back to the same float32); scikit-learn takes them as float64, as the Java side does.
"""
import json
import sys

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, confusion_matrix, log_loss, precision_recall_fscore_support,
                             top_k_accuracy_score)

TOP_K = 5
BINS = 15
MAX_MISCLASSIFIED = 100


def probabilities(rng, labels, classes, sharpness):
    """Softmax of noisy logits that lean to the true class, in float32."""
    logits = rng.normal(size=(len(labels), classes)) * 2.0
    logits[np.arange(len(labels)), labels] += sharpness
    logits = logits.astype(np.float32)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def case(name, seed, n, classes, sharpness, unused_class=False):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes - 1 if unused_class else classes, size=n)
    p = probabilities(rng, labels, classes, sharpness)
    if unused_class:
        # A class that has no images and is never predicted: its precision and recall are 0/0.
        p[:, classes - 1] = np.float32(1e-30)
        p = (p / p.sum(axis=1, keepdims=True)).astype(np.float32)
    # A row where the true class's probability underflows to 0 (log loss clips it), and a row of ties.
    p[0] = 0
    p[0][(labels[0] + 1) % classes] = 1
    p[1] = np.float32(1 / classes)
    return name, [f"img/{i}.jpg" for i in range(n)], labels, p


def figures(name, paths, labels, p32):
    classes = p32.shape[1]
    p = p32.astype(np.float64)
    everything = list(range(classes))
    predicted = p.argmax(axis=1)
    confidence = p[np.arange(len(labels)), predicted]
    correct = (predicted == labels).astype(int)
    precision, recall, f1, support = precision_recall_fscore_support(labels, predicted, labels=everything,
                                                                    zero_division=0)
    averages = {}
    for average in ("macro", "weighted"):
        ap, ar, af, _ = precision_recall_fscore_support(labels, predicted, labels=everything, average=average,
                                                        zero_division=0)
        averages[average] = {"precision": ap, "recall": ar, "f1": af}
    prob_true, prob_pred = calibration_curve(correct, confidence, n_bins=BINS, strategy="uniform", pos_label=1)
    images = np.bincount(np.searchsorted(np.linspace(0.0, 1.0, BINS + 1)[1:-1], confidence), minlength=BINS)
    accuracy = [None] * BINS
    mean_confidence = [None] * BINS
    for b, t, c in zip(np.nonzero(images)[0], prob_true, prob_pred):
        accuracy[b] = float(t)
        mean_confidence[b] = float(c)
    nonempty = images > 0
    ece = float(np.sum(images[nonempty] / len(labels) * np.abs(prob_true - prob_pred)))
    wrong = sorted(np.nonzero(predicted != labels)[0], key=lambda i: (-confidence[i], i))
    return {
        "name": name,
        "classes": [f"class-{k}" for k in everything],
        "paths": paths,
        "labels": labels.tolist(),
        "probabilities": [[float(v) for v in row] for row in p32],
        "expected": {
            "accuracy": accuracy_score(labels, predicted),
            "topKAccuracy": top_k_accuracy_score(labels, p, k=TOP_K, labels=everything) if classes > TOP_K
            else None,
            "logLoss": log_loss(labels, p, labels=everything),
            "confusionMatrix": confusion_matrix(labels, predicted, labels=everything).tolist(),
            "precision": precision.tolist(), "recall": recall.tolist(), "f1": f1.tolist(),
            "support": support.tolist(),
            "macro": averages["macro"], "weighted": averages["weighted"],
            "expectedCalibrationError": ece,
            "binImages": images.tolist(), "binAccuracy": accuracy, "binMeanConfidence": mean_confidence,
            "misclassifiedImages": len(wrong),
            "misclassified": [{"path": paths[i], "trueClass": f"class-{labels[i]}",
                               "predictedClass": f"class-{predicted[i]}", "probability": float(confidence[i])}
                              for i in wrong[:MAX_MISCLASSIFIED]],
        },
    }


def main():
    cases = [case("seven-classes-one-unused", 1, 300, 7, 3.0, unused_class=True),
             case("two-classes", 2, 60, 2, 2.0),
             case("three-classes-mostly-wrong", 3, 250, 3, 0.0)]
    with open(sys.argv[1], "w") as out:
        json.dump([figures(*c) for c in cases], out, indent=None)
        out.write("\n")


if __name__ == "__main__":
    main()
