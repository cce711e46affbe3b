import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { ByoiError } from '../../contract/errors/byoi-error.ts';

export interface DevTls {
  key: string;
  cert: string;
  /** The CA certificate clients must trust: DIR/dev-ca.pem. */
  caPath: string;
}

/**
 * `byoi serve --dev-tls`: a local CA and a server certificate for 127.0.0.1, ::1 and localhost, made once in
 * `dir` and reused while valid. Node has no X.509 generator, so this shells out to `openssl` (Debian's
 * openssl package; a development convenience, never used with --tls-cert/--tls-key). Clients trust the CA
 * with NODE_EXTRA_CA_CERTS=DIR/dev-ca.pem or curl --cacert DIR/dev-ca.pem.
 */
export function ensureDevTls(dir: string): DevTls {
  mkdirSync(dir, { recursive: true });
  const caPath = join(dir, 'dev-ca.pem');
  const caKeyPath = join(dir, 'dev-ca.key');
  const certPath = join(dir, 'dev-server.pem');
  const keyPath = join(dir, 'dev-server.key');

  if (![caPath, caKeyPath, certPath, keyPath].every((path) => existsSync(path)) || !stillValid(certPath, caPath)) {
    const extPath = join(dir, 'dev-server.ext');
    const csrPath = join(dir, 'dev-server.csr');
    try {
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
      openssl(['req', '-x509', ...ec, '-keyout', caKeyPath, '-out', caPath, '-days', '3650', '-subj', '/CN=byoi development CA',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
      openssl(['req', ...ec, '-keyout', keyPath, '-out', csrPath, '-subj', '/CN=localhost']);
      writeFileSync(
        extPath,
        'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n',
      );
      openssl(['x509', '-req', '-in', csrPath, '-CA', caPath, '-CAkey', caKeyPath, '-set_serial', `0x${Date.now().toString(16)}`,
        '-out', certPath, '-days', '825', '-extfile', extPath]);
    } finally {
      rmSync(extPath, { force: true });
      rmSync(csrPath, { force: true });
    }
    chmodSync(caKeyPath, 0o600);
    chmodSync(keyPath, 0o600);
  }
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), caPath };
}

function stillValid(certPath: string, caPath: string): boolean {
  try {
    const cert = new X509Certificate(readFileSync(certPath));
    const ca = new X509Certificate(readFileSync(caPath));
    return Date.parse(cert.validTo) > Date.now() + 86_400_000 && cert.checkIssued(ca) && cert.checkIP('127.0.0.1') !== undefined;
  } catch {
    return false;
  }
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'openssl is not installed (Debian package openssl)' : (stderr ?? (error as Error).message);
    throw new ByoiError('BYOI_CONFIG_INVALID', { key: 'tls.dev', source: '--dev-tls', reason: `cannot make the development certificate: ${reason}` });
  }
}
