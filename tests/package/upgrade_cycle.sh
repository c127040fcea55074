#!/usr/bin/env bash
# Upgrades never lose the queue (issue 13), with the real package and its maintainer scripts in
# a disposable Debian 12 root (chroot, made by mmdebstrap from the apt mirror, cached):
#
#   1. install release 1 (dpkg -i): user, data dir, conffile; seed the demo shop; take four
#      offline payments (two currencies) with the installed binary as the kiosk user;
#      an admin edits the conffile
#   2. removal while they are unsynced is refused (count named); nothing changed
#   3. install release 2 over it (one more schema migration): every payment still queued, by
#      its billingPaymentId; verify sound; the admin's edit kept
#   4. sync to billing-sim on 127.0.0.1: each payment accepted exactly once (a second sync
#      sends nothing); the queue empty
#   5. downgrade: release 1's binary refuses the newer database (exit 6), release 1's package
#      refuses to install (its preinst); the database file byte-identical before and after
#   6. remove (data and conffile kept), purge (says what it removed; data gone; user kept)
#
# Needs root, mmdebstrap, zstd, python3. Uses:
#   V1_DEB, V2_DEB   the two releases (else built here with scripts/package.sh; release 2 with
#                    -DPOS_TEST_EXTRA_MIGRATION=ON -DPOS_PACKAGE_VERSION=<version>+schematest1)
#   POS_BILLING_SIM  billing-sim (else build/debug/tests/support/billing-sim)
# Ends with "N passed, M failed"; exit 0 only when nothing failed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
source "$here/lib.sh"
need_tools mmdebstrap zstd python3 dpkg-deb

arch=$(dpkg --print-architecture)
version=$(sed -n 's/^project(pos_terminal VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
if [ -z "${V1_DEB:-}" ]; then
  say "building release 1 ($version)"
  V1_DEB=$(scripts/package.sh --build-dir "build/package-$arch" | tail -1)
fi
if [ -z "${V2_DEB:-}" ]; then
  say "building release 2 ($version+schematest1, one more migration)"
  V2_DEB=$(scripts/package.sh --build-dir build/package-upgrade-v2 -- \
    -DPOS_TEST_EXTRA_MIGRATION=ON "-DPOS_PACKAGE_VERSION=$version+schematest1" | tail -1)
fi
SIM=${POS_BILLING_SIM:-build/debug/tests/support/billing-sim}
[ -x "$SIM" ] || cmake --build build/debug --target billing-sim >/dev/null
v1=$(dpkg-deb -f "$V1_DEB" Version)
v2=$(dpkg-deb -f "$V2_DEB" Version)
echo "release 1: $V1_DEB ($v1)"
echo "release 2: $V2_DEB ($v2)"
dpkg --compare-versions "$v2" gt "$v1" || { echo "release 2 must be newer" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/pos-upgrade.XXXXXX")
root=$work/root
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

say "disposable root"
t0=$SECONDS
tar=$(base_root_tar "$arch" "$V1_DEB" "$V2_DEB")
new_root "$tar" "$root"
cp "$V1_DEB" "$root/tmp/v1.deb"
cp "$V2_DEB" "$root/tmp/v2.deb"
echo "root ready in $((SECONDS - t0)) s"

R() { in_root "$root" "$@"; }  # as root in the chroot
K() { in_root "$root" runuser -u pos-terminal -- pos-terminal --data-dir /var/lib/pos-terminal "$@"; }
DB=$root/var/lib/pos-terminal/terminal.db
status_of() { R dpkg-query -W -f='${Status} ${Version}' pos-terminal 2>/dev/null || true; }
db_sum() { sha256sum "$DB" | cut -d' ' -f1; }
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d'"$1"')'; }

# ---------------------------------------------------------------- 1. release 1
say "1. install release 1 and take offline payments"
check "dpkg -i release 1" R dpkg -i /tmp/v1.deb
check "installed: $v1" test "$(status_of)" = "install ok installed $v1"
check "system user and group pos-terminal" R sh -c 'getent passwd pos-terminal && getent group pos-terminal' >/dev/null
check "/var/lib/pos-terminal: pos-terminal 0750, not shipped" \
  test "$(R stat -c '%U:%G %a' /var/lib/pos-terminal)" = "pos-terminal:pos-terminal 750" -a \
  -z "$(dpkg-deb -c "$V1_DEB" | grep 'var/lib' || true)"
check "/etc/pos-terminal/terminal.toml is a conffile" \
  sh -c "dpkg-query --admindir='$root/var/lib/dpkg' -W -f='\${Conffiles}' pos-terminal | grep -q /etc/pos-terminal/terminal.toml"
check "udev rule installed" test -f "$root/lib/udev/rules.d/60-pos-terminal-printers.rules"
check "demo shop seeded from /usr/share/pos-terminal" K demo --seed-only

payments=()
pay() {  # pay WO AMOUNT ARGS... : one checkout as adv-anna (PIN 1111), its billingPaymentId
  local wo=$1 amount=$2; shift 2
  local out
  if out=$(printf '1111\n' | in_root "$root" runuser -u pos-terminal -- pos-terminal \
      --data-dir /var/lib/pos-terminal --json checkout --work-order "$wo" --operator adv-anna \
      --amount "$amount" "$@"); then
    local id
    id=$(printf '%s' "$out" | json_field '["billingPaymentId"]')
    payments+=("$id")
    pass "offline payment $wo $amount ($id)"
  else
    fail "offline payment $wo $amount: $out"
  fi
}
pay WO-1001 101.36 --tender CASH --tendered 120.00
pay WO-1002 489.14 --po AB-123456 --tender CARD_EXTERNAL --card-brand VISA --card-last4 4242 --approval-code A1B2C3
pay WO-1006 200.00 --tender CASH
pay WO-1007 171.84 --tender CASH
queued_ids() { K --json queue | python3 -c '
import json,sys
d=json.load(sys.stdin)
print("\n".join(i["idempotencyKey"] for i in d["items"] if i["kind"]=="payment"))'; }
all_queued() {
  local q; q=$(queued_ids)
  for p in "${payments[@]}"; do grep -qx "$p" <<<"$q" || return 1; done
}
check "all ${#payments[@]} payments queued" all_queued
sed -i 's/^id = "T-01"/id = "T-07"  # edited by the shop'"'"'s admin/' "$root/etc/pos-terminal/terminal.toml"

# ---------------------------------------------------------------- 2. refused removal
say "2. removal refused while payments are unsynced"
if out=$(R dpkg -r pos-terminal 2>&1); then
  fail "dpkg -r went ahead with unsynced payments"
else
  echo "$out" | sed -n '/NOT REMOVED/,/apt-get remove/p'
  check "refusal names the count and the way out" \
    sh -c 'echo "$1" | grep -q "NOT REMOVED. [0-9]* item(s)" && echo "$1" | grep -q "4 payment" && echo "$1" | grep -q "sync --until-empty" && echo "$1" | grep -q POS_TERMINAL_FORCE_REMOVE' sh "$out"
fi
R sh -c 'echo pos-terminal install | dpkg --set-selections'
check "still installed after the refusal" test "$(status_of)" = "install ok installed $v1"
check "every payment still queued after the refusal" all_queued

# ---------------------------------------------------------------- 3. release 2
say "3. upgrade to release 2 (one more migration)"
check "dpkg -i release 2 over release 1" R dpkg -i /tmp/v2.deb
check "installed: $v2" test "$(status_of)" = "install ok installed $v2"
check "release 2 knows a newer schema than release 1" \
  bash -c "! diff <(dpkg-deb --fsys-tarfile '$V1_DEB' | tar -xO ./usr/share/pos-terminal/schema.txt) '$root/usr/share/pos-terminal/schema.txt' >/dev/null" 
check "every payment still queued after the upgrade" all_queued
check "verify: database and ledger chain sound" K verify
check "the admin's conffile edit survived" grep -q 'T-07' "$root/etc/pos-terminal/terminal.toml"

# ---------------------------------------------------------------- 4. sync
say "4. the queue syncs to billing-sim, each payment exactly once"
token=pkg-test-$RANDOM$RANDOM
python3 "$here/sim_seed.py" "$repo/assets" "$token" >"$work/seed.json"
"$SIM" --seed "$work/seed.json" --state "$work/journal.jsonl" --port 0 --host 127.0.0.1 \
  >"$work/sim.out" 2>"$work/sim.err" &
sim_pid=$!
for _ in $(seq 100); do grep -q LISTENING "$work/sim.out" && break; sleep 0.1; done
port=$(sed -n 's/^LISTENING 127.0.0.1:\([0-9]*\)/\1/p' "$work/sim.out")
echo "billing-sim on 127.0.0.1:$port"
printf '%s\n' "$token" >"$root/etc/pos-terminal/token"
R sh -c 'chown pos-terminal:pos-terminal /etc/pos-terminal/token && chmod 0600 /etc/pos-terminal/token'
sync_args=(--backend "http://127.0.0.1:$port" --token-file /etc/pos-terminal/token)
check "sync --until-empty" K "${sync_args[@]}" sync --until-empty --timeout 60
check "queue empty" test "$(K --json queue | json_field '["depth"]')" = 0
accepted() { python3 - "$port" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/_sim/accepted", timeout=10) as r:
    data = json.load(r)
items = data if isinstance(data, list) else data.get("accepted", data.get("items", []))
for a in items:
    if a.get("kind") == "payment":
        print(a.get("idempotencyKey") or a.get("key") or a.get("billingPaymentId"))
PY
}
exactly_once() {
  local got; got=$(accepted)
  [ "$(grep -c . <<<"$got")" -eq "${#payments[@]}" ] || { echo "accepted: $got"; return 1; }
  for p in "${payments[@]}"; do [ "$(grep -cx "$p" <<<"$got")" -eq 1 ] || { echo "not once: $p"; return 1; }; done
}
check "billing-sim accepted each of the ${#payments[@]} payments exactly once" exactly_once
K "${sync_args[@]}" sync --timeout 5 >/dev/null || true
check "a second sync sends nothing more" exactly_once

# ---------------------------------------------------------------- 5. downgrade
say "5. downgrade attempt"
before=$(db_sum)
R sh -c 'rm -rf /tmp/v1x && dpkg-deb -x /tmp/v1.deb /tmp/v1x && chmod -R a+rX /tmp/v1x'
rc=0
in_root "$root" runuser -u pos-terminal -- env POS_ASSETS_DIR=/tmp/v1x/usr/share/pos-terminal \
  /tmp/v1x/usr/bin/pos-terminal --data-dir /var/lib/pos-terminal --backend none queue \
  >"$work/old.out" 2>&1 || rc=$?
sed 's/^/  release 1 says: /' "$work/old.out"
check "release 1's binary refuses the newer database (exit 6)" test "$rc" = 6
check "database byte-identical after the refused open" test "$(db_sum)" = "$before"
if out=$(R dpkg -i /tmp/v1.deb 2>&1); then
  fail "dpkg -i release 1 over release 2 went ahead"
else
  echo "$out" | sed -n '/NOT INSTALLED/,/newer one/p'
  pass "release 1's package refuses to install over the newer database"
fi
check "release 2 still installed" test "$(status_of)" = "install ok installed $v2"
check "database byte-identical after the refused downgrade" test "$(db_sum)" = "$before"

# ---------------------------------------------------------------- 6. remove, purge
say "6. remove and purge with nothing unsynced"
check "dpkg -r (queue empty) goes ahead" R dpkg -r pos-terminal
check "remove kept the data and the conffile" test -f "$DB" -a -f "$root/etc/pos-terminal/terminal.toml"
check "binary gone" test ! -e "$root/usr/bin/pos-terminal"
out=$(R dpkg -P pos-terminal 2>&1) && pass "dpkg -P goes ahead" || fail "dpkg -P: $out"
echo "$out" | grep 'pos-terminal:' || true
check "purge said where the data was and what it removed" \
  sh -c 'echo "$1" | grep -q "data was in /var/lib/pos-terminal" && echo "$1" | grep -q terminal.db && echo "$1" | grep -q "removed /var/lib/pos-terminal"' sh "$out"
check "data and configuration gone" test ! -e "$root/var/lib/pos-terminal" -a ! -e "$root/etc/pos-terminal"
check "package gone" test -z "$(status_of | grep installed || true)"

echo
echo "upgrade cycle: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
