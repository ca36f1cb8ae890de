#!/usr/bin/env bash
# Boot storms under faults: 1,000 emulated network-boot clients
# (build/bench/storm-gen: PXE DHCP, TFTP of the boot program, iPXE DHCP,
# HTTP script, kernel and initrd) against rackbootd,
#
#   1. over a bad link (tests/e2e/impair: 5 % loss, 5 % duplication, 5 %
#      reordering, 0-50 ms jitter, both ways, every frame): all boot;
#   2. with the boot program and the kernel (1 MiB) replaced (rename,
#      reload) while hundreds of clients fetch them: every client got the
#      old or the new file whole;
#   3. with rackbootd killed (SIGKILL) once 500 leases were acknowledged
#      and restarted: all boot, every acknowledged lease is still the
#      client's, no address twice.
#
# A client whose firmware gives up (DHCP unanswered four times, a TFTP
# error, a broken download) reboots and tries again, up to three times,
# as machines set to retry the network boot do; the reboots are printed.
. "$(dirname "$0")/lib.sh"

GEN=$RB_BUILD/bench/storm-gen
IMPAIR=$RB_BUILD/tests/e2e/impair
N=${RB_STORM_CLIENTS:-1000}
[ -x "$GEN" ] || fail "no $GEN"
lab_up "$(lab_id 25)" --clients 1 --no-client-addr
C1=rb$LAB_ID-c1

# as bench/storm: the server at 10.99.64.1/18, the pool the upper /19,
# which the client namespace routes as local (AnyIP) so storm-gen binds
# TFTP and HTTP sockets to whatever DHCP leased
SRV=10.99.64.1 POOL_LO=10.99.96.1 POOL_HI=10.99.127.254
in_srv ip addr flush dev "$LAB_SRV_IF"
in_srv ip addr add "$SRV/18" dev "$LAB_SRV_IF"
in_client 1 ip addr add 10.99.64.2/18 dev "$LAB_CLIENT_IF"
in_client 1 ip route add local 10.99.96.0/19 dev lo
in_srv ip route add 10.99.96.0/19 via 10.99.64.2 dev "$LAB_SRV_IF"
# a thousand TCP flows through three veth hops overflow the kernel's
# per-CPU backlog (1000): the lab's limit, not the servers' (bench/storm)
old_backlog=$(sysctl -n net.core.netdev_max_backlog)
sysctl -qw net.core.netdev_max_backlog=10000
CLEANUP_HOOKS+=("sysctl -qw net.core.netdev_max_backlog=$old_backlog")

root=$WORK/root data=$WORK/data
mkdir -p "$root" "$data/profiles" "$data/groups"
head -c 65536 /dev/urandom >"$root/undionly.kpxe"
head -c 262144 /dev/urandom >"$root/vmlinuz"
head -c 131072 /dev/urandom >"$root/initrd.img"
echo '{"id": "p", "boot": {"kernel": "http://'"$SRV"'/vmlinuz", "initrd": ["http://'"$SRV"'/initrd.img"], "args": ["console=ttyS0"]}}' >"$data/profiles/p.json"
echo '{"id": "all", "profile": "p"}' >"$data/groups/all.json"
ARGS=(--port "$LAB_SRV_IF" --data "$data" --dhcp-range "$POOL_LO,$POOL_HI,1h"
	--http-max-conns 16384)

fnv() { # FNV-1a 64 of a file, as storm-gen hashes what it receives
	python3 -c 'import sys
h = 0xcbf29ce484222325
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
print("%016x" % h)' "$1"
}

# storm NAME RAMP: run storm-gen in the client namespace, in the background
storm() {
	ip netns exec "$C1" "$GEN" -r 3 "$LAB_CLIENT_IF" "$N" "$2" "$WORK/$1.csv" 240 \
		>"$WORK/$1.out" 2>&1 &
	GEN_PID=$!
	BG_PIDS+=("$GEN_PID")
}
storm_wait() { # NAME: wait, then check every client booted
	wait "$GEN_PID" || true
	local booted
	booted=$(awk '/^clients/ {print $4}' "$WORK/$1.out")
	[ "$booted" = "$N" ] || fail "$1: ${booted:-no} of $N booted: $(cat "$WORK/$1.out"; awk -F, 'NR > 1 && $NF != "booted" {print $NF}' "$WORK/$1.csv" | sort | uniq -c)"
	TTL=$(awk '/^time_to_last_booted_s/ {print $2}' "$WORK/$1.out")
	REBOOTS=$(awk '/^reboots/ {print $2 " reboots of " $4 " clients"}' "$WORK/$1.out")
	RETRIES=$(awk '/^dhcp_retries/ {print $2 " DHCP and " $4 " TFTP retries"}' "$WORK/$1.out")
	WHY=$(awk -F, 'NR > 1 && $18 > 0 {print $19}' "$WORK/$1.csv" | sort | uniq -c |
		awk '{n = $1; $1 = ""; printf "%s%d x%s", (NR > 1 ? ", " : ""), n, $0}')
	[ -n "$WHY" ] && REBOOTS="$REBOOTS (why: $WHY)"
	# no address acknowledged to two clients, none changed under a client
	[ "$(awk -F, 'NR > 1 {print $16}' "$WORK/$1.csv" | sort | uniq -d | wc -l)" = 0 ] ||
		fail "$1: an address acknowledged to two clients"
	[ "$(awk -F, 'NR > 1 {s += $17} END {print s + 0}' "$WORK/$1.csv")" = 0 ] ||
		fail "$1: a client was acknowledged another address later"
}
hashes() { # NAME COLUMN: "count hash" of what the clients got
	awk -F, -v c="$2" 'NR > 1 {print $c}' "$WORK/$1.csv" | sort | uniq -c
}

# --- 1. a bad link: every frame between the client and the switch passes
# impair, in the switch namespace
ip -n "$LAB_SW" link set rbp-c1 nomaster
ip -n "$LAB_SW" link add rbimp0 type veth peer name rbimp1
ip -n "$LAB_SW" link set rbimp1 master rbbr0
for i in rbimp0 rbimp1; do
	ip -n "$LAB_SW" link set "$i" up
	ip netns exec "$LAB_SW" ethtool -K "$i" tx off >/dev/null
done
ip netns exec "$LAB_SW" "$IMPAIR" -a rbp-c1 -b rbimp0 -l 5 -d 5 -r 5 -j 50 -s 7 \
	>"$WORK/impair.out" 2>&1 &
IMPAIR_PID=$!
BG_PIDS+=("$IMPAIR_PID")
for _ in $(seq 50); do grep -q ready "$WORK/impair.out" && break; sleep 0.1; done
grep -q ready "$WORK/impair.out" || fail "impair: $(cat "$WORK/impair.out")"
rbd_start "${ARGS[@]}"
storm lossy 0
storm_wait lossy
kill "$IMPAIR_PID"; wait "$IMPAIR_PID" 2>/dev/null || true
link=$(tail -1 "$WORK/impair.out")
[ "$(hashes lossy 20)" = "$(printf '%7d %s' "$N" "$(fnv "$root/undionly.kpxe")")" ] ||
	fail "lossy: boot programs differ from the file: $(hashes lossy 20 | head -3)"
[ "$(hashes lossy 21)" = "$(printf '%7d %s' "$N" "$(fnv "$root/vmlinuz")")" ] ||
	fail "lossy: kernels differ from the file: $(hashes lossy 21 | head -3)"
pass "bad link (5% loss, 5% duplication, 5% reordering, 0-50 ms jitter): $N of $N booted in ${TTL}s, files whole; $RETRIES; $REBOOTS; link: $link; server: $(counter tftp_retransmits) TFTP retransmits"
# the plain link back
ip -n "$LAB_SW" link del rbimp0
ip -n "$LAB_SW" link set rbp-c1 master rbbr0
rbd_stop
rm -f "$WORK/leases"

# --- 2. the boot program and the kernel replaced mid-storm (a 4 s ramp,
# a 1 MiB kernel, replaced at 2 s): renamed into place, then a reload
head -c 1048576 /dev/urandom >"$root/vmlinuz"
rbd_start "${ARGS[@]}"
old_b=$(fnv "$root/undionly.kpxe") old_k=$(fnv "$root/vmlinuz")
head -c 70000 /dev/urandom >"$WORK/new.kpxe"
head -c 1100000 /dev/urandom >"$WORK/new.vmlinuz"
new_b=$(fnv "$WORK/new.kpxe") new_k=$(fnv "$WORK/new.vmlinuz")
storm replace 4
sleep 2
mv "$WORK/new.kpxe" "$root/undionly.kpxe"
mv "$WORK/new.vmlinuz" "$root/vmlinuz"
ctl reload >/dev/null || fail "reload failed"
storm_wait replace
hashes replace 20 >"$WORK/replace.b"
hashes replace 21 >"$WORK/replace.k"
[ -n "$(awk -v o="$old_b" -v n="$new_b" '$2 != o && $2 != n' "$WORK/replace.b")" ] &&
	fail "a boot program neither old nor new: $(cat "$WORK/replace.b")"
[ -n "$(awk -v o="$old_k" -v n="$new_k" '$2 != o && $2 != n' "$WORK/replace.k")" ] &&
	fail "a kernel neither old nor new: $(cat "$WORK/replace.k")"
count() { awk -v h="$2" '$2 == h {n = $1} END {print n + 0}' "$1"; }
b_old=$(count "$WORK/replace.b" "$old_b") b_new=$(count "$WORK/replace.b" "$new_b")
k_old=$(count "$WORK/replace.k" "$old_k") k_new=$(count "$WORK/replace.k" "$new_k")
[ "$b_old" -gt 0 ] && [ "$b_new" -gt 0 ] && [ "$k_old" -gt 0 ] && [ "$k_new" -gt 0 ] ||
	fail "the replacement did not land mid-storm: boot program $b_old old/$b_new new, kernel $k_old old/$k_new new"
# kernels in flight at the replacement (about 2 s into the storm)
inflight=$(awk -F, 'NR > 1 && $9 > 0 && $9 < 2 && $10 > 2' "$WORK/replace.csv" | wc -l)
pass "files replaced mid-storm: boot program $b_old old + $b_new new, kernel $k_old old + $k_new new, each whole (about $inflight kernels were in flight); $N of $N booted in ${TTL}s"
rbd_stop
rm -f "$WORK/leases"

# --- 3. SIGKILL mid-storm (a 2 s ramp, killed once 500 leases were
# acknowledged, with transfers in flight), restarted at once
rbd_start "${ARGS[@]}"
storm crash 2
for _ in $(seq 400); do
	[ "$(counter dhcp_acks_durable)" -ge 500 ] && break
	sleep 0.05
done
acked_before=$(counter dhcp_acks_durable)
rbd_stop KILL
rbd_start "${ARGS[@]}"
storm_wait crash
# every client's acknowledged lease is on disk, the client's own
ctl leases | awk 'NR > 1 {print $1, $2}' | sort >"$WORK/leases.now"
awk -F, 'NR > 1 {print $16, $2}' "$WORK/crash.csv" | sort >"$WORK/leases.acked"
missing=$(comm -23 "$WORK/leases.acked" "$WORK/leases.now" | wc -l)
[ "$missing" = 0 ] || fail "$missing acknowledged leases are not the client's after the storm: $(comm -23 "$WORK/leases.acked" "$WORK/leases.now" | head -3)"
hit=$(awk -F, 'NR > 1 && ($18 > 0 || $12 > 0) {n++} END {print n + 0}' "$WORK/crash.csv")
[ "$hit" -gt 0 ] || fail "no client noticed the kill: it did not land mid-storm"
pass "SIGKILL mid-storm ($acked_before leases acknowledged before it) and a restart: $N of $N booted in ${TTL}s; $hit clients retried or rebooted ($REBOOTS); all $N leases their clients', none twice"
