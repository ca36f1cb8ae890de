# Shared by the e2e tests: a lab of their own, rackbootd in it, cleanup on
# any exit.  Sourced; expects RB_BUILD (the meson build dir) and RB_SRC.
set -euo pipefail

SKIP=77
RB_BUILD=${RB_BUILD:?RB_BUILD not set}
RB_SRC=${RB_SRC:?RB_SRC not set}
RBD=$RB_BUILD/control/rackbootd
RBCTL=$RB_BUILD/control/rackbootctl
LAB=$RB_SRC/scripts/lab

if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root for network namespaces"
	exit $SKIP
fi

# A lab id per test (and per build dir, so two builds' runs never meet).
lab_id() {
	local base=$1 off=0
	case $RB_BUILD in *san*) off=100 ;; esac
	echo $((base + off))
}

WORK=$(mktemp -d /tmp/rbe2e.XXXXXX)
RBD_PID=
BG_PIDS=()
LAB_UP_ID=
# commands a test adds to run at exit, before the lab goes
CLEANUP_HOOKS=()

cleanup() {
	local rc=$?
	local p h
	for h in "${CLEANUP_HOOKS[@]}"; do eval "$h" || true; done
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	if [ -n "$RBD_PID" ] && kill -0 "$RBD_PID" 2>/dev/null; then
		kill "$RBD_PID" 2>/dev/null || true
		wait "$RBD_PID" 2>/dev/null || true
	fi
	[ -n "$LAB_UP_ID" ] && "$LAB" down --id "$LAB_UP_ID"
	if [ $rc != 0 ] && [ -f "$WORK/rackbootd.log" ]; then
		echo "--- rackbootd log"; tail -30 "$WORK/rackbootd.log"
	fi
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

lab_up() {
	LAB_UP_ID=$1; shift
	eval "$("$LAB" up --id "$LAB_UP_ID" "$@")"
}

in_srv() { ip netns exec "$LAB_SRV" "$@"; }
in_client() { local n=$1; shift; ip netns exec "rb$LAB_ID-c$n" "$@"; }

SOCK=
# Start rackbootd in the server namespace; wait until it answers.
rbd_start() {
	SOCK=$WORK/rackbootd.sock
	mkdir -p "$WORK/root"
	# ip netns exec execs rackbootd in place: $! is rackbootd itself
	ip netns exec "$LAB_SRV" "$RBD" --root "$WORK/root" --control "$SOCK" \
		--lease-file "$WORK/leases" "$@" >>"$WORK/rackbootd.log" 2>&1 &
	RBD_PID=$!
	local i
	for i in $(seq 100); do
		if "$RBCTL" --socket "$SOCK" status >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$RBD_PID" 2>/dev/null || fail "rackbootd exited at start"
		sleep 0.1
	done
	fail "rackbootd did not answer on $SOCK within 10 s"
}

# Stop rackbootd with a signal; its exit status goes to RBD_RC.
# (Not in a $(...): only this shell can wait for its child.)
RBD_RC=
rbd_stop() {
	local sig=${1:-TERM}
	RBD_RC=0
	kill -"$sig" "$RBD_PID"
	wait "$RBD_PID" || RBD_RC=$?
	RBD_PID=
}

ctl() { "$RBCTL" --socket "$SOCK" "$@"; }

# A plain HTTP server of the server namespace's kernel (not rackbootd) on
# $LAB_SRV_IP:8080, serving $WORK/root: proves the kernel keeps TCP.
kernel_http_start() {
	ip netns exec "$LAB_SRV" python3 -m http.server --bind "$LAB_SRV_IP" 8080 \
		--directory "$WORK/root" >"$WORK/http.log" 2>&1 &
	BG_PIDS+=("$!")
	local i
	for i in $(seq 50); do
		in_srv bash -c "exec 3<>/dev/tcp/$LAB_SRV_IP/8080" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "the kernel's HTTP server did not start: $(cat "$WORK/http.log")"
}

# One counter's value from rackbootctl stats.
counter() { ctl stats | awk -v k="$1" '$1 == k { print $2 }'; }

# Three datagrams from client 1 to each port given, on the server.
send_udp() {
	local port
	for port in "$@"; do
		in_client 1 bash -c "for i in 1 2 3; do echo probe > /dev/udp/$LAB_SRV_IP/$port; done"
	done
}

# Send to PORT until the capture FILE (one port number a line) has at least
# N lines for it, at most 10 s: proves a capture is live before a test
# relies on what it did not see.
until_seen() {
	local file=$1 port=$2 n=$3 i
	for i in $(seq 20); do
		[ "$(grep -cx "$port" "$file")" -ge "$n" ] && return 0
		send_udp "$port"
		sleep 0.5
	done
	return 1
}

# UDP datagrams that reached one of rackbootd's ports (with a handler or not).
served_udp() { echo $(( $(counter udp_delivered) + $(counter drop.udp_no_handler) )); }

# A TFTP storm: N curl fetches of NAME at once from client 1 (blksize
# 1468, at most SECONDS each) into $WORK/got/PREFIX<i>; PIDs in STORM_PIDS.
tftp_storm_start() {
	local n=$1 name=$2 prefix=$3 secs=$4 i
	STORM_PIDS=()
	for i in $(seq "$n"); do
		in_client 1 curl -s --max-time "$secs" --tftp-blksize 1468 \
			-o "$WORK/got/$prefix$i" "tftp://$LAB_SRV_IP/$name" &
		STORM_PIDS+=("$!")
	done
}

# Wait for the storm: STORM_EXITS curls failed, STORM_BAD of the N copies
# in $WORK/got/PREFIX<i> differ from FILE.
tftp_storm_wait() {
	local n=$1 file=$2 prefix=$3 i p want
	want=$(sha256sum "$file" | cut -d' ' -f1)
	STORM_EXITS=0
	STORM_BAD=0
	for p in "${STORM_PIDS[@]}"; do wait "$p" || STORM_EXITS=$((STORM_EXITS + 1)); done
	for i in $(seq "$n"); do
		[ "$(sha256sum "$WORK/got/$prefix$i" 2>/dev/null | cut -d' ' -f1)" = "$want" ] ||
			STORM_BAD=$((STORM_BAD + 1))
	done
}

# One status field.
status_field() { ctl status | awk -v k="$1" '$1 == k { print $2 }'; }
