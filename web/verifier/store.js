// The page's memory across reloads: one IndexedDB object store of named values (the pinned
// root key, the trust list, the status lists, the replay history, the chosen language).
// Where IndexedDB is unavailable (some private windows) the page still works, from memory
// only, and says so.

const DB_NAME = 'cert-wallet-verifier';
const STORE = 'kv';

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export class Store {
  /** Opens the database; `persistent` is false when only memory could be had. */
  static async open() {
    const store = new Store();
    try {
      const open = indexedDB.open(DB_NAME, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE);
      store.db = await request(open);
    } catch {
      store.db = null;
    }
    return store;
  }

  constructor() {
    this.db = null;
    this.memory = new Map();
  }

  get persistent() {
    return this.db !== null;
  }

  async get(key) {
    if (!this.db) return this.memory.get(key);
    const tx = this.db.transaction(STORE, 'readonly');
    return request(tx.objectStore(STORE).get(key));
  }

  async set(key, value) {
    this.memory.set(key, value);
    if (!this.db) return;
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(value, key);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
}
