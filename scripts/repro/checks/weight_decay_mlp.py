#!/usr/bin/env python3
"""Liu and Chan's Table 1, weight decay 0.1: does the MLP 4x1024 learn under PyTorch with the settings
scripts/repro/liu-chan.sh gives Brink (SGD lr 0.01, momentum 0.9, batch 100, PyTorch's weight_decay = lambda_WD)?

    bench/target/torch-venv/bin/python scripts/repro/checks/weight_decay_mlp.py WD EPOCHS

Prints the test accuracy after each epoch (MNIST from data/mnist, 1 thread, seed 0). On 2026-12-06, WD 0.1 stayed at
11.35% (a constant predictor) for 3 epochs, as Brink's st-wd0.1 did, where the paper reports 77.88%: the paper's
lambda_WD must be on another scale or in another place than the optimizer's decay.
"""
import numpy as np, torch, gzip, os, sys
d=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'data', 'mnist')
def idx(name):
    p=os.path.join(d,name)
    op=gzip.open if p.endswith('.gz') else open
    with op(p,'rb') as f: b=f.read()
    nd=b[3]; dims=[int.from_bytes(b[4+4*i:8+4*i],'big') for i in range(nd)]
    return np.frombuffer(b,dtype=np.uint8,offset=4+4*nd).reshape(dims)
files=sorted(os.listdir(d))
tr=[f for f in files if f.startswith('train-images')][0]; tl=[f for f in files if f.startswith('train-labels')][0]
te=[f for f in files if f.startswith('t10k-images')][0]; tel=[f for f in files if f.startswith('t10k-labels')][0]
X=torch.tensor(idx(tr).reshape(-1,784)/255.,dtype=torch.float32); Y=torch.tensor(idx(tl).astype(np.int64))
Xt=torch.tensor(idx(te).reshape(-1,784)/255.,dtype=torch.float32); Yt=torch.tensor(idx(tel).astype(np.int64))
torch.manual_seed(0); torch.set_num_threads(1)
wd=float(sys.argv[1]); ep=int(sys.argv[2])
m=torch.nn.Sequential(torch.nn.Linear(784,1024),torch.nn.ReLU(),torch.nn.Linear(1024,1024),torch.nn.ReLU(),torch.nn.Linear(1024,1024),torch.nn.ReLU(),torch.nn.Linear(1024,1024),torch.nn.ReLU(),torch.nn.Linear(1024,10))
o=torch.optim.SGD(m.parameters(),lr=0.01,momentum=0.9,weight_decay=wd)
for e in range(ep):
    p=torch.randperm(60000)
    for i in range(0,60000,100):
        j=p[i:i+100]; o.zero_grad(); l=torch.nn.functional.cross_entropy(m(X[j]),Y[j]); l.backward(); o.step()
    with torch.no_grad(): acc=(m(Xt).argmax(1)==Yt).float().mean().item()
    print(f'wd {wd} epoch {e+1} loss {l.item():.4f} test acc {acc:.4f}',flush=True)
