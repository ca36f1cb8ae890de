#!/usr/bin/env bash
# The lease journal's disk full: the journal lives on a small tmpfs that a
# filler file fills to the last page.  rackbootd says so clearly (a log
# line naming the file and the error, `rackbootctl status`, /metrics), does
# not acknowledge new leases (it could not keep them), keeps serving the
# machines whose leases are on disk (ACKs cut to the end the file holds),
# corrupts nothing (a restart reads every record back whole), and takes
# new leases again once there is room.
. "$(dirname "$0")/lib.sh"

lab_up "$(lab_id 24)" --clients 3 --no-client-addr
RELAY=10.99.240.1
in_client 3 ip addr add "$RELAY/24" dev "$LAB_CLIENT_IF"
JDIR=$WORK/jdir
mkdir -p "$JDIR"
mount -t tmpfs -o size=256k,mode=0700 rbjournal "$JDIR" || fail "mount tmpfs"
CLEANUP_HOOKS+=('umount "$JDIR"')
LEASES=$JDIR/leases
args=(--port "$LAB_SRV_IF" --lease-file "$LEASES"
	--dhcp-range "$LAB_NET.100,$LAB_NET.199,255.255.255.0,2h"
	--dhcp-range "10.99.240.10,10.99.240.250,255.255.255.0,2h")
# the same with 4 h leases: a renewal would promise 4 h, the disk holds 2
args4=("${args[@]}")
args4[5]="$LAB_NET.100,$LAB_NET.199,255.255.255.0,4h"

cat >"$WORK/udhcpc-script" <<SCRIPT
#!/bin/sh
[ "\$1" = bound ] && echo "\$ip \$lease" >"$WORK/udhcpc.out"
exit 0
SCRIPT
chmod +x "$WORK/udhcpc-script"
lease_of() { # client N: "ip seconds" of a one-shot udhcpc, or nothing
	rm -f "$WORK/udhcpc.out"
	in_client "$1" busybox udhcpc -i "$LAB_CLIENT_IF" -n -q -t 3 -T 1 \
		-s "$WORK/udhcpc-script" >>"$WORK/udhcpc.log" 2>&1 || true
	cat "$WORK/udhcpc.out" 2>/dev/null || true
}
size() { stat -c %s "$LEASES"; }
# whether rackbootd lists lease $1 (not grep -q on a pipe: under pipefail
# the lister's SIGPIPE would fail it)
listed() { ctl leases >"$WORK/leases.txt" && grep -q "^$1 " "$WORK/leases.txt"; }

# --- leases on disk: client 1, and relayed clients up to a whole page
rbd_start "${args[@]}"
read -r ip1 secs1 < <(lease_of 1) || true
[ -n "${ip1:-}" ] && [ "$secs1" = 7200 ] || fail "client 1 got no 2 h lease: $(tail -3 "$WORK/udhcpc.log")"
# the file's last page has room for more records: fill it with real
# leases, so the next record needs a page the disk does not have
for k in $(seq 10 30); do
	left=$(( (4096 - $(size) % 4096) % 4096 / 64 ))
	[ "$left" = 0 ] && break
	# MACs of each round's own (perfdhcp draws them from one base)
	in_client 3 timeout 30 perfdhcp -4 -l "$RELAY" -b "mac=02:cc:00:00:$k:00" -R "$left" \
		-n "$left" -r 100 -p 5 -W 2000000 "$LAB_SRV_IP" >>"$WORK/perf.log" 2>&1 || true
	sleep 0.3
done
[ $(( $(size) % 4096 )) = 0 ] || fail "could not bring the journal to a page boundary ($(size) bytes)"
known=$(( $(size) / 64 ))
# fill the disk
dd if=/dev/zero of="$JDIR/filler" bs=4k 2>/dev/null || true
[ "$(df --output=avail "$JDIR" | tail -1 | tr -d " ")" = 0 ] || fail "the tmpfs is not full: $(df "$JDIR")"
pass "$known leases on disk ($(size) bytes), the disk then filled"
# leases of 4 h from here on
rbd_stop
rbd_start "${args4[@]}"

# --- a new machine: no ACK, a clear error
read -r ip2 _ < <(lease_of 2) || true
[ -z "${ip2:-}" ] || fail "a new lease ($ip2) was acknowledged though it could not be written"
grep -q "journal_error.*$LEASES: No space left on device" "$WORK/rackbootd.log" ||
	fail "no clear error in the log: $(grep journal "$WORK/rackbootd.log" | tail -3)"
[ "$(status_field journal)" = failing ] || fail "status says journal $(status_field journal)"
in_srv curl -sf "http://127.0.0.1:9180/metrics" >"$WORK/metrics" || fail "no /metrics"
grep -q "^rackboot_journal_failing 1$" "$WORK/metrics" || fail "/metrics: $(grep journal "$WORK/metrics")"
errs=$(awk '/^rackboot_journal_errors_total/ {print $2}' "$WORK/metrics")
[ "$errs" -ge 1 ] || fail "no journal errors counted"
pass "disk full: the new machine got no ACK; log, status (journal failing) and /metrics ($errs errors) say why"

# --- the known machine is served, its ACK cut to the lease on disk
read -r ip1b secs1b < <(lease_of 1) || true
[ "${ip1b:-}" = "$ip1" ] || fail "the known machine was not served (got '${ip1b:-}', had $ip1)"
[ "$secs1b" -le 7200 ] && [ "$secs1b" -gt 7000 ] || fail "its ACK promised $secs1b s, not the 2 h the disk holds"
[ "$(counter dhcp_acks_shortened)" -ge 1 ] || fail "dhcp_acks_shortened not counted"
[ "$(size)" = $((known * 64)) ] || fail "the journal changed size on a full disk: $(size)"
pass "disk full: the known machine kept $ip1, its ACK cut from 4 h to the $secs1b s the disk holds"

# --- nothing corrupted: a crash and a restart read every record back
rbd_stop KILL
rbd_start "${args4[@]}"
grep -q "leases_loaded: $LEASES: $known records" "$WORK/rackbootd.log" ||
	fail "after the restart: $(grep leases_ "$WORK/rackbootd.log" | tail -2)"
grep -q leases_repaired "$WORK/rackbootd.log" && fail "the journal needed repair"
listed "$ip1" || fail "the known lease $ip1 is gone"
pass "SIGKILL and restart on the full disk: all $known records read back, none repaired"

# --- room again: new leases are taken, and kept
read -r ip2 _ < <(lease_of 2) || true
[ -z "${ip2:-}" ] && [ "$(status_field journal)" = failing ] ||
	fail "after the restart on a full disk, a new lease (${ip2:-}) or journal $(status_field journal)"
rm -f "$JDIR/filler"
read -r ip2 _ < <(lease_of 2) || true
[ -n "${ip2:-}" ] && [ "$ip2" != "$ip1" ] || fail "with room again, the new machine got no lease"
[ "$(status_field journal)" = ok ] || fail "status says journal $(status_field journal) with room again"
grep -q "journal_ok: $LEASES: writing again" "$WORK/rackbootd.log" || fail "no log line on recovery"
rbd_stop KILL
rbd_start "${args4[@]}"
listed "$ip2" || fail "the new lease $ip2 did not survive a restart"
listed "$ip1" || fail "the known lease $ip1 did not survive a restart"
pass "room again: the new machine got $ip2; both leases survive a SIGKILL and restart"
