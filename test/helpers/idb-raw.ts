import { databaseName } from '../../src/browser/idb-store';

/** Every value in every object store of the queue `name`'s database in `factory`, read raw. */
export async function rawContents(factory: IDBFactory, name: string): Promise<unknown[]> {
  const request = factory.open(databaseName(name));
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const values: unknown[] = [];
  for (const storeName of Array.from(db.objectStoreNames)) {
    const all = db.transaction(storeName).objectStore(storeName).getAll();
    values.push(...(await new Promise<unknown[]>((resolve) => (all.onsuccess = () => resolve(all.result)))));
  }
  db.close();
  return values;
}
