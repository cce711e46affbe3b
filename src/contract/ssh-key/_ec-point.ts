// Whether an uncompressed ECDSA public point lies on its NIST curve, in pure TypeScript with BigInt, so the web
// panel refuses the same SSH keys as the control plane. SEC 1 v2 section 3.2.2.1 (public key validation, steps
// 1-3 for a prime curve): both coordinates in [0, p-1] and y^2 = x^3 + a*x + b (mod p). Step 4 (n*Q = O) is
// implied for these curves, whose cofactor is 1. The constants are FIPS 186-4 D.1.2 (a = p - 3 for all three).

interface PrimeCurve {
  p: bigint;
  b: bigint;
}

const primeCurves: Record<'nistp256' | 'nistp384' | 'nistp521', PrimeCurve> = {
  // FIPS 186-4 D.1.2.3, P-256.
  nistp256: {
    p: BigInt('0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff'),
    b: BigInt('0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b'),
  },
  // FIPS 186-4 D.1.2.4, P-384.
  nistp384: {
    p: BigInt('0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff'),
    b: BigInt('0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef'),
  },
  // FIPS 186-4 D.1.2.5, P-521: p = 2^521 - 1.
  nistp521: {
    p: (BigInt(1) << BigInt(521)) - BigInt(1),
    b: BigInt(
      '0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00',
    ),
  },
};

/** True when (x, y), big-endian coordinates, is a point of the curve (nistp256, nistp384 or nistp521). */
export function isPointOnCurve(curve: keyof typeof primeCurves, x: Uint8Array, y: Uint8Array): boolean {
  const { p, b } = primeCurves[curve];
  const X = toBigInt(x);
  const Y = toBigInt(y);
  if (X >= p || Y >= p) return false;
  const left = (Y * Y) % p;
  const right = (((X * X) % p) * X - BigInt(3) * X + b) % p;
  return left === (right + p) % p;
}

function toBigInt(bytes: Uint8Array): bigint {
  let hex = '0x0';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return BigInt(hex);
}
