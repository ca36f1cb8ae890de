#!/usr/bin/env bash
# af_packet NIC sharing: while rackbootd runs, the kernel sends no ICMP port
# unreachable for the UDP ports rackbootd serves (67, 4011, 69, the TFTP
# transfer range).  Two control captures prove the check can fail: without
# rackbootd the kernel does answer port 69, and with it, a port rackbootd
# does not serve still gets its unreachable.  The UDP rackbootd serves is
# dropped at the ingress hook, unseen by the kernel's UDP, and the filter
# goes with rackbootd when it is killed.
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

# 3. The kernel's share: our UDP is dropped at the interface's ingress hook
# once the PMD has its copy (a tcx link, rackboot/tcfilter.h), so the
# kernel's UDP layer never sees it.  Without the filter every datagram
# reaches a held socket and counts in Udp InErrors.
udp_seen() { in_srv awk '/^Udp:/ { getline; print $2 + $3 + $4; exit }' /proc/net/snmp; }
if grep -q "kernel_filter: on" "$WORK/rackbootd.log"; then
	u0=$(udp_seen) s0=$(served_udp)
	# shellcheck disable=SC2086
	send_udp $OUR_PORTS
	for _ in $(seq 50); do [ "$(served_udp)" -ge $((s0 + 18)) ] && break; sleep 0.1; done
	[ "$(served_udp)" -ge $((s0 + 18)) ] || fail "rackbootd counted $(( $(served_udp) - s0 )) datagrams, want 18"
	[ "$(udp_seen)" = "$u0" ] || fail "the kernel's UDP saw $(( $(udp_seen) - u0 )) of our datagrams"
	pass "the kernel's UDP saw none of 18 datagrams rackbootd served (dropped at ingress)"
	# killed, rackbootd takes the filter with it: port 69 is the
	# kernel's again and gets its unreachable
	rbd_stop KILL
	capture_start "$WORK/cap2"
	until_seen "$WORK/cap2" 69 1 || fail "after SIGKILL port 69 is still filtered: $(cat "$WORK/cap2")"
	capture_stop
	pass "SIGKILL of rackbootd: the ingress filter went with it"
else
	grep -q "kernel_filter: off.*tcx needs Linux 6.6" "$WORK/rackbootd.log" ||
		fail "no ingress filter: $(grep kernel_filter "$WORK/rackbootd.log")"
	echo "note: this kernel has no tcx: $(grep kernel_filter "$WORK/rackbootd.log")"
fi

# 4. A full ring is counted: with rackbootd stopped (SIGSTOP) the kernel
# fills its 256-frame ring and drops the rest, which drop.port_missed
# reports once it runs again (the af_packet PMD counts none itself).
[ -n "$RBD_PID" ] && rbd_stop
rbd_start --port "$LAB_SRV_IF" --port-frames 256
grep -q "rings of 256 frames" "$WORK/rackbootd.log" || fail "--port-frames 256: not in the start line"
s0=$(served_udp) m0=$(counter drop.port_missed)
kill -STOP "$RBD_PID"
in_client 1 python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(1000):
    s.sendto(b'probe', ('$LAB_SRV_IP', 69))"
kill -CONT "$RBD_PID"
for _ in $(seq 50); do [ $(( $(served_udp) - s0 + $(counter drop.port_missed) - m0 )) -ge 1000 ] && break; sleep 0.1; done
served=$(( $(served_udp) - s0 )) missed=$(( $(counter drop.port_missed) - m0 ))
[ "$served" -le 256 ] || fail "a 256-frame ring delivered $served of 1,000 datagrams sent while stopped"
[ "$missed" -ge $((1000 - 256)) ] && [ $((served + missed)) -ge 1000 ] ||
	fail "1,000 datagrams into a 256-frame ring: $served served, $missed counted missed"
metrics=$(in_srv curl -s http://127.0.0.1:9180/metrics)
grep -q "^rackboot_dataplane_total{counter=\"drop.port_missed\"} $((m0 + missed))\$" <<<"$metrics" ||
	fail "/metrics: drop.port_missed not $((m0 + missed))"
pass "1,000 datagrams while stopped into a 256-frame ring: $served served, $missed counted in drop.port_missed"
