/**
 * The users the simulator created, kept so uniqueness can be enforced: rev users'
 * `external_ref`/`external_refs` (409 conflict) and dev users' emails. Bounded: beyond
 * `maxUsers` per kind the oldest are forgotten, together with what they held taken.
 */
export interface StoredUser {
  /** The DON id. */
  id: string;
  displayId: string;
  /**
   * Only what uniqueness, delete/deactivate and the users route need: keeping whole
   * bodies of thousands of users showed up as garbage-collector time on every create.
   */
  state: string;
  /** External refs (rev users) or the lower-cased email (dev users) this user holds. */
  holds: string[];
}

/** Marks a ref or an email taken through the reserved route rather than by a user. */
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
  // Creation order, for forgetting the oldest: a queue rather than Map iteration, which
  // slows down once a Map has many deleted entries (5 us a create, measured).
  private readonly order = { rev: new Fifo(), dev: new Fifo() };

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
    this.reserve(this.refs, ref);
  }

  emailTaken(email: string) {
    return this.emails.has(email.toLowerCase());
  }

  reserveEmail(email: string) {
    this.reserve(this.emails, email.toLowerCase());
  }

  addRev(user: StoredUser) {
    this.evict(this.rev, this.order.rev, this.refs);
    this.rev.set(user.id, user);
    this.order.rev.push(user.id, this.rev);
    for (const ref of user.holds) this.refs.set(ref, user.id);
  }

  addDev(user: StoredUser) {
    this.evict(this.dev, this.order.dev, this.emails);
    this.dev.set(user.id, user);
    this.order.dev.push(user.id, this.dev);
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
    this.order.rev.clear();
    this.order.dev.clear();
  }

  private evict(users: Map<string, StoredUser>, order: Fifo, index: Map<string, string>) {
    while (users.size >= this.maxUsers) {
      const id = order.shift();
      if (id === undefined) return;
      const oldest = users.get(id);
      // Deleted users leave their id in the queue; skip them.
      if (!oldest) continue;
      users.delete(id);
      for (const h of oldest.holds) if (index.get(h) === id) index.delete(h);
    }
  }

  private reserve(index: Map<string, string>, value: string) {
    if (!index.has(value)) {
      if (index.size >= this.maxUsers * 4) this.dropOldestReserved(index);
      index.set(value, RESERVED);
    }
  }

  private dropOldestReserved(index: Map<string, string>) {
    for (const [value, owner] of index) {
      if (owner === RESERVED) {
        index.delete(value);
        return;
      }
    }
  }
}

/** An array queue that compacts itself instead of shifting on every removal. */
class Fifo {
  private items: string[] = [];
  private head = 0;

  /** Ids of deleted users pile up in the queue; past twice the live count it is rebuilt. */
  push(id: string, live: Map<string, unknown>) {
    this.items.push(id);
    if (this.items.length - this.head > 2 * live.size + 1024) {
      this.items = [...live.keys()];
      this.head = 0;
    }
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const id = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return id;
  }

  clear() {
    this.items = [];
    this.head = 0;
  }
}
