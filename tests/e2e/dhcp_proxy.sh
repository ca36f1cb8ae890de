#!/usr/bin/env bash
# proxyDHCP beside dnsmasq: dnsmasq gives addresses, rackbootd only boot
# information.  A plain client gets its address from dnsmasq and nothing
# from rackbootd; a PXE DISCOVER gets dnsmasq's address offer and
# rackbootd's boot offer (no address); the PXE boot-server port 4011
# answers a REQUEST with the boot file.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 18)" --clients 2 --no-client-addr
DNSMASQ_IP=$LAB_NET.2
in_client 2 ip addr add "$DNSMASQ_IP/24" dev "$LAB_CLIENT_IF"
ip netns exec "rb$LAB_ID-c2" dnsmasq --keep-in-foreground --conf-file=/dev/null \
	--port=0 --bind-interfaces --interface="$LAB_CLIENT_IF" --except-interface=lo \
	--dhcp-range="$LAB_NET.150,$LAB_NET.199,1h" --no-ping --no-resolv --no-hosts \
	--dhcp-leasefile="$WORK/dnsmasq.leases" --pid-file="$WORK/dnsmasq.pid" \
	>"$WORK/dnsmasq.log" 2>&1 &
BG_PIDS+=("$!")

rbd_start --port "$LAB_SRV_IF" --proxy-dhcp
[ "$(status_field dhcp)" = proxy ] || fail "not in proxy mode"

# a plain client: address from dnsmasq, rackbootd stays out of it
printf '#!/bin/sh\n[ "$1" = bound ] && env > %s && ip addr replace "$ip/$mask" dev "$interface"\nexit 0\n' \
	"$WORK/env" >"$WORK/envscript"
chmod +x "$WORK/envscript"
ip netns exec "rb$LAB_ID-c1" busybox udhcpc -q -n -i "$LAB_CLIENT_IF" -t 5 -T 1 \
	-s "$WORK/envscript" >/dev/null 2>&1 || fail "no address from dnsmasq"
addr=$(sed -n 's/^ip=//p' "$WORK/env")
[ "$(sed -n 's/^serverid=//p' "$WORK/env")" = "$DNSMASQ_IP" ] || fail "address not from dnsmasq: $(cat "$WORK/env")"
[ -z "$(sed -n 's/^boot_file=//p' "$WORK/env")" ] || fail "a plain client got a boot file"
[ "$(counter drop.dhcp_not_pxe)" -ge 1 ] || fail "rackbootd did not see (and ignore) the plain client"
[ "$(counter dhcp_offer)" = 0 ] || fail "rackbootd offered to a plain client"
pass "plain client: $addr from dnsmasq; rackbootd ignored it"

# a PXE DISCOVER: two offers, merged by the firmware
mac=$(in_client 1 cat /sys/class/net/"$LAB_CLIENT_IF"/address)
replies=$(ip netns exec "rb$LAB_ID-c1" python3 "$(dirname "$0")/pxeclient.py" \
	discover "$LAB_CLIENT_IF" "$mac" --arch 0 --wait 3)
echo "$replies" | grep -q "\"server\": \"$DNSMASQ_IP\"" || fail "no offer from dnsmasq: $replies"
ours=$(echo "$replies" | grep "\"opt54\": \"$(printf '%02x' ${LAB_SRV_IP//./ })\"")
[ -n "$ours" ] || fail "no proxy offer from rackbootd: $replies"
echo "$ours" | grep -q '"yiaddr": "0.0.0.0"' || fail "proxy offer carries an address: $ours"
echo "$ours" | grep -q '"file": "undionly.kpxe"' || fail "proxy offer lacks the boot file: $ours"
echo "$ours" | grep -q '"opt60": "PXEClient"' || fail "proxy offer lacks option 60: $ours"
echo "$ours" | grep -q "\"siaddr\": \"$LAB_SRV_IP\"" || fail "proxy offer lacks next-server: $ours"
echo "$replies" | grep "\"server\": \"$DNSMASQ_IP\"" | grep -q '"yiaddr": "10\.99\.' ||
	fail "dnsmasq's offer lacks an address: $replies"
pass "PXE DISCOVER: address offer from dnsmasq, boot offer (no address) from rackbootd"

# the PXE boot server on port 4011
reply=$(ip netns exec "rb$LAB_ID-c1" python3 "$(dirname "$0")/pxeclient.py" \
	request4011 "$LAB_CLIENT_IF" "$mac" "$LAB_SRV_IP" --arch 7 --wait 3)
echo "$reply" | grep -q '"type": 5' || fail "no ACK from port 4011: $reply"
echo "$reply" | grep -q '"port": 4011' || fail "the ACK did not come from port 4011: $reply"
echo "$reply" | grep -q '"file": "ipxe.efi"' || fail "port 4011 ACK boot file: $reply"
echo "$reply" | grep -q '"yiaddr": "0.0.0.0"' || fail "port 4011 ACK carries an address: $reply"
[ "$(counter dhcp_proxy_replies)" -ge 2 ] || fail "dhcp_proxy_replies $(counter dhcp_proxy_replies)"
[ "$(ctl leases | wc -l)" = 1 ] || fail "proxy mode wrote leases"
pass "port 4011 answers a PXE REQUEST with the boot file (ipxe.efi for arch 7)"
