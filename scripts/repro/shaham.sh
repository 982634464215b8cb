#!/usr/bin/env bash
# Shaham, Yamada, Negahban (Understanding Adversarial Training): Table 1 on MNIST (the baseline convnet and the
# L1/L2/L-inf robustified nets of Algorithm 1, on the test set and on the set A_mnist of adversarial examples built on
# the baseline by one steepest-ascent step in each ball) and the FGSM sweep of Fig. 3.
# The paper gives neither the radii nor the optimizer: brink's robust-optimization defaults (L-inf 0.1, L2 and L1 1.0),
# Adam 1e-3, batch 128. QUICK=1: 2000 training images, 1 epoch, 200 test points.
source "$(dirname "$0")/lib.sh"
repro_init shaham
LIMIT=$(q 2000 60000); EPOCHS=$(q 1 10); TEST=$(q 200 10000)
NET=(--model shaham-mnist --data mnist --limit "$LIMIT" --epochs "$EPOCHS" --batch-size 128 --seed "$SEED")
train baseline -- "${NET[@]}" --objective cross-entropy
for n in l1 l2 linf; do train "robust-$n" -- "${NET[@]}" --objective "robust-optimization:norm=$n"; done
S="shaham-mnist, $LIMIT training images, $EPOCHS epochs, Adam 1e-3, batch 128; first $TEST test images"

# A_mnist: one ascent step on the baseline in each ball (fgsm 0.1, fgm-l2 1.0, fgm-l1 1.0), evaluated on every net
# (the baseline too: its accuracy on the examples that fooled it is 0 by construction, which checks the set).
attack a-mnist "$(model baseline)" -- --data mnist --limit "$TEST" -a fgsm:eps=0.1,label=linf -a fgm-l2:eps=1.0,label=l2 -a fgm-l1:eps=1.0,label=l1 \
  --transfer-to "$(model baseline)" --transfer-to "$(model robust-l1)" --transfer-to "$(model robust-l2)" --transfer-to "$(model robust-linf)"
# The paper's A_mnist is one pool of the examples of all three balls that fooled the baseline (1203 of them): each
# net's accuracy on the pool, weighted by each part's count of successful examples.
[ "$PLAN" = 1 ] || python3 - "$OUT/raw/a-mnist.json" "$OUT/raw/a-mnist-pooled.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
pooled = {}
for t in doc['results']['transfer']:
    net = t['model'].rsplit('/', 1)[-1].removesuffix('.safetensors')
    p = pooled.setdefault(net, {'size': 0, 'right': 0.0})
    n = t['successful_samples']
    p['size'] += n
    p['right'] += (t['successful_accuracy'] or 0.0) * n
for p in pooled.values():
    p['accuracy'] = p['right'] / p['size'] if p['size'] else None
json.dump(pooled, open(sys.argv[2], 'w'), indent=1)
PY
declare -A CLEAN=([baseline]=99.09 [robust-l1]=99.16 [robust-l2]=99.28 [robust-linf]=99.33) AM=([baseline]=0 [robust-l1]=33.83 [robust-l2]=76.55 [robust-linf]=79.96)
for m in baseline robust-l1 robust-l2 robust-linf; do
  evaluate "$m-clean" "$(model $m)" -- --data mnist --limit "$TEST"
  sweep "$m-fgsm" "$(model $m)" -- --data mnist --limit "$TEST" -a fgsm --eps 0:0.3:0.05
  cell "Table 1" "$m" "MNIST test accuracy %" "${CLEAN[$m]}" "$OUT/raw/$m-clean.json" results.accuracy pct "$S"
  cell "Table 1" "$m" "A_mnist accuracy % (pooled)" "${AM[$m]}" "$OUT/raw/a-mnist-pooled.json" "$m.accuracy" pct \
    "$S; on the pooled examples of the three balls that fooled the baseline (as the paper's A_mnist)"
  [ $m = baseline ] && cell "Table 1" "$m" "A_mnist size (examples)" 1203 "$OUT/raw/a-mnist-pooled.json" "$m.size" count \
    "$S; examples of the three one-step attacks (linf 0.1, l2 1.0, l1 1.0) that fooled the baseline (the paper gives no radii)"
  for a in linf l2 l1; do
    cell "Table 1" "$m" "A_mnist accuracy % ($a part)" "pooled only" "$OUT/raw/a-mnist.json" "results.transfer[attack=$a,model~/$m.safetensors].successful_accuracy" pct \
      "$S; on the baseline's $a examples that fooled it"
  done
  cell "Fig. 3" "$m" "FGSM accuracy % at eps 0.1" "curve only" "$OUT/raw/$m-fgsm/sweep.csv" "eps=0.1:accuracy" pct "$S"
done
repro_finish
