#!/usr/bin/env bash
# af_xdp NIC sharing: rackboot's XDP program hands rackbootd exactly the UDP
# datagrams to its ports and passes everything else to the kernel, which
# keeps ping, ARP and TCP (the HTTP path) on its address; TFTP transfers
# complete through it.  For an address
# the kernel does not own, ARP and ping go to rackbootd, which answers.
# The program is detached when rackbootd stops.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 15)" --clients 1
xdp_attached() { in_srv ip link show dev "$LAB_SRV_IF" | grep -q "prog/xdp"; }

mkdir -p "$WORK/root"
head -c 300000 /dev/urandom >"$WORK/root/f300k" # for TFTP, below
rbd_start --port "$LAB_SRV_IF" --port-driver af_xdp
xdp_attached || fail "no XDP program on $LAB_SRV_IF"
in_srv ip link show dev "$LAB_SRV_IF" | grep -q "name rb_xdp" || fail "the XDP program is not rb_xdp"
[ "$(status_field arp_icmp_answered_by)" = kernel ] || fail "responder not kernel"

# the kernel keeps ping and TCP on its own address
out=$(in_client 1 ping -c 3 -i 0.2 -W 2 "$LAB_SRV_IP") || fail "ping: $out"
echo "$out" | grep -q " 3 received" || fail "ping: $out"
echo "$out" | grep -q "DUP!" && fail "duplicate replies: $out"
echo "kernel http" >"$WORK/root/k.txt"
kernel_http_start
[ "$(in_client 1 curl -sS --max-time 10 "http://$LAB_SRV_IP:8080/k.txt")" = "kernel http" ] ||
	fail "TCP to the kernel's address did not work beside af_xdp"
pass "kernel keeps ping and TCP on $LAB_SRV_IP beside the af_xdp port"

# exactly our UDP ports reach rackbootd
rx0=$(counter rx_frames)
in_client 1 bash -c "for p in 67 4011 69 61000 61063 9999 5353 68; do echo x > /dev/udp/$LAB_SRV_IP/\$p; done"
sleep 0.5
[ "$(served_udp)" = 5 ] || fail "rackbootd got $(served_udp) datagrams to its ports, want 5"
[ $(( $(counter rx_frames) - rx0 )) = 5 ] || fail "rackbootd received $(( $(counter rx_frames) - rx0 )) frames, want exactly 5"
[ "$(counter icmp_echo_replies)" = 0 ] || fail "rackbootd answered a kernel-owned ping"
pass "the XDP program hands rackbootd exactly the 5 datagrams to its ports"

# TFTP through the XDP socket: DATA frames are a header chained to the
# cached file, which DPDK 22.11's af_xdp cannot send (it sent the first
# segment's bytes only, and no transfer ever completed): copied instead
sum=$(sha256sum <"$WORK/root/f300k")
(cd "$WORK" && in_client 1 timeout 60 tftp -m binary "$LAB_SRV_IP" -c get f300k got.hpa) ||
	fail "tftp-hpa over af_xdp"
in_client 1 timeout 60 curl -sS --tftp-blksize 1468 -o "$WORK/got.curl" "tftp://$LAB_SRV_IP/f300k" ||
	fail "curl tftp:// over af_xdp"
[ "$(sha256sum <"$WORK/got.hpa")" = "$sum" ] || fail "tftp-hpa over af_xdp: copy differs"
[ "$(sha256sum <"$WORK/got.curl")" = "$sum" ] || fail "curl over af_xdp: copy differs"
pass "TFTP over af_xdp: tftp-hpa (blksize 512) and curl (1468) byte-identical"

rbd_stop TERM
[ "$RBD_RC" = 0 ] || fail "exit status $RBD_RC"
xdp_attached && fail "XDP program left attached after stop"
pass "XDP program detached on stop"

# an address only rackbootd has: its ARP and ping go to rackbootd
rbd_start --port "$LAB_SRV_IF" --port-driver af_xdp --address "$LAB_NET.2/24"
[ "$(status_field arp_icmp_answered_by)" = rackbootd ] || fail "responder not rackbootd"
out=$(in_client 1 arping -c 2 -w 5 -I "$LAB_CLIENT_IF" "$LAB_NET.2") || fail "arping: $out"
echo "$out" | grep -q "Received 2 response" || fail "arping: $out"
out=$(in_client 1 ping -c 3 -i 0.2 -W 2 "$LAB_NET.2") || fail "ping: $out"
echo "$out" | grep -q " 3 received" || fail "ping: $out"
[ "$(counter icmp_echo_replies)" = 3 ] || fail "icmp_echo_replies $(counter icmp_echo_replies), want 3"
[ "$(counter arp_replies)" -ge 2 ] || fail "arp_replies $(counter arp_replies), want >= 2"
pass "ARP and ping for rackbootd's own address are redirected and answered"
