/**
 * Recognises text that people paste into an SSH public key field by mistake and says what it is and how to
 * get the public key instead. Returns null when the text looks like none of them. Never echoes the input:
 * a private key must not end up in an error message or a log.
 */
export function describeNonPublicKey(text: string): string | null {
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text) || text.includes('PuTTY-User-Key-File-')) {
    return (
      'this is a PRIVATE key, which must never leave your computer; paste the PUBLIC key instead ' +
      '(the .pub file next to it, or the output of ssh-keygen -y -f <private key file>), and consider ' +
      'this private key exposed'
    );
  }
  if (text.includes('---- BEGIN SSH2 PUBLIC KEY ----')) {
    return 'this is an RFC 4716 (SSH2) public key; convert it to the OpenSSH one-line form with ssh-keygen -i -f <file>';
  }
  if (/-----BEGIN (RSA |EC )?PUBLIC KEY-----/.test(text)) {
    return 'this is a PEM public key; convert it to the OpenSSH one-line form with ssh-keygen -i -m PKCS8 -f <file>';
  }
  if (/-----BEGIN [A-Z0-9 ]*CERTIFICATE-----/.test(text)) {
    return 'this is an X.509 certificate, not an SSH public key';
  }
  return null;
}
