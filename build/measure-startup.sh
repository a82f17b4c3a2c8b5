#!/usr/bin/env bash
# Measures the time from starting the built server to its first answered mutation, for each of
# Wolverine's code-generation modes, alternating runs so that both see the same machine load.
#   build/measure-startup.sh [runs]      (needs a Release build: dotnet build -c Release src/CityCase.Api)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
dll=src/CityCase.Api/bin/Release/net10.0/CityCase.Api.dll
port=5099
export ASPNETCORE_ENVIRONMENT=Development
token=$(dotnet "$dll" token --role agent --user measure)
body='{"query":"mutation { reportComplaint(input: {description: \"startup probe\", location: {longitude: 121.47, latitude: 31.23}}) { case { number } } }"}'

measure() { # mode -> milliseconds to first answered mutation
  local start end pid
  start=$(date +%s%N)
  Codegen__TypeLoadMode=$1 Urls=http://127.0.0.1:$port dotnet "$dll" >/tmp/citycase-startup-$1.log 2>&1 &
  pid=$!
  until [[ $(curl -sf http://127.0.0.1:$port/graphql -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d "$body" 2>/dev/null) == *'"number"'* ]]; do sleep 0.02; done
  end=$(date +%s%N)
  kill -TERM $pid; wait $pid || true
  echo $(( (end - start) / 1000000 ))
}

measure Static >/dev/null # warm the OS caches and create the local cluster once
for i in $(seq "$runs"); do
  for mode in Static Dynamic; do echo "$mode $(measure $mode)"; done
done | awk '{ sum[$1] += $2; n[$1]++; all[$1] = all[$1] " " $2 }
  END { for (m in sum) printf "%-8s mean %5d ms  runs:%s\n", m, sum[m] / n[m], all[m] }'
