#!/bin/sh
# The main job: install what is missing, build, and run axon on the default
# chip. (The compiler and simulator land in later steps; until then the main
# job inspects the default chip description.)
set -eu
cd "$(dirname "$0")/.."
./scripts/setup.sh
mkdir -p build
./scripts/build.sh build -DCMAKE_BUILD_TYPE=Release >/dev/null
echo
./build/axon inspect models/chips/loihi2-like.yaml
