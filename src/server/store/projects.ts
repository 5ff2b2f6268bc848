import type { ProjectRecord } from '../model';
import { FieldUpdates, fromJsonColumn } from './columns';
import type { Database, Statement } from './sqlite';

interface ProjectRow {
  id: number;
  uuid: string;
  user: string;
  name: string;
  description: string | null;
  readme: string | null;
  tags: string;
  is_public: number;
  created_at: string;
  updated_at: string;
}

const COLUMNS: Record<string, string> = {
  name: 'name', description: 'description', readme: 'readme', tags: 'tags', isPublic: 'is_public', updatedAt: 'updated_at',
};

/** The `project` table. */
export class Projects {
  readonly #insert: Statement;
  readonly #byName: Statement;
  readonly #byId: Statement;
  readonly #ofUser: Statement;
  readonly #delete: Statement;
  readonly #updates: FieldUpdates;

  constructor(db: Database) {
    this.#updates = new FieldUpdates(db, 'project', (field) => COLUMNS[field]);
    this.#insert = db.prepare(
      `INSERT INTO project (id, uuid, user, name, description, readme, tags, is_public, created_at, updated_at)
       VALUES (@id, @uuid, @user, @name, @description, @readme, @tags, @is_public, @created_at, @updated_at)`,
    );
    this.#byName = db.prepare('SELECT * FROM project WHERE user = ? AND name = ?');
    this.#byId = db.prepare('SELECT * FROM project WHERE id = ?');
    this.#ofUser = db.prepare('SELECT * FROM project WHERE user = ? ORDER BY id');
    this.#delete = db.prepare('DELETE FROM project WHERE id = ?');
  }

  insert(project: ProjectRecord): void {
    this.#insert.run({
      id: project.id, uuid: project.uuid, user: project.user, name: project.name,
      description: project.description, readme: project.readme, tags: JSON.stringify(project.tags),
      is_public: project.isPublic ? 1 : 0, created_at: project.createdAt, updated_at: project.updatedAt,
    });
  }

  update(id: number, changes: Partial<ProjectRecord>, at: string): void {
    const values: Record<string, unknown> = { ...changes, updatedAt: at };
    const fields = Object.keys(values).filter((field) => COLUMNS[field] !== undefined && values[field] !== undefined).sort();
    const params: Record<string, unknown> = { id };
    for (const field of fields) {
      const value = values[field];
      params[field] = field === 'tags' ? JSON.stringify(value) : field === 'isPublic' ? (value ? 1 : 0) : value;
    }
    this.#updates.run(fields, params);
  }

  delete(id: number): void {
    this.#delete.run(id);
  }

  find(user: string, name: string): ProjectRecord | undefined {
    const row = this.#byName.get(user, name) as ProjectRow | undefined;
    return row && toRecord(row);
  }

  get(id: number): ProjectRecord | undefined {
    const row = this.#byId.get(id) as ProjectRow | undefined;
    return row && toRecord(row);
  }

  ofUser(user: string): ProjectRecord[] {
    return (this.#ofUser.all(user) as ProjectRow[]).map(toRecord);
  }
}

function toRecord(row: ProjectRow): ProjectRecord {
  return {
    id: row.id,
    uuid: row.uuid,
    user: row.user,
    name: row.name,
    description: row.description,
    readme: row.readme,
    tags: fromJsonColumn<string[]>(row.tags) ?? [],
    isPublic: row.is_public === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
