#!/usr/bin/env bash
# Runs the benchmarks of every package that has any, once each by default,
# and prints the results (also written to OUT for benchstat).
#
#   scripts/bench.sh BENCH BENCHTIME TIMEOUT OUT [PACKAGES...]
set -euo pipefail

bench=${1:-.}
benchtime=${2:-1x}
timeout=${3:-30m}
out=${4:-bin/bench.txt}
shift $(($# < 4 ? $# : 4))
[[ $# -gt 0 ]] || set -- ./...
go=${GO:-go}

# Packages whose test files declare a benchmark.
pkgs=()
while IFS=$'\t' read -r pkg files; do
	[[ -n $files ]] || continue
	read -ra f <<<"$files"
	if grep -qE '^func Benchmark[A-Z_0-9]?[A-Za-z0-9_]*\(' "${f[@]}"; then
		pkgs+=("$pkg")
	fi
done < <("$go" list -e -f '{{.ImportPath}}{{"\t"}}{{range .TestGoFiles}}{{$.Dir}}/{{.}} {{end}}{{range .XTestGoFiles}}{{$.Dir}}/{{.}} {{end}}' "$@")

if ((${#pkgs[@]} == 0)); then
	echo "bench: no package has benchmarks yet"
	exit 0
fi

mkdir -p "$(dirname "$out")"
echo "bench: ${#pkgs[@]} package(s): ${pkgs[*]}"
echo "$go test -run '^\$' -bench '$bench' -benchtime $benchtime -benchmem -count 1 -timeout $timeout"
start=$SECONDS
"$go" test -run '^$' -bench "$bench" -benchtime "$benchtime" -benchmem -count 1 -timeout "$timeout" "${pkgs[@]}" | tee "$out"
echo "bench: done in $((SECONDS - start))s; results in $out"
