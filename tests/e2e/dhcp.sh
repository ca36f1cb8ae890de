#!/usr/bin/env bash
# DHCP with real clients: dhclient and busybox udhcpc get leases and renew
# them; a PXE DISCOVER of each firmware class (BIOS, UEFI x64 as 7 and 9,
# ARM64, UEFI HTTP Boot, iPXE) gets its boot file, and a client that is not
# PXE gets none; perfdhcp, relaying, completes 1,000 four-way exchanges
# with no drop; the leases are on disk and listed.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 17)" --clients 3 --no-client-addr
RELAY_IP=10.99.240.1   # perfdhcp's relay address: a subnet of its own
in_client 3 ip addr add "$LAB_NET.103/24" dev "$LAB_CLIENT_IF"
in_client 3 ip addr add "$RELAY_IP/22" dev "$LAB_CLIENT_IF"
in_srv ip route add 10.99.240.0/22 via "$LAB_NET.103"

# a 20 s lease: clients renew after 10 s
rbd_start --port "$LAB_SRV_IF" --dhcp-range "$LAB_NET.100,$LAB_NET.199,20s" \
	--dhcp-range "10.99.240.10,10.99.243.250,255.255.252.0,1h"

# --- dhclient and udhcpc: lease, then renewal
cat >"$WORK/dhclient-script" <<SCRIPT
#!/bin/sh
case "\$reason" in
BOUND|RENEW|REBIND|REBOOT)
	ip addr replace "\$new_ip_address/\$new_subnet_mask" dev "\$interface" ;;
esac
echo "\$reason \$new_ip_address" >>"$WORK/dhclient.events"
SCRIPT
cat >"$WORK/udhcpc-script" <<SCRIPT
#!/bin/sh
case "\$1" in
bound|renew) ip addr replace "\$ip/\$mask" dev "\$interface" ;;
esac
echo "\$1 \$ip" >>"$WORK/udhcpc.events"
SCRIPT
chmod +x "$WORK/dhclient-script" "$WORK/udhcpc-script"
ip netns exec "rb$LAB_ID-c1" dhclient -d -lf "$WORK/dhclient.leases" \
	-pf "$WORK/dhclient.pid" -sf "$WORK/dhclient-script" "$LAB_CLIENT_IF" \
	>"$WORK/dhclient.log" 2>&1 &
BG_PIDS+=("$!")
ip netns exec "rb$LAB_ID-c2" busybox udhcpc -f -i "$LAB_CLIENT_IF" -t 5 -T 1 \
	-s "$WORK/udhcpc-script" >"$WORK/udhcpc.log" 2>&1 &
udhcpc_pid=$!
BG_PIDS+=("$udhcpc_pid")
for _ in $(seq 300); do
	grep -q "^RENEW " "$WORK/dhclient.events" 2>/dev/null &&
		grep -q "^renew " "$WORK/udhcpc.events" 2>/dev/null && break
	sleep 0.1
done
grep -q "^BOUND $LAB_NET\." "$WORK/dhclient.events" || fail "dhclient: $(cat "$WORK/dhclient.events" "$WORK/dhclient.log")"
grep -q "^RENEW $LAB_NET\." "$WORK/dhclient.events" || fail "dhclient did not renew: $(cat "$WORK/dhclient.events")"
grep -q "^bound $LAB_NET\." "$WORK/udhcpc.events" || fail "udhcpc: $(cat "$WORK/udhcpc.events" "$WORK/udhcpc.log")"
grep -q "^renew $LAB_NET\." "$WORK/udhcpc.events" || fail "udhcpc did not renew: $(cat "$WORK/udhcpc.events")"
a1=$(awk '/^BOUND/ {print $2; exit}' "$WORK/dhclient.events")
a2=$(awk '/^bound/ {print $2; exit}' "$WORK/udhcpc.events")
[ "$a1" != "$a2" ] || fail "both clients got $a1"
ctl leases | grep -q "^$a1 " || fail "dhclient's lease $a1 not listed"
ctl leases | grep -q "^$a2 " || fail "udhcpc's lease $a2 not listed"
pass "dhclient ($a1) and udhcpc ($a2) leased and renewed; both leases on disk"
kill "$udhcpc_pid"; wait "$udhcpc_pid" 2>/dev/null || true

# --- PXE DISCOVERs per firmware class, by udhcpc with PXE options
pxe() { # ARCH-HEX VENDOR [more udhcpc args]: env of the bound lease
	local arch=$1 vendor=$2; shift 2
	rm -f "$WORK/env"
	printf '#!/bin/sh\n[ "$1" = bound ] && env > %s\nexit 0\n' "$WORK/env" >"$WORK/envscript"
	chmod +x "$WORK/envscript"
	ip netns exec "rb$LAB_ID-c2" busybox udhcpc -q -n -i "$LAB_CLIENT_IF" -t 3 -T 1 \
		-s "$WORK/envscript" ${vendor:+-V "$vendor"} ${arch:+-x "0x5d:$arch"} \
		-x 0x61:00b8945908d6a641a9611d74a6ab80b83d "$@" >/dev/null 2>&1 ||
		fail "udhcpc (arch $arch) got no lease"
}
envv() { sed -n "s/^$1=//p" "$WORK/env"; }
expect_boot() { # CLASS WANT-FILE WANT-VENDOR
	[ "$(envv boot_file)" = "$2" ] || fail "$1: boot file '$(envv boot_file)', want '$2'"
	[ "$(envv vendor)" = "$3" ] || fail "$1: option 60 '$(envv vendor)', want '$3'"
	[ "$(envv siaddr)" = "$LAB_SRV_IP" ] || fail "$1: next-server '$(envv siaddr)'"
	[ "$(envv opt97)" = "00b8945908d6a641a9611d74a6ab80b83d" ] || fail "$1: option 97 not echoed"
}
pxe 0000 "PXEClient:Arch:00000:UNDI:002001"
expect_boot bios undionly.kpxe PXEClient
[ "$(envv opt43)" = "060108ff" ] || fail "bios: option 43 '$(envv opt43)'"
[ "$(envv tftp)" = "$LAB_SRV_IP" ] || fail "bios: option 66 '$(envv tftp)'"
pxe 0007 "PXEClient:Arch:00007:UNDI:003016"
expect_boot efi-x64/7 ipxe.efi PXEClient
pxe 0009 "PXEClient:Arch:00009:UNDI:003016"
expect_boot efi-x64/9 ipxe.efi PXEClient
pxe 000b "PXEClient:Arch:00011:UNDI:003016"
expect_boot efi-arm64 ipxe-arm64.efi PXEClient
pxe 0010 "HTTPClient:Arch:00016:UNDI:003000"
expect_boot http-x64 "http://$LAB_SRV_IP/ipxe.efi" HTTPClient
[ -z "$(envv opt43)" ] || fail "http-x64 got option 43"
pxe 0000 "PXEClient:Arch:00000:UNDI:002001" -x 0x4d:69505845
expect_boot ipxe "http://$LAB_SRV_IP/boot.ipxe?mac=\${mac:hexhyp}" PXEClient
[ "$(envv opt175)" = "b00101" ] || fail "ipxe: option 175 '$(envv opt175)'"
[ -z "$(envv opt43)" ] || fail "ipxe got option 43"
pxe "" ""
[ -z "$(envv boot_file)" ] || fail "a client that is not PXE got boot file $(envv boot_file)"
pass "PXE answers: bios, efi-x64 (7 and 9), efi-arm64, http-x64, ipxe right; none for a plain client"

# --- perfdhcp: 1,000 clients through a relay, four-way, no drop
out=$(ip netns exec "rb$LAB_ID-c3" timeout 120 perfdhcp -4 -l "$RELAY_IP" -R 1000 \
	-n 1000 -r 500 -p 30 -W 1000000 "$LAB_SRV_IP" 2>&1) || fail "perfdhcp: $out"
# perfdhcp's threads may start a couple of exchanges past -n (1,002 of
# 1,000 once in CI): every exchange it started must complete
field() { echo "$out" | awk -v s="$1" -v k="$2" '$0 ~ s {f=1} f && $0 ~ "^" k {print $3; exit}'; }
dsent=$(field DISCOVER-OFFER "sent packets") offers=$(field DISCOVER-OFFER "received packets")
sent=$(field REQUEST-ACK "sent packets") recv=$(field REQUEST-ACK "received packets")
[ "$dsent" -ge 1000 ] && [ "$offers" = "$dsent" ] || fail "perfdhcp: $offers offers for $dsent DISCOVERs: $out"
[ "$sent" -ge 1000 ] && [ "$recv" = "$sent" ] || fail "perfdhcp: $recv ACKs for $sent REQUESTs: $out"
echo "$out" | grep -q "^drops: [1-9]" && fail "perfdhcp counted drops: $out"
relayed=$(ctl leases | awk '$1 ~ /^10\.99\.24[0-3]\./' | wc -l)
[ "$relayed" -ge 1000 ] || fail "only $relayed relayed leases on disk"
[ "$(ctl leases | awk 'NR > 1 {print $1}' | sort | uniq -d | wc -l)" = 0 ] || fail "an address leased twice"
pass "perfdhcp: $offers/$dsent DISCOVER-OFFER and $recv/$sent REQUEST-ACK through a relay, $relayed leases on disk, none twice"
