#!/usr/bin/env python3
"""Shanzhi's classifier beside the usual baseline, on the same split.

    scripts/classify-baseline.py FILE.csv --text COLUMN --label COLUMN [--shanzhi PATH] [--test-share 0.2] [--seed 1]

Splits the labelled CSV (UTF-8 or GB18030, header row) into a training and a
test part (seeded, stratified by label), then
  1. `shanzhi classify train` on the training part and `shanzhi classify eval`
     on the test part;
  2. scikit-learn: TfidfVectorizer(analyzer="char", ngram_range=(1, 3),
     sublinear_tf=True) + LinearSVC (default C=1), the same parts;
and prints accuracy and macro-F1 of both. Needs scikit-learn
(`pip install scikit-learn`). The split files go to a temporary directory.
"""

import argparse
import csv
import io
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path


def read_rows(path, text, label):
    raw = Path(path).read_bytes()
    try:
        s = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        s = raw.decode("gb18030")
    rows = list(csv.DictReader(io.StringIO(s)))
    out = [(r[text].strip(), r[label].strip()) for r in rows if r.get(text, "").strip() and r.get(label, "").strip()]
    if not out:
        sys.exit(f"no rows with columns {text!r} and {label!r}")
    return out


def split(rows, share, seed):
    by_label = defaultdict(list)
    for r in rows:
        by_label[r[1]].append(r)
    rng = random.Random(seed)
    train, test = [], []
    for label in sorted(by_label):
        group = by_label[label]
        rng.shuffle(group)
        k = int(round(len(group) * share)) if len(group) > 1 else 0
        test += group[:k]
        train += group[k:]
    rng.shuffle(train)
    return train, test


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["text", "label"])
        w.writerows(rows)


def shanzhi(binary, train_csv, test_csv, model):
    t0 = time.time()
    subprocess.run([binary, "classify", "train", train_csv, "--text", "text", "--label", "label", "--out", model],
                   check=True, stdout=subprocess.DEVNULL)
    t1 = time.time()
    out = subprocess.run([binary, "classify", "eval", test_csv, "--text", "text", "--label", "label",
                          "--model", model], check=True, capture_output=True, text=True).stdout
    t2 = time.time()
    num = lambda key: float(re.search(re.escape(key) + r"[^:]*:\s*([0-9.]+)", out).group(1))
    return {"accuracy": num("(accuracy)"), "macro_f1": num("(macro-F1)"),
            "without": num("(without suggestion"), "train_s": t1 - t0, "eval_s": t2 - t1}


def sklearn(train, test):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.svm import LinearSVC

    t0 = time.time()
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    x = vec.fit_transform([t for t, _ in train])
    clf = LinearSVC().fit(x, [l for _, l in train])
    t1 = time.time()
    pred = clf.predict(vec.transform([t for t, _ in test]))
    truth = [l for _, l in test]
    return {"accuracy": accuracy_score(truth, pred), "macro_f1": f1_score(truth, pred, average="macro"),
            "train_s": t1 - t0, "eval_s": time.time() - t1}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file")
    p.add_argument("--text", required=True)
    p.add_argument("--label", required=True)
    p.add_argument("--shanzhi", default="target/release/shanzhi")
    p.add_argument("--test-share", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rows = read_rows(a.file, a.text, a.label)
    train, test = split(rows, a.test_share, a.seed)
    labels = defaultdict(int)
    for _, l in test:
        labels[l] += 1
    majority = max(labels.values()) / len(test)
    with tempfile.TemporaryDirectory() as d:
        train_csv, test_csv, model = f"{d}/train.csv", f"{d}/test.csv", f"{d}/model.json"
        write(train_csv, train)
        write(test_csv, test)
        ours = shanzhi(a.shanzhi, train_csv, test_csv, model)
    base = sklearn(train, test)
    print(f"split: {len(train)} training, {len(test)} test texts, {len(set(l for _, l in rows))} labels "
          f"(seed {a.seed}); majority baseline {majority:.4f}")
    print(f"{'':<40}{'accuracy':>10}{'macro-F1':>10}{'train s':>9}{'eval s':>8}")
    print(f"{'shanzhi (char 1-3 TF-IDF, softmax SGD)':<40}{ours['accuracy']:>10.4f}{ours['macro_f1']:>10.4f}"
          f"{ours['train_s']:>9.2f}{ours['eval_s']:>8.2f}   without suggestion {ours['without']:.4f}")
    print(f"{'scikit-learn TF-IDF char 1-3 + LinearSVC':<40}{base['accuracy']:>10.4f}{base['macro_f1']:>10.4f}"
          f"{base['train_s']:>9.2f}{base['eval_s']:>8.2f}")


if __name__ == "__main__":
    main()
