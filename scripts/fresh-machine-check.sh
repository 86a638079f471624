#!/usr/bin/env bash
# Prove that the README's two commands work on a fresh Debian 12: build a minimal bookworm root with
# debootstrap from the Debian mirror this machine's apt uses, copy a clean clone of the committed
# HEAD and this machine's CA certificates and apt, pip and npm registry settings into it, install
# only python3 and make, then run `make` and `make test` there as root and report each one's time
# and exit status. Needs root, debootstrap (apt-get install debootstrap) and about 4 GB; takes
# most of an hour on two cores.
#   usage: scripts/fresh-machine-check.sh [ROOT]      (default ROOT: /var/tmp/sitrep-fresh-root)
# The root is kept afterwards for a look inside; a second run starts it anew.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
root="${1:-/var/tmp/sitrep-fresh-root}"
suite=bookworm

say() { printf '[fresh-machine] %s\n' "$*"; }
die() { printf 'fresh-machine-check: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root: it builds a root file system and mounts /proc and /dev into it"
command -v debootstrap >/dev/null 2>&1 || die "needs debootstrap: apt-get install debootstrap"

# The first Debian mirror in this machine's apt sources that serves the suite (one-line or deb822).
debian_mirror() {
  python3 - "$suite" <<'PY'
import glob, sys
suite = sys.argv[1]
files = glob.glob("/etc/apt/sources.list") + sorted(glob.glob("/etc/apt/sources.list.d/*.list"))
for path in files:
    for line in open(path, encoding="utf-8"):
        words = [w for w in line.split("#")[0].split() if not w.startswith("[")]
        if len(words) >= 3 and words[0] == "deb" and words[2] == suite:
            print(words[1]); sys.exit(0)
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for block in open(path, encoding="utf-8").read().split("\n\n"):
        fields = {}
        for line in block.splitlines():
            if ":" in line and not line.startswith("#"):
                key, value = line.split(":", 1)
                fields[key.strip().lower()] = value.split()
        if suite in fields.get("suites", []) and "deb" in fields.get("types", []):
            print(fields["uris"][0]); sys.exit(0)
sys.exit(1)
PY
}

unmount_all() {
  for point in dev sys proc; do
    if mountpoint -q "$root/$point"; then umount -R "$root/$point" || umount -lR "$root/$point"; fi
  done
}

# Copy a file from this machine to the same place in the root, if it exists.
copy_in() {
  local path="$1" target="${2:-$1}"
  [ -f "$path" ] || return 0
  mkdir -p "$root$(dirname "$target")"
  cp -L "$path" "$root$target"
}

mirror="$(debian_mirror)" || die "no Debian $suite mirror in /etc/apt/sources.list*"
commit="$(git -C "$repo" rev-parse HEAD)"
[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] ||
  say "the work tree has uncommitted changes: they are not in the clean clone checked here"

trap unmount_all EXIT
unmount_all
rm -rf "$root"
mkdir -p "$root"

say "debootstrap --variant=minbase $suite (this machine's Debian mirror)"
start=$SECONDS
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
  die "debootstrap failed: see $root.debootstrap.log"
say "minimal root made in $((SECONDS - start)) s"

# What reaches the registries: CA certificates, name resolution, and apt, pip and npm settings.
# The bundle, and a copy where Debian's update-ca-certificates (run when a package pulls in
# ca-certificates) takes local authorities from, so that rebuilding the bundle keeps them.
copy_in /etc/ssl/certs/ca-certificates.crt
copy_in /etc/ssl/certs/ca-certificates.crt /usr/local/share/ca-certificates/host-ca-certificates.crt
copy_in /etc/resolv.conf
copy_in /etc/hosts
rm -f "$root/etc/apt/sources.list"
for path in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
    /etc/apt/apt.conf.d/* /etc/apt/trusted.gpg.d/* /usr/share/keyrings/*; do
  [ -e "$root$path" ] || copy_in "$path"
done
# pip's settings may name other files beside them (constraints, say): take the folders whole.
for path in /etc/pip.conf /etc/xdg/pip/* /etc/npmrc /usr/etc/npmrc; do copy_in "$path"; done
for path in "$HOME"/.config/pip/* "$HOME"/.pip/*; do copy_in "$path" "/root${path#"$HOME"}"; done
copy_in "$HOME/.npmrc" /root/.npmrc
registry_env=()
while IFS= read -r setting; do registry_env+=("$setting"); done < <(env | grep -E '^(PIP|NPM_CONFIG|npm_config)_' || true)

say "clean clone of $commit"
git clone --quiet --no-hardlinks "$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir)" "$root/root/sitrep"
git -C "$root/root/sitrep" checkout --quiet --detach "$commit"

mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev"

in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 TERM=dumb "${registry_env[@]}" bash -c "$1"
}

say "apt-get install python3 make"
start=$SECONDS
in_root 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 make >/dev/null'
say "python3 and make installed in $((SECONDS - start)) s: $(in_root 'python3 --version; make --version | head -1' | paste -sd ' ')"

results=()
for target in "" test; do
  say "make $target"
  start=$SECONDS
  status=0
  in_root "cd /root/sitrep && make $target" 2>&1 | tee "$root.make${target:+-$target}.log" || status=$?
  results+=("make${target:+ $target}: exit $status in $((SECONDS - start)) s")
done

say "Debian 12 ($suite, minbase) with python3 and make, clean clone of $commit:"
for line in "${results[@]}"; do say "  $line"; done
summary="$(tail -n 3 "$root.make-test.log" | grep -E 'passed|failed' || true)"
[ -z "$summary" ] || say "  tests: $summary"
for line in "${results[@]}"; do case "$line" in *"exit 0 "*) ;; *) exit 1 ;; esac; done
