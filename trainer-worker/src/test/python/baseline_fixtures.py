#!/usr/bin/python3
"""scikit-learn's linear probe on a few seeded feature sets, which LinearProbeTest checks the Java side against.

Needs Debian's python3-sklearn (run with /usr/bin/python3):

  baseline_fixtures.py FILE     writes FILE (src/test/resources/baseline/sklearn.json): per case the float32
                                features, labels and fold of every row, and what
                                LogisticRegression(solver="liblinear", dual=False) predicts for each fold's rows
                                when trained on the other folds

The folds are written out, so both sides train on exactly the same rows. Both solvers stop at a tight tolerance, so
they reach the same optimum of the same strictly convex objective, whatever their iterations.
"""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

TOLERANCE = 1e-8


def case(name, seed, n, classes, dims, spread, folds, sparse=False):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, dims)) * 2.0
    labels = np.arange(n) % classes
    rng.shuffle(labels)
    x = centres[labels] + rng.normal(size=(n, dims)) * spread
    if sparse:
        # Post-ReLU features, as DenseNet121's are: many exact zeros.
        x = np.maximum(x, 0)
    x = x.astype(np.float32)
    fold = np.zeros(n, dtype=int)
    for k in range(classes):
        members = np.flatnonzero(labels == k)
        rng.shuffle(members)
        fold[members] = np.arange(len(members)) % folds
    probabilities = np.zeros((n, classes))
    fold_accuracies = []
    for f in range(folds):
        held = fold == f
        model = LogisticRegression(solver="liblinear", dual=False, C=1.0, tol=TOLERANCE, max_iter=100000)
        model.fit(x[~held].astype(np.float64), labels[~held])
        probabilities[held] = model.predict_proba(x[held].astype(np.float64))
        fold_accuracies.append(float((probabilities[held].argmax(axis=1) == labels[held]).mean()))
    return {
        "name": name,
        "classes": classes,
        "folds": folds,
        "features": [[float(v) for v in row] for row in x],
        "labels": labels.tolist(),
        "fold": fold.tolist(),
        "probabilities": probabilities.tolist(),
        "foldAccuracies": fold_accuracies,
    }


def main():
    cases = [
        case("three overlapping classes", 1, 90, 3, 6, 1.5, 3),
        case("two classes", 2, 40, 2, 5, 1.0, 4),
        case("five classes, sparse post-ReLU features", 3, 100, 5, 12, 1.2, 5, sparse=True),
        # Fewer training rows than dimensions, as a few hundred images of DenseNet121's 1,024 features: the Java
        # side solves these folds in the span of the training rows.
        case("four classes, more dimensions than rows", 4, 48, 4, 80, 1.5, 4, sparse=True),
    ]
    with open(sys.argv[1], "w") as out:
        json.dump({"tolerance": TOLERANCE, "cases": cases}, out)


if __name__ == "__main__":
    main()
