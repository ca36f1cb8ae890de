#!/usr/bin/env bash
# SIGKILL under load loses no acknowledged lease: perfdhcp binds clients
# through a relay while tshark records every DHCPACK on the wire; rackbootd
# is killed with SIGKILL mid-run and restarted on the same lease file.
# Every (address, MAC) acknowledged must be a lease afterwards, no address
# twice, and a new wave of clients gets none of the acknowledged addresses.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 19)" --clients 1
RELAY_IP=10.99.240.1
in_client 1 ip addr add "$RELAY_IP/20" dev "$LAB_CLIENT_IF"
args=(--port "$LAB_SRV_IF" --dhcp-range "10.99.240.10,10.99.255.250,255.255.240.0,1h")

capture() { # FILE: record DHCP from the server until stopped
	ip netns exec "rb$LAB_ID-c1" tshark -n -i "$LAB_CLIENT_IF" \
		-f "udp and src host $LAB_SRV_IP" -w "$1" 2>"$1.err" &
	CAP=$!
	BG_PIDS+=("$CAP")
	for _ in $(seq 100); do grep -q "Capturing on" "$1.err" && return; sleep 0.1; done
	fail "tshark: $(cat "$1.err")"
}
acks() { # FILE: "address mac" of each DHCPACK
	tshark -n -r "$1" -Y "dhcp.option.dhcp == 5" -T fields -E separator=/s \
		-e dhcp.ip.your -e dhcp.hw.mac_addr 2>/dev/null | sort -u
}

rbd_start "${args[@]}"
capture "$WORK/run1.pcap"
ip netns exec "rb$LAB_ID-c1" timeout 30 perfdhcp -4 -l "$RELAY_IP" -R 3000 \
	-n 3000 -r 800 -p 10 "$LAB_SRV_IP" >"$WORK/perf1.log" 2>&1 &
perf=$!
BG_PIDS+=("$perf")
# kill it once a good number of leases were acknowledged
for _ in $(seq 100); do
	[ "$(counter dhcp_acks_durable)" -ge 600 ] && break
	sleep 0.05
done
pid=$RBD_PID
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
RBD_PID=
rm -rf "/var/run/dpdk/rackboot-$pid" # EAL's empty run dir outlives SIGKILL
sleep 1
kill -INT "$CAP"; wait "$CAP" 2>/dev/null || true
kill "$perf" 2>/dev/null; wait "$perf" 2>/dev/null || true
acks "$WORK/run1.pcap" >"$WORK/acked"
n=$(wc -l <"$WORK/acked")
[ "$n" -ge 300 ] || fail "only $n ACKs before the kill: the test proves little"

rbd_start "${args[@]}"
ctl leases | awk 'NR > 1 {print $1, $2}' | sort -u >"$WORK/leases"
missing=$(comm -23 "$WORK/acked" "$WORK/leases" | wc -l)
[ "$missing" = 0 ] || fail "$missing of $n acknowledged leases lost: $(comm -23 "$WORK/acked" "$WORK/leases" | head -5)"
[ "$(awk '{print $1}' "$WORK/leases" | sort | uniq -d | wc -l)" = 0 ] || fail "an address leased twice"
pass "SIGKILL mid-run: all $n acknowledged leases back after restart ($(wc -l <"$WORK/leases") on disk)"

# new clients after the restart never get an acknowledged address
capture "$WORK/run2.pcap"
ip netns exec "rb$LAB_ID-c1" timeout 30 perfdhcp -4 -l "$RELAY_IP" -R 500 \
	-n 500 -r 500 -p 5 -W 1000000 -b mac=00:0c:aa:00:00:00 "$LAB_SRV_IP" \
	>"$WORK/perf2.log" 2>&1 || fail "perfdhcp after restart: $(tail -20 "$WORK/perf2.log")"
kill -INT "$CAP"; wait "$CAP" 2>/dev/null || true
acks "$WORK/run2.pcap" >"$WORK/acked2"
[ "$(wc -l <"$WORK/acked2")" -ge 450 ] || fail "after restart only $(wc -l <"$WORK/acked2") ACKs"
clash=$(join <(awk '{print $1}' "$WORK/acked" | sort) <(awk '{print $1}' "$WORK/acked2" | sort) | wc -l)
[ "$clash" = 0 ] || fail "$clash addresses acknowledged before the crash were given to new clients"
pass "after restart: $(wc -l <"$WORK/acked2") new clients, none given an address acknowledged before"
