#!/usr/bin/env bash
# ping and arping from a client namespace get answers from rackbootd; when
# the kernel owns the address, the kernel answers alone (no duplicates).
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 11)" --clients 1

# 1. rackbootd's own address (the kernel does not have .2): rackbootd answers
rbd_start --port "$LAB_SRV_IF" --address "$LAB_NET.2/24"
[ "$(status_field arp_icmp_answered_by)" = rackbootd ] || fail "responder not rackbootd"
mac=$(status_field mac)
out=$(in_client 1 ping -c 5 -i 0.2 -W 2 "$LAB_NET.2") || fail "ping: $out"
echo "$out" | grep -q " 5 received" || fail "ping lost replies: $out"
echo "$out" | grep -q "DUP!" && fail "duplicate replies: $out"
out=$(in_client 1 arping -c 3 -w 5 -I "$LAB_CLIENT_IF" "$LAB_NET.2") || fail "arping: $out"
echo "$out" | grep -q "Received 3 response" || fail "arping: $out"
echo "$out" | grep -qi "\[$mac\]" || fail "arping reply not from rackbootd's MAC $mac: $out"
[ "$(counter icmp_echo_replies)" = 5 ] || fail "icmp_echo_replies $(counter icmp_echo_replies), want 5"
[ "$(counter arp_replies)" -ge 3 ] || fail "arp_replies $(counter arp_replies), want >= 3"
pass "rackbootd answers ping (5/5) and arping (3/3) from $mac"
rbd_stop TERM
[ "$RBD_RC" = 0 ] || fail "rackbootd exit status $RBD_RC, want 0"

# 2. the kernel's address on an af_packet port: the kernel answers, once
rbd_start --port "$LAB_SRV_IF"
[ "$(status_field arp_icmp_answered_by)" = kernel ] || fail "responder not kernel"
out=$(in_client 1 ping -c 5 -i 0.2 -W 2 "$LAB_SRV_IP") || fail "ping: $out"
echo "$out" | grep -q " 5 received" || fail "ping lost replies: $out"
echo "$out" | grep -q "DUP!" && fail "duplicate replies: $out"
[ "$(counter icmp_echo_replies)" = 0 ] || fail "rackbootd answered a kernel-owned ping"
[ "$(counter left_to_kernel)" -ge 5 ] || fail "left_to_kernel $(counter left_to_kernel), want >= 5"
pass "kernel-owned address: 5/5 replies, none duplicated, rackbootd left them to the kernel"
rbd_stop TERM

# 3. forcing the responder on a kernel-owned address shows why auto exists
rbd_start --port "$LAB_SRV_IF" --responder on
out=$(in_client 1 ping -c 3 -i 0.3 -W 2 "$LAB_SRV_IP") || true
echo "$out" | grep -q "DUP!" || fail "expected duplicate replies with --responder on: $out"
[ "$(counter icmp_echo_replies)" = 3 ] || fail "icmp_echo_replies $(counter icmp_echo_replies), want 3"
pass "--responder on beside the kernel gives duplicates, as documented"
