#!/usr/bin/env bash
# Li, Chen, Wang, Carin (On Norm-Agnostic Robustness of Adversarial Training): Table 1 on MNIST (Madry et al.'s net;
# Madry-style PGD training, TRADES, ensemble and ATDA adversarial training with L2 (4.0), L-inf (0.3) and mixed
# examples; natural accuracy, PGD and S-O attacks at L2 4.0 and L-inf 0.3) and the gradient-norm trace of Fig. 1.
# Reductions (CPU): fewer training images, epochs and inner PGD steps (stated below); TRADES beta 1 (Zhang et al.'s
# MNIST value; Li et al. give none); Mix: mixed-at for Madry-style training, the objectives' mix=l2:4.0 option for
# TRADES, ensemble and ATDA (L-inf 0.3 and L2 4.0 balls alternating by optimizer step). QUICK=1: 500 images, 1
# epoch, 3 inner steps, 100 test points.
# Full run, adversarially trained models: Madry et al.'s MNIST learning rate (Adam 1e-4) and 8 epochs, the purely
# adversarial objectives (pgd-at, mixed-at) after one clean epoch: with Adam 1e-3 and no clean start, 500 steps of
# PGD training at L-inf 0.3 left the net at chance (11.35% test accuracy from the second epoch on), and a clean
# start alone at 1e-3 collapsed to chance as soon as the PGD epochs began; at 1e-4 it did not.
source "$(dirname "$0")/lib.sh"
repro_init li
LIMIT=$(q 500 10000); EPOCHS=$(q 1 5); K=$(q 3 10); TEST=$(q 100 1000); AK=$(q 10 40)
NET=(--model madry-mnist --data mnist --limit "$LIMIT" --epochs "$EPOCHS" --batch-size 100 --seed "$SEED")
L2A="pgd:norm=l2,eps=4.0,steps=$K,early-stop=false"; LIA="pgd:norm=linf,eps=0.3,steps=$K,early-stop=false"
# TRADES ascends its own KL for all steps and keeps the last iterate (no early-stop option)
TL2A="pgd:norm=l2,eps=4.0,steps=$K"; TLIA="pgd:norm=linf,eps=0.3,steps=$K"
# the adversarially trained models (the quick run keeps the natural model's settings)
AT=("${NET[@]}"); DELAY=""; ATEPOCHS=$EPOCHS; LR=1e-3
if [ "$QUICK" != 1 ]; then
  ATEPOCHS=8; LR=1e-4; DELAY=":clean-epochs=1"
  AT=(--model madry-mnist --data mnist --limit "$LIMIT" --epochs "$ATEPOCHS" --batch-size 100 --seed "$SEED" --lr "$LR")
fi
train natural    -- "${NET[@]}" --objective cross-entropy
train madry-l2   -- "${AT[@]}" --objective "pgd-at$DELAY" --train-attack "$L2A"
train madry-linf -- "${AT[@]}" --objective "pgd-at$DELAY" --train-attack "$LIA"
train madry-mix  -- "${AT[@]}" --objective "mixed-at$DELAY" --train-attack "pgd:steps=$K,early-stop=false"
train trades-l2   -- "${AT[@]}" --objective trades:beta=1 --train-attack "$TL2A"
train trades-linf -- "${AT[@]}" --objective trades:beta=1 --train-attack "$TLIA"
train ensemble-l2   -- "${AT[@]}" --objective "ensemble-at:models=$(model natural)" --train-attack "$L2A"
train ensemble-linf -- "${AT[@]}" --objective "ensemble-at:models=$(model natural)" --train-attack "$LIA"
train atda-l2   -- "${AT[@]}" --objective atda --train-attack "$L2A"
train atda-linf -- "${AT[@]}" --objective atda --train-attack "$LIA"
train trades-mix   -- "${AT[@]}" --objective trades:beta=1,mix=l2:4.0 --train-attack "$TLIA"
train ensemble-mix -- "${AT[@]}" --objective "ensemble-at:models=$(model natural),mix=l2:4.0" --train-attack "$LIA"
train atda-mix     -- "${AT[@]}" --objective atda:mix=l2:4.0 --train-attack "$LIA"
S="madry-mnist, $LIMIT training images; natural: $EPOCHS epochs, Adam 1e-3; adversarial: $ATEPOCHS epochs, Adam $LR$( [ -n "$DELAY" ] && echo ", Madry-style and mixed after 1 clean epoch" || true); batch 100, inner PGD-$K; attacks $AK steps on the first $TEST test images"

declare -A P
# paper values: method-train -> "natural pgd-l2 pgd-linf so-l2 so-linf"
P[madry-l2]="98.2 97.0 0.4 96.6 0.0";  P[madry-linf]="98.8 92.8 92.5 0.0 91.3";  P[madry-mix]="98.7 73.2 82.2 18.3 84.2"
P[trades-l2]="99.4 91.7 19.7 81.7 16.9"; P[trades-linf]="99.5 91.7 95.6 3.2 94.7"; P[trades-mix]="99.4 90.4 15.3 84.2 14.5"
P[ensemble-l2]="99.4 99.0 0.0 98.9 0.0"; P[ensemble-linf]="99.0 65.3 90.2 65.8 88.9"; P[ensemble-mix]="98.7 58.2 81.4 58.4 82.1"
P[atda-l2]="99.2 98.8 0.0 97.2 0.0";     P[atda-linf]="98.8 63.6 62.6 64.0 61.3";  P[atda-mix]="99.0 57.9 81.3 56.8 83.4"
for m in madry-l2 madry-linf madry-mix trades-l2 trades-linf trades-mix ensemble-l2 ensemble-linf ensemble-mix atda-l2 atda-linf atda-mix; do
  read -r pn p2 pi s2 si <<< "${P[$m]}"
  attack "$m-l2" "$(model $m)" -- --data mnist --limit "$TEST" --norm l2 --eps 4.0 -a "pgd:steps=$AK,label=pgd" -a "second-order:steps=$AK,label=so"
  attack "$m-linf" "$(model $m)" -- --data mnist --limit "$TEST" --norm linf --eps 0.3 -a "pgd:steps=$AK,step=0.01,label=pgd" -a "second-order:steps=$AK,step=0.01,label=so"
  note="$S"
  cell "Table 1" "Natural" "$m" "$pn" "$OUT/raw/$m-linf.json" results.clean_accuracy pct "$note"
  cell "Table 1" "PGD (L2 4.0)" "$m" "$p2" "$OUT/raw/$m-l2.json" "results.attacks[label=pgd].robust_accuracy" pct "$note"
  cell "Table 1" "PGD (L-inf 0.3)" "$m" "$pi" "$OUT/raw/$m-linf.json" "results.attacks[label=pgd].robust_accuracy" pct "$note"
  cell "Table 1" "S-O (L2 4.0)" "$m" "$s2" "$OUT/raw/$m-l2.json" "results.attacks[label=so].robust_accuracy" pct "$note"
  cell "Table 1" "S-O (L-inf 0.3)" "$m" "$si" "$OUT/raw/$m-linf.json" "results.attacks[label=so].robust_accuracy" pct "$note"
done

# Fig. 1: mean L2 norm of the loss gradient per attack iteration, PGD and S-O at L2 4.0 (brink analyze so-trace runs
# both on the first TEST points without early stop): the natural model and TRADES (L-inf); the paper plots curves,
# the cells are the first and last iterations' norms (a norm that vanishes under PGD but not S-O: gradient masking).
for m in natural trades-linf; do
  analysis "trace-$m" "so-trace:n=$TEST,norm=l2,eps=4.0,steps=$AK" "$(model $m)" -- --data mnist --limit "$TEST"
  for a in pgd second-order; do
    for w in first last; do
      cell "Fig. 1" "$m" "$a: mean ||grad||_2 at the $w iteration" "curve only" "$OUT/analysis/trace-$m/summary.json" "summary.${a}_grad_$w" none "$S; L2 4.0, $AK steps; curve in analysis/trace-$m/gradient-trace.png"
    done
  done
done
repro_finish
