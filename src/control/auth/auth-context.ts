import type { Account } from '../store/accounts-repo.ts';
import type { Application } from '../store/applications-repo.ts';
import type { Credential } from './credential-model.ts';

/** Who made a request, set on `request.auth` by the auth hook. Every tenant check starts from `account.id`. */
export interface AuthContext {
  account: Account;
  credential: Credential;
  application: Application;
  /** How the request proved it: an OVH signature, or a browser session cookie made from one. */
  via: 'signature' | 'session';
}
