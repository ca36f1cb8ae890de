#!/usr/bin/env bash
# The production memory path: with enough free hugepages rackbootd starts
# EAL on them (in memory: no hugetlbfs files), serves, and leaves nothing
# behind; with too few for --memory it falls back to --no-huge.  Reserves
# hugepages for the test and restores the machine's reservation after.
. "$(dirname "$0")/lib.sh"

[ -w /proc/sys/vm/nr_hugepages ] || { echo "SKIP: cannot reserve hugepages"; exit $SKIP; }
saved=$(cat /proc/sys/vm/nr_hugepages)
CLEANUP_HOOKS+=("echo $saved >/proc/sys/vm/nr_hugepages")
page_kb=$(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo)
free_pages() { awk '/^HugePages_Free:/ {print $2}' /proc/meminfo; }

lab_up "$(lab_id 16)" --clients 1

# enough for 128 MiB
echo $((saved + 128 * 1024 / page_kb + 8)) >/proc/sys/vm/nr_hugepages
before=$(free_pages)
[ $((before * page_kb)) -ge $((128 * 1024)) ] || { echo "SKIP: the kernel gave only $before hugepages"; exit $SKIP; }
rbd_start --port "$LAB_SRV_IF" --memory 128
[ "$(status_field hugepages)" = yes ] || fail "rackbootd did not use hugepages"
during=$(free_pages)
[ $((before - during)) -ge $((128 * 1024 / page_kb)) ] ||
	fail "only $((before - during)) hugepages in use, want $((128 * 1024 / page_kb))"
out=$(in_client 1 ping -c 3 -i 0.2 -W 2 "$LAB_SRV_IP") || fail "ping: $out"
in_client 1 bash -c "echo x > /dev/udp/$LAB_SRV_IP/69"
sleep 0.3
[ "$(served_udp)" = 1 ] || fail "dataplane on hugepages did not see the datagram"
pid=$RBD_PID
rbd_stop TERM
[ "$RBD_RC" = 0 ] || fail "exit status $RBD_RC"
[ "$(free_pages)" = "$before" ] || fail "hugepages not given back: $(free_pages) free, $before before"
[ ! -e "/var/run/dpdk/rackboot-$pid" ] || fail "EAL runtime files left"
if [ -d /dev/hugepages ] && ls /dev/hugepages | grep -q rackboot; then
	fail "hugepage files left in /dev/hugepages"
fi
pass "on hugepages: $((before - during)) pages used, all given back, no files left"

# too few free hugepages for --memory: --no-huge instead of a failed start
echo $((saved + 8)) >/proc/sys/vm/nr_hugepages
rbd_start --port "$LAB_SRV_IF" --memory 128
[ "$(status_field hugepages)" = no ] || fail "rackbootd tried hugepages that cannot hold --memory"
rbd_stop TERM
[ "$RBD_RC" = 0 ] || fail "exit status $RBD_RC"
pass "too few hugepages for --memory: falls back to --no-huge"
