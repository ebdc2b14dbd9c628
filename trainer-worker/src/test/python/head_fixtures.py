#!/usr/bin/python3
"""PyTorch's training of the classifier head with each head option, for HeadOptionsParityTest.

  head_fixtures.py FILE    writes the fixture (JSON, a few KB): a small imbalanced dataset of features, and per case
                           its hyperparameters (as the Java messages spell them) and what torch computed: every
                           epoch's learning rate and losses, and the last epoch's weights

Needs Debian's python3-torch (run with /usr/bin/python3). The run is the one HeadTrainer makes, with torch's own
modules: the same initial weights (java.util.Random's stream, as HeadNetwork draws it), the same batch order
(SeededShuffle's, java.util.SplittableRandom), and for dropout the masks SeededDropout draws, applied as torch's
Dropout applies its own (noise = mask.div_(1 - p); out = input * noise). Everything else is torch: Linear, ReLU,
LogSoftmax, NLLLoss / CrossEntropyLoss(weight, label_smoothing), Adam / AdamW, LambdaLR, whose factors are checked
here against SequentialLR(LinearLR, StepLR / CosineAnnealingLR).
"""
import json
import math
import sys
import warnings

import numpy as np
import torch
import torch.nn.functional as F

M64 = (1 << 64) - 1
SHUFFLE_SALT = 0x5DEECE66D
DROPOUT_SALT = 0x6A09E667F3BCC909
CLASSES = ["cat", "dog", "fox"]
FEATURES = 8
BASE = dict(epochs=4, batchSize=16, learningRate=0.01, hiddenUnits=6, validationFraction=0.2, seed=7)
CASES = {
    "defaults": {},
    "balanced-class-weights": dict(classWeights="balanced"),
    "explicit-class-weights": dict(classWeights={"cat": 0.5, "dog": 2.0, "fox": 3.0}),
    "weight-decay": dict(weightDecay=0.1),
    "dropout": dict(dropout=0.3),
    "label-smoothing": dict(labelSmoothing=0.2),
    "smoothing-with-class-weights": dict(labelSmoothing=0.2, classWeights="balanced"),
    "step-schedule": dict(lrSchedule="step", lrStepSize=2, lrGamma=0.5),
    "cosine-with-warmup": dict(lrSchedule="cosine", warmupEpochs=1),
    "step-with-warmup": dict(lrSchedule="step", lrStepSize=1, warmupEpochs=2),
    "everything": dict(classWeights="balanced", weightDecay=0.05, dropout=0.25, labelSmoothing=0.1,
                       lrSchedule="cosine", warmupEpochs=1),
}


# ---------------------------------------------------------------- the JDK's generators, bit for bit

def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def int32(x):
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x >= 1 << 31 else x


class SplittableRandom:
    def __init__(self, seed):
        self.seed = seed & M64

    def _next_seed(self):
        self.seed = (self.seed + 0x9E3779B97F4A7C15) & M64
        return self.seed

    def next_int(self):
        z = self._next_seed()
        z = ((z ^ (z >> 33)) * 0x62A9D9ED799705F5) & M64
        return int32(((z ^ (z >> 28)) * 0xCB24D0A5C88C35B3 & M64) >> 32)

    def next_bounded(self, bound):
        m = bound - 1
        r = self.next_int()
        if bound & m == 0:
            return r & m
        u = (r & 0xFFFFFFFF) >> 1
        while True:
            r = u % bound
            if int32(u + m - r) >= 0:
                return r
            u = (self.next_int() & 0xFFFFFFFF) >> 1

    def next_double(self):
        return (mix64(self._next_seed()) >> 11) * 2.0 ** -53


def java_random_floats(seed, count):
    """java.util.Random(seed).nextFloat(), count times."""
    state = (seed ^ 0x5DEECE66D) & ((1 << 48) - 1)
    out = []
    for _ in range(count):
        state = (state * 0x5DEECE66D + 0xB) & ((1 << 48) - 1)
        out.append(np.float32((state >> 24) / float(1 << 24)))
    return out


def permutation(size, seed, epoch):
    random = SplittableRandom(mix64((mix64((seed ^ SHUFFLE_SALT) & M64) + epoch) & M64))
    order = list(range(size))
    for i in range(size - 1, 0, -1):
        j = random.next_bounded(i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def dropout_mask(p, seed, epoch, batch, size):
    random = SplittableRandom(mix64((mix64((mix64((seed ^ DROPOUT_SALT) & M64) + epoch) & M64) + batch) & M64))
    return [random.next_double() >= p for _ in range(size)]


def initial_weights(seed, features, hidden, classes):
    """HeadNetwork.useTorchInitialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) from one java.util.Random."""
    shapes = [("fc1.weight", (hidden, features), features), ("fc1.bias", (hidden,), features),
              ("fc2.weight", (classes, hidden), hidden), ("fc2.bias", (classes,), hidden)]
    draws = iter(java_random_floats(seed, sum(int(np.prod(s)) for _, s, _ in shapes)))
    weights = {}
    for name, shape, fan_in in shapes:
        bound = np.float32(1.0 / math.sqrt(fan_in))
        values = [(next(draws) * np.float32(2) - np.float32(1)) * bound for _ in range(int(np.prod(shape)))]
        weights[name] = torch.tensor(np.array(values, dtype=np.float32).reshape(shape))
    return weights


# ---------------------------------------------------------------- the options, as torch has them

def lr_factor(hp):
    warmup = hp.get("warmupEpochs") or 0
    schedule = hp.get("lrSchedule")

    def factor(e):
        if e < warmup:
            return (e + 1.0) / (warmup + 1.0)
        k = e - warmup
        if schedule == "step":
            return hp.get("lrGamma", 0.1) ** (k // hp["lrStepSize"])
        if schedule == "cosine":
            return (1 + math.cos(math.pi * k / (hp["epochs"] - warmup))) / 2
        return 1.0
    return factor


def check_against_torch_schedulers(hp):
    """The LambdaLR factors equal torch's built-in schedulers chained as the Java side documents."""
    warmup = hp.get("warmupEpochs") or 0
    schedule = hp.get("lrSchedule")
    if schedule is None:
        return
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=hp["learningRate"])
    main = (torch.optim.lr_scheduler.StepLR(optimizer, hp["lrStepSize"], hp.get("lrGamma", 0.1))
            if schedule == "step" else torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, hp["epochs"] - warmup))
    # SequentialLR steps the scheduler it switches to with an epoch argument, which torch 1.13 warns about.
    warnings.filterwarnings("ignore", "The epoch parameter", UserWarning)
    if warmup:
        ramp = torch.optim.lr_scheduler.LinearLR(optimizer, 1.0 / (warmup + 1), 1.0, warmup)
        main = torch.optim.lr_scheduler.SequentialLR(optimizer, [ramp, main], [warmup])
    factor = lr_factor(hp)
    for e in range(hp["epochs"]):
        expected = hp["learningRate"] * factor(e)
        actual = optimizer.param_groups[0]["lr"]
        assert abs(actual - expected) <= 1e-12 * expected, (hp, e, actual, expected)
        optimizer.step()
        main.step()


def class_weights(hp, labels):
    weights = hp.get("classWeights")
    if weights is None:
        return None
    if weights == "balanced":
        # scikit-learn's compute_class_weight("balanced"): n_samples / (n_classes * bincount(y)).
        counts = np.bincount(labels, minlength=len(CLASSES))
        return torch.tensor(len(labels) / (len(CLASSES) * counts.astype(np.float64)), dtype=torch.float32)
    return torch.tensor([weights[c] for c in CLASSES], dtype=torch.float32)


def criterion(hp, weight):
    if hp.get("labelSmoothing") is not None:
        # On log-probabilities: CrossEntropyLoss's own log_softmax leaves them as they are.
        return torch.nn.CrossEntropyLoss(weight=weight, label_smoothing=hp["labelSmoothing"])
    return torch.nn.NLLLoss(weight=weight)


def train(hp, features, labels, val_features, val_labels):
    check_against_torch_schedulers(hp)
    weights = initial_weights(hp["seed"], FEATURES, hp["hiddenUnits"], len(CLASSES))
    fc1 = torch.nn.Linear(FEATURES, hp["hiddenUnits"])
    fc2 = torch.nn.Linear(hp["hiddenUnits"], len(CLASSES))
    with torch.no_grad():
        for module, prefix in ((fc1, "fc1"), (fc2, "fc2")):
            module.weight.copy_(weights[prefix + ".weight"])
            module.bias.copy_(weights[prefix + ".bias"])
    parameters = list(fc1.parameters()) + list(fc2.parameters())
    optimizer = (torch.optim.AdamW(parameters, lr=hp["learningRate"], weight_decay=hp["weightDecay"])
                 if hp.get("weightDecay") is not None else torch.optim.Adam(parameters, lr=hp["learningRate"]))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor(hp))
    loss_fn = criterion(hp, class_weights(hp, labels))
    p = hp.get("dropout")
    x, y = torch.tensor(features), torch.tensor(labels)
    vx, vy = torch.tensor(val_features), torch.tensor(val_labels)
    batch = min(hp["batchSize"], len(labels))
    epochs, first = [], {}
    for epoch in range(1, hp["epochs"] + 1):
        lr = optimizer.param_groups[0]["lr"]
        order = permutation(len(labels), hp["seed"], epoch)
        losses = []
        for b, start in enumerate(range(0, len(order), batch)):
            index = torch.tensor(order[start:start + batch])
            hidden = F.relu(fc1(x[index]))
            if p:
                mask = torch.tensor(dropout_mask(p, hp["seed"], epoch, b, hidden.numel())).reshape(hidden.shape)
                noise = mask.float().div_(1 - p)
                if epoch == 1 and b == 0:
                    first["noise"] = noise.flatten().tolist()
                hidden = hidden * noise
            loss = loss_fn(F.log_softmax(fc2(hidden), dim=1), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()
        with torch.no_grad():
            val_losses, correct = [], 0
            for start in range(0, len(val_labels), batch):
                out = F.log_softmax(fc2(F.relu(fc1(vx[start:start + batch]))), dim=1)
                val_losses.append(F.nll_loss(out, vy[start:start + batch]).item())
                correct += (out.argmax(1) == vy[start:start + batch]).sum().item()
        epochs.append(dict(epoch=epoch, learningRate=lr, trainLoss=sum(losses) / len(losses),
                           validationLoss=sum(val_losses) / len(val_losses),
                           validationAccuracy=correct / len(val_labels)))
        if epoch == 1:
            first["order"] = order
    last = {"fc1.weight": fc1.weight, "fc1.bias": fc1.bias, "fc2.weight": fc2.weight, "fc2.bias": fc2.bias}
    return dict(epochs=epochs, lastWeights={k: v.detach().flatten().tolist() for k, v in last.items()},
                firstEpoch=first)


def dataset(rng, counts):
    centres = rng.normal(0, 1, (len(CLASSES), FEATURES))
    labels = np.repeat(np.arange(len(CLASSES)), counts)
    rng.shuffle(labels)
    features = (centres[labels] + rng.normal(0, 1.2, (len(labels), FEATURES))).astype(np.float32)
    return features, labels.astype(np.int64)


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    rng = np.random.RandomState(13)
    features, labels = dataset(rng, [24, 16, 8])
    val_features, val_labels = dataset(rng, [6, 6, 4])
    cases = []
    for name, options in CASES.items():
        hp = dict(BASE, **options)
        cases.append(dict(name=name, hyperparameters=hp,
                          torch=train(hp, features, labels, val_features, val_labels)))
    fixture = dict(torch=torch.__version__, classes=CLASSES,
                   train=dict(features=features.tolist(), labels=labels.tolist()),
                   validation=dict(features=val_features.tolist(), labels=val_labels.tolist()), cases=cases)
    with open(argv[1], "w") as out:
        json.dump(fixture, out, indent=None, separators=(",", ":"))
        out.write("\n")


if __name__ == "__main__":
    main(sys.argv)
