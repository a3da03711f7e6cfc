#!/bin/sh
# Copies the inputs and committed reference outputs of the Timeloop/Accelergy
# exercises that test/timeloop-exercises.test.ts compares against into
# test/fixtures/timeloop-exercises/, with the exercises' licence.
# Usage: scripts/timeloop-exercise-fixtures.sh GIT_DIR
# (GIT_DIR: a clone of github.com/Accelergy-Project/timeloop-accelergy-exercises)
set -eu
git_dir=$1
out=test/fixtures/timeloop-exercises
rev=$(git --git-dir="$git_dir" rev-parse HEAD)
rm -rf "$out"
mkdir -p "$out"
git --git-dir="$git_dir" show "$rev:LICENSE" > "$out/LICENSE"
echo "$rev" > "$out/COMMIT"
w=workspace
ispass=$w/tutorial_exercises/01_accelergy_timeloop_2020_ispass
designs=$w/example_designs/example_designs
# case name, folder of the reference outputs, prefix of the run (timeloop-model or timeloop-mapper)
while read -r name dir run; do
  mkdir -p "$out/$name"
  for f in parsed-processed-input.yaml "$run.ERT.yaml" "$run.stats.txt" "$run.map.txt" "$run.map.yaml"; do
    if git --git-dir="$git_dir" cat-file -e "$rev:$dir/$f" 2>/dev/null; then
      git --git-dir="$git_dir" show "$rev:$dir/$f" > "$out/$name/${f#"$run".}"
    fi
  done
done <<CASES
ispass-00 $ispass/timeloop/00-model-conv1d-1level/ref-output timeloop-model
ispass-01-os $ispass/timeloop/01-model-conv1d-2level/ref-output/os timeloop-model
ispass-01-ws $ispass/timeloop/01-model-conv1d-2level/ref-output/ws timeloop-model
ispass-02-no-tiling $ispass/timeloop/02-model-conv1d+oc-2level/ref-output/no-tiling timeloop-model
ispass-02-tiling $ispass/timeloop/02-model-conv1d+oc-2level/ref-output/tiling timeloop-model
ispass-03-bypass $ispass/timeloop/03-model-conv1d+oc-3level/ref-output/bypass timeloop-model
ispass-03-no-bypass $ispass/timeloop/03-model-conv1d+oc-3level/ref-output/no-bypass timeloop-model
ispass-04-cp $ispass/timeloop/04-model-conv1d+oc-3levelspatial/ref-output/cp timeloop-model
ispass-04-kp $ispass/timeloop/04-model-conv1d+oc-3levelspatial/ref-output/kp timeloop-model
ispass-05-baked $ispass/timeloop/05-mapper-conv1d+oc-3level/ref-output/baked timeloop-mapper
ispass-05-freebypass $ispass/timeloop/05-mapper-conv1d+oc-3level/ref-output/freebypass timeloop-mapper
ispass-05-null $ispass/timeloop/05-mapper-conv1d+oc-3level/ref-output/null timeloop-mapper
ispass-06-eyeriss $ispass/timeloop/06-mapper-convlayer-eyeriss/ref-output timeloop-mapper
ispass-accelergy-fpmac $ispass/timeloop+accelergy/ref-output/fpmac timeloop-mapper
ispass-accelergy-intmac $ispass/timeloop+accelergy/ref-output/intmac timeloop-mapper
eyeriss_like $designs/eyeriss_like/ref_outputs/default_problem timeloop-mapper
simba_like $designs/simba_like/ref_outputs/default_problem timeloop-mapper
simple_output_stationary $designs/simple_output_stationary/ref_outputs/default_problem timeloop-mapper
simple_weight_stationary $designs/simple_weight_stationary/ref_outputs/default_problem timeloop-mapper
tutorial-2024 $w/tutorial_exercises/02_interface_and_design_space_exploration_2024/outputs timeloop-mapper
CASES
# The 2024 tutorial's own inputs (Jinja2 templates, variables:), as its notebook reads them.
tut=$w/tutorial_exercises/02_interface_and_design_space_exploration_2024/inputs
mkdir -p "$out/tutorial-2024/inputs"
for f in arch.yaml variables.yaml problem.yaml; do
  git --git-dir="$git_dir" show "$rev:$tut/$f" > "$out/tutorial-2024/inputs/$f"
done
# A Sparseloop run's input (densities, sparse_optimizations): accelmap refuses it.
sparse=$designs/sparseloop/01.2.2-SUDU-dot-product/ref_outputs/default_problem
mkdir -p "$out/sparse-SUDU-dot-product"
git --git-dir="$git_dir" show "$rev:$sparse/parsed-processed-input.yaml" > "$out/sparse-SUDU-dot-product/parsed-processed-input.yaml"
