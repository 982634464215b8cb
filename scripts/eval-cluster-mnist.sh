#!/usr/bin/env bash
# make eval-cluster-mnist: two small MNIST models (trained for 1 epoch on 10,000 images unless already in
# models/cluster/), then brink eval-cluster: 2 models x 2 attacks x 3 epsilons on the first LIMIT test points,
# on Spark master MASTER, into reports/cluster-mnist/ (index.html, robust-accuracy.csv, per-sample.csv, MODEL/sweep.csv).
set -euo pipefail
cd "$(dirname "$0")/.."
MASTER="${MASTER:-local[2]}"
LIMIT="${LIMIT:-1000}"
OUT="${OUT:-reports/cluster-mnist}"
mkdir -p models/cluster
[ -s models/cluster/mlp-narrow.safetensors ] || ./brink train --model mlp-4x1024 --width 0.0625 --data mnist --limit 10000 --epochs 1 --seed 1 -o models/cluster/mlp-narrow.safetensors
[ -s models/cluster/mlp-wide.safetensors ] || ./brink train --model mlp-4x1024 --width 0.25 --data mnist --limit 10000 --epochs 1 --seed 2 -o models/cluster/mlp-wide.safetensors
time ./brink eval-cluster --master "$MASTER" --model models/cluster/mlp-narrow.safetensors --model models/cluster/mlp-wide.safetensors \
  --attack fgsm --attack pgd:steps=10,step=0.025 --eps 0.05,0.1,0.2 --data mnist --limit "$LIMIT" --out "$OUT"
