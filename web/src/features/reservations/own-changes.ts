// Telling the user's own changes from someone else's. Every change to a
// reservation comes back as a reservation event with its new version; the
// screen's own actions produce versions too, and their events may arrive
// before the action's answer does. So an event is judged only once no action
// of the screen is in flight: a version no action of the screen produced was
// someone else's change.
export class OwnChanges {
  private readonly versions = new Set<number>();
  private inFlight = 0;
  private deferred: number[] = [];

  private readonly onForeign: (version: number) => void;

  constructor(onForeign: (version: number) => void) {
    this.onForeign = onForeign;
  }

  /** Runs an action (counted in flight from before it starts), recording the version it produced. */
  async track<T>(action: () => Promise<T>, versionOf: (result: T) => number | undefined): Promise<T> {
    this.inFlight += 1;
    let version: number | undefined;
    try {
      const result = await action();
      version = versionOf(result);
      return result;
    } finally {
      if (version !== undefined) this.versions.add(version);
      this.inFlight -= 1;
      if (this.inFlight === 0) this.flush();
    }
  }

  /** An event says the reservation is now at `version`. */
  event(version: number): void {
    if (this.versions.has(version)) return;
    if (this.inFlight > 0) {
      this.deferred.push(version);
      return;
    }
    this.onForeign(version);
  }

  private flush() {
    const foreign = this.deferred.filter((version) => !this.versions.has(version));
    this.deferred = [];
    if (foreign.length > 0) this.onForeign(Math.max(...foreign));
  }
}
