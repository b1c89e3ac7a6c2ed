/**
 * The users the simulator created, kept so uniqueness can be enforced: rev users'
 * `external_ref`/`external_refs` (409 conflict) and dev users' emails. Bounded: beyond
 * `maxUsers` per kind the oldest are forgotten, together with what they held taken.
 */
export interface StoredUser {
  /** The DON id. */
  id: string;
  displayId: string;
  /** The 201 body's user object, as answered. */
  body: Record<string, unknown>;
  /** External refs (rev users) or the lower-cased email (dev users) this user holds. */
  holds: string[];
}

/** Marks a ref taken through the reserved route rather than by a user. */
const RESERVED = '';

export class UserStore {
  readonly rev = new Map<string, StoredUser>();
  readonly dev = new Map<string, StoredUser>();
  /** external_ref / external_refs entry → owning rev user id (or RESERVED). */
  private readonly refs = new Map<string, string>();
  /** lower-cased dev user email → owning dev user id. */
  private readonly emails = new Map<string, string>();
  private revSeq = 0;
  private devSeq = 0;

  constructor(private readonly maxUsers: number) {}

  nextRevSeq() {
    return ++this.revSeq;
  }

  /** Dev user numbers start above 1: DEVU-1 is, in every DevRev org, its first member. */
  nextDevSeq() {
    return ++this.devSeq + 1;
  }

  refTaken(ref: string) {
    return this.refs.has(ref);
  }

  reserveRef(ref: string) {
    if (!this.refs.has(ref)) {
      if (this.refs.size >= this.maxUsers * 4) this.dropOldestReserved();
      this.refs.set(ref, RESERVED);
    }
  }

  emailTaken(email: string) {
    return this.emails.has(email.toLowerCase());
  }

  addRev(user: StoredUser) {
    this.evict(this.rev, this.refs);
    this.rev.set(user.id, user);
    for (const ref of user.holds) this.refs.set(ref, user.id);
  }

  addDev(user: StoredUser) {
    this.evict(this.dev, this.emails);
    this.dev.set(user.id, user);
    for (const e of user.holds) this.emails.set(e, user.id);
  }

  /** Finds a user by DON id or display id. */
  find(kind: 'rev' | 'dev', id: string): StoredUser | undefined {
    const users = kind === 'rev' ? this.rev : this.dev;
    const direct = users.get(id);
    if (direct) return direct;
    for (const u of users.values()) if (u.displayId === id) return u;
    return undefined;
  }

  deleteRev(user: StoredUser) {
    this.rev.delete(user.id);
    for (const ref of user.holds) if (this.refs.get(ref) === user.id) this.refs.delete(ref);
  }

  clear() {
    this.rev.clear();
    this.dev.clear();
    this.refs.clear();
    this.emails.clear();
  }

  private evict(users: Map<string, StoredUser>, index: Map<string, string>) {
    while (users.size >= this.maxUsers) {
      const oldest = users.values().next();
      if (oldest.done) return;
      users.delete(oldest.value.id);
      for (const h of oldest.value.holds) if (index.get(h) === oldest.value.id) index.delete(h);
    }
  }

  private dropOldestReserved() {
    for (const [ref, owner] of this.refs) {
      if (owner === RESERVED) {
        this.refs.delete(ref);
        return;
      }
    }
  }
}
