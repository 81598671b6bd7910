#!/usr/bin/env bash
# actionlint on .github/workflows, installed from the Go module proxy into a cache the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
version=v1.7.7
bin="${LLMTRACE_TOOLS:-$HOME/.cache/llmtrace-tools}/actionlint-$version"
if [ ! -x "$bin/actionlint" ]; then
  command -v go >/dev/null || { echo "SKIPPED: actionlint needs Go to install" >&2; exit 0; }
  GOBIN="$bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
fi
"$bin/actionlint" -no-color .github/workflows/*.yml
echo "actionlint $version: .github/workflows OK"
