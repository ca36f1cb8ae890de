#!/usr/bin/env bash
# A DISCOVER flood from random MACs cannot take the pool: perfdhcp floods
# one relay's DISCOVERs (never requesting) while a second relay in the
# same subnet brings real clients.  Without an offer limit the flood holds
# every address and the real clients get none (the control); with the
# default limit (three quarters of the pool per relay or port) the flood
# holds at most that, each DISCOVER past it is counted and dropped, the real clients all
# get leases, and the flood's offers are gone soon after it stops, so its
# relay serves again.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 23)" --clients 2
RELAY_A=10.99.240.1 RELAY_B=10.99.240.2
in_client 1 ip addr add "$RELAY_A/24" dev "$LAB_CLIENT_IF"
in_client 2 ip addr add "$RELAY_B/24" dev "$LAB_CLIENT_IF"
POOL=(--dhcp-range "10.99.240.10,10.99.240.209,255.255.255.0,1h") # 200

# the flood from relay A: 4,000 DISCOVERs a second from random MACs, none
# followed by a REQUEST, for up to 15 s, in the background
flood_start() {
	ip netns exec "rb$LAB_ID-c1" timeout 20 perfdhcp -4 -l "$RELAY_A" -i -R 1000000 \
		-n 60000 -r 4000 -p 15 "$LAB_SRV_IP" >"$WORK/flood.log" 2>&1 &
	FLOOD=$!
	BG_PIDS+=("$FLOOD")
	# under way once the pool or the limit turns DISCOVERs away
	for _ in $(seq 100); do
		[ "$(( $(counter drop.dhcp_offer_limit) + $(counter drop.dhcp_pool_exhausted) ))" -ge 1000 ] && return
		sleep 0.05
	done
	fail "the flood did not start: $(cat "$WORK/flood.log")"
}
flood_stop() { kill "$FLOOD" 2>/dev/null || true; wait "$FLOOD" 2>/dev/null || true; }
# N four-way clients through relay $1 (MACs of their own, not the
# flood's: perfdhcp draws random MACs from one base): prints how many of
# that relay's machines hold a lease on disk (perfdhcp's threads may start
# an exchange or two past -n, so its ACK count can pass N)
clients() {
	local relay=$1 n=$2 c=1 base=02:aa:00:00:00:00 out
	[ "$relay" = "$RELAY_B" ] && c=2 base=02:bb:00:00:00:00
	out=$(in_client "$c" timeout 60 perfdhcp -4 -l "$relay" -b "mac=$base" -R "$n" \
		-n "$n" -r 50 -p 10 -W 2000000 "$LAB_SRV_IP" 2>&1) || true
	echo "$out" >>"$WORK/clients.log"
	ctl leases | awk -v p="${base:0:5}" 'index($2, p) == 1 && $3 == "bound" {print $2}' |
		sort -u | wc -l
}
offered() { status_field leases_offered; }

# --- the control: no limit, offers held 10 s
rbd_start --port "$LAB_SRV_IF" "${POOL[@]}" --dhcp-offer-limit off
flood_start
[ "$(offered)" = 200 ] || fail "no limit: the flood holds $(offered) offers, not the whole pool"
got=$(clients "$RELAY_B" 20)
flood_stop
[ "$got" -lt 20 ] || fail "no limit: the flood did not starve relay B ($got of 20 bound): the test proves nothing"
pass "control, no offer limit: a flood of DISCOVERs from random MACs holds all 200 addresses; relay B's 20 clients: $got bound"
rbd_stop
rm -f "$WORK/leases"

# --- the default limit (3/4 of the pool per relay or port), offers held 3 s
rbd_start --port "$LAB_SRV_IF" "${POOL[@]}" --dhcp-offer-time 3
flood_start
held=$(offered)
[ "$held" -le 150 ] || fail "the flood holds $held offers; the limit is 150"
got=$(clients "$RELAY_B" 20)
held2=$(offered)
flood_stop
limited=$(counter drop.dhcp_offer_limit)
[ "$(counter drop.dhcp_pool_exhausted)" = 0 ] || fail "the pool ran out: $(counter drop.dhcp_pool_exhausted) DISCOVERs found no address"
[ "$got" = 20 ] || fail "relay B's clients got $got of 20 leases during the flood"
[ "$held2" -le 150 ] || fail "the flood held $held2 offers after relay B's clients"
pass "limit: during the flood, offers held $held then $held2 (limit 150 of 200), $limited DISCOVERs past it dropped and counted; relay B's 20 clients all bound"
in_srv curl -sf "http://127.0.0.1:9180/metrics" >"$WORK/metrics" || fail "no /metrics"
grep -q "^rackboot_dataplane_total{counter=\"drop.dhcp_offer_limit\"} $limited\$" "$WORK/metrics" ||
	fail "/metrics does not count the limited DISCOVERs: $(grep offer_limit "$WORK/metrics")"
grep -q "^rackboot_leases_offered [0-9]" "$WORK/metrics" || fail "/metrics has no rackboot_leases_offered"

# the flood's offers expire (3 s) and are swept; relay A serves again
for _ in $(seq 60); do [ "$(offered)" = 0 ] && break; sleep 0.1; done
[ "$(offered)" = 0 ] || fail "$(offered) offers still held 6 s after the flood"
got=$(clients "$RELAY_A" 20)
if [ "$got" != 20 ]; then
	# perfdhcp never sends again what was lost, as a real client does (one
	# of 20 went missing once in CI, under ASan beside another test): the
	# same 20 clients once more; a pool still held would fail them again
	echo "note: relay A's clients got $got of 20 leases; the same 20 once more"
	got=$(clients "$RELAY_A" 20)
fi
[ "$got" = 20 ] || fail "relay A's clients got $got of 20 leases after the flood"
[ "$(status_field leases_bound)" = 40 ] || fail "$(status_field leases_bound) leases bound, want 40"
pass "the flood's offers were gone within 6 s of it stopping; relay A's next 20 clients all bound (40 leases)"
