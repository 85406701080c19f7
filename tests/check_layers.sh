#!/usr/bin/env bash
# The include check: every `#include "..."` in the sources must point down the layers of
# ../shared/ARCHITECTURE.md (or stay in its own layer); policies/ may use only the standard library.
# Layers, lowest first:
#   policies < topologies, models < sim < experiments (library) < validate < experiments/cli, experiments/bench
# topologies and models sit side by side and neither includes the other (models are plain parameter
# classes; the engine in sim/ joins a topology to its models). A test under tests/<layer>/ may include
# what <layer> may, plus tests/. Prints one line per violation (file:line: what and why); exit 1 if any.
set -euo pipefail

root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root"

declare -A allowed=(
  [policies]="policies"
  [topologies]="policies topologies"
  [models]="policies models"
  [sim]="policies topologies models sim"
  [experiments]="policies topologies models sim experiments"
  [validate]="policies topologies models sim experiments validate"
  [cli]="policies topologies models sim experiments validate cli"
)

# The layer a repository path belongs to, in $layer ("" if none). No subshell: this runs per include.
layer_of() {
  case "$1" in
    experiments/cli/* | experiments/bench/*) layer=cli ;;
    policies/* | topologies/* | models/* | sim/* | experiments/* | validate/*) layer="${1%%/*}" ;;
    tests/*/*) layer=tests ;;
    *) layer="" ;;
  esac
}

violations=0
report() {
  echo "$1"
  violations=$((violations + 1))
}

while IFS= read -r file; do
  layer_of "$file"
  from=$layer
  [ -z "$from" ] && continue  # tests/catch_main.cpp: above every layer
  may=""
  if [ "$from" != tests ]; then
    may=${allowed[$from]}
  else  # tests/<layer>/...: what <layer> may use, plus the tests' own helpers
    tested=${file#tests/}
    tested=${tested%%/*}
    may="${allowed[$tested]:-policies topologies models sim experiments validate cli} tests"
    from=tests/$tested
  fi
  while IFS=: read -r line text; do
    if [[ "$text" =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]]; then
      target=${BASH_REMATCH[1]}
      layer_of "$target"
      if [ -z "$layer" ]; then  # relative to the including file
        layer_of "${file%/*}/$target"
      fi
      to=$layer
      [ -z "$to" ] && continue
      if [[ " $may " != *" $to "* ]]; then
        report "$file:$line: includes \"${BASH_REMATCH[1]}\" ($to) from $from: an include may only point down the layers (tests/check_layers.sh, ../shared/ARCHITECTURE.md)"
      fi
    elif [ "$from" = policies ] && [[ "$text" =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\<(simgrid|google/|spdlog|boost|CLI/|nlohmann)[^\>]*\> ]]; then
      report "$file:$line: policies/ uses only the C++17 standard library, not <${BASH_REMATCH[1]}...>"
    fi
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include' "$file" || true)
done < <(find policies topologies models sim experiments validate tests -type f \( -name '*.h' -o -name '*.hpp' -o -name '*.cpp' -o -name '*.cc' \) | sort)

if [ "$violations" -ne 0 ]; then
  echo "$violations include(s) point up a layer"
  exit 1
fi
echo "includes point down the layers"
