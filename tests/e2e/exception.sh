#!/usr/bin/env bash
# The exception path for a port the kernel does not see (a PCI NIC bound to
# vfio-pci): frames rackbootd does not serve go to a kernel tap that carries
# the node's address, and what the kernel sends there goes out of the boot
# port.  Emulated as far as this machine allows: the boot port is an
# af_packet device string on a veth whose frames the kernel ignores, as it
# would a vfio-bound NIC's: no address, no ARP answers, no IPv6, and strict
# reverse-path filtering (the route back to the clients is the tap, so IPv4
# arriving on the veth is dropped).  This kernel has no tc classifiers to
# drop at ingress instead.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 14)" --clients 1
in_srv ip addr flush dev "$LAB_SRV_IF"
in_srv sysctl -qw net.ipv4.conf.all.rp_filter=1 \
	"net.ipv4.conf.$LAB_SRV_IF.rp_filter=1" \
	"net.ipv4.conf.$LAB_SRV_IF.arp_ignore=8" \
	"net.ipv6.conf.$LAB_SRV_IF.disable_ipv6=1"

rbd_start --port "net_af_packet0,iface=$LAB_SRV_IF" \
	--address "$LAB_SRV_IP/24" --exception-tap rbexc0
[ "$(status_field arp_icmp_answered_by)" = "exception" ] ||
	fail "ARP/ping not left to the exception tap: $(status_field arp_icmp_answered_by)"
in_srv ip -4 addr show dev rbexc0 | grep -q "inet $LAB_SRV_IP/24" ||
	fail "rbexc0 lacks $LAB_SRV_IP/24: $(in_srv ip addr show dev rbexc0)"

# The node's kernel serves TCP on the tap's address (HTTP lives here).
echo "hello through the exception tap" >"$WORK/root/hello.txt"
kernel_http_start
out=$(in_client 1 curl -sS --max-time 10 "http://$LAB_SRV_IP:8080/hello.txt") ||
	fail "curl through the exception tap: $out"
[ "$out" = "hello through the exception tap" ] || fail "curl got: $out"
pass "TCP (HTTP) from a client reaches the node's kernel through the tap"

out=$(in_client 1 ping -c 3 -i 0.2 -W 2 "$LAB_SRV_IP") || fail "ping: $out"
echo "$out" | grep -q " 3 received" || fail "ping: $out"
echo "$out" | grep -q "DUP!" && fail "duplicate ping replies: $out"
[ "$(counter icmp_echo_replies)" = 0 ] || fail "rackbootd answered ping itself"
[ "$(counter to_exception)" -ge 3 ] || fail "to_exception $(counter to_exception)"
[ "$(counter from_exception)" -ge 3 ] || fail "from_exception $(counter from_exception)"
pass "ping and ARP answered by the node's kernel via the tap, once each"

# rackbootd's own UDP ports are not handed to the kernel; other ports are.
ip netns exec "$LAB_SRV" tshark -n -l -i rbexc0 -f udp -a duration:20 \
	-T fields -e udp.dstport >"$WORK/tap.cap" 2>"$WORK/tap.err" &
cap=$!
BG_PIDS+=("$cap")
for _ in $(seq 100); do grep -q "Capturing on" "$WORK/tap.err" && break; sleep 0.1; done
grep -q "Capturing on" "$WORK/tap.err" || fail "tshark: $(cat "$WORK/tap.err")"
until_seen "$WORK/tap.cap" 9999 1 || fail "UDP to port 9999 did not reach the kernel: $(cat "$WORK/tap.cap")"
served=$(served_udp)
in_client 1 bash -c "echo rrq > /dev/udp/$LAB_SRV_IP/69"
before=$(grep -cx 9999 "$WORK/tap.cap")
until_seen "$WORK/tap.cap" 9999 $((before + 1)) || fail "tap capture stalled"
kill -INT "$cap"; wait "$cap" 2>/dev/null || true
grep -qx 69 "$WORK/tap.cap" && fail "UDP to port 69 leaked to the kernel"
[ "$(served_udp)" = $((served + 1)) ] || fail "port 69 datagram not taken by rackbootd"
pass "UDP to rackbootd's ports stays in the dataplane; port 9999 goes to the kernel"
