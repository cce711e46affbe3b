/**
 * The program QEMU runs for each guest connection to a forwarded address (`guestfwd=tcp:IP:PORT-cmd:...`). QEMU's
 * other guestfwd form, a chardev (`-tcp:127.0.0.1:PORT`), is one host connection opened when QEMU starts and
 * shared by every guest connection: concurrent requests (the agent's heartbeat beside its events, iPXE beside
 * nothing) would be interleaved into one stream. With `cmd:`, slirp spawns the command per connection with the
 * connection as its stdin, stdout and stderr.
 *
 * This bridge connects that socket to 127.0.0.1:PORT, optionally over TLS (a control plane serving HTTPS with a
 * dev CA: the guests speak plain HTTP, as a provisioning network does with a boot service behind a proxy). It
 * must never print: its stderr is the guest's connection too, hence `2>/dev/null` in the command line that runs it.
 *
 * Written by the lab to DATA_DIR/lab/guest-forward-bridge.mjs and run with this host's node:
 *   node guest-forward-bridge.mjs HOST PORT [tls CA_FILE]
 */
export const guestForwardBridgeSource = `// byoi lab: one guest connection <-> HOST:PORT (plain or TLS). Generated from src/lab/guest-forward-bridge.ts.
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';

const [host, portText, mode, caFile] = process.argv.slice(2);
const port = Number(portText);
const guest = new net.Socket({ fd: 0, readable: true, writable: true, allowHalfOpen: true });
const upstream =
  mode === 'tls'
    ? tls.connect({ host, port, ca: readFileSync(caFile), allowHalfOpen: true })
    : net.connect({ host, port, allowHalfOpen: true });
const stop = () => {
  guest.destroy();
  upstream.destroy();
  process.exit(0);
};
guest.on('error', stop);
upstream.on('error', stop);
guest.pipe(upstream);
upstream.pipe(guest);
// Both sides closed: done. One side closed: the other has 30 s to finish (a response in flight), then it is cut.
let ended = 0;
const closed = () => {
  ended += 1;
  if (ended === 2) stop();
  else setTimeout(stop, 30000).unref();
};
guest.on('close', closed);
upstream.on('close', closed);
process.on('uncaughtException', stop);
`;
