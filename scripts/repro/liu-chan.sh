#!/usr/bin/env bash
# Liu and Chan (Boosting Adversarial Robustness From The Perspective of Effective Margin Regularization): Table 1
# (MLP 4x1024 on MNIST: ST, L-Softmax m=4, EMR; AT (the paper: PGD-20 L-inf 0.1 step 0.01; here PGD-10 step 0.02),
# AT+L-Softmax, AT+EMR; clean, PGD20, effective margins on train and test; AutoAttack L-inf 0.1 added as an extra
# column), Table 8's approximate-EMR rows, and Tables 2, 8 (CNN rows) and 9 at reduced scale on CIFAR-10 (the Table 5
# CNN; ResNet18 at width 1/8; 2500 images, 4 epochs), and Table 3's 14 methods on that ResNet18 (the paper:
# WideResNet-34-10). About 7 h of two cores in all; JOBS=2 runs two rows at a time, ROWS=REGEX some rows. MNIST: SGD
# momentum 0.9, batch 100, lr 0.01 divided by 10 at 60% of the epochs (the paper: 50 epochs, decay at 30); the rows
# trained on adversarial examples use the first 10k images. Every reduction is stated in docs/reproductions.md.
# QUICK=1: 2000 MNIST images for 1 epoch, inner PGD-5, 200 test points (AutoAttack on 20); CIFAR 200 images for 1
# epoch, 50 test points.
source "$(dirname "$0")/lib.sh"
repro_init liu-chan
LIMIT=$(q 2000 60000); AT_LIMIT=$(q 2000 10000); EPOCHS=$(q 1 10); TEST=$(q 200 1000); AA=$(q 20 1000); AA_ROBUST=$(q 20 100)
K=$(q 5 10); AT_STEP=$(q 0.01 0.02)  # the paper: PGD-20 step 0.01; 10 steps of 0.02 cover the same path at half the cost
DECAY=$(( EPOCHS * 6 / 10 )); [ "$DECAY" -ge 1 ] || DECAY=1
AT="pgd:norm=linf,eps=0.1,steps=$K,step=$AT_STEP,random-start=false,early-stop=false"
S="mlp-4x1024, $EPOCHS epochs (paper: 50), SGD 0.01 momentum 0.9, batch 100; PGD-20 L-inf 0.1 step 0.01 without random start on the first $TEST test images, margins on the first $TEST train/test images"
# name | objectives | weight decay | paper: clean pgd20 m_train m_test | table
RUNS=(
 "st-wd0.1|cross-entropy|0.1|77.88 34.06 1.00 1.02|Table 1"
 "st-wd0.01|cross-entropy|0.01|96.54 48.41 1.31 1.31|Table 1"
 "st-wd0.001|cross-entropy|0.001|98.41 24.41 1.11 1.12|Table 1"
 "st-wd0.0001|cross-entropy|0.0001|98.33 4.69 0.79 0.79|Table 1"
 "st-lsoftmax-wd0.1|l-softmax:m=4|0.1|17.83 17.27 3.13 3.21|Table 1"
 "st-lsoftmax-wd0.01|l-softmax:m=4|0.01|98.00 60.59 1.91 1.91|Table 1"
 "st-lsoftmax-wd0.001|l-softmax:m=4|0.001|98.63 51.07 1.82 1.81|Table 1"
 "st-lsoftmax-wd0.0001|l-softmax:m=4|0.0001|98.50 28.91 1.34 1.34|Table 1"
 "st-emr0.1|emr:lambda=0.1|0.001|97.50 87.56 4.41 2.24|Table 1"
 "at-wd0.01|pgd-at|0.01|97.66 90.11 1.18 2.27|Table 1"
 "at-wd0.001|pgd-at|0.001|98.68 92.62 1.21 2.34|Table 1"
 "at-wd0.0001|pgd-at|0.0001|98.98 92.24 1.09 2.13|Table 1"
 "at-lsoftmax-wd0.01|l-softmax:m=4,adversarial=true|0.01|97.57 89.88 1.18 2.28|Table 1"
 "at-lsoftmax-wd0.001|l-softmax:m=4,adversarial=true|0.001|98.72 92.60 1.21 2.35|Table 1"
 "at-lsoftmax-wd0.0001|l-softmax:m=4,adversarial=true|0.0001|99.02 92.50 1.10 2.12|Table 1"
 "at-emr3e-4|pgd-at;emr:lambda=0.0003,ce=false,on=adversarial|0.001|98.68 92.78 3.83 2.42|Table 1"
 "st-approx-emr1|emr:method=approx,lambda=1|0.001|98.44 77.09 0.85 1.73|Table 8"
 "at-approx-emr3e-4|pgd-at;emr:method=approx,lambda=0.0003,ce=false,on=adversarial|0.001|98.75 92.76 4.00 2.35|Table 8"
)
run_row() {  # data model-args... : trains, evaluates and records one row
  local name=$1 objs=$2 wd=$3 paper=$4 table=$5 data=$6 eps=$7 steps=$8 step=$9 settings=${10}; shift 10
  local aa=$AA; robust "$objs" && aa=$AA_ROBUST
  objective_args "$objs"
  train "$name" -- "$@" --weight-decay "$wd" "${OBJ_ARGS[@]}"
  attack "$name-pgd" "$(model $name)" -- --data "$data" --limit "$TEST" -a "pgd:steps=$steps,step=$step,random-start=false" --eps "$eps"
  # Liu and Chan average the effective margins of the correctly classified points, as brink analyze margins does
  analysis "$name-margins" "margins:train-limit=$TEST" "$(model $name)" -- --data "$data" --limit "$TEST" --with-train
  autoattack "$name-aa" "$(model $name)" -- --data "$data" --limit "$aa" --eps "$eps"
  local p; read -r -a p <<< "$paper"; local row="$name (lambda_WD $wd)"
  cell "$table" "$row" "clean %" "${p[0]}" "$OUT/raw/$name-pgd.json" results.clean_accuracy pct "$settings"
  cell "$table" "$row" "PGD$steps %" "${p[1]}" "$OUT/raw/$name-pgd.json" results.attacks.0.robust_accuracy pct "$settings"
  cell "$table" "$row" "m_train (mean)" "${p[2]}" "$OUT/analysis/$name-margins/summary.json" summary.train_margin_mean none "$settings; correctly classified points"
  cell "$table" "$row" "m_test (mean)" "${p[3]}" "$OUT/analysis/$name-margins/summary.json" summary.test_margin_mean none "$settings; correctly classified points"
  cell "$table" "$row" "AutoAttack % (extra)" "-" "$OUT/raw/$name-aa.json" results.robust_accuracy pct "$settings; AutoAttack standard, first $aa points"
}
robust() { [[ $1 == *pgd-at* || $1 == *adversarial=true* || $1 == *emr* || $1 == *trades* ]]; }
adversarial() { [[ $1 == *pgd-at* || $1 == *adversarial=true* || $1 == *trades* || $1 == *mart* || $1 == *mail* ]]; }
# objective_args OBJS: OBJ_ARGS = an --objective per ;-separated objective, and --train-attack for the adversarial
# ones: TRAIN_ATTACK for pgd-at; without its early-stop option for the others (TRADES, MART, MAIL, adversarial
# L-Softmax and HE ascend their own loss and keep the last iterate)
objective_args() {
  OBJ_ARGS=(); local o x; IFS=';' read -r -a o <<< "$1"; for x in "${o[@]}"; do OBJ_ARGS+=(--objective "$x"); done
  if [[ $1 == *pgd-at* ]]; then OBJ_ARGS+=(--train-attack "$TRAIN_ATTACK")
  elif adversarial "$1"; then OBJ_ARGS+=(--train-attack "${TRAIN_ATTACK/,early-stop=false/}"); fi
}
TRAIN_ATTACK=$AT
for r in "${RUNS[@]}"; do
  IFS='|' read -r name objs wd paper table <<< "$r"
  selected "$name" || continue
  lim=$LIMIT; set="$S, $LIMIT training images"
  adversarial "$objs" && { lim=$AT_LIMIT; set="$S, $AT_LIMIT training images, inner PGD-$K step $AT_STEP (paper: PGD-20 step 0.01)"; }
  MLP=(--model mlp-4x1024 --data mnist --limit "$lim" --epochs "$EPOCHS" --optimizer sgd --lr 0.01 --momentum 0.9 --batch-size 100
       --schedule "multistep:$DECAY:0.1" --seed "$SEED")
  run_row "$name" "$objs" "$wd" "$paper" "$table" mnist 0.1 20 0.01 "$set" "${MLP[@]}"
done

# --- CIFAR-10, reduced: the Table 5 CNN (Tables 2 and 8) and ResNet18 at width 1/4 (Table 9) ---
C_LIMIT=$(q 200 2500); C_EPOCHS=$(q 1 4); TEST=$(q 50 500); AA=$(q 10 200); AA_ROBUST=$AA; CK=$(q 2 5)
TRAIN_ATTACK="pgd:norm=linf,eps=0.031,steps=$CK,step=0.0078,early-stop=false"
CNN=(--model emr-cnn --data cifar10 --limit "$C_LIMIT" --epochs "$C_EPOCHS" --optimizer adam --lr 0.001 --batch-size 100 --seed "$SEED")
SC="emr-cnn, $C_LIMIT CIFAR-10 training images, $C_EPOCHS epochs (paper: 100), Adam 0.001 (paper: SGD 0.01, which leaves this CNN at 10% after 100 steps), batch 100, inner PGD-$CK step 0.0078; PGD10 L-inf 0.031 step 0.0078 on $TEST test images"
CRUNS=(
 "cnn-st-wd0.0001|cross-entropy|0.0001|83.00 0.50 0.22 0.23|Table 2"
 "cnn-st-emr0.01|emr:lambda=0.01|0.0005|69.78 16.37 0.66 0.70|Table 2"
 "cnn-at-wd0.0001|pgd-at|0.0001|63.59 32.58 0.71 1.03|Table 2"
 "cnn-at-emr0.001|pgd-at;emr:lambda=0.001,ce=false,on=adversarial|0.0005|62.79 33.41 0.74 1.08|Table 2"
 "cnn-st-approx-emr30|emr:method=approx,lambda=30|0.0005|71.09 15.05 0.65 0.68|Table 8"
 "cnn-at-approx-emr3e-4|pgd-at;emr:method=approx,lambda=0.0003,ce=false,on=adversarial|0.0005|63.15 33.63 0.73 1.07|Table 8"
)
for r in "${CRUNS[@]}"; do
  IFS='|' read -r name objs wd paper table <<< "$r"
  selected "$name" || continue
  run_row "$name" "$objs" "$wd" "$paper" "$table" cifar10 0.031 10 0.0078 "$SC" "${CNN[@]}"
done
AA=$(q 10 100); AA_ROBUST=$AA  # AutoAttack on ResNet18 rows: 100 points (200 took 6-9 minutes a row on the CNN)
R18=(--model resnet18 --width 0.125 --data cifar10 --limit "$C_LIMIT" --epochs "$C_EPOCHS" --optimizer sgd --lr 0.1 --momentum 0.9 --batch-size 128 --seed "$SEED")
SR="resnet18 width 0.125, $C_LIMIT CIFAR-10 training images, $C_EPOCHS epochs (paper: 100-130 at full width), SGD 0.1, batch 128, inner PGD-$CK step 0.0078; PGD10 on $TEST test images, AutoAttack on $AA"
RRUNS=(
 "r18-at|pgd-at|0.001|83.39 50.88 - -|Table 9"
 "r18-at-igr|pgd-at;input-gradient:lambda=1,ce=false|0.001|84.01 51.03 - -|Table 9"
 "r18-at-emr|pgd-at;emr:method=approx,lambda=0.1,t=40,ce=false,on=adversarial|0.0005|81.71 51.97 - -|Table 9"
 "r18-trades|trades:beta=12|0.0005|79.68 53.67 - -|Table 9"
 "r18-trades-emr|trades:beta=12;emr:method=approx,lambda=0.3,t=0.1,ce=false,on=adversarial|0.0005|79.59 53.53 - -|Table 9"
)
for r in "${RRUNS[@]}"; do
  IFS='|' read -r name objs wd paper table <<< "$r"
  selected "$name" || continue
  run_row "$name" "$objs" "$wd" "$paper" "$table" cifar10 0.031 10 0.0078 "$SR" "${R18[@]}"
done
declare -A AAP=([r18-at]=46.90 [r18-at-igr]=46.52 [r18-at-emr]=47.94 [r18-trades]=48.56 [r18-trades-emr]=48.86)
for n in "${!AAP[@]}"; do selected "$n" || continue; cell "Table 9" "$n" "AutoAttack %" "${AAP[$n]}" "$OUT/raw/$n-aa.json" results.robust_accuracy pct "$SR"; done

# --- Table 3 (WideResNet-34-10 in the paper) on the ResNet18 above: same data, schedule and width, Table 7's
# hyper-parameters (MAIL: slope/bias as in the paper, weight decay 2e-4; MART: beta 6), the inner attack of the rows
# above for every method; clean, FGSM, PGD10, PGD100 and AutoAttack at L-inf 0.031. Where Table 7's settings are
# Table 6's (AT, AT+IGR, TRADES), Table 9's models are evaluated again instead of retrained (listed last, so that a
# shard of these rows finds them trained). HE's weight decay (not in Table 7) is TRADES's 5e-4; MART's is MAIL's 2e-4.
T3_TEST=$(q 50 200)
ST3="resnet18 width 0.125 (paper: WideResNet-34-10, 100 epochs), $C_LIMIT CIFAR-10 training images, $C_EPOCHS epochs, SGD 0.1, batch 128, inner PGD-$CK step 0.0078; FGSM, PGD10 and PGD100 (step 0.0078, no random start) on $T3_TEST test points, AutoAttack on $AA"
EMR_AT="emr:method=approx,ce=false,on=adversarial"
# name | objectives (- : Table 9's model) | weight decay | paper: clean FGSM PGD10 PGD100 AutoAttack | method
T3RUNS=(
 "t3-at-emr|pgd-at;$EMR_AT,lambda=1,t=40|0.0005|85.74 60.67 55.43 54.62 52.20|AT+EMR"
 "t3-trades-emr|trades:beta=12;$EMR_AT,lambda=0.3,t=1|0.0005|83.03 60.89 57.27 56.89 52.73|TRADES+EMR"
 "t3-trades-igr|trades:beta=12;input-gradient:lambda=1,ce=false|0.0005|84.18 61.16 56.67 55.90 52.41|TRADES+IGR"
 "t3-at-he|hypersphere:adversarial=true|0.0005|84.53 64.07 60.36 59.80 51.88|AT+HE"
 "t3-trades-he|trades:beta=12;hypersphere|0.0005|79.61 60.95 58.23 57.99 51.49|TRADES+HE"
 "t3-mart|mart:beta=6|0.0002|83.62 61.83 57.32 56.43 51.40|MART"
 "t3-mart-emr|mart:beta=6;$EMR_AT,lambda=1,t=1|0.0002|83.55 62.87 58.09 57.43 52.16|MART+EMR"
 "t3-at-mail|mail:base=at|0.0002|86.96 60.90 55.42 54.53 45.07|AT+MAIL"
 "t3-at-mail-emr|mail:base=at;$EMR_AT,lambda=1,t=1|0.0002|87.33 61.32 56.77 56.00 46.25|AT+MAIL+EMR"
 "t3-trades-mail|mail:base=trades|0.0002|84.82 60.44 55.35 54.69 51.97|TRADES+MAIL"
 "t3-trades-mail-emr|mail:base=trades;$EMR_AT,lambda=3,t=1|0.0002|85.37 61.67 56.82 56.21 53.29|TRADES+MAIL+EMR"
 "r18-at|-|-|87.35 59.97 53.55 52.30 50.31|AT"
 "r18-at-igr|-|-|87.49 60.32 53.49 52.42 50.42|AT+IGR"
 "r18-trades|-|-|82.95 60.65 56.71 56.17 52.19|TRADES"
)
for r in "${T3RUNS[@]}"; do
  IFS='|' read -r name objs wd paper method <<< "$r"
  # ROWS selects Table 3's rows by t3-NAME (t3-r18-at evaluates Table 9's model r18-at, so it needs that row)
  need=""; [ "$objs" = - ] && need=$name
  selected "t3-${name#t3-}" $need || continue
  if [ "$objs" != - ]; then
    objective_args "$objs"
    train "$name" -- "${R18[@]}" --weight-decay "$wd" "${OBJ_ARGS[@]}"
  fi
  m=$(model "$name")
  attack "t3-$name-fgsm" "$m" -- --data cifar10 --limit "$T3_TEST" -a fgsm --eps 0.031
  attack "t3-$name-pgd10" "$m" -- --data cifar10 --limit "$T3_TEST" -a "pgd:steps=10,step=0.0078,random-start=false" --eps 0.031
  attack "t3-$name-pgd100" "$m" -- --data cifar10 --limit "$T3_TEST" -a "pgd:steps=100,step=0.0078,random-start=false" --eps 0.031
  [[ $name == r18-* ]] || autoattack "$name-aa" "$m" -- --data cifar10 --limit "$AA" --eps 0.031
  read -r -a p <<< "$paper"; row="$method (${name#t3-})"
  cell "Table 3" "$row" "clean %" "${p[0]}" "$OUT/raw/t3-$name-fgsm.json" results.clean_accuracy pct "$ST3"
  cell "Table 3" "$row" "FGSM %" "${p[1]}" "$OUT/raw/t3-$name-fgsm.json" results.attacks.0.robust_accuracy pct "$ST3"
  cell "Table 3" "$row" "PGD10 %" "${p[2]}" "$OUT/raw/t3-$name-pgd10.json" results.attacks.0.robust_accuracy pct "$ST3"
  cell "Table 3" "$row" "PGD100 %" "${p[3]}" "$OUT/raw/t3-$name-pgd100.json" results.attacks.0.robust_accuracy pct "$ST3"
  cell "Table 3" "$row" "AutoAttack %" "${p[4]}" "$OUT/raw/$name-aa.json" results.robust_accuracy pct "$ST3"
done
repro_finish
