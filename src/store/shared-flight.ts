import { type Locks, UNKNOWN, type Versioned, type VersionedRecords } from './ports.js'

/** One record to have, and how to make it when the store holds none that will do. */
export interface SharedFlight<T> {
  records: VersionedRecords<T>
  locks: Locks
  /** The record's key. */
  key: string
  /** The lock that makes one replica at a time `produce` it. */
  lockName: string
  /** How long the lock holds at most: a crashed holder blocks the others no longer than this. */
  lockTtlMs: number
  /** Whether a stored record can be used as it is (fresh enough, not the one just refused). */
  usable: (record: Versioned<T>) => boolean
  /**
   * Makes the record (the calls to Jira), given what is stored (`undefined`: nothing, or the store
   * did not answer); `undefined` when there is nothing to store. Throws what the caller should get.
   */
  produce: (stored: Versioned<T> | undefined) => Promise<{ value: T, ttlMs: number } | undefined>
}

/** Where a record came from: another replica (`stored`), or this one's `produce`. */
export interface FlightResult<T> {
  value: T
  /** Its generation in the store; 0 when the store did not take it. */
  generation: number
  produced: boolean
}

/**
 * Single flight across replicas, as one replica's refresh does it: use what the store holds if it
 * will do; else take the lock, look again (the last holder may just have stored it), produce, store
 * over the generation read, release. A replica finding the lock taken waits for its release and
 * picks up the holder's result instead of calling Jira itself; if the holder failed, it tries in
 * its turn. A store that does not answer changes nothing but this: the replica produces by itself.
 */
export async function flyShared<T> (flight: SharedFlight<T>): Promise<FlightResult<T> | undefined> {
  const { records, locks, key, lockName, lockTtlMs, usable } = flight
  let stored = await records.load(key)
  if (stored !== UNKNOWN && stored !== undefined && usable(stored)) return { value: stored.value, generation: stored.generation, produced: false }
  for (;;) {
    const lock = await locks.obtain(lockName, lockTtlMs)
    if (lock === UNKNOWN) return await produceAndStore(flight, stored === UNKNOWN ? undefined : stored)
    if (lock === undefined) {
      await locks.released(lockName, lockTtlMs)
      stored = await records.load(key)
      if (stored === UNKNOWN) return await produceAndStore(flight, undefined)
      if (stored !== undefined && usable(stored)) return { value: stored.value, generation: stored.generation, produced: false }
      continue
    }
    try {
      stored = await records.load(key)
      if (stored !== UNKNOWN && stored !== undefined && usable(stored)) return { value: stored.value, generation: stored.generation, produced: false }
      return await produceAndStore(flight, stored === UNKNOWN ? undefined : stored)
    } finally {
      await locks.release(lock)
    }
  }
}

async function produceAndStore<T> (flight: SharedFlight<T>, stored: Versioned<T> | undefined): Promise<FlightResult<T> | undefined> {
  const made = await flight.produce(stored)
  if (made === undefined) return undefined
  const swap = await flight.records.replace(flight.key, stored?.generation ?? 0, made.value, made.ttlMs)
  // Not taken (the store is away, or another replica stored one meanwhile): ours is as good for
  // this request, and the stored one stays for the others.
  const generation = swap !== UNKNOWN && swap.swapped ? swap.generation : 0
  return { value: made.value, generation, produced: true }
}
