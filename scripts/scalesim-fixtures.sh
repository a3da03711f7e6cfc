#!/usr/bin/env bash
# Regenerates test/fixtures/scalesim/ from a checkout of SCALE-Sim v2
# (github.com/scalesim-project/scale-sim-v2): runs SCALE-Sim itself on its own
# google, eyeriss and scale configurations, each under the os, ws and is
# dataflows (and the scale one also with InterfaceBandwidth USER, at the
# Bandwidth its file gives), on three topologies cut from its own topology
# files, and keeps the three reports of every run.
#
#   scripts/scalesim-fixtures.sh /path/to/scale-sim-v2 [out-dir]
#
# RUNS="eyeriss_ws scale_os_user" limits it to some runs (several instances
# can then share the work); RESUME=1 keeps reports already there.
#
# Needs python3 with numpy and tqdm (Debian: apt-get install python3-numpy
# python3-tqdm); SCALE-Sim's other requirements are not imported on this path.
# The commit recorded is the checkout's HEAD, or $SCALESIM_COMMIT for a copy
# that is not a git work tree.
#
# SCALE-Sim steps every address of every cycle in Python, so the topologies
# are trimmed to a few layers each (the whole AlexNet on the 12 × 14 eyeriss
# array runs for hours):
#   alexnet.csv  AlexNet Conv1 (windows overrun the 224 × 224 input's edge)
#   resnet18.csv ResNet-18 Conv4_s, Conv5_s and FC
#   gemm.csv     test_mnk_input's Test 1 and transformer_partial's SD_MatMul_QK_00
# and AlexNet Conv1 is left out on eyeriss under ws and is (over 800,000
# cycles each; it is run under os).
set -euo pipefail

src=${1:?usage: scripts/scalesim-fixtures.sh SCALE-SIM-CHECKOUT [OUT-DIR]}
out=${2:-$(dirname "$0")/../test/fixtures/scalesim}
python=${PYTHON:-python3}
src=$(cd "$src" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# pick <file> <name>...: the header and the named layers of a SCALE-Sim topology, in the given order
pick() {
  local file=$1
  shift
  head -n 1 "$file"
  for name in "$@"; do
    awk -F, -v n="$name" 'NR > 1 { k = $1; gsub(/^[ \t]+|[ \t]+$/, "", k); if (k == n) print }' "$file"
  done
}

# written whole, then moved in place, so that instances running side by side never read half a file
pick "$src/topologies/conv_nets/alexnet.csv" Conv1 > "$work/alexnet.csv"
pick "$src/topologies/conv_nets/Resnet18.csv" Conv4_s Conv5_s FC > "$work/resnet18.csv"
{
  pick "$src/topologies/GEMM_mnk/test_mnk_input.csv" 'Test 1'
  pick "$src/topologies/GEMM_mnk/transformer_partial.csv" SD_MatMul_QK_00 | tail -n +2
} > "$work/gemm.csv"
for topology in alexnet resnet18 gemm; do cmp -s "$work/$topology.csv" "$out/$topology.csv" || mv "$work/$topology.csv" "$out/$topology.csv"; done
cp "$src/LICENSE" "$out/LICENSE"
echo "${SCALESIM_COMMIT:-$(cd "$src" && git rev-parse HEAD)}" > "$out/SCALE-SIM-COMMIT"
# Python 3.12 changed sum() of floats (compensated), which moves the last digits of SCALE-Sim's averaged utilizations
"$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' > "$out/PYTHON-VERSION"

runs="google_os google_ws google_is eyeriss_os eyeriss_ws eyeriss_is scale_os scale_ws scale_is scale_os_user scale_ws_user scale_is_user"
for run in $runs; do
  case " ${RUNS:-$run} " in *" $run "*) ;; *) continue ;; esac
  IFS=_ read -r config dataflow user <<< "$run"
  mode=CALC
  [ -n "$user" ] && mode=USER
  sed -e "s/^\(\s*run_name\s*=\).*/\1 $run/" -e "s/^\(\s*Dataflow\s*:\).*/\1 $dataflow/" \
    -e "s/^\(\s*InterfaceBandwidth\s*:\).*/\1 $mode/" "$src/configs/$config.cfg" > "$out/$run.cfg"
  for topology in alexnet resnet18 gemm; do
    case "$run/$topology" in eyeriss_ws/alexnet | eyeriss_is/alexnet) continue ;; esac
    [ -n "${RESUME:-}" ] && [ -f "$out/$run/$topology/DETAILED_ACCESS_REPORT.csv" ] && continue
    kind=conv
    [ "$topology" = gemm ] && kind=gemm
    echo "SCALE-Sim: $run on $topology" >&2
    mkdir -p "$work/runs"
    (cd "$src" && PYTHONPATH="$src" "$python" -m scalesim.scale -c "$out/$run.cfg" -t "$out/$topology.csv" -p "$work/runs/$run" -i "$kind" > "$work/log" 2>&1) ||
      { cat "$work/log" >&2; exit 1; }
    mkdir -p "$out/$run/$topology"
    cp "$work/runs/$run/$run"/{COMPUTE_REPORT,BANDWIDTH_REPORT,DETAILED_ACCESS_REPORT}.csv "$out/$run/$topology/"
    rm -rf "$work/runs/$run"
  done
done
echo "wrote $out" >&2
