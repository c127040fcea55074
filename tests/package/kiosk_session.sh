#!/usr/bin/env bash
# The kiosk session (issue 13 "Proof"): the installed package's session, started as its unit
# starts it (cage -d, as the user pos-terminal, the unit's environment) in a disposable root,
# with no display hardware: cage runs on wlroots' X11 backend inside a private Xvfb whose one
# window (cage's output) is made 1280x800, the UI's panel size. (wlroots' own headless backend
# hands grim black frames whenever the client has not redrawn since the compositor's last frame:
# 0 of 30 grabs of the stand-in, which redraws once a second, and of the idle UI, on these
# machines; the X11 backend keeps its output's content.) READY=1 and the watchdog pings must reach a notify socket (a
# real AF_UNIX datagram socket with SO_PASSCRED, as systemd's), and a screenshot of the first
# screen (grim) is taken and checked.
#
#   kiosk_session.sh DEB [--client BINARY] [--out PNG]
#     without --client: the unit's own command (pos-terminal --fullscreen); the picture must be
#       a real screen (1280x800, not black, not one colour, stable);
#     --client BINARY: the UI stand-in (pos-kiosk-standin) instead, checked pixel by pixel.
# Ends with "N passed, M failed"; exit 0 only when nothing failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$here/lib.sh"
need_tools mmdebstrap zstd python3 dpkg-deb setsid Xvfb xdotool xwininfo

deb=$1; shift
client=""
out_png="$repo/build/kiosk-screenshot.png"
while [ $# -gt 0 ]; do
  case "$1" in
    --client) client=$2; shift 2 ;;
    --out) out_png=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/pos-kiosk.XXXXXX")
root=$work/root
session_pgid=""
receiver_pid=""
xvfb_pid=""
cleanup() {
  [ -n "$session_pgid" ] && kill -TERM -- "-$session_pgid" 2>/dev/null
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null
  sleep 0.5
  [ -n "$session_pgid" ] && kill -KILL -- "-$session_pgid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

say "kiosk session: disposable root with $(basename "$deb")"
tar=$(base_root_tar "$(dpkg --print-architecture)" "$deb")
new_root "$tar" "$root"
cp "$deb" "$root/tmp/kiosk.deb"
in_root "$root" dpkg -i /tmp/kiosk.deb >/dev/null
unit=$root/lib/systemd/system/pos-terminal.service

# The unit's command and environment, so this runs what the box runs (less the seat: headless).
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
mapfile -t unit_env < <(sed -n 's/^Environment=//p' "$unit" | grep -v '^CAGE_OPTIONS=')
cage_cmd=${exec_start//\$CAGE_OPTIONS /}
if [ -n "$client" ]; then
  install -m 0755 "$client" "$root/usr/local/bin/kiosk-client"
  cage_cmd="/usr/bin/cage -d -- /usr/local/bin/kiosk-client"
fi
user=$(sed -n 's/^User=//p' "$unit")
echo "as $user: $cage_cmd"
in_root "$root" install -d -o "$user" -g "$user" -m 0700 /run/pos-terminal
mkdir -p "$root/run/pos-notify"
chmod 0777 "$root/run/pos-notify"

# systemd's side of sd_notify: every datagram with its sender's PID.
python3 - "$root/run/pos-notify/notify" "$work/notify.log" <<'PY' &
import os, socket, struct, sys
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind(path)
os.chmod(path, 0o666)
with open(log, "a", buffering=1) as f:
    while True:
        msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
        pid = -1
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                pid = struct.unpack("iII", data[:12])[0]
        f.write(f"{pid} {msg.decode(errors='replace')}\n")
PY
receiver_pid=$!
for _ in $(seq 50); do [ -S "$root/run/pos-notify/notify" ] && break; sleep 0.1; done

# The display: a private Xvfb (abstract socket, so the chroot reaches it too), its number
# picked by the server itself.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/xvfb.display" 2>"$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$work/xvfb.display" ] && break; sleep 0.1; done
xdisplay=:$(head -1 "$work/xvfb.display")
echo "Xvfb on $xdisplay"

t0=$(date +%s.%N)
# shellcheck disable=SC2086
setsid bash -c 'source "$1"; root=$2; shift 2; in_root "$root" "$@"' _ "$here/lib.sh" "$root" \
  runuser -u "$user" -- env "${unit_env[@]}" XDG_RUNTIME_DIR=/run/pos-terminal \
  DISPLAY="$xdisplay" WLR_BACKENDS=x11 WLR_RENDERER=pixman NOTIFY_SOCKET=/run/pos-notify/notify \
  WATCHDOG_USEC=4000000 $cage_cmd >"$work/session.log" 2>&1 &
session_pgid=$!

# cage's output is its X11 window (1024x768 at first): resize it to the panel's 1280x800; the
# output's mode follows and cage resizes the full-screen client.
for _ in $(seq 100); do
  win=$(DISPLAY=$xdisplay xwininfo -root -children 2>/dev/null | sed -n 's/^ *\(0x[0-9a-f]*\) .*/\1/p' | head -1)
  [ -n "$win" ] && break
  sleep 0.1
done
[ -n "$win" ] && DISPLAY=$xdisplay xdotool windowsize "$win" 1280 800

ready=""
for _ in $(seq 600); do
  if grep -q ' READY=1$' "$work/notify.log" 2>/dev/null; then ready=yes; break; fi
  kill -0 "$session_pgid" 2>/dev/null || break
  sleep 0.1
done
if [ -n "$ready" ]; then
  pass "READY=1 after $(python3 -c "import time;print(round(time.time()-$t0,2))") s"
else
  fail "no READY=1 within 60 s"
  sed 's/^/  session: /' "$work/session.log" | tail -20
fi

shot() {  # shot FILE TYPE
  in_root "$root" runuser -u "$user" -- env XDG_RUNTIME_DIR=/run/pos-terminal \
    WAYLAND_DISPLAY=wayland-0 grim -t "$2" "/tmp/$(basename "$1")" 2>/dev/null &&
    cp "$root/tmp/$(basename "$1")" "$1"
}
# A grab can come back black under load, or catch a frame being drawn: retry until the picture
# is neither black nor changing.
picture=""
if [ -n "$ready" ]; then
  prev=""
  for _ in $(seq 30); do
    if shot "$work/shot.ppm" ppm; then
      sum=$(sha256sum "$work/shot.ppm" | cut -d' ' -f1)
      if python3 "$here/check_screenshot.py" "$work/shot.ppm" nonblack >/dev/null && [ "$sum" = "$prev" ]; then
        picture=yes; break
      fi
      prev=$sum
    fi
    sleep 0.3
  done
  shot "$out_png" png || true
fi
mode=ui
[ -n "$client" ] && mode=standin
if [ -n "$picture" ] && python3 "$here/check_screenshot.py" "$work/shot.ppm" "$mode"; then
  pass "screenshot of the first screen checked ($mode): $out_png"
else
  fail "screenshot of the first screen ($mode)"
  grep -v 'Basic output test failed\|drmGetDevices2' "$work/session.log" | sed 's/^/  session: /' | tail -30
fi

# The watchdog: WATCHDOG_USEC=4 s, so the UI loop must ping at least every 2 s.
sleep 5
pings=$(grep -c ' WATCHDOG=1$' "$work/notify.log" || true)
ready_pid=$(sed -n 's/ READY=1$//p' "$work/notify.log" | head -1)
if [ "${pings:-0}" -ge 3 ] && grep -q "^$ready_pid WATCHDOG=1$" "$work/notify.log"; then
  pass "watchdog: $pings WATCHDOG=1 pings since start (WATCHDOG_USEC=4 s), from the app (pid $ready_pid, cage's child)"
else
  fail "watchdog: ${pings:-0} pings"
fi

echo
echo "kiosk session: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
