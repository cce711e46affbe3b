import type { ErrorCode } from '../../contract/errors/catalogue.ts';

/**
 * OVH's `errorCode` for the authentication failures, sent next to `class` and `message` with `httpCode`
 * ("403 Forbidden"), as the real API does (python-ovh maps 403s by these codes). Other errors have none.
 */
export const ovhErrorCodes: Partial<Record<ErrorCode, string>> = {
  BYOI_AUTH_INVALID_KEY: 'INVALID_KEY',
  BYOI_AUTH_INVALID_SIGNATURE: 'INVALID_SIGNATURE',
  BYOI_AUTH_QUERY_TIME_OUT: 'QUERY_TIME_OUT',
  BYOI_AUTH_NOT_CREDENTIAL: 'NOT_CREDENTIAL',
  BYOI_AUTH_INVALID_CREDENTIAL: 'INVALID_CREDENTIAL',
  BYOI_AUTH_NOT_GRANTED: 'NOT_GRANTED_CALL',
  BYOI_AUTH_NOT_AUTHENTICATED: 'NOT_AUTHENTICATED',
};
