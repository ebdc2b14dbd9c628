"""The sweep benchmark's PyTorch side: the same trials a platform sweep ran, on the same features, each head
trained for exactly the epochs the sweep trained it (successive halving's pruned trials stop at their rung, the
survivors go on: the same work as resuming them), one after another in this process, as a PyTorch user's own sweep
loop would. The head and recipe are the platform's: Linear(F,H) ReLU [Dropout] Linear(H,C) LogSoftmax, NLLLoss,
Adam, shuffled batches, a validation pass after every epoch; a trial's score is the validation accuracy of its epoch
with the lowest validation loss, as the platform scores it. The split is stratified with the sweep's sizes (other
rows than the worker's split, the same counts per class).

python3 sweep_torch.py --data DIR --trials trials.json --train N --validation M [--threads T]
  DIR holds features.f32 (little-endian float32 rows) and labels.i32; trials.json a list of
  {"learningRate", "hiddenUnits", "batchSize", "dropout" (or null), "epochs"}.
Prints one JSON line: seconds, trials, epochs, best validation accuracy.
"""
import argparse
import json
import time

import numpy as np
import torch
from torch import nn


def split(labels, train, validation, seed):
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    train_rows, validation_rows = [], []
    for c in classes:
        rows = rng.permutation(np.flatnonzero(labels == c))
        v = validation // len(classes)
        t = train // len(classes)
        validation_rows.append(rows[:v])
        train_rows.append(rows[v:v + t])
    return np.concatenate(train_rows), np.concatenate(validation_rows)


def trial(hp, x, y, xv, yv, classes, seed):
    torch.manual_seed(seed)
    layers = [nn.Linear(x.shape[1], hp["hiddenUnits"]), nn.ReLU()]
    if hp.get("dropout"):
        layers.append(nn.Dropout(hp["dropout"]))
    layers += [nn.Linear(hp["hiddenUnits"], classes), nn.LogSoftmax(dim=1)]
    head = nn.Sequential(*layers)
    optimiser = torch.optim.Adam(head.parameters(), lr=hp["learningRate"])
    loss_fn = nn.NLLLoss()
    batch = min(hp["batchSize"], len(x))
    best_loss, best_accuracy = float("inf"), 0.0
    for _ in range(hp["epochs"]):
        head.train()
        for b in torch.randperm(len(x)).split(batch):
            optimiser.zero_grad()
            loss = loss_fn(head(x[b]), y[b])
            loss.backward()
            optimiser.step()
        head.eval()
        with torch.no_grad():
            out = head(xv)
            loss = loss_fn(out, yv).item()
            accuracy = (out.argmax(1) == yv).float().mean().item()
        if loss < best_loss:
            best_loss, best_accuracy = loss, accuracy
    return best_accuracy


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--trials", required=True)
    parser.add_argument("--train", type=int, required=True)
    parser.add_argument("--validation", type=int, required=True)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    labels = np.fromfile(f"{args.data}/labels.i32", dtype="<i4")
    features = np.fromfile(f"{args.data}/features.f32", dtype="<f4").reshape(len(labels), -1)
    train, validation = split(labels, args.train, args.validation, args.seed)
    x, y = torch.from_numpy(features[train]), torch.from_numpy(labels[train].astype(np.int64))
    xv, yv = torch.from_numpy(features[validation]), torch.from_numpy(labels[validation].astype(np.int64))
    classes = int(labels.max()) + 1
    with open(args.trials) as f:
        trials = json.load(f)
    start = time.perf_counter()
    accuracies = [trial(hp, x, y, xv, yv, classes, args.seed + i) for i, hp in enumerate(trials)]
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "trials": len(trials), "epochs": sum(hp["epochs"] for hp in trials),
                      "bestValidationAccuracy": max(accuracies), "threads": args.threads,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
