/**
 * The browser outbox store. `openBrowserStore` is what the browser environment calls: IndexedDB
 * when it works, memory with one warning when it does not (F13-F16); `openIndexedDbStore` is the
 * bare IndexedDB store, which rejects instead of falling back.
 */
export { openBrowserStore, type BrowserStoreOptions } from './idb/resilient-store';
export {
  databaseName,
  DEFAULT_OPEN_TIMEOUT_MS,
  openIndexedDbStore,
  type IndexedDbStoreOptions,
} from './idb/indexeddb-store';
