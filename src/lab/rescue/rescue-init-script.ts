/**
 * The rescue system's /init (busybox ash, PID 1) and udhcpc's event script. Plain text kept here, beside the
 * builder, so that a change to either changes the build's content key.
 *
 * What /init does, in order (each step says so on the console, prefixed "byoi-rescue:"):
 *   1. mounts /proc, /sys, /dev (devtmpfs), /dev/pts, /run; quiets kernel messages below warnings
 *   2. loads the drivers of the hardware present: every `modalias` under /sys/devices through busybox modprobe
 *      (modules.alias of the modules the build kept), three rounds so that devices behind a new driver get theirs
 *   3. brings each network interface up and asks for a DHCP lease (udhcpc), first lease wins
 *   4. with `byoi.token=` on the kernel command line: runs the installer, `node /opt/byoi/agent.mjs agent --cmdline`
 *      (the agent reads byoi.control and byoi.token itself; this script never prints the token). When it ends:
 *      success: waits for the control plane's power driver to reboot the server (its own reboot after 10 minutes,
 *      for servers without a power driver); failure: reboots after 20 seconds, so the server asks the boot service
 *      again what to boot (a task still running gets a fresh installer, an ended one its disk)
 *   5. without a token (bootId 2, rescue): a shell on the console
 */
export const rescueInitScript = `#!/bin/sh
# byoi rescue system: PID 1. See src/lab/rescue/rescue-init-script.ts.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=vt100 LANG=C.UTF-8
mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o mode=0755 devtmpfs /dev
mkdir -p /dev/pts /dev/shm /run /tmp /root
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs -o mode=0755 tmpfs /run
exec </dev/console >/dev/console 2>&1
# Console: warnings and errors only; the rescue's own lines are what an operator reads.
echo "4 4 1 7" >/proc/sys/kernel/printk

say() { echo "byoi-rescue: $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
say "started at $(uptime_s) s: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, $(awk '/^MemTotal/ {print int($2 / 1024)}' /proc/meminfo) MiB of memory"
hostname byoi-rescue

# Drivers for the hardware present.
for round in 1 2 3; do
  find /sys/devices -name modalias 2>/dev/null | xargs cat 2>/dev/null | sort -u >/run/modaliases
  while read -r alias; do modprobe -q "$alias" 2>/dev/null; done </run/modaliases
  sleep 0.2
done
modprobe -q sd_mod 2>/dev/null
say "drivers loaded: $(cut -d' ' -f1 /proc/modules | sort | tr '\\n' ' ')"
for disk in /sys/block/*; do
  name=\${disk##*/}
  case "$name" in loop*|ram*|zram*) continue ;; esac
  say "disk /dev/$name: $(( $(cat "$disk/size") / 2048 )) MiB"
done

# Network: the first interface that gets a DHCP lease.
ip link set lo up
network=""
for attempt in 1 2 3 4 5; do
  for dev in /sys/class/net/*; do
    name=\${dev##*/}
    [ "$name" = lo ] && continue
    ip link set "$name" up 2>/dev/null
    if udhcpc -i "$name" -f -q -n -t 4 -T 2 -s /etc/udhcpc/default.script >/run/udhcpc.log 2>&1; then
      network=$name
      break 2
    fi
  done
  say "no DHCP answer yet (attempt $attempt); trying again"
  sleep 2
done
[ -n "$network" ] || say "no network interface got a DHCP lease: the installer cannot reach the control plane"

control=$(tr ' ' '\\n' </proc/cmdline | sed -n 's/^byoi\\.control=//p' | tail -1)
if grep -q 'byoi\\.token=' /proc/cmdline; then
  say "network up at $(uptime_s) s; starting the installer, control plane $control"
  node /opt/byoi/agent.mjs agent --cmdline
  status=$?
  if [ "$status" -eq 0 ]; then
    say "installer finished at $(uptime_s) s: the image is deployed; the control plane reboots this server into it"
    sleep 600
    say "no reboot from the control plane in 10 minutes: rebooting"
  else
    say "installer stopped with exit status $status at $(uptime_s) s; rebooting in 20 seconds to ask the boot service what to boot"
    sleep 20
  fi
  sync
  reboot -f
else
  say "rescue mode (no installer token on the kernel command line); control plane \${control:-unknown}"
  say "run the installer by hand with: node /opt/byoi/agent.mjs agent --control URL --token TOKEN"
  while true; do
    setsid cttyhack sh -l
    sleep 1
  done
fi
while true; do sleep 3600; done
`;

/** busybox udhcpc's event script: configures the interface, the default route and resolv.conf from the lease. */
export const udhcpcScript = `#!/bin/sh
# udhcpc event script of the byoi rescue system: $1 is the event, the lease is in the environment.
case "$1" in
  deconfig)
    ifconfig "$interface" 0.0.0.0 up
    ;;
  bound|renew)
    ifconfig "$interface" "$ip" netmask "\${subnet:-255.255.255.0}" up
    while route del default dev "$interface" 2>/dev/null; do :; done
    for gateway in $router; do route add default gw "$gateway" dev "$interface" && break; done
    : >/etc/resolv.conf
    [ -n "$domain" ] && echo "search $domain" >>/etc/resolv.conf
    for server in $dns; do echo "nameserver $server" >>/etc/resolv.conf; done
    echo "byoi-rescue: $interface: address $ip netmask \${subnet:-?} gateway \${router:-none} dns \${dns:-none}" >/dev/console
    ;;
esac
exit 0
`;
