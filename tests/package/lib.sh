# Shared by the package tests (sourced, bash): disposable Debian 12 roots made with mmdebstrap
# from the apt mirror this machine already uses, cached as .tar.zst under build/pkgroot-cache/
# (git-ignored), and a chroot runner that mounts what it needs in a private mount namespace so
# nothing is left mounted, whatever happens.
#
#   base_root_tar ARCH DEB...   prints the cached tarball holding every Depends of the .debs
#                               (plus EXTRA_INCLUDES), making it when missing (~1 min, once)
#   new_root TAR DIR            extracts a fresh root into DIR (~2 s)
#   in_root DIR CMD...          runs CMD in the chroot with /proc, /dev/shm, /run/user tmpfs
#   say / pass / fail           the test's log lines; counters PASSED / FAILED

# The disposable roots are cached outside the clone when we may (root: CI and developers'
# machines reuse them between clones; a new machine builds them once), else in build/.
if [ -z "${PKG_CACHE:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then PKG_CACHE=/var/cache/pos-terminal-ci
  else PKG_CACHE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/pkgroot-cache; fi
fi
PASSED=0
FAILED=0

say() { printf '\n=== %s\n' "$*"; }
pass() { PASSED=$((PASSED + 1)); printf 'PASS  %s\n' "$*"; }
fail() { FAILED=$((FAILED + 1)); printf 'FAIL  %s\n' "$*"; }
check() {  # check "what" CMD... : pass when CMD succeeds
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what"; fi
}

need_tools() {
  local missing=()
  for t in "$@"; do command -v "$t" >/dev/null || missing+=("$t"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "missing tools: ${missing[*]} (scripts/ci-package.sh installs them)" >&2
    return 1
  fi
}

# The package names in the Depends of the given .debs (versions dropped), sorted, one a line.
deb_depends() {
  for d in "$@"; do dpkg-deb -f "$d" Depends; done | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g' |
    grep -v '^$' | grep -v '^pos-terminal$' | sort -u
}

base_root_tar() {
  local arch=$1; shift
  local includes
  # grim takes the kiosk's screenshots; SDL for the UI stand-in (the UI's own comes by Depends);
  # systemd so kiosk_boot.sh can boot the root (the chroot tests never run it).
  includes=$( (deb_depends "$@"; printf '%s\n' ${EXTRA_INCLUDES-grim libsdl2-2.0-0 systemd systemd-sysv dbus}) | grep -v '^$' |
    sort -u | paste -sd, -)
  local key
  key=$(printf '%s %s' "$arch" "$includes" | sha256sum | cut -c1-12)
  local tar="$PKG_CACHE/bookworm-$arch-$key.tar.zst"
  if [ ! -s "$tar" ]; then
    mkdir -p "$PKG_CACHE"
    echo "making the base root $tar (once): $includes" >&2
    local t0=$SECONDS
    mmdebstrap --quiet --variant=minbase --mode=root --architectures="$arch" \
      --include="$includes" bookworm "${tar%.tar.zst}.part.tar.zst" \
      /etc/apt/sources.list.d/debian.sources >&2
    mv "${tar%.tar.zst}.part.tar.zst" "$tar"
    echo "base root made in $((SECONDS - t0)) s" >&2
  fi
  printf '%s\n' "$tar"
}

new_root() {
  local tar=$1 dir=$2
  rm -rf "$dir"
  mkdir -p "$dir"
  tar --zstd -xf "$tar" -C "$dir"
}

# Everything mounted here lives in a private mount namespace and vanishes with it.
in_root() {
  local dir=$1; shift
  unshare --mount --propagation private -- sh -c '
    dir=$1; shift
    mount -t proc proc "$dir/proc"
    mount -t tmpfs -o mode=1777 tmpfs "$dir/dev/shm" 2>/dev/null || { mkdir -p "$dir/dev/shm"; mount -t tmpfs -o mode=1777 tmpfs "$dir/dev/shm"; }
    mount -t tmpfs -o mode=0755 tmpfs "$dir/run/user" 2>/dev/null || { mkdir -p "$dir/run/user"; mount -t tmpfs -o mode=0755 tmpfs "$dir/run/user"; }
    exec chroot "$dir" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
      ${POS_ROOT_ENV:-} "$@"' sh "$dir" "$@"
}
