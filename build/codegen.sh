#!/usr/bin/env bash
# Regenerates Wolverine's handler code into src/CityCase.Api/Internal/Generated (run after adding or
# changing a message handler). The old files go first: once a handler changes they no longer compile.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf src/CityCase.Api/Internal/Generated
dotnet run --project src/CityCase.Api -- codegen write
ls src/CityCase.Api/Internal/Generated/WolverineHandlers/*.cs >/dev/null 2>&1 \
  || { echo "codegen wrote nothing: see the errors above" >&2; exit 1; }
