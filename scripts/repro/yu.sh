#!/usr/bin/env bash
# Yu, Liu, Wang, Chen (Interpreting Adversarial Robustness: A View from Decision Surface in Input Space): Table 1 on
# MNIST (natural model, adversarial training on C&W-loss examples mixed with clean ones (Kurakin et al.), cross-entropy
# gradient regularization (Ross and Doshi-Velez), Jacobian regularization of the decision function (theirs);
# FGSM / BIM / C&W at L-inf 0.1 / 0.2 / 0.3, BIM and C&W 10 iterations of step 0.1 as the appendix states) and the
# Jacobian/Hessian statistics of Sec. 4.3 (brink analyze, when available). The paper gives c = 500 for both gradient
# regularizers, but its formula is lost in the text, and Brink's lambda weighs per-sample gradients (the mean over the
# batch of each sample's own squared input-gradient norm, or unsquared margin-gradient norm). Taken literally
# (lambda = 500) both nets stayed at chance on 10k images (input-gradient after 6 epochs, Jacobian after 2: train
# loss 2.29 and 2.60, a constant predictor). The input-gradient net uses lambda = c / 128 = 3.90625, c applied to
# gradients of the batch-mean loss (a gradient of a mean is the per-sample gradient / B): 96.5% test accuracy after 6
# epochs of 10k images, 98.9% in the full run. The Jacobian-regularized net at that reading plateaued at 40-50% for
# all 10 epochs of the full run (the paper: 98.4%), so its lambda is calibrated on the one number the paper gives
# that is not a robustness result, clean accuracy: the largest of 0.1 / 0.3 / 1 / 3.9 whose net is within a point of
# the natural net's clean accuracy after 3 epochs of 10k images (natural 95.5%; 95.9 / 95.2 / 89.3%), 0.3. See
# docs/reproductions.md. The paper's optimizer and epochs are not given: Adam 1e-3, batch 128.
# QUICK=1: 2000 training images, 1 epoch, 200 test points.
source "$(dirname "$0")/lib.sh"
repro_init yu
LIMIT=$(q 2000 60000); EPOCHS=$(q 1 10); TEST=$(q 200 10000)
JAC_LAMBDA=0.3
NET=(--model yu-mnist --data mnist --limit "$LIMIT" --epochs "$EPOCHS" --batch-size 128 --seed "$SEED")
train natural  -- "${NET[@]}" --objective cross-entropy
train advtrain -- "${NET[@]}" --objective fgsm-at --train-attack "bim:loss=cw,eps=0.3,steps=10,step=0.1,early-stop=false"
train crossent -- "${NET[@]}" --objective input-gradient:lambda=3.90625
train jacobian -- "${NET[@]}" --objective jacobian-reg:lambda=$JAC_LAMBDA
S="yu-mnist, $LIMIT training images, $EPOCHS epochs, Adam 1e-3, batch 128; first $TEST test images"
declare -A P
P[natural]="99.1 67.3 12.9 4.7 22.5 0.0 0.0 21.6 0.0 0.0"
P[advtrain]="99.1 73.0 52.7 10.9 62.0 6.5 0.0 71.09 17.0 2.1"
P[crossent]="99.2 91.6 60.4 18.3 87.9 19.9 0.0 88.09 20.0 0.0"
P[jacobian]="98.4 91.6 70.3 41.6 88.1 64.9 26.7 89.2 72.6 37.6"
for m in natural advtrain crossent jacobian; do
  sweep "$m-attacks" "$(model $m)" -- --data mnist --limit "$TEST" --eps 0.1,0.2,0.3 \
    -a fgsm:label=fgsm -a bim:steps=10,step=0.1,label=bim -a bim:steps=10,step=0.1,loss=cw,label=cw
  read -r -a pv <<< "${P[$m]}"
  cell "Table 1" "$m" "Natural" "${pv[0]}" "$OUT/raw/$m-attacks/sweep.csv" "attack=fgsm,eps=0.1:clean_accuracy" pct "$S"
  i=1
  for a in fgsm bim cw; do for e in 0.1 0.2 0.3; do
    cell "Table 1" "$m" "$a $e" "${pv[$i]}" "$OUT/raw/$m-attacks/sweep.csv" "attack=$a,eps=$e:accuracy" pct "$S"; i=$((i + 1))
  done; done
done
# Sec. 4.3: Jacobian zero ratio (natural 1.1%, robust 54.0%) and Hessian zero-eigenvalue ratio (65.6%, 97.1%) of
# Madry et al.'s MNIST models; here of ours (natural, adversarially trained, Jacobian-regularized), by brink analyze
# jacobian-hessian on the first test points: the Jacobian of the decision function d = z_y - max_{j!=y} z_j (the one
# the paper says it uses) and the full input-Hessian spectrum of the loss. The paper's zero thresholds are lost in
# its text ("values below ... (Jacobian) and ... (Hessian)"); we count |value| < 1e-3 for both.
NPTS=$(q 5 100)
for m in natural advtrain jacobian; do
  analysis "$m-derivatives" "jacobian-hessian:points=$NPTS" "$(model $m)" -- --data mnist --limit "$NPTS"
  paper_j=$( [ $m = natural ] && echo 1.1 || echo '54.0 (Madry robust model)'); paper_h=$( [ $m = natural ] && echo 65.6 || echo '97.1 (Madry robust model)')
  cell "Sec. 4.3" "$m" "Jacobian zero ratio %" "$paper_j" "$OUT/analysis/$m-derivatives/summary.json" summary.mean_jm_zero_0.001 pct "$S; decision-function Jacobian, |J_i| < 1e-3, first $NPTS test images"
  cell "Sec. 4.3" "$m" "Hessian zero-eigenvalue ratio %" "$paper_h" "$OUT/analysis/$m-derivatives/summary.json" summary.mean_eig_zero_0.001 pct "$S; loss Hessian full spectrum, |lambda| < 1e-3, first $NPTS test images"
  cell "Sec. 4.3" "$m" "mean |J_i| (robustness indicator)" "-" "$OUT/analysis/$m-derivatives/summary.json" summary.mean_jac_mean_abs none "$S; loss Jacobian (the Hessian's function), first $NPTS test images"
done
repro_finish
