#!/usr/bin/env bash
# The kiosk booted for real (issue 13): a disposable Debian 12 root with systemd and the
# package installed by dpkg (its postinst enables the unit) is booted with systemd-nspawn, so
# systemd itself starts pos-terminal.service with every line of the shipped unit: User=,
# SupplementaryGroups=, StateDirectory=, the whole hardening, Type=notify, the watchdog.
#
# One drop-in stands in for the display hardware, and only for it: no tty1 here
# (TTYPath= / StandardInput=null) and cage on wlroots' X11 backend inside a private Xvfb
# instead of DRM; WatchdogSec=4 instead of 20 so the hang below is caught in seconds.
#
# Checked: systemd reports the unit active (READY=1 reached it) with no restart; the screen
# (grim as the kiosk user, 1280x800, a drawn screen); still active with no restart after
# three watchdog periods (the UI pings); then the UI is frozen (SIGSTOP) and systemd's
# watchdog restarts the unit, which comes back active.
#
#   kiosk_boot.sh DEB [--out PNG]
# Ends with "N passed, M failed"; exit 0 only when nothing failed. When systemd-nspawn cannot
# boot any system on this machine at all (no container support), it says SKIPPED and exits 0;
# a unit that fails inside a booted system is a failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$here/lib.sh"
need_tools mmdebstrap zstd python3 dpkg-deb systemd-nspawn nsenter Xvfb xdotool xwininfo

deb=$1; shift
out_png="$repo/build/kiosk-boot.png"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out_png=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/pos-boot.XXXXXX")
root=$work/root
nspawn_pid=""
xvfb_pid=""
cleanup() {
  local rc=$?
  if [ -n "$nspawn_pid" ]; then
    kill -TERM "$nspawn_pid" 2>/dev/null || true   # the container powers off
    for _ in $(seq 50); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$nspawn_pid" 2>/dev/null || true
  fi
  [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT

say "kiosk boot: systemd in a disposable root with $(basename "$deb")"
tar=$(base_root_tar "$(dpkg --print-architecture)" "$deb")
new_root "$tar" "$root"
cp "$deb" "$root/tmp/kiosk.deb"
in_root "$root" dpkg -i /tmp/kiosk.deb >/dev/null
check "the package enabled its unit" test -L "$root/etc/systemd/system/graphical.target.wants/pos-terminal.service"

Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/xvfb.display" 2>"$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$work/xvfb.display" ] && break; sleep 0.1; done
xdisplay=:$(head -1 "$work/xvfb.display")
mkdir -p "$root/etc/systemd/system/pos-terminal.service.d" "$root/var/log/journal"
cat >"$root/etc/systemd/system/pos-terminal.service.d/ci-no-display-hardware.conf" <<EOF
# The test's stand-in for display hardware (kiosk_boot.sh); never shipped.
[Service]
TTYPath=
StandardInput=null
Environment=WLR_BACKENDS=x11 WLR_RENDERER=pixman DISPLAY=$xdisplay
WatchdogSec=4
EOF

# The container shares the network namespace, so Xvfb's abstract socket reaches cage.
systemd-nspawn --quiet -D "$root" --boot --register=no --keep-unit >"$work/console.log" 2>&1 &
nspawn_pid=$!

# The container's init: the child of systemd-nspawn.
leader=""
for _ in $(seq 100); do
  leader=$(pgrep -P "$nspawn_pid" | head -1 || true)
  [ -n "$leader" ] && break
  sleep 0.1
done
C() { nsenter -t "$leader" -m -u -i -n -p -- "$@"; }
unit_prop() { C systemctl show pos-terminal.service -p "$1" --value 2>/dev/null; }

booted=""
for _ in $(seq 300); do
  if [ -n "$leader" ] && state=$(C systemctl is-system-running 2>/dev/null); then
    case "$state" in running|degraded) booted=yes; break ;; esac
  fi
  kill -0 "$nspawn_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$booted" ] && [ "$(C systemctl is-system-running 2>/dev/null || true)" != starting ]; then
  echo "SKIPPED: systemd-nspawn could not boot a system on this machine:"
  tail -5 "$work/console.log" | sed 's/^/  console: /'
  exit 0
fi

active=""
for _ in $(seq 300); do
  [ "$(unit_prop ActiveState)" = active ] && [ "$(unit_prop SubState)" = running ] && { active=yes; break; }
  sleep 0.1
done
check "systemd started the unit (Type=notify: READY=1 reached it)" test -n "$active"
if [ -z "$active" ]; then
  C journalctl -u pos-terminal.service --no-pager 2>/dev/null | grep -v 'Basic output test' | tail -20 | sed 's/^/  journal: /'
fi
check "no restart so far" test "$(unit_prop NRestarts)" = 0
# (the root has no procps: the app's process is found through the container's /proc)
app_pid() { C sh -c 'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = pos-terminal ] && echo ${p#/proc/}; done; true' | head -1; }
pid=$(app_pid)
check "the app runs as the package's user (pid $pid)" test "$(C stat -c %U "/proc/$pid" 2>/dev/null)" = pos-terminal

# The screen: cage's output is its X window; make it the panel's size, then grab as the user.
for _ in $(seq 100); do
  win=$(DISPLAY=$xdisplay xwininfo -root -children 2>/dev/null | sed -n 's/^ *\(0x[0-9a-f]*\) .*/\1/p' | head -1)
  [ -n "$win" ] && break
  sleep 0.1
done
[ -n "$win" ] && DISPLAY=$xdisplay xdotool windowsize "$win" 1280 800
picture=""
prev=""
for _ in $(seq 30); do
  # (the container's /run is its own tmpfs: the picture comes out through cat)
  if C runuser -u pos-terminal -- env XDG_RUNTIME_DIR=/run/pos-terminal WAYLAND_DISPLAY=wayland-0 \
      grim -t ppm /run/pos-terminal/boot.ppm 2>/dev/null &&
      C cat /run/pos-terminal/boot.ppm >"$work/shot.ppm"; then
    sum=$(sha256sum "$work/shot.ppm" | cut -d' ' -f1)
    if python3 "$here/check_screenshot.py" "$work/shot.ppm" nonblack >/dev/null 2>&1 && [ "$sum" = "$prev" ]; then
      picture=yes; break
    fi
    prev=$sum
  fi
  sleep 0.3
done
if [ -n "$picture" ] && python3 "$here/check_screenshot.py" "$work/shot.ppm" ui; then
  C runuser -u pos-terminal -- env XDG_RUNTIME_DIR=/run/pos-terminal WAYLAND_DISPLAY=wayland-0 \
    grim -t png /run/pos-terminal/boot.png 2>/dev/null && C cat /run/pos-terminal/boot.png >"$out_png" || true
  pass "the first screen under systemd checked: $out_png"
else
  fail "the first screen under systemd"
fi

sleep 12   # three watchdog periods
check "still active after three watchdog periods (the UI pings)" test "$(unit_prop ActiveState)" = active
check "and not restarted" test "$(unit_prop NRestarts)" = 0

# A hung UI: frozen, it stops pinging; systemd's watchdog must restart the unit.
pid=$(app_pid)
[ -n "$pid" ] && C sh -c "kill -STOP $pid"
restarted=""
for _ in $(seq 200); do
  n=$(unit_prop NRestarts)
  [ "${n:-0}" -ge 1 ] && [ "$(unit_prop ActiveState)" = active ] && [ "$(unit_prop SubState)" = running ] && { restarted=yes; break; }
  sleep 0.1
done
check "a frozen UI is restarted by the watchdog (NRestarts=$(unit_prop NRestarts))" test -n "$restarted"
C journalctl -u pos-terminal.service --no-pager 2>/dev/null | grep -i 'watchdog' | tail -2 | sed 's/^/  journal: /' || true

echo
echo "kiosk boot: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
