#!/usr/bin/env bash
# Prints the path of a Terraform CLI for acceptance tests, docs generation and
# the demo, in this order:
#   1. $TF_ACC_TERRAFORM_PATH, when set (it must be executable);
#   2. `terraform` on PATH;
#   3. a cached build in the cloudcore tool cache
#      (${XDG_CACHE_HOME:-$HOME/.cache}/cloudcore/bin/terraform);
#   4. otherwise builds Terraform $TERRAFORM_VERSION from source there with
#      `go install github.com/hashicorp/terraform@$TERRAFORM_VERSION` (about
#      2 minutes once per machine; later clones reuse it).
# With --no-build, step 4 is skipped and the script exits 1 when nothing is found.
# Only the path goes to stdout; messages go to stderr.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/gotool.sh
. "$here/lib/gotool.sh"

# v1.5.7 is the newest release that `go install` can build (later ones use
# replace directives); it speaks protocol 6 as the framework needs.
TERRAFORM_VERSION=${TERRAFORM_VERSION:-v1.5.7}

build=1
case ${1:-} in
--no-build) build=0 ;;
"") ;;
*)
	echo "usage: $0 [--no-build]" >&2
	exit 2
	;;
esac

if [[ -n "${TF_ACC_TERRAFORM_PATH:-}" ]]; then
	if [[ -x "$TF_ACC_TERRAFORM_PATH" && ! -d "$TF_ACC_TERRAFORM_PATH" ]]; then
		printf '%s\n' "$TF_ACC_TERRAFORM_PATH"
		exit 0
	fi
	echo "error: TF_ACC_TERRAFORM_PATH=$TF_ACC_TERRAFORM_PATH is not an executable file" >&2
	exit 1
fi

if p=$(command -v terraform 2>/dev/null) && [[ -n "$p" ]]; then
	printf '%s\n' "$p"
	exit 0
fi

cached="$(cache_dir)/tools/terraform@$TERRAFORM_VERSION/terraform"
if [[ -x "$cached" ]]; then
	printf '%s\n' "$cached"
	exit 0
fi

if [[ $build == 0 ]]; then
	echo "no Terraform CLI found (TF_ACC_TERRAFORM_PATH unset, none on PATH, none cached); run scripts/terraform.sh to build one" >&2
	exit 1
fi

gotool_install terraform github.com/hashicorp/terraform "$TERRAFORM_VERSION"
