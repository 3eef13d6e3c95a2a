#!/usr/bin/env bash
# Installs the developer tools the make targets use into the cloudcore tool
# cache (see scripts/lib/gotool.sh), each only when that version is missing,
# always built from source through the Go module proxy.
#
#   scripts/tools.sh                 install every tool, print one line each
#   scripts/tools.sh golangci-lint   install if missing, print its path only
#   scripts/tools.sh tfplugindocs    idem
#   scripts/tools.sh --bin-dir       print the cache's bin directory
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/gotool.sh
. "$here/lib/gotool.sh"

GOLANGCI_LINT_VERSION=${GOLANGCI_LINT_VERSION:-v2.15.0}
TFPLUGINDOCS_VERSION=${TFPLUGINDOCS_VERSION:-v0.25.0}

tool() {
	case $1 in
	golangci-lint) gotool_install golangci-lint github.com/golangci/golangci-lint/v2/cmd/golangci-lint "$GOLANGCI_LINT_VERSION" ;;
	tfplugindocs) gotool_install tfplugindocs github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs "$TFPLUGINDOCS_VERSION" ;;
	*)
		echo "error: unknown tool '$1' (known: golangci-lint tfplugindocs)" >&2
		return 2
		;;
	esac
}

case ${1:-} in
--bin-dir)
	cache_bin_dir
	;;
"")
	for t in golangci-lint tfplugindocs; do
		start=$SECONDS
		p=$(tool "$t")
		printf 'tools: %-14s %s (%ss)\n' "$t" "$p" "$((SECONDS - start))"
	done
	;;
*)
	tool "$1"
	;;
esac
