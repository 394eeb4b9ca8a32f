#!/usr/bin/env bash
# Builds Duet's fuzz targets (fuzz/, cargo fuzz with libFuzzer) and runs each one for a few
# seconds from its committed seeds, failing when any target crashes. A crash leaves its
# input in fuzz/artifacts/<target>/ and a line saying how to replay it.
#
#   bash tests/fuzz/run.sh                      # every target, 5 s each (the test stage)
#   FUZZ_SECONDS=600 bash tests/fuzz/run.sh     # a long run: 10 minutes each
#   bash tests/fuzz/run.sh filter_dataverse     # only the targets named
#
# FUZZ_SECONDS   seconds per target (default 5)
# FUZZ_SANITIZER address (default, as cargo fuzz's: also catches memory errors in the unsafe
#                code of dependencies) or none (the targets are safe Rust; runs about twice
#                as many inputs a second)
# FUZZ_TARGET_DIR where the instrumented build goes (default fuzz/target)
#
# cargo fuzz passes -Z flags to rustc; RUSTC_BOOTSTRAP=1 lets a stable toolchain take them, so
# no nightly toolchain is needed. The corpus each run grows is kept in fuzz/corpus/ (ignored
# by git) and read again by the next run.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
FUZZ="$ROOT/fuzz"
SECONDS_EACH="${FUZZ_SECONDS:-5}"
SANITIZER="${FUZZ_SANITIZER:-address}"
TARGET_DIR="${FUZZ_TARGET_DIR:-$FUZZ/target}"
export RUSTC_BOOTSTRAP=1

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "Installing cargo-fuzz"
  cargo install cargo-fuzz --locked --quiet
fi

cd "$FUZZ"
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

started=$(date +%s)
mkdir -p corpus
build() {
  if ! cargo fuzz build --sanitizer "$SANITIZER" --target-dir "$TARGET_DIR" "$@" \
      > corpus/build.log 2>&1; then
    tail -60 corpus/build.log >&2
    echo "fuzz: the targets do not build" >&2
    exit 1
  fi
}
if [ "$#" -gt 0 ]; then
  for target in "${targets[@]}"; do build "$target"; done
else
  build
fi
built=$(date +%s)
echo "fuzz: built ${#targets[@]} targets in $((built - started)) s"

ran=0
crashed=()
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  options=(-max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
  case "$target" in
    filter_*|batch_*) dictionary="dictionaries/$target.dict" ;;
    *) dictionary="dictionaries/json.dict" ;;
  esac
  [ -f "$dictionary" ] && options+=(-dict="$dictionary")
  echo "fuzz: $target for ${SECONDS_EACH} s"
  if cargo fuzz run --sanitizer "$SANITIZER" --target-dir "$TARGET_DIR" "$target" \
      "corpus/$target" "seeds/$target" -- "${options[@]}" > "corpus/$target.log" 2>&1; then
    ran=$((ran + 1))
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done [0-9]+ runs' "corpus/$target.log" \
      | sed "s/^/  $target: /"
  else
    crashed+=("$target")
    tail -40 "corpus/$target.log"
  fi
done

echo "fuzz: $ran of ${#targets[@]} targets ran ${SECONDS_EACH} s each without a crash in $(( $(date +%s) - started )) s"
if [ "${#crashed[@]}" -gt 0 ]; then
  echo "fuzz: crashed: ${crashed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
