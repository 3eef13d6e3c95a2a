# shellcheck shell=bash
# Shared by scripts/tools.sh and scripts/terraform.sh: a cache of Go-built
# developer tools that lives outside the clone, so every clone (and CI's fresh
# clone on the same machine) reuses one build.
#
#   $CLOUDCORE_CACHE_DIR        default ${XDG_CACHE_HOME:-$HOME/.cache}/cloudcore
#   $CLOUDCORE_CACHE_DIR/tools/<name>@<version>/<name>   one build per version
#   $CLOUDCORE_CACHE_DIR/bin/<name> -> ../tools/<name>@<version>/<name>
#
# Tools are only ever built from source with `go install module@version`
# through the Go module proxy; nothing prebuilt is downloaded.

cache_dir() {
	if [[ -n "${CLOUDCORE_CACHE_DIR:-}" ]]; then
		printf '%s\n' "$CLOUDCORE_CACHE_DIR"
	elif [[ -n "${XDG_CACHE_HOME:-}" ]]; then
		printf '%s\n' "$XDG_CACHE_HOME/cloudcore"
	elif [[ -n "${HOME:-}" ]]; then
		printf '%s\n' "$HOME/.cache/cloudcore"
	else
		echo "error: neither XDG_CACHE_HOME nor HOME is set; set CLOUDCORE_CACHE_DIR" >&2
		return 1
	fi
}

cache_bin_dir() { printf '%s/bin\n' "$(cache_dir)"; }

log() { printf '%s\n' "$*" >&2; }

# gotool_install NAME PACKAGE VERSION
# Prints the path of NAME built from PACKAGE@VERSION, building it first when
# that version is not in the cache yet. Progress goes to stderr, the path to
# stdout. Concurrent callers wait for one build (flock).
gotool_install() {
	local name=$1 pkg=$2 version=$3
	local cache bin dir exe link
	cache=$(cache_dir) || return 1
	bin="$cache/bin"
	dir="$cache/tools/$name@$version"
	exe="$dir/$name"
	link="$bin/$name"
	mkdir -p "$bin" "$cache/tools"

	if [[ ! -x "$exe" ]]; then
		command -v go >/dev/null 2>&1 || {
			log "error: go is not on PATH (expected /usr/local/go/bin); cannot build $name"
			return 1
		}
		local lock="$cache/tools/.$name@$version.lock"
		exec {lockfd}>"$lock"
		if command -v flock >/dev/null 2>&1; then
			flock "$lockfd"
		fi
		if [[ ! -x "$exe" ]]; then
			local tmp start
			tmp=$(mktemp -d "$cache/tools/.$name@$version.XXXXXX")
			start=$SECONDS
			log "building $name $version from source (go install $pkg@$version) into $dir ..."
			# Outside any module so the clone's go.mod/go.work play no part.
			if ! (cd "$tmp" && GOBIN="$tmp" GOFLAGS="${GOFLAGS:-}" GOWORK=off go install "$pkg@$version" >&2); then
				rm -rf "$tmp"
				exec {lockfd}>&-
				log "error: go install $pkg@$version failed (see above); nothing was cached"
				return 1
			fi
			mkdir -p "$dir"
			mv -f "$tmp/$name" "$exe"
			rm -rf "$tmp"
			log "built $name $version in $((SECONDS - start))s"
		fi
		exec {lockfd}>&-
	fi

	# Point bin/<name> at this version (atomically: a symlink renamed over).
	if [[ "$(readlink "$link" 2>/dev/null)" != "../tools/$name@$version/$name" ]]; then
		ln -sfn "../tools/$name@$version/$name" "$link.tmp.$$"
		mv -Tf "$link.tmp.$$" "$link"
	fi
	printf '%s\n' "$exe"
}
