#!/usr/bin/env bash
# Profiles from a matchbox-format data directory (--data): each machine's
# configs rendered from its group over TFTP and HTTP, matchbox's HTTP
# endpoints, `rackbootctl profile-for`, a group's pacing quirk; a bad
# change rejected with its file and reason while the last good snapshot
# serves; a good change picked up by inotify, with a new generation; and
# reloads in the middle of a 1,000-client TFTP storm that drop nothing.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 31)" --clients 2
root=$WORK/root data=$WORK/data
mkdir -p "$root/assets" "$WORK/got" "$data"/{groups,profiles,ignition,templates}
head -c 2000000 /dev/urandom >"$root/assets/vmlinuz"
head -c 300000 /dev/urandom >"$root/assets/initrd.img"
head -c 524288 /dev/urandom >"$root/storm.bin"
mac1=$(in_client 1 cat "/sys/class/net/$LAB_CLIENT_IF/address")
mac2=$(in_client 2 cat "/sys/class/net/$LAB_CLIENT_IF/address")
hex1=${mac1//:/}
dash1=${mac1//:/-}
sha() { sha256sum "$1" | cut -d' ' -f1; }
c1() { in_client 1 "$@"; }
c2() { in_client 2 "$@"; }

cat >"$data/profiles/install.json" <<EOF
{
  "id": "install",
  "name": "Install to disk",
  "boot": {
    "kernel": "/assets/vmlinuz",
    "initrd": ["/assets/initrd.img"],
    "args": ["console=ttyS0", "token=\${mac_hex}", "role={{.role}}"]
  },
  "ignition_id": "node.ign",
  "quirks": {"tftp_blksize_max": 1024}
}
EOF
cat >"$data/profiles/rescue.json" <<EOF
{"id": "rescue", "boot": {"kernel": "/assets/vmlinuz", "args": ["rescue"]}}
EOF
cat >"$data/groups/node1.json" <<EOF
{
  "id": "node1",
  "name": "node 1",
  "profile": "install",
  "selector": {"mac": "$mac1"},
  "metadata": {"role": "etcd", "etcd": {"name": "node1"}},
  "quirks": {"http_rate": 1000000}
}
EOF
cat >"$data/groups/default.json" <<EOF
{"id": "default", "profile": "rescue"}
EOF
# firmware with two DHCP bugs, picked by facts only DHCP has (arch and
# vendor class): it misses replies that come too soon and chokes on
# option 43; its profile gives UEFI machines their own boot program
head -c 1000 /dev/urandom >"$root/assets/slow.efi"
cat >"$data/profiles/oldfw.json" <<EOF
{"id": "oldfw", "boot": {"kernel": "/assets/vmlinuz"},
 "boot_files": {"efi-x64": "/assets/slow.efi"}}
EOF
cat >"$data/groups/oldfw.json" <<EOF
{"id": "oldfw", "profile": "oldfw",
 "selector": {"arch": "7", "vendor": "~PXEClient:Arch:00007:UNDI:00300[0-9]"},
 "quirks": {"reply_delay_ms": 700, "omit_option_43": true}}
EOF
cat >"$data/ignition/node.ign" <<'EOF'
{"ignition": {"version": "3.3.0"}, "name": "{{.etcd.name}}", "mac": "{{.mac}}"}
EOF

rbd_start --port "$LAB_SRV_IF" --data "$data"
grep -q "profiles_loaded: $data: generation 0: 3 groups, 3 profiles, 1 templates" \
	"$WORK/rackbootd.log" || fail "no profiles_loaded line: $(grep profiles "$WORK/rackbootd.log")"

# --- DHCP consults the profiles: boot file, reply delay, option 43
pxe() { ip netns exec "rb$LAB_ID-c1" python3 "$RB_SRC/tests/e2e/pxeclient.py" discover \
	"$LAB_CLIENT_IF" 52:54:00:77:00:01 "$@" --wait 3 | grep "\"yiaddr\": \"$LAB_NET\." | head -1; }
old=$(pxe --arch 7 --vendor PXEClient:Arch:00007:UNDI:003000)
[ -n "$old" ] || fail "no offer for the old firmware"
echo "$old" | grep -q '"file": "/assets/slow.efi"' || fail "old firmware: not its profile's boot file: $old"
echo "$old" | grep -q '"opt43"' && fail "old firmware: option 43 not omitted: $old"
ms=$(echo "$old" | sed 's/.*"ms": \([0-9]*\).*/\1/')
[ "$ms" -ge 650 ] || fail "old firmware: offer after $ms ms, not held 700"
new=$(pxe --arch 7 --vendor PXEClient:Arch:00007:UNDI:002001)
echo "$new" | grep -q '"file": "ipxe.efi"' || fail "other UEFI firmware: $new"
echo "$new" | grep -q '"opt43"' || fail "other UEFI firmware: no option 43: $new"
ms2=$(echo "$new" | sed 's/.*"ms": \([0-9]*\).*/\1/')
[ "$(counter dhcp_delayed)" = 1 ] || fail "dhcp_delayed $(counter dhcp_delayed)"
[ "$(counter dhcp_profiled)" -ge 2 ] || fail "dhcp_profiled $(counter dhcp_profiled)"
pass "DHCP by profile: arch 7 + vendor UNDI:003000 got /assets/slow.efi, no option 43, offer held ${ms} ms; UNDI:002001 got ipxe.efi with option 43 in ${ms2} ms"

# TFTP: the MAC in the name, or the asker's own frame
tget() { # client, name, output
	(cd "$WORK/got" && in_client "$1" timeout 10 tftp "$LAB_SRV_IP" -m binary -c get "$2" "$3")
}
tget 1 "pxelinux.cfg/01-$dash1" pxe1 || fail "pxelinux.cfg/01-<mac> not served"
grep -q "APPEND console=ttyS0 token=$hex1 role=etcd" "$WORK/got/pxe1" ||
	fail "pxelinux config: $(cat "$WORK/got/pxe1")"
grep -q "KERNEL /assets/vmlinuz" "$WORK/got/pxe1" || fail "pxelinux kernel: $(cat "$WORK/got/pxe1")"
tget 1 grub.cfg grub1 || fail "grub.cfg for client 1"
grep -q "linux /assets/vmlinuz console=ttyS0 token=$hex1 role=etcd" "$WORK/got/grub1" ||
	fail "grub.cfg for client 1: $(cat "$WORK/got/grub1")"
tget 2 grub.cfg grub2 || fail "grub.cfg for client 2"
grep -q "linux /assets/vmlinuz rescue" "$WORK/got/grub2" ||
	fail "client 2 should get the default group: $(cat "$WORK/got/grub2")"
# the install profile's quirk caps the block size (the default's does not)
d0=$(counter tftp_data)
c1 timeout 20 curl -sf --tftp-blksize 1468 -o "$WORK/got/tk1" "tftp://$LAB_SRV_IP/assets/vmlinuz" ||
	fail "TFTP kernel for client 1"
d1=$(counter tftp_data)
c2 timeout 20 curl -sf --tftp-blksize 1468 -o "$WORK/got/tk2" "tftp://$LAB_SRV_IP/assets/vmlinuz" ||
	fail "TFTP kernel for client 2"
d2=$(counter tftp_data)
for k in tk1 tk2; do
	[ "$(sha "$WORK/got/$k")" = "$(sha "$root/assets/vmlinuz")" ] || fail "$k differs"
done
# 2,000,000 bytes: 1,954 blocks of 1024, 1,363 of 1468 (a retransmission may add one)
[ $((d1 - d0)) -ge 1954 ] && [ $((d1 - d0)) -lt 1990 ] ||
	fail "tftp_blksize_max 1024: $((d1 - d0)) DATA packets, want 1954"
[ $((d2 - d1)) -ge 1363 ] && [ $((d2 - d1)) -lt 1400 ] ||
	fail "no quirk: $((d2 - d1)) DATA packets, want 1363"
pass "tftp_blksize_max quirk: node1 got 1024-byte blocks ($((d1 - d0)) packets), the default group 1468 ($((d2 - d1)))"
# a hex-IP name only answers a machine's own group, never the default
# (curl: tftp-hpa's exit status says nothing of a TFTP error)
rc=0; c2 timeout 10 curl -s "tftp://$LAB_SRV_IP/pxelinux.cfg/0A63" -o /dev/null || rc=$?
[ "$rc" = 68 ] || fail "a default group answered a machine-specific name (curl $rc)"
c1 timeout 10 curl -sf "tftp://$LAB_SRV_IP/pxelinux.cfg/0A63" -o "$WORK/got/hexip1" ||
	fail "client 1's hex-IP name"
grep -q "token=$hex1" "$WORK/got/hexip1" || fail "hex-IP config: $(cat "$WORK/got/hexip1")"
pass "TFTP: pxelinux.cfg and grub.cfg rendered from each machine's group"

# HTTP: matchbox's endpoints and boot.ipxe
url="http://$LAB_SRV_IP"
out=$(c1 curl -sf "$url/ipxe?mac=$mac1") || fail "/ipxe"
[ "$out" = "#!ipxe
kernel /assets/vmlinuz console=ttyS0 token=$hex1 role=etcd
initrd /assets/initrd.img
boot" ] || fail "/ipxe: $out"
out=$(c2 curl -sf "$url/boot.ipxe?mac=$mac2") || fail "boot.ipxe for client 2"
echo "$out" | grep -q "kernel /assets/vmlinuz rescue" || fail "boot.ipxe default: $out"
out=$(c1 curl -sf "$url/ignition?mac=$mac1") || fail "/ignition"
[ "$out" = "{\"ignition\": {\"version\": \"3.3.0\"}, \"name\": \"node1\", \"mac\": \"$mac1\"}" ] ||
	fail "/ignition: $out"
out=$(c1 curl -sf "$url/metadata?mac=$mac1&os=installed") || fail "/metadata"
echo "$out" | grep -qx "ETCD_NAME=node1" || fail "/metadata: $out"
echo "$out" | grep -qx "OS=installed" || fail "/metadata without the query's labels: $out"
# a query of 15 labels near the parser's 511-byte query limit: served
long=$(python3 -c 'print("&".join("k%d=%s" % (i, "v" * 25) for i in range(15)))')
out=$(c1 curl -sf "$url/metadata?mac=$mac1&$long") || fail "a long query: $(c1 curl -s -w " %{http_code}" "$url/metadata?mac=$mac1&$long")"
echo "$out" | grep -qx "ETCD_NAME=node1" || fail "/metadata with a long query: $out"
echo "$out" | grep -q "^K0=vvv" || fail "the first labels of a long query: $out"
code=$(c2 curl -s -o /dev/null -w '%{http_code}' "$url/ignition?mac=$mac2")
[ "$code" = 404 ] || fail "/ignition for a profile without one: $code"
pass "HTTP: /ipxe, boot.ipxe, /ignition, /metadata rendered per machine"

# the callback URL an OS hits when it is up: answered, and the machine's
# boot is done in `rackbootctl machines`
out=$(c1 curl -sf "$url/done?mac=$mac1") || fail "GET /done"
[ "$out" = "done: noted" ] || fail "GET /done: $out"
ctl --json machines | python3 -c '
import json, sys
ms = [m for m in json.load(sys.stdin)["machines"] if m["mac"] == sys.argv[1]]
sys.exit(0 if ms and ms[0]["stage"] == "done" and "done" in ms[0]["times"] else 1)' "$mac1" ||
	fail "after GET /done: $(ctl machines)"
pass "GET /done?mac=: 200, and rackbootctl machines shows $mac1 done"

# the group's pacing quirk: 1 MB/s for node1, none for the default group
t0=$(date +%s%N)
c1 curl -sf -o "$WORK/got/k1" "$url/assets/vmlinuz?mac=$mac1" || fail "paced kernel"
t1=$(date +%s%N)
c2 curl -sf -o "$WORK/got/k2" "$url/assets/vmlinuz?mac=$mac2" || fail "unpaced kernel"
t2=$(date +%s%N)
[ "$(sha "$WORK/got/k1")" = "$(sha "$root/assets/vmlinuz")" ] || fail "paced kernel differs"
paced_ms=$(( (t1 - t0) / 1000000 )); free_ms=$(( (t2 - t1) / 1000000 ))
[ "$paced_ms" -ge 1500 ] || fail "node1's 2 MB took $paced_ms ms under a 1 MB/s quirk"
pass "http_rate quirk: node1's 2 MB kernel in $paced_ms ms, the default group's in $free_ms ms"

# profile-for
out=$(ctl profile-for "$mac1") || fail "profile-for: $out"
echo "$out" | grep -q "^group  *node1" || fail "profile-for group: $out"
echo "$out" | grep -q "^profile  *install" || fail "profile-for profile: $out"
echo "$out" | grep -q "^why  *mac=$mac1 (exact)" || fail "profile-for why: $out"
out=$(ctl profile-for 52:54:00:00:00:99 os=installed) || fail "profile-for default"
echo "$out" | grep -q "^group  *default" || fail "profile-for default: $out"
rc=0; ctl profile-for nonsense >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "profile-for with a bad MAC: exit $rc"
pass "rackbootctl profile-for: group, profile and the terms that chose them"

# a bad change: rejected with file and reason, the last snapshot serves
gen0=$(status_field profiles_generation)
cat >"$data/groups/broken.json" <<EOF
{"id": "broken", "profile": "no-such-profile", "selector": {"mac": "$mac2"}}
EOF
for _ in $(seq 50); do
	grep -q "reload_failed.*groups/broken.json: profile \"no-such-profile\" is not defined" \
		"$WORK/rackbootd.log" && break
	sleep 0.1
done
grep -q "reload_failed.*groups/broken.json: profile \"no-such-profile\" is not defined" \
	"$WORK/rackbootd.log" || fail "no reload_failed naming the file: $(tail -5 "$WORK/rackbootd.log")"
out=$(ctl reload 2>&1) && fail "reload of a bad directory succeeded: $out"
echo "$out" | grep -q "groups/broken.json" || fail "ctl reload error: $out"
[ "$(status_field profiles_generation)" = "$gen0" ] || fail "a bad reload changed the generation"
out=$(c1 curl -sf "$url/ipxe?mac=$mac1") || fail "/ipxe after a bad reload"
echo "$out" | grep -q "role=etcd" || fail "the last good snapshot stopped serving: $out"
metrics=$(in_srv curl -sf "http://127.0.0.1:9180/metrics")
echo "$metrics" | grep -Eq "^rackboot_reload_failures_total [1-9]" || fail "reload failures not in /metrics"
rm "$data/groups/broken.json"
pass "a group naming an unknown profile: rejected with its file and reason, the last snapshot serves"

# a good change: inotify reloads it, a new generation
sleep 0.5
sed -i 's/"role": "etcd"/"role": "worker"/' "$data/groups/node1.json"
for _ in $(seq 50); do
	out=$(c1 curl -sf "$url/ipxe?mac=$mac1") || true
	echo "$out" | grep -q "role=worker" && break
	sleep 0.1
done
echo "$out" | grep -q "role=worker" || fail "the change was not picked up: $out"
gen1=$(status_field profiles_generation)
[ "$gen1" -gt "$gen0" ] || fail "generation $gen0 -> $gen1"
grep -q "data_changed" "$WORK/rackbootd.log" || fail "no data_changed log line"
# through a variable: grep -q leaving early would kill curl with
# SIGPIPE, and pipefail fail the check
metrics=$(in_srv curl -sf "http://127.0.0.1:9180/metrics") || fail "GET /metrics"
grep -qx "rackboot_profiles_generation $gen1" <<<"$metrics" ||
	fail "generation $gen1 not in /metrics: $(grep profiles_generation <<<"$metrics")"
# and nothing more while nothing changes (re-watching is no change)
sleep 1.5
gen2=$(status_field profiles_generation)
[ "$gen2" = "$gen1" ] || fail "reloads without a change: generation $gen1 -> $gen2"
pass "a metadata change reloaded through inotify: generation $gen0 -> $gen1, then quiet"

# reloads during a TFTP storm drop no transfer
n=${RB_TFTP_CLIENTS:-1000}
tftp_storm_start "$n" storm.bin s 90
reloads=0
for _ in $(seq 8); do
	sleep 0.4
	ctl reload >/dev/null && reloads=$((reloads + 1))
done
tftp_storm_wait "$n" "$root/storm.bin" s
[ "$STORM_BAD" = 0 ] || fail "$STORM_BAD of $n transfers failed across $reloads reloads (curl exits: $STORM_EXITS)"
[ "$reloads" -ge 4 ] || fail "only $reloads reloads took during the storm"
pass "$reloads reloads during $n concurrent TFTP transfers: all $n byte-identical"

rbd_stop
[ "$RBD_RC" = 0 ] || fail "rackbootd exited $RBD_RC"
