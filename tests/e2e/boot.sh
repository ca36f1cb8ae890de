#!/usr/bin/env bash
# Real firmware network-boots Linux through rackbootd (QEMU under TCG):
#
#   boot.sh ipxe-bios    SeaBIOS + iPXE ROM -> HTTP boot.ipxe -> kernel,
#                        initrd over HTTP
#   boot.sh ipxe-uefi    OVMF's own PXE -> ipxe.efi over TFTP -> iPXE ->
#                        HTTP script, kernel, initrd
#   boot.sh pxelinux     iPXE ROM as the PXE stack -> pxelinux.0 over TFTP
#                        (the machine's profile names it) ->
#                        pxelinux.cfg/01-<mac> rendered -> TFTP (seed 000)
#   boot.sh grub-efi     OVMF's own PXE -> grubx64.efi over TFTP (named by
#                        the profile) -> grub.cfg-01-<mac> rendered -> TFTP
#                        (seed 002)
#   boot.sh proxy        dnsmasq leases the addresses, rackbootd answers as
#                        proxyDHCP; iPXE -> HTTP (seed 003)
#   boot.sh live         iPXE -> HTTP; the initramfs leases an address and
#                        fetches live.img over HTTP, checked by sha256
#                        (seed 004)
#   boot.sh storm        4 machines (2 BIOS, 2 UEFI) powered on at once
#
# Every machine has a group of its own whose metadata holds a random token;
# the payload prints the token it got on its command line, so a pass proves
# the right profile reached the right machine.
set -euo pipefail
RB_SRC=${RB_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$RB_SRC/tests/e2e/lib.sh"
. "$RB_SRC/tests/e2e/vm.sh"

flow=${1:?usage: boot.sh FLOW}
case $flow in
ipxe-bios) lab=40 ;; ipxe-uefi) lab=41 ;; pxelinux) lab=42 ;;
grub-efi) lab=43 ;; proxy) lab=44 ;; live) lab=45 ;; storm) lab=46 ;;
*) fail "unknown flow $flow" ;;
esac

payload_ready
clients=0
[ "$flow" = proxy ] && clients=1
lab_up "$(lab_id $lab)" --clients $clients --no-client-addr
DATA=$WORK/data
mkdir -p "$DATA/profiles" "$DATA/groups" "$WORK/root"
for f in vmlinuz initrd.img live.img pxelinux.0 ldlinux.c32 ipxe.efi grubx64.efi; do
	ln "$PAYLOAD/$f" "$WORK/root/$f" 2>/dev/null || cp "$PAYLOAD/$f" "$WORK/root/$f"
done

# profile ID EXTRA_ARGS...: the payload with a token from the group;
# BOOT_FILES (JSON) is the profile's boot file by firmware class; the
# token ends in TOKEN_TAIL (a template too)
profile() {
	local id=$1 a args="\"console=ttyS0\", \"quiet\", \"panic=-1\", \"rackboot.token={{.token}}${TOKEN_TAIL:-}\""
	shift
	for a in "$@"; do args="$args, \"$a\""; done
	cat >"$DATA/profiles/$id.json" <<EOF
{"id": "$id", "name": "payload ($id)", "boot_files": ${BOOT_FILES:-null},
 "boot": {"kernel": "/vmlinuz", "initrd": ["/initrd.img"], "args": [$args]}}
EOF
}

declare -A TOKEN=()
# machine N PROFILE: a group for machine N's MAC (in MAC) with a fresh token
machine() {
	local n=$1 prof=$2 mac
	mac=$(printf '52:54:00:99:%02x:%02x' "$LAB_ID" "$n")
	TOKEN[$n]=$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
	cat >"$DATA/groups/m$n.json" <<EOF
{"id": "m$n", "name": "machine $n", "profile": "$prof",
 "selector": {"mac": "$mac"}, "metadata": {"token": "${TOKEN[$n]}"}}
EOF
	MAC=$mac
}

# boot N FIRMWARE SECONDS: power machine N on and wait for the payload
boot_one() {
	local n=$1 fw=$2 secs=$3 mac t0
	mac=$(printf '52:54:00:99:%02x:%02x' "$LAB_ID" "$n")
	t0=$(date +%s.%N)
	vm_start "$n" "$mac" "$fw"
	vm_wait "$n" "$secs" || { vm_booted "$n" "${TOKEN[$n]}" "$mac" || true; fail "machine $n ($fw) still running after ${secs}s"; }
	vm_booted "$n" "${TOKEN[$n]}" "$mac" || fail "machine $n ($fw) did not boot its own profile"
	pass "machine $n ($fw, $mac) booted with its token (${TOKEN[$n]}) in $(echo "$(date +%s.%N) - $t0" | bc -l | cut -c1-5) s"
}

# an unmatched machine gets the default group: a decoy token, never used
profile linux
profile linux-efi "initrd=initrd.img"
profile live "rackboot.live={{.http}}live.img"
# the boot path chosen per firmware by the profile, not the command line:
# an iPXE ROM handed to PXELINUX, OVMF's PXE to GRUB
# their configs come over TFTP, rendered with the arch the firmware gave
# DHCP (option 93: 0 for the BIOS ROM, 7 for OVMF)
BOOT_FILES="{\"ipxe\": \"tftp://$LAB_SRV_IP/pxelinux.0\"}" TOKEN_TAIL='-arch${arch}' profile pxelinux
BOOT_FILES='{"efi-x64": "grubx64.efi"}' TOKEN_TAIL='-arch{{.arch}}' profile grub
cat >"$DATA/groups/default.json" <<EOF
{"id": "default", "name": "anyone else", "profile": "linux", "metadata": {"token": "wrong-machine"}}
EOF

# rrq_capture: the names of TFTP read requests reaching the server, one a
# line in $WORK/rrq (tshark on the server's port, live before it returns)
rrq_capture() {
	in_srv tshark -l -n -i "$LAB_SRV_IF" -f "udp dst port 69" -T fields \
		-e tftp.source_file >"$WORK/rrq" 2>"$WORK/tshark.log" &
	BG_PIDS+=("$!")
	local i
	for i in $(seq 100); do
		grep -q "Capturing on" "$WORK/tshark.log" && return 0
		sleep 0.1
	done
	fail "tshark did not start: $(cat "$WORK/tshark.log")"
}

# asked NAME...: each name was asked for over TFTP, in this order
asked() {
	local want got
	want=$(printf '%s\n' "$@")
	got=$(grep -Fx -f <(printf '%s\n' "$@") "$WORK/rrq" | awk '!seen[$0]++')
	[ "$got" = "$want" ] || fail "TFTP requests: expected $(echo $want), got: $(echo $(cat "$WORK/rrq"))"
}

# stages MAC: the boot stages rackbootd tracked for MAC, in order
stages() {
	ctl --json machines | python3 -c '
import json, sys
order = ["discover", "offer", "ack", "boot_program", "script", "kernel",
         "initrd", "done"]
for m in json.load(sys.stdin)["machines"]:
    if m["mac"] == sys.argv[1]:
        print(" ".join(s for s in order if s in m["times"]))' "$1"
}
# tracked MAC STAGES...: rackbootd tracked exactly these stages
tracked() {
	local mac=$1 got
	shift
	got=$(stages "$mac")
	[ "$got" = "$*" ] || fail "machine $mac: stages '$got', want '$*' ($(ctl machines | grep "$mac"))"
	pass "rackbootctl machines: $mac went through $*"
}

# rackbootd answers TFTP and HTTP on the lab address; DHCP as asked
rbd_args=(--port "$LAB_SRV_IF" --data "$DATA")
case $flow in
ipxe-bios)
	machine 1 linux
	rbd_start "${rbd_args[@]}"
	boot_one 1 bios 240
	tracked "$MAC" discover offer ack script kernel initrd
	;;
ipxe-uefi)
	machine 1 linux-efi
	rbd_start "${rbd_args[@]}"
	boot_one 1 uefi-pxe 300
	tracked "$MAC" discover offer ack boot_program script kernel initrd
	;;
pxelinux)
	machine 1 pxelinux; mac=$MAC
	TOKEN[1]=${TOKEN[1]}-arch0
	rrq_capture
	rbd_start "${rbd_args[@]}"
	boot_one 1 bios 300
	asked pxelinux.0 ldlinux.c32 "pxelinux.cfg/01-${mac//:/-}" /vmlinuz /initrd.img
	tracked "$mac" discover offer ack boot_program script kernel initrd
	pass "PXELINUX asked for pxelinux.cfg/01-${mac//:/-} (rendered), then the kernel and initrd over TFTP"
	;;
grub-efi)
	machine 1 grub; mac=$MAC
	TOKEN[1]=${TOKEN[1]}-arch7
	rrq_capture
	rbd_start "${rbd_args[@]}"
	boot_one 1 uefi-pxe 300
	asked grubx64.efi "/grub.cfg-01-${mac//:/-}" /vmlinuz /initrd.img
	tracked "$mac" discover offer ack boot_program script kernel initrd
	pass "GRUB asked for grub.cfg-01-${mac//:/-} (rendered), then the kernel and initrd over TFTP"
	;;
proxy)
	# dnsmasq leases the addresses from client namespace 1; rackbootd
	# only adds boot information
	in_client 1 ip addr add "$LAB_NET.2/24" dev "$LAB_CLIENT_IF"
	ip netns exec "rb$LAB_ID-c1" dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--port=0 --bind-interfaces --interface="$LAB_CLIENT_IF" --except-interface=lo \
		--dhcp-range="$LAB_NET.150,$LAB_NET.199,1h" --no-ping --no-resolv --no-hosts \
		--dhcp-leasefile="$WORK/dnsmasq.leases" --pid-file="$WORK/dnsmasq.pid" \
		--log-dhcp >"$WORK/dnsmasq.log" 2>&1 &
	BG_PIDS+=("$!")
	machine 1 linux; mac=$MAC
	rbd_start "${rbd_args[@]}" --proxy-dhcp
	boot_one 1 bios 300
	grep -q "$mac" "$WORK/dnsmasq.leases" || fail "dnsmasq did not lease the machine an address"
	[ "$(ctl leases | grep -c "$mac" || true)" = 0 ] || fail "rackbootd leased in proxy mode"
	[ "$(counter dhcp_proxy_replies)" -ge 1 ] || fail "no proxyDHCP reply counted"
	# dnsmasq acknowledges: rackbootd sees the DISCOVER and its own offer
	tracked "$mac" discover offer script kernel initrd
	pass "address from dnsmasq ($(awk '{print $3}' "$WORK/dnsmasq.leases")), boot from rackbootd's proxyDHCP"
	;;
storm)
	# two BIOS (iPXE ROM) and two UEFI (OVMF PXE -> ipxe.efi) at once
	for n in 1 2; do machine $n linux; done
	for n in 3 4; do machine $n linux-efi; done
	rbd_start "${rbd_args[@]}"
	t0=$(date +%s)
	for n in 1 2; do vm_start $n "$(printf '52:54:00:99:%02x:%02x' "$LAB_ID" $n)" bios; done
	for n in 3 4; do vm_start $n "$(printf '52:54:00:99:%02x:%02x' "$LAB_ID" $n)" uefi-pxe; done
	bad=0
	for n in 1 2 3 4; do
		mac=$(printf '52:54:00:99:%02x:%02x' "$LAB_ID" $n)
		vm_wait $n 600 || echo "machine $n still running"
		vm_booted $n "${TOKEN[$n]}" "$mac" || bad=$((bad + 1))
	done
	[ $bad = 0 ] || fail "$bad of 4 machines did not boot their own profile"
	[ "$(ctl leases | grep -c '52:54:00:99')" -ge 4 ] || fail "not 4 leases: $(ctl leases)"
	for n in 1 2 3 4; do
		mac=$(printf '52:54:00:99:%02x:%02x' "$LAB_ID" $n)
		stages "$mac" | grep -q "script kernel initrd$" ||
			fail "machine $n: tracked stages '$(stages "$mac")'"
	done
	ctl machines
	pass "4 machines powered on at once all booted their own profiles in $(( $(date +%s) - t0 )) s"
	;;
live)
	machine 1 live
	rbd_start "${rbd_args[@]}"
	boot_one 1 bios 300
	want=$(cat "$PAYLOAD/live.img.sha256")
	size=$(stat -c %s "$PAYLOAD/live.img")
	console=$(vm_console 1) # not piped into grep -q (SIGPIPE)
	grep -qx "RACKBOOT-LIVE size=$size sha256=$want" <<<"$console" ||
		fail "live image: $(vm_console 1 | grep RACKBOOT-LIVE || echo 'no RACKBOOT-LIVE line')"
	pass "the initramfs fetched live.img ($size bytes) over HTTP, sha256 matches"
	# its OS asked for an address, then the image: done
	tracked "$MAC" discover offer ack script kernel initrd done
	in_srv curl -s http://127.0.0.1:9180/metrics >"$WORK/metrics" || fail "no /metrics"
	grep -qF 'rackboot_boot_stage_total{stage="done"} 1' "$WORK/metrics" &&
		grep -qF 'rackboot_boot_stage_seconds_count{stage="initrd"} 1' "$WORK/metrics" ||
		fail "/metrics: $(grep rackboot_boot_stage "$WORK/metrics" | grep -v bucket)"
	pass "/metrics: the done stage and the initrd histogram counted"
	;;
*) fail "flow $flow not built yet" ;;
esac
