#!/usr/bin/env bash
# Installs and starts the system parts that cloudcore's test tiers use, on a
# Debian 12 machine without systemd. Run as root: `sudo make deps`.
#
# Idempotent: packages already present are not touched (and `apt-get update`
# only runs when something must be installed), daemons already running and
# answering are left alone. A second run installs nothing, starts nothing and
# takes well under a second.
#
# One line per part: installed / already present / started / already running.
# Anything that cannot be done stops the script with the reason.
set -euo pipefail

say() { printf 'deps: %-30s %s\n' "$1" "$2"; }
die() {
	printf 'deps: FAILED: %s\n' "$*" >&2
	exit 1
}

[[ $(id -u) == 0 ]] || die "must run as root to install packages and start libvirtd (try: sudo make deps)"
for c in apt-get dpkg-query; do
	command -v "$c" >/dev/null 2>&1 || die "$c not found: this script supports Debian 12 (bookworm) only"
done

LIBVIRT_URI=qemu:///system
# First call after libvirtd starts probes QEMU's capabilities (~8 s under TCG).
LIBVIRT_WAIT_SECONDS=${LIBVIRT_WAIT_SECONDS:-90}
LOG_DIR=/var/log/cloudcore-deps

# --- packages --------------------------------------------------------------
# part name | packages | what the tier uses from them
parts=(
	"kvm|libvirt-daemon-system libvirt-clients libvirt-dev qemu-system-x86 qemu-utils dnsmasq-base|libvirtd, virsh, QEMU (TCG), qemu-img, dnsmasq for libvirt networks"
	"postgresql|postgresql|initdb, pg_ctl, postgres in /usr/lib/postgresql/*/bin"
	"ipmi|openipmi ipmitool|ipmi_sim BMC simulator and ipmitool for fencing tests"
	"browser|chromium chromium-driver|headless Chromium and chromedriver for web console tests"
	"guest-build|busybox-static cpio xorriso|busybox initramfs and seed ISO for the tiny KVM guest"
)

# Installed packages, as "name<TAB>status" lines (status "ii " when installed).
installed_status() {
	dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\n' "$@" 2>/dev/null || true
}

declare -A is_installed=()
all_pkgs=()
for part in "${parts[@]}"; do
	IFS='|' read -r _ pkgs _ <<<"$part"
	read -ra p <<<"$pkgs"
	all_pkgs+=("${p[@]}")
done
while IFS=$'\t' read -r name status; do
	[[ $status == "ii " ]] && is_installed[$name]=1
done < <(installed_status "${all_pkgs[@]}")

missing=()
for p in "${all_pkgs[@]}"; do
	[[ -n "${is_installed[$p]:-}" ]] || missing+=("$p")
done

if ((${#missing[@]} > 0)); then
	export DEBIAN_FRONTEND=noninteractive
	mkdir -p "$LOG_DIR"
	apt_log="$LOG_DIR/apt.log"
	: >"$apt_log"
	# Package scripts must not start services (there is no init system to own
	# them; this script starts what the tests need). An existing policy stays.
	own_policy=""
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		own_policy=1
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	start=$SECONDS
	echo "deps: installing ${#missing[@]} packages: ${missing[*]} (log: $apt_log)"
	if ! apt-get update -q >>"$apt_log" 2>&1; then
		tail -n 20 "$apt_log" >&2
		die "apt-get update failed (see $apt_log)"
	fi
	if ! apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 \
		"${missing[@]}" >>"$apt_log" 2>&1; then
		tail -n 30 "$apt_log" >&2
		die "apt-get install ${missing[*]} failed (see $apt_log)"
	fi
	if [[ -n $own_policy ]]; then
		rm -f /usr/sbin/policy-rc.d
		trap - EXIT
	fi
	echo "deps: packages installed in $((SECONDS - start))s"
fi

for part in "${parts[@]}"; do
	IFS='|' read -r name pkgs _ <<<"$part"
	read -ra p <<<"$pkgs"
	new=()
	for q in "${p[@]}"; do
		[[ -n "${is_installed[$q]:-}" ]] || new+=("$q")
	done
	if ((${#new[@]} > 0)); then
		say "$name packages" "installed (${new[*]})"
	else
		say "$name packages" "already present"
	fi
done

# What the tests look for, checked after installing (a package can be present
# yet broken, or a distribution may lay files out differently).
need_file() {
	local what=$1
	shift
	local f
	for f in "$@"; do
		[[ -e $f ]] && return 0
	done
	die "$what not found (looked for: $*) although its package is installed"
}
need_file libvirtd /usr/sbin/libvirtd
need_file virtlogd /usr/sbin/virtlogd
need_file virsh /usr/bin/virsh
need_file qemu-system-x86_64 /usr/bin/qemu-system-x86_64
need_file qemu-img /usr/bin/qemu-img
need_file initdb /usr/lib/postgresql/*/bin/initdb
need_file pg_ctl /usr/lib/postgresql/*/bin/pg_ctl
need_file ipmi_sim /usr/bin/ipmi_sim
need_file ipmitool /usr/bin/ipmitool
need_file chromium /usr/bin/chromium
need_file chromedriver /usr/bin/chromedriver
need_file busybox /bin/busybox /usr/bin/busybox
need_file cpio /usr/bin/cpio /bin/cpio
need_file xorriso /usr/bin/xorriso

# --- guest kernel (tiny KVM guest) -----------------------------------------
# The KVM tier's boot test uses a Debian cloud kernel (linux-image-cloud-amd64)
# with a busybox initramfs. The kernel package is NOT installed on the host:
# the guest image script fetches it with `apt-get download` into its own cache
# directory and unpacks it with `dpkg-deb -x`. Its host-side tools
# (busybox-static, cpio, xorriso) are installed above as the guest-build part.

# --- /dev/kvm ----------------------------------------------------------------
# Must happen before libvirtd starts: when the QEMU user cannot open /dev/kvm,
# libvirt re-probes QEMU's capabilities on every API call (~4 s each).
if ! getent group kvm >/dev/null; then
	groupadd --system kvm || die "cannot create group kvm"
	say "group kvm" "created"
fi
if [[ -e /dev/kvm ]]; then
	if [[ $(stat -c '%G %a' /dev/kvm) == "kvm 660" ]]; then
		say "/dev/kvm" "already group kvm, mode 0660"
	else
		chgrp kvm /dev/kvm || die "chgrp kvm /dev/kvm failed"
		chmod 0660 /dev/kvm || die "chmod 0660 /dev/kvm failed"
		say "/dev/kvm" "set to group kvm, mode 0660"
	fi
else
	say "/dev/kvm" "absent (guests run under TCG emulation)"
fi
if id libvirt-qemu >/dev/null 2>&1 && ! id -nG libvirt-qemu | tr ' ' '\n' | grep -qx kvm; then
	usermod -aG kvm libvirt-qemu || die "cannot add libvirt-qemu to group kvm"
	say "libvirt-qemu user" "added to group kvm"
fi

# --- daemons -----------------------------------------------------------------
# daemon_pid NAME: prints the pid of a live (not zombie) root process of
# that exact name; fails when there is none.
daemon_pid() {
	local pid state
	for pid in $(pgrep -x -u 0 "$1" 2>/dev/null); do
		state=$(ps -o stat= -p "$pid" 2>/dev/null) || continue
		[[ -n $state && $state != Z* && $state != X* ]] || continue
		echo "$pid"
		return 0
	done
	return 1
}

# wait_for_socket PATH SECONDS
wait_for_socket() {
	local path=$1 deadline=$((SECONDS + $2))
	while ((SECONDS < deadline)); do
		[[ -S $path ]] && return 0
		sleep 0.2
	done
	return 1
}

# virsh_answers: `virsh version` succeeds within the bounded wait.
virsh_out=""
virsh_answers() {
	local deadline=$((SECONDS + LIBVIRT_WAIT_SECONDS)) left
	while :; do
		left=$((deadline - SECONDS))
		((left > 0)) || return 1
		if virsh_out=$(timeout "$left" virsh -c "$LIBVIRT_URI" version 2>&1); then
			return 0
		fi
		sleep 0.5
	done
}

mkdir -p /var/log/libvirt /run/libvirt

if pid=$(daemon_pid virtlogd); then
	say "virtlogd" "already running (pid $pid)"
else
	LIBVIRT_LOG_OUTPUTS="3:file:/var/log/libvirt/virtlogd.log" virtlogd -d ||
		die "virtlogd -d failed (see /var/log/libvirt/virtlogd.log)"
	wait_for_socket /run/libvirt/virtlogd-sock 15 ||
		die "virtlogd started but /run/libvirt/virtlogd-sock did not appear within 15s (see /var/log/libvirt/virtlogd.log)"
	say "virtlogd" "started (pid $(daemon_pid virtlogd || echo '?'))"
fi

if pid=$(daemon_pid libvirtd); then
	virsh_answers ||
		die "libvirtd (pid $pid) is running but \`virsh -c $LIBVIRT_URI version\` did not answer within ${LIBVIRT_WAIT_SECONDS}s: $virsh_out"
	say "libvirtd" "already running (pid $pid), answers on $LIBVIRT_URI"
else
	# Without --listen: only the local UNIX sockets, no TCP/TLS.
	LIBVIRT_LOG_OUTPUTS="3:file:/var/log/libvirt/libvirtd.log" libvirtd -d ||
		die "libvirtd -d failed (see /var/log/libvirt/libvirtd.log)"
	start=$SECONDS
	if ! wait_for_socket /run/libvirt/libvirt-sock 30; then
		tail -n 20 /var/log/libvirt/libvirtd.log >&2 || true
		die "libvirtd started but /run/libvirt/libvirt-sock did not appear within 30s (see /var/log/libvirt/libvirtd.log)"
	fi
	if ! virsh_answers; then
		tail -n 20 /var/log/libvirt/libvirtd.log >&2 || true
		die "libvirtd started but \`virsh -c $LIBVIRT_URI version\` did not answer within ${LIBVIRT_WAIT_SECONDS}s: $virsh_out"
	fi
	say "libvirtd" "started (pid $(daemon_pid libvirtd || echo '?')), answers on $LIBVIRT_URI after $((SECONDS - start))s"
fi
