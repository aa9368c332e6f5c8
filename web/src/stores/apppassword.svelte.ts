/**
 * The person's Subsonic app password: what music apps (DSub, Symfonium, Feishin …) sign
 * in with, together with the server's address and the user name.
 *
 * The server can show the password only when it is made, so the new one is held here
 * until the person dismisses it or leaves the page; the status never carries it.
 */
import type { AppPasswordInfo, NewAppPassword } from "../lib/accounts";
import { failure } from "./settings.svelte";

/** The calls this makes (lib/accounts.ts in the page). */
export interface AppPasswordApi {
  getAppPassword(): Promise<AppPasswordInfo>;
  createAppPassword(): Promise<NewAppPassword>;
  revokeAppPassword(): Promise<void>;
}

const NONE: AppPasswordInfo = { exists: false, created_at: null, last_used_at: null };

export class AppPassword {
  status = $state.raw<AppPasswordInfo>(NONE);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** The password just made: shown once. */
  created = $state<string | null>(null);

  constructor(private readonly api: AppPasswordApi) {}

  async load(): Promise<void> {
    try {
      this.status = await this.api.getAppPassword();
      this.error = null;
    } catch (error) {
      this.error = failure(error, "Whether you have an app password could not be loaded.");
    } finally {
      this.loaded = true;
    }
  }

  /** Makes a new password (the old one stops working); throws ApiError on failure. */
  async create(): Promise<string> {
    const { password, ...status } = await this.api.createAppPassword();
    this.status = status;
    this.created = password;
    this.error = null;
    return password;
  }

  /** Forget the new password (it is never shown again). */
  dismissCreated(): void {
    this.created = null;
  }

  async revoke(): Promise<void> {
    await this.api.revokeAppPassword();
    this.status = NONE;
    this.created = null;
  }
}
