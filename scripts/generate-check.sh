#!/usr/bin/env bash
# Runs the generate command given as arguments (normally `make generate`) and
# fails when it changed, added or removed any file that git would see.
#
# It compares snapshots of the whole work tree (tracked and untracked files,
# .gitignore respected) taken before and after, so it answers "is generated
# content up to date with this tree", in a clean CI clone and in a work tree
# with uncommitted changes alike. The snapshots are written through a
# temporary index; the repository's own index is never touched.
set -euo pipefail

[[ $# -gt 0 ]] || {
	echo "usage: $0 GENERATE-COMMAND..." >&2
	exit 2
}

cd "$(git rev-parse --show-toplevel)"
idx=$(mktemp)
trap 'rm -f "$idx"' EXIT

snapshot() {
	# Start from the real index so unchanged files are not re-hashed.
	cp "$(git rev-parse --git-path index)" "$idx" 2>/dev/null || rm -f "$idx"
	GIT_INDEX_FILE=$idx git add --all -- . >/dev/null
	GIT_INDEX_FILE=$idx git write-tree
}

before=$(snapshot)
"$@"
after=$(snapshot)

if [[ $before == "$after" ]]; then
	echo "generate-check: generated files are up to date"
	exit 0
fi
echo
echo "generate-check: FAILED: \`make generate\` changed these files:"
git --no-pager diff --stat "$before" "$after"
git --no-pager diff "$before" "$after" | head -n 200
echo
echo "Run \`make generate\` and commit the result."
exit 1
