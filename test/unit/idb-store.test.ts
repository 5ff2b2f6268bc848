import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openBrowserStore, openIndexedDbStore } from '../../src/browser/idb-store';
import { runStoreContract } from '../helpers/store-contract';

const NAME = 'http://127.0.0.1:8000';
const CAPS = { maxRecords: 1e6, maxBytes: 1e9 };
let factory = new IDBFactory();

runStoreContract(
  'IndexedDbStore',
  async () => {
    factory = new IDBFactory();
    return openIndexedDbStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: factory });
  },
  undefined,
  { reopen: () => openIndexedDbStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: factory }) },
);

runStoreContract(
  'openBrowserStore over IndexedDB',
  async () => {
    factory = new IDBFactory();
    return openBrowserStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: factory });
  },
  undefined,
  { reopen: () => openBrowserStore({ name: NAME, caps: CAPS, keyRange: IDBKeyRange, indexedDB: factory }) },
);
