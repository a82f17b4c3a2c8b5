#!/usr/bin/env bash
# Regenerates Wolverine's handler code into src/CityCase.Api/Internal/Generated (run after adding or
# changing a message handler). The old files go first: once a handler changes they no longer compile.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf src/CityCase.Api/Internal/Generated
dotnet run --project src/CityCase.Api -- codegen write
