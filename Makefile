# Brink build entry points. `make help` lists the targets.

MVN       ?= mvn
MVN_FLAGS ?= -B

JDK25_HOME ?= /usr/lib/jvm/temurin-25-jdk-amd64
# (the MAVEN_OPTS flag below only silences Maven 3.8's own sun.misc.Unsafe warnings on JDK 24+)

NVCC      ?= nvcc
CUDA_ARCH ?= sm_80
CU_SRCS   := $(wildcard kernels/src/main/cuda/*.cu)
PTX_DIR   := kernels/target/ptx

# Debian's python (python3 on PATH may be a pyenv python without torch).
VECTORS_PYTHON := /usr/bin/python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.DEFAULT_GOAL := help
.PHONY: help build test demo info test-jdk25 kernels vectors data clean

help: ## List the make targets
	@echo "Usage: make TARGET"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Compile all modules, package robust/target/brink.jar, install ./brink
	$(MVN) $(MVN_FLAGS) -q -DskipTests package
	install -m 755 scripts/brink brink

test: ## Build everything and run the full test suite
	$(MVN) $(MVN_FLAGS) test

demo: build ## Run the engine demo on the embedded CPU backend
	./brink demo

info: build ## Print Java runtime and backend information
	./brink info

test-jdk25: ## Run the test suite on JDK 25 (JDK25_HOME, default Temurin 25)
	@test -x "$(JDK25_HOME)/bin/java" || { echo "make test-jdk25: JDK 25 not found at $(JDK25_HOME) (set JDK25_HOME=...)" >&2; exit 1; }
	JAVA_HOME="$(JDK25_HOME)" MAVEN_OPTS="$(MAVEN_OPTS) --sun-misc-unsafe-memory-access=allow" $(MVN) $(MVN_FLAGS) test

kernels: ## Compile kernels/src/main/cuda/*.cu to PTX with nvcc
ifeq ($(strip $(CU_SRCS)),)
	@echo "no CUDA kernels yet (issue: kernels)"
else
	@command -v $(NVCC) >/dev/null 2>&1 || { echo "make kernels: $(NVCC) not found (needed for $(CU_SRCS)); install the CUDA toolkit (nvcc) or set NVCC=/path/to/nvcc" >&2; exit 1; }
	@mkdir -p $(PTX_DIR)
	@set -e; for cu in $(CU_SRCS); do \
	  ptx="$(PTX_DIR)/$$(basename "$$cu" .cu).ptx"; \
	  echo "$(NVCC) -ptx -arch=$(CUDA_ARCH) -o $$ptx $$cu"; \
	  $(NVCC) -ptx -arch=$(CUDA_ARCH) -o "$$ptx" "$$cu"; \
	done
endif

vectors: ## Regenerate test-vectors/ with PyTorch (installs Debian python3-torch if needed)
	@if ! $(VECTORS_PYTHON) -c 'import torch' >/dev/null 2>&1; then \
	  echo "torch missing for $(VECTORS_PYTHON); installing Debian's python3-torch"; \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch; \
	fi
	$(VECTORS_PYTHON) test-vectors/generate.py
	$(VECTORS_PYTHON) test-vectors/generate_optim.py
	$(VECTORS_PYTHON) test-vectors/generate_models.py

data: ## Fetch MNIST, Fashion-MNIST and CIFAR-10 into data/
	bash scripts/fetch-data.sh

clean: ## Remove build outputs and ./brink
	$(MVN) $(MVN_FLAGS) -q clean
	rm -f brink
