#!/usr/bin/env bash
# af_packet NIC sharing: while rackbootd runs, the kernel sends no ICMP port
# unreachable for the UDP ports rackbootd serves (67, 4011, 69, the TFTP
# transfer range).  Two control captures prove the check can fail: without
# rackbootd the kernel does answer port 69, and with it, a port rackbootd
# does not serve still gets its unreachable.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 12)" --clients 1
# The kernel rate-limits ICMP errors per peer (a burst of a few, then one a
# second): off in this namespace, so every leaked unreachable is seen.
in_srv sysctl -qw net.ipv4.icmp_ratelimit=0
in_srv sysctl -qw net.ipv4.icmp_msgs_per_sec=100000 2>/dev/null || true
OUR_PORTS="67 4011 69 61000 61031 61063"

# Capture ICMP port unreachable leaving the server; print the UDP port each
# one is about.  Waits until tshark is really capturing.
capture_start() {
	local out=$1
	ip netns exec "$LAB_SRV" tshark -n -l -i "$LAB_SRV_IF" \
		-f "icmp and icmp[0] = 3 and icmp[1] = 3" -a duration:30 \
		-T fields -e udp.dstport >"$out" 2>"$out.err" &
	CAP_PID=$!
	BG_PIDS+=("$CAP_PID")
	local i
	for i in $(seq 100); do
		grep -q "Capturing on" "$out.err" 2>/dev/null && return 0
		sleep 0.1
	done
	fail "tshark did not start: $(cat "$out.err")"
}

capture_stop() {
	sleep 1 # let the last ICMP leave
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
}

# 1. No rackbootd: the kernel answers port 69 with port unreachable.
capture_start "$WORK/cap0"
until_seen "$WORK/cap0" 69 1 || fail "control capture saw no unreachable for port 69: $(cat "$WORK/cap0")"
capture_stop
pass "without rackbootd the kernel answers port 69 with ICMP port unreachable"

# 2. rackbootd running: silence for our ports, unreachable for port 9999.
rbd_start --port "$LAB_SRV_IF"
capture_start "$WORK/cap1"
until_seen "$WORK/cap1" 9999 1 || fail "capture saw no unreachable for port 9999: $(cat "$WORK/cap1")"
# shellcheck disable=SC2086
send_udp $OUR_PORTS
# a last probe behind ours: once its unreachable is in, ours would be too
before=$(grep -cx 9999 "$WORK/cap1")
until_seen "$WORK/cap1" 9999 $((before + 1)) || fail "capture stalled"
capture_stop
for p in $OUR_PORTS; do
	if grep -qx "$p" "$WORK/cap1"; then
		fail "ICMP port unreachable left for port $p"
	fi
done
# rackbootd itself saw every datagram to its ports
got=$(served_udp)
[ "$got" -ge 18 ] || fail "rackbootd counted $got datagrams to its ports, want >= 18"
pass "rackbootd running: no ICMP port unreachable for $OUR_PORTS (port 9999 still gets one)"
