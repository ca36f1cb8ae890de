#!/usr/bin/env bash
# rackbootd's life: bad options and config files refused with file, line
# and reason (exit 2, nothing started); --help and the man page agree;
# JSON logs; an owner-only control socket; SIGHUP and rackbootctl reload,
# a bad reload keeping the running config; SIGTERM and SIGINT stopping
# cleanly with nothing left behind; a second instance refused.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 13)" --clients 0
mkdir -p "$WORK/root"

# --- refused before anything starts
expect_exit2() {
	local want=$1; shift
	local rc=0 out pid
	# run in the background to learn its pid, and so its EAL file prefix
	ip netns exec "$LAB_SRV" "$RBD" --control "$WORK/rackbootd.sock" \
		--lease-file "$WORK/leases" "$@" \
		>"$WORK/refused.out" 2>&1 &
	pid=$!
	wait "$pid" || rc=$?
	out=$(cat "$WORK/refused.out")
	[ "$rc" = 2 ] || fail "rackbootd $* exited $rc, want 2 ($out)"
	[ "$(echo "$out" | wc -l)" = 1 ] || fail "want one error line, got: $out"
	[ ! -e "/var/run/dpdk/rackboot-$pid" ] || fail "a refused start left EAL files"
	echo "$out" | grep -qF "$want" || fail "error '$out' lacks '$want'"
}
printf 'port = %s\nroot = %s\n# comment\nfrobnicate = 3\n' "$LAB_SRV_IF" "$WORK/root" >"$WORK/bad.conf"
expect_exit2 "rackbootd: $WORK/bad.conf:4: unknown option 'frobnicate'" --config "$WORK/bad.conf"
printf 'port = %s\nidle-sleep = soon\n' "$LAB_SRV_IF" >"$WORK/bad2.conf"
expect_exit2 "$WORK/bad2.conf:2: 'idle-sleep': 'soon' is not a number" --config "$WORK/bad2.conf"
expect_exit2 "option '--port' needs IFACE|DEVICE" --port
expect_exit2 "unknown option '--prot'" --prot rbsrv0
expect_exit2 "interface 'rbnope0' has no IPv4 address" --port rbnope0 --root "$WORK/root"
expect_exit2 "root '/nonexistent' is not a directory" --port "$LAB_SRV_IF" --root /nonexistent
[ ! -e "$WORK/rackbootd.sock" ] || fail "a refused start left a control socket"
pass "bad options and config lines: one error naming file:line and reason, exit 2, nothing started"

# --- --help and the man page document the same options
opts=$("$RBD" --help | grep -oE '^  --[a-z-]+' | sed 's/^  //')
[ "$(echo "$opts" | wc -l)" -ge 15 ] || fail "--help lists too few options: $opts"
for o in $opts; do
	grep -qF -- "$(echo "$o" | sed 's/-/\\-/g')" "$RB_SRC/docs/rackbootd.8" ||
		fail "man page does not document $o"
done
pass "every --help option ($(echo "$opts" | wc -l)) is in rackbootd.8"

# --- a running daemon from a config file, logging JSON
cat >"$WORK/good.conf" <<CONF
port = $LAB_SRV_IF
root = $WORK/root
lease-file = $WORK/leases
log-json
idle-sleep = 100
CONF
rbd_start --config "$WORK/good.conf"
[ "$(stat -c %a "$SOCK")" = 600 ] || fail "control socket mode $(stat -c %a "$SOCK"), want 600"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$RBCTL" --socket "$SOCK" status 2>&1) &&
	fail "another user reached the control socket: $out"
echo "$out" | grep -q "Permission denied" || fail "unexpected refusal: $out"
pass "control socket is 0600 and refuses another user"
[ "$(status_field generation)" = 0 ] || fail "generation not 0"

# SIGHUP with a good change
sed -i 's/idle-sleep = 100/idle-sleep = 200/' "$WORK/good.conf"
kill -HUP "$RBD_PID"
for _ in $(seq 50); do [ "$(status_field generation)" = 1 ] && break; sleep 0.1; done
[ "$(status_field generation)" = 1 ] || fail "SIGHUP did not reload"
# SIGHUP with a bad file: refused with file:line, generation stays
echo "bogus-option = 1" >>"$WORK/good.conf"
kill -HUP "$RBD_PID"
for _ in $(seq 50); do grep -q reload_failed "$WORK/rackbootd.log" && break; sleep 0.1; done
grep reload_failed "$WORK/rackbootd.log" | grep -qF "good.conf:6: unknown option 'bogus-option'" ||
	fail "bad reload not reported with file:line: $(grep reload "$WORK/rackbootd.log")"
[ "$(status_field generation)" = 1 ] || fail "a bad reload changed the generation"
# rackbootctl reload, with an option that needs a restart
sed -i '$d' "$WORK/good.conf"
echo "tftp-ports = 62000-62010" >>"$WORK/good.conf"
out=$(ctl reload)
echo "$out" | grep -q "generation *2" || fail "rackbootctl reload: $out"
echo "$out" | grep -q "restart_needed *tftp-ports" || fail "restart not flagged: $out"
pass "SIGHUP and rackbootctl reload re-read the file; a bad file keeps the running config"

# every log line is one JSON object with ts, level, event, msg
python3 - "$WORK/rackbootd.log" <<'PY' || fail "log lines are not JSON objects"
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert set(o) == {"ts", "level", "event", "msg"}, o
    n += 1
assert n >= 4, n
PY
pass "--log-json: every line is a JSON object"

# a second rackbootd on the same socket is refused while the first runs
rc=0
out=$(in_srv "$RBD" --port "$LAB_SRV_IF" --root "$WORK/root" --control "$SOCK" \
	--lease-file "$WORK/leases2" 2>&1) || rc=$?
[ "$rc" = 1 ] || fail "second instance exited $rc: $out"
echo "$out" | grep -q "another rackbootd is running" || fail "second instance: $out"
ctl status >/dev/null || fail "the first instance stopped answering"
pass "a second instance on the same socket is refused"

# --- clean stops
pid=$RBD_PID
rbd_stop TERM
[ "$RBD_RC" = 0 ] || fail "SIGTERM: exit status $RBD_RC"
[ ! -e "$SOCK" ] || fail "SIGTERM left the control socket"
[ ! -e "/var/run/dpdk/rackboot-$pid" ] || fail "SIGTERM left /var/run/dpdk/rackboot-$pid"
grep -q '"event":"stopped"' "$WORK/rackbootd.log" || fail "no stopped event logged"
rbd_start --port "$LAB_SRV_IF"
pid=$RBD_PID
rbd_stop INT
[ "$RBD_RC" = 0 ] || fail "SIGINT: exit status $RBD_RC"
[ ! -e "$SOCK" ] || fail "SIGINT left the control socket"
[ ! -e "/var/run/dpdk/rackboot-$pid" ] || fail "SIGINT left EAL files"
pass "SIGTERM and SIGINT stop with status 0, no socket or EAL files left"
