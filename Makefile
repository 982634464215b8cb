# Brink build entry points. `make help` lists the targets.

MVN       ?= mvn
MVN_FLAGS ?= -B

JDK25_HOME ?= /usr/lib/jvm/temurin-25-jdk-amd64
# (the MAVEN_OPTS flag below only silences Maven 3.8's own sun.misc.Unsafe warnings on JDK 24+; EnableDynamicAgentLoading
# lets the fuzz tests' Jazzer agent load without the JDK 21+ warning, and keeps it loading when a later JDK disallows
# dynamic agents by default)

NVCC      ?= nvcc
PTXAS     ?= ptxas
CUDA_ARCH ?= sm_80
# PTX ISA written into each .ptx (7.0 = CUDA 11.0: any driver that runs sm_80 or newer can JIT it); nvcc 13 emits
# 9.0, which only 580+ drivers accept. ptxas checks that the kernels need nothing newer, for sm_80 and sm_90.
PTX_ISA   ?= 7.0
CU_DIR    := kernels/src/main/cuda
CU_SRCS   := $(wildcard $(CU_DIR)/*.cu)
CU_HDRS   := $(wildcard $(CU_DIR)/*.cuh)
PTX_DIR   := kernels/target/ptx
PTX_FILES := $(patsubst $(CU_DIR)/%.cu,$(PTX_DIR)/%.ptx,$(CU_SRCS))

# Debian's python (python3 on PATH may be a pyenv python without torch).
VECTORS_PYTHON := /usr/bin/python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help
.PHONY: help build test demo info test-jdk25 kernels kernels-optional nvcc-check vectors vectors-torch-check pytorch-fixture pytorch-check pytorch-zoo-check torch-check data clean
.PHONY: gpu-bundle gpu-check gpu-check-dry
.PHONY: bench bench-compare torch-venv cuda-shims check-cpu-only install javadoc objectives-smoke experiment-emr-mnist fuzz repro-galloway repro-shaham repro-li repro-yu repro-liu-chan repro-quick browser cluster-jar eval-cluster-mnist repro-smoke

help: ## List the make targets
	@echo "Usage: make TARGET"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Compile all modules, package app/target/brink.jar, install ./brink
	$(MVN) $(MVN_FLAGS) -q -DskipTests package
	install -m 755 scripts/brink brink

test: ## Build everything and run the full test suite
	$(MVN) $(MVN_FLAGS) test

# The library modules and the parent pom they refer to (-am); the examples/ project builds against what this installs.
LIB_MODULES := engine,kernels,nn,robust

install: ## Install the library jars (brink-engine, -kernels, -nn, -robust 0.1.0-SNAPSHOT) into ~/.m2, without running tests
	$(MVN) $(MVN_FLAGS) -q -DskipTests -pl $(LIB_MODULES) -am install
	@echo "installed dev.brink:brink-parent, brink-engine, brink-kernels, brink-nn and brink-robust into the local Maven repository"

javadoc: ## Aggregated API docs of engine, kernels, nn and robust into target/reports/apidocs (index.html)
	$(MVN) $(MVN_FLAGS) -q -DskipTests -pl .,$(LIB_MODULES) test-compile javadoc:aggregate
	@echo "API docs: target/reports/apidocs/index.html"

demo: build ## Robustness demo: train a small MNIST model, sweep FGSM/PGD, write reports/demo/index.html
	@for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do \
	  [ -s "data/mnist/$$f" ] || [ -s "data/mnist/$$f.gz" ] || { echo "MNIST is not in data/mnist: fetching it (make data)"; $(MAKE) --no-print-directory data; break; }; \
	done
	./brink demo

info: build ## Print Java runtime and backend information
	./brink info

fuzz: ## Coverage-guided fuzzing (Jazzer) of every parser of outside input, FUZZ_SECONDS (60) per target, heap FUZZ_HEAP (1g); FUZZ_TARGETS=substring
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) FUZZ_HEAP=$(or $(FUZZ_HEAP),1g) MVN="$(MVN)" bash scripts/fuzz.sh

test-jdk25: ## Run the test suite on JDK 25 (JDK25_HOME, default Temurin 25)
	@test -x "$(JDK25_HOME)/bin/java" || { echo "make test-jdk25: JDK 25 not found at $(JDK25_HOME) (set JDK25_HOME=...)" >&2; exit 1; }
	JAVA_HOME="$(JDK25_HOME)" MAVEN_OPTS="$(MAVEN_OPTS) --sun-misc-unsafe-memory-access=allow" $(MVN) $(MVN_FLAGS) test \
	  -Dbrink.test.jvm="-Xmx4g --add-modules jdk.incubator.vector -XX:+EnableDynamicAgentLoading"

kernels: $(PTX_FILES) ## Compile kernels/src/main/cuda/*.cu to PTX with nvcc (kernels/target/ptx, packed into the kernels jar)
ifeq ($(strip $(CU_SRCS)),)
	@echo "no CUDA kernels in $(CU_DIR)"
else
	@for p in $(PTX_DIR)/*.ptx; do [ -f "$(CU_DIR)/$$(basename "$$p" .ptx).cu" ] || rm -f "$$p"; done
	@printf '%s\n' $(notdir $(PTX_FILES)) > $(PTX_DIR)/index.txt
endif

$(PTX_DIR)/%.ptx: $(CU_DIR)/%.cu $(CU_HDRS) | nvcc-check
	@mkdir -p $(PTX_DIR)
	$(NVCC) -ptx -arch=$(CUDA_ARCH) -I$(CU_DIR) -o $@.tmp $<
	@sed -i 's/^\.version .*/.version $(PTX_ISA)/' $@.tmp
	@$(PTXAS) -arch=$(CUDA_ARCH) -o /dev/null $@.tmp && $(PTXAS) -arch=sm_90 -o /dev/null $@.tmp || { rm -f $@.tmp; echo "make kernels: ptxas rejected $@ at PTX ISA $(PTX_ISA) (raise PTX_ISA if a kernel needs newer PTX)" >&2; exit 1; }
	@mv $@.tmp $@

SHIM_DIR  := kernels/src/main/native
CUDA_SHIMS := kernels/target/cuda-shims/libcublas.so.11 kernels/target/cuda-shims/libcudnn.so.8
cuda-shims: $(CUDA_SHIMS) ## Build libcublas.so.11 and libcudnn.so.8 forwarding to cuBLAS 12/13 and cuDNN 9, for GPU machines without CUDA 11 (LD_LIBRARY_PATH=kernels/target/cuda-shims)

kernels/target/cuda-shims/libcublas.so.11: $(SHIM_DIR)/cublas11_shim.c $(SHIM_DIR)/cublas11.map $(SHIM_DIR)/forward.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Werror -shared -fPIC -Wl,--version-script=$(SHIM_DIR)/cublas11.map -Wl,-soname,libcublas.so.11 -o $@ $< -ldl

kernels/target/cuda-shims/libcudnn.so.8: $(SHIM_DIR)/cudnn8_shim.c $(SHIM_DIR)/cudnn8.map $(SHIM_DIR)/forward.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Werror -shared -fPIC -Wl,--version-script=$(SHIM_DIR)/cudnn8.map -Wl,-soname,libcudnn.so.8 -o $@ $< -ldl

# What the kernels module's build runs (kernels/pom.xml): the PTX where nvcc is on the PATH, else one line saying the
# CUDA kernels were skipped (a CPU-only build: the CUDA backend then reports itself unavailable); the shims where a C
# compiler is present.
kernels-optional:
	@if command -v $(NVCC) >/dev/null 2>&1 && command -v $(PTXAS) >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory kernels; \
	else \
	  rm -rf $(PTX_DIR); \
	  echo "CUDA kernels skipped: $(NVCC) not found on the PATH. This is a CPU-only build (the embedded CPU backend is complete); install the CUDA toolkit and rebuild for the GPU backend."; \
	fi
	@if command -v $(CC) >/dev/null 2>&1; then $(MAKE) --no-print-directory cuda-shims; \
	else echo "CUDA shims skipped: no C compiler ($(CC)); they matter only on GPU machines without CUDA 11"; fi

nvcc-check:
	@command -v $(NVCC) >/dev/null 2>&1 || { echo "make kernels: $(NVCC) not found (needed for $(notdir $(CU_SRCS))); install the CUDA toolkit (nvcc) or set NVCC=/path/to/nvcc" >&2; exit 1; }
	@command -v $(PTXAS) >/dev/null 2>&1 || { echo "make kernels: $(PTXAS) not found (it comes with nvcc in the CUDA toolkit); set PTXAS=/path/to/ptxas" >&2; exit 1; }

# ---- the device run (docs/kernels.md, "Running on a lent GPU"): gpu-bundle here, gpu-check there, in one device call
# (the script itself, as the GPU machine may have no make):
#   run(command="bash scripts/gpu-check.sh", carry=[".gpu"], timeout_s=600)
gpu-bundle: ## Build .gpu/ (jlink'd JDK 17 runtime, brink.jar with the PTX, the device tests, JUnit console, shims) for make gpu-check on a GPU machine without a JDK or Maven
	MVN="$(MVN)" MVN_FLAGS="$(MVN_FLAGS)" bash scripts/gpu-bundle.sh

gpu-check: ## On a GPU machine with .gpu/: device tests + Brink vs PyTorch-CUDA bench -> OUT or reports/gpu-check/gpu-check.md (~6 min; GPU_CHECK_* knobs in scripts/gpu-check.sh)
	bash scripts/gpu-check.sh

gpu-check-dry: gpu-bundle ## Test make gpu-check without a GPU: the same script on the CPU backend (device tests skip with their reason, smoke bench) -> reports/gpu-check
	GPU_CHECK_DRY=1 bash scripts/gpu-check.sh

browser: ## Headless Chromium from Debian's packages (chromium), for the model card's browser test (ModelCardBrowserTest; skipped where it is missing)
	@if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then \
	  echo "installing Debian's chromium (headless browser for ModelCardBrowserTest)"; \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

torch-check:
	@if ! $(VECTORS_PYTHON) -c 'import torch' >/dev/null 2>&1; then \
	  echo "torch missing for $(VECTORS_PYTHON); installing Debian's python3-torch"; \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch; \
	fi

vectors: torch-check ## Regenerate test-vectors/ with PyTorch (installs Debian python3-torch if needed)
	$(VECTORS_PYTHON) test-vectors/generate.py
	$(VECTORS_PYTHON) test-vectors/generate_optim.py
	$(VECTORS_PYTHON) test-vectors/generate_models.py
	$(VECTORS_PYTHON) test-vectors/generate_objectives_adversarial.py
	$(VECTORS_PYTHON) test-vectors/generate_objectives_gradient.py
	$(VECTORS_PYTHON) test-vectors/generate_objectives_trades.py

check-cpu-only: ## A fresh clone built and tested with nvcc off the PATH (CHECK_DEMO=1 also runs make demo)
	bash scripts/check-cpu-only.sh

VTC := target/vectors-torch-check
vectors-torch-check: build torch-check ## PyTorch as another engine: check cases made by 'brink vectors make' (exported CNN in float64, zoo model in float32) in float64 and float32
	rm -rf $(VTC) && mkdir -p $(VTC)
	./brink vectors make test-vectors/pytorch/mnist-cnn-bn/cnn.safetensors --spec test-vectors/pytorch/mnist-cnn-bn/cnn.spec.json \
	  --data test-vectors/pytorch/mnist-cnn-bn --limit 2 --quantities all --out $(VTC)/mnist-cnn-bn
	./brink vectors make madry-mnist --width 0.0625 --data test-vectors/pytorch/mnist-cnn-bn --limit 3 --dtype float32 --quantities all \
	  --out $(VTC)/madry-mnist
	$(VECTORS_PYTHON) test-vectors/check_made_cases.py $(VTC)/mnist-cnn-bn $(VTC)/madry-mnist

pytorch-fixture: torch-check ## Regenerate test-vectors/pytorch/ (a BN CNN trained on MNIST, exported by scripts/export_pytorch.py; a tiny RobustBench WRN)
	@[ -s data/mnist/train-images-idx3-ubyte ] || { echo "MNIST is not in data/mnist: fetching it (make data)"; $(MAKE) --no-print-directory data; }
	$(VECTORS_PYTHON) test-vectors/generate_pytorch.py
	$(VECTORS_PYTHON) test-vectors/generate_pytorch_zoo.py

pytorch-zoo-check: torch-check ## torchvision resnet18 (CIFAR and ImageNet stems) and a RobustBench WRN through brink import vs PyTorch's logits (installs python3-torchvision)
	@dpkg -s python3-torchvision >/dev/null 2>&1 || { echo "installing Debian's python3-torchvision"; \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torchvision; }
	$(VECTORS_PYTHON) test-vectors/generate_pytorch_zoo.py --large --out target/pytorch-zoo
	BRINK_PYTORCH_ZOO=$(CURDIR)/target/pytorch-zoo $(MVN) $(MVN_FLAGS) -q -pl app -am test -Dtest=PyTorchZooImportTest -Dsurefire.failIfNoSpecifiedTests=false

pytorch-check: torch-check ## Test scripts/export_pytorch.py with PyTorch (not part of make test, which needs no Python)
	$(VECTORS_PYTHON) scripts/test_export_pytorch.py

data: ## Fetch MNIST, Fashion-MNIST and CIFAR-10 into data/
	bash scripts/fetch-data.sh

# ---- benchmarks (bench/): JMH microbenchmarks, and Brink vs DL4J vs PyTorch on the papers' workloads
BENCH_THREADS   ?= 2
BENCH_REPS      ?= 5
# rounds of the interleaved run (each engine runs each workload once per round, in its own process); BENCH_SCALING=1
# also runs every workload at 1 thread in every round, for the 1 -> BENCH_THREADS speed-ups
BENCH_ROUNDS    ?= 3
BENCH_SCALING   ?= 0
# the engines to run, in this order within each workload of each round
BENCH_ENGINES   ?= Brink DL4J PyTorch
# a subset of the workloads (default all), and extra runner options for all three engines (e.g. --warmup 1)
BENCH_WORKLOADS ?=
BENCH_ARGS      ?=
BENCH_OUT       := bench/target/compare
# The PyTorch peer: pip (PyTorch 2.x from pip's configured index in $(TORCH_VENV), what users install: MKL, oneDNN 3)
# or debian (python3-torch 1.13, OpenBLAS, oneDNN 2.6; the one `make vectors` uses)
BENCH_PYTORCH   ?= pip
TORCH_VENV      := bench/target/torch-venv
ifeq ($(BENCH_PYTORCH),pip)
BENCH_PYTORCH_PY  := $(TORCH_VENV)/bin/python
BENCH_PYTORCH_DEP := torch-venv
else
BENCH_PYTORCH_PY  := /usr/bin/python3
BENCH_PYTORCH_DEP :=
endif
BENCH_JAVA_OPTS ?= -XX:+UseParallelGC -Xss8m -Xmx8g
# JVM flags of the JMH forks (as the ./brink launcher runs; the Vector API module for the SIMD kernels)
BENCH_JMH_JVM   ?= -XX:+UseParallelGC -Xss8m --add-modules=jdk.incubator.vector
# JMH options: 1 fork, 3 warm-up and 5 measured 1-second iterations; e.g. JMH_ARGS='-f 1 -wi 1 -i 3 Gemm' for a subset
JMH_ARGS        ?= -f 1 -wi 3 -w 1s -i 5 -r 1s

bench: ## JMH microbenchmarks of the CPU kernels: GEMM shapes, conv fwd/bwd, elementwise (BENCH_THREADS, JMH_ARGS)
	$(MVN) $(MVN_FLAGS) -q -Pjmh -pl bench -am -DskipTests package
	java -cp "bench/target/jmh/classes:$$(cat bench/target/jmh/jmh.classpath)" org.openjdk.jmh.Main \
	  -jvmArgsAppend "-Dbrink.threads=$(BENCH_THREADS) $(BENCH_JMH_JVM)" $(JMH_ARGS)

# bench/scripts/interleave.py runs every engine with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed: some machines set
# them for old OpenBLAS builds, and they would hold the peers' OpenBLAS to older kernels than it picks itself.
bench-compare: SHELL := /bin/bash
bench-compare: .SHELLFLAGS := -o pipefail -c
torch-venv: ## PyTorch 2.x from pip (the CPU wheel pip's configured index serves) in bench/target/torch-venv: make bench-compare's default PyTorch peer
	@if [ -x $(TORCH_VENV)/bin/python ] && $(TORCH_VENV)/bin/python -c 'import torch' 2>/dev/null; then :; else \
	  echo "installing PyTorch from pip into $(TORCH_VENV)"; \
	  python3 -m venv $(TORCH_VENV) && $(TORCH_VENV)/bin/pip install -q torch numpy; fi

bench-compare: build $(BENCH_PYTORCH_DEP) ## Brink, DL4J and PyTorch (BENCH_PYTORCH=pip: 2.x from pip, the default; debian: 1.13) interleaved per workload for BENCH_ROUNDS rounds (3), BENCH_THREADS (2), BENCH_SCALING=1 adds 1-thread runs: best, median, peak memory
	@missing=""; for p in python3-torch libopenblas0-pthread; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; fi
	$(MVN) $(MVN_FLAGS) -q -Pbench-compare -pl bench -am -DskipTests package
	@mkdir -p $(BENCH_OUT) && rm -f $(BENCH_OUT)/*.tsv $(BENCH_OUT)/*.log $(BENCH_OUT)/*.setup
	@load=$$(cut -d' ' -f1 /proc/loadavg); if awk "BEGIN{exit !($$load > 0.5)}"; then \
	  echo "warning: load average $$load before the run: other processes share the cores; the interleaved rounds spread that over all engines" >&2; fi
	@echo "== Brink, DL4J, PyTorch ($(BENCH_PYTORCH): $(BENCH_PYTORCH_PY)) interleaved: $(BENCH_ROUNDS) rounds, $(BENCH_THREADS) threads$(if $(filter 1,$(BENCH_SCALING)), and 1 thread), one process per workload; logs in $(BENCH_OUT)/*.log"
	/usr/bin/python3 bench/scripts/interleave.py --out $(BENCH_OUT) --rounds $(BENCH_ROUNDS) --threads $(BENCH_THREADS) \
	  $(if $(filter 1,$(BENCH_SCALING)),--one-thread) --workloads "$(BENCH_WORKLOADS)" \
	  $(if $(filter Brink,$(BENCH_ENGINES)),--engine "Brink=env BRINK_JAVA_OPTS='$(BRINK_JAVA_OPTS)' ./brink bench") \
	  $(if $(filter DL4J,$(BENCH_ENGINES)),--engine "DL4J=java $(BENCH_JAVA_OPTS) -cp bench/target/dl4j/classes:$$(cat bench/target/dl4j/dl4j.classpath) dev.brink.bench.dl4j.Dl4jBench") \
	  $(if $(filter PyTorch,$(BENCH_ENGINES)),--engine "PyTorch=$(BENCH_PYTORCH_PY) bench/pytorch/workloads.py") \
	  -- --reps $(BENCH_REPS) $(BENCH_ARGS)
	@echo; for e in brink dl4j pytorch; do [ -f $(BENCH_OUT)/$$e.log ] && grep -m1 '^# ' $(BENCH_OUT)/$$e.log | tee $(BENCH_OUT)/$$e.setup || true; done; echo
	@java -cp bench/target/classes dev.brink.bench.CompareTable --threads $(BENCH_THREADS) \
	  --note "$(BENCH_THREADS) threads, $(BENCH_ROUNDS) rounds of $(BENCH_REPS) timed reps after warm-up per engine and workload, engines interleaved; $$(lscpu | sed -n 's/^Model name: *//p'), $$(nproc) cores; $$(date -u '+%Y-%m-%d %H:%M UTC')" \
	  --load $(BENCH_OUT)/othercpu.tsv $(if $(filter 1,$(BENCH_SCALING)),--one-thread $(BENCH_OUT)/brink-1thread.tsv $(BENCH_OUT)/dl4j-1thread.tsv $(BENCH_OUT)/pytorch-1thread.tsv) \
	  $(BENCH_OUT)/brink.tsv $(BENCH_OUT)/dl4j.tsv $(BENCH_OUT)/pytorch.tsv | tee $(BENCH_OUT)/table.md

objectives-smoke: build ## Every registered objective trains on an MNIST subset (exit 0, per-epoch validation, model/best/log, --resume): a table (not part of make test)
	scripts/objectives-smoke.sh

cluster-jar: ## Package cluster/target/brink-cluster.jar, the spark-submit jar (Brink without Spark; main class dev.brink.cluster.ClusterMain)
	$(MVN) $(MVN_FLAGS) -q -DskipTests -pl cluster -am package
	@echo "spark-submit jar: cluster/target/brink-cluster.jar (class path of ./brink eval-cluster: cluster/target/spark.classpath)"

MASTER ?= local[2]
eval-cluster-mnist: build ## brink eval-cluster on MASTER (local[2]): 2 MNIST MLPs (trained 1 epoch) x FGSM, PGD-10 x eps 0.05,0.1,0.2 on LIMIT (1000) points -> reports/cluster-mnist
	@for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do \
	  [ -s "data/mnist/$$f" ] || [ -s "data/mnist/$$f.gz" ] || { echo "MNIST is not in data/mnist: fetching it (make data)"; $(MAKE) --no-print-directory data; break; }; \
	done
	MASTER="$(MASTER)" LIMIT="$(or $(LIMIT),1000)" scripts/eval-cluster-mnist.sh

EPOCHS ?= 5
QUICK ?= 0
experiment-emr-mnist: build ## Liu and Chan on MNIST: MLP 4x1024, standard training vs EMR (EPOCHS=5, LIMIT=20000), PGD-20 L-inf 0.1 -> reports/emr-mnist
	EPOCHS=$(EPOCHS) scripts/experiment-emr-mnist.sh

REPRO_PAPERS := galloway shaham li yu liu-chan
repro-galloway: build ## Reproduce Galloway et al. (logistic regression 3-vs-7, Table 1 CNN on CIFAR-10 reduced) -> reports/repro/galloway (QUICK=1: minutes)
	QUICK=$(QUICK) scripts/repro/galloway.sh
repro-shaham: build ## Reproduce Shaham et al. Table 1 and the FGSM sweep on MNIST -> reports/repro/shaham (QUICK=1: minutes)
	QUICK=$(QUICK) scripts/repro/shaham.sh
repro-li: build ## Reproduce Li et al. Table 1 (PGD and S-O at L2 4.0 / L-inf 0.3) and the gradient-norm trace -> reports/repro/li (QUICK=1: minutes)
	QUICK=$(QUICK) scripts/repro/li.sh
repro-yu: build ## Reproduce Yu et al. Table 1 (FGSM/BIM/C&W at 0.1-0.3) and Sec. 4.3 statistics -> reports/repro/yu (QUICK=1: minutes)
	QUICK=$(QUICK) scripts/repro/yu.sh
repro-liu-chan: build ## Reproduce Liu and Chan Tables 1 and 8 (MLP on MNIST) and Tables 2, 3, 8, 9 reduced on CIFAR-10 -> reports/repro/liu-chan (QUICK=1: minutes; JOBS=2, the default: two rows at a time, hours of two cores; ROWS=REGEX: some rows)
	QUICK=$(QUICK) JOBS=$(or $(JOBS),2) scripts/repro/liu-chan.sh
repro-smoke: build ## Smoke test of the reproduction runner: a tiny train + attack + cells run twice (the second skipping every step), once in full mode, and every paper planned (PLAN=1) in both modes (1-4 min)
	scripts/repro/smoke.sh
repro-quick: build ## The quick variant of every repro-<paper> target (reduced samples and epochs, same steps) -> reports/repro/<paper>/quick
	@for p in $(REPRO_PAPERS); do QUICK=1 scripts/repro/$$p.sh || exit 1; done

clean: ## Remove build outputs and ./brink
	$(MVN) $(MVN_FLAGS) -q clean
	rm -f brink
